/* SPDX-License-Identifier: MIT */
/*
 * `deskhand mcp login SERVER [FOLDER]` and `deskhand mcp logout SERVER
 * [FOLDER]`: the OAuth authorization of one HTTP connector (mcp/oauth.h),
 * run now in this process. login asks the server once without a token; when it answers 401
 * it discovers the authorization server, prints the URL to open (over SSH:
 * open it on any machine), and takes the redirect on the loopback listener
 * or as a URL pasted on stdin. The token goes to
 * $XDG_STATE_HOME/deskhand/oauth/ (0600); nothing here prints it.
 */
#include "engine/verbs_mcp_auth.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/mcp_config.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/utf8.h"
#include "core/xalloc.h"
#include "engine/verbs.h"
#include "mcp/mcp.h"
#include "mcp/oauth.h"
#include "net/http.h"

#define LOGIN_WAIT_MS (10 * 60 * 1000) /* how long login waits for the person */

static const char login_usage[] =
	"usage: deskhand mcp login SERVER [FOLDER]\n"
	"\n"
	"Authorize deskhand at an http connector (OAuth 2.1, as MCP asks): the one a\n"
	"session runs, of your mcp.json, else of FOLDER's trusted .mcp.json (default:\n"
	"the current directory). Prints the URL to open in a browser, then waits for\n"
	"the redirect on a loopback port, or for you to paste the URL the browser\n"
	"ended on (useful over SSH, where the browser runs on another machine). The\n"
	"token is kept in $XDG_STATE_HOME/deskhand/oauth/ (mode 0600). Gives up\n"
	"after 10 minutes.\n"
	"\n"
	"Exit status: 0 authorized (or no authorization needed), 1 failed, 2 usage.\n";

static const char logout_usage[] =
	"usage: deskhand mcp logout SERVER [FOLDER]\n"
	"\n"
	"Forget the OAuth tokens deskhand holds for an http connector: of your\n"
	"mcp.json, else of FOLDER's trusted .mcp.json (default: the current\n"
	"directory), and remove damaged token files (whose they were cannot be read).\n"
	"Exit status: 0 done, 1 failed, 2 usage.\n";

struct login {
	struct ev_loop *loop;
	struct http_client *http;
	struct mcp_auth *a;
	struct http_request *probe;
	long status;
	char *www;
	bool done;
	int rc;
	struct buf in; /* pasted text */
	bool stdin_open;
};

/* The connector SERVER as a session finds it: the person's mcp.json, else
 * the trusted .mcp.json that `folder` names (the file or its folder), and an
 * http one. 0 and *out, or 1 with the reason on stderr. */
static int
find_entry(struct mcp_entries *es, const char *verb, const char *name, const char *folder,
           const struct mcp_entry **out)
{
	char *path = mcp_config_user_path(), *fpath = NULL;
	struct buf b = BUF_INIT;
	int rc = 1;

	*out = NULL;
	if (!path) {
		fprintf(stderr, "deskhand: mcp %s: %s\n", verb, err_msg());
		return 1;
	}
	int lrc = mcp_config_load(es, path, 0);
	if (lrc < 0 && lrc != DH_ENOTFOUND) {
		fprintf(stderr, "deskhand: mcp %s: %s\n", verb, err_msg());
		goto out;
	}
	*out = mcp_entries_find(es, name);
	if (!*out) {
		/* A folder's connector runs only when that exact file is trusted
		 * (and no connector of yours has its name): the same here. */
		fpath = verbs_mcp_json_of(folder);
		lrc = fpath ? fsutil_read_file(fpath, MCP_CONFIG_MAX, &b) : DH_EFAIL;
		if (!fpath)
			goto out;
		if (lrc < 0 && lrc != DH_ENOTFOUND) {
			fprintf(stderr, "deskhand: mcp %s: %s\n", verb, err_msg());
			goto out;
		}
		struct mcp_entries raw = ARRAY_INIT;
		bool there = lrc == 0 &&
		             mcp_config_parse(&raw, b.ptr ? b.ptr : "", b.len, fpath,
		                              MCP_CONFIG_RAW) == 0 &&
		             mcp_entries_find(&raw, name);
		mcp_entries_fini(&raw);
		if (there && mcp_trust_check(fpath, b.ptr ? b.ptr : "", b.len) != MCP_TRUST_YES) {
			fprintf(stderr, "deskhand: mcp %s: %s is not trusted (or changed since): "
			                "`deskhand mcp trust %s` first\n", verb, fpath, fpath);
			goto out;
		}
		if (there && mcp_config_parse(es, b.ptr ? b.ptr : "", b.len, fpath, 0) < 0) {
			fprintf(stderr, "deskhand: mcp %s: %s\n", verb, err_msg());
			goto out;
		}
		*out = there ? mcp_entries_find(es, name) : NULL;
	}
	if (!*out || !(*out)->http) {
		struct buf shown = BUF_INIT;

		fprintf(stderr, "deskhand: mcp %s: %s%s%s has no %sconnector '%s'\n", verb, path,
		        fpath ? " or " : "", fpath ? fpath : "", *out ? "http " : "",
		        utf8_sanitized(&shown, name));
		buf_fini(&shown);
		goto out;
	}
	rc = 0;
out:
	buf_fini(&b);
	free(fpath);
	free(path);
	return rc;
}

/* SERVER [FOLDER] as the operands (--help: the usage): -1 and *e found, or
 * the exit status (0 help, 1 no such connector, 2 usage); *es is then
 * empty. */
static int
verb_args(int argc, char **argv, const char *usage, struct mcp_entries *es,
          const struct mcp_entry **e)
{
	if (argc < 2 || argc > 3 || argv[1][0] == '-' || (argc == 3 && argv[2][0] == '-')) {
		bool help = argc == 2 && !strcmp(argv[1], "--help");
		fputs(usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	if (find_entry(es, argv[0], argv[1], argc == 3 ? argv[2] : ".", e) != 0) {
		mcp_entries_fini(es);
		return 1;
	}
	return -1;
}

static int
auth_for(struct mcp_auth **a, struct ev_loop *l, struct http_client *http,
         const struct mcp_entry *e, void (*authorize)(const char *, void *), void *ctx)
{
	struct mcp_auth_spec spec = {
		.resource = e->url,
		.name = e->name,
		.client_id = e->oauth_client_id,
		.client_secret = e->oauth_client_secret,
		.client_metadata_url = e->oauth_client_metadata_url,
		.scope = e->oauth_scope,
		.redirect_uri = e->oauth_redirect_uri,
		.authorize = authorize,
		.ctx = ctx,
	};
	return mcp_auth_new(a, l, http, &spec);
}

static void
login_authorize(const char *url, void *ctx)
{
	struct login *g = ctx;
	const char *cb = mcp_auth_redirect_uri(g->a);
	printf("Open this URL in a browser to authorize deskhand:\n\n  %s\n\n", url);
	if (cb)
		printf("Waiting for the redirect to %s (from a browser on this machine),\n"
		       "or paste the URL the browser ends on here and press Enter.\n", cb);
	else
		printf("Then paste the URL the browser ends on here and press Enter.\n");
	fflush(stdout);
}

static void
login_done(int rc, const char *error, void *ctx)
{
	struct login *g = ctx;
	g->done = true;
	g->rc = rc;
	if (rc < 0)
		fprintf(stderr, "deskhand: mcp login: %s\n", error ? error : "failed");
}

static void
stdin_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)revents;
	struct login *g = ctx;
	char tmp[4096];
	ssize_t n = read(fd, tmp, sizeof tmp);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		ev_io_del(l, fd);
		g->stdin_open = false;
		return;
	}
	buf_add(&g->in, tmp, (size_t)n);
	char *nl;
	while (g->in.len && (nl = memchr(g->in.ptr, '\n', g->in.len))) {
		*nl = '\0';
		char *line = g->in.ptr;
		line[strcspn(line, "\r")] = '\0';
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line && mcp_auth_redirect(g->a, line) < 0)
			fprintf(stderr, "deskhand: mcp login: %s\n", err_msg());
		buf_consume(&g->in, (size_t)(nl - g->in.ptr) + 1);
	}
}

static void
probe_hdr(long status, const char *name, const char *value, void *ctx)
{
	struct login *g = ctx;
	g->status = status;
	if (!strcmp(name, "www-authenticate")) {
		free(g->www);
		g->www = xstrdup(value);
	}
}

static void
probe_done(const struct http_result *res, void *ctx)
{
	struct login *g = ctx;
	g->probe = NULL;
	g->status = res->status;
	if (res->rc < 0) {
		fprintf(stderr, "deskhand: mcp login: %s\n", res->error ? res->error : "no answer");
		g->done = true;
		g->rc = 1;
		return;
	}
	if (res->status != 401 && res->status != 403) {
		printf("The server answered HTTP %ld without asking for authorization: nothing to "
		       "do.\n", res->status);
		g->done = true;
		g->rc = 0;
		return;
	}
	if (mcp_auth_challenge(g->a, res->status, g->www, login_done, g) < 0) {
		fprintf(stderr, "deskhand: mcp login: %s\n", err_msg());
		g->done = true;
		g->rc = 1;
	}
}

int
mcp_verb_login(int argc, char **argv)
{
	struct mcp_entries es = ARRAY_INIT;
	const struct mcp_entry *e;
	int urc = verb_args(argc, argv, login_usage, &es, &e);
	if (urc >= 0)
		return urc;
	struct login g = { .rc = 1 };
	int rc = 1;
	if (ev_new(&g.loop) < 0 || http_global_init() < 0 || http_client_new(&g.http, g.loop) < 0 ||
	    auth_for(&g.a, g.loop, g.http, e, login_authorize, &g) < 0) {
		fprintf(stderr, "deskhand: mcp login: %s\n", err_msg());
		goto out;
	}
	/* Forget what we hold, then ask without a token: the server's 401 names
	 * its resource metadata and scope. */
	if (mcp_auth_logout(g.a) < 0)
		fprintf(stderr, "deskhand: mcp login: %s\n", err_msg());
	static const struct http_callbacks cb = { .on_header = probe_hdr, .on_done = probe_done };
	const char *hdrs[] = { "Content-Type: application/json",
		               "Accept: application/json, text/event-stream" };
	static const char ping[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
	struct http_spec spec = { .method = "POST", .url = e->url, .headers = hdrs, .nheaders = 2,
		                  .body = ping, .body_len = sizeof ping - 1,
		                  .connect_timeout_ms = 30000, .idle_timeout_ms = 30000 };
	if (http_start(&g.probe, g.http, &spec, &cb, &g) < 0) {
		fprintf(stderr, "deskhand: mcp login: %s: %s\n", e->url, err_msg());
		goto out;
	}
	g.stdin_open = ev_io_set(g.loop, STDIN_FILENO, POLLIN, stdin_io, &g) == 0;
	uint64_t end = ev_now_ms() + LOGIN_WAIT_MS;
	while (!g.done && ev_now_ms() < end)
		if (ev_run_once(g.loop, 200) < 0)
			break;
	if (!g.done)
		fprintf(stderr, "deskhand: mcp login: no redirect came within 10 minutes\n");
	else if (g.rc == 0 && g.status != 0 && mcp_auth_header(g.a))
		printf("Authorized: deskhand holds a token for %s.\n", argv[1]);
	rc = g.done && g.rc == 0 ? 0 : 1;
out:
	if (g.loop && g.stdin_open)
		ev_io_del(g.loop, STDIN_FILENO);
	if (g.probe)
		http_cancel(g.probe);
	mcp_auth_free(g.a);
	http_client_free(g.http);
	ev_free(g.loop);
	free(g.www);
	buf_fini(&g.in);
	mcp_entries_fini(&es);
	return rc;
}

int
mcp_verb_logout(int argc, char **argv)
{
	struct mcp_entries es = ARRAY_INIT;
	const struct mcp_entry *e;
	int urc = verb_args(argc, argv, logout_usage, &es, &e);
	if (urc >= 0)
		return urc;
	struct ev_loop *l = NULL;
	struct mcp_auth *a = NULL;
	int rc = 1, n = -1;
	if (ev_new(&l) < 0 || auth_for(&a, l, NULL, e, NULL, NULL) < 0 ||
	    (n = mcp_auth_logout(a)) < 0) {
		fprintf(stderr, "deskhand: mcp logout: %s\n", err_msg());
	} else {
		if (n)
			printf("Forgot the tokens of %s.\n", argv[1]);
		else
			printf("deskhand held no tokens for %s: nothing to forget.\n", argv[1]);
		rc = 0;
	}
	mcp_auth_free(a);
	ev_free(l);
	mcp_entries_fini(&es);
	return rc;
}

/* The Client ID Metadata Document URL the conformance suite expects
 * (auth/basic-cimd): the suite's own example client uses it too. */
#define CONFORMANCE_CIMD_URL "https://conformance-test.local/client-metadata.json"

int
mcp_harness_oauth(struct mcp_oauth_conf *c, const cJSON *context, char **dir)
{
	*dir = NULL;
	if (!getenv("MCP_CONFORMANCE_SCENARIO"))
		return 0;
	char tmpl[] = "/tmp/dh-mcp-oauth-XXXXXX";
	if (!mkdtemp(tmpl))
		return err_set("mkdtemp %s: %s", tmpl, strerror(errno));
	*dir = xstrdup(tmpl);
	c->state_dir = *dir;
	c->fetch_authorize = true;
	c->client_metadata_url = CONFORMANCE_CIMD_URL;
	/* auth/pre-registration: the credentials the suite registered for us */
	c->client_id = json_str(context, "client_id");
	c->client_secret = c->client_id ? json_str(context, "client_secret") : NULL;
	return 0;
}

void
mcp_harness_oauth_fini(char *dir)
{
	if (!dir)
		return;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
				(void)unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	(void)rmdir(dir);
	free(dir);
}
