/* SPDX-License-Identifier: MIT */
#ifndef DH_ENGINE_MCP_HOST_H
#define DH_ENGINE_MCP_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include <cJSON.h>

#include "core/err.h"
#include "core/strv.h"

/*
 * The connector host (docs/mcp.md "Configuring connectors"): which MCP
 * servers a session starts and how, and what the model sees of them.
 *
 * - Servers come from the person's mcp.json and from each granted folder's
 *   .mcp.json that the person trusted with its exact content
 *   (config/mcp_config.h); an untrusted or changed one starts nothing and is
 *   listed by mcp_host_untrusted().
 * - A stdio server runs in deskhand-sandbox (tools/tool.h's argv builder):
 *   the system read-only, its own writable state directory
 *   $XDG_STATE_HOME/deskhand/mcp/NAME (its HOME), the entry's sandbox.paths
 *   read-write, and network only through an egress proxy allowing the
 *   entry's sandbox.egress hosts (none: no network). "sandbox": false runs
 *   it as is. Its stderr goes to $XDG_STATE_HOME/deskhand/mcp/NAME.log.
 * - Servers start in parallel at mcp_host_new(), on the loop, without
 *   blocking it; the tool set (mcp_host_tools(), a struct tool_extra) holds
 *   mcp__SERVER__TOOL entries for every ready server, plus
 *   mcp__SERVER__list_resources / read_resource when it offers resources.
 *   The agent's first request waits for servers still starting at most
 *   MCP_HOST_WAIT_MS after mcp_host_new(); later ones join the next request.
 * - Tools with annotations.readOnlyHint are read-only (allowed without
 *   asking); the others can change things and are asked for in ask mode.
 *   Descriptions are the server's untrusted text: framed as such and capped.
 */

struct ev_loop;
struct elicit_set;
struct config;
struct mcp_host;
struct tool_extra;

#define MCP_HOST_WAIT_MS 2000   /* the first request waits at most this for servers
                                 * (DH_MCP_WAIT_MS, milliseconds, overrides it) */
#define MCP_HOST_DESC_MAX 2048  /* bytes of a server's tool description shown */
#define MCP_HOST_TOOL_NAME_MAX 64 /* the provider's limit on tool names */

struct mcp_host_opts {
	struct ev_loop *loop;
	const char *state_dir;       /* $XDG_STATE_HOME/deskhand */
	const char *sandbox_path;    /* deskhand-sandbox */
	const char *bwrap;           /* bubblewrap, or NULL */
	const char *const *folders;  /* granted folders whose .mcp.json may count */
	size_t nfolders;
	const char *user_config;     /* the person's mcp.json; NULL = mcp_config_user_path() */
	const char *only;            /* start only the server of this name; NULL = all */
	const struct config *cfg;    /* the managed policy's connectors allowed
	                              * (config/managed.h); NULL = no policy */
	struct elicit_set *elicit;   /* where servers' requests for input go (the
	                              * person answers: engine/elicit.h); NULL =
	                              * declined at once */
	/* An http connector needs the person to authorize deskhand: `url` to
	 * open, `text` one line saying so for the person (both borrowed, valid
	 * during the call). The redirect comes back through the loopback
	 * listener or mcp_host_auth_redirect(). NULL: the log only. */
	void (*authorize)(const char *server, const char *url, const char *text, void *ctx);
	void *authorize_ctx;
	/* A resource the model read changed on its server (MCP resource
	 * subscriptions): `server` and `uri` borrowed, valid during the call.
	 * Called once until the model has been told (tool_extra.notes). NULL:
	 * the log only. */
	void (*resource_updated)(const char *server, const char *uri, void *ctx);
	void *resource_updated_ctx;
	/* A line was added to mcp_host_notices() (also from inside
	 * mcp_host_new()). NULL: the log only. */
	void (*noticed)(void *ctx);
	void *noticed_ctx;
};

/* Load the configuration and start every server it allows. Returns 0, or
 * DH_EPARSE naming file, key and value of a bad mcp.json or of a trusted
 * .mcp.json (*out is then NULL). */
int mcp_host_new(struct mcp_host **out, const struct mcp_host_opts *o) DH_MUST_CHECK;
/* Stop every server (off the loop: their own teardown) and free. NULL-safe. */
void mcp_host_free(struct mcp_host *h);

/* The connectors' tools, for the agent (agent_config.tools_extra). Borrowed. */
const struct tool_extra *mcp_host_tools(struct mcp_host *h);

/* One line per folder .mcp.json found untrusted or changed since it was
 * trusted ("PATH: not trusted; it would run: a (cmd …), b (url)"), for the
 * person. Borrowed. */
const struct strv *mcp_host_untrusted(const struct mcp_host *h);
/* The files of those lines, in the same order. Borrowed. */
const struct strv *mcp_host_untrusted_paths(const struct mcp_host *h);
/* Lines for the person about the connectors, in the order they came, each
 * announced through mcp_host_opts.noticed: a connector that stopped or did
 * not start ("connector f exited with status 7 (its last words: …); its
 * tools are no longer offered in this session"). Borrowed. */
const struct strv *mcp_host_notices(const struct mcp_host *h);
/* A folder granted after the start: its trusted .mcp.json's servers start
 * now (the next request waits for them as the first does); an untrusted
 * one is added to mcp_host_untrusted(). Returns 0 or DH_EPARSE/DH_EFAIL. */
int mcp_host_add_folder(struct mcp_host *h, const char *folder) DH_MUST_CHECK;
/* The person trusts `path`, one of mcp_host_untrusted_paths() (no other:
 * DH_ENOTFOUND): record its SHA-256 (mcp_trust_set) and start its servers
 * now; the next request waits for them as the first does. Returns 0, or DH_EFAIL/DH_EPARSE
 * naming the problem. */
int mcp_host_trust(struct mcp_host *h, const char *path) DH_MUST_CHECK;

/* The URL the person's browser ended on after authorizing connector
 * `server` (pasted: the browser may be on another machine), handed to its
 * OAuth flow in progress (mcp_server_auth_redirect; RFC 6749 §4.1.2: state
 * and iss are checked there). Returns 0 once taken (the token request
 * follows; the call waiting goes on), or DH_ENOTFOUND (no such connector)
 * / DH_EFAIL (no authorization in progress, a wrong state…) with err_msg
 * naming it. */
int mcp_host_auth_redirect(struct mcp_host *h, const char *server, const char *url) DH_MUST_CHECK;

/* Some server is still starting / some server is ready. */
bool mcp_host_starting(const struct mcp_host *h);
bool mcp_host_ready(const struct mcp_host *h);

/* Number of servers started (any state) and a one-line status of each. */
size_t mcp_host_count(const struct mcp_host *h);
/* "NAME: ready, 12 tools (2025-11-25)" etc. ("NAME: needs authorization:
 * run `deskhand mcp login NAME`" while it waits for the person). Heap. */
char *mcp_host_describe(const struct mcp_host *h, size_t i);

/* The server started i-th (0 .. mcp_host_count()-1), or NULL when it could
 * not start. Borrowed. */
struct mcp_server *mcp_host_server(const struct mcp_host *h, size_t i);

/*
 * Prompts (mcp_prompts.c): what the workbench's :prompt and run --prompt
 * offer and run as a task.
 */

/* The prompts of the ready servers, as [{server, name, title, description,
 * arguments: [{name, description, required}]}]. A new array. NULL-safe. */
cJSON *mcp_host_prompts(const struct mcp_host *h);

struct mcp_prompt_get; /* one prompts/get in flight */
/* What prompts/get gave: rc 0 and the messages as one text (borrowed), or
 * rc < 0 and the reason (naming the prompt). */
typedef void mcp_prompt_done_fn(int rc, const char *text, void *ctx);
/* Get prompt `spec` ("SERVER/NAME") with `args` ({name: "value"}, borrowed,
 * may be NULL); a connector still starting is waited for (at most 15 s, on
 * `loop`). 0 and *out (a handle until done runs, always later), or
 * DH_ENOTFOUND (no such server or prompt), DH_EPARSE (a required argument
 * missing, one the prompt does not take) with err_msg() naming it. */
int mcp_host_prompt_get(struct mcp_prompt_get **out, struct mcp_host *h, struct ev_loop *loop,
                        const char *spec, const cJSON *args, mcp_prompt_done_fn *done,
                        void *ctx) DH_MUST_CHECK;
/* Stop waiting: done never runs. NULL-safe; not after done ran. */
void mcp_host_prompt_cancel(struct mcp_prompt_get *g);

#endif
