/* SPDX-License-Identifier: MIT */
/*
 * `deskhand config`: every setting in effect, each with where it came from
 * (config/settings.h) and the managed policy's locks marked. Reading the
 * files is config/'s; this only prints the result.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/managed.h"
#include "config/settings.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/client.h"

static const char config_usage[] =
	"usage: deskhand config [--json] [KEY]\n"
	"\n"
	"Print every setting in effect as a config line, with where its value came\n"
	"from: the default, a config file's FILE:LINE, an environment variable that\n"
	"overrides it (ANTHROPIC_BASE_URL over base_url) or the managed policy; a\n"
	"setting the managed policy locks is marked \"locked\" with the policy's line.\n"
	"Then the egress allowlist and what else the managed policy fixes. With KEY,\n"
	"only that setting.\n"
	"\n"
	"Files, in the order they are read: the managed policy (/etc/deskhand/policy),\n"
	"your config ($XDG_CONFIG_HOME/deskhand/config), then $DH_CONFIG\n"
	"(docs/config.md, docs/policy.md). The permission rules are listed by\n"
	"'deskhand rules'.\n"
	"\n"
	"      --json   print {\"settings\": [{name, value, default, from, where,\n"
	"               locked, doc}], \"egress\": [{host, where, from}], \"policy\":\n"
	"               {file, locks, rules, egress, mcp} or null}; with KEY, that\n"
	"               setting's object alone. from is default, file, flag, env or\n"
	"               policy\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0, 1 a config file or the managed policy cannot be read or is\n"
	"refused (named with its line), or an environment variable that overrides a\n"
	"setting holds a value the setting does not take (named with its value), 2\n"
	"usage or an unknown KEY.\n";

/* "set NAME = VALUE   # origin" */
static void
print_setting(const struct config *c, size_t i)
{
	struct settings_origin o;

	settings_origin(&o, c, i);
	char *line = config_set_line(config_option_name(i), o.value);
	char *from = settings_origin_text(&o);

	const char *var;

	(void)settings_env(c, i, &var);
	const char *env = var ? getenv(var) : NULL;
	/* An override the engine ignores because of a lock is said so. */
	bool ignored = o.locked && env && *env;

	printf("%-44s # %s%s%s%s\n", line, from, ignored ? " (" : "", ignored ? var : "",
	       ignored ? " is ignored)" : "");
	free(line);
	free(from);
}

static void
print_human(const struct config *c)
{
	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		print_setting(c, i);
	const struct config_lock *el = managed_lock(c, "egress"), *ml = managed_lock(c, "mcp");

	for (size_t i = 0; i < c->egress.n; i++) {
		char *line = xasprintf("allow egress %s", c->egress.v[i].text);
		bool pol = managed_sets(c, c->egress.v[i].where);

		printf("%-44s # %s%s\n", line, pol ? "managed policy " : "", c->egress.v[i].where);
		free(line);
	}
	if (el)
		printf("%-44s # managed policy %s: no other host\n", "# egress allowlist locked",
		       el->where);
	for (size_t i = 0; i < c->mcp_allow.n; i++) {
		char *line = xasprintf("allow %s", c->mcp_allow.v[i].text);

		printf("%-44s # managed policy %s\n", line, c->mcp_allow.v[i].where);
		free(line);
	}
	if (ml)
		printf("%-44s # managed policy %s: no other connector starts\n",
		       "# connectors locked", ml->where);
	if (c->policy_rules.n)
		printf("# %zu permission rule%s of the managed policy (%s): deskhand rules lists "
		       "them\n",
		       c->policy_rules.n, c->policy_rules.n == 1 ? "" : "s", c->policy);
	if (!c->policy)
		printf("# no managed policy (%s does not exist)\n", managed_path());
}

static void
print_json(const struct config *c)
{
	cJSON *o = json_new_obj(), *set = json_new_arr(), *eg = json_new_arr();
	cJSON *pol = settings_policy_json(c);

	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		json_add(set, NULL, settings_json(c, i));
	for (size_t i = 0; i < c->egress.n; i++) {
		cJSON *e = json_new_obj();

		json_add_str(e, "host", c->egress.v[i].text);
		json_add_str(e, "where", c->egress.v[i].where);
		json_add_str(e, "from", managed_sets(c, c->egress.v[i].where) ? "policy" : "file");
		json_add(eg, NULL, e);
	}
	json_add(o, "settings", set);
	json_add(o, "egress", eg);
	json_add(o, "policy", pol ? pol : cJSON_CreateNull());
	char *s = json_print(o);

	puts(s);
	free(s);
	cJSON_Delete(o);
}

int
cli_config(int argc, char **argv)
{
	const char *key = NULL;
	bool json = false;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(config_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' || key) {
			struct buf shown = BUF_INIT;

			fprintf(stderr, "deskhand config: unexpected argument '%s'\n%s",
			        utf8_sanitized(&shown, argv[i]), config_usage);
			buf_fini(&shown);
			return 2;
		} else {
			key = argv[i];
		}
	}
	int k = key ? config_option_index(key) : -1;

	if (key && k < 0) {
		struct buf shown = BUF_INIT;

		fprintf(stderr,
		        "deskhand config: no setting '%s' (deskhand config lists them all)\n",
		        utf8_sanitized(&shown, key));
		buf_fini(&shown);
		return 2;
	}
	struct config c;
	int rc = 0;

	const struct config_rules *const sets[] = { &c.rules };

	/* Loads as a session would load it: a rule it would refuse fails here. */
	if (config_load(&c) < 0 || settings_env_check(&c) < 0 ||
	    client_rules_check(sets, 1) < 0) {
		fprintf(stderr, "deskhand config: %s\n", err_msg());
		rc = 1;
	} else if (key && json) {
		cJSON *o = settings_json(&c, (size_t)k);
		char *s = json_print(o);

		puts(s);
		free(s);
		cJSON_Delete(o);
	} else if (key) {
		print_setting(&c, (size_t)k);
	} else if (json) {
		print_json(&c);
	} else {
		print_human(&c);
	}
	config_fini(&c);
	return rc;
}
