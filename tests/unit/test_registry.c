/* SPDX-License-Identifier: MIT */
/* The model registry (llm/registry.h) and the cost computed from it. */
#include <criterion/criterion.h>
#include <string.h>

#include "llm/llm.h"
#include "llm/registry.h"

Test(registry, finds_dated_ids_by_family)
{
	const struct llm_model_info *m = llm_registry_model("claude-opus-4-1-20250805");

	cr_assert_not_null(m);
	cr_assert_str_eq(m->name, "claude-opus-4-1");
	cr_assert_float_eq(m->usd_in, 15, 1e-9);
	/* Opus 4.0's dated id is not the 4.5 family's price */
	cr_assert_float_eq(llm_registry_model("claude-opus-4-20250514")->usd_in, 15, 1e-9);
	cr_assert_float_eq(llm_registry_model("claude-opus-4-5")->usd_in, 5, 1e-9);
	cr_assert_eq(llm_registry_model("claude-sonnet-4-5")->context_window, 200000);
}

Test(registry, specific_names_win_over_their_family)
{
	cr_assert_str_eq(llm_registry_model("gpt-4o-mini-2024-07-18")->name, "gpt-4o-mini");
	cr_assert_str_eq(llm_registry_model("gpt-4o-2024-08-06")->name, "gpt-4o");
	cr_assert_str_eq(llm_registry_model("gpt-4.1-nano")->name, "gpt-4.1-nano");
	cr_assert_str_eq(llm_registry_model("gpt-5-mini")->name, "gpt-5-mini");
	cr_assert_str_eq(llm_registry_model("gpt-5")->provider, "openai");
}

/* A family name followed by anything but a version or a date is another
 * model, priced on its own: unknown, not the cheaper family's price. */
Test(registry, a_family_covers_versions_and_dates_only)
{
	cr_assert_null(llm_registry_model("gpt-5-pro"));
	cr_assert_null(llm_registry_model("o3-pro"));
	cr_assert_null(llm_registry_model("o3-mini"));
	cr_assert_null(llm_registry_model("o3-deep-research"));
	cr_assert_null(llm_registry_model("o4-mini-deep-research"));
	cr_assert_null(llm_registry_model("gpt-4o-audio-preview"));
	cr_assert_str_eq(llm_registry_model("o3-2025-04-16")->name, "o3");
	cr_assert_str_eq(llm_registry_model("claude-sonnet-4-5@20250929")->name, "claude-sonnet-4");
	cr_assert_str_eq(llm_registry_model("claude-opus-4-6")->name, "claude-opus-4");
}

Test(registry, provider_prefixes_are_looked_through)
{
	cr_assert_str_eq(llm_registry_model("openai/gpt-4o")->name, "gpt-4o");
	cr_assert_str_eq(llm_registry_model("openrouter/anthropic/claude-sonnet-4-5")->name,
	                 "claude-sonnet-4");
	cr_assert_null(llm_registry_model("ollama/qwen3:8b"));
	cr_assert_null(llm_registry_model("gpt-oss"));
	cr_assert_null(llm_registry_model(""));
	cr_assert_null(llm_registry_model(NULL));
	cr_assert_null(llm_registry_model("x/"));
}

Test(registry, every_row_is_complete_and_reachable)
{
	cr_assert_gt(llm_registry_count(), 10);
	cr_assert_null(llm_registry_at(llm_registry_count()));
	for (size_t i = 0; i < llm_registry_count(); i++) {
		const struct llm_model_info *m = llm_registry_at(i);

		cr_assert(m->name && *m->name);
		cr_assert(!strcmp(m->provider, "anthropic") || !strcmp(m->provider, "openai"),
		          "%s", m->name);
		cr_assert_gt(m->context_window, m->max_output, "%s", m->name);
		cr_assert_gt(m->max_output, 0, "%s", m->name);
		cr_assert_gt(m->usd_in, 0, "%s", m->name);
		cr_assert_geq(m->usd_out, m->usd_in, "%s", m->name);
		cr_assert_lt(m->usd_cache_read, m->usd_in, "%s", m->name);
		cr_assert_eq(strlen(m->checked), 10, "%s", m->name);
		/* an earlier, shorter name would shadow this row */
		cr_assert_eq(llm_registry_model(m->name), m, "%s is shadowed", m->name);
	}
}

Test(registry, cost_uses_each_rows_cache_prices)
{
	struct llm_usage u = { .input_tokens = 1000000,
		               .output_tokens = 1000000,
		               .cache_read_tokens = 1000000,
		               .cache_creation_tokens = 0 };

	/* gpt-4o: 2.50 in, 10 out, 1.25 cached */
	cr_assert_float_eq(llm_cost_usd("gpt-4o", &u), 2.5 + 10 + 1.25, 1e-9);
	cr_assert_float_eq(llm_cost_usd("openai/gpt-4.1-mini", &u), 0.4 + 1.6 + 0.1, 1e-9);
	cr_assert_float_eq(llm_cost_usd("gpt-4o", NULL), 0, 1e-12);
}

/* A request never asks more output than the model gives: past its limit the
 * API refuses every request. Thinking keeps max_tokens for the answer and
 * takes what is left (at least 1024); a model not in the registry is left
 * alone. */
Test(registry, output_fits_the_model)
{
	struct llm_config c = { .model = "claude-sonnet-4-5", .max_tokens = 8192, .thinking = 60000 };

	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 8192);
	cr_assert_eq(c.thinking, 64000 - 8192);
	c = (struct llm_config){ .model = "claude-opus-4-1", .max_tokens = 32000, .thinking = 32000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 16000);
	cr_assert_eq(c.thinking, 16000);
	c = (struct llm_config){ .model = "gpt-4o", .max_tokens = 128000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 16384);
	c = (struct llm_config){ .model = "claude-sonnet-4-5", .max_tokens = 8192, .thinking = 4000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 8192);
	cr_assert_eq(c.thinking, 4000);
	c = (struct llm_config){ .model = "qwen3:8b", .max_tokens = 128000, .thinking = 1000000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 128000);
	cr_assert_eq(c.thinking, 1000000);
}

/* Input and output share the window: a max_tokens past half a known window
 * (the config's or the registry's) is cut to a quarter of it. */
Test(registry, output_fits_the_window)
{
	struct llm_config c = { .model = "local/qwen", .max_tokens = 8192, .context_window = 8192 };

	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 2048);
	c = (struct llm_config){ .model = "local/qwen", .max_tokens = 8192, .context_window = 16384 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 8192);
	c = (struct llm_config){ .model = "gpt-4o", .max_tokens = 16000, .context_window = 20000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 5000);
	c = (struct llm_config){ .model = "gpt-4o", .max_tokens = 16000 };
	llm_fit_output(&c);
	cr_assert_eq(c.max_tokens, 16000);
}

/* The window a run reckons with: the config's when set, else the row's,
 * else the default for a model the table lacks. */
Test(registry, window_in_use)
{
	const char *from = NULL;

	cr_assert_eq(llm_registry_window("local/qwen-local", 32768, &from), 32768);
	cr_assert_str_eq(from, "config");
	cr_assert_eq(llm_registry_window("claude-sonnet-4-5", 32768, &from), 32768);
	cr_assert_str_eq(from, "config");
	cr_assert_eq(llm_registry_window("openai/gpt-4o", 0, &from), 128000);
	cr_assert_str_eq(from, "registry");
	cr_assert_eq(llm_registry_window("local/qwen-local", 0, &from), LLM_WINDOW_DEFAULT);
	cr_assert_str_eq(from, "default");
	cr_assert_eq(llm_registry_window(NULL, 0, NULL), LLM_WINDOW_DEFAULT);
}
