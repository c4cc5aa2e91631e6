/* SPDX-License-Identifier: MIT */
#ifndef DH_MCP_MCP_H
#define DH_MCP_MCP_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"

/*
 * The MCP client (STYLE.md §3.3): one `struct mcp_server` per configured
 * connector, over stdio (a child process) or Streamable HTTP (net/http.h),
 * speaking protocol revision 2026-07-28 (server/discover, per-request _meta,
 * input_required retries) and falling back per server to 2025-11-25
 * (initialize, sessions, the legacy GET stream). Spec: PROTOCOLS.md and
 * modelcontextprotocol.io/specification/{2025-11-25,2026-07-28}.
 *
 * Everything is asynchronous on the ev loop: nothing here blocks. Callbacks
 * run on the loop, never from inside the call that started the operation.
 * This module knows nothing of grants, trust or the agent: the host (the
 * engine/agent) decides which servers start, how a stdio server is
 * sandboxed (it passes the argv to run) and what the model sees.
 */

struct ev_loop;
struct http_client;
struct mcp_server;
struct mcp_call; /* one request in flight (opaque) */

#define MCP_REV_2026 "2026-07-28"
#define MCP_REV_2025 "2025-11-25"

enum mcp_transport { MCP_STDIO, MCP_HTTP };

/* OAuth for an http server (mcp/oauth.h; docs/mcp.md "Authorization").
 * Every field may be NULL/false: discovery, dynamic registration and the
 * loopback redirect then do it all. */
struct mcp_oauth_conf {
	const char *client_id;           /* pre-registered client */
	const char *client_secret;       /* with client_id */
	const char *scope;               /* asked for besides what the server names */
	const char *client_metadata_url; /* our Client ID Metadata Document */
	const char *redirect_uri;        /* NULL: a loopback listener */
	const char *state_dir;           /* NULL: $XDG_STATE_HOME/deskhand/oauth */
	bool fetch_authorize;            /* conformance harness: follow the authorization
	                                  * URL's redirect ourselves, no person */
};

/* How to reach one server; everything is copied by mcp_server_start(). */
struct mcp_server_spec {
	const char *name;            /* the config key ("gmail"); [A-Za-z0-9_-]+ */
	enum mcp_transport transport;
	const char *const *argv;     /* stdio: the command as it is to run (the host
	                              * has already wrapped it in the sandbox);
	                              * NULL-terminated */
	const char *const *envp;     /* stdio: NULL-terminated full environment; NULL = ours */
	const char *cwd;             /* stdio: NULL = ours */
	int stderr_fd;               /* stdio: where the server's stderr goes (dup'ed);
	                              * -1 = /dev/null */
	const int *keep_fds;         /* stdio: fds the child inherits at the same number
	                              * (proc_spec.keep_fds: the sandbox's --proxy-fd) */
	size_t nkeep_fds;
	const char *url;             /* http: the endpoint */
	const char *const *headers;  /* http: extra "Name: value" lines */
	size_t nheaders;
	struct mcp_oauth_conf oauth; /* http: OAuth settings (zero: the defaults) */
	const char *revision;        /* NULL: try MCP_REV_2026, fall back to MCP_REV_2025;
	                              * else only this one */
	long timeout_ms;             /* per request; 0 = MCP_TIMEOUT_DEF */
	size_t max_message;          /* bytes of one incoming message; 0 = MCP_MESSAGE_MAX */
};

#define MCP_TIMEOUT_DEF 60000L
#define MCP_MESSAGE_MAX ((size_t)8 << 20)

enum mcp_state {
	MCP_STARTING,  /* spawned / connecting, discovery in flight */
	MCP_READY,     /* discovered: lists are loaded */
	MCP_NEEDS_AUTH, /* an HTTP server answered 401 and no token works: see mcp_auth */
	MCP_FAILED,    /* could not start or discovery failed: mcp_server_error() */
	MCP_CLOSED,    /* the server exited or the connection is gone */
};

/* A tool, prompt or resource the server offers; borrowed from the server,
 * valid until the next list_changed notification or mcp_server_free(). */
struct mcp_tool {
	const char *name;
	const char *title;         /* NULL if none */
	const char *description;   /* "" if none; untrusted text */
	const cJSON *input_schema; /* object */
	const cJSON *output_schema; /* NULL if none */
	bool read_only;            /* annotations.readOnlyHint == true */
	bool destructive;          /* annotations.destructiveHint true, or absent */
	bool has_annotations;
};

struct mcp_prompt {
	const char *name;
	const char *description;
	const cJSON *arguments; /* [{name, description, required}] or NULL */
};

struct mcp_resource {
	const char *uri;
	const char *name;
	const char *description;
	const char *mime_type;
	bool is_template; /* uri is a URI template (resources/templates/list) */
};

/* Server → host notifications and requests. Any may be NULL. */
struct mcp_host_ops {
	/* The state changed (ready, failed, closed, needs auth). */
	void (*on_state)(struct mcp_server *s, enum mcp_state st, void *ctx);
	/* A tools/prompts/resources list changed and was reloaded. */
	void (*on_list_changed)(struct mcp_server *s, void *ctx);
	/* The server asks the person for input (elicitation/create, or an
	 * input_required result). `params` is the request's params (borrowed):
	 * {mode: "form"|"url", message, requestedSchema | url, elicitationId}.
	 * The host must answer exactly once with mcp_elicit_answer(), later or
	 * at once; `id` is its handle (valid until answered). */
	void (*on_elicit)(struct mcp_server *s, unsigned long id, const cJSON *params, void *ctx);
	/* A log line the server sent (notifications/message), or one of ours
	 * about it (a fallback, an ignored tool). Stderr goes to stderr_fd. */
	void (*on_log)(struct mcp_server *s, const char *level, const char *text, void *ctx);
	/* OAuth (mcp/oauth.h): the person must open `url` (borrowed) in a
	 * browser; the redirect comes back through the loopback listener or
	 * mcp_server_auth_redirect(). NULL: the server stays MCP_NEEDS_AUTH. */
	void (*on_authorize)(struct mcp_server *s, const char *url, void *ctx);
	/* notifications/resources/updated for a resource subscribed with
	 * mcp_resource_subscribe(): `uri` (borrowed) changed and may be read
	 * again. */
	void (*on_resource_updated)(struct mcp_server *s, const char *uri, void *ctx);
};

/* Start connecting (spawn or first POST) and discovering. Returns 0 and
 * *out (caller owns, mcp_server_free()), or DH_EFAIL/DH_EPARSE naming what
 * is wrong with the spec. Failures after this arrive through on_state. */
int mcp_server_start(struct mcp_server **out, struct ev_loop *l, struct http_client *http,
                     const struct mcp_server_spec *spec, const struct mcp_host_ops *ops,
                     void *ctx) DH_MUST_CHECK;
/* Cancel every call (their callbacks do not run), stop the child (stdin
 * closed, SIGTERM, then SIGKILL and reaped at once: nothing waits on the
 * loop), close the HTTP streams, free. NULL-safe; from inside a callback the
 * free happens once the dispatcher returns. */
void mcp_server_free(struct mcp_server *s);

const char *mcp_server_name(const struct mcp_server *s);
enum mcp_state mcp_server_state(const struct mcp_server *s);
/* The connection is gone (the process exited, the server closed it): true
 * from then on, also while the calls in flight are being failed, before
 * the state becomes MCP_CLOSED. */
bool mcp_server_gone(const struct mcp_server *s);
/* Why it failed or closed (borrowed), or NULL. */
const char *mcp_server_error(const struct mcp_server *s);
/* The negotiated revision (MCP_REV_*), NULL before ready. */
const char *mcp_server_revision(const struct mcp_server *s);
/* serverInfo {name, version, title?} and instructions (borrowed, may be NULL). */
const cJSON *mcp_server_info(const struct mcp_server *s);
const char *mcp_server_instructions(const struct mcp_server *s);

/* Why a prompts, resources or resource templates list could not be loaded
 * the last time it was ("connector NAME could not list its prompts: …"),
 * borrowed; NULL when every list loaded. Such a list is empty. */
const char *mcp_server_list_error(const struct mcp_server *s);

size_t mcp_tool_count(const struct mcp_server *s);
const struct mcp_tool *mcp_tool_at(const struct mcp_server *s, size_t i);
const struct mcp_tool *mcp_tool_find(const struct mcp_server *s, const char *name);
size_t mcp_prompt_count(const struct mcp_server *s);
const struct mcp_prompt *mcp_prompt_at(const struct mcp_server *s, size_t i);
size_t mcp_resource_count(const struct mcp_server *s);
const struct mcp_resource *mcp_resource_at(const struct mcp_server *s, size_t i);

/* Ask to be told when the resource `uri` changes (on_resource_updated), if
 * the server offers it (capabilities.resources.subscribe): 2025-11-25 sends
 * resources/subscribe (server/resources#subscriptions); 2026-07-28 reopens
 * the subscriptions/listen request with the URI in resourceSubscriptions
 * (SEP-2575). Returns true when the server offers subscriptions and the URI
 * is now subscribed (also when it already was), false when it does not or
 * is not ready. A failure later is logged (on_log). */
bool mcp_resource_subscribe(struct mcp_server *s, const char *uri);

/* The outcome of a call, borrowed for the callback. */
struct mcp_result {
	int rc;               /* 0: the server answered (result may still be an error
	                       * result: is_error); < 0: transport, protocol or
	                       * timeout failure, message in `error` */
	bool is_error;        /* CallToolResult.isError, or a JSON-RPC error */
	const char *error;    /* one line when rc < 0 or a JSON-RPC error */
	const cJSON *result;  /* the JSON-RPC result object, or NULL */
};
typedef void mcp_done_fn(const struct mcp_result *res, void *ctx);
/* notifications/progress for a call: progress and total (total < 0: unknown). */
typedef void mcp_progress_fn(double progress, double total, const char *message, void *ctx);

/* Send `method` with `params` (borrowed; NULL = {}) and call `done` once
 * with the result. Used for tools/call, resources/read, prompts/get,
 * completion/complete. Handles input_required (2026-07-28) by asking the
 * host (on_elicit) and retrying, and progress tokens (`progress` may be
 * NULL). *out is a handle until done runs or mcp_call_cancel(). Returns 0
 * or DH_EFAIL (server not ready: err_msg says its state). */
int mcp_request(struct mcp_call **out, struct mcp_server *s, const char *method,
                const cJSON *params, mcp_progress_fn *progress, mcp_done_fn *done,
                void *ctx) DH_MUST_CHECK;
/* Cancel: notifications/cancelled (2025-11-25) or the 2026 equivalent is
 * sent, `done` never runs. NULL-safe; not after done ran. */
void mcp_call_cancel(struct mcp_call *c);

/* Answer the elicitation `id`: action "accept" (with `content`, borrowed),
 * "decline" or "cancel". */
void mcp_elicit_answer(struct mcp_server *s, unsigned long id, const char *action,
                       const cJSON *content);

/* The redirect URL the person pasted (the loopback listener's path is
 * taken automatically). Returns 0, or DH_EPARSE when it is not the
 * redirect of the flow in progress (state, iss mismatch; err_msg says). */
int mcp_server_auth_redirect(struct mcp_server *s, const char *redirect_url) DH_MUST_CHECK;

/* A CallToolResult (or ReadResourceResult / GetPromptResult) as text the
 * model can read: text blocks joined, structuredContent as JSON, images
 * and audio as "[image/png, N bytes]" unless `content` is non-NULL, in
 * which case image blocks are appended to *content as Anthropic image
 * blocks (created if NULL). Bounded: at most `cap` bytes of text (cut with
 * a note). Heap. */
char *mcp_result_text(const cJSON *result, size_t cap, cJSON **content);

#endif
