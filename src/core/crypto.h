/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_CRYPTO_H
#define DH_CORE_CRYPTO_H

/*
 * SHA-1, SHA-256, HMAC-SHA256 and base64 decoding from GNU Nettle
 * (Debian's libnettle8, linked: 0.3 MB, and loaded with libcurl anyway,
 * through GnuTLS). Linked rather than loaded when first used: the audit
 * log's HMAC and a shadow repository's name are needed before the first
 * model request, while libcurl is still being loaded on a thread, and a
 * dlopen() then waits for that load on glibc's loader lock. The one place
 * that includes Nettle's headers. Any thread.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CRYPTO_SHA256_BYTES 32

/* SHA-256 (FIPS 180-4) of n bytes into md. Returns 0 (it cannot fail;
 * the int is for callers written when it could). */
int crypto_sha256(const void *data, size_t n, unsigned char md[CRYPTO_SHA256_BYTES])
	DH_MUST_CHECK;
/* The same as 64 lowercase hex digits and a NUL. Returns 0. */
int crypto_sha256_hex(const void *data, size_t n, char hex[2 * CRYPTO_SHA256_BYTES + 1])
	DH_MUST_CHECK;

/* SHA-256 of several pieces: crypto_sha256_begin() (returns 0; *out is
 * the caller's until crypto_sha256_end()), crypto_sha256_add() each piece
 * in order, crypto_sha256_end() for the digest, which frees the context
 * (returns 0). */
struct crypto_sha256;
int crypto_sha256_begin(struct crypto_sha256 **out) DH_MUST_CHECK;
void crypto_sha256_add(struct crypto_sha256 *c, const void *data, size_t n);
int crypto_sha256_end(struct crypto_sha256 *c, unsigned char md[CRYPTO_SHA256_BYTES])
	DH_MUST_CHECK;

/* HMAC-SHA256 (RFC 2104, RFC 4231's vectors) of n bytes under a key of
 * keylen bytes. Returns 0. */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                       unsigned char md[CRYPTO_SHA256_BYTES]) DH_MUST_CHECK;

/* Decode len characters of standard base64 (RFC 4648: padded, len a
 * multiple of 4, no white space; b64 need not be NUL-terminated) into out,
 * which has room for len / 4 * 3 bytes. Returns the bytes decoded (the
 * padding's not counted: "Zm8=" is 2), or DH_EFAIL, err_msg() saying
 * why, when the text is not that. */
int crypto_base64_decode(unsigned char *out, const char *b64, size_t len) DH_MUST_CHECK;

#define CRYPTO_SHA1_BYTES 20

/* SHA-1 (FIPS 180-4) of n bytes into md: a shadow repository's directory
 * is the object id of its folder's path, needed before libgit2 is loaded
 * (snap/snap.h). Not for anything that needs collision resistance. */
void crypto_sha1(const void *data, size_t n, unsigned char md[CRYPTO_SHA1_BYTES]);

/* n bytes as 2n lowercase hex digits and a NUL, into out. No library needed. */
void crypto_hex(const void *p, size_t n, char *out);

/* Whether n bytes at a and b are equal, in a time that does not depend on
 * where they differ (for MACs). No library needed. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Zero n bytes of a secret in a way the compiler does not drop. */
void crypto_cleanse(void *p, size_t n);

#endif
