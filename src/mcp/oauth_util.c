/* SPDX-License-Identifier: MIT */
/*
 * The stateless pieces of MCP's OAuth flow (mcp/oauth.h): PKCE, the
 * well-known URLs, the iss and resource checks, WWW-Authenticate parsing,
 * form encoding. SHA-256 comes from core/crypto (GNU Nettle); randomness
 * from getrandom(2).
 */
#include "mcp/oauth_priv.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/crypto.h"
#include "core/strv.h"
#include "core/xalloc.h"
#include "net/http.h"

void
oauth_b64url(struct buf *out, const void *data, size_t n)
{
	size_t at = out->len;

	buf_add_base64(out, data, n);
	while (out->len > at && out->ptr[out->len - 1] == '=')
		out->ptr[--out->len] = '\0';
	for (size_t i = at; i < out->len; i++)
		out->ptr[i] = out->ptr[i] == '+' ? '-' : out->ptr[i] == '/' ? '_' : out->ptr[i];
}

int
oauth_sha256_hex(char out[65], const void *data, size_t n)
{
	if (crypto_sha256_hex(data, n, out) < 0)
		return err_set("oauth: %s", err_msg());
	return 0;
}

int
oauth_random(struct buf *out, size_t nbytes)
{
	unsigned char raw[64];
	if (nbytes > sizeof raw)
		return err_set("oauth: %zu random bytes asked, at most %zu", nbytes, sizeof raw);
	size_t got = 0;
	while (got < nbytes) {
		ssize_t r = getrandom(raw + got, nbytes - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_set("oauth: getrandom: %s", strerror(errno));
		}
		got += (size_t)r;
	}
	oauth_b64url(out, raw, nbytes);
	return 0;
}

int
mcp_auth_pkce(char verifier[44], char challenge[44])
{
	/* 32 random bytes -> 43 base64url characters (RFC 7636 §4.1 asks 43..128). */
	struct buf v = BUF_INIT, c = BUF_INIT;
	int rc = oauth_random(&v, 32);
	if (rc == 0) {
		unsigned char md[CRYPTO_SHA256_BYTES];
		if (crypto_sha256(v.ptr, v.len, md) < 0)
			rc = err_set("oauth: %s", err_msg());
		else
			oauth_b64url(&c, md, sizeof md);
	}
	if (rc == 0 && (v.len != 43 || c.len != 43))
		rc = err_set("oauth: PKCE lengths %zu/%zu, expected 43", v.len, c.len);
	if (rc == 0) {
		memcpy(verifier, v.ptr, 44);
		memcpy(challenge, c.ptr, 44);
	}
	buf_fini(&v);
	buf_fini(&c);
	return rc;
}

/* scheme://host[:port] of an absolute URL and where its path starts. */
static int
split_origin(const char *url, size_t *origin_len)
{
	const char *p = strstr(url, "://");
	if (!p || p == url)
		return err_setc(DH_EPARSE, "oauth: not an absolute URL: %s", url);
	p += 3;
	p += strcspn(p, "/?#");
	*origin_len = (size_t)(p - url);
	return 0;
}

/* The path of `url` without query or fragment, and without a trailing '/'. */
static void
url_path(const char *url, size_t origin_len, const char **path, size_t *len)
{
	const char *p = url + origin_len;
	size_t n = strcspn(p, "?#");
	while (n > 0 && p[n - 1] == '/')
		n--;
	*path = p;
	*len = n;
}

/* Append ORIGIN + a + PATH + b (PATH: the URL's path, without a trailing '/'). */
static void
add_wellknown(struct strv *out, const char *url, size_t ol, const char *path, size_t plen,
              const char *before, const char *after)
{
	char *s = xasprintf("%.*s%s%.*s%s", (int)ol, url, before, (int)plen, path, after);
	strv_add(out, s);
	free(s);
}

int
mcp_auth_prm_urls(struct strv *out, const char *resource, const char *resource_metadata)
{
	size_t ol, plen;
	const char *path;
	int rc = split_origin(resource, &ol);
	if (rc < 0)
		return rc;
	url_path(resource, ol, &path, &plen);
	if (resource_metadata && *resource_metadata)
		strv_add(out, resource_metadata);
	if (plen > 0)
		add_wellknown(out, resource, ol, path, plen, "/.well-known/oauth-protected-resource", "");
	add_wellknown(out, resource, ol, path, 0, "/.well-known/oauth-protected-resource", "");
	return 0;
}

int
mcp_auth_as_urls(struct strv *out, const char *issuer)
{
	size_t ol, plen;
	const char *path;
	int rc = split_origin(issuer, &ol);
	if (rc < 0)
		return rc;
	url_path(issuer, ol, &path, &plen);
	/* RFC 8414 §3.1 and OIDC Discovery §4.1, in MCP's order. */
	add_wellknown(out, issuer, ol, path, plen, "/.well-known/oauth-authorization-server", "");
	add_wellknown(out, issuer, ol, path, plen, "/.well-known/openid-configuration", "");
	if (plen > 0)
		add_wellknown(out, issuer, ol, path, plen, "", "/.well-known/openid-configuration");
	return 0;
}

int
mcp_auth_check_iss(const char *iss, const char *issuer, bool advertised)
{
	if (iss) {
		if (!issuer || strcmp(iss, issuer) != 0)
			return err_setc(DH_EDENIED,
			                "oauth: the authorization response comes from issuer \"%s\", "
			                "not \"%s\" (RFC 9207): refused",
			                iss, issuer ? issuer : "");
		return 0;
	}
	if (advertised)
		return err_setc(DH_EDENIED,
		                "oauth: the authorization response has no iss although %s advertises "
		                "authorization_response_iss_parameter_supported (RFC 9207): refused",
		                issuer ? issuer : "the authorization server");
	return 0;
}

bool
mcp_auth_resource_ok(const char *prm_resource, const char *server_url)
{
	struct http_url a = { 0 }, b = { 0 };
	bool ok = false;
	if (http_url_parse(&a, prm_resource) < 0)
		return false;
	if (http_url_parse(&b, server_url) < 0)
		goto out;
	if (strcmp(a.scheme, b.scheme) != 0 || strcasecmp(a.host, b.host) != 0 || a.port != b.port)
		goto out;
	size_t ao, bo;
	if (split_origin(prm_resource, &ao) < 0 || split_origin(server_url, &bo) < 0)
		goto out;
	const char *ap, *bp;
	size_t al, bl;
	url_path(prm_resource, ao, &ap, &al);
	url_path(server_url, bo, &bp, &bl);
	ok = al <= bl && memcmp(ap, bp, al) == 0 && (al == bl || bp[al] == '/');
out:
	http_url_fini(&a);
	http_url_fini(&b);
	return ok;
}

char *
mcp_auth_www_param(const char *h, const char *name)
{
	if (!h)
		return NULL;
	size_t nl = strlen(name);
	const char *p = h;
	/* Skip the scheme ("Bearer"). */
	while (*p && !isspace((unsigned char)*p) && *p != ',')
		p++;
	while (*p) {
		while (*p && (isspace((unsigned char)*p) || *p == ','))
			p++;
		const char *k = p;
		while (*p && *p != '=' && *p != ',' && !isspace((unsigned char)*p))
			p++;
		size_t kl = (size_t)(p - k);
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=')
			continue;
		p++;
		while (isspace((unsigned char)*p))
			p++;
		struct buf v = BUF_INIT;
		if (*p == '"') {
			p++;
			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				buf_putc(&v, *p++);
			}
			if (*p == '"')
				p++;
		} else {
			while (*p && *p != ',' && !isspace((unsigned char)*p))
				buf_putc(&v, *p++);
		}
		if (kl == nl && strncasecmp(k, name, nl) == 0)
			return buf_detach(&v);
		buf_fini(&v);
	}
	return NULL;
}

void
oauth_form_add(struct buf *b, const char *key, const char *val)
{
	if (!val)
		return;
	if (b->len)
		buf_putc(b, '&');
	for (int pass = 0; pass < 2; pass++) {
		for (const unsigned char *p = (const unsigned char *)(pass ? val : key); *p; p++) {
			if (isalnum(*p) || strchr("-._~", *p))
				buf_putc(b, (char)*p);
			else
				buf_printf(b, "%%%02X", *p);
		}
		if (!pass)
			buf_putc(b, '=');
	}
}

char *
oauth_query_param(const char *url, const char *name)
{
	const char *q = strchr(url, '?');
	if (!q)
		return NULL;
	q++;
	size_t nl = strlen(name);
	while (*q && *q != '#') {
		size_t len = strcspn(q, "&#");
		const char *eq = memchr(q, '=', len);
		size_t kl = eq ? (size_t)(eq - q) : len;
		if (kl == nl && memcmp(q, name, nl) == 0) {
			struct buf v = BUF_INIT;
			const char *s = eq ? eq + 1 : q + len;
			for (; s < q + len; s++) {
				if (*s == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2])) {
					char hex[3] = { s[1], s[2], 0 };
					buf_putc(&v, (char)strtol(hex, NULL, 16));
					s += 2;
				} else {
					buf_putc(&v, *s == '+' ? ' ' : *s);
				}
			}
			buf_cstr(&v);
			return buf_detach(&v);
		}
		q += len;
		if (*q == '&')
			q++;
	}
	return NULL;
}

char *
oauth_scope_union(const char *a, const char *b)
{
	struct strv v = ARRAY_INIT;
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? b : a;
		while (s && *s) {
			while (*s == ' ')
				s++;
			size_t n = strcspn(s, " ");
			if (n) {
				char *w = xstrndup(s, n);
				if (!strv_has(&v, w))
					strv_add(&v, w);
				free(w);
			}
			s += n;
		}
	}
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < v.n; i++) {
		if (i)
			buf_putc(&out, ' ');
		buf_puts(&out, v.v[i]);
	}
	size_t n = v.n;
	strv_free(&v);
	if (n == 0) {
		buf_fini(&out);
		return NULL;
	}
	return buf_detach(&out);
}

bool
oauth_scope_covers(const char *have, const char *want)
{
	char *u = oauth_scope_union(have, want);
	char *h = oauth_scope_union(have, NULL);
	bool same = (!u && !h) || (u && h && strcmp(u, h) == 0);
	free(u);
	free(h);
	return same;
}
