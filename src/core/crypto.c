/* SPDX-License-Identifier: MIT */
/*
 * libcrypto through the loader (core/crypto.h).
 */
#include "core/crypto.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

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

static uint32_t
rol32(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* One 64-byte block into the state h[5]. */
static void
sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 80; i++)
		w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (int i = 0; i < 80; i++) {
		uint32_t f, k;

		if (i < 20)
			f = (b & c) | (~b & d), k = 0x5a827999;
		else if (i < 40)
			f = b ^ c ^ d, k = 0x6ed9eba1;
		else if (i < 60)
			f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
		else
			f = b ^ c ^ d, k = 0xca62c1d6;
		uint32_t t = rol32(a, 5) + f + e + k + w[i];
		e = d, d = c, c = rol32(b, 30), b = a, a = t;
	}
	h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

void
crypto_sha1(const void *data, size_t n, unsigned char md[CRYPTO_SHA1_BYTES])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0 };
	const unsigned char *p = data;
	unsigned char tail[128] = { 0 };
	size_t full = n / 64 * 64, rest = n - full, tn = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)n * 8;

	for (size_t i = 0; i < full; i += 64)
		sha1_block(h, p + i);
	if (rest)
		memcpy(tail, p + full, rest);
	tail[rest] = 0x80;
	for (int i = 0; i < 8; i++)
		tail[tn - 1 - i] = (unsigned char)(bits >> (8 * i));
	for (size_t i = 0; i < tn; i += 64)
		sha1_block(h, tail + i);
	for (int i = 0; i < 5; i++) {
		md[4 * i] = (unsigned char)(h[i] >> 24);
		md[4 * i + 1] = (unsigned char)(h[i] >> 16);
		md[4 * i + 2] = (unsigned char)(h[i] >> 8);
		md[4 * i + 3] = (unsigned char)h[i];
	}
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
