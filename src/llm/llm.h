/* SPDX-License-Identifier: MIT */
#ifndef DH_LLM_LLM_H
#define DH_LLM_LLM_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

struct buf;

/*
 * The model client the agent uses (STYLE.md §3.13): one streamed request at a
 * time over the ev loop, with retries and backoff (PROTOCOLS.md §1.10), an
 * idle limit, and --record/--replay of whole HTTP exchanges. Provider neutral:
 * "anthropic" speaks the Messages API (PROTOCOLS.md §1), "openai" and "azure"
 * the Chat Completions API (§2; docs/providers.md). Messages and tools are
 * Anthropic-shaped whatever the provider: a provider translates both ways.
 */

struct ev_loop;
struct llm;

#define LLM_MESSAGE_MAX_DEF ((size_t)16 << 20) /* bytes */
#define LLM_THINKING_ADAPTIVE (-1L)           /* llm_config.thinking: {"type":"adaptive"} */

/* The most tokens one request counts: a provider reads a server's count
 * into [0, LLM_TOKENS_MAX], so that sums of many requests' counts (a
 * session's, a day's, every session's) cannot overflow whatever number the
 * server sent. */
#define LLM_TOKENS_MAX (1LL << 40)

/* Token counts; input_tokens excludes cached tokens (PROTOCOLS.md §1.4). */
struct llm_usage {
	long input_tokens;
	long output_tokens;
	long cache_read_tokens;
	long cache_creation_tokens;
};

/* Strings are copied by llm_new(); the caller's may go away afterwards. */
struct llm_config {
	const char *provider; /* the kind: "anthropic" (NULL means the same), "openai", "azure" */
	const char *base_url; /* e.g. https://api.anthropic.com, http://localhost:11434/v1
	                       * (the kind's default when NULL) */
	const char *api_key;  /* never logged, recorded or put in an error message */
	const char *model;
	int max_tokens;                  /* 0: 8192; at most the model's output limit
	                                  * and half the context window (llm_fit_output) */
	long context_window;             /* tokens; 0: the registry's (llm_registry_window) */
	long thinking;                   /* extended thinking (PROTOCOLS.md §1.6), anthropic
	                                  * only: 0 off, LLM_THINKING_ADAPTIVE, else the budget
	                                  * in tokens (max_tokens is raised past it) */
	int max_retries;                 /* 0: 4; negative: no retries */
	int idle_timeout_ms;             /* no bytes for this long fails the stream; 0: 120000 */
	int connect_timeout_ms;          /* 0: 10000 */
	size_t max_message_bytes;        /* most bytes one streamed message may hold (text,
	                                  * thinking and tool input JSON together); past it
	                                  * the stream stops with an error naming the limit
	                                  * and the size; 0: LLM_MESSAGE_MAX_DEF */
	const char *record_path;         /* --record FILE: append every exchange (JSON lines) */
	const char *replay_path;         /* --replay FILE: serve exchanges back, no network */
	const char *const *redact_paths; /* grant roots: $GRANT0, $GRANT1… in recordings */
	size_t nredact_paths;
	const char *const *headers; /* extra "Name: value" request headers (a provider's
	                             * `header` lines); never recorded */
	size_t nheaders;
	const char *api_version; /* azure: the api-version query of a deployment URL; NULL or
	                          * "": the v1 API ({base}/chat/completions) */
};

/* What a caller keeps of one message it sends again every turn, so that a
 * request does not print and count the whole conversation again: the
 * message's text exactly as json_print() writes it, and its
 * llm_tokens_value(). */
struct llm_memo {
	char *json;
	size_t tokens;
};

/* tools: array of {name, description, input_schema}; messages: Anthropic-shaped
 * [{role, content}]. Both borrowed for the llm_start() call only (copied).
 * memo: NULL, or the memos of messages[0..nmemo) in order, each of the
 * message as it is now: a message the body sends as it is (the caller's
 * own, shared) is then sent from its memo's text, not printed, copied or
 * counted again. The memo array is borrowed for the llm_start() call, the
 * text each memo's json points at until on_done is called or llm_cancel()
 * or llm_free() returns (every attempt sends it). A stale memo would send
 * stale text. */
struct llm_request {
	const char *system;
	const cJSON *tools;
	const cJSON *messages;
	const struct llm_memo *memo;
	size_t nmemo;
};

/* Handed to on_done; everything is owned by the client and valid during the
 * callback only. */
struct llm_result {
	const char *stop_reason; /* "end_turn", "tool_use", "max_tokens", ...; NULL on failure */
	struct llm_usage usage;  /* as reported by the last message_delta */
	struct llm_usage billed; /* what every attempt reported, the retried ones (a
	                          * stream that failed after message_start) and this
	                          * one: what the provider bills; usage measures the
	                          * request, billed is what to count as spent */
	cJSON *message;          /* {role:"assistant", content:[blocks as returned]}; on
	                          * failure the partial message or NULL (never run its tools) */
	const char *const *malformed_ids; /* tool_use ids whose input did not parse or whose
	                                   * block never closed (their input is {}) */
	size_t nmalformed;
	const char *error; /* one line naming what happened, when rc < 0; else NULL */
	int http_status;   /* of the last attempt; 0 if no response */
};

struct llm_callbacks {
	/* Each text_delta as it streams (not NUL-terminated). May call llm_cancel()
	 * and nothing else of this API. NULL: ignored. */
	void (*on_text)(const char *text, size_t len, void *ctx);
	/* A retry is scheduled: `attempt` is 1 for the first retry, `delay_ms` the
	 * wait, `reason` a one-line description of the failure. May call
	 * llm_cancel(). NULL: ignored. */
	void (*on_retry)(int attempt, long delay_ms, const char *reason, void *ctx);
	/* Exactly once per successful llm_start() unless cancelled; called from the
	 * loop (never from inside llm_start). rc is 0, DH_EFAIL (res->error says
	 * why) or DH_EDENIED (admit refused a retry). It may call llm_start() again, or llm_free(). */
	void (*on_done)(int rc, struct llm_result *res, void *ctx);
	/* Called inside llm_start() once the request body is built, before
	 * anything is sent, and again before each retry: est->input_tokens is
	 * llm_tokens_estimate() of the body (llm/tokens.h, erring high),
	 * est->output_tokens the body's max_tokens, the cache counts 0;
	 * `billed` is what the request's earlier attempts reported (all 0 in
	 * llm_start), which on_done's res->billed will count. Returning false
	 * refuses: from llm_start() it returns DH_EDENIED, sends nothing and
	 * on_done never comes; before a retry the retry is not sent and on_done
	 * comes with DH_EDENIED (res->error says so, res->billed the earlier
	 * attempts'). It must not call this API. NULL: every request is sent. */
	bool (*admit)(const struct llm_usage *est, const struct llm_usage *billed, void *ctx);
};

/* Process-wide set-up of the HTTP stack and its undoing (net/http.h
 * http_global_init, http_global_cleanup): init starts loading libcurl on a
 * thread, which the first request waits for; call it once the caller's own
 * threads run (the engine does, in engine_open). Returns 0 (a library that
 * cannot be loaded fails the first request, naming it). Shutdown once, at
 * exit (main.c). */
int llm_global_init(void) DH_MUST_CHECK;
/* The load waited for (http_global_load): 0, or DH_EFAIL with err_msg()
 * naming what could not be loaded. For a process that forks engines
 * (engine/warm.h). */
int llm_global_load(void) DH_MUST_CHECK;
void llm_global_shutdown(void);
/* "libcurl/7.88.1 OpenSSL/3.0.11 ..." (curl_version()) for --version; static
 * storage owned by libcurl, never NULL. */
const char *llm_library_version(void);

/* Fit cfg's max_tokens and thinking budget to the model's output limit in
 * the registry (llm/registry.h; a model it lacks is left alone): past it
 * the API refuses every request (400). A max_tokens past half the context
 * window (cfg->context_window, else the registry's; not the default guessed
 * for a model the registry lacks) is cut to a quarter of it: input and
 * output share the window, and the input needs room at least for the system
 * prompt and the tools. max_tokens is cut to the limit; a
 * thinking budget that with max_tokens would pass it (anthropic asks both,
 * PROTOCOLS.md §1.6) takes what max_tokens leaves, at least 1024 (max_tokens
 * halved when that is needed). llm_new() calls it; each cut is logged. */
void llm_fit_output(struct llm_config *cfg);

/* The output tokens c's next request asks for: its max_tokens, or the
 * thinking budget plus max_tokens where anthropic asks both (PROTOCOLS.md
 * §1.6); what the request puts in the body (after llm_fit_output). Input
 * and this together must fit the model's context window. */
long llm_output_tokens(const struct llm *c);

/* Create a client on loop `l` (it does not wait for libcurl: its first
 * request does). With replay_path the file is read now. Returns 0, DH_EFAIL (bad config,
 * unreadable record/replay file) or DH_EPARSE (replay file line is not JSON);
 * err_msg() says which. *out is owned by the caller (llm_free). */
int llm_new(struct llm **out, struct ev_loop *l, const struct llm_config *cfg) DH_MUST_CHECK;
/* Cancel any request (no on_done) and free; before ev_free() of the loop. NULL-safe.
 * Not from on_text/on_retry (from on_done is fine). */
void llm_free(struct llm *c);

/* Start one streamed request; `cb` is copied, `ctx` must outlive the request.
 * Returns 0 (on_done will follow) or, without calling on_done, DH_EDENIED
 * when cb->admit refused it, DH_EFAIL when a request is already in flight,
 * this is called from on_text/on_retry, or the request could not be built. Follows PROTOCOLS.md §1.9 (stream) and §1.10 (retries). */
int llm_start(struct llm *c, const struct llm_request *req, const struct llm_callbacks *cb,
              void *ctx) DH_MUST_CHECK;
/* Append the text of a request body to out and set *tokens to its
 * llm_tokens_estimate(): json_print(body) byte for byte, but each message
 * of its "messages" array that is the caller's own (a cJSON reference to a
 * message of req->messages) and has a memo (req->memo) is the memo's text
 * rather than printed and counted again: late in a session the
 * conversation is almost all of the body, and a request then costs what is
 * new in it. llm_start() sends exactly these bytes, in pieces (the memos'
 * text where it is, never copied into one body). body is the provider's,
 * changed during the call only. */
void llm_body_print(struct buf *out, cJSON *body, const struct llm_request *req, size_t *tokens);

/* Abandon the request in flight: the connection is dropped and on_done is NOT
 * called. Always safe (idle client, after completion, from on_text/on_retry). */
void llm_cancel(struct llm *c);
/* True between llm_start() and on_done()/llm_cancel(). */
bool llm_is_busy(const struct llm *c);

/* Move the message out of a result (caller cJSON_Delete()s it); NULL if none
 * or already taken. */
cJSON *llm_result_take_message(struct llm_result *res);

/* Cost in USD of `u` for `model` from the model registry (llm/registry.h,
 * registry.c): each token kind at the model's price per million. Unknown
 * model: 0 (the caller shows "?"). */
double llm_cost_usd(const char *model, const struct llm_usage *u);

#endif
