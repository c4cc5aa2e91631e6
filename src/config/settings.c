/* SPDX-License-Identifier: MIT */
/* Where each setting in effect came from (settings.h): the origin of an
 * option's value, the environment overrides and their JSON shapes. Reading
 * the files is config.c's and managed.c's; this only looks at the result. */
#include "config/settings.h"

#include <stdlib.h>
#include <string.h>

#include "config/managed.h"
#include "core/json.h"
#include "core/xalloc.h"

/* Environment variables that override an option of the config. */
static const struct {
	size_t option;
	const char *var;
} env_overrides[] = {
	{ .option = CONFIG_I_base_url, .var = "ANTHROPIC_BASE_URL" },
	{ .option = CONFIG_I_otel_endpoint, .var = "OTEL_EXPORTER_OTLP_ENDPOINT" },
	{ .option = CONFIG_I_otel_protocol, .var = "OTEL_EXPORTER_OTLP_PROTOCOL" },
};

const char *
settings_env(const struct config *c, size_t i, const char **var)
{
	if (var)
		*var = NULL;
	for (size_t k = 0; k < sizeof env_overrides / sizeof *env_overrides; k++) {
		if (env_overrides[k].option != i)
			continue;
		const char *v = getenv(env_overrides[k].var);

		if (var)
			*var = env_overrides[k].var;
		/* A setting the administrator fixed is not the environment's to change. */
		if (!v || !*v || managed_lock(c, config_option_name(i)))
			return NULL;
		return v;
	}
	return NULL;
}

int
settings_env_check(const struct config *c)
{
	for (size_t k = 0; k < sizeof env_overrides / sizeof *env_overrides; k++) {
		size_t i = env_overrides[k].option;
		const char *var, *v = settings_env(c, i, &var);

		if (v && config_value_check(config_option_name(i), v, var) < 0)
			return DH_EPARSE;
	}
	return 0;
}

const char *
settings_provider_url(const struct config *c, const struct config_provider *p, bool *env)
{
	const char *v = settings_env(c, CONFIG_I_base_url, NULL);

	if (env)
		*env = false;
	if (!strcmp(p->name, "anthropic") && v) {
		if (env)
			*env = true;
		return v;
	}
	if (!*p->base_url && !strcmp(p->kind, "anthropic"))
		return c->base_url;
	return p->base_url;
}

const char *
settings_value(const struct config *c, size_t i, const char **from)
{
	const char *var, *env = settings_env(c, i, &var);

	if (from)
		*from = env ? var : config_option_name(i);
	return env ? env : config_option_value(c, i);
}

void
settings_origin(struct settings_origin *out, const struct config *c, size_t i)
{
	const struct config_lock *l = managed_lock(c, config_option_name(i));
	const char *var, *env = settings_env(c, i, &var);

	*out = (struct settings_origin){ .from = SETTINGS_DEFAULT,
					 .value = config_option_value(c, i),
					 .where = c->set_at[i],
					 .locked = l ? l->where : NULL };
	if (env) {
		out->from = SETTINGS_ENV;
		out->value = env;
		out->where = var;
	} else if (!out->where) {
		out->from = SETTINGS_DEFAULT;
	} else if (managed_sets(c, out->where)) {
		out->from = SETTINGS_POLICY;
	} else if (!strncmp(out->where, "--", 2)) {
		out->from = SETTINGS_FLAG;
	} else {
		out->from = SETTINGS_FILE;
	}
}

static const char *const from_names[] = {
	[SETTINGS_DEFAULT] = "default", [SETTINGS_FILE] = "file", [SETTINGS_FLAG] = "flag",
	[SETTINGS_ENV] = "env",		[SETTINGS_POLICY] = "policy",
};

const char *
settings_from_name(enum settings_from f)
{
	return (unsigned)f < sizeof from_names / sizeof *from_names ? from_names[f] : "?";
}

char *
settings_origin_text(const struct settings_origin *o)
{
	const char *w = o->where ? o->where : "";
	char *from;

	switch (o->from) {
	case SETTINGS_FILE: from = xstrdup(w); break;
	case SETTINGS_FLAG: from = xasprintf("flag %s", w); break;
	case SETTINGS_ENV: from = xasprintf("env %s", w); break;
	case SETTINGS_POLICY: from = xasprintf("managed policy %s", w); break;
	default: from = xstrdup("default"); break;
	}
	if (!o->locked)
		return from;
	char *t = o->from == SETTINGS_POLICY && !strcmp(o->locked, w)
			  ? xasprintf("%s, locked", from)
			  : xasprintf("%s, locked by the managed policy (%s)", from, o->locked);

	free(from);
	return t;
}

cJSON *
settings_json(const struct config *c, size_t i)
{
	struct settings_origin o;
	cJSON *j = json_new_obj();

	settings_origin(&o, c, i);
	json_add_str(j, "name", config_option_name(i));
	json_add_str(j, "value", o.value);
	json_add_str(j, "default", config_option_default(i));
	json_add_str(j, "from", settings_from_name(o.from));
	if (o.where)
		json_add_str(j, "where", o.where);
	if (o.locked)
		json_add_str(j, "locked", o.locked);
	json_add_str(j, "doc", config_option_doc(i));
	return j;
}

cJSON *
settings_policy_json(const struct config *c)
{
	if (!c->policy)
		return NULL;
	cJSON *p = json_new_obj(), *locks = json_new_obj(), *rules = json_new_arr(),
	      *egress = json_new_arr(), *mcp = json_new_arr();

	json_add_str(p, "file", c->policy);
	for (size_t i = 0; i < c->locks.n; i++)
		json_add_str(locks, c->locks.v[i].name, c->locks.v[i].where);
	for (size_t i = 0; i < c->policy_rules.n; i++) {
		cJSON *r = json_new_obj();
		char *line = config_rule_format(&c->policy_rules.v[i]);

		json_add_str(r, "rule", line);
		json_add_str(r, "where", c->policy_rules.v[i].where);
		json_add(rules, NULL, r);
		free(line);
	}
	for (size_t i = 0; i < c->egress.n; i++) {
		if (!managed_sets(c, c->egress.v[i].where))
			continue;
		cJSON *e = json_new_obj();

		json_add_str(e, "host", c->egress.v[i].text);
		json_add_str(e, "where", c->egress.v[i].where);
		json_add(egress, NULL, e);
	}
	for (size_t i = 0; i < c->mcp_allow.n; i++) {
		cJSON *m = json_new_obj();

		json_add_str(m, "allow", c->mcp_allow.v[i].text);
		json_add_str(m, "where", c->mcp_allow.v[i].where);
		json_add(mcp, NULL, m);
	}
	json_add(p, "locks", locks);
	json_add(p, "rules", rules);
	json_add(p, "egress", egress);
	json_add(p, "mcp", mcp);
	return p;
}
