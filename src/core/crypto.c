/* SPDX-License-Identifier: MIT */
/*
 * libcrypto through the loader (core/crypto.h).
 */
#include "core/crypto.h"

#include <limits.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sha1.h>

#include "core/dl.h"

#define LIBCRYPTO_SYMS(X)                                                            \
	X(EVP_DecodeBlock) X(EVP_Digest) X(EVP_DigestFinal_ex) X(EVP_DigestInit_ex)   \
	X(EVP_DigestUpdate) X(EVP_MD_CTX_free) X(EVP_MD_CTX_new) X(EVP_sha256) X(HMAC)
DL_LIBRARY(ssl, "libcrypto.so.3", "libssl3", LIBCRYPTO_SYMS);

void
crypto_hex(const void *data, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	const unsigned char *p = data;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
crypto_sha256(const void *data, size_t n, unsigned char md[CRYPTO_SHA256_BYTES])
{
	unsigned int mdlen = 0;

	if (dl_load(&ssl_lib) < 0)
		return DH_EFAIL;
	if (!ssl.EVP_Digest(data, n, md, &mdlen, ssl.EVP_sha256(), NULL) ||
	    mdlen != CRYPTO_SHA256_BYTES)
		return err_set("SHA-256 failed (libcrypto)");
	return 0;
}

void
crypto_sha1(const void *data, size_t n, unsigned char md[CRYPTO_SHA1_BYTES])
{
	SHA1_CTX c;

	SHA1Init(&c);
	SHA1Update(&c, data, n);
	SHA1Final(md, &c);
}

int
crypto_sha256_hex(const void *data, size_t n, char hex[2 * CRYPTO_SHA256_BYTES + 1])
{
	unsigned char md[CRYPTO_SHA256_BYTES];

	if (crypto_sha256(data, n, md) < 0)
		return DH_EFAIL;
	crypto_hex(md, sizeof md, hex);
	return 0;
}

int
crypto_sha256_begin(struct crypto_sha256 **out)
{
	EVP_MD_CTX *c;

	*out = NULL;
	if (dl_load(&ssl_lib) < 0)
		return DH_EFAIL;
	if (!(c = ssl.EVP_MD_CTX_new()) || !ssl.EVP_DigestInit_ex(c, ssl.EVP_sha256(), NULL)) {
		ssl.EVP_MD_CTX_free(c);
		return err_set("SHA-256 is not available (libcrypto)");
	}
	*out = (struct crypto_sha256 *)c;
	return 0;
}

void
crypto_sha256_add(struct crypto_sha256 *c, const void *data, size_t n)
{
	ssl.EVP_DigestUpdate((EVP_MD_CTX *)c, data, n);
}

int
crypto_sha256_end(struct crypto_sha256 *c, unsigned char md[CRYPTO_SHA256_BYTES])
{
	unsigned int mdlen = 0;
	int ok = ssl.EVP_DigestFinal_ex((EVP_MD_CTX *)c, md, &mdlen);

	ssl.EVP_MD_CTX_free((EVP_MD_CTX *)c);
	return ok && mdlen == CRYPTO_SHA256_BYTES ? 0 : err_set("SHA-256 failed (libcrypto)");
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                   unsigned char md[CRYPTO_SHA256_BYTES])
{
	unsigned int mdlen = 0;

	if (dl_load(&ssl_lib) < 0)
		return DH_EFAIL;
	if (keylen > INT_MAX ||
	    !ssl.HMAC(ssl.EVP_sha256(), key, (int)keylen, msg, n, md, &mdlen) ||
	    mdlen != CRYPTO_SHA256_BYTES)
		return err_set("HMAC-SHA256 failed (libcrypto)");
	return 0;
}

int
crypto_base64_decode(unsigned char *out, const char *b64, size_t len)
{
	int got;

	if (dl_load(&ssl_lib) < 0)
		return DH_EFAIL;
	if (len == 0)
		return 0;
	if (len % 4 || len > INT_MAX)
		return err_set("base64: %zu characters, not a multiple of 4", len);
	got = ssl.EVP_DecodeBlock(out, (const unsigned char *)b64, (int)len);
	return got < 0 ? err_set("base64: not valid base64 text") : got;
}

bool
crypto_equal(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *p = a, *q = b;
	unsigned char d = 0;

	for (size_t i = 0; i < n; i++)
		d |= p[i] ^ q[i];
	return d == 0;
}

void
crypto_cleanse(void *p, size_t n)
{
	explicit_bzero(p, n);
}
