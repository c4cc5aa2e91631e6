/* SPDX-License-Identifier: MIT */
/*
 * Anthropic Messages provider (PROTOCOLS.md §1): builds the streamed request
 * and assembles the assistant message from SSE events (§1.9). Transport,
 * retries and framing live in llm.c, http.c and sse.c.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/array.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "llm/provider.h"
#include "net/sse.h"

enum block_kind {
	BLOCK_TEXT,
	BLOCK_TOOL, /* tool_use, server_tool_use: input arrives as JSON fragments */
	BLOCK_THINKING,
	BLOCK_OTHER /* kept verbatim */
};

struct block {
	long index; /* the stream's index */
	cJSON *obj; /* in message.content (borrowed) */
	enum block_kind kind;
	struct buf acc;  /* text, thinking, or the tool input's JSON fragments */
	char *signature; /* thinking: the last signature_delta (replaces) */
	bool open;
};

struct anth {
	struct block *blocks;
	size_t n, cap;
};

static const char *const known_stop_reasons[] = {
	"end_turn",
	"max_tokens",
	"stop_sequence",
	"tool_use",
	"pause_turn",
	"refusal",
	"model_context_window_exceeded",
};

/*
 * Request
 */

/* A block that may carry cache_control (§1.7): not thinking, not an empty text. */
static bool
cacheable(const cJSON *blk)
{
	const char *type = json_str(blk, "type");

	if (!type || !strcmp(type, "thinking") || !strcmp(type, "redacted_thinking"))
		return false;
	return strcmp(type, "text") != 0 || (json_str(blk, "text") && *json_str(blk, "text"));
}

/* Put a breakpoint on the last cacheable block of message `m`, its string
 * content turned into one text block first. Returns whether it did. */
static bool
mark_message(cJSON *m)
{
	cJSON *content = json_message_blocks(m);

	if (!content)
		return false;
	for (int i = cJSON_GetArraySize(content); i-- > 0;) {
		cJSON *blk = cJSON_GetArrayItem(content, i);

		if (cJSON_IsObject(blk) && cacheable(blk)) {
			json_add_str(json_add(blk, "cache_control", json_new_obj()), "type",
			             "ephemeral");
			return true;
		}
	}
	return false;
}

/* Whether any block of message `m` carries a breakpoint of its own. */
static bool
has_breakpoint(const cJSON *m)
{
	const cJSON *blk;

	cJSON_ArrayForEach(blk, cJSON_GetObjectItemCaseSensitive(m, "content"))
	{
		if (cJSON_IsObject(blk) && cJSON_GetObjectItemCaseSensitive(blk, "cache_control"))
			return true;
	}
	return false;
}

/* mark_message() on message i of `msgs`, made a copy the request owns first
 * (it was the caller's, shared) when it changes: string content (turned into
 * a block) or a cacheable block. Returns whether it put a breakpoint. */
static bool
mark_at(cJSON *msgs, int i)
{
	cJSON *m = cJSON_GetArrayItem(msgs, i), *own;
	/* a message the caller keeps as its text is read as a copy */
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(json_open(m, &own), "content");
	const cJSON *blk;
	bool changes = cJSON_IsString(content);

	if (cJSON_IsArray(content)) {
		cJSON_ArrayForEach(blk, content)
		{
			changes = changes || (cJSON_IsObject(blk) && cacheable(blk));
		}
	}
	if (!changes) {
		cJSON_Delete(own);
		return false;
	}
	if (own) {
		cJSON_ReplaceItemInArray(msgs, i, own);
		m = own;
	} else if (m->type & cJSON_IsReference) {
		cJSON *copy = json_dup(m); /* deep: a reference's children are copied */

		cJSON_ReplaceItemInArray(msgs, i, copy);
		m = copy;
	}
	return mark_message(m);
}

/*
 * The request's messages. Each is the caller's own, shared (a cJSON
 * reference: late in a session the conversation is most of the process's
 * memory, and a copy of it per request was its peak), except a message
 * whose breakpoints change, which is a copy. The caller may keep a message
 * as its text only (a Raw item, core/json.h): it is shared the same way,
 * and read as a tree only where a breakpoint is looked for on it.
 *
 * The moving conversation breakpoint (§1.7). The history only grows at its
 * end, so the last message is the prefix of the next request: a breakpoint
 * on it writes the conversation so far to the cache, and the next request
 * reads it back. With tools and system that is three of the four breakpoints
 * the API allows; the fourth stays on the last message of the previous
 * request (the user message before the last assistant one) so that a turn
 * that added more blocks than the cache lookup walks back still reads the
 * earlier prefix. Any breakpoint the caller's messages carried is removed
 * first: the count never passes four.
 */
static cJSON *
request_messages(const cJSON *history)
{
	cJSON *msgs = json_new_arr();
	const cJSON *m;
	cJSON *blk;

	cJSON_ArrayForEach(m, history)
	{
		if (cJSON_IsRaw(m)) { /* the caller keeps it as its text, with no breakpoint */
			json_add(msgs, NULL, json_raw_ref(m));
			continue;
		}
		if (cJSON_IsObject(m) && !has_breakpoint(m)) {
			cJSON *ref = cJSON_CreateObjectReference(m->child);

			if (!ref)
				die("out of memory (cJSON)");
			json_add(msgs, NULL, ref);
			continue;
		}
		cJSON *copy = json_add(msgs, NULL, json_dup(m));

		cJSON_ArrayForEach(blk, cJSON_GetObjectItemCaseSensitive(copy, "content"))
		{
			if (cJSON_IsObject(blk))
				cJSON_DeleteItemFromObjectCaseSensitive(blk, "cache_control");
		}
	}
	int n = cJSON_GetArraySize(msgs), last_asst = -1;

	for (int i = n; i-- > 0;) {
		if (!mark_at(msgs, i))
			continue;
		n = i;
		break;
	}
	for (int i = n; i-- > 0;) {
		cJSON *own;
		const char *role = json_str(json_open(cJSON_GetArrayItem(msgs, i), &own), "role");
		bool asst = role && !strcmp(role, "assistant"), user = role && !strcmp(role, "user");

		cJSON_Delete(own);
		if (asst && last_asst < 0) {
			last_asst = i;
		} else if (user && last_asst >= 0) {
			mark_at(msgs, i);
			break;
		}
	}
	return msgs;
}

/* budget_tokens must stay under max_tokens (§1.6): the answer keeps
 * max_tokens of its own past a budget that is not below it. */
static long
output_tokens(const struct llm_config *cfg)
{
	return cfg->thinking > 0 && cfg->thinking >= cfg->max_tokens
	               ? cfg->thinking + cfg->max_tokens
	               : cfg->max_tokens;
}

static int
build_request(struct llm_http_spec *out, const struct llm_config *cfg,
              const struct llm_request *req)
{
	const char *base = cfg->base_url ? cfg->base_url : "https://api.anthropic.com";
	size_t blen = strlen(base);

	memset(out, 0, sizeof *out);
	if (!cfg->model || !*cfg->model)
		return err_set("anthropic: no model configured");
	if (req->messages && !cJSON_IsArray(req->messages))
		return err_set("anthropic: messages must be an array");
	if (req->tools && !cJSON_IsArray(req->tools))
		return err_set("anthropic: tools must be an array");
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	out->url = xasprintf("%.*s/v1/messages", (int)blen, base);
	out->headers = xcalloc(cfg->nheaders + 4, sizeof *out->headers);
	if (cfg->api_key && *cfg->api_key)
		out->headers[out->nheaders++] = xasprintf("x-api-key: %s", cfg->api_key);
	out->headers[out->nheaders++] = xstrdup("anthropic-version: 2023-06-01");
	out->headers[out->nheaders++] = xstrdup("content-type: application/json");
	/* the provider's `header` lines (a gateway's own auth), as openai.c sends them */
	for (size_t i = 0; i < cfg->nheaders; i++)
		out->headers[out->nheaders++] = xstrdup(cfg->headers[i]);

	cJSON *b = json_new_obj();
	json_add_str(b, "model", cfg->model);
	json_add_num(b, "max_tokens", (double)output_tokens(cfg));
	json_add_bool(b, "stream", true);
	if (cfg->thinking > 0 || cfg->thinking == LLM_THINKING_ADAPTIVE) {
		cJSON *t = json_add(b, "thinking", json_new_obj());

		json_add_str(t, "type", cfg->thinking > 0 ? "enabled" : "adaptive");
		if (cfg->thinking > 0)
			json_add_num(t, "budget_tokens", (double)cfg->thinking);
	}
	if (req->system && *req->system) {
		/* Array form so that the system prompt is a cache breakpoint (§1.7). */
		cJSON *sys = json_add(b, "system", json_new_arr());
		cJSON *t = json_new_obj();

		json_add_str(t, "type", "text");
		json_add_str(t, "text", req->system);
		json_add_str(json_add(t, "cache_control", json_new_obj()), "type", "ephemeral");
		json_add(sys, NULL, t);
	}
	if (req->tools && cJSON_GetArraySize(req->tools) > 0) {
		cJSON *tools = json_add(b, "tools", json_dup(req->tools));
		cJSON *last = cJSON_GetArrayItem(tools, cJSON_GetArraySize(tools) - 1);

		if (cJSON_IsObject(last)) {
			cJSON_DeleteItemFromObjectCaseSensitive(last, "cache_control");
			json_add_str(json_add(last, "cache_control", json_new_obj()), "type",
			             "ephemeral");
		}
	}
	json_add(b, "messages", req->messages ? request_messages(req->messages) : json_new_arr());
	out->body = b;
	return 0;
}

/*
 * Stream assembly (§1.9)
 */

static void
stream_init(struct llm_stream *s)
{
	s->priv = xcalloc(1, sizeof(struct anth));
}

static void
stream_fini(struct llm_stream *s)
{
	struct anth *a = s->priv;

	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++) {
		buf_fini(&a->blocks[i].acc);
		free(a->blocks[i].signature);
	}
	free(a->blocks);
	free(a);
	s->priv = NULL;
}

/* Write the accumulated state into the block's JSON. `closed`: its
 * content_block_stop arrived; a tool block that never closed is truncated
 * (max_tokens inside a call) and must not be run. */
static void
block_finalize(struct llm_stream *s, struct block *b, bool closed)
{
	if (!b->open)
		return;
	b->open = false;
	switch (b->kind) {
	case BLOCK_TEXT:
		llm_json_set(b->obj, "text", cJSON_CreateString(buf_cstr(&b->acc)));
		break;
	case BLOCK_THINKING:
		llm_json_set(b->obj, "thinking", cJSON_CreateString(buf_cstr(&b->acc)));
		if (b->signature)
			llm_json_set(b->obj, "signature", cJSON_CreateString(b->signature));
		break;
	case BLOCK_TOOL: {
		const char *id = json_str(b->obj, "id");
		cJSON *input = NULL;
		bool blank = true;

		for (size_t i = 0; i < b->acc.len && blank; i++)
			blank = strchr(" \t\r\n", b->acc.ptr[i]) != NULL;
		if (!closed) {
			llm_stream_add_malformed(s, id ? id : "");
		} else if (blank) {
			/* No input_json_delta: the input content_block_start gave,
			 * as the SDKs keep it (PROTOCOLS.md §1.9; a gateway may send
			 * it whole), else {}. */
			const cJSON *given = cJSON_GetObjectItemCaseSensitive(b->obj, "input");

			input = cJSON_IsObject(given) ? json_dup(given) : json_new_obj();
		} else if (json_parse(&input, b->acc.ptr, b->acc.len, "tool input") < 0 ||
		           !cJSON_IsObject(input)) {
			cJSON_Delete(input);
			input = NULL;
			llm_stream_add_malformed(s, id ? id : "");
		}
		llm_json_set(b->obj, "input", input ? input : json_new_obj());
		break;
	}
	case BLOCK_OTHER:
		break;
	}
	buf_fini(&b->acc); /* the JSON holds it now: one copy, not two */
}

static void
finalize_all(struct llm_stream *s, bool closed)
{
	struct anth *a = s->priv;

	for (size_t i = 0; i < a->n; i++)
		block_finalize(s, &a->blocks[i], closed);
}

static struct block *
find_block(struct anth *a, long index)
{
	for (size_t i = a->n; i-- > 0;)
		if (a->blocks[i].index == index)
			return &a->blocks[i];
	return NULL;
}

/* Overwrite the usage counters present (and numeric) in `u`. */
static void
take_usage(struct llm_usage *out, const cJSON *u)
{
	static const struct {
		const char *key;
		size_t off;
	} f[] = {
		{ "input_tokens", offsetof(struct llm_usage, input_tokens) },
		{ "output_tokens", offsetof(struct llm_usage, output_tokens) },
		{ "cache_read_input_tokens", offsetof(struct llm_usage, cache_read_tokens) },
		{ "cache_creation_input_tokens",
		  offsetof(struct llm_usage, cache_creation_tokens) },
	};

	if (!cJSON_IsObject(u))
		return;
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		long *slot = (long *)((char *)out + f[i].off);

		*slot = (long)json_int_clamp(u, f[i].key, 0, LLM_TOKENS_MAX, *slot);
	}
}

/* Count n more bytes of content against the message limit (llm_stream_count);
 * past it what was accumulated is dropped. */
static int
take_bytes(struct llm_stream *s, size_t n)
{
	struct anth *a = s->priv;

	if (!llm_stream_count(s, n))
		return 0;
	for (size_t i = 0; i < a->n; i++)
		buf_fini(&a->blocks[i].acc);
	return DH_EFAIL;
}

static int
on_block_start(struct llm_stream *s, const cJSON *d)
{
	struct anth *a = s->priv;
	const cJSON *cb = json_obj(d, "content_block");
	const char *type = json_str(cb, "type");

	if (!type)
		return llm_stream_fail(s, "stream protocol error: content_block_start without a "
		                          "typed content_block");
	ARRAY_GROW(a->blocks, a->n, a->cap, 1);
	struct block *b = &a->blocks[a->n++];
	memset(b, 0, sizeof *b);
	b->index = (long)json_int(d, "index", (long long)(a->n - 1));
	b->obj = json_add(json_arr(s->message, "content"), NULL, json_dup(cb));
	b->open = true;
	if (strcmp(type, "text") == 0) {
		b->kind = BLOCK_TEXT;
		buf_puts(&b->acc, json_str(cb, "text") ? json_str(cb, "text") : "");
	} else if (strcmp(type, "thinking") == 0) {
		b->kind = BLOCK_THINKING;
		buf_puts(&b->acc, json_str(cb, "thinking") ? json_str(cb, "thinking") : "");
	} else if (strcmp(type, "tool_use") == 0 || strcmp(type, "server_tool_use") == 0) {
		b->kind = BLOCK_TOOL;
	} else {
		b->kind = BLOCK_OTHER;
	}
	return take_bytes(s, b->acc.len);
}

static int
on_block_delta(struct llm_stream *s, const cJSON *d)
{
	long index = (long)json_int(d, "index", -1);
	struct block *b = find_block(s->priv, index);
	const cJSON *delta = json_obj(d, "delta");
	const char *type = json_str(delta, "type");
	const char *v;

	if (!b)
		return llm_stream_fail(s, "stream protocol error: delta for unknown block %ld",
		                       index);
	if (!b->open || !type)
		return 0;
	if (strcmp(type, "text_delta") == 0 && (v = json_str(delta, "text"))) {
		size_t n = strlen(v);

		if (take_bytes(s, n) < 0)
			return DH_EFAIL;
		buf_add(&b->acc, v, n);
		if (b->kind == BLOCK_TEXT && s->on_text && n > 0)
			s->on_text(v, n, s->ctx);
	} else if (strcmp(type, "input_json_delta") == 0 && (v = json_str(delta, "partial_json"))) {
		/* Fragments split anywhere, even inside strings: parse once at stop. */
		if (b->kind == BLOCK_TOOL) {
			if (take_bytes(s, strlen(v)) < 0)
				return DH_EFAIL;
			buf_puts(&b->acc, v);
		}
	} else if (strcmp(type, "thinking_delta") == 0 && (v = json_str(delta, "thinking"))) {
		if (take_bytes(s, strlen(v)) < 0)
			return DH_EFAIL;
		buf_puts(&b->acc, v);
	} else if (strcmp(type, "signature_delta") == 0 && (v = json_str(delta, "signature"))) {
		free(b->signature);
		b->signature = xstrdup(v);
	} else if (strcmp(type, "citations_delta") == 0) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(delta, "citation");
		cJSON *arr = json_arr(b->obj, "citations");

		if (c) {
			if (!arr) {
				arr = json_new_arr();
				llm_json_set(b->obj, "citations", arr);
			}
			json_add(arr, NULL, json_dup(c));
		}
	}
	/* Unknown delta types are ignored (new ones may be added). */
	return 0;
}

static int
on_error_event(struct llm_stream *s, const cJSON *d)
{
	const cJSON *e = json_obj(d, "error");
	const char *type = json_str(e, "type"), *msg = json_str(e, "message");
	struct buf b = BUF_INIT;

	if (llm_error_transient(type, NULL))
		s->transient = !s->error;

	llm_one_line(&b, msg ? msg : "(no message)", strlen(msg ? msg : "(no message)"), 300);
	int rc = llm_stream_fail(s, "stream error %s: %s (after %u events)",
	                         type ? type : "unknown_error", buf_cstr(&b), s->nevents);
	buf_fini(&b);
	return rc;
}

static int
stream_event(struct llm_stream *s, const struct sse_event *ev)
{
	const char *name = ev->event;
	cJSON *d = NULL;
	int rc = 0;

	/* Dispatch on the event: line (§1.9); ping and unknown names are skipped
	 * without even parsing them. Events after message_stop are ignored. */
	if (!name || s->finished)
		return 0;
	bool known =
		strcmp(name, "message_start") == 0 || strcmp(name, "content_block_start") == 0 ||
		strcmp(name, "content_block_delta") == 0 ||
		strcmp(name, "content_block_stop") == 0 || strcmp(name, "message_delta") == 0 ||
		strcmp(name, "message_stop") == 0 || strcmp(name, "error") == 0;
	if (!known)
		return 0;
	if (llm_event_parse(&d, ev, name) < 0)
		return llm_stream_fail(s, "server sent an invalid %s event (%s)", name, err_msg());
	if (!cJSON_IsObject(d)) {
		cJSON_Delete(d);
		return llm_stream_fail(s, "server sent an invalid %s event (not an object)", name);
	}

	if (strcmp(name, "error") == 0) {
		rc = on_error_event(s, d);
	} else if (strcmp(name, "message_start") == 0) {
		if (s->started)
			rc = llm_stream_fail(s, "stream protocol error: second message_start");
		s->started = true;
		take_usage(&s->usage, json_obj(json_obj(d, "message"), "usage"));
	} else if (!s->started) {
		rc = llm_stream_fail(s, "stream protocol error: %s before message_start", name);
	} else if (strcmp(name, "content_block_start") == 0) {
		rc = on_block_start(s, d);
	} else if (strcmp(name, "content_block_delta") == 0) {
		rc = on_block_delta(s, d);
	} else if (strcmp(name, "content_block_stop") == 0) {
		struct block *b = find_block(s->priv, (long)json_int(d, "index", -1));

		if (b)
			block_finalize(s, b, true);
	} else if (strcmp(name, "message_delta") == 0) {
		const cJSON *delta = json_obj(d, "delta");
		const char *sr = json_str(delta, "stop_reason");

		/* Blocks still open here were cut by the stop (max_tokens in a call). */
		finalize_all(s, false);
		if (sr) {
			free(s->stop_reason);
			s->stop_reason = xstrdup(sr);
		}
		take_usage(&s->usage, json_obj(d, "usage"));
	} else if (strcmp(name, "message_stop") == 0) {
		finalize_all(s, false);
		s->finished = true;
	}
	cJSON_Delete(d);
	return rc;
}

static int
stream_finish(struct llm_stream *s)
{
	if (s->priv)
		finalize_all(s, false);
	if (s->error)
		return DH_EFAIL;
	if (!s->finished)
		return llm_stream_fail(s,
		                       "stream ended mid-response (after %u events, no "
		                       "message_stop)",
		                       s->nevents);
	if (!s->stop_reason)
		return llm_stream_fail(s, "stream ended without a stop reason");
	for (size_t i = 0; i < sizeof known_stop_reasons / sizeof *known_stop_reasons; i++)
		if (strcmp(s->stop_reason, known_stop_reasons[i]) == 0)
			return 0;
	struct buf b = BUF_INIT;
	llm_one_line(&b, s->stop_reason, strlen(s->stop_reason), 80);
	int rc = llm_stream_fail(s, "unknown stop reason '%s'", buf_cstr(&b));
	buf_fini(&b);
	return rc;
}

/*
 * Errors (§1.10)
 */

static char *
error_text(long status, const char *content_type, const char *body, size_t len)
{
	struct buf b = BUF_INIT;
	cJSON *j = NULL;

	if (len > 0 && json_parse(&j, body, len, "error body") == 0) {
		const cJSON *e = json_obj(j, "error");
		const char *type = json_str(e, "type"), *msg = json_str(e, "message");

		if (type || msg) {
			buf_printf(&b, "HTTP %ld %s: ", status, type ? type : "error");
			llm_one_line(&b, msg ? msg : "(no message)",
			             strlen(msg ? msg : "(no message)"), 300);
		} else if (status == 200) {
			buf_puts(&b,
			         "server sent a JSON body instead of an event stream (HTTP 200)");
		}
	}
	cJSON_Delete(j);
	if (b.len > 0)
		return buf_detach(&b);
	buf_fini(&b);
	return llm_error_text_raw(status, content_type, body, len);
}

/*
 * Recording
 */

/* A content_block_delta of text, tool input or thinking: mergeable with the
 * next ones of the same block and type. */
static bool
merge_classify(const struct sse_event *ev, const cJSON *d, const char **field, long *index,
               const char **v)
{
	const cJSON *delta = json_obj(d, "delta");
	const char *type = json_str(delta, "type");

	if (!ev->event || strcmp(ev->event, "content_block_delta") != 0 || !type)
		return false;
	if (strcmp(type, "text_delta") == 0)
		*field = "text";
	else if (strcmp(type, "input_json_delta") == 0)
		*field = "partial_json";
	else if (strcmp(type, "thinking_delta") == 0)
		*field = "thinking";
	else
		return false;
	*v = json_str(delta, *field);
	*index = (long)json_int(d, "index", -1);
	return *v != NULL;
}

static void
merge_set(cJSON *first, const char *field, const char *v)
{
	llm_json_set(json_obj(first, "delta"), field, cJSON_CreateString(v));
}

static const struct llm_merge_ops merge_ops = {
	.classify = merge_classify,
	.set = merge_set,
	.event_name = "content_block_delta",
};

static void
record_body(struct buf *out, const char *body, size_t len)
{
	llm_record_merged(out, body, len, &merge_ops);
}

const struct llm_provider_ops llm_anthropic_ops = {
	.name = "anthropic",
	.end_name = "message_stop",
	.build_request = build_request,
	.output_tokens = output_tokens,
	.stream_init = stream_init,
	.stream_event = stream_event,
	.stream_finish = stream_finish,
	.stream_fini = stream_fini,
	.error_text = error_text,
	.record_body = record_body,
};
