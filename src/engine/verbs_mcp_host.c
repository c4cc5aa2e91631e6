/* SPDX-License-Identifier: MIT */
/*
 * `deskhand mcp list|add|remove|tools|trust|untrust`: the person's
 * connector configuration and the trust of folders' .mcp.json files
 * (config/mcp_config.h); `tools` starts one server exactly as a session
 * would (engine/mcp_host.h) and lists what the model would see.
 */
#include "engine/verbs.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "config/mcp_config.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/mcp_host.h"
#include "net/http.h"
#include "sandbox/probe.h"
#include "tools/tool.h"

#define TOOLS_WAIT_MS 30000 /* `mcp tools`: how long a server may take to start */

char *
verbs_mcp_json_of(const char *arg)
{
	struct stat st;
	char real[PATH_MAX];

	if (!realpath(arg, real)) {
		fprintf(stderr, "deskhand: mcp: %s: %s\n", arg, strerror(errno));
		return NULL;
	}
	if (stat(real, &st) == 0 && S_ISDIR(st.st_mode))
		return xasprintf("%s/.mcp.json", real);
	return xstrdup(real);
}

/* A verb's arguments are wrong or ask for help: print `usage` (to stdout for
 * --help/-h) and return the exit status (0 help, 2 usage). An option none of
 * these verbs takes is named first, as every verb names it. ARGV[0] is the
 * verb ("list"). */
static int
usage_of(int argc, char **argv, const char *usage)
{
	bool help = argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"));

	for (int i = 1; !help && i < argc; i++) {
		if (argv[i][0] != '-' || !argv[i][1] || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "-h"))
			continue;
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand mcp %s: unknown option '%s'\n", argv[0],
		        utf8_sanitized(&shown, argv[i]));
		buf_fini(&shown);
		break;
	}
	fputs(usage, help ? stdout : stderr);
	return help ? 0 : 2;
}

static void
print_entry(const struct mcp_entry *e, const char *trust)
{
	struct buf how = BUF_INIT, f = BUF_INIT;

	mcp_entry_describe(&how, e);
	printf("%s\t%s %s", e->name, e->http ? "http" : "stdio", buf_cstr(&how));
	if (e->unsandboxed)
		printf("\tUNSANDBOXED");
	else if (!e->http) {
		printf("\tsandbox");
		for (size_t i = 0; i < e->paths.n; i++)
			printf(" path=%s", utf8_sanitized(&f, e->paths.v[i]));
		for (size_t i = 0; i < e->read.n; i++)
			printf(" read=%s", utf8_sanitized(&f, e->read.v[i]));
		for (size_t i = 0; i < e->egress.n; i++)
			printf(" egress=%s", utf8_sanitized(&f, e->egress.v[i]));
	}
	printf("\t%s (%s)\n", trust, utf8_sanitized(&f, e->origin));
	buf_fini(&how);
	buf_fini(&f);
}

static const char list_usage[] =
	"usage: deskhand mcp list [FOLDER]\n"
	"\n"
	"List the connectors of your mcp.json and of FOLDER's .mcp.json (default:\n"
	"the current directory), with how each runs and whether it is trusted. A\n"
	"folder's connector named as one of yours is REFUSED: only yours runs.\n"
	"Starts nothing. Exit status: 0, 1 a file does not load, 2 usage.\n";

int
verbs_mcp_list(int argc, char **argv)
{
	struct mcp_entries es = ARRAY_INIT;
	char *user = mcp_config_user_path(), *folder;
	struct strv yours = ARRAY_INIT;
	int rc = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		free(user);
		return usage_of(argc, argv, list_usage);
	}
	if (user && (rc = mcp_config_load(&es, user, MCP_CONFIG_RAW)) < 0 && rc != DH_ENOTFOUND) {
		fprintf(stderr, "deskhand: %s\n", err_msg());
		free(user);
		mcp_entries_fini(&es);
		return 1;
	}
	for (size_t i = 0; i < es.n; i++) {
		print_entry(&es.v[i], "yours");
		strv_add(&yours, es.v[i].name);
	}
	mcp_entries_fini(&es);
	free(user);
	folder = verbs_mcp_json_of(argc == 2 ? argv[1] : ".");
	if (!folder) {
		strv_free(&yours);
		return 1;
	}
	struct buf b = BUF_INIT;

	rc = fsutil_read_file(folder, MCP_CONFIG_MAX, &b);
	if (rc == 0) {
		enum mcp_trust t = mcp_trust_check(folder, b.ptr ? b.ptr : "", b.len);
		static const char *const names[] = {
			[MCP_TRUST_NONE] = "NOT TRUSTED",
			[MCP_TRUST_YES] = "trusted",
			[MCP_TRUST_CHANGED] = "CHANGED since trusted",
		};

		if (mcp_config_parse(&es, b.ptr ? b.ptr : "", b.len, folder, MCP_CONFIG_RAW) < 0) {
			fprintf(stderr, "deskhand: %s\n", err_msg());
			rc = 1;
		}
		/* A session refuses a name of yours (engine/mcp_host.c start_group). */
		for (size_t i = 0; i < es.n; i++) {
			char *trust = strv_has(&yours, es.v[i].name)
			              ? xasprintf("%s, REFUSED: your mcp.json has a connector %s, "
			                          "which runs instead", names[t], es.v[i].name)
			              : xstrdup(names[t]);

			print_entry(&es.v[i], trust);
			free(trust);
		}
	} else {
		rc = 0;
	}
	buf_fini(&b);
	mcp_entries_fini(&es);
	strv_free(&yours);
	free(folder);
	return rc;
}

static const char add_usage[] =
	"usage: deskhand mcp add NAME [OPTION]... -- COMMAND [ARG]...\n"
	"       deskhand mcp add NAME --url URL [--header 'NAME: VALUE']...\n"
	"\n"
	"Add (or replace) connector NAME in your mcp.json. A stdio server runs in\n"
	"the sandbox: the system read-only, its own state directory, no granted\n"
	"folder and no network unless listed. Its program (an absolute COMMAND, and\n"
	"a first ARG that is a file) is readable in its directory; --read adds what\n"
	"else it must read (e.g. its node_modules under your home).\n"
	"\n"
	"      --env NAME=VALUE    its environment (repeatable; ${VAR} is expanded\n"
	"                          when a session starts)\n"
	"      --path DIR          a folder it may read and write (repeatable)\n"
	"      --read PATH         a path it may only read (repeatable)\n"
	"      --egress HOST[:PORT] a host it may reach (repeatable)\n"
	"      --no-sandbox        run it without the sandbox\n"
	"      --url URL           a Streamable HTTP server instead\n"
	"      --header 'N: V'     an HTTP header (repeatable)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit status: 0 added, 1 failed (the message names the problem), 2 usage.\n";

int
verbs_mcp_add(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "env", required_argument, NULL, 'e' },   { "path", required_argument, NULL, 'p' },
		{ "read", required_argument, NULL, 'r' },
		{ "egress", required_argument, NULL, 'g' }, { "no-sandbox", no_argument, NULL, 'n' },
		{ "url", required_argument, NULL, 'u' },    { "header", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	cJSON *srv = json_new_obj(), *env = NULL, *hdr = NULL, *paths = NULL, *egress = NULL, *reads = NULL;
	bool nosandbox = false;
	int opt, rc = 2;
	const char *name = NULL;

	/* NAME first, then its options (until "--" or the command). */
	if (argc >= 2 && argv[1][0] != '-') {
		name = argv[1];
		argc--;
		argv++;
	}
	optind = 1;
	opterr = 0; /* getopt would name the program after NAME ("x: option …") */
	while ((opt = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
		const char *eq = optarg ? strchr(optarg, opt == 'H' ? ':' : '=') : NULL;

		switch (opt) {
		case 'e':
		case 'H':
			if (!eq || eq == optarg) {
				struct buf shown = BUF_INIT;

				fprintf(stderr, "deskhand: mcp add: --%s needs %s, not '%s'\n",
				        opt == 'e' ? "env" : "header",
				        opt == 'e' ? "NAME=VALUE" : "'NAME: VALUE'",
				        utf8_sanitized(&shown, optarg));
				buf_fini(&shown);
				goto out;
			}
			cJSON **m = opt == 'e' ? &env : &hdr;
			char *k = xstrndup(optarg, (size_t)(eq - optarg));
			const char *v = eq + 1;

			while (opt == 'H' && *v == ' ')
				v++;
			if (!*m)
				*m = json_new_obj();
			json_add_str(*m, k, v);
			free(k);
			break;
		case 'p':
		case 'r':
		case 'g': {
			cJSON **a = opt == 'p' ? &paths : opt == 'r' ? &reads : &egress;
			char real[PATH_MAX];

			if (!*a)
				*a = json_new_arr();
			json_add(*a, NULL, cJSON_CreateString(opt != 'g' && realpath(optarg, real)
			                                              ? real : optarg));
			break;
		}
		case 'n':
			nosandbox = true;
			break;
		case 'u':
			json_add_str(srv, "type", "http");
			json_add_str(srv, "url", optarg);
			break;
		case 'h':
			fputs(add_usage, stdout);
			rc = 0;
			goto out;
		default: {
			struct buf shown = BUF_INIT;

			utf8_sanitized(&shown, argv[optind - 1]);
			if (opt == ':')
				fprintf(stderr, "deskhand: mcp add: option '%s' needs a value\n\n",
				        buf_cstr(&shown));
			else
				fprintf(stderr, "deskhand: mcp add: unknown option '%s'\n\n",
				        buf_cstr(&shown));
			buf_fini(&shown);
			fputs(add_usage, stderr);
			goto out;
		}
		}
	}
	if (!name) {
		fputs(add_usage, stderr);
		goto out;
	}
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	if (optind < argc) {
		cJSON *args = json_new_arr();

		json_add_str(srv, "command", argv[optind++]);
		while (optind < argc)
			json_add(args, NULL, cJSON_CreateString(argv[optind++]));
		json_add(srv, "args", args);
	} else if (!json_str(srv, "url")) {
		fprintf(stderr, "deskhand: mcp add: %s needs a COMMAND (after '--') or --url URL\n\n",
		        name);
		fputs(add_usage, stderr);
		goto out;
	}
	if (env)
		json_add(srv, "env", env);
	if (hdr)
		json_add(srv, "headers", hdr);
	env = hdr = NULL;
	if (nosandbox) {
		json_add_bool(srv, "sandbox", false);
	} else if (paths || reads || egress) {
		cJSON *sb = json_add(srv, "sandbox", json_new_obj());

		if (paths)
			json_add(sb, "paths", paths);
		if (reads)
			json_add(sb, "read", reads);
		if (egress)
			json_add(sb, "egress", egress);
		paths = reads = egress = NULL;
	}
	char *user = mcp_config_user_path(), *text = json_print(srv);

	rc = 1;
	if (user && mcp_config_edit(user, name, text) == 0) {
		printf("added %s to %s\n", name, user);
		rc = 0;
	} else {
		fprintf(stderr, "deskhand: mcp add: %s\n", err_msg());
	}
	free(text);
	free(user);
out:
	cJSON_Delete(srv);
	cJSON_Delete(env);
	cJSON_Delete(hdr);
	cJSON_Delete(paths);
	cJSON_Delete(reads);
	cJSON_Delete(egress);
	return rc;
}

static const char remove_usage[] =
	"usage: deskhand mcp remove NAME\n"
	"\n"
	"Remove connector NAME from your mcp.json.\n"
	"Exit status: 0 removed, 1 no such connector or the file cannot be written, 2 usage.\n";

int
verbs_mcp_remove(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-')
		return usage_of(argc, argv, remove_usage);
	char *user = mcp_config_user_path();
	int rc = user ? mcp_config_edit(user, argv[1], NULL) : DH_EFAIL;

	if (rc < 0)
		fprintf(stderr, "deskhand: mcp remove: %s\n", err_msg());
	else
		printf("removed %s from %s\n", argv[1], user);
	free(user);
	return rc < 0 ? 1 : 0;
}

static const char trust_usage[] =
	"usage: deskhand mcp trust PATH\n"
	"       deskhand mcp untrust PATH\n"
	"\n"
	"Trust (or stop trusting) a folder's .mcp.json: PATH is the file or the folder\n"
	"holding it. Trust records the SHA-256 of its exact content; when the file\n"
	"changes, sessions start none of its connectors until you trust it again.\n"
	"Exit status: 0 done, 1 failed (the file does not load, was not trusted), 2 usage.\n";

/* `mcp trust` or `mcp untrust` without PATH: say so, and what the current
 * directory's .mcp.json (if any) is and the command for it; then the usage.
 * Returns 2. */
static int
trust_missing(const char *verb, bool trust)
{
	static const char *const state[] = {
		[MCP_TRUST_NONE] = "is not trusted",
		[MCP_TRUST_YES] = "is trusted",
		[MCP_TRUST_CHANGED] = "changed since it was trusted",
	};
	char *here = verbs_mcp_json_of(".");
	struct buf b = BUF_INIT;

	fprintf(stderr, "deskhand: mcp %s: missing PATH (a folder's .mcp.json, or the folder "
	                "holding it)\n", verb);
	if (here && fsutil_read_file(here, MCP_CONFIG_MAX, &b) == 0) {
		enum mcp_trust t = mcp_trust_check(here, b.ptr ? b.ptr : "", b.len);
		bool can = trust ? t != MCP_TRUST_YES : t != MCP_TRUST_NONE;
		struct buf f = BUF_INIT;

		fprintf(stderr, "deskhand: mcp %s: %s %s%s%s\n", verb, utf8_sanitized(&f, here),
		        state[t], can ? "; to change that: deskhand mcp " : "",
		        can ? (trust ? "trust ." : "untrust .") : "");
		buf_fini(&f);
	} else {
		fprintf(stderr, "deskhand: mcp %s: the current directory has no .mcp.json; "
		                "`deskhand mcp list FOLDER` shows a folder's\n", verb);
	}
	buf_fini(&b);
	free(here);
	fputs(trust_usage, stderr);
	return 2;
}

int
verbs_mcp_trust(int argc, char **argv)
{
	bool trust = !strcmp(argv[0], "trust");

	if (argc == 1)
		return trust_missing(argv[0], trust);
	if (argc != 2 || argv[1][0] == '-')
		return usage_of(argc, argv, trust_usage);
	char *path = verbs_mcp_json_of(argv[1]);

	if (!path)
		return 1;
	int rc = mcp_trust_set(path, trust);

	if (rc < 0)
		fprintf(stderr, "deskhand: mcp %s: %s\n", argv[0], err_msg());
	else
		printf("%s %s\n", trust ? "trusted" : "no longer trusted:", path);
	free(path);
	return rc < 0 ? 1 : 0;
}

static const char tools_usage[] =
	"usage: deskhand mcp tools SERVER [FOLDER]\n"
	"\n"
	"Start connector SERVER exactly as a session would (your mcp.json, or\n"
	"FOLDER's trusted .mcp.json; default the current directory), wait for it\n"
	"(at most 30 s) and list the tools the model would see: name, whether it\n"
	"is read-only (allowed without asking) or asks, and its description. An\n"
	"http connector that needs authorization says so at once, with the\n"
	"`deskhand mcp login` command that gives it.\n"
	"Exit status: 0 listed, 1 it did not start, 2 usage.\n";

/* `mcp tools`: a connector asks for the person's authorization (*ctx, a
 * bool, becomes true); mcp_host_describe() says how to give it. */
static void
tools_authorize(const char *server, const char *url, const char *text, void *ctx)
{
	(void)server;
	(void)url;
	(void)text;
	*(bool *)ctx = true;
}

int
verbs_mcp_tools(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || argv[1][0] == '-')
		return usage_of(argc, argv, tools_usage);
	char real[PATH_MAX];
	const char *folder = realpath(argc == 3 ? argv[2] : ".", real) ? real : NULL;
	char *state = NULL, *sandbox = probe_sandbox_path(), *bwrap = probe_bwrap_path();
	struct ev_loop *loop = NULL;
	struct mcp_host *h = NULL;
	bool asked = false;
	int rc = 1;

	if (fsutil_state_dir(&state) < 0 || ev_new(&loop) < 0 || http_global_init() < 0) {
		fprintf(stderr, "deskhand: mcp tools: %s\n", err_msg());
		goto out;
	}
	struct mcp_host_opts mo = {
		.loop = loop, .state_dir = state, .sandbox_path = sandbox, .bwrap = bwrap,
		.folders = folder ? &folder : NULL, .nfolders = folder != NULL,
		.only = argv[1], .authorize = tools_authorize, .authorize_ctx = &asked,
	};
	if (mcp_host_new(&h, &mo) < 0) {
		fprintf(stderr, "deskhand: mcp tools: %s\n", err_msg());
		goto out;
	}
	/* What loading refused (a folder's connector named as yours). */
	for (size_t i = 0; i < mcp_host_notices(h)->n; i++)
		fprintf(stderr, "deskhand: mcp tools: %s\n", mcp_host_notices(h)->v[i]);

	if (mcp_host_count(h) == 0) {
		struct buf shown = BUF_INIT;

		fprintf(stderr,
		        "deskhand: mcp tools: no connector '%s' (deskhand mcp list shows "
		        "them)\n",
		        utf8_sanitized(&shown, argv[1]));
		buf_fini(&shown);
		goto out;
	}
	const struct tool_extra *x = mcp_host_tools(h);
	uint64_t end = ev_now_ms() + TOOLS_WAIT_MS;

	/* A connector that needs the person's authorization will not start
	 * within the wait: its line says how to give it. */
	while (mcp_host_starting(h) && !asked && ev_now_ms() < end)
		if (ev_run_once(loop, 100) < 0)
			break;
	char *d = mcp_host_describe(h, 0);
	struct buf clean = BUF_INIT;

	/* What the server sent is made printable: a description cannot
	 * retitle the terminal or clear the screen. */
	utf8_sanitize(&clean, d, strlen(d), UTF8_KEEP_NL);
	printf("%s\n", buf_cstr(&clean));
	free(d);
	for (size_t i = 0, n = x->count(x->ctx); i < n; i++) {
		const struct tool_entry *e = x->at(x->ctx, i);
		const char *desc = strstr(e->description, "<server-text>\n");

		desc = desc ? desc + 14 : e->description;
		buf_clear(&clean);
		utf8_sanitize(&clean, desc, strcspn(desc, "\n"), 0);
		printf("  %s\t%s\t%s\n", e->name, e->flags & TOOL_F_READONLY ? "read-only" : "asks",
		       buf_cstr(&clean));
	}
	buf_fini(&clean);
	rc = mcp_host_ready(h) ? 0 : 1;
out:
	mcp_host_free(h);
	ev_free(loop);
	free(state);
	free(sandbox);
	free(bwrap);
	return rc;
}
