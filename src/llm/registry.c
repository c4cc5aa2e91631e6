/* SPDX-License-Identifier: MIT */
/*
 * The built-in model registry (registry.h) and the cost of a request from
 * it (PROTOCOLS.md §1.7: Anthropic cache writes at 1.25× and reads at 0.1×
 * the input price; OpenAI's cached input at its own listed price, no write
 * charge). Figures from the vendors' model and pricing pages on the date in
 * each row; more specific names come before the family prefix they share.
 */
#include "llm/registry.h"

#include <string.h>

#include "llm/llm.h"

/* X(name, provider, context, max output, in, out, cache read, cache write,
 *   images, pdf, checked) */
#define LLM_MODELS(X)                                                                               \
	X("claude-opus-4-0", "anthropic", 200000, 32000, 15, 75, 1.5, 18.75, true, true,          \
	  "2026-11-21")                                                                            \
	X("claude-opus-4-1", "anthropic", 200000, 32000, 15, 75, 1.5, 18.75, true, true,          \
	  "2026-11-21")                                                                            \
	/* Opus 4.0's dated id (4.5 and later are claude-opus-4-5, ...) */                        \
	X("claude-opus-4-20250514", "anthropic", 200000, 32000, 15, 75, 1.5, 18.75, true, true,   \
	  "2026-11-21")                                                                            \
	/* 4.5 and later */                                                                        \
	X("claude-opus-4", "anthropic", 200000, 64000, 5, 25, 0.5, 6.25, true, true, "2026-11-21") \
	X("claude-sonnet-4", "anthropic", 200000, 64000, 3, 15, 0.3, 3.75, true, true,            \
	  "2026-11-21")                                                                            \
	X("claude-haiku-4", "anthropic", 200000, 64000, 1, 5, 0.1, 1.25, true, true, "2026-11-21") \
	X("claude-opus-5", "anthropic", 1000000, 128000, 5, 25, 0.5, 6.25, true, true,            \
	  "2026-12-04")                                                                            \
	X("gpt-5-mini", "openai", 400000, 128000, 0.25, 2, 0.025, 0.25, true, true, "2026-12-04")  \
	X("gpt-5-nano", "openai", 400000, 128000, 0.05, 0.4, 0.005, 0.05, true, true,             \
	  "2026-12-04")                                                                            \
	X("gpt-5", "openai", 400000, 128000, 1.25, 10, 0.125, 1.25, true, true, "2026-12-04")     \
	X("gpt-4.1-mini", "openai", 1047576, 32768, 0.4, 1.6, 0.1, 0.4, true, true, "2026-12-04") \
	X("gpt-4.1-nano", "openai", 1047576, 32768, 0.1, 0.4, 0.025, 0.1, true, true,             \
	  "2026-12-04")                                                                            \
	X("gpt-4.1", "openai", 1047576, 32768, 2, 8, 0.5, 2, true, true, "2026-12-04")            \
	X("gpt-4o-mini", "openai", 128000, 16384, 0.15, 0.6, 0.075, 0.15, true, true,             \
	  "2026-12-04")                                                                            \
	X("gpt-4o", "openai", 128000, 16384, 2.5, 10, 1.25, 2.5, true, true, "2026-12-04")        \
	X("o4-mini", "openai", 200000, 100000, 1.1, 4.4, 0.275, 1.1, true, true, "2026-12-04")    \
	X("o3", "openai", 200000, 100000, 2, 8, 0.5, 2, true, true, "2026-12-04")

static const struct llm_model_info models[] = {
#define X(n, p, ctx, out, in, o, cr, cw, img, doc, when)                                           \
	{ .name = n,                                                                               \
	  .provider = p,                                                                           \
	  .context_window = ctx,                                                                   \
	  .max_output = out,                                                                       \
	  .usd_in = in,                                                                            \
	  .usd_out = o,                                                                            \
	  .usd_cache_read = cr,                                                                    \
	  .usd_cache_write = cw,                                                                   \
	  .images = img,                                                                           \
	  .pdf = doc,                                                                              \
	  .checked = when },
	LLM_MODELS(X)
#undef X
};

/* The row whose name `model` is, or begins with before a version or date
 * ("-5", "-20250805", "@20250929"): claude-opus-4-5 is a claude-opus-4,
 * but gpt-5-pro is no gpt-5 and o3-mini no o3, each priced on its own
 * (unknown here, rather than a cheaper model's price under a cost cap). */
static const struct llm_model_info *
lookup(const char *model)
{
	for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
		size_t n = strlen(models[i].name);
		const char *rest = model + n;

		if (strncmp(model, models[i].name, n) != 0)
			continue;
		if (!*rest || ((*rest == '-' || *rest == '@') && rest[1] >= '0' && rest[1] <= '9'))
			return &models[i];
	}
	return NULL;
}

const struct llm_model_info *
llm_registry_model(const char *model)
{
	if (!model || !*model)
		return NULL;
	for (const char *m = model; m; m = strchr(m, '/') ? strchr(m, '/') + 1 : NULL) {
		const struct llm_model_info *e = *m ? lookup(m) : NULL;

		if (e)
			return e;
	}
	return NULL;
}

long
llm_registry_window(const char *model, long set, const char **from)
{
	const struct llm_model_info *m = llm_registry_model(model);
	const char *src = set > 0 ? "config" : m && m->context_window > 0 ? "registry" : "default";

	if (from)
		*from = src;
	return set > 0 ? set : m && m->context_window > 0 ? m->context_window : LLM_WINDOW_DEFAULT;
}

const struct llm_model_info *
llm_registry_at(size_t i)
{
	return i < sizeof models / sizeof *models ? &models[i] : NULL;
}

size_t
llm_registry_count(void)
{
	return sizeof models / sizeof *models;
}

double
llm_cost_usd(const char *model, const struct llm_usage *u)
{
	const struct llm_model_info *e = llm_registry_model(model);

	if (!e || !u)
		return 0;
	double usd = (double)u->input_tokens * e->usd_in + (double)u->output_tokens * e->usd_out +
	             (double)u->cache_creation_tokens * e->usd_cache_write +
	             (double)u->cache_read_tokens * e->usd_cache_read;
	return usd / 1e6;
}
