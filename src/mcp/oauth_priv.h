/* SPDX-License-Identifier: MIT */
#ifndef DH_MCP_OAUTH_PRIV_H
#define DH_MCP_OAUTH_PRIV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "mcp/oauth.h"

/* Helpers shared by oauth.c and oauth_util.c (not part of the contract). */

/* base64url without padding (RFC 4648 §5) of n bytes, appended. */
void oauth_b64url(struct buf *out, const void *data, size_t n);
/* Lowercase hex SHA-256 of n bytes into out (64 digits and a NUL). 0 or DH_EFAIL. */
int oauth_sha256_hex(char out[65], const void *data, size_t n) DH_MUST_CHECK;
/* base64url of `nbytes` bytes from getrandom(2) (at most 64), appended. 0 or DH_EFAIL. */
int oauth_random(struct buf *out, size_t nbytes) DH_MUST_CHECK;
/* key=value in application/x-www-form-urlencoded form, '&'-separated; val NULL adds nothing. */
void oauth_form_add(struct buf *b, const char *key, const char *val);
/* The decoded value of query parameter `name` of `url`, heap, or NULL. */
char *oauth_query_param(const char *url, const char *name);
/* Space-separated scope union of a and b (either NULL), first-seen order, heap; NULL if empty. */
char *oauth_scope_union(const char *a, const char *b);
/* Every scope of `want` is in `have`. */
bool oauth_scope_covers(const char *have, const char *want);

#endif
