/* SPDX-License-Identifier: MIT */
/* The MCP client: result text, SEP-2243 header rules, and the stdio framing,
 * id matching, paging and bad input against a scripted server (/bin/sh
 * writing canned lines: ids are ours, 1, 2, 3… in the order we send). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ev.h"
#include "core/json.h"
#include "core/xalloc.h"
#include "mcp/mcp.h"
#include "mcp/mcp_int.h"

static cJSON *
parse(const char *s)
{
	cJSON *v;

	cr_assert_eq(json_parse(&v, s, strlen(s), "test"), 0, "%s", err_msg());
	return v;
}

Test(mcp_text, blocks_joined_media_noted_and_bounded)
{
	cJSON *r = parse("{\"content\":[{\"type\":\"text\",\"text\":\"one\"},"
			 "{\"type\":\"image\",\"mimeType\":\"image/png\",\"data\":\"AAAA\"},"
			 "{\"type\":\"audio\",\"mimeType\":\"audio/wav\",\"data\":\"AAA=\"},"
			 "{\"type\":\"resource\",\"resource\":{\"uri\":\"file:///a\",\"text\":\"body\"}},"
			 "{\"type\":\"resource_link\",\"uri\":\"file:///b\",\"name\":\"b\"}],"
			 "\"structuredContent\":{\"x\":1}}");
	char *t = mcp_result_text(r, 10000, NULL);
	cr_assert_str_eq(t, "one\n[image image/png, 3 bytes]\n[audio audio/wav, 2 bytes]\n"
			    "[resource file:///a]\nbody\n[link file:///b b]");
	free(t);

	/* Images become Anthropic image blocks when asked. */
	cJSON *content = NULL;
	t = mcp_result_text(r, 10000, &content);
	cr_assert_eq(cJSON_GetArraySize(content), 1);
	cr_assert_str_eq(json_str(json_obj(cJSON_GetArrayItem(content, 0), "source"), "media_type"),
			 "image/png");
	cr_assert_null(strstr(t, "[image"));
	free(t);
	cJSON_Delete(content);

	/* Cut with a note at the cap. */
	t = mcp_result_text(r, 5, NULL);
	cr_assert(strncmp(t, "one\n[", 5) == 0, "%s", t);
	cr_assert_not_null(strstr(t, "cut"));
	free(t);
	cJSON_Delete(r);

	/* structuredContent alone is shown as JSON; resources and prompts too. */
	r = parse("{\"content\":[],\"structuredContent\":{\"x\":1}}");
	t = mcp_result_text(r, 100, NULL);
	cr_assert_str_eq(t, "{\"x\":1}");
	free(t);
	cJSON_Delete(r);
	r = parse("{\"contents\":[{\"uri\":\"u\",\"text\":\"T\"}]}");
	t = mcp_result_text(r, 100, NULL);
	cr_assert_str_eq(t, "[resource u]\nT");
	free(t);
	cJSON_Delete(r);
	r = parse("{\"messages\":[{\"role\":\"user\",\"content\":{\"type\":\"text\",\"text\":\"hi\"}}]}");
	t = mcp_result_text(r, 100, NULL);
	cr_assert_str_eq(t, "[user]\nhi");
	free(t);
	cJSON_Delete(r);
}

Test(mcp_headers, values_and_tool_rules)
{
	static const struct {
		const char *in, *out;
	} vals[] = {
		{ "us-west1", "us-west1" },
		{ "us west 1", "us west 1" },
		{ "", "" },
		{ " padded ", "=?base64?IHBhZGRlZCA=?=" },
		{ "line1\nline2", "=?base64?bGluZTEKbGluZTI=?=" },
		{ "Hello, \xe4\xb8\x96", "=?base64?SGVsbG8sIOS4lg==?=" },
	};
	for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
		struct buf b = BUF_INIT;
		mcp_header_value(&b, vals[i].in);
		cr_assert_str_eq(buf_cstr(&b), vals[i].out);
		buf_fini(&b);
	}
	static const struct {
		const char *schema;
		bool ok;
	} tools[] = {
		{ "{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"}}}", true },
		{ "{\"properties\":{\"r\":{\"type\":\"integer\",\"x-mcp-header\":\"P\"}}}", true },
		{ "{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"\"}}}", false },
		{ "{\"properties\":{\"r\":{\"type\":\"number\",\"x-mcp-header\":\"S\"}}}", false },
		{ "{\"properties\":{\"r\":{\"type\":\"object\",\"x-mcp-header\":\"S\"}}}", false },
		{ "{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"A B\"}}}", false },
		{ "{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"A:B\"}}}", false },
		{ "{\"properties\":{\"r\":{\"type\":\"string\",\"x-mcp-header\":\"R\xc3\xa9\"}}}", false },
		{ "{\"properties\":{\"a\":{\"type\":\"string\",\"x-mcp-header\":\"My\"},"
		  "\"b\":{\"type\":\"string\",\"x-mcp-header\":\"my\"}}}", false },
	};
	for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
		cJSON *s = parse(tools[i].schema);
		const char *why = NULL;
		cr_assert_eq(mcp_tool_headers_valid(s, &why), tools[i].ok, "%s", tools[i].schema);
		cr_assert(tools[i].ok || why);
		cJSON_Delete(s);
	}
}

/* ---- a scripted stdio server ---------------------------------------------- */

struct run {
	struct ev_loop *l;
	struct mcp_server *s;
	enum mcp_state st;
	int done;
	struct buf out; /* "rc|is_error|text" per result */
};

static void
on_state(struct mcp_server *s, enum mcp_state st, void *ctx)
{
	struct run *r = ctx;

	(void)s;
	r->st = st;
}

static void
on_done(const struct mcp_result *res, void *ctx)
{
	struct run *r = ctx;
	char *t = res->result ? mcp_result_text(res->result, 1000, NULL) : xstrdup("");

	buf_printf(&r->out, "%d|%d|%s|%s\n", res->rc, res->is_error, t, res->error ? res->error : "");
	free(t);
	r->done++;
}

/* Start `script` (sh -c) as the server; run until ready or failed. */
static void
start(struct run *r, const char *script, size_t max_message)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct mcp_server_spec spec = {
		.name = "t",
		.transport = MCP_STDIO,
		.argv = argv,
		.stderr_fd = -1,
		.revision = MCP_REV_2026,
		.timeout_ms = 3000,
		.max_message = max_message,
	};
	static const struct mcp_host_ops ops = { .on_state = on_state };

	memset(r, 0, sizeof *r);
	cr_assert_eq(ev_new(&r->l), 0);
	cr_assert_eq(mcp_server_start(&r->s, r->l, NULL, &spec, &ops, r), 0, "%s", err_msg());
	for (int i = 0; i < 500 && r->st == MCP_STARTING; i++)
		cr_assert_eq(ev_run_once(r->l, 20), 0);
}

static void
call(struct run *r, const char *name, int want_done)
{
	struct mcp_call *c;
	cJSON *p = json_new_obj();

	json_add_str(p, "name", name);
	cr_assert_eq(mcp_request(&c, r->s, "tools/call", p, NULL, on_done, r), 0, "%s", err_msg());
	cJSON_Delete(p);
	for (int i = 0; i < 500 && r->done < want_done; i++)
		cr_assert_eq(ev_run_once(r->l, 20), 0);
}

static void
finish(struct run *r)
{
	mcp_server_free(r->s);
	ev_free(r->l);
	buf_fini(&r->out);
}

#define DISCOVER "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"supportedVersions\":[\"2026-07-28\"]," \
		 "\"capabilities\":{\"tools\":{}},\"serverInfo\":{\"name\":\"sh\",\"version\":\"1\"}}}"
#define TOOL(n) "{\"name\":\"" n "\",\"inputSchema\":{\"type\":\"object\"}}"

Test(mcp_stdio, framing_paging_and_out_of_order_ids)
{
	struct run r;
	/* One message split across two writes with a CRLF end; two pages of
	 * tools; then two calls (ids 4 and 5) answered in reverse order, both
	 * answers in one write. */
	start(&r,
	      "read l; printf '%s' '" DISCOVER "' | head -c 40; sleep 0.05; "
	      "printf '%s\\r\\n' '" DISCOVER "' | tail -c +41; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[" TOOL("a")
	      "],\"nextCursor\":\"p2\"}}'; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"tools\":[" TOOL("b") "]}}'; "
	      "read l; read l; "
	      "printf '%s\\n%s\\n' '{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"five\"}]}}' "
	      "'{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":{\"isError\":true,\"content\":[{\"type\":\"text\",\"text\":\"four\"}]}}'; "
	      "sleep 5",
	      0);
	cr_assert_eq(r.st, MCP_READY, "state %d: %s", r.st, mcp_server_error(r.s));
	cr_assert_str_eq(mcp_server_revision(r.s), MCP_REV_2026);
	cr_assert_eq(mcp_tool_count(r.s), 2);
	cr_assert_str_eq(mcp_tool_at(r.s, 1)->name, "b");
	cr_assert(mcp_tool_at(r.s, 1)->destructive, "no annotations: destructive");
	struct mcp_call *c;
	cJSON *p = json_new_obj();
	json_add_str(p, "name", "a");
	cr_assert_eq(mcp_request(&c, r.s, "tools/call", p, NULL, on_done, &r), 0);
	call(&r, "b", 2);
	cJSON_Delete(p);
	cr_assert_str_eq(buf_cstr(&r.out), "0|0|five|\n0|1|four|\n");
	finish(&r);
}

Test(mcp_stdio, bad_input_is_a_clean_error)
{
	struct run r;
	/* After tools/list (2): call 3 gets invalid JSON naming its id, 4 a
	 * line over the bound, 5 a JSON-RPC error, 6 the server's exit. */
	start(&r,
	      "read l; echo '" DISCOVER "'; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}'; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{'; "
	      "read l; printf '{\"jsonrpc\":\"2.0\",\"id\":4,\"result\":\"%0300d\"}\\n' 0; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":5,\"error\":{\"code\":-32602,\"message\":\"no such tool\"}}'; "
	      "read l; exit 7",
	      200);
	cr_assert_eq(r.st, MCP_READY, "state %d: %s", r.st, mcp_server_error(r.s));
	call(&r, "x", 1);
	call(&r, "x", 2);
	call(&r, "x", 3);
	call(&r, "x", 4);
	const char *o = buf_cstr(&r.out);
	cr_assert(strstr(o, "-1|1||t sent invalid JSON"), "%s", o);
	cr_assert(strstr(o, "-1|1||t sent a message larger than 200 bytes"), "%s", o);
	cr_assert(strstr(o, "0|1||no such tool (code -32602)"), "%s", o);
	cr_assert(strstr(o, "-1|1||connector t exited with status 7"), "%s", o);
	for (int i = 0; i < 50 && r.st == MCP_READY; i++)
		cr_assert_eq(ev_run_once(r.l, 20), 0);
	cr_assert_eq(r.st, MCP_CLOSED);
	struct mcp_call *c;
	cr_assert_lt(mcp_request(&c, r.s, "tools/call", NULL, NULL, on_done, &r), 0);
	cr_assert(strstr(err_msg(), "closed"), "%s", err_msg());
	finish(&r);
}

/* A response's id is the id of a request only when it is that number:
 * 3.5 was taken as the answer to request 3 (the id converted to long), and
 * 1e300 converted to long is undefined. Both are ignored; the real answer
 * is the result. */
Test(mcp_stdio, response_ids_not_ours_ignored)
{
	struct run r;

	start(&r,
	      "read l; echo '" DISCOVER "'; "
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}'; "
	      "read l; "
	      "echo '{\"jsonrpc\":\"2.0\",\"id\":3.5,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"not yours\"}]}}'; "
	      "echo '{\"jsonrpc\":\"2.0\",\"id\":1e300,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"huge\"}]}}'; "
	      "echo '{\"jsonrpc\":\"2.0\",\"id\":-1e300,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"tiny\"}]}}'; "
	      "echo '{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"three\"}]}}'; "
	      "sleep 5",
	      0);
	cr_assert_eq(r.st, MCP_READY, "state %d: %s", r.st, mcp_server_error(r.s));
	call(&r, "x", 1);
	cr_assert_str_eq(buf_cstr(&r.out), "0|0|three|\n");
	finish(&r);
}

Test(mcp_stdio, unknown_version_and_cancel)
{
	struct run r;

	/* A server that speaks only a version we do not: start fails, named. */
	start(&r,
	      "read l; echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"supportedVersions\":[\"2099-01-01\"]}}'; sleep 5",
	      0);
	cr_assert_eq(r.st, MCP_FAILED);
	cr_assert(strstr(mcp_server_error(r.s), "none of our protocol versions"), "%s",
		  mcp_server_error(r.s));
	finish(&r);

	/* A cancelled call never reports; the server hears notifications/cancelled. */
	char log[] = "/tmp/dh-mcp-cancel-XXXXXX";
	int fd = mkstemp(log);
	cr_assert_geq(fd, 0);
	close(fd);
	char script[1024];
	snprintf(script, sizeof script,
		 "read l; echo '" DISCOVER "'; read l; "
		 "echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[]}}'; "
		 "read l; read l; echo \"$l\" > %s; sleep 5",
		 log);
	start(&r, script, 0);
	cr_assert_eq(r.st, MCP_READY);
	struct mcp_call *c;
	cr_assert_eq(mcp_request(&c, r.s, "tools/call", NULL, NULL, on_done, &r), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(ev_run_once(r.l, 10), 0);
	mcp_call_cancel(c);
	struct buf got = BUF_INIT;
	for (int i = 0; i < 200 && got.len == 0; i++) {
		cr_assert_eq(ev_run_once(r.l, 10), 0);
		FILE *f = fopen(log, "r");
		char line[512];
		if (f && fgets(line, sizeof line, f))
			buf_puts(&got, line);
		if (f)
			fclose(f);
	}
	cr_assert(strstr(buf_cstr(&got), "\"method\":\"notifications/cancelled\""), "%s",
		  buf_cstr(&got));
	cr_assert(strstr(buf_cstr(&got), "\"requestId\":3"), "%s", buf_cstr(&got));
	cr_assert_eq(r.done, 0);
	buf_fini(&got);
	unlink(log);
	finish(&r);
}
