/* SPDX-License-Identifier: MIT */
/*
 * Model request lifecycle: one streamed request at a time, each try an
 * "attempt" (HTTP or a replayed exchange) whose bytes go through the same
 * SSE decoder and provider. Owns retries and backoff (PROTOCOLS.md §1.10),
 * --record/--replay. Not the wire format (providers) nor
 * curl (http.c).
 */
#include "llm/llm.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/array.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/log.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "net/http.h"
#include "llm/provider.h"
#include "llm/registry.h"
#include "llm/tokens.h"
#include "net/sse.h"

#define RAW_CAP      ((size_t)64 << 10) /* non-stream body kept for the error message */
#define REC_CAP      ((size_t)64 << 20) /* body kept for --record */
#define REPLAY_CHUNK ((size_t)4096)     /* replayed bodies are fed in pieces of at most this */

struct grant {
	char *path;
	size_t len;
	size_t idx; /* n in $GRANTn: position in cfg.redact_paths */
};

/* One try of the request. */
struct attempt {
	bool live;     /* initialized (attempt_reset ran) */
	bool ended;    /* concluded: finished or a retry is scheduled */
	bool recorded; /* written to --record */
	long status;
	char *content_type;
	char *retry_after;
	char *retry_after_ms;
	char *should_retry; /* x-should-retry */
	bool sse;           /* the body is an event stream for the provider */
	bool body_started;
	struct buf raw; /* non-stream body, capped at raw_cap() */
	bool raw_cut;   /* raw reached its cap */
	struct buf rec; /* the whole body for --record, capped at REC_CAP */
	struct sse_decoder dec;
	struct llm_stream st;
	char *rbody; /* replay: body with grant paths expanded */
	size_t rlen, roff;
	const cJSON *rx; /* replay: the exchange served */
};

/* A request body as the pieces it is sent in: the text json_print(body)
 * writes, each history message where it already is (its memo, borrowed
 * from the caller) and the rest in text the body owns. */
struct body {
	struct http_part *part;
	size_t nparts, capparts;
	char **own; /* freed by body_clear */
	size_t nown, capown;
	size_t len; /* bytes of all the parts */
};

struct llm {
	struct ev_loop *loop;
	struct http_client *http;
	const struct llm_provider_ops *ops;
	struct llm_config cfg; /* strings point at the copies below */
	char *s_provider, *s_base, *s_key, *s_model, *s_record, *s_replay, *s_api_version;
	char **s_redact;
	char **s_headers;
	struct grant *grants; /* longest path first */
	size_t ngrants;
	size_t keylen;
	uint64_t rng;
	int record_fd;
	cJSON *replay;      /* array of recorded exchanges, or NULL */
	size_t replay_next; /* exchanges consumed */

	/* the request in flight */
	bool busy;
	int in_feed;          /* > 0 while user callbacks may run from the SSE path */
	bool cleanup_pending; /* llm_cancel() ran inside the feed */
	struct llm_callbacks cb;
	void *ctx;
	struct llm_http_spec spec;
	struct body body; /* the text sent, in pieces lent to the transfer */
	cJSON *body_norm; /* with grant paths replaced: recorded and compared (--record,
			   * --replay; NULL without them) */
	int retries;      /* retries performed so far */
	struct llm_usage spent; /* usage the attempts retried so far reported */
	struct llm_usage est;	/* the request's estimate, as admit() was given it */
	struct http_request *hreq;
	struct ev_timer retry_timer;
	struct ev_timer replay_timer;
	struct ev_timer done_timer;
	struct attempt a;
	int rc; /* outcome waiting for done_timer */
	char *error;
};

static void attempt_begin(struct llm *c);
static void body_clear(struct body *b);
static void finish(struct llm *c, int rc, const char *error);
static void retry_or_fail(struct llm *c, bool retryable, const char *reason);
static bool status_retryable(long status);

/*
 * Helpers shared with providers (provider.h)
 */

void
llm_http_spec_fini(struct llm_http_spec *s)
{
	free(s->url);
	for (size_t i = 0; i < s->nheaders; i++) {
		explicit_bzero(s->headers[i], strlen(s->headers[i])); /* may hold the key */
		free(s->headers[i]);
	}
	free(s->headers);
	cJSON_Delete(s->body);
	memset(s, 0, sizeof *s);
}

void
llm_stream_init(struct llm_stream *s, const struct llm_provider_ops *ops)
{
	memset(s, 0, sizeof *s);
	s->message = json_new_obj();
	json_add_str(s->message, "role", "assistant");
	json_add(s->message, "content", json_new_arr());
	ops->stream_init(s);
}

bool
llm_stream_count(struct llm_stream *s, size_t n)
{
	s->bytes += n;
	if (s->max_bytes == 0 || s->bytes <= s->max_bytes)
		return false;
	return llm_stream_fail(s,
	                       "model message over the limit of %zu bytes (message_limit in the "
	                       "config, MiB): %zu bytes received, the rest was not read",
	                       s->max_bytes, s->bytes) < 0;
}

void
llm_stream_fini(struct llm_stream *s, const struct llm_provider_ops *ops)
{
	ops->stream_fini(s);
	cJSON_Delete(s->message);
	free(s->stop_reason);
	for (size_t i = 0; i < s->nmalformed; i++)
		free(s->malformed[i]);
	free(s->malformed);
	free(s->error);
	memset(s, 0, sizeof *s);
}

int
llm_stream_fail(struct llm_stream *s, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (s->error)
		return DH_EFAIL;
	va_start(ap, fmt);
	if (vasprintf(&m, fmt, ap) < 0)
		die("out of memory (vasprintf)");
	va_end(ap);
	s->error = m;
	return DH_EFAIL;
}

/* Error names (a type or a code) that say the server is in passing trouble:
 * those of the HTTP statuses retried (429, 5xx, 529), as each protocol spells
 * them (PROTOCOLS.md §1.10, §2.3, §2.4). */
static const char *const transient_names[] = {
	/* Anthropic: 429, 500, 504, 529; also Ollama's 5xx (api_error) */
	"overloaded_error", "api_error", "timeout_error", "rate_limit_error",
	/* OpenAI and llama.cpp: 5xx, 503, 429 */
	"server_error", "unavailable_error", "rate_limit_exceeded",
	/* vLLM: exception class names */
	"InternalServerError", "ServiceUnavailableError", "RateLimitError",
};

bool
llm_error_transient(const char *type, const cJSON *code)
{
	for (size_t i = 0; i < sizeof transient_names / sizeof *transient_names; i++) {
		if (type && strcmp(type, transient_names[i]) == 0)
			return true;
		if (cJSON_IsString(code) && strcmp(code->valuestring, transient_names[i]) == 0)
			return true;
	}
	return cJSON_IsNumber(code) && status_retryable((long)json_num_int(code, 0));
}

void
llm_stream_add_malformed(struct llm_stream *s, const char *id)
{
	ARRAY_GROW(s->malformed, s->nmalformed, s->capmalformed, 1);
	s->malformed[s->nmalformed++] = xstrdup(id);
}

void
llm_one_line(struct buf *dst, const char *s, size_t n, size_t max)
{
	size_t end = n;
	bool cut = false;

	if (n > max) {
		end = max;
		while (end > 0 && ((unsigned char)s[end] & 0xc0) == 0x80)
			end--;
		cut = true;
	}
	size_t start = dst->len;
	for (size_t i = 0; i < end; i++) {
		unsigned char ch = (unsigned char)s[i];

		buf_putc(dst, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	while (dst->len > start && dst->ptr[dst->len - 1] == ' ')
		dst->ptr[--dst->len] = '\0';
	if (cut)
		buf_puts(dst, "…");
}

void
llm_json_set(cJSON *o, const char *key, cJSON *v)
{
	if (!v)
		die("out of memory (cJSON)");
	if (cJSON_GetObjectItemCaseSensitive(o, key))
		cJSON_ReplaceItemInObjectCaseSensitive(o, key, v);
	else
		cJSON_AddItemToObject(o, key, v);
}

int
llm_event_parse(cJSON **out, const struct sse_event *ev, const char *what)
{
	struct buf clean = BUF_INIT;
	int rc;

	if (utf8_valid(ev->data, ev->data_len))
		return json_parse(out, ev->data, ev->data_len, what);
	utf8_scrub(&clean, ev->data, ev->data_len);
	rc = json_parse(out, clean.ptr, clean.len, what);
	buf_fini(&clean);
	return rc;
}

/* "text/html; charset=utf-8" -> "text/html" */
static void
llm_media_type(struct buf *out, const char *ct)
{
	size_t n = 0;

	if (!ct || !*ct) {
		buf_puts(out, "no content type");
		return;
	}
	while (ct[n] && ct[n] != ';' && ct[n] != ' ')
		n++;
	llm_one_line(out, ct, n, 80);
}

void
llm_sse_write(struct buf *out, const char *name, const char *data, size_t len)
{
	if (name)
		buf_printf(out, "event: %s\n", name);
	/* one data: line per line of data, so that decoding gives `data` back */
	for (;;) {
		const char *nl = memchr(data, '\n', len);
		size_t n = nl ? (size_t)(nl - data) : len;

		buf_puts(out, "data: ");
		buf_add(out, data, n);
		buf_putc(out, '\n');
		if (!nl)
			break;
		data += n + 1;
		len -= n + 1;
	}
	buf_putc(out, '\n');
}

char *
llm_error_text_raw(long status, const char *content_type, const char *body, size_t len)
{
	struct buf b = BUF_INIT;

	if (status == 200) {
		buf_puts(&b, "server sent a non-JSON body (HTTP 200, ");
		llm_media_type(&b, content_type);
		buf_puts(&b, ")");
		if (len > 0) {
			buf_puts(&b, ": ");
			llm_one_line(&b, body, len, 200);
		}
	} else if (len > 0) {
		/* Not the standard JSON (e.g. a proxy's 413 page): the raw start. */
		buf_printf(&b, "HTTP %ld: ", status);
		llm_one_line(&b, body, len, 200);
	} else {
		buf_printf(&b, "HTTP %ld with an empty body", status);
	}
	return buf_detach(&b);
}

/* A run of mergeable deltas (llm_record_merged). */
struct merge {
	struct buf *out;
	const struct llm_merge_ops *ops;
	cJSON *first;      /* the run's first event, its string replaced on flush */
	const char *field; /* the run: field and index */
	long index;
	struct buf acc;
};

static void
merge_flush(struct merge *m)
{
	if (!m->first)
		return;
	m->ops->set(m->first, m->field, buf_cstr(&m->acc));
	char *data = json_print(m->first);
	llm_sse_write(m->out, m->ops->event_name, data, strlen(data));
	free(data);
	cJSON_Delete(m->first);
	m->first = NULL;
	buf_clear(&m->acc);
}

static int
merge_event(const struct sse_event *ev, void *ctx)
{
	struct merge *m = ctx;
	cJSON *d = NULL;
	const char *field = NULL, *v = NULL;
	long index = -1;
	bool ok = ev->data_len && ev->data[0] == '{' && llm_event_parse(&d, ev, "delta") == 0 &&
	          m->ops->classify(ev, d, &field, &index, &v);

	if (ok && m->first && strcmp(m->field, field) == 0 && m->index == index) {
		buf_puts(&m->acc, v);
		cJSON_Delete(d);
		return 0;
	}
	merge_flush(m);
	if (ok) {
		m->first = d;
		m->field = field;
		m->index = index;
		buf_puts(&m->acc, v);
		return 0;
	}
	cJSON_Delete(d);
	llm_sse_write(m->out, ev->event, ev->data, ev->data_len);
	return 0;
}

void
llm_record_merged(struct buf *out, const char *body, size_t len, const struct llm_merge_ops *ops)
{
	struct merge m = { .out = out, .ops = ops, .index = -1 };
	struct sse_decoder d;

	sse_init(&d, merge_event, &m);
	if (sse_feed(&d, body, len) != 0) {
		/* framing failed (overlong line): keep the body as received */
		cJSON_Delete(m.first);
		m.first = NULL;
		buf_clear(out);
		buf_add(out, body, len);
	}
	merge_flush(&m);
	buf_fini(&m.acc);
	sse_fini(&d);
}

/*
 * Secrets and grant paths
 */

static bool
is_word(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '_';
}

/* Append s with grant roots replaced by $GRANTn and the key by <redacted>.
 * A root followed by a word character is left alone, so "$GRANT1" + "5"
 * cannot be misread as $GRANT15 on the way back. */
static void
redact_into(const struct llm *c, struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		bool hit = false;

		for (size_t k = 0; k < c->ngrants && !hit; k++) {
			const struct grant *g = &c->grants[k];

			if (g->len <= n - i && memcmp(s + i, g->path, g->len) == 0 &&
			    (i + g->len == n || !is_word(s[i + g->len]))) {
				buf_printf(out, "$GRANT%zu", g->idx);
				i += g->len;
				hit = true;
			}
		}
		if (!hit && c->keylen && c->keylen <= n - i &&
		    memcmp(s + i, c->s_key, c->keylen) == 0) {
			buf_puts(out, "<redacted>");
			i += c->keylen;
			hit = true;
		}
		if (!hit)
			buf_putc(out, s[i++]);
	}
}

/* Inverse of redact_into() with this run's grant roots. */
static void
expand_into(const struct llm *c, struct buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (n - i > 6 && memcmp(s + i, "$GRANT", 6) == 0 && s[i + 6] >= '0' &&
		    s[i + 6] <= '9') {
			size_t j = i + 6, idx = 0;

			while (j < n && s[j] >= '0' && s[j] <= '9' && idx < 100000)
				idx = idx * 10 + (size_t)(s[j++] - '0');
			if (idx < c->cfg.nredact_paths) {
				buf_puts(out, c->cfg.redact_paths[idx]);
				i = j;
				continue;
			}
		}
		buf_putc(out, s[i++]);
	}
}

/* Key → "<redacted>" (for error text). Heap string. */
static char *
scrub(const struct llm *c, const char *s)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		if (c->keylen && c->keylen <= n - i && memcmp(s + i, c->s_key, c->keylen) == 0) {
			buf_puts(&b, "<redacted>");
			i += c->keylen;
		} else {
			buf_putc(&b, s[i++]);
		}
	}
	return buf_detach(&b);
}

static void
redact_json(const struct llm *c, cJSON *v)
{
	for (; v; v = v->next) {
		if (cJSON_IsString(v) && v->valuestring) {
			struct buf b = BUF_INIT;

			redact_into(c, &b, v->valuestring, strlen(v->valuestring));
			if (strcmp(buf_cstr(&b), v->valuestring) != 0 &&
			    !cJSON_SetValuestring(v, buf_cstr(&b)))
				die("out of memory (cJSON)");
			buf_fini(&b);
		}
		if (v->child)
			redact_json(c, v->child);
	}
}

/*
 * Record and replay
 */

static void
path_trunc(struct buf *p, size_t len)
{
	p->len = len;
	if (p->ptr)
		p->ptr[len] = '\0';
}

/* Structural compare; on a difference returns true with `path` naming its
 * first location ($.messages[5].content[0].text). */
static bool
json_diff(const cJSON *want, const cJSON *got, struct buf *path)
{
	if (!want || !got)
		return want != got;
	int tw = want->type & 0xff, tg = got->type & 0xff;
	if (tw != tg)
		return true;
	switch (tw) {
	case cJSON_Number:
		return want->valuedouble < got->valuedouble || want->valuedouble > got->valuedouble;
	case cJSON_String:
		return strcmp(want->valuestring, got->valuestring) != 0;
	case cJSON_Array: {
		const cJSON *a = want->child, *b = got->child;

		for (size_t i = 0; a || b; i++, a = a->next, b = b->next) {
			size_t mark = path->len;

			buf_printf(path, "[%zu]", i);
			if (!a || !b || json_diff(a, b, path))
				return true;
			path_trunc(path, mark);
		}
		return false;
	}
	case cJSON_Object: {
		const cJSON *a, *b;
		size_t mark = path->len;

		cJSON_ArrayForEach(a, want)
		{
			buf_printf(path, ".%s", a->string);
			b = cJSON_GetObjectItemCaseSensitive(got, a->string);
			if (!b || json_diff(a, b, path))
				return true;
			path_trunc(path, mark);
		}
		cJSON_ArrayForEach(b, got)
		{
			if (!cJSON_GetObjectItemCaseSensitive(want, b->string)) {
				buf_printf(path, ".%s", b->string);
				return true;
			}
		}
		return false;
	}
	default:
		return false;
	}
}

static cJSON *
str_or_null(const char *s)
{
	cJSON *v = s ? cJSON_CreateString(s) : cJSON_CreateNull();

	if (!v)
		die("out of memory (cJSON)");
	return v;
}

/* Append this attempt as one JSON line and fsync (--record). `hr` is NULL when
 * the attempt was abandoned mid-stream by the provider. */
static void
record_exchange(struct llm *c, const struct http_result *hr)
{
	struct attempt *a = &c->a;

	if (c->record_fd < 0 || a->recorded)
		return;
	a->recorded = true;
	cJSON *x = json_new_obj();
	struct buf body = BUF_INIT;
	char *err = hr && hr->rc < 0 && hr->error ? scrub(c, hr->error) : NULL;

	json_add(x, "request", json_dup(c->body_norm));
	json_add_num(x, "status", (double)a->status);
	json_add(x, "content_type", str_or_null(a->content_type));
	json_add(x, "retry_after", str_or_null(a->retry_after));
	json_add(x, "retry_after_ms", str_or_null(a->retry_after_ms));
	json_add(x, "x_should_retry", str_or_null(a->should_retry));
	json_add(x, "transport_error", str_or_null(err));
	json_add_bool(x, "timed_out", hr && hr->rc < 0 && hr->timed_out);
	json_add_bool(x, "idle", hr && hr->rc < 0 && hr->idle);
	if (a->sse && c->ops->record_body) {
		struct buf merged = BUF_INIT;

		c->ops->record_body(&merged, a->rec.ptr ? a->rec.ptr : "", a->rec.len);
		redact_into(c, &body, buf_cstr(&merged), merged.len);
		buf_fini(&merged);
	} else {
		redact_into(c, &body, a->rec.ptr ? a->rec.ptr : "", a->rec.len);
	}
	json_add(x, "body", str_or_null(buf_cstr(&body)));
	char *line = json_print(x);
	char *safe = scrub(c, line);
	size_t n = strlen(safe);

	safe[n] = '\n'; /* replaces the NUL; written with its length */
	for (size_t off = 0; off <= n;) {
		ssize_t w = write(c->record_fd, safe + off, n + 1 - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			log_warn("record: %s: %s", c->s_record, strerror(errno));
			break;
		}
		off += (size_t)w;
	}
	if (fsync(c->record_fd) < 0)
		log_warn("record: fsync %s: %s", c->s_record, strerror(errno));
	free(safe);
	free(line);
	free(err);
	buf_fini(&body);
	cJSON_Delete(x);
}

static int
replay_load(struct llm *c, const char *path)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = 0;

	if (!f)
		return err_set("replay: %s: %s", path, strerror(errno));
	c->replay = json_new_arr();
	while ((n = getline(&line, &cap, f)) >= 0) {
		cJSON *x = NULL;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		if (n == 0)
			continue;
		if (json_parse(&x, line, (size_t)n, "exchange") < 0 || !cJSON_IsObject(x) ||
		    !cJSON_GetObjectItemCaseSensitive(x, "request")) {
			char *m = xstrdup(x ? "not an exchange object" : err_msg());

			cJSON_Delete(x);
			rc = err_setc(DH_EPARSE, "replay: %s:%zu: %s", path, lineno, m);
			free(m);
			break;
		}
		json_add(c->replay, NULL, x);
	}
	free(line);
	fclose(f);
	return rc;
}

/*
 * Attempts
 *
 * llm_start → attempt_begin → (HTTP | replay timer) → body_bytes → sse_feed →
 * provider → attempt_complete → retry timer or finish → done timer → on_done.
 * User callbacks can run inside curl's write callback (on_text) or inside
 * attempt_complete (on_retry); nothing they may do frees state on the stack:
 * llm_cancel() there only marks the request and the unwinding code frees it.
 * on_done always runs from its own timer, with the client already idle.
 */

static bool
is_event_stream(const char *ct)
{
	return ct && strncasecmp(ct, "text/event-stream", 17) == 0;
}

static void
attempt_fini(struct llm *c)
{
	struct attempt *a = &c->a;

	if (!a->live)
		return;
	sse_fini(&a->dec);
	llm_stream_fini(&a->st, c->ops);
	free(a->content_type);
	free(a->retry_after);
	free(a->retry_after_ms);
	free(a->should_retry);
	buf_fini(&a->raw);
	buf_fini(&a->rec);
	free(a->rbody);
	memset(a, 0, sizeof *a);
}

static int on_sse_event(const struct sse_event *ev, void *ctx);

/* How much of a non-stream body is kept: the start for an error message;
 * a whole 200 response its provider can take (stream_whole) up to what
 * its message may hold, JSON-escaped, plus the envelope. */
static size_t
raw_cap(const struct llm *c)
{
	if (c->a.status == 200 && c->ops->stream_whole)
		return RAW_CAP + 2 * c->cfg.max_message_bytes;
	return RAW_CAP;
}

static void
attempt_reset(struct llm *c)
{
	struct attempt *a = &c->a;

	attempt_fini(c);
	a->live = true;
	sse_init(&a->dec, on_sse_event, c);
	llm_stream_init(&a->st, c->ops);
	a->st.on_text = c->cb.on_text;
	a->st.ctx = c->ctx;
	a->st.max_bytes = c->cfg.max_message_bytes;
}

/* Everything about the request in flight goes; the client is idle. */
static void
request_cleanup(struct llm *c)
{
	http_cancel(c->hreq);
	c->hreq = NULL;
	ev_timer_disarm(c->loop, &c->retry_timer);
	ev_timer_disarm(c->loop, &c->replay_timer);
	ev_timer_disarm(c->loop, &c->done_timer);
	attempt_fini(c);
	llm_http_spec_fini(&c->spec);
	body_clear(&c->body);
	cJSON_Delete(c->body_norm);
	c->body_norm = NULL;
	free(c->error);
	c->error = NULL;
	c->busy = false;
	c->cleanup_pending = false;
	c->retries = 0;
	memset(&c->spent, 0, sizeof c->spent);
}

static int
on_sse_event(const struct sse_event *ev, void *ctx)
{
	struct llm *c = ctx;
	struct attempt *a = &c->a;

	a->st.nevents++;
	int rc = c->ops->stream_event(&a->st, ev);
	if (!c->busy || a->ended)
		return 1; /* cancelled from on_text: stop decoding */
	return rc < 0 ? DH_EFAIL : 0;
}

/* Response body bytes, from curl or from a replayed exchange. */
static void
body_bytes(struct llm *c, const char *p, size_t n)
{
	struct attempt *a = &c->a;

	if (!c->busy || a->ended)
		return;
	if (c->record_fd >= 0)
		buf_add_capped(&a->rec, p, n, REC_CAP, "");
	if (!a->body_started) {
		a->body_started = true;
		a->sse = a->status == 200 && is_event_stream(a->content_type);
	}
	if (!a->sse) {
		if (buf_add_capped(&a->raw, p, n, raw_cap(c), ""))
			a->raw_cut = true;
		return;
	}
	c->in_feed++;
	int rc = sse_feed(&a->dec, p, n);
	c->in_feed--;
	if (c->cleanup_pending && c->in_feed == 0) {
		request_cleanup(c);
		return;
	}
	if (!c->busy || a->ended || rc >= 0)
		return;
	/* The provider or the framing gave up: the rest of the body is moot. */
	record_exchange(c, NULL);
	if (a->st.transient) {
		/* An overloaded server said so mid-stream: as a cut stream, nothing
		 * of the message was acted on, and it starts again (on_retry). */
		http_cancel(c->hreq);
		c->hreq = NULL;
		retry_or_fail(c, true, a->st.error);
		return;
	}
	finish(c, DH_EFAIL, a->st.error ? a->st.error : err_msg());
}

static void
on_http_header(long status, const char *name, const char *value, void *ctx)
{
	struct llm *c = ctx;
	struct attempt *a = &c->a;
	char **slot = NULL;

	if (!c->busy || a->ended)
		return;
	a->status = status;
	if (strcmp(name, "content-type") == 0)
		slot = &a->content_type;
	else if (strcmp(name, "retry-after") == 0)
		slot = &a->retry_after;
	else if (strcmp(name, "retry-after-ms") == 0)
		slot = &a->retry_after_ms;
	else if (strcmp(name, "x-should-retry") == 0)
		slot = &a->should_retry;
	if (slot) {
		free(*slot);
		*slot = xstrdup(value);
	}
}

static void
on_http_body(const char *p, size_t n, void *ctx)
{
	body_bytes(ctx, p, n);
}

static uint64_t
rng_next(struct llm *c)
{
	/* xorshift64*: jitter only, no need for more. */
	c->rng ^= c->rng >> 12;
	c->rng ^= c->rng << 25;
	c->rng ^= c->rng >> 27;
	return c->rng * 2685821657736338717ull;
}

/* Parse a non-negative decimal number; false if `s` is not one. */
static bool
parse_num(const char *s, double *out)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	double v = strtod(s, &end);
	while (*end == ' ')
		end++;
	if (errno || *end || !(v >= 0) || isinf(v))
		return false;
	*out = v;
	return true;
}

/* The longest wait a server's retry-after is honoured for; a longer one ends
 * the request (retry_or_fail): retrying sooner than the server asked only
 * adds refused requests, and a turn held for an hour looks hung. */
#define RETRY_AFTER_MAX_MS 60000

/* The wait the server asked for (PROTOCOLS.md §1.10): retry-after-ms, else
 * retry-after as seconds or an HTTP date, in ms into *ms; *hdr and *val
 * (borrowed from the attempt) name the header it came from and its value.
 * False when the answer has neither, or only a date already past (the
 * backoff decides then). */
static bool
server_wait(const struct attempt *a, double *ms, const char **hdr, const char **val)
{
	double v;

	*hdr = "retry-after";
	*val = a->retry_after;
	if (parse_num(a->retry_after_ms, &v)) {
		*hdr = "retry-after-ms";
		*val = a->retry_after_ms;
		*ms = v;
		return true;
	}
	if (parse_num(a->retry_after, &v)) {
		*ms = v * 1000;
		return true;
	}
	if (!a->retry_after)
		return false;
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	const char *end = strptime(a->retry_after, "%a, %d %b %Y %H:%M:%S GMT", &tm);

	if (!end || *end)
		return false;
	double d = difftime(timegm(&tm), time(NULL));

	*ms = d * 1000;
	return d >= 0;
}

/* The server's wait when it asked for one (at most RETRY_AFTER_MAX_MS, see
 * retry_or_fail); else min(0.5·2^n, 8)·(1−0.25·rand) s with n the retries
 * already done. */
static long
retry_delay(struct llm *c)
{
	double ms;
	const char *hdr, *val;

	if (server_wait(&c->a, &ms, &hdr, &val) && ms <= RETRY_AFTER_MAX_MS)
		return (long)ms;
	int n = c->retries > 0 ? c->retries - 1 : 0;
	double base = 0.5 * (double)(1u << (n < 5 ? n : 5));
	double jitter = (double)(rng_next(c) >> 11) / (double)(1ull << 53);

	if (base > 8)
		base = 8;
	return (long)(base * (1 - 0.25 * jitter) * 1000);
}

static void
usage_add(struct llm_usage *to, const struct llm_usage *u)
{
	to->input_tokens += u->input_tokens;
	to->output_tokens += u->output_tokens;
	to->cache_read_tokens += u->cache_read_tokens;
	to->cache_creation_tokens += u->cache_creation_tokens;
}

static void
retry_or_fail(struct llm *c, bool retryable, const char *reason)
{
	struct attempt *a = &c->a;
	int max = c->cfg.max_retries;

	if (!retryable || c->retries >= max) {
		char *m = c->retries > 0 ? xasprintf("%s (gave up after %d %s)", reason, c->retries,
		                                     c->retries == 1 ? "retry" : "retries")
		                         : xstrdup(reason);

		finish(c, DH_EFAIL, m);
		free(m);
		return;
	}
	double wait;
	const char *hdr, *val;

	if (server_wait(a, &wait, &hdr, &val) && wait > RETRY_AFTER_MAX_MS) {
		char *m = xasprintf("%s (not retried: the server said %s: %s, a wait over the "
		                    "%d s deskhand honours)",
		                    reason, hdr, val, RETRY_AFTER_MAX_MS / 1000);

		finish(c, DH_EFAIL, m);
		free(m);
		return;
	}
	struct llm_usage billed = c->spent;

	usage_add(&billed, &a->st.usage); /* billed though the message starts again */
	/* A retry is a request of its own: the caps see it before it goes (a
	 * refusal ends the request; on_done counts this attempt's usage). */
	if (c->cb.admit && !c->cb.admit(&c->est, &billed, c->ctx)) {
		char *m = xasprintf("%s; the retry was refused before sending", reason);

		finish(c, DH_EDENIED, m);
		free(m);
		return;
	}
	c->retries++;
	a->ended = true;
	c->spent = billed;
	long delay = retry_delay(c);
	char *r = scrub(c, reason);

	log_debug("retry %d in %ld ms: %s", c->retries, delay, r);
	if (c->cb.on_retry)
		c->cb.on_retry(c->retries, delay, r, c->ctx);
	free(r);
	if (!c->busy)
		return; /* cancelled from on_retry */
	/* Replay serves recorded failures without their waits. */
	ev_timer_arm(c->loop, &c->retry_timer, c->replay ? 0 : (uint64_t)delay);
}

static bool
status_retryable(long status)
{
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

/* A whole non-stream 200 body (attempt_complete): the provider's response
 * fed as its one event. False when it is no response of the provider's:
 * the caller reports it as any other body. */
static bool
whole_taken(struct llm *c)
{
	struct attempt *a = &c->a;

	if (a->raw_cut) {
		char *m = xasprintf("server sent a whole response (HTTP 200, not an event stream) "
		                    "over the limit of %zu bytes",
		                    raw_cap(c));
		finish(c, DH_EFAIL, m);
		free(m);
		return true;
	}
	a->st.nevents++;
	c->in_feed++; /* on_text runs from here, as from the event stream */
	int rc = c->ops->stream_whole(&a->st, a->raw.ptr, a->raw.len);
	c->in_feed--;
	if (c->cleanup_pending && c->in_feed == 0) {
		request_cleanup(c);
		return true;
	}
	if (!c->busy || a->ended)
		return true;
	if (rc == 1) {
		a->st.nevents--;
		return false;
	}
	if (rc == 0 && c->ops->stream_finish(&a->st) == 0)
		finish(c, 0, NULL);
	else
		finish(c, DH_EFAIL, a->st.error);
	return true;
}

/* The transfer (or the replayed exchange) is over: success, failure or retry. */
static void
attempt_complete(struct llm *c, const struct http_result *hr)
{
	struct attempt *a = &c->a;
	char secs[32];
	char *reason = NULL;
	bool retryable = false;

	c->hreq = NULL;
	if (!c->busy || a->ended)
		return;
	if (hr->not_started) { /* as when http_start() says so (attempt_begin) */
		reason = xasprintf("cannot start the request: %s", hr->error);
		finish(c, DH_EFAIL, reason);
		free(reason);
		return;
	}
	if (hr->status > 0)
		a->status = hr->status;
	record_exchange(c, hr);
	snprintf(secs, sizeof secs, "%g", c->cfg.idle_timeout_ms / 1000.0);
	bool sse = a->sse ||
	           (!a->body_started && a->status == 200 && is_event_stream(a->content_type));

	if (sse && (hr->rc == 0 || a->st.finished)) {
		/* A clean end, or a transport error after message_stop (harmless). */
		if (a->st.nevents == 0) {
			retryable = true;
			reason = xstrdup("the server sent an empty event stream (HTTP 200)");
		} else if (!a->st.finished && !a->st.error) {
			/* Cut before message_stop: a connection fault like the others.
			 * Nothing of the response was acted on (the caller acts in
			 * on_done); the retry starts the message again and on_retry
			 * tells the caller to drop the text streamed so far. */
			retryable = true;
			reason = xasprintf("stream ended mid-response (after %u events, no %s)",
			                   a->st.nevents, c->ops->end_name);
		} else if (c->ops->stream_finish(&a->st) == 0) {
			finish(c, 0, NULL);
			return;
		} else {
			finish(c, DH_EFAIL, a->st.error);
			return;
		}
	} else if (hr->rc < 0) {
		const char *e = hr->error ? hr->error : "unknown transport error";

		if (a->st.nevents == 0) {
			/* Nothing of the response was used yet: as good as a connect error. */
			retryable = true;
			if (hr->idle)
				reason =
					xasprintf("stream idle for %s s (no event received)", secs);
			else if (hr->timed_out)
				reason = xasprintf("connection timed out: %s", e);
			else
				reason = xasprintf("connection error: %s", e);
		} else if (hr->idle) {
			retryable = true; /* mid-stream: as above, the message starts again */
			reason = xasprintf("stream idle for %s s (after %u events, no %s)", secs,
			                   a->st.nevents, c->ops->end_name);
		} else {
			retryable = true;
			reason = xasprintf("stream ended mid-response (after %u events, no %s): %s",
			                   a->st.nevents, c->ops->end_name, e);
		}
	} else if (a->status == 200 && c->ops->stream_whole && a->raw.len > 0 && whole_taken(c)) {
		/* A server that ignored "stream": true (older llama.cpp, some
		 * proxies): the whole response in one body, taken as its stream. */
		return;
	} else {
		reason = c->ops->error_text(a->status, a->content_type, a->raw.ptr, a->raw.len);
		retryable = status_retryable(a->status);
		if (a->should_retry && strcasecmp(a->should_retry, "true") == 0)
			retryable = true;
		else if (a->should_retry && strcasecmp(a->should_retry, "false") == 0)
			retryable = false;
	}
	retry_or_fail(c, retryable, reason);
	free(reason);
}

static void
on_http_done(const struct http_result *res, void *ctx)
{
	attempt_complete(ctx, res);
}

static void
on_replay_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct llm *c = ctx;
	struct attempt *a = &c->a;

	(void)t;
	if (!c->busy || a->ended)
		return;
	if (a->roff < a->rlen) {
		size_t k = a->rlen / 4 + 1;

		if (k > REPLAY_CHUNK)
			k = REPLAY_CHUNK;
		if (k > a->rlen - a->roff)
			k = a->rlen - a->roff;
		size_t off = a->roff;
		a->roff += k;
		body_bytes(c, a->rbody + off, k);
		if (c->busy && !a->ended)
			ev_timer_arm(l, &c->replay_timer, 0);
		return;
	}
	const cJSON *x = a->rx;
	const char *err = json_str(x, "transport_error");
	struct http_result hr = {
		.rc = err ? DH_EFAIL : 0,
		.timed_out = json_bool(x, "timed_out", false),
		.idle = json_bool(x, "idle", false),
		.status = a->status,
		.error = err,
	};
	attempt_complete(c, &hr);
}

static void
replay_begin(struct llm *c)
{
	struct attempt *a = &c->a;
	size_t n = ++c->replay_next;
	int have = cJSON_GetArraySize(c->replay);

	if (n > (size_t)have) {
		char *m = xasprintf("replay: request %zu has no recorded exchange (the recording "
		                    "has %d)",
		                    n, have);
		finish(c, DH_EFAIL, m);
		free(m);
		return;
	}
	const cJSON *x = cJSON_GetArrayItem(c->replay, (int)n - 1);
	struct buf path = BUF_INIT;

	buf_puts(&path, "$");
	if (json_diff(cJSON_GetObjectItemCaseSensitive(x, "request"), c->body_norm, &path)) {
		char *m = xasprintf("replay: request %zu diverges from the recording at %s", n,
		                    buf_cstr(&path));
		finish(c, DH_EFAIL, m);
		free(m);
		buf_fini(&path);
		return;
	}
	buf_fini(&path);
	a->rx = x;
	a->status = (long)json_int(x, "status", 0);
	a->content_type = json_str(x, "content_type") ? xstrdup(json_str(x, "content_type")) : NULL;
	a->retry_after = json_str(x, "retry_after") ? xstrdup(json_str(x, "retry_after")) : NULL;
	a->retry_after_ms =
		json_str(x, "retry_after_ms") ? xstrdup(json_str(x, "retry_after_ms")) : NULL;
	a->should_retry =
		json_str(x, "x_should_retry") ? xstrdup(json_str(x, "x_should_retry")) : NULL;
	const char *body = json_str(x, "body") ? json_str(x, "body") : "";
	struct buf b = BUF_INIT;
	expand_into(c, &b, body, strlen(body));
	a->rlen = b.len;
	a->rbody = buf_detach(&b);
	ev_timer_arm(c->loop, &c->replay_timer, 0);
}

static void
attempt_begin(struct llm *c)
{
	attempt_reset(c);
	if (c->replay) {
		replay_begin(c);
		return;
	}
	const char **h = xcalloc(c->spec.nheaders + 1, sizeof *h);
	char *count = xasprintf("x-deskhand-retry-count: %d", c->retries);

	for (size_t i = 0; i < c->spec.nheaders; i++)
		h[i] = c->spec.headers[i];
	h[c->spec.nheaders] = count;
	struct http_spec hs = {
		.method = "POST",
		.url = c->spec.url,
		.headers = h,
		.nheaders = c->spec.nheaders + 1,
		.parts = c->body.part, /* lent: cleared only after http_cancel() or on_done */
		.nparts = c->body.nparts,
		.body_lent = true,
		.connect_timeout_ms = c->cfg.connect_timeout_ms,
		.idle_timeout_ms = c->cfg.idle_timeout_ms,
	};
	static const struct http_callbacks hcb = {
		.on_header = on_http_header,
		.on_body = on_http_body,
		.on_done = on_http_done,
	};
	if (http_start(&c->hreq, c->http, &hs, &hcb, c) < 0) {
		char *m = xasprintf("cannot start the request: %s", err_msg());

		finish(c, DH_EFAIL, m);
		free(m);
	}
	free(count);
	free(h);
}

static void
on_retry_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	attempt_begin(ctx);
}

/* Conclude the request; on_done follows from the loop (never from inside
 * curl, the feed or llm_start). */
static void
finish(struct llm *c, int rc, const char *error)
{
	c->a.ended = true;
	http_cancel(c->hreq);
	c->hreq = NULL;
	ev_timer_disarm(c->loop, &c->retry_timer);
	ev_timer_disarm(c->loop, &c->replay_timer);
	c->rc = rc;
	free(c->error);
	c->error = rc < 0 ? scrub(c, error && *error ? error : "request failed") : NULL;
	if (rc < 0)
		log_debug("request failed: %s", c->error);
	ev_timer_arm(c->loop, &c->done_timer, 0);
}

static void
on_done_timer(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct llm *c = ctx;
	struct attempt *a = &c->a;
	struct llm_result res;
	char **mal = NULL;
	size_t nmal = 0;
	int rc = c->rc;

	(void)l;
	(void)t;
	memset(&res, 0, sizeof res);
	if (a->live) {
		/* A failed stream still yields its partial message, open blocks closed
		 * (a cut tool call is listed as malformed). */
		if (rc < 0 && a->st.started)
			(void)c->ops->stream_finish(&a->st);
		if (rc == 0 || a->st.started) {
			res.message = a->st.message;
			a->st.message = NULL;
		}
		if (rc == 0) {
			res.stop_reason = a->st.stop_reason;
			a->st.stop_reason = NULL;
		}
		mal = a->st.malformed;
		nmal = a->st.nmalformed;
		a->st.malformed = NULL;
		a->st.nmalformed = a->st.capmalformed = 0;
		res.usage = a->st.usage;
		res.http_status = (int)a->status;
	}
	res.billed = c->spent;
	usage_add(&res.billed, &res.usage);
	char *error = c->error;
	c->error = NULL;
	res.error = error;
	res.malformed_ids = (const char *const *)mal;
	res.nmalformed = nmal;
	struct llm_callbacks cb = c->cb;
	void *cbctx = c->ctx;
	char *stop = (char *)res.stop_reason;

	request_cleanup(c);
	/* From here on `c` may be reused or freed by on_done. */
	if (cb.on_done)
		cb.on_done(rc, &res, cbctx);
	cJSON_Delete(res.message);
	free(stop);
	for (size_t i = 0; i < nmal; i++)
		free(mal[i]);
	free(mal);
	free(error);
}

/*
 * API
 */

static int
grant_cmp(const void *x, const void *y)
{
	const struct grant *a = x, *b = y;

	return a->len < b->len ? 1 : a->len > b->len ? -1 : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Provider kinds (llm_config.provider) and the ops table that speaks each. */
static const struct kind {
	const char *name;
	const struct llm_provider_ops *ops;
	const char *default_base; /* NULL: the config must give one */
	bool needs_key;           /* local OpenAI-compatible servers often take none */
} kinds[] = {
	{ .name = "anthropic",
	  .ops = &llm_anthropic_ops,
	  .default_base = "https://api.anthropic.com",
	  .needs_key = true },
	{ .name = "openai", .ops = &llm_openai_ops, .default_base = "https://api.openai.com/v1" },
	{ .name = "azure", .ops = &llm_openai_ops, .needs_key = true },
};

static const struct kind *
kind_find(const char *name)
{
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

int
llm_global_init(void)
{
	return http_global_init();
}

int
llm_global_load(void)
{
	return http_global_load();
}

void
llm_global_shutdown(void)
{
	http_global_cleanup();
}

const char *
llm_library_version(void)
{
	return http_version();
}

void
llm_fit_output(struct llm_config *cfg)
{
	const struct llm_model_info *m = llm_registry_model(cfg->model);
	long cap = m ? m->max_output : 0;
	const char *from;
	long window = llm_registry_window(cfg->model, cfg->context_window, &from);

	/* Input and output share the window: an output past half of it leaves
	 * too little for deskhand's own system prompt and tools, and a server
	 * refuses every request (a local model served with an 8192-token
	 * window and the default max_tokens 8192). Not for a window guessed
	 * for a model the registry lacks. */
	if (strcmp(from, "default") != 0 && cfg->max_tokens > window / 2) {
		log_info("max_tokens %d is past half the context window of %ld tokens: %ld",
		         cfg->max_tokens, window, window / 4);
		cfg->max_tokens = (int)(window / 4 > 1 ? window / 4 : 1);
	}
	if (cap <= 0)
		return;
	if (cfg->max_tokens > cap) {
		log_info("max_tokens %d is past %s's output limit: %ld", cfg->max_tokens, m->name, cap);
		cfg->max_tokens = (int)cap;
	}
	/* Anthropic asks the budget plus max_tokens when the budget is the
	 * larger (anthropic.c): the answer keeps max_tokens, the budget gets
	 * the rest, at least the API's 1024. */
	if (cfg->thinking > 0 && llm_anthropic_ops.output_tokens(cfg) > cap) {
		if (cap - cfg->max_tokens < 1024)
			cfg->max_tokens = (int)(cap / 2);
		log_info("thinking %ld and max_tokens are past %s's output limit %ld: thinking %ld",
		         cfg->thinking, m->name, cap, cap - cfg->max_tokens);
		cfg->thinking = cap - cfg->max_tokens;
	}
}

long
llm_output_tokens(const struct llm *c)
{
	return c->ops->output_tokens(&c->cfg);
}

int
llm_new(struct llm **out, struct ev_loop *l, const struct llm_config *cfg)
{
	struct llm *c;
	int rc;

	*out = NULL;
	const struct kind *k = kind_find(cfg->provider ? cfg->provider : "anthropic");

	if (!k)
		return err_set("llm: unknown provider kind '%s' (anthropic, openai or azure)",
		               cfg->provider);
	if (!cfg->model || !*cfg->model)
		return err_set("llm: no model configured");
	if (!cfg->replay_path && k->needs_key && (!cfg->api_key || !*cfg->api_key))
		return err_set("llm: no API key");
	if (!k->default_base && (!cfg->base_url || !*cfg->base_url))
		return err_set("llm: provider kind '%s' needs a base URL", k->name);

	c = xcalloc(1, sizeof *c);
	c->loop = l;
	c->ops = k->ops;
	c->record_fd = -1;
	c->cfg = *cfg;
	c->cfg.provider = c->s_provider = xstrdup(k->name);
	c->cfg.base_url = c->s_base =
		xstrdup(cfg->base_url && *cfg->base_url ? cfg->base_url : k->default_base);
	c->cfg.api_version = c->s_api_version = xstrdup_or_null(cfg->api_version);
	c->s_headers = xcalloc(cfg->nheaders + 1, sizeof *c->s_headers);
	for (size_t i = 0; i < cfg->nheaders; i++)
		c->s_headers[i] = xstrdup(cfg->headers[i]);
	c->cfg.headers = (const char *const *)c->s_headers;
	c->cfg.api_key = c->s_key = xstrdup(cfg->api_key ? cfg->api_key : "");
	c->keylen = strlen(c->s_key);
	c->cfg.model = c->s_model = xstrdup(cfg->model);
	c->cfg.record_path = c->s_record = xstrdup_or_null(cfg->record_path);
	c->cfg.replay_path = c->s_replay = xstrdup_or_null(cfg->replay_path);
	if (c->cfg.max_tokens <= 0)
		c->cfg.max_tokens = 8192;
	llm_fit_output(&c->cfg);
	if (c->cfg.max_retries == 0)
		c->cfg.max_retries = 4;
	else if (c->cfg.max_retries < 0)
		c->cfg.max_retries = 0;
	if (c->cfg.idle_timeout_ms <= 0)
		c->cfg.idle_timeout_ms = 120000;
	if (c->cfg.connect_timeout_ms <= 0)
		c->cfg.connect_timeout_ms = 10000;
	if (c->cfg.max_message_bytes == 0)
		c->cfg.max_message_bytes = LLM_MESSAGE_MAX_DEF;

	c->s_redact = xcalloc(cfg->nredact_paths + 1, sizeof *c->s_redact);
	c->grants = xcalloc(cfg->nredact_paths + 1, sizeof *c->grants);
	for (size_t i = 0; i < cfg->nredact_paths; i++) {
		char *p = xstrdup(cfg->redact_paths[i]);
		size_t n = strlen(p);

		while (n > 1 && p[n - 1] == '/')
			p[--n] = '\0';
		c->s_redact[i] = p;
		if (n >= 2) /* never redact "/" or "" */
			c->grants[c->ngrants++] = (struct grant){ p, n, i };
	}
	c->cfg.redact_paths = (const char *const *)c->s_redact;
	qsort(c->grants, c->ngrants, sizeof *c->grants, grant_cmp);

	uint64_t seed = ev_now_ms() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)c;
	c->rng = seed ? seed : 0x9e3779b97f4a7c15ull;
	ev_timer_init(&c->retry_timer, on_retry_timer, c);
	ev_timer_init(&c->replay_timer, on_replay_timer, c);
	ev_timer_init(&c->done_timer, on_done_timer, c);

	if ((rc = http_client_new(&c->http, l)) < 0)
		goto fail;
	if (c->s_replay && (rc = replay_load(c, c->s_replay)) < 0)
		goto fail;
	if (c->s_record) {
		c->record_fd = open(c->s_record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (c->record_fd < 0) {
			rc = err_set("record: %s: %s", c->s_record, strerror(errno));
			goto fail;
		}
	}
	*out = c;
	return 0;
fail:
	llm_free(c);
	return rc;
}

void
llm_free(struct llm *c)
{
	if (!c)
		return;
	llm_cancel(c);
	request_cleanup(c);
	http_client_free(c->http);
	if (c->record_fd >= 0)
		close(c->record_fd);
	cJSON_Delete(c->replay);
	explicit_bzero(c->s_key, c->keylen);
	body_clear(&c->body);
	free(c->body.part);
	free(c->body.own);
	free(c->s_key);
	free(c->s_provider);
	free(c->s_base);
	free(c->s_model);
	free(c->s_record);
	free(c->s_replay);
	free(c->s_api_version);
	for (size_t i = 0; c->s_headers && i < c->cfg.nheaders; i++) {
		explicit_bzero(c->s_headers[i], strlen(c->s_headers[i])); /* may hold a token */
		free(c->s_headers[i]);
	}
	free(c->s_headers);
	for (size_t i = 0; i < c->cfg.nredact_paths; i++)
		free(c->s_redact[i]);
	free(c->s_redact);
	free(c->grants);
	free(c);
}

/* The memo of message `item` of the body: when it is the caller's own (a
 * cJSON reference to a message of req->messages that has a memo: to its
 * members, or to its text when the caller keeps it as a Raw item), the
 * memo; else NULL. *h and *k are the caller's message after the last one
 * matched and its index: the body's messages are in the caller's order, so
 * the whole walk is linear. */
static const struct llm_memo *
memo_of(const cJSON *item, const struct llm_request *req, const cJSON **h, size_t *k)
{
	const cJSON *m = *h;
	size_t i = *k;

	if (!(item->type & cJSON_IsReference))
		return NULL;
	while (m && i < req->nmemo &&
	       (m->child != item->child || m->valuestring != item->valuestring)) {
		m = m->next;
		i++;
	}
	if (!m || i >= req->nmemo)
		return NULL;
	*h = m->next;
	*k = i + 1;
	return &req->memo[i];
}

static void
body_add(struct body *b, const char *p, size_t n)
{
	ARRAY_GROW(b->part, b->nparts, b->capparts, 1);
	b->part[b->nparts++] = (struct http_part){ p, n };
	b->len += n;
}

/* text, which the body owns from now on. */
static const char *
body_keep(struct body *b, char *text)
{
	ARRAY_GROW(b->own, b->nown, b->capown, 1);
	b->own[b->nown++] = text;
	return text;
}

/* Empty, its arrays kept for the next request. */
static void
body_clear(struct body *b)
{
	for (size_t i = 0; i < b->nown; i++)
		free(b->own[i]);
	b->nown = b->nparts = b->len = 0;
}

/* The pieces of json_print(body) into the empty b, and *tokens (llm.h,
 * llm_body_print). The rest of the body is printed with one placeholder in
 * the messages array, a byte that cJSON never writes outside a Raw item (it
 * escapes control characters in strings), and the messages go in its place:
 * a message that has a memo is sent from the memo's text, so a request
 * neither prints the conversation again nor copies it. */
static void
body_pieces(struct body *b, cJSON *body, const struct llm_request *req, size_t *tokens)
{
	cJSON *msgs = cJSON_GetObjectItemCaseSensitive(body, "messages");

	if (!req->nmemo || !cJSON_IsArray(msgs) || !msgs->child) {
		*tokens = llm_tokens_estimate(body);
		const char *t = body_keep(b, json_print(body));

		body_add(b, t, strlen(t));
		return;
	}
	cJSON *items = msgs->child, *mark;

	msgs->child = NULL;
	*tokens = llm_tokens_estimate(body);
	if (!(mark = cJSON_CreateRaw("\x01")))
		die("out of memory (cJSON)");
	json_add(msgs, NULL, mark);
	char *outer = json_print(body);

	cJSON_Delete(cJSON_DetachItemViaPointer(msgs, mark));
	msgs->child = items;
	const char *at = strchr(outer, '\x01');

	if (!at)
		die("llm: the messages' placeholder is missing from the printed body");
	body_add(b, body_keep(b, outer), (size_t)(at - outer));

	const cJSON *h = req->messages ? req->messages->child : NULL;
	size_t k = 0;

	for (const cJSON *item = msgs->child; item; item = item->next) {
		const struct llm_memo *memo = memo_of(item, req, &h, &k);

		if (item != msgs->child)
			body_add(b, ",", 1);
		if (memo) {
			body_add(b, memo->json, strlen(memo->json));
			*tokens += memo->tokens;
		} else {
			const char *t = body_keep(b, json_print(item));

			body_add(b, t, strlen(t));
			*tokens += llm_tokens_value(item);
		}
	}
	body_add(b, at + 1, strlen(at + 1));
}

/* llm.h */
void
llm_body_print(struct buf *out, cJSON *body, const struct llm_request *req, size_t *tokens)
{
	struct body b = { 0 };

	body_pieces(&b, body, req, tokens);
	buf_grow(out, b.len);
	for (size_t i = 0; i < b.nparts; i++)
		buf_add(out, b.part[i].p, b.part[i].n);
	body_clear(&b);
	free(b.part);
	free(b.own);
}

int
llm_start(struct llm *c, const struct llm_request *req, const struct llm_callbacks *cb, void *ctx)
{
	struct llm_http_spec spec;
	size_t tokens;

	if (c->busy)
		return err_set("llm: a request is already in flight");
	if (c->in_feed)
		return err_set("llm: llm_start called from a stream callback");
	if (c->ops->build_request(&spec, &c->cfg, req) < 0)
		return DH_EFAIL;
	body_clear(&c->body);
	body_pieces(&c->body, spec.body, req, &tokens);
	long out = json_int(spec.body, "max_completion_tokens", c->cfg.max_tokens);
	struct llm_usage est = {
		.input_tokens = (long)tokens,
		.output_tokens = json_int(spec.body, "max_tokens", out),
	};

	if (cb->admit) {
		static const struct llm_usage none;

		if (!cb->admit(&est, &none, ctx)) {
			llm_http_spec_fini(&spec);
			return err_setc(DH_EDENIED, "llm: the request was refused before sending");
		}
	}
	c->spec = spec;
	/* The redacted copy is for --record and --replay only (a deep copy: the
	 * body shares the caller's messages). The body goes as soon as it is
	 * printed: the text is what every attempt sends. */
	if (c->record_fd >= 0 || c->replay) {
		c->body_norm = json_dup(c->spec.body);
		json_open_items(cJSON_GetObjectItemCaseSensitive(c->body_norm, "messages"));
		redact_json(c, c->body_norm);
	}
	cJSON_Delete(c->spec.body);
	c->spec.body = NULL;
	c->cb = *cb;
	c->ctx = ctx;
	c->busy = true;
	c->retries = 0;
	memset(&c->spent, 0, sizeof c->spent);
	c->est = est;
	c->rc = 0;
	attempt_begin(c);
	return 0;
}

void
llm_cancel(struct llm *c)
{
	if (!c || !c->busy)
		return;
	c->busy = false;
	http_cancel(c->hreq);
	c->hreq = NULL;
	ev_timer_disarm(c->loop, &c->retry_timer);
	ev_timer_disarm(c->loop, &c->replay_timer);
	ev_timer_disarm(c->loop, &c->done_timer);
	if (c->in_feed > 0) {
		c->cleanup_pending = true; /* the decoder is on the stack: free it on the way out */
		return;
	}
	request_cleanup(c);
}

bool
llm_is_busy(const struct llm *c)
{
	return c && c->busy;
}

cJSON *
llm_result_take_message(struct llm_result *res)
{
	cJSON *m;

	if (!res)
		return NULL;
	m = res->message;
	res->message = NULL;
	return m;
}
