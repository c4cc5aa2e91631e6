/* SPDX-License-Identifier: MIT */
#ifndef DH_MCP_OAUTH_H
#define DH_MCP_OAUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/*
 * OAuth 2.1 for Streamable HTTP servers, as MCP's authorization spec asks
 * (2025-11-25 and 2026-07-28 "Authorization"): Protected Resource Metadata
 * (RFC 9728) from WWW-Authenticate's resource_metadata or the well-known
 * paths, authorization server metadata (RFC 8414, then OIDC discovery),
 * client identity by Client ID Metadata Document, pre-registration or
 * dynamic registration (RFC 7591) as fallback, PKCE S256, the `resource`
 * parameter (RFC 8707), `iss` checks (RFC 9207), scope selection and
 * step-up on 403 insufficient_scope, refresh tokens. Tokens are stored per
 * issuer under $XDG_STATE_HOME/deskhand/oauth/ (mode 0600), never logged.
 *
 * Used only by the HTTP transport (mcp_http.c): it asks for the header to
 * send, and hands over 401/403 challenges; the flow runs asynchronously on
 * the loop and ends with done(0) (retry the request) or done(<0).
 */

struct ev_loop;
struct http_client;
struct mcp_auth;

struct mcp_auth_spec {
	const char *resource;       /* the MCP endpoint URL (canonical resource URI) */
	const char *state_dir;      /* where tokens live; NULL = $XDG_STATE_HOME/deskhand/oauth */
	const char *client_id;      /* pre-registered client, or NULL */
	const char *client_secret;  /* with client_id, or NULL */
	const char *client_metadata_url; /* our Client ID Metadata Document URL, or NULL */
	const char *scope;          /* configured scope, or NULL (from the challenge/metadata) */
	const char *redirect_uri;   /* NULL: http://127.0.0.1:PORT/callback on a loopback listener */
	/* The person (or the conformance harness) must visit `url`. */
	void (*authorize)(const char *url, void *ctx);
	void *ctx;
};

typedef void mcp_auth_done_fn(int rc, const char *error, void *ctx);

int mcp_auth_new(struct mcp_auth **out, struct ev_loop *l, struct http_client *http,
                 const struct mcp_auth_spec *spec) DH_MUST_CHECK;
void mcp_auth_free(struct mcp_auth *a);
/* "Authorization: Bearer …" for the next request (borrowed until the next
 * mcp_auth_* call), or NULL when no token is held. */
const char *mcp_auth_header(struct mcp_auth *a);
/* A 401 or 403 arrived with this WWW-Authenticate value (NULL if none):
 * refresh, discover, register, authorize or step up as needed. done runs
 * once, later. Returns 0, or DH_EFAIL when nothing can be done (a second
 * step-up for the same scope, no metadata): err_msg says why. */
int mcp_auth_challenge(struct mcp_auth *a, long status, const char *www_authenticate,
                       mcp_auth_done_fn *done, void *ctx) DH_MUST_CHECK;
/* The authorization redirect (the full URL with code, state, iss). */
int mcp_auth_redirect(struct mcp_auth *a, const char *redirect_url) DH_MUST_CHECK;
/* Forget the stored tokens of this resource (deskhand mcp logout). */
int mcp_auth_logout(struct mcp_auth *a) DH_MUST_CHECK;

#endif
