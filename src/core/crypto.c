/* SPDX-License-Identifier: MIT */
/*
 * Hashes, HMAC and base64 from GNU Nettle (core/crypto.h).
 */
#include "core/crypto.h"

#include <ctype.h>
#include <limits.h>
#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <string.h>

#include "core/xalloc.h"

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
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, n, data);
	sha256_digest(&c, CRYPTO_SHA256_BYTES, md);
	return 0;
}

void
crypto_sha1(const void *data, size_t n, unsigned char md[CRYPTO_SHA1_BYTES])
{
	struct sha1_ctx c;

	sha1_init(&c);
	sha1_update(&c, n, data);
	sha1_digest(&c, CRYPTO_SHA1_BYTES, md);
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

struct crypto_sha256 {
	struct sha256_ctx c;
};

int
crypto_sha256_begin(struct crypto_sha256 **out)
{
	struct crypto_sha256 *c = xmalloc(sizeof *c);

	sha256_init(&c->c);
	*out = c;
	return 0;
}

void
crypto_sha256_add(struct crypto_sha256 *c, const void *data, size_t n)
{
	sha256_update(&c->c, n, data);
}

int
crypto_sha256_end(struct crypto_sha256 *c, unsigned char md[CRYPTO_SHA256_BYTES])
{
	sha256_digest(&c->c, CRYPTO_SHA256_BYTES, md);
	free(c);
	return 0;
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t n,
                   unsigned char md[CRYPTO_SHA256_BYTES])
{
	struct hmac_sha256_ctx c;

	hmac_sha256_set_key(&c, keylen, key);
	hmac_sha256_update(&c, n, msg);
	hmac_sha256_digest(&c, CRYPTO_SHA256_BYTES, md);
	crypto_cleanse(&c, sizeof c); /* holds the key's pads */
	return 0;
}

int
crypto_base64_decode(unsigned char *out, const char *b64, size_t len)
{
	struct base64_decode_ctx c;
	size_t got = 0;

	if (len % 4)
		return err_set("base64: %zu characters, not a multiple of 4", len);
	/* nettle skips white space; this decoder's callers send none, and
	 * text with any is not what they meant. */
	if (len > INT_MAX)
		return err_set("base64: not valid base64 text");
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)b64[i]))
			return err_set("base64: not valid base64 text");
	base64_decode_init(&c);
	if (!base64_decode_update(&c, &got, out, len, b64) || !base64_decode_final(&c))
		return err_set("base64: not valid base64 text");
	return (int)got;
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
