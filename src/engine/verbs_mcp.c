/* SPDX-License-Identifier: MIT */
/*
 * `deskhand mcp client`: connect to one MCP server exactly as a session does
 * (mcp_server_start with the same spec a session builds) and exercise it:
 * list, then call every tool (or the calls MCP_CONFORMANCE_CONTEXT names),
 * read the resources, get the prompts, printing what the model would see.
 * This is the client the official conformance suite drives
 * (@modelcontextprotocol/conformance: it appends the server URL and sets
 * MCP_CONFORMANCE_SCENARIO, MCP_CONFORMANCE_CONTEXT and
 * MCP_CONFORMANCE_PROTOCOL_VERSION). Elicitations are accepted as the form
 * stands (the schema's defaults), as a person pressing Enter would.
 *
 * Everything the server sent (names, descriptions, results, messages) is
 * printed made printable, as `mcp tools` prints it: a field on one line
 * (utf8_sanitized()), a result with its lines (utf8_sanitized_text()), so a
 * server cannot write an escape sequence to the terminal or forge a line.
 * A stdio server's stderr too, line by line, as "mcp stderr: LINE".
 */
#include "engine/client.h"
#include "engine/verbs.h"
#include "engine/verbs_mcp_auth.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "mcp/mcp.h"
#include "net/http.h"

#define RESULT_CAP 4000
#define MAX_EACH 3 /* resources read and prompts got */
#define ERR_LINE_MAX 4096 /* bytes of a stderr line shown: the rest is dropped */

static const char client_usage[] =
	"usage: deskhand mcp client [--revision REV] [--timeout MS] [--header 'NAME: VALUE']...\n"
	"                           (URL | -- COMMAND [ARG...])\n"
	"\n"
	"Connect to one MCP server as a session would: a Streamable HTTP URL, or a\n"
	"stdio server run as COMMAND. List its tools, prompts and resources, call\n"
	"every tool with arguments made from its input schema (or the calls that\n"
	"MCP_CONFORMANCE_CONTEXT's toolCalls names), read its resources and get its\n"
	"prompts, and print what the model would read. Elicitations are accepted\n"
	"with the form's defaults.\n"
	"\n"
	"  --revision REV  speak only 2026-07-28 or 2025-11-25 (default: try\n"
	"                  2026-07-28, fall back to 2025-11-25;\n"
	"                  MCP_CONFORMANCE_PROTOCOL_VERSION sets it too)\n"
	"  --timeout MS    per request (default 20000)\n"
	"  --header H      an extra HTTP header, repeatable\n"
	"\n"
	"What a stdio server writes to its stderr is printed on stderr a line at a\n"
	"time, as \"mcp stderr: LINE\", made printable (ESC as ^[).\n"
	"\n"
	"Exit status: 0 every step answered, 1 a step failed, 2 usage.\n";

struct action {
	const char *method;
	cJSON *params;
};

struct harness {
	struct ev_loop *loop;
	struct mcp_server *s;
	struct action *acts;
	size_t nacts, next;
	bool planned, failed, done;
	const cJSON *context;
	const char *scenario; /* MCP_CONFORMANCE_SCENARIO, or NULL */
	int errfd;            /* the read end of a stdio server's stderr, or -1 */
	struct buf errline;   /* the stderr line being read */
};

/* A value for a property that satisfies its schema well enough to call. */
static cJSON *
sample(const cJSON *prop)
{
	const cJSON *def = cJSON_GetObjectItemCaseSensitive(prop, "default");
	const cJSON *en = json_arr(prop, "enum");
	const char *type = json_str(prop, "type");

	if (def)
		return json_dup(def);
	if (en && cJSON_GetArraySize(en) > 0)
		return json_dup(cJSON_GetArrayItem(en, 0));
	if (!type)
		return cJSON_CreateString("test");
	if (!strcmp(type, "integer") || !strcmp(type, "number"))
		return cJSON_CreateNumber(1);
	if (!strcmp(type, "boolean"))
		return cJSON_CreateTrue();
	if (!strcmp(type, "object"))
		return json_new_obj();
	if (!strcmp(type, "array"))
		return json_new_arr();
	return cJSON_CreateString("test");
}

static cJSON *
sample_args(const cJSON *schema)
{
	cJSON *args = json_new_obj();
	const cJSON *req;
	const cJSON *props = json_obj(schema, "properties");

	cJSON_ArrayForEach(req, json_arr(schema, "required")) {
		if (!cJSON_IsString(req))
			continue;
		json_add(args, req->valuestring,
			 sample(cJSON_GetObjectItemCaseSensitive(props, req->valuestring)));
	}
	return args;
}

static void
add_action(struct harness *h, const char *method, cJSON *params)
{
	h->acts = xrealloc(h->acts, (h->nacts + 1) * sizeof *h->acts);
	h->acts[h->nacts++] = (struct action){ .method = method, .params = params };
}

/* json-schema-2020-12-preservation: send a tool's inputSchema back through
 * json_schema_echo, as received (what we keep is what the server sent). */
static cJSON *
schema_echo_args(struct mcp_server *s)
{
	cJSON *args = json_new_obj();

	for (size_t i = 0; i < mcp_tool_count(s); i++)
		if (strcmp(mcp_tool_at(s, i)->name, "json_schema_echo") != 0) {
			json_add(args, "schema", json_dup(mcp_tool_at(s, i)->input_schema));
			break;
		}
	return args;
}

/* Scenarios that ask for more than calling each tool with sample arguments. */
static const struct {
	const char *scenario;
	const char *tool;
	cJSON *(*args)(struct mcp_server *s);
} special_args[] = {
	{ "json-schema-2020-12-preservation", "json_schema_echo", schema_echo_args },
};

static void
plan(struct harness *h)
{
	struct mcp_server *s = h->s;
	const cJSON *calls = json_arr(h->context, "toolCalls");
	const cJSON *tc;

	if (calls) {
		cJSON_ArrayForEach(tc, calls) {
			cJSON *p = json_new_obj();
			json_add_str(p, "name", json_str(tc, "name") ? json_str(tc, "name") : "");
			json_add(p, "arguments", json_obj(tc, "arguments") ? json_dup(json_obj(tc, "arguments"))
									  : json_new_obj());
			add_action(h, "tools/call", p);
		}
	} else {
		for (size_t i = 0; i < mcp_tool_count(s); i++) {
			const struct mcp_tool *t = mcp_tool_at(s, i);
			cJSON *p = json_new_obj();
			cJSON *args = NULL;
			json_add_str(p, "name", t->name);
			for (size_t k = 0; k < sizeof special_args / sizeof *special_args; k++)
				if (h->scenario && !strcmp(h->scenario, special_args[k].scenario) &&
				    !strcmp(t->name, special_args[k].tool))
					args = special_args[k].args(s);
			json_add(p, "arguments", args ? args : sample_args(t->input_schema));
			add_action(h, "tools/call", p);
		}
	}
	size_t n = 0;
	for (size_t i = 0; i < mcp_resource_count(s) && n < MAX_EACH; i++) {
		const struct mcp_resource *r = mcp_resource_at(s, i);
		if (r->is_template)
			continue;
		cJSON *p = json_new_obj();
		json_add_str(p, "uri", r->uri);
		add_action(h, "resources/read", p);
		n++;
	}
	for (size_t i = 0; i < mcp_prompt_count(s) && i < MAX_EACH; i++) {
		const struct mcp_prompt *pr = mcp_prompt_at(s, i);
		cJSON *p = json_new_obj();
		cJSON *args = json_add(p, "arguments", json_new_obj());
		const cJSON *a;
		json_add_str(p, "name", pr->name);
		cJSON_ArrayForEach(a, pr->arguments)
			if (json_bool(a, "required", false) && json_str(a, "name"))
				json_add_str(args, json_str(a, "name"), "test");
		add_action(h, "prompts/get", p);
	}
	h->planned = true;
}

static void next_action(struct harness *h);

static void
on_done(const struct mcp_result *res, void *ctx)
{
	struct harness *h = ctx;
	const struct action *a = &h->acts[h->next - 1];
	const char *what = json_str(a->params, "name") ? json_str(a->params, "name")
						       : json_str(a->params, "uri");
	struct buf name = BUF_INIT, said = BUF_INIT;

	utf8_sanitized(&name, what);
	if (res->rc < 0) {
		printf("%s %s: failed: %s\n", a->method, buf_cstr(&name),
		       utf8_sanitized(&said, res->error));
		h->failed = true;
	} else if (!res->result) {
		printf("%s %s: error: %s\n", a->method, buf_cstr(&name),
		       utf8_sanitized(&said, res->error ? res->error : "?"));
	} else {
		char *text = mcp_result_text(res->result, RESULT_CAP, NULL);
		printf("%s %s%s:\n%s\n", a->method, buf_cstr(&name),
		       res->is_error ? " (error result)" : "", utf8_sanitized_text(&said, text));
		free(text);
	}
	buf_fini(&name);
	buf_fini(&said);
	fflush(stdout);
	next_action(h);
}

static void
progress(double p, double total, const char *message, void *ctx)
{
	struct buf said = BUF_INIT;

	(void)ctx;
	printf("progress %g/%g %s\n", p, total, utf8_sanitized(&said, message));
	buf_fini(&said);
}

static void
next_action(struct harness *h)
{
	if (mcp_server_state(h->s) == MCP_STARTING)
		return; /* a new session is being set up: on_state goes on */
	while (h->next < h->nacts) {
		const struct action *a = &h->acts[h->next++];
		struct mcp_call *c;
		if (mcp_request(&c, h->s, a->method, a->params, progress, on_done, h) == 0)
			return;
		struct buf said = BUF_INIT;

		printf("%s: %s\n", a->method, utf8_sanitized(&said, err_msg()));
		buf_fini(&said);
		h->failed = true;
	}
	h->done = true;
	ev_quit(h->loop);
}

static void
on_state(struct mcp_server *s, enum mcp_state st, void *ctx)
{
	struct harness *h = ctx;

	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;

	if (st == MCP_READY && !h->planned) {
		const cJSON *info = mcp_server_info(s);
		printf("connected: %s %s (protocol %s), %zu tools, %zu prompts, %zu resources\n",
		       utf8_sanitized(&a, json_str(info, "name") ? json_str(info, "name") : "?"),
		       utf8_sanitized(&b, json_str(info, "version")),
		       utf8_sanitized(&c, mcp_server_revision(s)), mcp_tool_count(s),
		       mcp_prompt_count(s), mcp_resource_count(s));
		for (size_t i = 0; i < mcp_tool_count(s); i++)
			printf("  tool %s%s\n", utf8_sanitized(&a, mcp_tool_at(s, i)->name),
			       mcp_tool_at(s, i)->read_only ? " (read-only)" : "");
		plan(h);
		next_action(h);
	} else if (st == MCP_READY && !h->done) {
		printf("connected again\n");
		next_action(h);
	} else if (st != MCP_READY && st != MCP_STARTING) {
		static const char *const what[] = { [MCP_NEEDS_AUTH] = "needs authorization",
						    [MCP_FAILED] = "failed", [MCP_CLOSED] = "closed" };
		printf("server %s: %s\n", what[st],
		       utf8_sanitized(&a, mcp_server_error(s) ? mcp_server_error(s) : "?"));
		h->failed = true;
		ev_quit(h->loop);
	}
	buf_fini(&a);
	buf_fini(&b);
	buf_fini(&c);
	fflush(stdout);
}

static void
on_elicit(struct mcp_server *s, unsigned long id, const cJSON *params, void *ctx)
{
	struct buf mode = BUF_INIT, msg = BUF_INIT;

	(void)ctx;
	printf("elicitation (%s): %s\n", utf8_sanitized(&mode, json_str(params, "mode")),
	       utf8_sanitized(&msg, json_str(params, "message")));
	buf_fini(&mode);
	buf_fini(&msg);
	mcp_elicit_answer(s, id, "accept", NULL);
}

static void
on_log(struct mcp_server *s, const char *level, const char *text, void *ctx)
{
	struct buf lv = BUF_INIT, said = BUF_INIT;

	(void)s;
	(void)ctx;
	fprintf(stderr, "mcp [%s] %s\n", utf8_sanitized(&lv, level), utf8_sanitized(&said, text));
	buf_fini(&lv);
	buf_fini(&said);
}

static void
on_list_changed(struct mcp_server *s, void *ctx)
{
	(void)ctx;
	printf("lists changed: %zu tools\n", mcp_tool_count(s));
}

static void
deadline(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	struct harness *h = ctx;

	(void)t;
	printf("gave up: no end within the deadline\n");
	h->failed = true;
	ev_quit(l);
}

static void
on_signal(struct ev_loop *l, int signo, void *ctx)
{
	struct harness *h = ctx;

	printf("interrupted (signal %d)\n", signo);
	h->failed = true;
	ev_quit(l);
}

/* A line of the server's stderr, made printable: a server's escape
 * sequences do not reach the terminal. */
static void
err_line(void *ctx)
{
	struct harness *h = ctx;
	struct buf shown = BUF_INIT;
	size_t n = h->errline.len;

	while (n && h->errline.ptr[n - 1] == '\r')
		n--;
	/* as the engine logs a connector's: a tab as blanks, the rest escaped */
	utf8_sanitize(&shown, h->errline.ptr, n, 0);
	fprintf(stderr, "mcp stderr: %s\n", buf_cstr(&shown));
	buf_fini(&shown);
	buf_clear(&h->errline);
}

/* One read of the server's stderr, printed by the line; false once nothing
 * more is there now (or ever: the pipe is closed then). */
static bool
err_read(struct harness *h)
{
	char chunk[4096];
	ssize_t n = read(h->errfd, chunk, sizeof chunk);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return false;
	if (n <= 0) {
		if (h->errline.len)
			err_line(h);
		ev_io_del(h->loop, h->errfd);
		close(h->errfd);
		h->errfd = -1;
		return false;
	}
	buf_feed_lines(&h->errline, chunk, (size_t)n, ERR_LINE_MAX, err_line, h);
	return true;
}

static void
on_stderr(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)l;
	(void)fd;
	(void)revents;
	err_read(ctx);
}

/* A pipe for a stdio server's stderr, its read end in the loop: *wfd is the
 * end the server writes (the caller closes it). 0, or < 0 with the error set. */
static int
err_pipe(struct harness *h, int *wfd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return err_set("pipe: %s", strerror(errno));
	/* only our end is non-blocking: the server's writes wait for room */
	int rc = fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK) < 0
	                 ? err_set("its stderr: %s", strerror(errno))
	                 : ev_io_set(h->loop, p[0], POLLIN, on_stderr, h);

	if (rc < 0) {
		close(p[0]);
		close(p[1]);
		return rc;
	}
	h->errfd = p[0];
	*wfd = p[1];
	return 0;
}

static int
mcp_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "revision", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ "header", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *rev = getenv("MCP_CONFORMANCE_PROTOCOL_VERSION");
	long timeout = 20000;
	const char *headers[32];
	size_t nheaders = 0;
	int opt;

	if (rev && !*rev)
		rev = NULL;
	optind = 1;
	opterr = 0; /* getopt would name the program "client" */
	while ((opt = getopt_long(argc, argv, "+:r:t:H:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r': rev = optarg; break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		case 'H':
			if (nheaders == sizeof headers / sizeof *headers) {
				fprintf(stderr, "deskhand mcp client: too many --header\n");
				return 2;
			}
			headers[nheaders++] = optarg;
			break;
		case 'h': fputs(client_usage, stdout); return 0;
		default:
			client_verb_bad_option("mcp client", opt, argv);
			fputs(client_usage, stderr);
			return 2;
		}
	}
	if (optind >= argc || timeout <= 0) {
		fputs(client_usage, stderr);
		return 2;
	}
	/* Versions before 2025-11-25 speak its stateful lifecycle. */
	if (rev && strcmp(rev, MCP_REV_2026) != 0)
		rev = MCP_REV_2025;

	cJSON *context = NULL;
	const char *ctxs = getenv("MCP_CONFORMANCE_CONTEXT");
	if (ctxs && *ctxs && json_parse(&context, ctxs, strlen(ctxs), "MCP_CONFORMANCE_CONTEXT") < 0) {
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		return 2;
	}

	struct harness h = { .context = context, .scenario = getenv("MCP_CONFORMANCE_SCENARIO"),
			     .errfd = -1, .errline = BUF_INIT };
	char *oauth_dir = NULL;
	struct http_client *http = NULL;
	struct ev_timer dl;
	int rc = 1, errw = -1;

	if (ev_new(&h.loop) < 0 || http_client_new(&http, h.loop) < 0) {
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		goto out;
	}
	bool is_url = !strncmp(argv[optind], "http://", 7) || !strncmp(argv[optind], "https://", 8);
	struct mcp_server_spec spec = {
		.name = "client",
		.transport = is_url ? MCP_HTTP : MCP_STDIO,
		.argv = is_url ? NULL : (const char *const *)argv + optind,
		.stderr_fd = -1, /* a pipe below */
		.url = is_url ? argv[optind] : NULL,
		.headers = headers,
		.nheaders = nheaders,
		.revision = rev,
		.timeout_ms = timeout,
	};
	if (is_url && mcp_harness_oauth(&spec.oauth, context, &oauth_dir) < 0) {
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		goto out;
	}
	static const struct mcp_host_ops ops = {
		.on_state = on_state,
		.on_list_changed = on_list_changed,
		.on_elicit = on_elicit,
		.on_log = on_log,
	};
	if (!is_url && err_pipe(&h, &errw) < 0) {
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		goto out;
	}
	spec.stderr_fd = errw;
	rc = mcp_server_start(&h.s, h.loop, http, &spec, &ops, &h);
	if (errw >= 0)
		close(errw); /* the server has its copy */
	if (rc < 0) {
		rc = 1;
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		goto out;
	}
	rc = 1;
	if (ev_signal_on(h.loop, SIGINT, on_signal, &h) < 0 ||
	    ev_signal_on(h.loop, SIGTERM, on_signal, &h) < 0 ||
	    ev_signal_on(h.loop, SIGHUP, on_signal, &h) < 0) {
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
		goto out;
	}
	ev_timer_init(&dl, deadline, &h);
	ev_timer_arm(h.loop, &dl, (uint64_t)timeout * 3);
	if (ev_run(h.loop) < 0)
		fprintf(stderr, "deskhand mcp client: %s\n", err_msg());
	ev_timer_disarm(h.loop, &dl);
	rc = h.done && !h.failed ? 0 : 1;
out:
	mcp_server_free(h.s);
	/* what the server said last, up to its end or what is there now */
	while (h.errfd >= 0 && err_read(&h))
		;
	if (h.errline.len)
		err_line(&h);
	if (h.errfd >= 0) {
		ev_io_del(h.loop, h.errfd);
		close(h.errfd);
	}
	buf_fini(&h.errline);
	http_client_free(http);
	mcp_harness_oauth_fini(oauth_dir);
	for (size_t i = 0; i < h.nacts; i++)
		cJSON_Delete(h.acts[i].params);
	free(h.acts);
	cJSON_Delete(context);
	ev_free(h.loop);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} mcp_verbs[] = {
	{ "client", mcp_client },
	{ "list", verbs_mcp_list },
	{ "add", verbs_mcp_add },
	{ "remove", verbs_mcp_remove },
	{ "tools", verbs_mcp_tools },
	{ "trust", verbs_mcp_trust },
	{ "untrust", verbs_mcp_trust },
	{ "login", mcp_verb_login },
	{ "logout", mcp_verb_logout },
};

int
client_mcp_verb(const char *verb, int argc, char **argv)
{
	for (size_t i = 0; i < sizeof mcp_verbs / sizeof *mcp_verbs; i++)
		if (strcmp(verb, mcp_verbs[i].name) == 0)
			return mcp_verbs[i].fn(argc, argv);
	struct buf shown = BUF_INIT;

	fprintf(stderr, "deskhand mcp: unknown command '%s'\n", utf8_sanitized(&shown, verb));
	buf_fini(&shown);
	return 2;
}
