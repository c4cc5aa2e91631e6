/* SPDX-License-Identifier: MIT */
#ifndef DH_LLM_PROVIDER_H
#define DH_LLM_PROVIDER_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/buf.h"
#include "core/err.h"
#include "llm/llm.h"

/*
 * Internal to src/llm: the interface between llm.c (lifecycle, transport,
 * retries, record/replay) and a provider (request shape, event meaning). A
 * provider never touches curl, sockets or SSE framing (STYLE.md §3.13).
 */

struct sse_event;

/* One HTTP request as a provider builds it. Owned; free with llm_http_spec_fini(). */
struct llm_http_spec {
	char *url;
	char **headers; /* "Name: value" lines (may hold the key: never log them) */
	size_t nheaders;
	cJSON *body; /* the JSON body. It may share the request's messages (cJSON
	              * references, not copies): read it while they live, never
	              * change it in place */
};

/* Assembly state of one streamed response. llm.c creates and frees it; the
 * provider fills the public part and keeps its own state in `priv`. */
struct llm_stream {
	void (*on_text)(const char *text, size_t len, void *ctx); /* set by llm.c */
	void *ctx;
	size_t max_bytes; /* set by llm.c: the message limit (llm_config.max_message_bytes) */
	size_t bytes;     /* content received so far (llm_stream_count) */

	cJSON *message;    /* {role:"assistant", content:[…]}, created by stream_init */
	char *stop_reason; /* last stop_reason seen; NULL until then */
	struct llm_usage usage;
	char **malformed; /* tool_use ids whose input is unusable */
	size_t nmalformed, capmalformed;
	unsigned nevents; /* SSE events handed to stream_event */
	bool started;     /* the first event of the protocol was seen */
	bool finished;    /* the end-of-message event was seen */
	char *error;      /* first terminal error (one line), or NULL */
	bool transient;   /* the error is the server's passing trouble (an error event
			   * llm_error_transient() names so): the request is retried,
			   * as for HTTP 529 */
	void *priv;
};

struct llm_provider_ops {
	const char *name;
	/* What ends a whole response on this wire, as errors name it when it
	 * did not come: "message_stop", "finish_reason". */
	const char *end_name;
	/* Build the request for `req` under `cfg` (body identical on every retry).
	 * Returns 0 or DH_EFAIL with err_set(). */
	int (*build_request)(struct llm_http_spec *out, const struct llm_config *cfg,
	                     const struct llm_request *req);
	/* The output tokens a request under `cfg` asks for (the max_tokens
	 * build_request sends, a thinking budget included where it adds). Pure;
	 * never negative. */
	long (*output_tokens)(const struct llm_config *cfg);
	/* Set up s->priv (s->message is {role: "assistant", content: []} already). */
	void (*stream_init)(struct llm_stream *s);
	/* One SSE event (s->nevents already counts it). Returns 0, or DH_EFAIL after
	 * llm_stream_fail(): the response is unusable and the stream stops. */
	int (*stream_event)(struct llm_stream *s, const struct sse_event *ev);
	/* The stream is over (EOF or transport failure): finalize open blocks and
	 * check completeness. Returns 0 if the message is complete and usable, else
	 * DH_EFAIL after llm_stream_fail(). */
	int (*stream_finish)(struct llm_stream *s);
	/* A whole HTTP 200 body (len bytes) that is not an event stream: a
	 * server that ignored "stream": true and answered with the complete
	 * response. Feed it as its stream's events would have been (on_text,
	 * usage, stop reason, s->finished); stream_finish follows. Returns 0
	 * when it was taken; 1 when it is not this provider's response
	 * (error_text then names what came; s untouched); DH_EFAIL after
	 * llm_stream_fail(). NULL: such a body is an error. */
	int (*stream_whole)(struct llm_stream *s, const char *body, size_t len);
	void (*stream_fini)(struct llm_stream *s);
	/* One-line description of a non-stream response: an HTTP error, or a 200
	 * that is not an event stream. Heap string. */
	char *(*error_text)(long status, const char *content_type, const char *body, size_t len);
	/* Rewrite an event-stream body for --record so that the text of a block
	 * is contiguous (consecutive deltas merged; other events verbatim; an
	 * unterminated tail dropped): grant paths split across deltas can then be
	 * redacted as plain text. Replaying it yields the same message. NULL: the
	 * body is recorded as received. */
	void (*record_body)(struct buf *out, const char *body, size_t len);
};

extern const struct llm_provider_ops llm_anthropic_ops;
extern const struct llm_provider_ops llm_openai_ops; /* openai.c: Chat Completions (PROTOCOLS.md §2) */

/* Helpers for providers and tests, defined in llm.c. */
void llm_http_spec_fini(struct llm_http_spec *s);
void llm_stream_init(struct llm_stream *s, const struct llm_provider_ops *ops);
void llm_stream_fini(struct llm_stream *s, const struct llm_provider_ops *ops);
/* Record the first terminal error (printf-style, one line); returns DH_EFAIL. */
int llm_stream_fail(struct llm_stream *s, const char *fmt, ...) DH_PRINTF(2, 3) DH_MUST_CHECK;
void llm_stream_add_malformed(struct llm_stream *s, const char *id);
/* Does an error event mid-stream say the server is in passing trouble, so
 * that the request is retried (as its HTTP status would be)? `type` is the
 * error's type (NULL: none); `code` its code (NULL, a string, or a number
 * read as an HTTP status: 408, 409, 429, 5xx). One list for every provider:
 * overloaded, failing, timed out, rate-limited; any other error is not. */
bool llm_error_transient(const char *type, const cJSON *code);
/* Count n more bytes of content (text, thinking, tool input) against the
 * message limit (max_bytes). Past it the stream fails, naming the limit and
 * the size, and true is returned: the provider then drops what it
 * accumulated at once, so memory stays bounded by the limit. */
bool llm_stream_count(struct llm_stream *s, size_t n);
/* Append `s` (n bytes) to dst as one line: control characters become spaces,
 * at most `max` bytes, cut on a UTF-8 boundary. */
void llm_one_line(struct buf *dst, const char *s, size_t n, size_t max);
/* Replace o[key] in place (keeping the key order) or add it; takes v. */
void llm_json_set(cJSON *o, const char *key, cJSON *v);
/* Parse an event's data as JSON (0 or DH_EPARSE naming `what`). Text enters
 * here: invalid UTF-8 (a NUL byte included) becomes U+FFFD before anything
 * (text, tool input, thinking) is taken from it. A stream and its --record
 * rewrite both parse through here, so a recording replays the message the
 * stream saw. */
int llm_event_parse(cJSON **out, const struct sse_event *ev, const char *what) DH_MUST_CHECK;
/* The one-line description of an error response whose body is not the
 * provider's JSON: a 200 that is not an event stream (its media type and
 * the start of the body), else "HTTP N: " and the start of the body, or
 * "HTTP N with an empty body". Heap. */
char *llm_error_text_raw(long status, const char *content_type, const char *body, size_t len);
/* Append one SSE event: an `event:` line when `name` is not NULL, one
 * `data:` line per line of `data`, then the blank line (decoding it gives
 * `data` back). */
void llm_sse_write(struct buf *out, const char *name, const char *data, size_t len);

/* How a provider's deltas merge for --record (record_body). */
struct llm_merge_ops {
	/* Is the event (its data parsed as `d`) a delta that merges with the next
	 * ones of the same run? If so, *v is its string (borrowed from d) and
	 * *field (static) and *index name the run. */
	bool (*classify)(const struct sse_event *ev, const cJSON *d, const char **field,
	                 long *index, const char **v);
	/* Store the run's merged string `v` in its first event. */
	void (*set)(cJSON *first, const char *field, const char *v);
	const char *event_name; /* the event: line of a merged event; NULL: none */
};
/* The record_body of a provider (provider ops): consecutive mergeable deltas
 * of one run become one event, every other event is written as received, an
 * unterminated tail is dropped; a body whose framing fails is kept whole. */
void llm_record_merged(struct buf *out, const char *body, size_t len,
                       const struct llm_merge_ops *ops);

#endif
