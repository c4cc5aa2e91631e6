/* SPDX-License-Identifier: MIT */
/*
 * The connectors' prompts (mcp_host.h "Prompts"): listed for the workbench's
 * completion and run as a task through prompts/get (MCP 2025-11-25 and
 * 2026-07-28 server/prompts), the messages made one text by
 * mcp_result_text(). Arguments are checked against the prompt's list first,
 * so that a missing one is named here rather than by the server.
 */
#include "engine/mcp_host.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "mcp/mcp.h"
#include "tools/tool.h"

#define PROMPT_WAIT_MS 15000 /* for a connector still starting */
#define PROMPT_POLL_MS 100

struct mcp_prompt_get {
	struct mcp_host *h;
	struct ev_loop *loop;
	struct mcp_call *call;	/* prompts/get in flight, or NULL */
	struct ev_timer timer;	/* waiting for the connector to start */
	uint64_t until;
	char *spec;
	cJSON *args;
	mcp_prompt_done_fn *done;
	void *ctx;
};

cJSON *
mcp_host_prompts(const struct mcp_host *h)
{
	cJSON *a = json_new_arr();

	for (size_t i = 0; h && i < mcp_host_count(h); i++) {
		struct mcp_server *s = mcp_host_server(h, i);

		if (!s || mcp_server_state(s) != MCP_READY)
			continue;
		for (size_t k = 0, n = mcp_prompt_count(s); k < n; k++) {
			const struct mcp_prompt *p = mcp_prompt_at(s, k);
			cJSON *o = json_add(a, NULL, json_new_obj());

			json_add_str(o, "server", mcp_server_name(s));
			json_add_str(o, "name", p->name);
			json_add_str(o, "description", p->description ? p->description : "");
			json_add(o, "arguments", cJSON_IsArray(p->arguments) ? json_dup(p->arguments)
									   : json_new_arr());
		}
	}
	return a;
}

static const struct mcp_prompt *
find_prompt(struct mcp_host *h, const char *spec, struct mcp_server **srv, bool *starting)
{
	const char *slash = strchr(spec, '/');
	size_t sl = slash ? (size_t)(slash - spec) : 0;

	for (size_t i = 0; slash && i < mcp_host_count(h); i++) {
		struct mcp_server *s = mcp_host_server(h, i);
		const char *name = s ? mcp_server_name(s) : NULL;

		if (!name || strlen(name) != sl || strncmp(name, spec, sl))
			continue;
		*starting = mcp_server_state(s) == MCP_STARTING;
		if (mcp_server_state(s) != MCP_READY) {
			err_setc(DH_ENOTFOUND, "prompt %s: connector %s is not ready", spec, name);
			return NULL;
		}
		for (size_t k = 0, n = mcp_prompt_count(s); k < n; k++)
			if (!strcmp(mcp_prompt_at(s, k)->name, slash + 1)) {
				*srv = s;
				return mcp_prompt_at(s, k);
			}
		err_setc(DH_ENOTFOUND, "prompt %s: connector %s has no prompt '%s'", spec, name,
			 slash + 1);
		return NULL;
	}
	err_setc(DH_ENOTFOUND, "prompt %s: no connector '%.*s'%s", spec, (int)sl, spec,
		 slash ? "" : " (expected SERVER/NAME)");
	return NULL;
}

/* Every required argument given, none the prompt does not take, each a
 * string. */
static int
check_args(const char *spec, const struct mcp_prompt *p, const cJSON *args)
{
	const cJSON *a, *v;

	cJSON_ArrayForEach(a, p->arguments)
	{
		const char *n = json_str(a, "name");

		if (n && json_bool(a, "required", false) && !json_str(args, n))
			return err_setc(DH_EPARSE, "prompt %s: the argument '%s' is required", spec,
					n);
	}
	cJSON_ArrayForEach(v, args)
	{
		bool known = false;

		cJSON_ArrayForEach(a, p->arguments)
		{
			const char *n = json_str(a, "name");
			known = known || (n && !strcmp(n, v->string));
		}
		if (!known)
			return err_setc(DH_EPARSE, "prompt %s: it takes no argument '%s'", spec,
					v->string);
		if (!cJSON_IsString(v))
			return err_setc(DH_EPARSE, "prompt %s: the argument '%s' must be a string",
					spec, v->string);
	}
	return 0;
}

/* The messages of a GetPromptResult as the task's text: each message's
 * content as mcp_result_text() renders a tool's (text as is, resources and
 * images as notes), the assistant's marked "[assistant]". Heap. */
static char *
prompt_text(const cJSON *result)
{
	struct buf b = BUF_INIT;
	const cJSON *m;

	cJSON_ArrayForEach(m, json_arr(result, "messages"))
	{
		cJSON *one = json_new_obj();
		const char *role = json_str(m, "role");
		char *t;

		json_add(json_add(one, "content", json_new_arr()), NULL,
			 json_dup(json_obj(m, "content")));
		t = mcp_result_text(one, TOOL_OUTPUT_CAP_DEF, NULL);
		buf_printf(&b, "%s%s%s", b.len ? "\n\n" : "",
			   role && !strcmp(role, "assistant") ? "[assistant] " : "", t);
		free(t);
		cJSON_Delete(one);
	}
	if (!b.len) /* no messages: what the server said of it */
		buf_puts(&b, json_str(result, "description") ? json_str(result, "description")
							       : "(the prompt is empty)");
	return buf_detach(&b);
}

static void
prompt_free(struct mcp_prompt_get *g)
{
	ev_timer_disarm(g->loop, &g->timer);
	free(g->spec);
	cJSON_Delete(g->args);
	free(g);
}

static void
got(const struct mcp_result *res, void *ctx)
{
	struct mcp_prompt_get *g = ctx;

	g->call = NULL;
	if (res->rc < 0 || res->is_error || !res->result) {
		char *m = xasprintf("prompt %s: %s", g->spec,
				    res->error ? res->error : "the connector gave no prompt");
		g->done(DH_EFAIL, m, g->ctx);
		free(m);
	} else {
		char *text = prompt_text(res->result);

		g->done(0, text, g->ctx);
		free(text);
	}
	prompt_free(g);
}

/* Look the prompt up and send prompts/get: 0, 1 when its connector is still
 * starting (try again later), or an error. */
static int
try_send(struct mcp_prompt_get *g)
{
	struct mcp_server *s = NULL;
	const struct mcp_prompt *p;
	bool starting = false;
	int rc;

	if (!(p = find_prompt(g->h, g->spec, &s, &starting)))
		return starting ? 1 : DH_ENOTFOUND;
	if ((rc = check_args(g->spec, p, g->args)) < 0)
		return rc;
	cJSON *params = json_new_obj();
	json_add_str(params, "name", p->name);
	json_add(params, "arguments", g->args ? json_dup(g->args) : json_new_obj());
	rc = mcp_request(&g->call, s, "prompts/get", params, NULL, got, g);
	cJSON_Delete(params);
	if (rc < 0) {
		g->call = NULL;
		return err_setc(rc, "prompt %s: %s", g->spec, err_msg());
	}
	return 0;
}

/* The connector was starting: look again, until it is ready or the wait
 * is over. */
static void
poll_start(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct mcp_prompt_get *g = ctx;
	int rc = try_send(g);

	(void)t;
	if (rc == 1 && ev_now_ms() < g->until) {
		ev_timer_arm(l, &g->timer, PROMPT_POLL_MS);
		return;
	}
	if (rc != 0) {
		if (rc == 1)
			err_set("prompt %s: the connector did not start within %d s", g->spec,
				PROMPT_WAIT_MS / 1000);
		char *m = xstrdup(err_msg());
		g->done(DH_EFAIL, m, g->ctx);
		free(m);
		prompt_free(g);
	}
}

int
mcp_host_prompt_get(struct mcp_prompt_get **out, struct mcp_host *h, struct ev_loop *loop,
		    const char *spec, const cJSON *args, mcp_prompt_done_fn *done, void *ctx)
{
	struct mcp_prompt_get *g;
	int rc;

	*out = NULL;
	if (!h)
		return err_setc(DH_ENOTFOUND, "prompt %s: no connector is configured", spec);
	g = xcalloc(1, sizeof *g);
	g->h = h;
	g->loop = loop;
	g->spec = xstrdup(spec);
	g->args = args ? json_dup(args) : NULL;
	g->done = done;
	g->ctx = ctx;
	ev_timer_init(&g->timer, poll_start, g);
	if ((rc = try_send(g)) < 0) {
		prompt_free(g);
		return rc;
	}
	if (rc == 1) {
		g->until = ev_now_ms() + PROMPT_WAIT_MS;
		ev_timer_arm(loop, &g->timer, PROMPT_POLL_MS);
	}
	*out = g;
	return 0;
}

void
mcp_host_prompt_cancel(struct mcp_prompt_get *g)
{
	if (!g)
		return;
	mcp_call_cancel(g->call);
	prompt_free(g);
}
