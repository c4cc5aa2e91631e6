/* SPDX-License-Identifier: MIT */
#ifndef DH_CORE_CRYPTO_H
#define DH_CORE_CRYPTO_H

/*
 * SHA-256, HMAC-SHA256 and base64 decoding from libcrypto (OpenSSL), which
 * is loaded the first time one of them is called (core/dl.h), not linked: a
 * launch does not map and relocate it before main(). The one place that
 * includes OpenSSL's headers. Each function that needs the library returns
 * DH_EFAIL when it cannot be loaded, err_msg() naming libcrypto.so.3 and its
 * Debian package. Any thread.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CRYPTO_SHA256_BYTES 32

/* SHA-256 of n bytes into md. 0 or DH_EFAIL. */
int crypto_sha256(const void *data, size_t n, unsigned char md[CRYPTO_SHA256_BYTES])
	DH_MUST_CHECK;
/* The same as 64 lowercase hex digits and a NUL. 0 or DH_EFAIL. */
int crypto_sha256_hex(const void *data, size_t n, char hex[2 * CRYPTO_SHA256_BYTES + 1])
	DH_MUST_CHECK;

/* SHA-256 of several pieces: crypto_sha256_begin() (0 or DH_EFAIL, *out
 * NULL then), crypto_sha256_add() each piece in order, crypto_sha256_end()
 * for the digest, which frees the context (0 or DH_EFAIL). */
struct crypto_sha256;
int crypto_sha256_begin(struct crypto_sha256 **out) DH_MUST_CHECK;
void crypto_sha256_add(struct crypto_sha256 *c, const void *data, size_t n);
int crypto_sha256_end(struct crypto_sha256 *c, unsigned char md[CRYPTO_SHA256_BYTES])
	DH_MUST_CHECK;

/* HMAC-SHA256 (RFC 2104) of n bytes under a key of keylen bytes. 0 or
 * DH_EFAIL. */
int crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                       unsigned char md[CRYPTO_SHA256_BYTES]) DH_MUST_CHECK;

/* Decode len characters of standard base64 (padded; len a multiple of 4, no
 * white space) into out, which has room for len / 4 * 3 bytes. Returns the
 * bytes written (padding's included, as EVP_DecodeBlock counts them), or
 * DH_EFAIL when the text is not base64 or the library cannot be loaded. */
int crypto_base64_decode(unsigned char *out, const char *b64, size_t len) DH_MUST_CHECK;

#define CRYPTO_SHA1_BYTES 20

/* SHA-1 (FIPS 180-4) of n bytes into md, by libmd (linked: a shadow
 * repository's directory is the object id of its folder's path, needed
 * before the first model request and before libgit2 is loaded, and a
 * dlopen() then would wait for libcurl's on glibc's loader lock; libmd is
 * 47 KB). git names objects by it (snap/snap.h). Not for anything that
 * needs collision resistance. */
void crypto_sha1(const void *data, size_t n, unsigned char md[CRYPTO_SHA1_BYTES]);

/* n bytes as 2n lowercase hex digits and a NUL, into out. No library needed. */
void crypto_hex(const void *p, size_t n, char *out);

/* Whether n bytes at a and b are equal, in a time that does not depend on
 * where they differ (for MACs). No library needed. */
bool crypto_equal(const void *a, const void *b, size_t n);

/* Zero n bytes of a secret in a way the compiler does not drop. */
void crypto_cleanse(void *p, size_t n);

#endif
