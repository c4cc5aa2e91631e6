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
	const char *name;           /* the connector's name, for messages; NULL: none */
	const char *state_dir;      /* where tokens live; NULL = $XDG_STATE_HOME/deskhand/oauth */
	const char *client_id;      /* pre-registered client, or NULL */
	const char *client_secret;  /* with client_id, or NULL */
	const char *client_metadata_url; /* our Client ID Metadata Document URL, or NULL */
	const char *scope;          /* configured scope, or NULL (from the challenge/metadata) */
	const char *redirect_uri;   /* NULL: http://127.0.0.1:PORT/callback on a loopback listener */
	/* The person (or the conformance harness) must visit `url`. NULL and
	 * !fetch_authorize: a challenge that needs the person fails with
	 * "authorization needed" (the host offers `deskhand mcp login`). */
	void (*authorize)(const char *url, void *ctx);
	void *ctx;
	/* Conformance harness only: GET the authorization URL ourselves,
	 * without following redirects, and take its Location as the redirect
	 * (as the suite's example client does). */
	bool fetch_authorize;
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
/* Drop every pending done of `ctx` (its request went away); the flow goes on. */
void mcp_auth_forget(struct mcp_auth *a, void *ctx);
/* The authorization redirect (the full URL with code, state, iss). */
int mcp_auth_redirect(struct mcp_auth *a, const char *redirect_url) DH_MUST_CHECK;
/* Forget the stored tokens of this resource (deskhand mcp logout), and
 * remove damaged token files (not JSON, no resource or access_token: whose
 * they were cannot be told, and they serve no one). Returns the number of
 * token files removed (0: none was held), or DH_EFAIL naming the file or
 * directory. */
int mcp_auth_logout(struct mcp_auth *a) DH_MUST_CHECK;
/* The loopback listener's redirect URI while a flow waits for the person
 * ("http://127.0.0.1:PORT/callback", borrowed), or NULL. */
const char *mcp_auth_redirect_uri(const struct mcp_auth *a);

/* ---- pieces of the flow, exposed for the unit tests ---------------------- */
struct strv;
/* PKCE S256 (RFC 7636 §4.1-4.2): a 43-character verifier from getrandom(2)
 * and its base64url(SHA-256) challenge, both NUL-terminated. 0 or DH_EFAIL. */
int mcp_auth_pkce(char verifier[44], char challenge[44]) DH_MUST_CHECK;
/* Where to look for Protected Resource Metadata of `resource` (RFC 9728 §3.1,
 * MCP "Protected Resource Metadata Discovery"): the WWW-Authenticate
 * resource_metadata URL if given, then the path-inserted well-known URL,
 * then the root one. Appended to *out. DH_EPARSE if resource is no URL. */
int mcp_auth_prm_urls(struct strv *out, const char *resource,
                      const char *resource_metadata) DH_MUST_CHECK;
/* Where to look for the metadata of `issuer` (RFC 8414 §3.1, OIDC
 * Discovery §4, in MCP's order): with a path, oauth-authorization-server
 * and openid-configuration inserted before it, then openid-configuration
 * appended to it; without one, the two at the root. DH_EPARSE if no URL. */
int mcp_auth_as_urls(struct strv *out, const char *issuer) DH_MUST_CHECK;
/* RFC 9207 §2.4: `iss` from the redirect (NULL if absent) against the
 * issuer recorded from the metadata, by simple string comparison; a
 * missing iss is refused when the metadata advertised
 * authorization_response_iss_parameter_supported. 0 or DH_EDENIED. */
int mcp_auth_check_iss(const char *iss, const char *issuer, bool advertised) DH_MUST_CHECK;
/* Whether the PRM `resource` covers the server URL we connect to (same
 * scheme, host and port; its path a segment prefix of ours). */
bool mcp_auth_resource_ok(const char *prm_resource, const char *server_url);
/* One auth-param of a WWW-Authenticate Bearer challenge (RFC 6750 §3),
 * unquoted, heap; NULL if absent. */
char *mcp_auth_www_param(const char *www_authenticate, const char *name);

#endif
