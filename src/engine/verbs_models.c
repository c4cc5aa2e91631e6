/* SPDX-License-Identifier: MIT */
/*
 * `deskhand models`: the providers (built in and from the config, with the
 * environment variable of each one's key and whether it is set) and the
 * models of the registry (llm/registry.h) with their context window, output
 * limit, prices and input kinds; and which provider and model a run would
 * use, with the context window it reckons with. Runs in this process;
 * reads the config, never a key's value.
 */
#include "engine/verbs.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/settings.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "llm/registry.h"

static const char usage[] =
	"usage: deskhand models [--json] [--model PROVIDER/MODEL]\n"
	"\n"
	"Lists the model providers (built in: anthropic, openai, openrouter, ollama,\n"
	"llamacpp, vllm; and the config's `provider NAME KEY = VALUE` lines) with the\n"
	"environment variable holding each one's key, then the models deskhand knows\n"
	"(context window, output limit, USD per million tokens in, out, cache read and\n"
	"cache write, image and PDF input, and when the figures were checked), then\n"
	"the provider and model a run uses: --model's, else the config's `model`,\n"
	"with the context window in use (the config's context_window, else the table's).\n"
	"A model the table lacks still works; its cost is then unknown. Exit 0, 1 when\n"
	"the config or the model is wrong, 2 on a usage error. See docs/providers.md.\n";

static bool
key_set(const struct config_provider *p)
{
	const char *v = *p->key_env ? getenv(p->key_env) : NULL;

	return v && *v;
}

static cJSON *
provider_json(const struct config_provider *p)
{
	cJSON *o = json_new_obj(), *h;

	json_add_str(o, "name", p->name);
	json_add_str(o, "kind", p->kind);
	json_add_str(o, "base_url", p->base_url);
	json_add_str(o, "key_env", p->key_env);
	json_add_bool(o, "key_set", key_set(p));
	json_add_str(o, "api_version", p->api_version);
	h = json_add(o, "headers", json_new_arr());
	/* names only: a header's value may be a token */
	for (size_t i = 0; i < p->headers.n; i++) {
		char *name = xstrndup(p->headers.v[i], strcspn(p->headers.v[i], ":"));

		json_add(h, NULL, cJSON_CreateString(name));
		free(name);
	}
	json_add_str(o, "where", p->where);
	return o;
}

static cJSON *
model_json(const struct llm_model_info *m)
{
	cJSON *o = json_new_obj();

	json_add_str(o, "name", m->name);
	json_add_str(o, "provider", m->provider);
	json_add_num(o, "context_window", (double)m->context_window);
	json_add_num(o, "max_output", (double)m->max_output);
	json_add_num(o, "usd_in", m->usd_in);
	json_add_num(o, "usd_out", m->usd_out);
	json_add_num(o, "usd_cache_read", m->usd_cache_read);
	json_add_num(o, "usd_cache_write", m->usd_cache_write);
	json_add_bool(o, "images", m->images);
	json_add_bool(o, "pdf", m->pdf);
	json_add_str(o, "checked", m->checked);
	return o;
}

static void
print_human(const struct config *c, const struct config_provider *use, const char *model)
{
	const struct llm_model_info *info = llm_registry_model(model);

	printf("%-12s %-10s %-34s %s\n", "PROVIDER", "KIND", "BASE URL", "KEY");
	for (size_t i = 0; i < c->providers.n; i++) {
		const struct config_provider *p = &c->providers.v[i];
		/* no base_url line: anthropic's is the option, openai's the API's own,
		 * azure has none (a run using it is refused) */
		const char *base = *p->base_url            ? p->base_url
		                   : !strcmp(p->kind, "anthropic") ? "(the base_url option)"
		                   : !strcmp(p->kind, "azure")     ? "(none: add base_url)"
		                                                   : "(the kind's default)";

		printf("%-12s %-10s %-34s %s%s\n", p->name, *p->kind ? p->kind : "?", base,
		       *p->key_env ? p->key_env : "(none)",
		       !*p->key_env ? "" : key_set(p) ? " (set)" : " (not set)");
	}
	/* the models: each column as wide as its widest cell, the numbers
	 * aligned right */
	enum { NCOLS = 10 };
	static const char *const head[NCOLS] = { "MODEL",    "PROVIDER", "CONTEXT", "OUTPUT",
		                                 "$IN",      "$OUT",     "$CACHE-R", "$CACHE-W",
		                                 "INPUT",    "CHECKED" };
	size_t nrows = llm_registry_count() + 1;
	char **cells = xcalloc(nrows * NCOLS, sizeof *cells);
	struct buf out = BUF_INIT;

	for (size_t k = 0; k < NCOLS; k++)
		cells[k] = xstrdup(head[k]);
	for (size_t i = 0; i < llm_registry_count(); i++) {
		const struct llm_model_info *m = llm_registry_at(i);
		char **row = cells + (i + 1) * NCOLS;

		row[0] = xstrdup(m->name);
		row[1] = xstrdup(m->provider);
		row[2] = xasprintf("%ldk", m->context_window / 1000);
		row[3] = xasprintf("%ldk", m->max_output / 1000);
		row[4] = xasprintf("%.4g", m->usd_in);
		row[5] = xasprintf("%.4g", m->usd_out);
		row[6] = xasprintf("%.4g", m->usd_cache_read);
		row[7] = xasprintf("%.4g", m->usd_cache_write);
		row[8] = xstrdup(m->images && m->pdf ? "text,img,pdf" : m->images ? "text,img" : "text");
		row[9] = xstrdup(m->checked);
	}
	buf_table(&out, (const char *const *)cells, nrows, NCOLS, 0xfcu /* CONTEXT..$CACHE-W */);
	printf("\n%s", buf_cstr(&out));
	buf_fini(&out);
	for (size_t k = 0; k < nrows * NCOLS; k++)
		free(cells[k]);
	free(cells);
	bool env;
	const char *url = settings_provider_url(c, use, &env);

	printf("\nin use: %s/%s (%s at %s%s)%s%s\n", use->name, model, use->kind,
	       *url ? url : "its default", env ? ", from ANTHROPIC_BASE_URL" : "",
	       info ? "; registry: " : "", info ? info->name : "; not in the registry: cost unknown");
	const char *from, *at = c->set_at[CONFIG_I_context_window];
	long w = llm_registry_window(model, config_int(c->context_window), &from);

	if (!strcmp(from, "config"))
		printf("context window: %ld tokens (context_window, %s)\n", w, at ? at : "set");
	else
		printf("context window: %ld tokens (%s)\n", w,
		       !strcmp(from, "registry") ? "the registry's"
						 : "not in the registry: set context_window");
}

int
verbs_models(int argc, char **argv, unsigned flags)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "model", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *want = NULL;
	bool json = false;
	int opt, rc = 0;

	(void)flags;
	optind = 0;
	opterr = 0; /* getopt would name the program "models" */
	while ((opt = getopt_long(argc, argv, ":jm:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'm':
			want = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			client_verb_bad_option("models", opt, argv);
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: models: unexpected '%s'\n%s",
		        utf8_sanitized(&shown, argv[optind]), usage);
		buf_fini(&shown);
		return 2;
	}
	struct config c;
	const struct config_provider *use;
	const char *model;

	if (config_load(&c) < 0) {
		fprintf(stderr, "deskhand: models: %s\n", err_msg());
		config_fini(&c);
		return 1;
	}
	if (config_model_resolve(&c, want ? want : c.model, &use, &model) < 0) {
		fprintf(stderr, "deskhand: models: %s\n", err_msg());
		config_fini(&c);
		return 1;
	}
	if (json) {
		cJSON *o = json_new_obj(), *a;
		const struct llm_model_info *info = llm_registry_model(model);

		a = json_add(o, "providers", json_new_arr());
		for (size_t i = 0; i < c.providers.n; i++)
			json_add(a, NULL, provider_json(&c.providers.v[i]));
		a = json_add(o, "models", json_new_arr());
		for (size_t i = 0; i < llm_registry_count(); i++)
			json_add(a, NULL, model_json(llm_registry_at(i)));
		a = json_add(o, "in_use", json_new_obj());
		json_add_str(a, "provider", use->name);
		json_add_str(a, "model", model);
		json_add_str(a, "base_url", settings_provider_url(&c, use, NULL));
		json_add(a, "registry", info ? cJSON_CreateString(info->name) : cJSON_CreateNull());
		const char *from;

		json_add_num(a, "context_window",
			     (double)llm_registry_window(model, config_int(c.context_window), &from));
		json_add_str(a, "context_window_from", from);
		char *text = json_print(o);
		puts(text);
		free(text);
		cJSON_Delete(o);
	} else {
		print_human(&c, use, model);
	}
	config_fini(&c);
	return rc;
}
