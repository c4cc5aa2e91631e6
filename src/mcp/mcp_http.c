/* SPDX-License-Identifier: MIT */
/*
 * MCP's Streamable HTTP transport (specification 2025-11-25 and 2026-07-28,
 * basic/transports#streamable-http): every message is a POST of one JSON-RPC
 * object; the answer is 202 (nothing to say), one JSON body, or an SSE
 * stream (net/sse.h) of messages that ends with the response. 2025-11-25
 * adds MCP-Session-Id and the GET stream for server-initiated messages; a
 * stream that ends before its response is resumed with a GET carrying
 * Last-Event-ID after the stream's `retry` delay (SEP-1699). 2026-07-28
 * adds the Mcp-Method, Mcp-Name and Mcp-Param-* headers (SEP-2243).
 * 401/403 go to the OAuth hook (mcp/oauth.h) or leave MCP_NEEDS_AUTH.
 */
#include "mcp/mcp_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "net/http.h"
#include "net/sse.h"

#define RETRY_DEF_MS 1000L  /* reconnection delay when the server named none */
#define RESUMES_MAX 5	    /* GETs in a row that brought no event */
#define CONNECT_TIMEOUT_MS 15000L
#define ERRBODY_MAX 4096

enum stream_kind { ST_POST, ST_RESUME, ST_GET };

struct stream {
	struct http_tr *t;
	struct stream *next;
	enum stream_kind kind;
	struct http_request *req;
	struct mcp_call *call;	/* the request this stream answers, or NULL */
	long status;
	bool sse;
	bool json;
	bool too_big;
	bool auth_retry;	/* this POST is the retry after authorization */
	bool auth_wait;		/* waiting for auth_done */
	struct sse_decoder dec;
	struct buf body;	/* a JSON body, or an error body */
	char *www_auth;
	char *last_id;		/* the last SSE event id */
	long retry_ms;
	unsigned events;	/* events received on this connection */
	unsigned resumes;	/* resumptions without events */
	struct ev_timer timer;	/* the delay before a resumption */
	cJSON *msg;		/* POST: the message, kept for an authorization retry */
};

struct http_tr {
	struct mcp_server *s;
	struct stream *streams;
	char *session;		/* MCP-Session-Id (2025-11-25) */
	bool get_refused;	/* the server has no GET stream (405) */
};

static void stream_free(struct stream *st);
static int post_start(struct stream *st);

static void
stream_unlink(struct stream *st)
{
	for (struct stream **pp = &st->t->streams; *pp; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			return;
		}
}

static void
stream_free(struct stream *st)
{
	if (!st)
		return;
	stream_unlink(st);
	if (st->auth_wait && st->t->s->auth_forget)
		st->t->s->auth_forget(st->t->s->auth, st);
	if (st->call && st->call->stream == st)
		st->call->stream = NULL;
	http_cancel(st->req);
	ev_timer_disarm(st->t->s->loop, &st->timer);
	sse_fini(&st->dec);
	buf_fini(&st->body);
	free(st->www_auth);
	free(st->last_id);
	cJSON_Delete(st->msg);
	free(st);
}

/* ---- receiving ---------------------------------------------------------- */

static int
on_event(const struct sse_event *ev, void *ctx)
{
	struct stream *st = ctx;
	struct mcp_server *s = st->t->s;

	st->events++;
	if (ev->id) {
		free(st->last_id);
		st->last_id = xstrdup(ev->id);
	}
	if (ev->retry >= 0)
		st->retry_ms = ev->retry;
	if (ev->event && strcmp(ev->event, "message") != 0)
		return 0;
	if (ev->data_len == 0)
		return 0; /* a priming event: only its id and retry matter */
	if (ev->data_len > s->max_message) {
		mcp_incoming_too_big(s, ev->data, ev->data_len < 256 ? ev->data_len : 256,
				     ev->data_len);
		return 0;
	}
	mcp_incoming(s, ev->data, ev->data_len);
	return 0;
}

static void
on_header(long status, const char *name, const char *value, void *ctx)
{
	struct stream *st = ctx;

	st->status = status;
	if (strcmp(name, "content-type") == 0) {
		st->sse = strncasecmp(value, "text/event-stream", 17) == 0;
		st->json = strncasecmp(value, "application/json", 16) == 0;
	} else if (strcmp(name, "mcp-session-id") == 0 && status / 100 == 2 && *value) {
		free(st->t->session);
		st->t->session = xstrdup(value);
	} else if (strcmp(name, "www-authenticate") == 0) {
		free(st->www_auth);
		st->www_auth = xstrdup(value);
	}
}

static void
on_body(const char *p, size_t n, void *ctx)
{
	struct stream *st = ctx;
	struct mcp_server *s = st->t->s;

	if (st->too_big)
		return;
	if (st->sse && st->status / 100 == 2) {
		if (sse_feed(&st->dec, p, n) < 0) {
			st->too_big = true;
			if (st->call)
				mcp_call_fail(st->call, "%s: %s", s->name, err_msg());
			else
				mcp_log(s, "warning", "%s", err_msg());
			http_cancel(st->req);
			st->req = NULL;
		}
		return;
	}
	size_t cap = st->status / 100 == 2 ? s->max_message : ERRBODY_MAX;
	if (st->body.len + n > cap) {
		if (st->status / 100 != 2) {
			buf_add(&st->body, p, cap - st->body.len);
			st->too_big = true;
			return;
		}
		st->too_big = true;
		if (st->call)
			mcp_call_fail(st->call, "%s sent a message larger than %zu bytes: dropped",
				      s->name, s->max_message);
		http_cancel(st->req);
		st->req = NULL;
		return;
	}
	buf_add(&st->body, p, n);
}

/* ---- sending ------------------------------------------------------------ */

static void
add_header(struct strv *h, const char *name, const char *value)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s: %s", name, value);
	strv_add(h, buf_cstr(&b));
	buf_fini(&b);
}

static void
common_headers(struct http_tr *t, struct strv *h)
{
	struct mcp_server *s = t->s;

	for (size_t i = 0; i < s->headers.n; i++)
		strv_add(h, s->headers.v[i]);
	if (s->wire_version)
		add_header(h, "MCP-Protocol-Version", s->wire_version);
	if (t->session)
		add_header(h, "MCP-Session-Id", t->session);
	const char *auth = s->auth_header ? s->auth_header(s->auth) : NULL;
	if (auth)
		strv_add(h, auth);
}

static void on_done(const struct http_result *res, void *ctx);

static const struct http_callbacks callbacks = {
	.on_header = on_header,
	.on_body = on_body,
	.on_done = on_done,
};

static void
stream_reset(struct stream *st)
{
	st->status = 0;
	st->sse = st->json = st->too_big = false;
	st->events = 0;
	sse_reset(&st->dec);
	buf_clear(&st->body);
	free(st->www_auth);
	st->www_auth = NULL;
}

static int
post_start(struct stream *st)
{
	struct http_tr *t = st->t;
	struct mcp_server *s = t->s;
	struct strv h = ARRAY_INIT;
	const char *method = json_str(st->msg, "method");

	stream_reset(st);
	add_header(&h, "Content-Type", "application/json");
	add_header(&h, "Accept", "application/json, text/event-stream");
	common_headers(t, &h);
	if (s->rev && strcmp(s->rev, MCP_REV_2026) == 0 && method) {
		add_header(&h, "Mcp-Method", method);
		if (st->call && st->call->name) {
			struct buf v = BUF_INIT;
			mcp_header_value(&v, st->call->name);
			add_header(&h, "Mcp-Name", buf_cstr(&v));
			buf_fini(&v);
		}
		if (strcmp(method, "tools/call") == 0)
			mcp_param_headers(s, json_obj(st->msg, "params"), &h);
	}
	char *body = json_print(st->msg);
	struct http_spec spec = {
		.method = "POST",
		.url = s->url,
		.headers = (const char *const *)h.v,
		.nheaders = h.n,
		.body = body,
		.body_len = strlen(body),
		.connect_timeout_ms = CONNECT_TIMEOUT_MS,
	};
	int rc = http_start(&st->req, s->http, &spec, &callbacks, st);
	free(body);
	strv_free(&h);
	return rc;
}

static int
get_start(struct stream *st)
{
	struct http_tr *t = st->t;
	struct mcp_server *s = t->s;
	struct strv h = ARRAY_INIT;

	stream_reset(st);
	add_header(&h, "Accept", "text/event-stream");
	common_headers(t, &h);
	if (st->last_id)
		add_header(&h, "Last-Event-ID", st->last_id);
	struct http_spec spec = {
		.method = "GET",
		.url = s->url,
		.headers = (const char *const *)h.v,
		.nheaders = h.n,
		.connect_timeout_ms = CONNECT_TIMEOUT_MS,
	};
	int rc = http_start(&st->req, s->http, &spec, &callbacks, st);
	strv_free(&h);
	return rc;
}

static void
resume_fire(struct ev_loop *l, struct ev_timer *tm, void *ctx)
{
	struct stream *st = ctx;

	(void)l;
	(void)tm;
	if (get_start(st) < 0) {
		if (st->call)
			mcp_call_fail(st->call, "reconnecting to %s: %s", st->t->s->name, err_msg());
		stream_free(st);
	}
}

static struct stream *
stream_new(struct http_tr *t, enum stream_kind kind, struct mcp_call *call)
{
	struct stream *st = xcalloc(1, sizeof *st);

	st->t = t;
	st->kind = kind;
	st->call = call;
	st->retry_ms = -1;
	sse_init(&st->dec, on_event, st);
	ev_timer_init(&st->timer, resume_fire, st);
	st->next = t->streams;
	t->streams = st;
	if (call)
		call->stream = st;
	return st;
}

/* Schedule a GET that resumes `st` after the retry delay. */
static bool
resume_later(struct stream *st)
{
	if (st->events == 0 && ++st->resumes > RESUMES_MAX)
		return false;
	if (st->events > 0)
		st->resumes = 0;
	st->kind = st->kind == ST_GET ? ST_GET : ST_RESUME;
	st->req = NULL;
	long delay = st->retry_ms >= 0 ? st->retry_ms : RETRY_DEF_MS;
	ev_timer_arm(st->t->s->loop, &st->timer, (uint64_t)delay);
	return true;
}

static void
auth_done(int rc, const char *error, void *ctx)
{
	struct stream *st = ctx;

	st->auth_wait = false;
	/* The call's clock runs again from the retry (it stood still while
	 * the person authorized). */
	if (st->call)
		ev_timer_arm(st->t->s->loop, &st->call->timer, (uint64_t)st->call->timeout_ms);
	if (st->t->s->state == MCP_STARTING)
		st->t->s->hello_t0 = ev_now_ms(); /* so does the handshake's */
	if (rc == 0 && post_start(st) == 0)
		return;
	if (st->call)
		mcp_call_fail(st->call, "HTTP 401 (authorization required): %s", rc == 0 ? err_msg() : error);
	stream_free(st);
}

static void
on_done(const struct http_result *res, void *ctx)
{
	struct stream *st = ctx;
	struct http_tr *t = st->t;
	struct mcp_server *s = t->s;
	struct mcp_call *c = st->call;

	st->req = NULL;
	if (res->rc < 0) {
		if (c && !st->too_big)
			mcp_call_fail(c, "%s: %s", s->name, res->error ? res->error : "transfer failed");
		if (st->kind == ST_GET && !c && resume_later(st))
			return;
		stream_free(st);
		return;
	}
	long status = res->status;
	if ((status == 401 || status == 403) && st->kind == ST_POST) {
		if (s->auth_challenge && !st->auth_retry) {
			st->auth_retry = true;
			if (s->auth_challenge(s->auth, status, st->www_auth, auth_done, st) == 0) {
				st->auth_wait = true;
				if (c) /* authorizing may take the person minutes */
					ev_timer_disarm(s->loop, &c->timer);
				return;
			}
		}
		if (c)
			mcp_call_fail(c, "%s answered HTTP %ld: authorization required", s->name, status);
		mcp_transport_closed(s, MCP_NEEDS_AUTH, "%s needs authorization (HTTP %ld)", s->name,
				     status);
		stream_free(st);
		return;
	}
	if (st->kind == ST_GET || (st->kind == ST_RESUME && !c)) {
		/* The server's own stream: reconnect while it keeps talking. */
		if (status == 200 && st->sse && !t->get_refused && resume_later(st))
			return;
		if (status == 405)
			t->get_refused = true;
		stream_free(st);
		return;
	}
	if (status / 100 == 2 && st->sse) {
		/* The stream ended: if the response has not come, resume it. */
		if (c && st->last_id && resume_later(st))
			return;
		if (c)
			mcp_call_fail(c, "%s closed the stream before answering %s", s->name,
				      c->method);
		stream_free(st);
		return;
	}
	if (status / 100 == 2) {
		if (st->body.len > 0 && !st->too_big)
			mcp_incoming(s, st->body.ptr, st->body.len);
		else if (c && status != 202 && !st->too_big)
			mcp_call_fail(c, "%s answered HTTP %ld without a message", s->name, status);
		if (c && st->body.len == 0 && status == 202)
			mcp_call_fail(c, "%s accepted %s without answering it", s->name, c->method);
		stream_free(st);
		return;
	}
	/* An error status: a JSON-RPC error in the body answers the call
	 * (e.g. 400 with UnsupportedProtocolVersionError), else the status. */
	if (status == 404 && t->session && st->kind == ST_POST) {
		free(t->session);
		t->session = NULL;
		stream_free(st);
		mcp_session_expired(s);
		return;
	}
	cJSON *err = NULL;
	if (c && st->body.len > 0 &&
	    json_parse(&err, st->body.ptr, st->body.len, "error body") == 0 &&
	    json_obj(err, "error")) {
		cJSON *id = cJSON_GetObjectItemCaseSensitive(err, "id");
		if (!cJSON_IsNumber(id)) { /* id null: it is about this request */
			cJSON_DeleteItemFromObject(err, "id");
			json_add_num(err, "id", (double)c->id);
		}
		char *text = json_print(err);
		mcp_incoming(s, text, strlen(text));
		free(text);
	} else if (c) {
		const char *b = buf_cstr(&st->body);
		size_t n = strcspn(b, "\r\n");
		mcp_call_fail(c, "%s answered HTTP %ld%s%.*s", s->name, status, n ? ": " : "",
			      (int)(n > 200 ? 200 : n), b);
	}
	cJSON_Delete(err);
	stream_free(st);
}

static int
http_tr_start(struct mcp_server *s)
{
	struct http_tr *t = xcalloc(1, sizeof *t);
	struct http_url u;

	if (http_url_parse(&u, s->url) < 0) {
		free(t);
		return DH_EFAIL;
	}
	bool ok = strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0;
	http_url_fini(&u);
	if (!ok) {
		free(t);
		return err_set("url %s: only http and https", s->url);
	}
	t->s = s;
	s->tr = t;
	return 0;
}

static int
http_tr_send(struct mcp_server *s, const cJSON *msg, struct mcp_call *call)
{
	struct http_tr *t = s->tr;
	struct stream *st = stream_new(t, ST_POST, call);

	st->msg = json_dup(msg);
	if (post_start(st) < 0) {
		stream_free(st);
		return DH_EFAIL;
	}
	return 0;
}

static void
http_tr_call_gone(struct mcp_server *s, struct mcp_call *c)
{
	struct http_tr *t = s->tr;

	if (!t)
		return;
	for (struct stream *st = t->streams; st; st = st->next)
		if (st->call == c) {
			/* The response came (or the call was dropped): a POST stream
			 * still open is closed, which 2026-07-28 reads as a
			 * cancellation of whatever is left. */
			st->call = NULL;
			if (st->kind != ST_GET) {
				stream_free(st);
				return;
			}
		}
	c->stream = NULL;
}

static void
http_tr_ready(struct mcp_server *s)
{
	struct http_tr *t = s->tr;

	/* 2025-11-25: the GET stream for server-initiated messages. */
	for (struct stream *st = t->streams, *next; st; st = next) {
		next = st->next;
		if (st->kind == ST_GET)
			stream_free(st); /* of the session before (a new one) */
	}
	if (s->rev && strcmp(s->rev, MCP_REV_2025) == 0 && !t->get_refused) {
		struct stream *st = stream_new(t, ST_GET, NULL);
		if (get_start(st) < 0)
			stream_free(st);
	}
}

static void
http_tr_stop(struct mcp_server *s)
{
	struct http_tr *t = s->tr;

	if (!t)
		return;
	while (t->streams)
		stream_free(t->streams);
	free(t->session);
	free(t);
	s->tr = NULL;
}

const struct mcp_transport_ops mcp_http_ops = {
	.start = http_tr_start,
	.send = http_tr_send,
	.call_gone = http_tr_call_gone,
	.ready = http_tr_ready,
	.stop = http_tr_stop,
};

/* ---- SEP-2243 headers ------------------------------------------------------ */

static bool
header_token(const char *n, const char **why)
{
	if (!*n) {
		*why = "an empty x-mcp-header";
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)n; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == ':' || strchr("\"(),/;<=>?@[\\]{}", *p)) {
			*why = "an x-mcp-header with a character a header name cannot hold";
			return false;
		}
	return true;
}

bool
mcp_tool_headers_valid(const cJSON *schema, const char **why)
{
	const cJSON *props = json_obj(schema, "properties");
	const cJSON *p;
	struct strv seen = ARRAY_INIT;
	bool ok = true;

	cJSON_ArrayForEach(p, props) {
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(p, "x-mcp-header");
		if (!h)
			continue;
		const char *type = json_str(p, "type");
		if (!cJSON_IsString(h) || !header_token(h->valuestring, why)) {
			if (!cJSON_IsString(h))
				*why = "an x-mcp-header that is not a string";
			ok = false;
			break;
		}
		if (!type || (strcmp(type, "string") != 0 && strcmp(type, "integer") != 0 &&
			      strcmp(type, "boolean") != 0)) {
			*why = "an x-mcp-header on a property that is not a string, integer or boolean";
			ok = false;
			break;
		}
		for (size_t i = 0; i < seen.n; i++)
			if (strcasecmp(seen.v[i], h->valuestring) == 0) {
				*why = "two properties with the same x-mcp-header";
				ok = false;
			}
		if (!ok)
			break;
		strv_add(&seen, h->valuestring);
	}
	strv_free(&seen);
	return ok;
}

void
mcp_header_value(struct buf *out, const char *v)
{
	size_t n = strlen(v);
	bool plain = n == 0 || (v[0] != ' ' && v[0] != '\t' && v[n - 1] != ' ' && v[n - 1] != '\t');

	for (size_t i = 0; plain && i < n; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			plain = false;
	if (plain) {
		buf_puts(out, v);
		return;
	}
	buf_puts(out, "=?base64?");
	buf_add_base64(out, v, n);
	buf_puts(out, "?=");
}

void
mcp_param_headers(struct mcp_server *s, const cJSON *params, struct strv *out)
{
	const char *name = json_str(params, "name");
	const struct mcp_tool *tool = name ? mcp_tool_find(s, name) : NULL;
	const cJSON *args = json_obj(params, "arguments");
	const cJSON *p;

	if (!tool || !args)
		return;
	cJSON_ArrayForEach(p, json_obj(tool->input_schema, "properties")) {
		const char *h = json_str(p, "x-mcp-header");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(args, p->string);
		struct buf line = BUF_INIT;
		if (!h || !v || cJSON_IsNull(v))
			continue;
		buf_printf(&line, "Mcp-Param-%s: ", h);
		if (cJSON_IsString(v)) {
			mcp_header_value(&line, v->valuestring);
		} else if (cJSON_IsBool(v)) {
			buf_puts(&line, cJSON_IsTrue(v) ? "true" : "false");
		} else if (cJSON_IsNumber(v)) {
			buf_printf(&line, "%.17g", v->valuedouble);
		} else {
			buf_fini(&line);
			continue;
		}
		strv_add(out, buf_cstr(&line));
		buf_fini(&line);
	}
}
