/* SPDX-License-Identifier: MIT */
/*
 * The MCP client's protocol core: JSON-RPC 2.0 ids and calls, version
 * negotiation (2026-07-28 server/discover with per-request _meta, falling
 * back to 2025-11-25 initialize), paginated lists, input_required retries,
 * elicitation, progress, cancellation, list_changed and ttlMs reloads.
 * Spec: modelcontextprotocol.io/specification/2026-07-28 (basic, lifecycle,
 * utilities/mrtr, server/tools) and /2025-11-25 (basic/lifecycle,
 * client/elicitation, basic/utilities/{progress,cancellation,ping}).
 */
#include "mcp/mcp_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json.h"
#include "core/xalloc.h"

#define CLIENT_NAME "deskhand"
#define CLIENT_VERSION "0.1.0" /* main.c's DESKHAND_VERSION */
#define MAX_PAGES 100	       /* pages of one list */
#define MAX_ROUNDS 8	       /* input_required rounds of one call */
#define DISCOVER_TIMEOUT_MS 10000L
#define TTL_MIN_MS 5000L
#define ERR_UNSUPPORTED_VERSION -32022
#define ERR_METHOD_NOT_FOUND -32601
#define LISTEN_RETRIES 5	       /* subscriptions/listen reopened after ends in a row */
#define LISTEN_RETRY_MS 1000L      /* … after this many ms times the ends so far */

static void dispatch_arm(struct mcp_server *s);
static int send_request(struct mcp_call *c);
static void start_lists(struct mcp_server *s);
static void initialize(struct mcp_server *s);
static void subs_resume(struct mcp_server *s);

/* ---- small helpers ---------------------------------------------------- */

/* Queued as a notifications/message of our own, so that on_log, like every
 * host callback, runs from the dispatcher and never inside a read or a curl
 * callback (the host may free the server from it). */
void
mcp_log(struct mcp_server *s, const char *level, const char *fmt, ...)
{
	if (!s->ops.on_log)
		return;
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	cJSON *msg = json_new_obj();
	json_add_str(msg, "jsonrpc", "2.0");
	json_add_str(msg, "method", "notifications/message");
	cJSON *p = json_add(msg, "params", json_new_obj());
	json_add_str(p, "level", level);
	json_add_str(p, "data", tmp);
	cJSON_AddItemToArray(s->inbox, msg);
	dispatch_arm(s);
}

static void
set_state(struct mcp_server *s, enum mcp_state st)
{
	if (s->state == st)
		return;
	s->state = st;
	if (s->ops.on_state)
		s->ops.on_state(s, st, s->ctx);
}

static void
set_error(struct mcp_server *s, const char *msg)
{
	char *old = s->error;

	s->error = xstrdup(msg); /* msg may be the old one */
	free(old);
}

static bool
is_2026(const struct mcp_server *s)
{
	return s->rev && strcmp(s->rev, MCP_REV_2026) == 0;
}

/* clientCapabilities: elicitation (form and url) when the host answers. */
static cJSON *
client_caps(const struct mcp_server *s)
{
	cJSON *caps = json_new_obj();

	if (s->ops.on_elicit) {
		cJSON *el = json_add(caps, "elicitation", json_new_obj());
		json_add(el, "form", json_new_obj());
		json_add(el, "url", json_new_obj());
	}
	return caps;
}

static cJSON *
client_info(void)
{
	cJSON *ci = json_new_obj();

	json_add_str(ci, "name", CLIENT_NAME);
	json_add_str(ci, "version", CLIENT_VERSION);
	return ci;
}

/* The request as sent: params + (2026-07-28) _meta with the version, our
 * capabilities and clientInfo, and a progress token when asked for. */
static cJSON *
build_request(struct mcp_call *c)
{
	struct mcp_server *s = c->s;
	cJSON *msg = json_new_obj();
	cJSON *params = c->params ? json_dup(c->params) : json_new_obj();

	json_add_str(msg, "jsonrpc", "2.0");
	json_add_num(msg, "id", (double)c->id);
	json_add_str(msg, "method", c->method);
	if (c->responses && cJSON_GetArraySize(c->responses) > 0)
		json_add(params, "inputResponses", json_dup(c->responses));
	if (c->request_state)
		json_add_str(params, "requestState", c->request_state);
	if (is_2026(s) || c->progress) {
		cJSON *meta = json_obj(params, "_meta");
		if (!meta)
			meta = json_add(params, "_meta", json_new_obj());
		if (is_2026(s)) {
			cJSON_DeleteItemFromObject(meta, "io.modelcontextprotocol/protocolVersion");
			json_add_str(meta, "io.modelcontextprotocol/protocolVersion", s->rev);
			cJSON_DeleteItemFromObject(meta, "io.modelcontextprotocol/clientCapabilities");
			json_add(meta, "io.modelcontextprotocol/clientCapabilities", client_caps(s));
			cJSON_DeleteItemFromObject(meta, "io.modelcontextprotocol/clientInfo");
			json_add(meta, "io.modelcontextprotocol/clientInfo", client_info());
		}
		if (c->progress) {
			char tok[48];
			snprintf(tok, sizeof tok, "dh-%lx", (unsigned long)c->id);
			cJSON_DeleteItemFromObject(meta, "progressToken");
			json_add_str(meta, "progressToken", tok);
		}
	}
	json_add(msg, "params", params);
	return msg;
}

static int
send_msg(struct mcp_server *s, cJSON *msg, struct mcp_call *c)
{
	int rc = s->tops->send(s, msg, c);
	cJSON_Delete(msg);
	return rc;
}

static void
send_notification(struct mcp_server *s, const char *method, cJSON *params)
{
	cJSON *msg = json_new_obj();

	json_add_str(msg, "jsonrpc", "2.0");
	json_add_str(msg, "method", method);
	if (params)
		json_add(msg, "params", params);
	if (send_msg(s, msg, NULL) < 0)
		mcp_log(s, "warning", "%s: %s", method, err_msg());
}

/* Answer a server request: result (taken) or an error. */
static void
send_response(struct mcp_server *s, const cJSON *id, cJSON *result, int code, const char *message)
{
	cJSON *msg = json_new_obj();

	json_add_str(msg, "jsonrpc", "2.0");
	json_add(msg, "id", json_dup(id));
	if (result) {
		json_add(msg, "result", result);
	} else {
		cJSON *e = json_add(msg, "error", json_new_obj());
		json_add_num(e, "code", code);
		json_add_str(e, "message", message);
	}
	if (send_msg(s, msg, NULL) < 0)
		mcp_log(s, "warning", "response: %s", err_msg());
}

/* ---- calls -------------------------------------------------------------- */

struct mcp_call *
mcp_call_by_id(struct mcp_server *s, long id)
{
	for (struct mcp_call *c = s->calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void
elicit_free(struct mcp_elicit *e)
{
	cJSON_Delete(e->rpc_id);
	cJSON_Delete(e->params);
	free(e->key);
	free(e);
}

static void
call_unlink(struct mcp_call *c)
{
	struct mcp_server *s = c->s;

	for (struct mcp_call **pp = &s->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ev_timer_disarm(s->loop, &c->timer);
	if (s->tops)
		s->tops->call_gone(s, c);
	/* Elicitations still open for this call are dropped. */
	for (struct mcp_elicit **pp = &s->elicits; *pp;) {
		struct mcp_elicit *e = *pp;
		if (e->call == c) {
			*pp = e->next;
			elicit_free(e);
		} else {
			pp = &e->next;
		}
	}
}

static void
call_free(struct mcp_call *c)
{
	if (c->ctx_free)
		c->ctx_free(c->ctx);
	free(c->method);
	free(c->name);
	free(c->fail);
	free(c->request_state);
	cJSON_Delete(c->params);
	cJSON_Delete(c->responses);
	free(c);
}

/* Report and free: the call is finished. */
static void
call_finish(struct mcp_call *c, const struct mcp_result *res)
{
	call_unlink(c);
	c->ctx_free = NULL; /* the callback owns ctx now */
	if (c->internal)
		c->internal(c, res);
	else if (c->done)
		c->done(res, c->ctx);
	call_free(c);
}

static void
call_finish_error(struct mcp_call *c, const char *msg)
{
	struct mcp_result res = { .rc = DH_EFAIL, .is_error = true, .error = msg };
	call_finish(c, &res);
}

void
mcp_call_fail(struct mcp_call *c, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (!c->fail)
		c->fail = xstrdup(tmp);
	dispatch_arm(c->s);
}

static void
call_timeout(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct mcp_call *c = ctx;
	struct mcp_server *s = c->s;
	cJSON *p = json_new_obj();

	(void)l;
	(void)t;
	json_add_num(p, "requestId", (double)c->id);
	json_add_str(p, "reason", "timed out");
	send_notification(s, "notifications/cancelled", p);
	mcp_call_fail(c, "%s: no answer from %s within %ld ms", c->method, s->name, c->timeout_ms);
}

static struct mcp_call *
call_new(struct mcp_server *s, const char *method, const cJSON *params)
{
	struct mcp_call *c = xcalloc(1, sizeof *c);

	c->s = s;
	c->method = xstrdup(method);
	c->params = params ? json_dup(params) : NULL;
	c->timeout_ms = s->timeout_ms;
	const char *nm = params ? json_str(params, "name") : NULL;
	if (!nm && params)
		nm = json_str(params, "uri");
	if (nm && (!strcmp(method, "tools/call") || !strcmp(method, "prompts/get") ||
		   !strcmp(method, "resources/read")))
		c->name = xstrdup(nm);
	ev_timer_init(&c->timer, call_timeout, c);
	c->next = s->calls;
	s->calls = c;
	return c;
}

static int
send_request(struct mcp_call *c)
{
	c->id = ++c->s->next_id;
	if (c->timeout_ms != MCP_NO_TIMEOUT)
		ev_timer_arm(c->s->loop, &c->timer, (uint64_t)c->timeout_ms);
	return send_msg(c->s, build_request(c), c);
}

/* Start an internal request; a send failure is reported through fn.
 * `ctx_free` (may be NULL) frees ctx if the call is dropped before fn runs. */
static void
internal_request(struct mcp_server *s, const char *method, const cJSON *params,
		 void (*fn)(struct mcp_call *, const struct mcp_result *), void *ctx,
		 void (*ctx_free)(void *), long timeout)
{
	struct mcp_call *c = call_new(s, method, params);

	c->internal = fn;
	c->ctx = ctx;
	c->ctx_free = ctx_free;
	if (timeout > 0 && timeout < c->timeout_ms)
		c->timeout_ms = timeout;
	if (send_request(c) < 0)
		mcp_call_fail(c, "%s", err_msg());
}

/* ---- subscriptions ------------------------------------------------------ */

/*
 * What changes on the server reaches the host as notifications: the lists
 * (tools, prompts, resources: list_changed) and the resources subscribed
 * with mcp_resource_subscribe (resources/updated). 2025-11-25 sends them
 * unasked on the GET stream or stdout, and subscribes a resource with
 * resources/subscribe. 2026-07-28 sends them only on the response stream of
 * one subscriptions/listen request, filtered by what it asks for (SEP-2575):
 * that request is opened once the server is ready, reopened with the new
 * set when a resource is subscribed, and again after the server ended it
 * (LISTEN_RETRIES times in a row without an acknowledgement, then given up).
 */

static bool
cap_on(const struct mcp_server *s, const char *kind, const char *flag)
{
	return json_bool(json_obj(s->caps, kind), flag, false);
}

static void listen_open(struct mcp_server *s);

static void
listen_again(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	listen_open(ctx);
}

static void
listen_done(struct mcp_call *c, const struct mcp_result *res)
{
	struct mcp_server *s = c->s;

	if (s->listen == c)
		s->listen = NULL;
	if (s->state != MCP_READY)
		return; /* closed or restarting: subs_resume opens it again */
	if (c->rpc_error && json_int(c->rpc_error, "code", 0) == ERR_METHOD_NOT_FOUND) {
		s->listen_refused = true;
		mcp_log(s, "info", "subscriptions/listen: not offered; no change notifications");
		return;
	}
	if (++s->listen_fails > LISTEN_RETRIES) {
		mcp_log(s, "warning", "subscriptions/listen ended %u times: %s; no more change "
			"notifications from this server", s->listen_fails - 1,
			res->error ? res->error : "no reason given");
		return;
	}
	mcp_log(s, "info", "subscriptions/listen ended (%s); reopening",
		res->error ? res->error : "no reason given");
	ev_timer_arm(s->loop, &s->listen_timer, (uint64_t)(LISTEN_RETRY_MS * s->listen_fails));
}

/* (Re)open the listen request with what the server offers and the URIs
 * subscribed; the one open before is closed (a cancellation). */
static void
listen_open(struct mcp_server *s)
{
	bool lists = cap_on(s, "tools", "listChanged") || cap_on(s, "prompts", "listChanged") ||
		     cap_on(s, "resources", "listChanged");
	bool res = cap_on(s, "resources", "subscribe") && s->subs.n > 0;

	ev_timer_disarm(s->loop, &s->listen_timer);
	if (!is_2026(s) || s->state != MCP_READY || s->listen_refused || !(lists || res))
		return;
	if (s->listen) {
		struct mcp_call *old = s->listen;
		s->listen = NULL;
		mcp_call_cancel(old);
	}
	cJSON *p = json_new_obj(), *f = json_add(p, "notifications", json_new_obj());
	if (cap_on(s, "tools", "listChanged"))
		json_add_bool(f, "toolsListChanged", true);
	if (cap_on(s, "prompts", "listChanged"))
		json_add_bool(f, "promptsListChanged", true);
	if (cap_on(s, "resources", "listChanged"))
		json_add_bool(f, "resourcesListChanged", true);
	if (res) {
		cJSON *uris = json_add(f, "resourceSubscriptions", json_new_arr());
		for (size_t i = 0; i < s->subs.n; i++)
			json_add(uris, NULL, cJSON_CreateString(s->subs.v[i]));
	}
	struct mcp_call *c = call_new(s, "subscriptions/listen", p);
	cJSON_Delete(p);
	c->internal = listen_done;
	c->timeout_ms = MCP_NO_TIMEOUT;
	s->listen = c;
	if (send_request(c) < 0)
		mcp_call_fail(c, "%s", err_msg());
}

static void
subscribe_done(struct mcp_call *c, const struct mcp_result *res)
{
	if (res->rc < 0 || res->is_error)
		mcp_log(c->s, "warning", "resources/subscribe %s: %s",
			json_str(c->params, "uri") ? json_str(c->params, "uri") : "?",
			res->error ? res->error : "refused");
}

static void
subscribe_2025(struct mcp_server *s, const char *uri)
{
	cJSON *p = json_new_obj();

	json_add_str(p, "uri", uri);
	internal_request(s, "resources/subscribe", p, subscribe_done, NULL, NULL, 0);
	cJSON_Delete(p);
}

/* The server is ready (again: a new 2025-11-25 session after an expired
 * one): what was subscribed is asked for again. */
static void
subs_resume(struct mcp_server *s)
{
	s->listen_fails = 0;
	if (is_2026(s)) {
		listen_open(s);
		return;
	}
	if (cap_on(s, "resources", "subscribe"))
		for (size_t i = 0; i < s->subs.n; i++)
			subscribe_2025(s, s->subs.v[i]);
}

bool
mcp_resource_subscribe(struct mcp_server *s, const char *uri)
{
	if (!s || !uri || s->state != MCP_READY || !cap_on(s, "resources", "subscribe"))
		return false;
	if (strv_has(&s->subs, uri))
		return true;
	strv_add(&s->subs, uri);
	if (is_2026(s))
		listen_open(s);
	else
		subscribe_2025(s, uri);
	return true;
}

/* ---- the server's lifecycle --------------------------------------------- */

void
mcp_transport_closed(struct mcp_server *s, enum mcp_state st, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (s->state == MCP_CLOSED || s->state == MCP_FAILED)
		return;
	set_error(s, tmp);
	for (struct mcp_call *c = s->calls; c; c = c->next)
		if (!c->fail)
			c->fail = xstrdup(tmp);
	s->closing_state = st;
	dispatch_arm(s);
}

void
mcp_session_expired(struct mcp_server *s)
{
	if (s->state != MCP_READY) {
		mcp_transport_closed(s, MCP_CLOSED, "%s ended the session (HTTP 404)", s->name);
		return;
	}
	for (struct mcp_call *c = s->calls; c; c = c->next)
		if (!c->fail)
			c->fail = xasprintf("%s ended the session (HTTP 404) before answering %s",
					    s->name, c->method);
	dispatch_arm(s);
	mcp_log(s, "info", "%s ended the session: initializing a new one", s->name);
	set_state(s, MCP_STARTING);
	s->hello_t0 = ev_now_ms();
	initialize(s);
}

/* Start-up failed; an HTTP server that wants authorization is not failed
 * but waits for it. */
static void
fail_start(struct mcp_server *s, const char *msg)
{
	if (s->closing_state == MCP_NEEDS_AUTH) {
		set_state(s, MCP_NEEDS_AUTH);
		return;
	}
	set_error(s, msg);
	set_state(s, MCP_FAILED);
}

static const char *
result_type(const cJSON *result)
{
	const char *t = json_str(result, "resultType");
	return t ? t : "complete";
}

static void
on_initialized(struct mcp_server *s, const cJSON *result)
{
	cJSON_Delete(s->info);
	s->info = json_dup(json_obj(result, "serverInfo"));
	cJSON_Delete(s->caps);
	s->caps = json_obj(result, "capabilities") ? json_dup(json_obj(result, "capabilities"))
						   : json_new_obj();
	free(s->instructions);
	const char *ins = json_str(result, "instructions");
	s->instructions = ins ? xstrdup(ins) : NULL;
	if (s->tops->ready)
		s->tops->ready(s);
	start_lists(s);
}

/* Start-up failed at the handshake request `c`: "METHOD: why", the method
 * named once (a timeout's message names it already). */
static void
fail_hello(struct mcp_call *c, const struct mcp_result *res)
{
	const char *why = res->error ? res->error : "no result";
	size_t n = strlen(c->method);
	char msg[1024];

	if (!strncmp(why, c->method, n) && why[n] == ':')
		snprintf(msg, sizeof msg, "%s", why);
	else
		snprintf(msg, sizeof msg, "%s: %s", c->method, why);
	fail_start(c->s, msg);
}

/* What is left of the handshake's timeout (at least 1 ms). */
static long
hello_left(const struct mcp_server *s)
{
	uint64_t spent = ev_now_ms() - s->hello_t0;

	return spent < (uint64_t)s->timeout_ms ? s->timeout_ms - (long)spent : 1;
}

static void
initialize_done(struct mcp_call *c, const struct mcp_result *res)
{
	struct mcp_server *s = c->s;

	if (res->rc < 0 || !res->result) {
		fail_hello(c, res);
		return;
	}
	const char *v = json_str(res->result, "protocolVersion");
	static const char *const older[] = { MCP_REV_2025, "2025-06-18", "2025-03-26" };
	size_t i = 0;
	while (v && i < sizeof older / sizeof *older && strcmp(v, older[i]) != 0)
		i++;
	if (!v || i == sizeof older / sizeof *older) {
		/* A version we do not know is refused rather than misread. */
		char msg[256];
		snprintf(msg, sizeof msg, "initialize: the server speaks protocol %s, not %s",
			 v ? v : "(none)", MCP_REV_2025);
		fail_start(s, msg);
		return;
	}
	/* 2025-06-18 and 2025-03-26 differ from 2025-11-25 only in what we do
	 * not use; the header carries the version agreed on. */
	s->wire_version = older[i];
	send_notification(s, "notifications/initialized", NULL);
	on_initialized(s, res->result);
}

static void
initialize(struct mcp_server *s)
{
	cJSON *p = json_new_obj();

	s->rev = MCP_REV_2025;
	s->wire_version = NULL;
	json_add_str(p, "protocolVersion", MCP_REV_2025);
	json_add(p, "capabilities", client_caps(s));
	json_add(p, "clientInfo", client_info());
	internal_request(s, "initialize", p, initialize_done, NULL, NULL, hello_left(s));
	cJSON_Delete(p);
}

static bool
list_has(const cJSON *arr, const char *v)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && strcmp(it->valuestring, v) == 0)
			return true;
	return false;
}

static void discover(struct mcp_server *s);

static void
discover_done(struct mcp_call *c, const struct mcp_result *res)
{
	struct mcp_server *s = c->s;
	bool fallback = !s->want_rev;

	if (s->closing_state) {
		fail_start(s, s->error ? s->error : "the server is gone");
		return;
	}

	if (res->rc == 0 && res->result) {
		const cJSON *sv = json_arr(res->result, "supportedVersions");
		if (list_has(sv, MCP_REV_2026)) {
			on_initialized(s, res->result);
			return;
		}
		if (fallback && list_has(sv, MCP_REV_2025)) {
			initialize(s);
			return;
		}
		fail_start(s, "server/discover: the server supports none of our protocol versions");
		return;
	}
	/* An UnsupportedProtocolVersionError lists what the server speaks. */
	if (res->rc == 0 && res->is_error && c->rpc_error) {
		const cJSON *err = c->rpc_error;
		const cJSON *sv = json_arr(json_obj(err, "data"), "supported");
		if (json_int(err, "code", 0) == ERR_UNSUPPORTED_VERSION) {
			if (list_has(sv, MCP_REV_2026) && !s->tried_2026_retry) {
				s->tried_2026_retry = true;
				discover(s);
				return;
			}
			if (fallback && list_has(sv, MCP_REV_2025)) {
				initialize(s);
				return;
			}
		}
	}
	if (fallback && s->state == MCP_STARTING) {
		mcp_log(s, "info", "server/discover failed (%s): trying initialize (%s)",
			res->error ? res->error : "?", MCP_REV_2025);
		initialize(s);
		return;
	}
	fail_hello(c, res);
}

/* server/discover gets at most DISCOVER_TIMEOUT_MS and, when initialize may
 * follow, half of what is left: the two never wait longer than timeout_ms. */
static void
discover(struct mcp_server *s)
{
	long t = s->want_rev ? hello_left(s) : hello_left(s) / 2;

	s->rev = s->wire_version = MCP_REV_2026;
	internal_request(s, "server/discover", NULL, discover_done, NULL, NULL,
			 t < 1 ? 1 : t < DISCOVER_TIMEOUT_MS ? t : DISCOVER_TIMEOUT_MS);
}

/* ---- lists ------------------------------------------------------------- */

enum list_kind { LIST_TOOLS, LIST_PROMPTS, LIST_RESOURCES, LIST_TEMPLATES };

static const struct {
	const char *method;
	const char *key;
	const char *cap;
	const char *what; /* for the person */
} list_defs[] = {
	[LIST_TOOLS] = { "tools/list", "tools", "tools", "tools" },
	[LIST_PROMPTS] = { "prompts/list", "prompts", "prompts", "prompts" },
	[LIST_RESOURCES] = { "resources/list", "resources", "resources", "resources" },
	[LIST_TEMPLATES] = { "resources/templates/list", "resourceTemplates", "resources",
			     "resource templates" },
};

struct list_load {
	enum list_kind kind;
	cJSON *acc;   /* items so far */
	unsigned pages;
	bool startup;
	long ttl_ms;  /* smallest ttlMs seen, -1 none */
};

/* A list load dropped unanswered (mcp_call.ctx_free). */
static void
list_load_free(void *ctx)
{
	struct list_load *ll = ctx;

	cJSON_Delete(ll->acc);
	free(ll);
}

static void
install_tools(struct mcp_server *s, cJSON *items)
{
	cJSON *it;

	ARRAY_FREE(&s->tools);
	cJSON_Delete(s->tools_json);
	s->tools_json = items;
	cJSON_ArrayForEach(it, items) {
		const char *name = json_str(it, "name");
		const cJSON *schema = json_obj(it, "inputSchema");
		const char *why = NULL;
		if (!name || !*name) {
			mcp_log(s, "warning", "a tool without a name was ignored");
			continue;
		}
		if (schema && !mcp_tool_headers_valid(schema, &why)) {
			mcp_log(s, "warning", "tool %s ignored: %s", name, why);
			continue;
		}
		const cJSON *ann = json_obj(it, "annotations");
		struct mcp_tool t = {
			.name = name,
			.title = json_str(it, "title"),
			.description = json_str(it, "description") ? json_str(it, "description") : "",
			.input_schema = schema,
			.output_schema = json_obj(it, "outputSchema"),
			.read_only = ann && json_bool(ann, "readOnlyHint", false),
			.destructive = !ann || json_bool(ann, "destructiveHint", true),
			.has_annotations = ann != NULL,
		};
		if (!t.title && ann)
			t.title = json_str(ann, "title");
		ARRAY_PUSH(&s->tools, t);
	}
}

static void
install_prompts(struct mcp_server *s, cJSON *items)
{
	cJSON *it;

	ARRAY_FREE(&s->prompts);
	cJSON_Delete(s->prompts_json);
	s->prompts_json = items;
	cJSON_ArrayForEach(it, items) {
		if (!json_str(it, "name"))
			continue;
		struct mcp_prompt p = {
			.name = json_str(it, "name"),
			.description = json_str(it, "description") ? json_str(it, "description") : "",
			.arguments = json_arr(it, "arguments"),
		};
		ARRAY_PUSH(&s->prompts, p);
	}
}

/* Resources and templates share one array: resources_json holds
 * [resources, templates] and the entries point into both. */
static void
install_resources(struct mcp_server *s, enum list_kind kind, cJSON *items)
{
	cJSON *it;

	if (!s->resources_json) {
		s->resources_json = json_new_arr();
		cJSON_AddItemToArray(s->resources_json, json_new_arr());
		cJSON_AddItemToArray(s->resources_json, json_new_arr());
	}
	cJSON_ReplaceItemInArray(s->resources_json, kind == LIST_TEMPLATES ? 1 : 0, items);
	ARRAY_FREE(&s->resources);
	for (int k = 0; k < 2; k++) {
		cJSON_ArrayForEach(it, cJSON_GetArrayItem(s->resources_json, k)) {
			const char *uri = json_str(it, k ? "uriTemplate" : "uri");
			if (!uri)
				continue;
			struct mcp_resource r = {
				.uri = uri,
				.name = json_str(it, "name") ? json_str(it, "name") : uri,
				.description = json_str(it, "description") ? json_str(it, "description") : "",
				.mime_type = json_str(it, "mimeType"),
				.is_template = k == 1,
			};
			ARRAY_PUSH(&s->resources, r);
		}
	}
}

static void load_list(struct mcp_server *s, enum list_kind kind, bool startup);

static void
ttl_fire(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct mcp_server *s = ctx;

	(void)l;
	(void)t;
	if (s->state != MCP_READY)
		return;
	s->ttl_ms = -1;
	for (enum list_kind k = LIST_TOOLS; k <= LIST_TEMPLATES; k++)
		if (json_obj(s->caps, list_defs[k].cap))
			load_list(s, k, false);
}

static void
note_ttl(struct mcp_server *s, long ttl)
{
	if (ttl <= 0)
		return;
	if (ttl < TTL_MIN_MS)
		ttl = TTL_MIN_MS;
	if (s->ttl_ms < 0 || ttl < s->ttl_ms) {
		s->ttl_ms = ttl;
		ev_timer_arm(s->loop, &s->ttl_timer, (uint64_t)ttl);
	}
}

static void
list_loaded(struct mcp_server *s, struct list_load *ll)
{
	switch (ll->kind) {
	case LIST_TOOLS:
		install_tools(s, ll->acc);
		break;
	case LIST_PROMPTS:
		install_prompts(s, ll->acc);
		break;
	case LIST_RESOURCES:
	case LIST_TEMPLATES:
		install_resources(s, ll->kind, ll->acc);
		break;
	}
	ll->acc = NULL;
	note_ttl(s, ll->ttl_ms);
	if (ll->startup) {
		if (--s->loading == 0 && s->state == MCP_STARTING && !s->closing_state) {
			set_state(s, MCP_READY);
			subs_resume(s);
		}
	} else if (s->ops.on_list_changed) {
		s->ops.on_list_changed(s, s->ctx);
	}
}

static void
list_page(struct mcp_call *c, const struct mcp_result *res)
{
	struct mcp_server *s = c->s;
	struct list_load *ll = c->ctx;
	const char *key = list_defs[ll->kind].key;

	if (ll->startup && ll->kind == LIST_TOOLS && !s->closing_state &&
	    (res->rc < 0 || res->is_error || !res->result)) {
		/* Its tools are what a connector is for: a server that cannot
		 * list them has failed to start, and says why (not "0 tools"). */
		char *why = xasprintf("connector %s could not list its tools: %s", s->name,
				      res->error ? res->error : "tools/list failed");

		fail_start(s, why);
		free(why);
		list_load_free(ll);
		return;
	}
	if (!ll->startup && ll->kind == LIST_TOOLS && s->state == MCP_READY &&
	    !s->closing_state && (res->rc < 0 || res->is_error || !res->result)) {
		/* Nor, listed again (list_changed, ttlMs), is it ready with none:
		 * it has failed, and says why, as at start-up. */
		char *why = xasprintf("connector %s could not list its tools again: %s", s->name,
				      res->error ? res->error : "tools/list failed");

		set_error(s, why);
		free(why);
		list_load_free(ll);
		set_state(s, MCP_FAILED);
		return;
	}
	if (res->rc < 0 || res->is_error || !res->result) {
		/* Another list the server cannot give is empty; start-up goes on,
		 * and mcp_server_list_error() says why. */
		char *why = xasprintf("connector %s could not list its %s: %s", s->name,
				      list_defs[ll->kind].what,
				      res->error ? res->error : "failed");

		mcp_log(s, "warning", "%s", why);
		free(s->list_error[ll->kind]);
		s->list_error[ll->kind] = why;
		cJSON_Delete(ll->acc);
		ll->acc = json_new_arr();
		list_loaded(s, ll);
		free(ll);
		return;
	}
	cJSON *items = json_arr(res->result, key);
	cJSON *it;
	cJSON_ArrayForEach(it, items)
		if (cJSON_IsObject(it))
			cJSON_AddItemToArray(ll->acc, json_dup(it));
	long long ttl = json_int(res->result, "ttlMs", -1);
	if (ttl > 0 && (ll->ttl_ms < 0 || ttl < ll->ttl_ms))
		ll->ttl_ms = (long)ttl;
	const char *cursor = json_str(res->result, "nextCursor");
	if (cursor && *cursor && ++ll->pages < MAX_PAGES) {
		cJSON *p = json_new_obj();
		json_add_str(p, "cursor", cursor);
		internal_request(s, list_defs[ll->kind].method, p, list_page, ll, list_load_free, 0);
		cJSON_Delete(p);
		return;
	}
	if (cursor && *cursor)
		mcp_log(s, "warning", "%s: more than %d pages, the rest ignored",
			list_defs[ll->kind].method, MAX_PAGES);
	free(s->list_error[ll->kind]);
	s->list_error[ll->kind] = NULL;
	list_loaded(s, ll);
	free(ll);
}

static void
load_list(struct mcp_server *s, enum list_kind kind, bool startup)
{
	struct list_load *ll = xcalloc(1, sizeof *ll);

	ll->kind = kind;
	ll->acc = json_new_arr();
	ll->startup = startup;
	ll->ttl_ms = -1;
	internal_request(s, list_defs[kind].method, NULL, list_page, ll, list_load_free, 0);
}

static void
start_lists(struct mcp_server *s)
{
	s->loading = 1; /* held until every load started */
	for (enum list_kind k = LIST_TOOLS; k <= LIST_TEMPLATES; k++) {
		if (!json_obj(s->caps, list_defs[k].cap))
			continue;
		s->loading++;
		load_list(s, k, true);
	}
	if (--s->loading == 0 && !s->closing_state)
		set_state(s, MCP_READY);
}

/* ---- elicitation -------------------------------------------------------- */

static struct mcp_elicit *
elicit_new(struct mcp_server *s, const cJSON *params)
{
	struct mcp_elicit *e = xcalloc(1, sizeof *e);

	e->handle = ++s->next_elicit;
	e->params = cJSON_IsObject(params) ? json_dup(params) : json_new_obj();
	if (!json_str(e->params, "mode")) {
		cJSON_DeleteItemFromObject(e->params, "mode");
		json_add_str(e->params, "mode", "form");
	}
	e->next = s->elicits;
	s->elicits = e;
	return e;
}

/* SEP-1034: a field the person left out takes the schema's default. */
static void
apply_defaults(cJSON *content, const cJSON *params)
{
	const cJSON *props = json_obj(json_obj(params, "requestedSchema"), "properties");
	const cJSON *p;

	cJSON_ArrayForEach(p, props) {
		const cJSON *def = cJSON_GetObjectItemCaseSensitive(p, "default");
		if (def && p->string && !cJSON_GetObjectItemCaseSensitive(content, p->string))
			json_add(content, p->string, json_dup(def));
	}
}

static void retry_call(struct mcp_call *c);

void
mcp_elicit_answer(struct mcp_server *s, unsigned long id, const char *action, const cJSON *content)
{
	struct mcp_elicit *e = NULL;

	for (struct mcp_elicit **pp = &s->elicits; *pp; pp = &(*pp)->next)
		if ((*pp)->handle == id) {
			e = *pp;
			*pp = e->next;
			break;
		}
	if (!e)
		return;
	cJSON *r = json_new_obj();
	static const char *const actions[] = { "accept", "decline", "cancel" };
	const char *act = "cancel";
	for (size_t i = 0; i < sizeof actions / sizeof *actions; i++)
		if (action && strcmp(action, actions[i]) == 0)
			act = actions[i];
	json_add_str(r, "action", act);
	if (strcmp(act, "accept") == 0 && strcmp(json_str(e->params, "mode"), "form") == 0) {
		cJSON *ct = cJSON_IsObject(content) ? json_dup(content) : json_new_obj();
		apply_defaults(ct, e->params);
		json_add(r, "content", ct);
	}
	if (e->rpc_id) {
		send_response(s, e->rpc_id, r, 0, NULL);
	} else if (e->call) {
		struct mcp_call *c = e->call;
		json_add(c->responses, e->key, r);
		if (--c->waiting == 0)
			retry_call(c);
	} else {
		cJSON_Delete(r);
	}
	elicit_free(e);
}

/* input_required (2026-07-28 utilities/mrtr): answer every input request,
 * then send the call again under a new id with inputResponses and the
 * requestState exactly as received. */
static void
retry_call(struct mcp_call *c)
{
	if (c->s->tops)
		c->s->tops->call_gone(c->s, c);
	if (send_request(c) < 0)
		mcp_call_fail(c, "%s", err_msg());
}

static void
input_required(struct mcp_call *c, const cJSON *result)
{
	struct mcp_server *s = c->s;
	const cJSON *reqs = json_obj(result, "inputRequests");
	const cJSON *r;

	if (++c->rounds > MAX_ROUNDS) {
		call_finish_error(c, "the server asked for input too many times");
		return;
	}
	ev_timer_disarm(s->loop, &c->timer);
	cJSON_Delete(c->responses);
	c->responses = json_new_obj();
	free(c->request_state);
	c->request_state = json_str(result, "requestState") ? xstrdup(json_str(result, "requestState"))
							     : NULL;
	c->waiting = 1; /* held while the requests are handed out */
	cJSON_ArrayForEach(r, reqs) {
		const char *m = json_str(r, "method");
		if (m && strcmp(m, "elicitation/create") == 0 && s->ops.on_elicit) {
			struct mcp_elicit *e = elicit_new(s, json_obj(r, "params"));
			e->call = c;
			e->key = xstrdup(r->string);
			c->waiting++;
			s->ops.on_elicit(s, e->handle, e->params, s->ctx);
			if (s->dead)
				return;
		} else if (m && strcmp(m, "roots/list") == 0) {
			cJSON *res = json_new_obj();
			json_add(res, "roots", json_new_arr());
			json_add(c->responses, r->string, res);
		} else {
			char msg[256];
			snprintf(msg, sizeof msg, "the server asked for %s, which deskhand does not offer",
				 m ? m : "an unnamed request");
			call_finish_error(c, msg);
			return;
		}
	}
	if (--c->waiting == 0)
		retry_call(c);
}

/* ---- the dispatcher ---------------------------------------------------- */

static void
handle_response(struct mcp_server *s, const cJSON *msg)
{
	const cJSON *idj = cJSON_GetObjectItemCaseSensitive(msg, "id");
	long long id = json_num_int(idj, 0);

	/* Our ids are whole numbers from 1: 3.5 is not 3, and a number beyond
	 * long long's range is no id (converting it would be undefined). */
	if (id < 1 || (double)id != idj->valuedouble) {
		mcp_log(s, "warning", "a response with an id we never sent was ignored");
		return;
	}
	struct mcp_call *c = mcp_call_by_id(s, (long)id);
	if (!c) {
		mcp_log(s, "debug", "a response to a finished request was ignored");
		return;
	}
	const cJSON *err = json_obj(msg, "error");
	const cJSON *result = json_obj(msg, "result");
	if (err) {
		char line[1024];
		const char *m = json_str(err, "message");
		snprintf(line, sizeof line, "%s (code %lld)", m ? m : "error",
			 json_int(err, "code", 0));
		struct mcp_result res = { .rc = 0, .is_error = true, .error = line };
		c->rpc_error = err; /* discover reads the error's data */
		call_finish(c, &res);
		return;
	}
	if (!result) {
		call_finish_error(c, "a response with neither result nor error");
		return;
	}
	if (strcmp(result_type(result), "input_required") == 0) {
		input_required(c, result);
		return;
	}
	/* CallToolResult.content is an array of blocks (server/tools#tool-result):
	 * anything else would reach the model as an empty result. */
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(result, "content");
	if (!strcmp(c->method, "tools/call") && content && !cJSON_IsArray(content)) {
		char line[512];
		snprintf(line, sizeof line, "connector %s answered tools/call %s with a \"content\" "
			 "that is not an array", s->name, c->name ? c->name : "?");
		call_finish_error(c, line);
		return;
	}
	struct mcp_result res = { .rc = 0, .is_error = json_bool(result, "isError", false),
				  .result = result };
	call_finish(c, &res);
}

static void
handle_progress(struct mcp_server *s, const cJSON *p)
{
	const cJSON *tok = cJSON_GetObjectItemCaseSensitive(p, "progressToken");
	if (!cJSON_IsString(tok))
		return;
	for (struct mcp_call *c = s->calls; c; c = c->next) {
		char want[48];
		snprintf(want, sizeof want, "dh-%lx", (unsigned long)c->id);
		if (c->progress && strcmp(want, tok->valuestring) == 0) {
			const cJSON *pr = cJSON_GetObjectItemCaseSensitive(p, "progress");
			const cJSON *tt = cJSON_GetObjectItemCaseSensitive(p, "total");
			c->progress(cJSON_IsNumber(pr) ? pr->valuedouble : 0,
				    cJSON_IsNumber(tt) ? tt->valuedouble : -1,
				    json_str(p, "message"), c->ctx);
			return;
		}
	}
}

static void
handle_notification(struct mcp_server *s, const char *method, const cJSON *p)
{
	if (strcmp(method, "notifications/progress") == 0) {
		handle_progress(s, p);
	} else if (strcmp(method, "notifications/message") == 0) {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(p, "data");
		const char *level = json_str(p, "level");
		if (!s->ops.on_log) {
		} else if (cJSON_IsString(d)) {
			s->ops.on_log(s, level ? level : "info", d->valuestring, s->ctx);
		} else if (d) {
			char *t = json_print(d);
			s->ops.on_log(s, level ? level : "info", t, s->ctx);
			free(t);
		}
	} else if (strcmp(method, "notifications/tools/list_changed") == 0) {
		if (s->state == MCP_READY)
			load_list(s, LIST_TOOLS, false);
	} else if (strcmp(method, "notifications/prompts/list_changed") == 0) {
		if (s->state == MCP_READY)
			load_list(s, LIST_PROMPTS, false);
	} else if (strcmp(method, "notifications/resources/list_changed") == 0) {
		if (s->state == MCP_READY) {
			load_list(s, LIST_RESOURCES, false);
			load_list(s, LIST_TEMPLATES, false);
		}
	} else if (strcmp(method, "notifications/resources/updated") == 0) {
		const char *uri = json_str(p, "uri");
		if (uri && s->ops.on_resource_updated)
			s->ops.on_resource_updated(s, uri, s->ctx);
	} else if (strcmp(method, "notifications/subscriptions/acknowledged") == 0) {
		s->listen_fails = 0; /* the listen stream is up */
		mcp_log(s, "debug", "subscriptions/listen acknowledged");
	} else if (strcmp(method, "notifications/cancelled") == 0) {
		/* The server withdrew a request of its own (an elicitation). */
		const cJSON *rid = cJSON_GetObjectItemCaseSensitive(p, "requestId");
		for (struct mcp_elicit **pp = &s->elicits; *pp; pp = &(*pp)->next) {
			struct mcp_elicit *e = *pp;
			if (e->rpc_id && rid && cJSON_Compare(e->rpc_id, rid, true)) {
				*pp = e->next;
				elicit_free(e);
				break;
			}
		}
	} else {
		mcp_log(s, "debug", "notification %s ignored", method);
	}
}

static void
handle_request(struct mcp_server *s, const cJSON *id, const char *method, const cJSON *p)
{
	if (strcmp(method, "ping") == 0) {
		send_response(s, id, json_new_obj(), 0, NULL);
	} else if (strcmp(method, "elicitation/create") == 0 && s->ops.on_elicit) {
		struct mcp_elicit *e = elicit_new(s, p);
		e->rpc_id = json_dup(id);
		s->ops.on_elicit(s, e->handle, e->params, s->ctx);
	} else if (strcmp(method, "roots/list") == 0) {
		cJSON *r = json_new_obj();
		json_add(r, "roots", json_new_arr());
		send_response(s, id, r, 0, NULL);
	} else {
		send_response(s, id, NULL, -32601, "Method not found");
	}
}

static void
handle_message(struct mcp_server *s, const cJSON *msg)
{
	const char *method = json_str(msg, "method");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
	const cJSON *p = json_obj(msg, "params");

	if (method && id)
		handle_request(s, id, method, p);
	else if (method)
		handle_notification(s, method, p);
	else
		handle_response(s, msg);
}

static void mcp_server_destroy(struct mcp_server *s);

static void
dispatch_fire(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct mcp_server *s = ctx;

	(void)l;
	(void)t;
	s->busy++;
	while (!s->dead) {
		cJSON *msg = cJSON_DetachItemFromArray(s->inbox, 0);
		if (msg) {
			if (cJSON_IsArray(msg)) { /* a batch (2025-03-26 servers) */
				cJSON *m;
				cJSON_ArrayForEach(m, msg) {
					handle_message(s, m);
					if (s->dead)
						break;
				}
			} else {
				handle_message(s, msg);
			}
			cJSON_Delete(msg);
			continue;
		}
		struct mcp_call *c = s->calls;
		while (c && !c->fail)
			c = c->next;
		if (!c)
			break;
		char *why = c->fail;
		c->fail = NULL;
		call_finish_error(c, why);
		free(why);
	}
	s->busy--;
	if (s->dead) {
		if (!s->busy)
			mcp_server_destroy(s);
		return;
	}
	if (s->closing_state && s->calls == NULL) {
		enum mcp_state st = s->closing_state;
		s->closing_state = MCP_STARTING;
		if (s->state == MCP_STARTING)
			set_state(s, st == MCP_NEEDS_AUTH ? st : MCP_FAILED);
		else if (s->state == MCP_READY)
			set_state(s, st);
	}
}

static void
dispatch_arm(struct mcp_server *s)
{
	if (!ev_timer_is_armed(&s->dispatch))
		ev_timer_arm(s->loop, &s->dispatch, 0);
}

/* The id of a message we could not keep, read from its first bytes. */
static bool
guess_id(const char *head, size_t n, long *id)
{
	static const char key[] = "\"id\"";
	for (size_t i = 0; i + sizeof key - 1 < n; i++) {
		if (memcmp(head + i, key, sizeof key - 1) != 0)
			continue;
		size_t j = i + sizeof key - 1;
		while (j < n && (head[j] == ' ' || head[j] == ':' || head[j] == '\t'))
			j++;
		if (j < n && head[j] >= '0' && head[j] <= '9') {
			*id = strtol(head + j, NULL, 10);
			return true;
		}
		return false;
	}
	return false;
}

static void
fail_guessed(struct mcp_server *s, const char *head, size_t n, const char *why)
{
	long id;
	struct mcp_call *c = NULL;

	if (guess_id(head, n < 256 ? n : 256, &id))
		c = mcp_call_by_id(s, id);
	if (!c && s->calls && !s->calls->next)
		c = s->calls; /* only one call could be meant */
	if (c)
		mcp_call_fail(c, "%s", why);
	else
		mcp_log(s, "warning", "%s", why);
}

void
mcp_incoming(struct mcp_server *s, const char *data, size_t len)
{
	cJSON *msg;

	if (json_parse(&msg, data, len, s->name) < 0) {
		char why[512];
		snprintf(why, sizeof why, "%s sent invalid JSON: %s", s->name, err_msg());
		fail_guessed(s, data, len, why);
		return;
	}
	if (!cJSON_IsObject(msg) && !cJSON_IsArray(msg)) {
		cJSON_Delete(msg);
		fail_guessed(s, data, len, "the server sent a JSON value that is not a message");
		return;
	}
	cJSON_AddItemToArray(s->inbox, msg);
	dispatch_arm(s);
}

void
mcp_incoming_last(struct mcp_server *s, const char *data, size_t len)
{
	cJSON *msg = NULL;

	if (json_parse(&msg, data, len, s->name) < 0 ||
	    (!cJSON_IsObject(msg) && !cJSON_IsArray(msg))) {
		cJSON_Delete(msg);
		mcp_log(s, "warning", "%s went away inside a message: its last %zu bytes dropped",
			s->name, len);
		return;
	}
	cJSON_AddItemToArray(s->inbox, msg);
	dispatch_arm(s);
}

void
mcp_incoming_too_big(struct mcp_server *s, const char *head, size_t headlen, size_t size)
{
	char why[256];

	snprintf(why, sizeof why, "%s sent a message larger than %zu bytes (%zu so far): dropped",
		 s->name, s->max_message, size);
	fail_guessed(s, head, headlen, why);
}

/* ---- public API ---------------------------------------------------------- */

static int
copy_strv(struct strv *out, const char *const *v, size_t n, bool null_term)
{
	for (size_t i = 0; v && (null_term ? v[i] != NULL : i < n); i++)
		strv_add(out, v[i]);
	if (null_term)
		ARRAY_PUSH(out, NULL);
	return 0;
}

static bool
name_ok(const char *n)
{
	if (!n || !*n)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '_' || *n == '-'))
			return false;
	return true;
}

int
mcp_server_start(struct mcp_server **out, struct ev_loop *l, struct http_client *http,
		 const struct mcp_server_spec *spec, const struct mcp_host_ops *ops, void *ctx)
{
	*out = NULL;
	if (!name_ok(spec->name))
		return err_setc(DH_EPARSE, "MCP server name '%s': only letters, digits, '_' and '-'",
				spec->name ? spec->name : "");
	if (spec->revision && strcmp(spec->revision, MCP_REV_2026) != 0 &&
	    strcmp(spec->revision, MCP_REV_2025) != 0)
		return err_setc(DH_EPARSE, "MCP server %s: protocol revision '%s' is not %s or %s",
				spec->name, spec->revision, MCP_REV_2026, MCP_REV_2025);
	if (spec->transport == MCP_STDIO && (!spec->argv || !spec->argv[0]))
		return err_setc(DH_EPARSE, "MCP server %s: no command", spec->name);
	if (spec->transport == MCP_HTTP && (!spec->url || !http))
		return err_setc(DH_EPARSE, "MCP server %s: no url", spec->name);

	struct mcp_server *s = xcalloc(1, sizeof *s);
	s->loop = l;
	s->http = http;
	s->name = xstrdup(spec->name);
	s->transport = spec->transport;
	if (spec->argv)
		copy_strv(&s->argv, spec->argv, 0, true);
	if (spec->envp) {
		copy_strv(&s->envp, spec->envp, 0, true);
		s->has_envp = true;
	}
	s->cwd = spec->cwd ? xstrdup(spec->cwd) : NULL;
	s->stderr_fd = spec->stderr_fd;
	s->url = spec->url ? xstrdup(spec->url) : NULL;
	copy_strv(&s->headers, spec->headers, spec->nheaders, false);
	s->want_rev = spec->revision ? xstrdup(spec->revision) : NULL;
	s->timeout_ms = spec->timeout_ms > 0 ? spec->timeout_ms : MCP_TIMEOUT_DEF;
	s->max_message = spec->max_message ? spec->max_message : MCP_MESSAGE_MAX;
	if (ops)
		s->ops = *ops;
	s->ctx = ctx;
	s->state = MCP_STARTING;
	s->inbox = json_new_arr();
	s->ttl_ms = -1;
	ev_timer_init(&s->dispatch, dispatch_fire, s);
	ev_timer_init(&s->ttl_timer, ttl_fire, s);
	ev_timer_init(&s->listen_timer, listen_again, s);
	s->tops = spec->transport == MCP_STDIO ? &mcp_stdio_ops : &mcp_http_ops;
	s->keep_fds = spec->keep_fds;
	s->nkeep_fds = spec->nkeep_fds;
	int src = s->tops->start(s);

	s->keep_fds = NULL; /* the child has them now */
	s->nkeep_fds = 0;
	if (src < 0) {
		char *why = xstrdup(err_msg());
		s->tops = NULL;
		mcp_server_free(s);
		err_set("MCP server %s: %s", spec->name, why);
		free(why);
		return DH_EFAIL;
	}
	if (spec->transport == MCP_HTTP && mcp_auth_attach(s, &spec->oauth) < 0)
		mcp_log(s, "warning", "OAuth unavailable: %s", err_msg());
	s->hello_t0 = ev_now_ms();
	if (s->want_rev && strcmp(s->want_rev, MCP_REV_2025) == 0)
		initialize(s);
	else
		discover(s);
	*out = s;
	return 0;
}

static void
mcp_server_destroy(struct mcp_server *s)
{
	while (s->calls) {
		struct mcp_call *c = s->calls;
		call_unlink(c);
		call_free(c);
	}
	while (s->elicits) {
		struct mcp_elicit *e = s->elicits;
		s->elicits = e->next;
		elicit_free(e);
	}
	if (s->tops)
		s->tops->stop(s);
	mcp_auth_detach(s);
	ev_timer_disarm(s->loop, &s->dispatch);
	ev_timer_disarm(s->loop, &s->ttl_timer);
	ev_timer_disarm(s->loop, &s->listen_timer);
	strv_free(&s->subs);
	ARRAY_FREE(&s->tools);
	ARRAY_FREE(&s->prompts);
	ARRAY_FREE(&s->resources);
	cJSON_Delete(s->tools_json);
	cJSON_Delete(s->prompts_json);
	cJSON_Delete(s->resources_json);
	cJSON_Delete(s->inbox);
	cJSON_Delete(s->info);
	cJSON_Delete(s->caps);
	free(s->instructions);
	free(s->error);
	for (size_t i = 0; i < sizeof s->list_error / sizeof *s->list_error; i++)
		free(s->list_error[i]);
	free(s->name);
	strv_free(&s->argv);
	strv_free(&s->envp);
	strv_free(&s->headers);
	free(s->cwd);
	free(s->url);
	free(s->want_rev);
	free(s);
}

void
mcp_server_free(struct mcp_server *s)
{
	if (!s)
		return;
	if (s->busy) {
		s->dead = true;
		return;
	}
	mcp_server_destroy(s);
}

const char *
mcp_server_name(const struct mcp_server *s)
{
	return s->name;
}

enum mcp_state
mcp_server_state(const struct mcp_server *s)
{
	return s->state;
}

bool
mcp_server_gone(const struct mcp_server *s)
{
	return s->closing_state == MCP_CLOSED || s->state == MCP_CLOSED;
}

const char *
mcp_server_error(const struct mcp_server *s)
{
	return s->error;
}

const char *
mcp_server_revision(const struct mcp_server *s)
{
	return s->state == MCP_READY ? s->rev : NULL;
}

const cJSON *
mcp_server_info(const struct mcp_server *s)
{
	return s->info;
}

const char *
mcp_server_instructions(const struct mcp_server *s)
{
	return s->instructions;
}

const char *
mcp_server_list_error(const struct mcp_server *s)
{
	for (enum list_kind k = LIST_PROMPTS; k <= LIST_TEMPLATES; k++)
		if (s->list_error[k])
			return s->list_error[k];
	return NULL;
}

size_t
mcp_tool_count(const struct mcp_server *s)
{
	return s->tools.n;
}

const struct mcp_tool *
mcp_tool_at(const struct mcp_server *s, size_t i)
{
	return i < s->tools.n ? &s->tools.v[i] : NULL;
}

const struct mcp_tool *
mcp_tool_find(const struct mcp_server *s, const char *name)
{
	for (size_t i = 0; i < s->tools.n; i++)
		if (strcmp(s->tools.v[i].name, name) == 0)
			return &s->tools.v[i];
	return NULL;
}

size_t
mcp_prompt_count(const struct mcp_server *s)
{
	return s->prompts.n;
}

const struct mcp_prompt *
mcp_prompt_at(const struct mcp_server *s, size_t i)
{
	return i < s->prompts.n ? &s->prompts.v[i] : NULL;
}

size_t
mcp_resource_count(const struct mcp_server *s)
{
	return s->resources.n;
}

const struct mcp_resource *
mcp_resource_at(const struct mcp_server *s, size_t i)
{
	return i < s->resources.n ? &s->resources.v[i] : NULL;
}

static const char *const state_names[] = {
	[MCP_STARTING] = "starting", [MCP_READY] = "ready", [MCP_NEEDS_AUTH] = "needs authorization",
	[MCP_FAILED] = "failed", [MCP_CLOSED] = "closed",
};

int
mcp_request(struct mcp_call **out, struct mcp_server *s, const char *method, const cJSON *params,
	    mcp_progress_fn *progress, mcp_done_fn *done, void *ctx)
{
	*out = NULL;
	if (s->state != MCP_READY)
		return err_set("MCP server %s is %s%s%s", s->name, state_names[s->state],
			       s->error ? ": " : "", s->error ? s->error : "");
	struct mcp_call *c = call_new(s, method, params);
	c->progress = progress;
	c->done = done;
	c->ctx = ctx;
	if (send_request(c) < 0)
		mcp_call_fail(c, "%s", err_msg());
	*out = c;
	return 0;
}

void
mcp_call_cancel(struct mcp_call *c)
{
	if (!c)
		return;
	struct mcp_server *s = c->s;
	if (s->state == MCP_READY || s->state == MCP_STARTING) {
		cJSON *p = json_new_obj();
		json_add_num(p, "requestId", (double)c->id);
		json_add_str(p, "reason", "cancelled by the user");
		send_notification(s, "notifications/cancelled", p);
	}
	call_unlink(c);
	call_free(c);
}

int
mcp_server_auth_redirect(struct mcp_server *s, const char *redirect_url)
{
	if (s->auth)
		return mcp_auth_attached_redirect(s, redirect_url);
	return err_setc(DH_EPARSE, "MCP server %s: no authorization in progress", s->name);
}
