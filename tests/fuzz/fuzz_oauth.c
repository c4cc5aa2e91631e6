/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: what MCP's OAuth client (mcp/oauth.h) makes of text a server
 * or a browser hands it: a WWW-Authenticate challenge, a redirect URL's
 * query, the PRM `resource` against our URL, and the well-known URLs built
 * from an issuer. The input is split at its first NUL (header, URL).
 * Properties: nothing crashes or leaks; a parameter found is no longer than
 * its input; every well-known URL starts
 * with the issuer's origin.
 */
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "core/xalloc.h"
#include "fuzz.h"
#include "mcp/oauth.h"
#include "mcp/oauth_priv.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	size_t hl = strlen(text);
	const char *url = hl < size ? text + hl + 1 : text;

	static const char *const names[] = { "scope", "error", "resource_metadata", "realm" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char *v = mcp_auth_www_param(text, names[i]);
		FUZZ_CHECK(!v || strlen(v) <= hl, "a challenge parameter fits its header");
		free(v);
		v = oauth_query_param(url, names[i]);
		FUZZ_CHECK(!v || strlen(v) <= strlen(url), "a query parameter fits its URL");
		free(v);
	}
	struct strv v = ARRAY_INIT;
	if (mcp_auth_as_urls(&v, url) == 0) {
		size_t ol = strstr(url, "://") ? (size_t)(strstr(url, "://") - url) + 3 : 0;
		for (size_t i = 0; i < v.n; i++)
			FUZZ_CHECK(strncmp(v.v[i], url, ol) == 0, "well-known URLs keep the scheme");
	}
	strv_free(&v);
	if (mcp_auth_prm_urls(&v, url, text) == 0)
		FUZZ_CHECK(v.n >= 1, "at least the root PRM URL");
	strv_free(&v);
	if (!strpbrk(url, "?#") && strstr(url, "://"))
		(void)mcp_auth_resource_ok(url, url);
	char *u = oauth_scope_union(text, url);
	free(u);
	free(text);
	return 0;
}
