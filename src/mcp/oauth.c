/* SPDX-License-Identifier: MIT */
/*
 * OAuth 2.1 for MCP's Streamable HTTP transport (mcp/oauth.h), following
 * MCP "Authorization" 2025-11-25 and 2026-07-28: RFC 9728 (Protected
 * Resource Metadata), RFC 8414 / OIDC Discovery, Client ID Metadata
 * Documents, RFC 7591 (dynamic registration), RFC 7636 (PKCE S256),
 * RFC 8707 (resource), RFC 9207 (iss), scope selection, step-up and the
 * union of scopes on re-authorization (SEP-2350), re-registration when the
 * authorization server changes (SEP-2352), offline_access (SEP-2207).
 *
 * One flow at a time per resource; every challenge that arrives while it
 * runs waits for the same outcome. Each step is one asynchronous HTTP
 * request on the loop; the only file I/O is the small token and client
 * files under the state directory (mode 0600, atomic replacement).
 * Nothing here logs a token, a code, a verifier or a secret.
 */
#include "mcp/oauth.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/array.h"
#include "core/atomic.h"
#include "core/buf.h"
#include "core/ev.h"
#include "core/fsutil.h"
#include "core/json.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "mcp/oauth_priv.h"
#include "net/http.h"

#define OAUTH_BODY_MAX ((size_t)1 << 20)   /* one metadata/token response */
#define OAUTH_HTTP_TIMEOUT_MS 30000L
#define OAUTH_LOOPBACK_MAX 8192            /* one request on the loopback listener */
#define OAUTH_MAX_AUTHORIZE 3              /* authorizations within OAUTH_WINDOW_S */
#define OAUTH_WINDOW_S 60
#define OAUTH_AUTHORIZE_WAIT_MS (10 * 60 * 1000) /* for the person's redirect */

struct waiter {
	mcp_auth_done_fn *fn;
	void *ctx;
};

enum step {
	ST_IDLE,
	ST_PRM,       /* fetching Protected Resource Metadata (cands[ci]) */
	ST_AS,        /* fetching authorization server metadata (cands[ci]) */
	ST_REFRESH,   /* refresh_token grant */
	ST_REGISTER,  /* dynamic client registration */
	ST_AUTHORIZE, /* waiting for the redirect */
	ST_FETCH,     /* conformance: GET of the authorization URL */
	ST_TOKEN,     /* authorization_code grant */
};

typedef void step_fn(struct mcp_auth *a, const struct http_result *res);

struct mcp_auth {
	struct ev_loop *l;
	struct http_client *http;
	/* configuration */
	char *resource, *name, *state_dir, *cfg_client_id, *cfg_client_secret, *cimd_url, *cfg_scope,
		*cfg_redirect;
	void (*authorize)(const char *url, void *ctx);
	void *actx;
	bool fetch_authorize;
	/* the token held */
	char *access, *refresh, *tok_issuer, *tok_scope, *tok_resource;
	long long expires_at;
	char *header;
	/* the flow */
	enum step step;
	ARRAY_HEAD(, struct waiter) waiters;
	struct http_request *req;
	step_fn *on_step;
	struct buf body;
	long status;
	char *location;
	struct strv cands;
	size_t ci;
	char *www_scope;     /* scope of the challenge */
	bool stepup;         /* the flow answers a 403 insufficient_scope */
	char *prm_resource;  /* as published */
	cJSON *prm, *asmeta;
	char *issuer;
	char *client_id, *client_secret, *auth_method;
	char *scope_req;     /* scope of the authorization request (NULL: none) */
	char *last_scope;    /* scope requested by the last authorization */
	char verifier[44], challenge[44];
	char *state, *redirect_uri, *auth_url;
	time_t auth_times[OAUTH_MAX_AUTHORIZE];
	/* loopback listener */
	int lfd, cfd;
	int port;
	struct buf cin;
	struct ev_timer wait_timer; /* the person's redirect, at most this long */
	/* outcome delivery */
	struct ev_timer done_timer;
	int done_rc;
	char *done_err;
};

static void flow_fail(struct mcp_auth *a, const char *fmt, ...) DH_PRINTF(2, 3);
static void step_prm_next(struct mcp_auth *a);
static void step_client(struct mcp_auth *a);

/* ---- small things ------------------------------------------------------ */

static void
set_str(char **dst, const char *src)
{
	char *n = src ? xstrdup(src) : NULL;
	free(*dst);
	*dst = n;
}

static void
wipe_free(char **s)
{
	if (*s) {
		memset(*s, 0, strlen(*s));
		free(*s);
		*s = NULL;
	}
}

static void
listener_close(struct mcp_auth *a)
{
	if (a->cfd >= 0) {
		ev_io_del(a->l, a->cfd);
		close(a->cfd);
		a->cfd = -1;
	}
	if (a->lfd >= 0) {
		ev_io_del(a->l, a->lfd);
		close(a->lfd);
		a->lfd = -1;
	}
	buf_clear(&a->cin);
}

static void
flow_reset(struct mcp_auth *a)
{
	if (a->req) {
		http_cancel(a->req);
		a->req = NULL;
	}
	listener_close(a);
	ev_timer_disarm(a->l, &a->wait_timer);
	a->step = ST_IDLE;
	buf_clear(&a->body);
	set_str(&a->location, NULL);
	strv_free(&a->cands);
	a->ci = 0;
	cJSON_Delete(a->prm);
	cJSON_Delete(a->asmeta);
	a->prm = a->asmeta = NULL;
	set_str(&a->prm_resource, NULL);
	set_str(&a->issuer, NULL);
	set_str(&a->client_id, NULL);
	wipe_free(&a->client_secret);
	set_str(&a->auth_method, NULL);
	set_str(&a->state, NULL);
	set_str(&a->redirect_uri, NULL);
	set_str(&a->auth_url, NULL);
	memset(a->verifier, 0, sizeof a->verifier);
}

static void
deliver(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	struct mcp_auth *a = ctx;
	struct waiter *w = a->waiters.v;
	size_t n = a->waiters.n;
	a->waiters.v = NULL;
	a->waiters.n = a->waiters.cap = 0;
	char *err = a->done_err;
	a->done_err = NULL;
	int rc = a->done_rc;
	for (size_t i = 0; i < n; i++)
		w[i].fn(rc, err, w[i].ctx);
	free(w);
	free(err);
}

static void
flow_finish(struct mcp_auth *a, int rc, const char *err)
{
	flow_reset(a);
	a->done_rc = rc;
	set_str(&a->done_err, err);
	ev_timer_arm(a->l, &a->done_timer, 0);
}

static void
flow_fail(struct mcp_auth *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct buf b = BUF_INIT;
	char tmp[4096];
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	buf_puts(&b, tmp);
	flow_finish(a, DH_EFAIL, buf_cstr(&b));
	buf_fini(&b);
}

/* ---- token and client files --------------------------------------------- */

static int
ensure_dir(struct mcp_auth *a)
{
	if (fsutil_mkdir_p(a->state_dir, 0700) < 0)
		return DH_EFAIL;
	(void)chmod(a->state_dir, 0700);
	return 0;
}

/* <state_dir>/<prefix>-<sha256(k1 \n k2)>.json, heap. */
static char *
file_for(const struct mcp_auth *a, const char *prefix, const char *k1, const char *k2)
{
	struct buf key = BUF_INIT;
	buf_puts(&key, k1 ? k1 : "");
	buf_putc(&key, '\n');
	buf_puts(&key, k2 ? k2 : "");
	char hex[65];
	char *path = NULL;
	if (oauth_sha256_hex(hex, key.ptr, key.len) == 0)
		path = xasprintf("%s/%s-%s.json", a->state_dir, prefix, hex);
	buf_fini(&key);
	return path;
}

static cJSON *
read_json_file(const char *path)
{
	struct buf b = BUF_INIT;
	cJSON *j = NULL;
	if (fsutil_read_file(path, OAUTH_BODY_MAX, &b) == 0 &&
	    json_parse(&j, b.ptr ? b.ptr : "", b.len, path) < 0)
		j = NULL;
	if (b.ptr)
		memset(b.ptr, 0, b.len);
	buf_fini(&b);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

/* A token file as token_json() writes it: 0 with *out (the caller's) an
 * object with string "resource" and "access_token"; DH_ENOTFOUND when there
 * is no such file; DH_EPARSE when it is damaged (cannot be read, is no JSON
 * object, or lacks those), err_msg "PATH: what is wrong". */
static int
token_read(const char *path, cJSON **out)
{
	struct buf b = BUF_INIT;
	cJSON *j = NULL;
	*out = NULL;
	int rc = fsutil_read_file(path, OAUTH_BODY_MAX, &b);
	if (rc == DH_ENOTFOUND)
		goto out;
	if (rc < 0)
		rc = err_setc(DH_EPARSE, "%s", err_msg());
	else if ((rc = json_parse(&j, b.ptr ? b.ptr : "", b.len, path)) < 0)
		rc = DH_EPARSE;
	else if (!cJSON_IsObject(j))
		rc = err_setc(DH_EPARSE, "%s: not a JSON object", path);
	else if (!json_str(j, "resource") || !json_str(j, "access_token"))
		rc = err_setc(DH_EPARSE, "%s: no %s", path,
		              json_str(j, "resource") ? "access_token" : "resource");
out:
	if (b.ptr)
		memset(b.ptr, 0, b.len);
	buf_fini(&b);
	if (rc < 0)
		cJSON_Delete(j);
	else
		*out = j;
	return rc;
}

static int
write_json_file(struct mcp_auth *a, const char *path, const cJSON *j)
{
	if (ensure_dir(a) < 0)
		return DH_EFAIL;
	char *text = json_print(j);
	int rc = atomic_write(path, text, strlen(text), 0600);
	memset(text, 0, strlen(text));
	free(text);
	return rc;
}

static void
token_forget(struct mcp_auth *a)
{
	wipe_free(&a->access);
	wipe_free(&a->refresh);
	wipe_free(&a->header);
	set_str(&a->tok_issuer, NULL);
	set_str(&a->tok_scope, NULL);
	set_str(&a->tok_resource, NULL);
	a->expires_at = 0;
}

static void
token_take(struct mcp_auth *a, const cJSON *j)
{
	token_forget(a);
	set_str(&a->access, json_str(j, "access_token"));
	set_str(&a->refresh, json_str(j, "refresh_token"));
	set_str(&a->tok_issuer, json_str(j, "issuer"));
	set_str(&a->tok_scope, json_str(j, "scope"));
	set_str(&a->tok_resource, json_str(j, "resource"));
	a->expires_at = json_int(j, "expires_at", 0);
	if (a->access)
		a->header = xasprintf("Authorization: Bearer %s", a->access);
}

static cJSON *
token_json(const struct mcp_auth *a)
{
	cJSON *j = json_new_obj();
	json_add_str(j, "issuer", a->tok_issuer ? a->tok_issuer : "");
	json_add_str(j, "resource", a->resource);
	if (a->tok_resource)
		json_add_str(j, "resource_indicator", a->tok_resource);
	json_add_str(j, "access_token", a->access ? a->access : "");
	if (a->refresh)
		json_add_str(j, "refresh_token", a->refresh);
	if (a->tok_scope)
		json_add_str(j, "scope", a->tok_scope);
	if (a->expires_at)
		json_add_num(j, "expires_at", (double)a->expires_at);
	return j;
}

/* Load the newest token file whose resource is ours. Missing: no token. */
static void
token_load(struct mcp_auth *a)
{
	DIR *d = opendir(a->state_dir);
	if (!d)
		return;
	struct dirent *e;
	time_t best = 0;
	cJSON *bestj = NULL;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "token-", 6) != 0)
			continue;
		char *p = xasprintf("%s/%s", a->state_dir, e->d_name);
		struct stat st;
		cJSON *j = NULL;
		/* a damaged one is named when the flow finds it is ours
		 * (token_damaged): its name alone does not say whose it is */
		if (stat(p, &st) == 0 && token_read(p, &j) < 0)
			j = NULL;
		const char *r = json_str(j, "resource");
		if (j && r && strcmp(r, a->resource) == 0 && (!bestj || st.st_mtime >= best)) {
			cJSON_Delete(bestj);
			bestj = j;
			best = st.st_mtime;
		} else {
			cJSON_Delete(j);
		}
		free(p);
	}
	closedir(d);
	if (bestj) {
		token_take(a, bestj);
		cJSON_Delete(bestj);
	}
}

/* Once the issuer is known: the token file of this issuer and resource, if
 * it is damaged, fails the flow naming it and the way out (a new
 * authorization would overwrite it, but the person should know why the
 * token deskhand held is gone). Returns true when it did. */
static bool
token_damaged(struct mcp_auth *a)
{
	char *path = file_for(a, "token", a->issuer, a->resource);
	cJSON *j = NULL;
	bool bad = path && token_read(path, &j) == DH_EPARSE;
	if (bad) {
		const char *n = a->name ? a->name : "SERVER";
		flow_fail(a, "oauth: the stored token of %s is damaged: %s; run `deskhand mcp "
		          "logout %s`, then `deskhand mcp login %s`", n, err_msg(), n, n);
	}
	cJSON_Delete(j);
	free(path);
	return bad;
}

static int
token_save(struct mcp_auth *a)
{
	char *path = file_for(a, "token", a->tok_issuer, a->resource);
	if (!path)
		return DH_EFAIL;
	cJSON *j = token_json(a);
	int rc = write_json_file(a, path, j);
	cJSON_Delete(j);
	free(path);
	return rc;
}

/* ---- HTTP plumbing ------------------------------------------------------- */

static void
on_hdr(long status, const char *name, const char *value, void *ctx)
{
	struct mcp_auth *a = ctx;
	a->status = status;
	if (strcmp(name, "location") == 0)
		set_str(&a->location, value);
}

static void
on_body(const char *p, size_t n, void *ctx)
{
	struct mcp_auth *a = ctx;
	if (a->body.len + n <= OAUTH_BODY_MAX)
		buf_add(&a->body, p, n);
}

static void
on_done(const struct http_result *res, void *ctx)
{
	struct mcp_auth *a = ctx;
	a->req = NULL;
	a->status = res->status;
	step_fn *fn = a->on_step;
	a->on_step = NULL;
	fn(a, res);
}

/* Start one request; on failure the flow fails. `form` NULL: GET. */
static void
send_req(struct mcp_auth *a, const char *url, const char *form, const char *json_body,
         const char *basic, step_fn *next)
{
	static const struct http_callbacks cb = { .on_header = on_hdr, .on_body = on_body,
		                                  .on_done = on_done };
	const char *hdrs[4];
	size_t nh = 0;
	hdrs[nh++] = "Accept: application/json";
	char *auth = basic ? xasprintf("Authorization: Basic %s", basic) : NULL;
	if (form)
		hdrs[nh++] = "Content-Type: application/x-www-form-urlencoded";
	else if (json_body)
		hdrs[nh++] = "Content-Type: application/json";
	if (auth)
		hdrs[nh++] = auth;
	const char *body = form ? form : json_body;
	struct http_spec spec = {
		.method = body ? "POST" : "GET",
		.url = url,
		.headers = hdrs,
		.nheaders = nh,
		.body = body,
		.body_len = body ? strlen(body) : 0,
		.connect_timeout_ms = OAUTH_HTTP_TIMEOUT_MS,
		.idle_timeout_ms = OAUTH_HTTP_TIMEOUT_MS,
	};
	buf_clear(&a->body);
	set_str(&a->location, NULL);
	a->status = 0;
	a->on_step = next;
	int rc = http_start(&a->req, a->http, &spec, &cb, a);
	if (auth) {
		memset(auth, 0, strlen(auth));
		free(auth);
	}
	if (rc < 0) {
		a->req = NULL;
		flow_fail(a, "oauth: cannot request %s: %s", url, err_msg());
	}
}

/* The response body as a JSON object, or NULL. */
static cJSON *
body_json(struct mcp_auth *a, const char *what)
{
	cJSON *j = NULL;
	if (a->body.len == 0 || json_parse(&j, a->body.ptr, a->body.len, what) < 0)
		return NULL;
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* "error: description" of an OAuth error response, or the status. */
static void
oauth_error_text(struct mcp_auth *a, char *out, size_t n)
{
	cJSON *j = body_json(a, "error response");
	const char *e = json_str(j, "error"), *d = json_str(j, "error_description");
	if (e)
		snprintf(out, n, "%s%s%s", e, d ? ": " : "", d ? d : "");
	else
		snprintf(out, n, "HTTP %ld", a->status);
	cJSON_Delete(j);
}

/* ---- discovery ------------------------------------------------------------ */

static void
step_prm_done(struct mcp_auth *a, const struct http_result *res)
{
	const char *url = a->cands.v[a->ci];
	cJSON *j = res->rc == 0 && res->status == 200 ? body_json(a, url) : NULL;
	if (!j || !json_arr(j, "authorization_servers") ||
	    !cJSON_IsString(cJSON_GetArrayItem(json_arr(j, "authorization_servers"), 0))) {
		cJSON_Delete(j);
		a->ci++;
		step_prm_next(a);
		return;
	}
	const char *res_id = json_str(j, "resource");
	if (res_id && !mcp_auth_resource_ok(res_id, a->resource)) {
		flow_fail(a,
		          "oauth: %s names resource \"%s\", which is not the server %s (RFC 9728 §3.3): "
		          "refused",
		          url, res_id, a->resource);
		cJSON_Delete(j);
		return;
	}
	a->prm = j;
	set_str(&a->prm_resource, res_id ? res_id : a->resource);
	set_str(&a->issuer,
	        cJSON_GetArrayItem(json_arr(j, "authorization_servers"), 0)->valuestring);
	strv_free(&a->cands);
	a->ci = 0;
	if (mcp_auth_as_urls(&a->cands, a->issuer) < 0) {
		flow_fail(a, "oauth: %s: authorization server \"%s\" is not a URL", url, a->issuer);
		return;
	}
	a->step = ST_AS;
	step_prm_next(a);
}

static void step_as_done(struct mcp_auth *a, const struct http_result *res);

/* Try the next candidate URL of the current discovery step. */
static void
step_prm_next(struct mcp_auth *a)
{
	if (a->ci >= a->cands.n) {
		if (a->step == ST_PRM)
			flow_fail(a, "oauth: no protected resource metadata for %s (RFC 9728)",
			          a->resource);
		else
			flow_fail(a, "oauth: no authorization server metadata for issuer %s (RFC 8414)",
			          a->issuer);
		return;
	}
	send_req(a, a->cands.v[a->ci], NULL, NULL, NULL,
	         a->step == ST_PRM ? step_prm_done : step_as_done);
}

static bool
json_arr_has(const cJSON *o, const char *key, const char *val)
{
	const cJSON *it;
	cJSON_ArrayForEach(it, json_arr(o, key))
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, val) == 0)
			return true;
	}
	return false;
}

static void step_refresh_done(struct mcp_auth *a, const struct http_result *res);

static void
token_request(struct mcp_auth *a, struct buf *form, step_fn *next)
{
	const char *ep = json_str(a->asmeta, "token_endpoint");
	char *basic = NULL;
	const char *m = a->auth_method ? a->auth_method : "none";
	if (a->client_secret && strcmp(m, "client_secret_basic") == 0) {
		/* RFC 6749 §2.3.1: form-encoded id and secret, joined by ':' */
		struct buf id = BUF_INIT, sec = BUF_INIT, raw = BUF_INIT, enc = BUF_INIT;
		oauth_form_add(&id, "", a->client_id);
		oauth_form_add(&sec, "", a->client_secret);
		buf_printf(&raw, "%s:%s", id.ptr + 1, sec.ptr + 1);
		buf_add_base64(&enc, raw.ptr, raw.len);
		basic = buf_detach(&enc);
		memset(raw.ptr, 0, raw.len);
		memset(sec.ptr, 0, sec.len);
		buf_fini(&id);
		buf_fini(&sec);
		buf_fini(&raw);
	} else {
		oauth_form_add(form, "client_id", a->client_id);
		if (a->client_secret && strcmp(m, "client_secret_post") == 0)
			oauth_form_add(form, "client_secret", a->client_secret);
	}
	send_req(a, ep, buf_cstr(form), NULL, basic, next);
	if (basic) {
		memset(basic, 0, strlen(basic));
		free(basic);
	}
	memset(form->ptr, 0, form->len);
}

/* Which token endpoint auth method to use with a secret (RFC 8414 §2: the
 * default is client_secret_basic). */
static const char *
pick_auth_method(const struct mcp_auth *a)
{
	if (!a->client_secret)
		return "none";
	const cJSON *m = json_arr(a->asmeta, "token_endpoint_auth_methods_supported");
	if (!m || json_arr_has(a->asmeta, "token_endpoint_auth_methods_supported",
	                       "client_secret_basic"))
		return "client_secret_basic";
	if (json_arr_has(a->asmeta, "token_endpoint_auth_methods_supported", "client_secret_post"))
		return "client_secret_post";
	return "client_secret_basic";
}

static void
step_as_done(struct mcp_auth *a, const struct http_result *res)
{
	const char *url = a->cands.v[a->ci];
	cJSON *j = res->rc == 0 && res->status == 200 ? body_json(a, url) : NULL;
	if (!j) {
		a->ci++;
		step_prm_next(a);
		return;
	}
	const char *iss = json_str(j, "issuer");
	if (!iss || strcmp(iss, a->issuer) != 0) {
		flow_fail(a,
		          "oauth: %s says its issuer is \"%s\", not \"%s\" (RFC 8414 §3.3): refused",
		          url, iss ? iss : "", a->issuer);
		cJSON_Delete(j);
		return;
	}
	if (!json_str(j, "authorization_endpoint") || !json_str(j, "token_endpoint")) {
		flow_fail(a, "oauth: %s has no authorization_endpoint or token_endpoint", url);
		cJSON_Delete(j);
		return;
	}
	if (!json_arr_has(j, "code_challenge_methods_supported", "S256")) {
		flow_fail(a,
		          "oauth: %s does not list S256 in code_challenge_methods_supported; MCP "
		          "requires PKCE S256",
		          url);
		cJSON_Delete(j);
		return;
	}
	a->asmeta = j;
	strv_free(&a->cands);
	if (token_damaged(a))
		return;
	/* A refresh token from this very issuer first (SEP-2352: never across servers). */
	if (a->refresh && a->tok_issuer && strcmp(a->tok_issuer, a->issuer) == 0 && !a->stepup) {
		a->step = ST_REFRESH;
		struct buf form = BUF_INIT;
		oauth_form_add(&form, "grant_type", "refresh_token");
		oauth_form_add(&form, "refresh_token", a->refresh);
		oauth_form_add(&form, "resource", a->prm_resource);
		if (!a->cfg_client_id) {
			/* the client that got the token: stored per issuer */
			char *cp = file_for(a, "client", a->issuer, NULL);
			cJSON *c = cp ? read_json_file(cp) : NULL;
			set_str(&a->client_id, json_str(c, "client_id"));
			set_str(&a->client_secret, json_str(c, "client_secret"));
			set_str(&a->auth_method, json_str(c, "token_endpoint_auth_method"));
			cJSON_Delete(c);
			free(cp);
			if (!a->client_id && a->cimd_url &&
			    json_bool(a->asmeta, "client_id_metadata_document_supported", false))
				set_str(&a->client_id, a->cimd_url);
		} else {
			set_str(&a->client_id, a->cfg_client_id);
			set_str(&a->client_secret, a->cfg_client_secret);
		}
		if (a->client_id) {
			if (!a->auth_method)
				set_str(&a->auth_method, pick_auth_method(a));
			token_request(a, &form, step_refresh_done);
			buf_fini(&form);
			return;
		}
		buf_fini(&form);
	}
	step_client(a);
}

/* ---- tokens ------------------------------------------------------------------- */

/* A token response: keep it, save it, finish. */
static void
take_token_response(struct mcp_auth *a, const struct http_result *res, const char *what)
{
	cJSON *j = res->rc == 0 && res->status == 200 ? body_json(a, what) : NULL;
	const char *tok = json_str(j, "access_token");
	const char *type = json_str(j, "token_type");
	if (!tok || (type && strcasecmp(type, "bearer") != 0)) {
		char e[512];
		if (res->rc < 0)
			snprintf(e, sizeof e, "%s", res->error ? res->error : "transfer failed");
		else
			oauth_error_text(a, e, sizeof e);
		cJSON_Delete(j);
		flow_fail(a, "oauth: %s at %s failed: %s", what,
		          json_str(a->asmeta, "token_endpoint"), e);
		return;
	}
	char *old_refresh = a->refresh ? xstrdup(a->refresh) : NULL;
	token_forget(a);
	set_str(&a->access, tok);
	set_str(&a->refresh, json_str(j, "refresh_token") ? json_str(j, "refresh_token")
	                                                  : old_refresh);
	wipe_free(&old_refresh);
	set_str(&a->tok_issuer, a->issuer);
	set_str(&a->tok_resource, a->prm_resource);
	set_str(&a->tok_scope, json_str(j, "scope") ? json_str(j, "scope") : a->last_scope);
	/* A lifetime past 2^32 s (136 years) is as good as forever: the sum
	 * cannot overflow whatever number the server sent. */
	long long exp = json_int_clamp(j, "expires_in", 0, 1LL << 32, 0);
	a->expires_at = exp > 0 ? (long long)time(NULL) + exp : 0;
	a->header = xasprintf("Authorization: Bearer %s", a->access);
	cJSON_Delete(j);
	if (token_save(a) < 0) {
		/* The token works for this session; say why it will not last. */
		flow_fail(a, "oauth: cannot store the token: %s", err_msg());
		return;
	}
	flow_finish(a, 0, NULL);
}

static void
step_refresh_done(struct mcp_auth *a, const struct http_result *res)
{
	cJSON *j = res->rc == 0 && res->status == 200 ? body_json(a, "refresh") : NULL;
	bool ok = json_str(j, "access_token") != NULL;
	cJSON_Delete(j);
	if (ok) {
		take_token_response(a, res, "token refresh");
		return;
	}
	/* The refresh token is spent or revoked: authorize anew. */
	wipe_free(&a->refresh);
	step_client(a);
}

static void
step_token_done(struct mcp_auth *a, const struct http_result *res)
{
	take_token_response(a, res, "the token request");
}

/* ---- the authorization itself ------------------------------------------------ */

static void step_register_done(struct mcp_auth *a, const struct http_result *res);
static void authorize_start(struct mcp_auth *a);

static int
listener_open(struct mcp_auth *a, int port);

/* Who we are at this issuer: configured, CIMD, stored registration, DCR. */
static void
step_client(struct mcp_auth *a)
{
	/* Guard against authorization loops (a server that rejects every token). */
	time_t now = time(NULL);
	int recent = 0;
	for (int i = 0; i < OAUTH_MAX_AUTHORIZE; i++)
		recent += a->auth_times[i] && now - a->auth_times[i] < OAUTH_WINDOW_S;
	if (recent >= OAUTH_MAX_AUTHORIZE) {
		flow_fail(a,
		          "oauth: %s rejected %d fresh authorizations within %d s; giving up",
		          a->resource, recent, OAUTH_WINDOW_S);
		return;
	}

	set_str(&a->client_id, NULL);
	wipe_free(&a->client_secret);
	set_str(&a->auth_method, NULL);
	int want_port = 0;
	if (a->cfg_client_id) {
		set_str(&a->client_id, a->cfg_client_id);
		set_str(&a->client_secret, a->cfg_client_secret);
	} else if (a->cimd_url && json_bool(a->asmeta, "client_id_metadata_document_supported", false)) {
		set_str(&a->client_id, a->cimd_url);
	} else {
		char *cp = file_for(a, "client", a->issuer, NULL);
		cJSON *c = cp ? read_json_file(cp) : NULL;
		const char *iss = json_str(c, "issuer");
		if (c && iss && strcmp(iss, a->issuer) == 0 && json_str(c, "client_id")) {
			set_str(&a->client_id, json_str(c, "client_id"));
			set_str(&a->client_secret, json_str(c, "client_secret"));
			set_str(&a->auth_method, json_str(c, "token_endpoint_auth_method"));
			want_port = (int)json_int(c, "port", 0);
			set_str(&a->redirect_uri, json_str(c, "redirect_uri"));
		}
		cJSON_Delete(c);
		free(cp);
	}
	/* The redirect URI: configured, or a loopback listener (RFC 8252 §7.3). */
	if (a->cfg_redirect) {
		set_str(&a->redirect_uri, a->cfg_redirect);
	} else if (listener_open(a, want_port) < 0) {
		if (want_port && a->client_id && !a->cfg_client_id) {
			/* the registered port is taken: register again on a new one */
			set_str(&a->client_id, NULL);
			wipe_free(&a->client_secret);
			if (listener_open(a, 0) < 0) {
				flow_fail(a, "oauth: %s", err_msg());
				return;
			}
		} else {
			flow_fail(a, "oauth: %s", err_msg());
			return;
		}
	}
	if (!a->cfg_redirect) {
		char *r = xasprintf("http://127.0.0.1:%d/callback", a->port);
		set_str(&a->redirect_uri, r);
		free(r);
	}
	if (a->client_id) {
		if (!a->auth_method)
			set_str(&a->auth_method, pick_auth_method(a));
		authorize_start(a);
		return;
	}
	const char *reg = json_str(a->asmeta, "registration_endpoint");
	if (!reg) {
		flow_fail(a,
		          "oauth: %s offers neither client ID metadata documents nor dynamic "
		          "registration; configure a pre-registered client_id for %s",
		          a->issuer, a->resource);
		return;
	}
	/* RFC 7591 §2; application_type per SEP-837. */
	cJSON *m = json_new_obj();
	json_add_str(m, "client_name", "deskhand");
	json_add_str(m, "application_type", "native");
	cJSON *ru = json_add(m, "redirect_uris", json_new_arr());
	cJSON_AddItemToArray(ru, cJSON_CreateString(a->redirect_uri));
	cJSON *gt = json_add(m, "grant_types", json_new_arr());
	cJSON_AddItemToArray(gt, cJSON_CreateString("authorization_code"));
	cJSON_AddItemToArray(gt, cJSON_CreateString("refresh_token"));
	cJSON *rt = json_add(m, "response_types", json_new_arr());
	cJSON_AddItemToArray(rt, cJSON_CreateString("code"));
	const cJSON *sup = json_arr(a->asmeta, "token_endpoint_auth_methods_supported");
	const char *method = !sup || json_arr_has(a->asmeta, "token_endpoint_auth_methods_supported",
	                                          "none")
	                             ? "none"
	                     : json_arr_has(a->asmeta, "token_endpoint_auth_methods_supported",
	                                    "client_secret_basic")
	                             ? "client_secret_basic"
	                             : "client_secret_post";
	json_add_str(m, "token_endpoint_auth_method", method);
	char *body = json_print(m);
	cJSON_Delete(m);
	a->step = ST_REGISTER;
	send_req(a, reg, NULL, body, NULL, step_register_done);
	free(body);
}

static void
step_register_done(struct mcp_auth *a, const struct http_result *res)
{
	cJSON *j = res->rc == 0 && (res->status == 201 || res->status == 200)
	                   ? body_json(a, "registration response")
	                   : NULL;
	if (!json_str(j, "client_id")) {
		char e[512];
		oauth_error_text(a, e, sizeof e);
		cJSON_Delete(j);
		flow_fail(a, "oauth: dynamic registration at %s failed: %s",
		          json_str(a->asmeta, "registration_endpoint"), e);
		return;
	}
	set_str(&a->client_id, json_str(j, "client_id"));
	set_str(&a->client_secret, json_str(j, "client_secret"));
	set_str(&a->auth_method, json_str(j, "token_endpoint_auth_method"));
	if (!a->auth_method)
		set_str(&a->auth_method, pick_auth_method(a));
	cJSON *c = json_new_obj();
	json_add_str(c, "issuer", a->issuer);
	json_add_str(c, "client_id", a->client_id);
	if (a->client_secret)
		json_add_str(c, "client_secret", a->client_secret);
	json_add_str(c, "token_endpoint_auth_method", a->auth_method);
	json_add_str(c, "redirect_uri", a->redirect_uri);
	if (!a->cfg_redirect)
		json_add_num(c, "port", a->port);
	char *cp = file_for(a, "client", a->issuer, NULL);
	int rc = cp ? write_json_file(a, cp, c) : DH_EFAIL;
	free(cp);
	cJSON_Delete(c);
	cJSON_Delete(j);
	if (rc < 0) {
		flow_fail(a, "oauth: cannot store the client registration: %s", err_msg());
		return;
	}
	authorize_start(a);
}

/* The scope to ask for (MCP "Scope Selection Strategy"): the challenge's,
 * else all of the PRM's scopes_supported, else the configured one, else
 * none; with what was asked before (SEP-2350), and offline_access when the
 * authorization server lists it (SEP-2207). Heap or NULL. */
static char *
choose_scope(const struct mcp_auth *a)
{
	char *s = NULL;
	if (a->www_scope) {
		s = xstrdup(a->www_scope);
	} else if (json_arr(a->prm, "scopes_supported")) {
		const cJSON *it;
		cJSON_ArrayForEach(it, json_arr(a->prm, "scopes_supported"))
		{
			if (cJSON_IsString(it)) {
				char *u = oauth_scope_union(s, it->valuestring);
				free(s);
				s = u;
			}
		}
	} else if (a->cfg_scope) {
		s = xstrdup(a->cfg_scope);
	}
	if (a->cfg_scope && s) {
		char *u = oauth_scope_union(s, a->cfg_scope);
		free(s);
		s = u;
	}
	/* Re-authorization keeps what the same issuer granted before. */
	if (a->last_scope && a->tok_issuer && a->issuer && strcmp(a->tok_issuer, a->issuer) == 0) {
		char *u = oauth_scope_union(a->last_scope, s);
		free(s);
		s = u;
	}
	if (s && json_arr_has(a->asmeta, "scopes_supported", "offline_access")) {
		char *u = oauth_scope_union(s, "offline_access");
		free(s);
		s = u;
	}
	return s;
}

static void step_fetch_done(struct mcp_auth *a, const struct http_result *res);

static void
authorize_start(struct mcp_auth *a)
{
	if (mcp_auth_pkce(a->verifier, a->challenge) < 0) {
		flow_fail(a, "%s", err_msg());
		return;
	}
	struct buf st = BUF_INIT;
	if (oauth_random(&st, 24) < 0) {
		buf_fini(&st);
		flow_fail(a, "%s", err_msg());
		return;
	}
	set_str(&a->state, buf_cstr(&st));
	buf_fini(&st);
	char *scope = choose_scope(a);
	const char *ep = json_str(a->asmeta, "authorization_endpoint");
	struct buf q = BUF_INIT;
	oauth_form_add(&q, "response_type", "code");
	oauth_form_add(&q, "client_id", a->client_id);
	oauth_form_add(&q, "redirect_uri", a->redirect_uri);
	oauth_form_add(&q, "code_challenge", a->challenge);
	oauth_form_add(&q, "code_challenge_method", "S256");
	oauth_form_add(&q, "state", a->state);
	oauth_form_add(&q, "resource", a->prm_resource);
	if (scope && *scope)
		oauth_form_add(&q, "scope", scope);
	char *url = xasprintf("%s%c%s", ep, strchr(ep, '?') ? '&' : '?', buf_cstr(&q));
	buf_fini(&q);
	set_str(&a->last_scope, scope);
	free(scope);
	set_str(&a->auth_url, url);
	free(url);
	/* Remember when, for the loop guard. */
	memmove(a->auth_times + 1, a->auth_times, sizeof a->auth_times - sizeof a->auth_times[0]);
	a->auth_times[0] = time(NULL);
	a->step = ST_AUTHORIZE;
	if (a->fetch_authorize) {
		a->step = ST_FETCH;
		send_req(a, a->auth_url, NULL, NULL, NULL, step_fetch_done);
		return;
	}
	if (!a->authorize) {
		flow_fail(a, "oauth: %s needs authorization: run `deskhand mcp login %s`",
		          a->resource, a->name ? a->name : "SERVER");
		return;
	}
	ev_timer_arm(a->l, &a->wait_timer, OAUTH_AUTHORIZE_WAIT_MS);
	a->authorize(a->auth_url, a->actx);
}

static void
step_fetch_done(struct mcp_auth *a, const struct http_result *res)
{
	a->step = ST_AUTHORIZE;
	if (res->rc < 0 || !a->location) {
		flow_fail(a, "oauth: the authorization endpoint answered %ld without a redirect%s%s",
		          res->status, res->error ? ": " : "", res->error ? res->error : "");
		return;
	}
	char *loc = NULL;
	if (http_url_join(&loc, a->auth_url, a->location) < 0)
		loc = xstrdup(a->location);
	if (mcp_auth_redirect(a, loc) < 0 && a->step != ST_IDLE)
		flow_fail(a, "%s", err_msg());
	free(loc);
}

int
mcp_auth_redirect(struct mcp_auth *a, const char *url)
{
	if (a->step != ST_AUTHORIZE)
		return err_setc(DH_EPARSE, "oauth: no authorization of %s is waiting for a redirect",
		                a->resource);
	char *state = oauth_query_param(url, "state");
	bool match = state && a->state && strcmp(state, a->state) == 0;
	free(state);
	if (!match)
		return err_setc(DH_EPARSE,
		                "oauth: that redirect's state is not the one of the authorization "
		                "in progress (paste the URL the browser ended on)");
	char *error = oauth_query_param(url, "error");
	if (error) {
		char *desc = oauth_query_param(url, "error_description");
		flow_fail(a, "oauth: authorization refused: %s%s%s", error, desc ? ": " : "",
		          desc ? desc : "");
		free(desc);
		free(error);
		return err_setc(DH_EPARSE, "oauth: authorization refused");
	}
	char *iss = oauth_query_param(url, "iss");
	int rc = mcp_auth_check_iss(
		iss, a->issuer,
		json_bool(a->asmeta, "authorization_response_iss_parameter_supported", false));
	free(iss);
	if (rc < 0) {
		char *m = xstrdup(err_msg());
		flow_fail(a, "%s", m);
		err_setc(DH_EPARSE, "%s", m);
		free(m);
		return DH_EPARSE;
	}
	char *code = oauth_query_param(url, "code");
	if (!code)
		return err_setc(DH_EPARSE, "oauth: the redirect has no code parameter");
	listener_close(a);
	a->step = ST_TOKEN;
	struct buf form = BUF_INIT;
	oauth_form_add(&form, "grant_type", "authorization_code");
	oauth_form_add(&form, "code", code);
	oauth_form_add(&form, "redirect_uri", a->redirect_uri);
	oauth_form_add(&form, "code_verifier", a->verifier);
	oauth_form_add(&form, "resource", a->prm_resource);
	wipe_free(&code);
	token_request(a, &form, step_token_done);
	buf_fini(&form);
	return 0;
}

/* ---- the loopback listener (RFC 8252 §7.3) ------------------------------------- */

static void
conn_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)l;
	(void)revents;
	struct mcp_auth *a = ctx;
	char tmp[2048];
	ssize_t n = read(fd, tmp, sizeof tmp);
	if (n > 0 && a->cin.len + (size_t)n <= OAUTH_LOOPBACK_MAX) {
		buf_add(&a->cin, tmp, (size_t)n);
		if (!strstr(buf_cstr(&a->cin), "\r\n\r\n") && !strstr(a->cin.ptr, "\n\n"))
			return;
	} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	/* The connection is ours from here (the redirect closes the listener). */
	ev_io_del(a->l, fd);
	if (a->cfd == fd)
		a->cfd = -1;
	/* "GET /callback?… HTTP/1.1" */
	const char *req = buf_cstr(&a->cin);
	char *target = NULL;
	if (strncmp(req, "GET ", 4) == 0) {
		size_t tl = strcspn(req + 4, " \r\n");
		target = xstrndup(req + 4, tl);
	}
	char *url = target ? xasprintf("http://127.0.0.1:%d%s", a->port, target) : NULL;
	free(target);
	buf_clear(&a->cin);
	bool ours = false;
	if (url) {
		char *st = oauth_query_param(url, "state");
		ours = st && a->state && strcmp(st, a->state) == 0;
		free(st);
	}
	int rc = ours ? mcp_auth_redirect(a, url) : DH_EPARSE;
	const char *msg = rc == 0 ? "deskhand: authorization received; you can close this tab.\n"
	                          : "deskhand: this is not the redirect deskhand is waiting for.\n";
	char *resp = xasprintf("HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
	                       "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
	                       rc == 0 ? "200 OK" : "400 Bad Request", strlen(msg), msg);
	/* A short reply on a fresh socket: one non-blocking write, best effort. */
	if (write(fd, resp, strlen(resp)) < 0) {
		/* the browser went away; the redirect was still taken */
	}
	free(resp);
	free(url);
	close(fd);
}

static void
listen_io(struct ev_loop *l, int fd, unsigned revents, void *ctx)
{
	(void)l;
	(void)revents;
	struct mcp_auth *a = ctx;
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	if (a->cfd >= 0) { /* one at a time: the newest wins */
		ev_io_del(a->l, a->cfd);
		close(a->cfd);
	}
	a->cfd = c;
	buf_clear(&a->cin);
	if (ev_io_set(a->l, c, POLLIN, conn_io, a) < 0) {
		close(c);
		a->cfd = -1;
	}
}

static int
listener_open(struct mcp_auth *a, int port)
{
	listener_close(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set("loopback listener: socket: %s", strerror(errno));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t sl = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 4) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
		int e = errno;
		close(fd);
		return err_set("loopback listener on 127.0.0.1:%d: %s", port, strerror(e));
	}
	if (ev_io_set(a->l, fd, POLLIN, listen_io, a) < 0) {
		close(fd);
		return DH_EFAIL;
	}
	a->lfd = fd;
	a->port = ntohs(sa.sin_port);
	return 0;
}

const char *
mcp_auth_redirect_uri(const struct mcp_auth *a)
{
	return a->step == ST_AUTHORIZE && a->lfd >= 0 ? a->redirect_uri : NULL;
}

/* ---- the public face ---------------------------------------------------------- */

static void
wait_expired(struct ev_loop *l, struct ev_timer *t, void *ctx)
{
	(void)l;
	(void)t;
	struct mcp_auth *a = ctx;
	flow_fail(a, "oauth: no authorization redirect for %s within %d minutes", a->resource,
	          OAUTH_AUTHORIZE_WAIT_MS / 60000);
}

int
mcp_auth_new(struct mcp_auth **out, struct ev_loop *l, struct http_client *http,
             const struct mcp_auth_spec *spec)
{
	*out = NULL;
	if (!spec->resource || !*spec->resource)
		return err_setc(DH_EPARSE, "oauth: no resource URL");
	struct http_url u = { 0 };
	if (http_url_parse(&u, spec->resource) < 0)
		return err_setc(DH_EPARSE, "oauth: resource \"%s\": %s", spec->resource, err_msg());
	http_url_fini(&u);
	if (strchr(spec->resource, '#'))
		return err_setc(DH_EPARSE, "oauth: resource \"%s\" has a fragment (RFC 8707 §2)",
		                spec->resource);
	struct mcp_auth *a = xcalloc(1, sizeof *a);
	a->l = l;
	a->http = http;
	a->resource = xstrdup(spec->resource);
	if (spec->state_dir) {
		a->state_dir = xstrdup(spec->state_dir);
	} else {
		char *sd = NULL;
		if (fsutil_state_dir(&sd) < 0) {
			free(a->resource);
			free(a);
			return DH_EFAIL;
		}
		a->state_dir = xasprintf("%s/oauth", sd);
		free(sd);
	}
	set_str(&a->name, spec->name);
	set_str(&a->cfg_client_id, spec->client_id);
	set_str(&a->cfg_client_secret, spec->client_secret);
	set_str(&a->cimd_url, spec->client_metadata_url);
	set_str(&a->cfg_scope, spec->scope);
	set_str(&a->cfg_redirect, spec->redirect_uri);
	a->authorize = spec->authorize;
	a->actx = spec->ctx;
	a->fetch_authorize = spec->fetch_authorize;
	a->lfd = a->cfd = -1;
	ev_timer_init(&a->done_timer, deliver, a);
	ev_timer_init(&a->wait_timer, wait_expired, a);
	token_load(a);
	set_str(&a->last_scope, a->tok_scope);
	*out = a;
	return 0;
}

void
mcp_auth_free(struct mcp_auth *a)
{
	if (!a)
		return;
	flow_reset(a);
	ev_timer_disarm(a->l, &a->done_timer);
	token_forget(a);
	ARRAY_FREE(&a->waiters);
	free(a->done_err);
	free(a->resource);
	free(a->name);
	free(a->state_dir);
	free(a->cfg_client_id);
	wipe_free(&a->cfg_client_secret);
	free(a->cimd_url);
	free(a->cfg_scope);
	free(a->cfg_redirect);
	free(a->www_scope);
	free(a->last_scope);
	buf_fini(&a->body);
	buf_fini(&a->cin);
	free(a);
}

const char *
mcp_auth_header(struct mcp_auth *a)
{
	return a->header;
}

int
mcp_auth_challenge(struct mcp_auth *a, long status, const char *www, mcp_auth_done_fn *done,
                   void *ctx)
{
	if (status != 401 && status != 403)
		return err_set("oauth: HTTP %ld is no authorization challenge", status);
	char *error = mcp_auth_www_param(www, "error");
	char *scope = mcp_auth_www_param(www, "scope");
	char *rm = mcp_auth_www_param(www, "resource_metadata");
	int rc = 0;
	if (status == 403) {
		if (!error || strcmp(error, "insufficient_scope") != 0) {
			rc = err_set("oauth: %s refused the request (403%s%s)", a->resource,
			             error ? " " : "", error ? error : "");
			goto out;
		}
		/* Step-up (MCP "Scope Challenge Handling"): only when it asks for more
		 * than we already asked for; otherwise another round cannot help. */
		const char *have = a->tok_scope ? a->tok_scope : a->last_scope;
		if (!scope || (have && oauth_scope_covers(have, scope))) {
			rc = err_set("oauth: %s still answers insufficient_scope%s%s after it was "
			             "granted; not asking again",
			             a->resource, scope ? " for " : "", scope ? scope : "");
			goto out;
		}
	}
	ARRAY_PUSH(&a->waiters, (struct waiter){ done, ctx });
	/* A flow in progress, or its result about to be delivered: this
	 * waiter shares it. */
	if (a->step != ST_IDLE || ev_timer_is_armed(&a->done_timer))
		goto out;
	a->stepup = status == 403;
	if (status == 401) {
		/* The token we hold (if any) is not good any more. */
		wipe_free(&a->access);
		wipe_free(&a->header);
	}
	set_str(&a->www_scope, scope);
	if (status == 403) {
		char *u = oauth_scope_union(a->tok_scope ? a->tok_scope : a->last_scope, scope);
		free(a->www_scope);
		a->www_scope = u;
	}
	flow_reset(a);
	a->step = ST_PRM;
	if (mcp_auth_prm_urls(&a->cands, a->resource, rm) < 0) {
		flow_fail(a, "%s", err_msg());
		goto out;
	}
	step_prm_next(a);
out:
	free(error);
	free(scope);
	free(rm);
	return rc;
}

void
mcp_auth_forget(struct mcp_auth *a, void *ctx)
{
	size_t j = 0;
	for (size_t i = 0; i < a->waiters.n; i++)
		if (a->waiters.v[i].ctx != ctx)
			a->waiters.v[j++] = a->waiters.v[i];
	a->waiters.n = j;
}

int
mcp_auth_logout(struct mcp_auth *a)
{
	flow_reset(a);
	token_forget(a);
	set_str(&a->last_scope, NULL);
	DIR *d = opendir(a->state_dir);
	if (!d)
		return errno == ENOENT ? 0 : err_set("%s: %s", a->state_dir, strerror(errno));
	struct dirent *e;
	int rc = 0, n = 0;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "token-", 6) != 0)
			continue;
		char *p = xasprintf("%s/%s", a->state_dir, e->d_name);
		cJSON *j = NULL;
		/* ours, or damaged: a damaged one says not whose it is, and is
		 * of no use to any connector */
		int tr = token_read(p, &j);
		const char *r = json_str(j, "resource");
		if (tr == DH_EPARSE || (r && strcmp(r, a->resource) == 0)) {
			if (unlink(p) == 0)
				n++;
			else if (errno != ENOENT)
				rc = err_set("%s: %s", p, strerror(errno));
		}
		cJSON_Delete(j);
		free(p);
	}
	closedir(d);
	return rc < 0 ? rc : n;
}
