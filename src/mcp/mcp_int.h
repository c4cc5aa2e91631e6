/* SPDX-License-Identifier: MIT */
#ifndef DH_MCP_MCP_INT_H
#define DH_MCP_MCP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

#include "core/array.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/strv.h"
#include "mcp/mcp.h"
#include "mcp/oauth.h"

/*
 * Inside the MCP client: the protocol core (mcp.c) and its two transports
 * (mcp_stdio.c, mcp_http.c). A transport turns messages (cJSON) into bytes
 * and bytes into mcp_incoming() calls; the core owns ids, calls, versions,
 * lists and the host's callbacks. Incoming messages are queued and handled
 * from a timer on the loop, so no host callback ever runs inside a read, a
 * curl callback or the call that started the operation.
 */

struct mcp_call {
	struct mcp_server *s;
	struct mcp_call *next;
	long id;		/* JSON-RPC id of the current attempt */
	char *method;
	cJSON *params;		/* as the caller gave them (copy) */
	char *name;		/* Mcp-Name: params.name or params.uri, or NULL */
	mcp_progress_fn *progress;
	mcp_done_fn *done;
	/* Requests of the core itself (discovery, lists): called instead of done. */
	void (*internal)(struct mcp_call *c, const struct mcp_result *res);
	void *ctx;
	/* Frees ctx when the call is dropped unanswered (the server freed, the
	 * call cancelled); once `internal` or `done` runs, ctx is theirs. */
	void (*ctx_free)(void *ctx);
	struct ev_timer timer;	/* the per-request timeout */
	long timeout_ms;
	char *fail;		/* a local failure the dispatcher reports */
	cJSON *responses;	/* input_required: the answers gathered so far */
	char *request_state;	/* input_required: echoed back unchanged */
	unsigned waiting;	/* input_required: elicitations not answered yet */
	unsigned rounds;
	const cJSON *rpc_error;	/* the JSON-RPC error being reported (borrowed) */
	void *stream;		/* the transport's stream carrying the response */
};
/* A call with this timeout_ms waits as long as the server keeps it open
 * (subscriptions/listen). */
#define MCP_NO_TIMEOUT (-1L)

/* An elicitation the host has to answer (mcp_elicit_answer). */
struct mcp_elicit {
	unsigned long handle;
	struct mcp_elicit *next;
	cJSON *rpc_id;		/* a server request (elicitation/create): its id */
	struct mcp_call *call;	/* input_required: the call waiting for it … */
	char *key;		/* … and the key of the answer */
	cJSON *params;		/* the request's params (owned) */
};

struct mcp_transport_ops {
	/* Connect or spawn. 0 or DH_EFAIL (err_msg). */
	int (*start)(struct mcp_server *s);
	/* Send one message; `call` is set for a request of ours. A failure
	 * later is reported with mcp_call_fail() or mcp_transport_closed(). */
	int (*send)(struct mcp_server *s, const cJSON *msg, struct mcp_call *call);
	/* The call ended or was cancelled: forget its stream (may abort it). */
	void (*call_gone)(struct mcp_server *s, struct mcp_call *c);
	/* The version in use is known (initialize or discover done). */
	void (*ready)(struct mcp_server *s);
	/* Stop and free the transport's state. */
	void (*stop)(struct mcp_server *s);
};

extern const struct mcp_transport_ops mcp_stdio_ops;
extern const struct mcp_transport_ops mcp_http_ops;

ARRAY_HEAD(mcp_tools, struct mcp_tool);
ARRAY_HEAD(mcp_prompts, struct mcp_prompt);
ARRAY_HEAD(mcp_resources, struct mcp_resource);

struct mcp_server {
	struct ev_loop *loop;
	struct http_client *http;
	char *name;
	enum mcp_transport transport;
	struct strv argv, envp;
	bool has_envp;
	char *cwd;
	int stderr_fd;
	const int *keep_fds; /* borrowed from the spec while the transport starts */
	size_t nkeep_fds;
	char *url;
	struct strv headers;
	char *want_rev;		/* NULL: 2026-07-28, falling back to 2025-11-25 */
	long timeout_ms;
	uint64_t hello_t0;	/* when the handshake began: server/discover and the
				 * initialize it falls back to share one timeout_ms */
	size_t max_message;
	struct mcp_host_ops ops;
	void *ctx;

	enum mcp_state state;
	char *error;
	const char *rev;	/* the revision spoken (MCP_REV_*) */
	const char *wire_version; /* MCP-Protocol-Version to send; NULL before initialize */
	enum mcp_state closing_state; /* the transport is gone: the state once calls drained */
	bool tried_2026_retry;
	cJSON *info;		/* serverInfo */
	cJSON *caps;		/* server capabilities */
	char *instructions;

	cJSON *tools_json, *prompts_json, *resources_json;
	struct mcp_tools tools;
	struct mcp_prompts prompts;
	struct mcp_resources resources;
	char *list_error[4];	/* why a list (mcp.c enum list_kind) failed to load
				 * last, or NULL */
	unsigned loading;	/* list loads in flight during start-up */
	struct ev_timer ttl_timer;
	long ttl_ms;

	/* Subscriptions (mcp_resource_subscribe): the URIs, and for 2026-07-28
	 * the one subscriptions/listen call carrying the notifications. */
	struct strv subs;
	struct mcp_call *listen;
	struct ev_timer listen_timer; /* reopens it after it ended */
	unsigned listen_fails;        /* ends in a row without an acknowledgement */
	bool listen_refused;          /* the server has no subscriptions/listen */

	struct mcp_call *calls;
	long next_id;
	struct mcp_elicit *elicits;
	unsigned long next_elicit;
	cJSON *inbox;		/* parsed messages waiting for the dispatcher */
	struct ev_timer dispatch;
	int busy;		/* inside the dispatcher */
	bool dead;		/* mcp_server_free() was called while busy */

	const struct mcp_transport_ops *tops;
	void *tr;		/* the transport's state */

	/* OAuth (mcp/oauth.h), for the HTTP transport: the one hook. The
	 * transport asks auth_header() for each request and hands 401/403 to
	 * auth_challenge(); done(0) means retry the request. NULL until the
	 * OAuth client is wired in (mcp_auth.c: mcp_auth_attach): a 401/403
	 * then leaves the server MCP_NEEDS_AUTH. */
	const char *(*auth_header)(struct mcp_auth *a);
	int (*auth_challenge)(struct mcp_auth *a, long status, const char *www_authenticate,
			      mcp_auth_done_fn *done, void *ctx);
	/* The waiter `ctx` is gone: its done must not run (mcp_auth_forget). */
	void (*auth_forget)(struct mcp_auth *a, void *ctx);
	struct mcp_auth *auth;
};

/* OAuth for an http server (mcp/mcp_auth.c): create its mcp_auth and set
 * the hooks above; without it (no state directory) the server only reports
 * MCP_NEEDS_AUTH. Returns 0 or DH_EFAIL (err_msg). detach frees it. */
int mcp_auth_attach(struct mcp_server *s, const struct mcp_oauth_conf *conf) DH_MUST_CHECK;
void mcp_auth_detach(struct mcp_server *s);
/* The redirect of the authorization in progress (mcp_server_auth_redirect). */
int mcp_auth_attached_redirect(struct mcp_server *s, const char *url) DH_MUST_CHECK;

/* Bytes of one message from the transport (need not be NUL-terminated).
 * Invalid JSON fails the call it names (when its id can be read), else is
 * logged. Safe from inside curl callbacks: only queues. */
void mcp_incoming(struct mcp_server *s, const char *data, size_t len);
/* The bytes a transport holds without an end when the server went away
 * (a stdio server exited mid-line): queued when they are a whole message,
 * else logged and dropped, failing no call: the exit that follows is what
 * the calls learn. */
void mcp_incoming_last(struct mcp_server *s, const char *data, size_t len);
/* A message too large to keep: `head` is its beginning (for the id). */
void mcp_incoming_too_big(struct mcp_server *s, const char *head, size_t headlen, size_t size);
/* Fail one call (reported from the dispatcher). */
void mcp_call_fail(struct mcp_call *c, const char *fmt, ...) DH_PRINTF(2, 3);
/* The connection is gone: every call fails, the state becomes `st`. */
void mcp_transport_closed(struct mcp_server *s, enum mcp_state st, const char *fmt, ...)
	DH_PRINTF(3, 4);
/* 2025-11-25: the server answered 404 to our session id. Every call fails
 * and a new session is initialized (basic/transports#session-management);
 * the state goes back to MCP_STARTING until it is ready. */
void mcp_session_expired(struct mcp_server *s);
/* The call with this id, or NULL. */
struct mcp_call *mcp_call_by_id(struct mcp_server *s, long id);
/* Log through the host's on_log. */
void mcp_log(struct mcp_server *s, const char *level, const char *fmt, ...) DH_PRINTF(3, 4);

/* The Mcp-Param-NAME headers of a tools/call (2026-07-28, x-mcp-header):
 * appended to `out` as "Mcp-Param-Name: value" lines. */
void mcp_param_headers(struct mcp_server *s, const cJSON *params, struct strv *out);
/* Whether a tool's inputSchema carries only valid x-mcp-header annotations
 * (non-empty tokens without space or ':', on string/integer/boolean
 * properties, unique ignoring case). *why says what is wrong. */
bool mcp_tool_headers_valid(const cJSON *schema, const char **why);
/* A header value as 2026-07-28 encodes it: plain when it is printable ASCII
 * without surrounding white space, else "=?base64?…?=". Appended to out. */
void mcp_header_value(struct buf *out, const char *v);

#endif
