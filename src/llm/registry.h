/* SPDX-License-Identifier: MIT */
#ifndef DH_LLM_REGISTRY_H
#define DH_LLM_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The model registry: what deskhand knows of each model it can name, in one
 * built-in table (registry.c) — the context window, the output limit, prices
 * in US dollars per million tokens, whether images and PDF documents are
 * accepted as input, and the date those figures were checked against the
 * vendor's published model and price pages (docs/providers.md "Models").
 * The cost of a request (llm_cost_usd), the context budget and `deskhand
 * models` all read it; there is no second price table.
 */

struct llm_model_info {
	const char *name;     /* the model id, or the prefix of a family ("claude-opus-4") */
	const char *provider; /* the kind that serves it first-hand: "anthropic", "openai" */
	long context_window;  /* tokens, input and output together */
	long max_output;      /* tokens one response may hold */
	double usd_in;        /* per million uncached input tokens */
	double usd_out;       /* per million output tokens (reasoning tokens included) */
	double usd_cache_read;  /* per million input tokens read from the prompt cache */
	double usd_cache_write; /* per million input tokens written to the cache (5-minute) */
	bool images;          /* image input */
	bool pdf;             /* PDF documents as input (else their text, or a note) */
	const char *checked;  /* YYYY-MM-DD: when the figures above were checked */
};

/* The entry for `model`: the first whose name is a prefix of it, in table
 * order (a dated id such as claude-opus-4-1-20250805 finds claude-opus-4-1).
 * A "provider/model" name that matches nothing is tried again after each '/'
 * ("openrouter/openai/gpt-4o" finds gpt-4o). NULL for NULL, "" or an unknown
 * model (costs are then unknown: the caller shows "?"). Static storage. */
const struct llm_model_info *llm_registry_model(const char *model);

/* Tokens of a window for a model the table lacks: the most common window of
 * today's models. */
#define LLM_WINDOW_DEFAULT 200000

/* The context window a run of `model` reckons with, tokens: `set` when it
 * is above 0 (the config's context_window), else the table's entry's, else
 * LLM_WINDOW_DEFAULT. *from (may be NULL) says which: "config", "registry"
 * or "default" (static). */
long llm_registry_window(const char *model, long set, const char **from);

/* Entry i of the table (0 ≤ i < llm_registry_count()), in table order; NULL
 * past the end. Static storage. */
const struct llm_model_info *llm_registry_at(size_t i);
size_t llm_registry_count(void);

#endif
