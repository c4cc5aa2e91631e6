/* SPDX-License-Identifier: MIT */
/*
 * MCP OAuth (src/mcp/oauth.c): the pure pieces (PKCE, well-known URLs, iss,
 * resource, WWW-Authenticate), then whole flows over real HTTP against the
 * loopback authorization server tests/fake/oauth_server.py: discovery,
 * registration, PKCE checked by the server, resource and iss checks, token
 * file mode, refresh, step-up, the loopback listener.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/buf.h"
#include "core/ev.h"
#include "core/json.h"
#include "core/proc.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "mcp/oauth.h"
#include "mcp/oauth_priv.h"
#include "net/http.h"

/* ---- pure pieces ---------------------------------------------------------- */

Test(oauth, pkce_s256)
{
	char v[44], c[44], v2[44], c2[44];
	cr_assert_eq(mcp_auth_pkce(v, c), 0);
	cr_assert_eq(strlen(v), 43);
	cr_assert_eq(strlen(c), 43);
	for (const char *p = v; *p; p++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *p),
		          "verifier char %c", *p);
	/* challenge = BASE64URL(SHA256(verifier)) (RFC 7636 §4.2) */
	unsigned char md[32];
	unsigned int n = 0;
	cr_assert(EVP_Digest(v, 43, md, &n, EVP_sha256(), NULL));
	struct buf b = BUF_INIT;
	oauth_b64url(&b, md, 32);
	cr_assert_str_eq(buf_cstr(&b), c);
	buf_fini(&b);
	cr_assert_eq(mcp_auth_pkce(v2, c2), 0);
	cr_assert_str_neq(v, v2, "two verifiers alike: not random");
	/* RFC 7636 appendix B's example */
	const char *ev = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
	cr_assert(EVP_Digest(ev, strlen(ev), md, &n, EVP_sha256(), NULL));
	oauth_b64url(&b, md, 32);
	cr_assert_str_eq(buf_cstr(&b), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
	buf_fini(&b);
}

static void
expect_urls(struct strv *v, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	cr_assert_eq(v->n, n, "%zu URLs, want %zu (first %s)", v->n, n, v->n ? v->v[0] : "");
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(v->v[i], want[i]);
	strv_free(v);
}

Test(oauth, prm_urls)
{
	struct strv v = ARRAY_INIT;
	cr_assert_eq(mcp_auth_prm_urls(&v, "https://ex.com/public/mcp", NULL), 0);
	expect_urls(&v, (const char *const[]){
		"https://ex.com/.well-known/oauth-protected-resource/public/mcp",
		"https://ex.com/.well-known/oauth-protected-resource", NULL });
	cr_assert_eq(mcp_auth_prm_urls(&v, "https://ex.com:8443/mcp/?x=1",
	                               "https://ex.com/custom/metadata.json"), 0);
	expect_urls(&v, (const char *const[]){
		"https://ex.com/custom/metadata.json",
		"https://ex.com:8443/.well-known/oauth-protected-resource/mcp",
		"https://ex.com:8443/.well-known/oauth-protected-resource", NULL });
	cr_assert_eq(mcp_auth_prm_urls(&v, "https://ex.com", NULL), 0);
	expect_urls(&v, (const char *const[]){ "https://ex.com/.well-known/oauth-protected-resource",
	                                       NULL });
	cr_assert_eq(mcp_auth_prm_urls(&v, "no-url", NULL), DH_EPARSE);
}

Test(oauth, as_urls)
{
	struct strv v = ARRAY_INIT;
	cr_assert_eq(mcp_auth_as_urls(&v, "https://auth.ex.com/tenant1"), 0);
	expect_urls(&v, (const char *const[]){
		"https://auth.ex.com/.well-known/oauth-authorization-server/tenant1",
		"https://auth.ex.com/.well-known/openid-configuration/tenant1",
		"https://auth.ex.com/tenant1/.well-known/openid-configuration", NULL });
	cr_assert_eq(mcp_auth_as_urls(&v, "https://auth.ex.com"), 0);
	expect_urls(&v, (const char *const[]){
		"https://auth.ex.com/.well-known/oauth-authorization-server",
		"https://auth.ex.com/.well-known/openid-configuration", NULL });
	cr_assert_eq(mcp_auth_as_urls(&v, "https://auth.ex.com/"), 0);
	expect_urls(&v, (const char *const[]){
		"https://auth.ex.com/.well-known/oauth-authorization-server",
		"https://auth.ex.com/.well-known/openid-configuration", NULL });
}

Test(oauth, iss_checks)
{
	const char *is = "https://auth.ex.com";
	cr_assert_eq(mcp_auth_check_iss(is, is, true), 0);
	cr_assert_eq(mcp_auth_check_iss(is, is, false), 0);
	cr_assert_eq(mcp_auth_check_iss(NULL, is, false), 0, "absent and not advertised: fine");
	cr_assert_eq(mcp_auth_check_iss(NULL, is, true), DH_EDENIED, "advertised but absent");
	cr_assert_eq(mcp_auth_check_iss("https://evil.example.com", is, true), DH_EDENIED);
	cr_assert_eq(mcp_auth_check_iss("https://evil.example.com", is, false), DH_EDENIED,
	             "present but unadvertised still compared");
	/* simple string comparison: no normalization */
	cr_assert_eq(mcp_auth_check_iss("https://auth.ex.com/", is, true), DH_EDENIED);
	cr_assert_eq(mcp_auth_check_iss("HTTPS://auth.ex.com", is, true), DH_EDENIED);
	cr_assert_eq(mcp_auth_check_iss("https://auth.ex.com:443", is, true), DH_EDENIED);
}

Test(oauth, resource_match)
{
	cr_assert(mcp_auth_resource_ok("http://localhost:3000/mcp", "http://localhost:3000/mcp"));
	cr_assert(mcp_auth_resource_ok("http://localhost:3000", "http://localhost:3000/mcp"));
	cr_assert(mcp_auth_resource_ok("http://localhost:3000/", "http://localhost:3000/mcp"));
	cr_assert(!mcp_auth_resource_ok("https://evil.example.com/mcp", "http://localhost:3000/mcp"));
	cr_assert(!mcp_auth_resource_ok("http://localhost:3001/mcp", "http://localhost:3000/mcp"));
	cr_assert(!mcp_auth_resource_ok("http://localhost:3000/mc", "http://localhost:3000/mcp"));
	cr_assert(!mcp_auth_resource_ok("http://localhost:3000/mcp/x", "http://localhost:3000/mcp"));
}

Test(oauth, www_authenticate)
{
	const char *h = "Bearer error=\"insufficient_scope\", scope=\"a b\", "
	                "resource_metadata=\"https://x/.well-known/oauth-protected-resource/mcp\", "
	                "error_description=\"say \\\"more\\\"\"";
	char *s = mcp_auth_www_param(h, "scope");
	cr_assert_str_eq(s, "a b");
	free(s);
	s = mcp_auth_www_param(h, "error");
	cr_assert_str_eq(s, "insufficient_scope");
	free(s);
	s = mcp_auth_www_param(h, "error_description");
	cr_assert_str_eq(s, "say \"more\"");
	free(s);
	s = mcp_auth_www_param(h, "resource_metadata");
	cr_assert_str_eq(s, "https://x/.well-known/oauth-protected-resource/mcp");
	free(s);
	cr_assert_null(mcp_auth_www_param(h, "realm"));
	cr_assert_null(mcp_auth_www_param(NULL, "scope"));
	s = mcp_auth_www_param("Bearer realm=x,scope=y", "scope");
	cr_assert_str_eq(s, "y");
	free(s);
}

Test(oauth, scopes_and_forms)
{
	char *u = oauth_scope_union("a b", "b c");
	cr_assert_str_eq(u, "a b c");
	free(u);
	cr_assert_null(oauth_scope_union(NULL, ""));
	cr_assert(oauth_scope_covers("a b c", "c a"));
	cr_assert(!oauth_scope_covers("a b", "c"));
	struct buf b = BUF_INIT;
	oauth_form_add(&b, "redirect_uri", "http://127.0.0.1:1/cb?x=1 2");
	oauth_form_add(&b, "scope", "a:b c");
	cr_assert_str_eq(buf_cstr(&b), "redirect_uri=http%3A%2F%2F127.0.0.1%3A1%2Fcb%3Fx%3D1%202"
	                               "&scope=a%3Ab%20c");
	buf_fini(&b);
	char *v = oauth_query_param("http://h/cb?code=a%2Bb&state=s+t&iss=https%3A%2F%2Fx", "iss");
	cr_assert_str_eq(v, "https://x");
	free(v);
	v = oauth_query_param("http://h/cb?code=a%2Bb&state=s+t", "state");
	cr_assert_str_eq(v, "s t");
	free(v);
	cr_assert_null(oauth_query_param("http://h/cb?codes=1", "code"));
}

/* ---- flows against tests/fake/oauth_server.py -------------------------------- */

struct t {
	struct ev_loop *l;
	struct http_client *http;
	struct proc *p;
	char dir[64];
	char log[PATH_MAX];
	char state[PATH_MAX];
	char base[64];
	char resource[96];
	struct mcp_auth *a;
	int ndone, rc;
	char *err;
	/* browser simulation for the loopback test */
	struct http_request *req;
	char *location;
	int nbrowser;
};

static char *
slurp(const char *path)
{
	struct buf b = BUF_INIT;
	char tmp[4096];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return NULL;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	return buf_detach(&b);
}

static void
setup(void)
{
	cr_assert_eq(http_global_init(), 0);
}

static void
teardown(void)
{
	http_global_cleanup();
}

TestSuite(oauth_flow, .init = setup, .fini = teardown, .timeout = 40);

static void
t_start(struct t *t, const char *config)
{
	memset(t, 0, sizeof *t);
	cr_assert_eq(ev_new(&t->l), 0);
	cr_assert_eq(http_client_new(&t->http, t->l), 0);
	const char *tests = getenv("DH_TESTS") ? getenv("DH_TESTS") : "tests";
	snprintf(t->dir, sizeof t->dir, "/tmp/dh-oauth-XXXXXX");
	cr_assert_not_null(mkdtemp(t->dir));
	char server[PATH_MAX], cfg[PATH_MAX], port[PATH_MAX];
	snprintf(server, sizeof server, "%s/fake/oauth_server.py", tests);
	snprintf(cfg, sizeof cfg, "%s/config.json", t->dir);
	snprintf(t->log, sizeof t->log, "%s/log.jsonl", t->dir);
	snprintf(port, sizeof port, "%s/port", t->dir);
	snprintf(t->state, sizeof t->state, "%s/state/oauth", t->dir);
	FILE *f = fopen(cfg, "w");
	cr_assert_not_null(f);
	fputs(config, f);
	fclose(f);
	const char *argv[] = { "python3", server, "--config", cfg, "--log", t->log,
		               "--port-file", port, NULL };
	struct proc_spec spec = { .argv = argv, .stdin_fd = -1 };
	cr_assert_eq(proc_spawn(&t->p, t->l, &spec, NULL, NULL), 0, "%s", err_msg());
	uint64_t end = ev_now_ms() + 10000;
	char *s = NULL;
	while (!(s = slurp(port)) && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t->l, 20), 0);
	cr_assert_not_null(s, "oauth_server.py did not start");
	snprintf(t->base, sizeof t->base, "http://127.0.0.1:%d", atoi(s));
	snprintf(t->resource, sizeof t->resource, "%s/mcp", t->base);
	free(s);
}

static void
t_stop(struct t *t)
{
	mcp_auth_free(t->a);
	if (t->req)
		http_cancel(t->req);
	http_client_free(t->http);
	proc_free(t->p);
	ev_free(t->l);
	free(t->err);
	free(t->location);
	char *cmd = xasprintf("rm -rf '%s'", t->dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static void
auth_new(struct t *t, const char *client_id, const char *secret)
{
	mcp_auth_free(t->a);
	struct mcp_auth_spec spec = { .resource = t->resource, .state_dir = t->state,
		                      .client_id = client_id, .client_secret = secret,
		                      .fetch_authorize = true };
	cr_assert_eq(mcp_auth_new(&t->a, t->l, t->http, &spec), 0, "%s", err_msg());
}

static void
on_done(int rc, const char *error, void *ctx)
{
	struct t *t = ctx;
	t->ndone++;
	t->rc = rc;
	free(t->err);
	t->err = error ? xstrdup(error) : NULL;
}

/* Challenge and run the loop until done. */
static void
challenge(struct t *t, long status, const char *www)
{
	int before = t->ndone;
	cr_assert_eq(mcp_auth_challenge(t->a, status, www, on_done, t), 0, "%s", err_msg());
	cr_assert_eq(t->ndone, before, "done ran inside the call");
	uint64_t end = ev_now_ms() + 15000;
	while (t->ndone == before && ev_now_ms() < end)
		cr_assert_eq(ev_run_once(t->l, 50), 0);
	cr_assert_eq(t->ndone, before + 1, "the flow did not finish");
}

/* The server's log lines whose path ends with `suffix` (and method). */
static int
count_reqs(struct t *t, const char *method, const char *suffix, cJSON **last)
{
	char *s = slurp(t->log);
	int n = 0;
	if (last)
		*last = NULL;
	for (char *line = s ? strtok(s, "\n") : NULL; line; line = strtok(NULL, "\n")) {
		cJSON *j = NULL;
		cr_assert_eq(json_parse(&j, line, strlen(line), "log"), 0);
		const char *p = json_str(j, "path");
		size_t pl = strlen(p), sl = strlen(suffix);
		if (strcmp(json_str(j, "method"), method) == 0 && pl >= sl &&
		    strcmp(p + pl - sl, suffix) == 0) {
			n++;
			if (last) {
				cJSON_Delete(*last);
				*last = j;
				continue;
			}
		}
		cJSON_Delete(j);
	}
	free(s);
	return n;
}

static char *
www(struct t *t, const char *extra)
{
	return xasprintf("Bearer resource_metadata=\"%s/.well-known/oauth-protected-resource/mcp\"%s",
	                 t->base, extra ? extra : "");
}

/* Challenge with the server's resource_metadata and `extra` auth-params. */
static void
challenge_www(struct t *t, long status, const char *extra)
{
	char *w = www(t, extra);
	challenge(t, status, w);
	free(w);
}

Test(oauth_flow, dcr_pkce_resource_token_file)
{
	struct t t;
	t_start(&t, "{\"prm_scopes\":[\"mcp:read\",\"mcp:write\"]}");
	auth_new(&t, NULL, NULL);
	cr_assert_null(mcp_auth_header(t.a));
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	const char *h = mcp_auth_header(t.a);
	cr_assert(h && strncmp(h, "Authorization: Bearer access-", 29) == 0, "%s", h ? h : "");

	cJSON *reg, *authz, *tok;
	cr_assert_eq(count_reqs(&t, "POST", "/register", &reg), 1);
	cJSON *body = json_obj(reg, "json");
	cr_assert_str_eq(json_str(body, "application_type"), "native");
	cr_assert_str_eq(cJSON_GetArrayItem(json_arr(body, "grant_types"), 1)->valuestring,
	                 "refresh_token");
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", &authz), 1);
	cJSON *q = json_obj(authz, "query");
	cr_assert_str_eq(json_str(q, "code_challenge_method"), "S256");
	cr_assert_str_eq(json_str(q, "resource"), t.resource);
	cr_assert_str_eq(json_str(q, "scope"), "mcp:read mcp:write", "all of scopes_supported");
	cr_assert_eq(count_reqs(&t, "POST", "/token", &tok), 1);
	cJSON *form = json_obj(tok, "form");
	cr_assert_str_eq(json_str(form, "resource"), t.resource);
	cr_assert_str_eq(json_str(form, "client_id"), json_str(q, "client_id"));
	cr_assert_not_null(json_str(form, "code_verifier"));
	cJSON_Delete(reg);
	cJSON_Delete(authz);
	cJSON_Delete(tok);

	/* the token file: 0600 in a 0700 directory, holding the token */
	struct stat st;
	cr_assert_eq(stat(t.state, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
	char *cmd = xasprintf("ls %s/token-*.json", t.state);
	FILE *ls = popen(cmd, "r");
	char path[PATH_MAX] = "";
	cr_assert(fgets(path, sizeof path, ls));
	pclose(ls);
	free(cmd);
	path[strcspn(path, "\n")] = 0;
	cr_assert_eq(stat(path, &st), 0, "%s", path);
	cr_assert_eq(st.st_mode & 0777, 0600, "token file mode %o", st.st_mode & 0777);
	char *text = slurp(path);
	cr_assert(strstr(text, h + strlen("Authorization: Bearer ")));
	free(text);

	/* a new client for the same resource finds it */
	auth_new(&t, NULL, NULL);
	cr_assert_str_eq(mcp_auth_header(t.a), h = mcp_auth_header(t.a));
	cr_assert_not_null(mcp_auth_header(t.a));
	/* logout forgets it, and says how many it forgot: none the second time */
	cr_assert_eq(mcp_auth_logout(t.a), 1);
	cr_assert_null(mcp_auth_header(t.a));
	cr_assert_neq(stat(path, &st), 0, "token file still there");
	cr_assert_eq(mcp_auth_logout(t.a), 0);
	t_stop(&t);
}

Test(oauth_flow, path_issuer_and_scope_from_challenge)
{
	struct t t;
	t_start(&t, "{\"as_prefix\":\"/tenant1\",\"metadata_path\":"
	            "\"/tenant1/.well-known/openid-configuration\",\"prm_scopes\":[\"x\"],"
	            "\"scopes_supported\":[\"mcp:basic\",\"offline_access\"]}");
	auth_new(&t, NULL, NULL);
	challenge_www(&t, 401, ", scope=\"mcp:basic\"");
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cJSON *authz;
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", &authz), 1);
	cr_assert_str_eq(json_str(json_obj(authz, "query"), "scope"), "mcp:basic offline_access");
	cJSON_Delete(authz);
	/* tried the RFC 8414 and OIDC path-inserted forms first, never the root */
	cr_assert_eq(count_reqs(&t, "GET", "/.well-known/oauth-authorization-server/tenant1", NULL), 1);
	cr_assert_eq(count_reqs(&t, "GET", "/.well-known/openid-configuration/tenant1", NULL), 1);
	cr_assert_eq(count_reqs(&t, "GET", "/.well-known/oauth-authorization-server", NULL), 0);
	t_stop(&t);
}

static void
expect_refused(const char *config, const char *what, bool authorized)
{
	struct t t;
	t_start(&t, config);
	auth_new(&t, NULL, NULL);
	challenge_www(&t, 401, NULL);
	cr_assert_lt(t.rc, 0, "%s: accepted", what);
	cr_assert(t.err && strstr(t.err, what), "%s: %s", what, t.err ? t.err : "(no message)");
	cr_assert_eq(count_reqs(&t, "POST", "/token", NULL), 0, "%s: the code was redeemed", what);
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", NULL), authorized ? 1 : 0);
	cr_assert_null(mcp_auth_header(t.a));
	t_stop(&t);
}

Test(oauth_flow, iss_wrong_missing_normalized_refused)
{
	expect_refused("{\"iss\":\"wrong\"}", "evil.example.com", true);
	expect_refused("{\"iss\":\"omit\",\"iss_supported\":true}", "has no iss", true);
	expect_refused("{\"iss\":\"normalized\"}", "RFC 9207", true);
	expect_refused("{\"iss\":\"wrong\",\"iss_supported\":null}", "RFC 9207", true);
}

Test(oauth_flow, iss_absent_unadvertised_accepted)
{
	struct t t;
	t_start(&t, "{\"iss\":\"omit\",\"iss_supported\":null}");
	auth_new(&t, NULL, NULL);
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	t_stop(&t);
}

Test(oauth_flow, resource_and_metadata_issuer_mismatch_refused)
{
	expect_refused("{\"prm_resource\":\"https://evil.example.com/mcp\"}", "not the server",
	               false);
	expect_refused("{\"metadata_issuer\":\"https://attacker.example.com\"}",
	               "attacker.example.com", false);
}

Test(oauth_flow, preregistered_basic_and_refresh)
{
	struct t t;
	t_start(&t, "{\"dcr\":false,\"auth_methods\":[\"client_secret_basic\"],\"refresh\":true}");
	auth_new(&t, "pre-client", "pre-secret");
	char *w = www(&t, NULL);
	challenge(&t, 401, w);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cJSON *tok;
	cr_assert_eq(count_reqs(&t, "POST", "/token", &tok), 1);
	cr_assert_str_eq(json_str(tok, "auth"), "Basic cHJlLWNsaWVudDpwcmUtc2VjcmV0");
	cr_assert_null(json_str(json_obj(tok, "form"), "client_secret"));
	cJSON_Delete(tok);
	char *first = xstrdup(mcp_auth_header(t.a));
	/* the access token is refused: the refresh token gets a new one, no browser */
	challenge(&t, 401, w);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", NULL), 1);
	cr_assert_eq(count_reqs(&t, "POST", "/token", &tok), 2);
	cr_assert_str_eq(json_str(json_obj(tok, "form"), "grant_type"), "refresh_token");
	cr_assert_str_eq(json_str(json_obj(tok, "form"), "resource"), t.resource);
	cJSON_Delete(tok);
	cr_assert_str_neq(mcp_auth_header(t.a), first);
	free(first);
	free(w);
	t_stop(&t);
}

/* The token file of the flow in t (one). */
static char *
token_file_text(struct t *t)
{
	char *cmd = xasprintf("cat %s/token-*.json", t->state);
	FILE *p = popen(cmd, "r");
	struct buf b = BUF_INIT;
	char tmp[1024];
	size_t n;

	cr_assert_not_null(p);
	while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
		buf_add(&b, tmp, n);
	pclose(p);
	free(cmd);
	return buf_detach(&b);
}

/* A token's expires_in is the authorization server's to say: one beyond
 * any lifetime (9.223372036e18 s, which added to now overflowed a long long) is
 * taken as 2^32 s; a negative one as none. */
Test(oauth_flow, expires_in_beyond_any_lifetime)
{
	static const struct {
		const char *config;
		long long lo, hi; /* expires_at - now, or 0..0: none kept */
	} cases[] = {
		{ "{\"expires_in\": 9.223372036e18}", (1LL << 32) - 5, (1LL << 32) + 5 },
		{ "{\"expires_in\": 1e300}", (1LL << 32) - 5, (1LL << 32) + 5 },
		{ "{\"expires_in\": -9e18}", 0, 0 },
		{ "{\"expires_in\": 60}", 55, 65 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct t t;

		t_start(&t, cases[i].config);
		auth_new(&t, NULL, NULL);
		challenge_www(&t, 401, NULL);
		cr_assert_eq(t.rc, 0, "%s: %s", cases[i].config, t.err ? t.err : "");
		char *text = token_file_text(&t);
		cJSON *j = NULL;
		cr_assert_eq(json_parse(&j, text, strlen(text), "token"), 0, "%s", text);
		long long at = json_int(j, "expires_at", 0);
		long long left = at ? at - (long long)time(NULL) : 0;
		cr_assert(left >= cases[i].lo && left <= cases[i].hi,
		          "%s: expires_at %lld (%lld left)", cases[i].config, at, left);
		cJSON_Delete(j);
		free(text);
		t_stop(&t);
	}
}

Test(oauth_flow, client_secret_post)
{
	struct t t;
	t_start(&t, "{\"auth_methods\":[\"client_secret_post\"],\"reg_method\":\"client_secret_post\"}");
	auth_new(&t, NULL, NULL);
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cJSON *tok;
	cr_assert_eq(count_reqs(&t, "POST", "/token", &tok), 1);
	cr_assert_str_eq(json_str(json_obj(tok, "form"), "client_secret"), "secret-abc");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(tok, "auth")));
	cJSON_Delete(tok);
	t_stop(&t);
}

Test(oauth_flow, step_up_then_limit)
{
	struct t t;
	t_start(&t, "{}");
	auth_new(&t, NULL, NULL);
	challenge_www(&t, 401, ", scope=\"mcp:basic\"");
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	char *w = www(&t, ", error=\"insufficient_scope\", scope=\"mcp:write\"");
	challenge(&t, 403, w);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cJSON *authz;
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", &authz), 2);
	cr_assert_str_eq(json_str(json_obj(authz, "query"), "scope"), "mcp:basic mcp:write",
	                 "the union of what was granted and what is asked (SEP-2350)");
	cJSON_Delete(authz);
	/* the same scope again: another round cannot help */
	cr_assert_eq(mcp_auth_challenge(t.a, 403, w, on_done, &t), DH_EFAIL);
	cr_assert(strstr(err_msg(), "insufficient_scope"), "%s", err_msg());
	free(w);
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", NULL), 2);
	t_stop(&t);
}

/* The person's browser: GET the authorization URL, then the loopback redirect. */
static void browser_hop(struct t *t, const char *url);

static void
b_hdr(long status, const char *name, const char *value, void *ctx)
{
	(void)status;
	struct t *t = ctx;
	if (strcmp(name, "location") == 0) {
		free(t->location);
		t->location = xstrdup(value);
	}
}

static void
b_done(const struct http_result *res, void *ctx)
{
	(void)res;
	struct t *t = ctx;
	t->req = NULL;
	t->nbrowser++;
	if (t->location) {
		char *loc = t->location;
		t->location = NULL;
		browser_hop(t, loc);
		free(loc);
	}
}

static void
browser_hop(struct t *t, const char *url)
{
	static const struct http_callbacks cb = { .on_header = b_hdr, .on_done = b_done };
	struct http_spec spec = { .method = "GET", .url = url };
	cr_assert_eq(http_start(&t->req, t->http, &spec, &cb, t), 0);
}

static void
authorize_cb(const char *url, void *ctx)
{
	struct t *t = ctx;
	cr_assert_not_null(mcp_auth_redirect_uri(t->a), "no loopback listener while authorizing");
	cr_assert(strncmp(mcp_auth_redirect_uri(t->a), "http://127.0.0.1:", 17) == 0);
	browser_hop(t, url);
}

Test(oauth_flow, loopback_listener)
{
	struct t t;
	t_start(&t, "{}");
	struct mcp_auth_spec spec = { .resource = t.resource, .state_dir = t.state,
		                      .authorize = authorize_cb, .ctx = &t };
	cr_assert_eq(mcp_auth_new(&t.a, t.l, t.http, &spec), 0, "%s", err_msg());
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cr_assert_not_null(mcp_auth_header(t.a));
	cr_assert_null(mcp_auth_redirect_uri(t.a), "listener left open");
	/* a pasted redirect with a foreign state is refused when nothing waits */
	cr_assert_eq(mcp_auth_redirect(t.a, "http://127.0.0.1:1/callback?code=x&state=y"),
	             DH_EPARSE);
	t_stop(&t);
}

Test(oauth_flow, no_authorize_callback_says_login)
{
	struct t t;
	t_start(&t, "{}");
	struct mcp_auth_spec spec = { .resource = t.resource, .state_dir = t.state };
	cr_assert_eq(mcp_auth_new(&t.a, t.l, t.http, &spec), 0, "%s", err_msg());
	challenge_www(&t, 401, NULL);
	cr_assert_lt(t.rc, 0);
	cr_assert(strstr(t.err, "deskhand mcp login"), "%s", t.err);
	t_stop(&t);
}

Test(oauth_flow, client_id_metadata_document_and_its_refresh)
{
	struct t t;
	t_start(&t, "{\"cimd\":true,\"refresh\":true}");
	const char *cimd = "https://deskhand.example/client.json";
	struct mcp_auth_spec spec = { .resource = t.resource, .state_dir = t.state,
		                      .client_metadata_url = cimd, .fetch_authorize = true };
	cr_assert_eq(mcp_auth_new(&t.a, t.l, t.http, &spec), 0, "%s", err_msg());
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cr_assert_eq(count_reqs(&t, "POST", "/register", NULL), 0, "registered despite CIMD");
	cJSON *authz, *tok;
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", &authz), 1);
	cr_assert_str_eq(json_str(json_obj(authz, "query"), "client_id"), cimd);
	cJSON_Delete(authz);
	challenge_www(&t, 401, NULL);
	cr_assert_eq(t.rc, 0, "%s", t.err ? t.err : "");
	cr_assert_eq(count_reqs(&t, "POST", "/token", &tok), 2);
	cr_assert_str_eq(json_str(json_obj(tok, "form"), "grant_type"), "refresh_token");
	cr_assert_str_eq(json_str(json_obj(tok, "form"), "client_id"), cimd);
	cJSON_Delete(tok);
	cr_assert_eq(count_reqs(&t, "GET", "/authorize", NULL), 1);
	t_stop(&t);
}
