/* SPDX-License-Identifier: MIT */
/* Unit tests for core/crypto (GNU Nettle), checked against published test
 * vectors (FIPS 180-2, RFC 4231, RFC 4648). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"

static const char abc_hex[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

Test(crypto, sha256_of_abc_is_the_fips_vector)
{
	char hex[2 * CRYPTO_SHA256_BYTES + 1];
	unsigned char md[CRYPTO_SHA256_BYTES];

	cr_assert_eq(crypto_sha256_hex("abc", 3, hex), 0, "%s", err_msg());
	cr_assert_str_eq(hex, abc_hex);
	cr_assert_eq(crypto_sha256("", 0, md), 0);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* FIPS 180-2's vectors, and lengths on each side of a block's padding
 * boundary (bytes i * 7 mod 256, digests from Python's hashlib). */
Test(crypto, sha1_is_the_fips_vector_at_every_padding_boundary)
{
	static const struct {
		size_t n;
		const char *hex;
	} cut[] = {
		{ 55, "aecd1643c9903b9bae8cb94f53c50f8a4e18605b" },
		{ 56, "f5d65c621c02cc8e785159feff8088e3072da1bc" },
		{ 63, "4952f0fe097e4d6410ae9eab4855aa836caf3bff" },
		{ 64, "1e17ae1fc093e5daca033553c97a5192ca164486" },
		{ 119, "b4a4e69060d0b1e7e8ebbf7041a4211c63438b57" },
		{ 120, "b651390c2996406336a3f6647e4b590c18cdd6f8" },
	};
	unsigned char md[CRYPTO_SHA1_BYTES], bytes[128];
	char hex[2 * CRYPTO_SHA1_BYTES + 1];
	static const char q[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	crypto_sha1("abc", 3, md);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	crypto_sha1("", 0, md);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	crypto_sha1(q, strlen(q), md);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)(i * 7);
	for (size_t i = 0; i < sizeof cut / sizeof *cut; i++) {
		crypto_sha1(bytes, cut[i].n, md);
		crypto_hex(md, sizeof md, hex);
		cr_assert_str_eq(hex, cut[i].hex, "length %zu", cut[i].n);
	}
	char *m = malloc(1000000);
	cr_assert_not_null(m);
	memset(m, 'a', 1000000);
	crypto_sha1(m, 1000000, md);
	free(m);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

Test(crypto, sha256_in_pieces_equals_in_one)
{
	struct crypto_sha256 *c;
	unsigned char md[CRYPTO_SHA256_BYTES];
	char hex[2 * CRYPTO_SHA256_BYTES + 1];

	cr_assert_eq(crypto_sha256_begin(&c), 0, "%s", err_msg());
	crypto_sha256_add(c, "a", 1);
	crypto_sha256_add(c, "", 0);
	crypto_sha256_add(c, "bc", 2);
	cr_assert_eq(crypto_sha256_end(c, md), 0);
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, abc_hex);
}

/* RFC 4231, test case 2. */
Test(crypto, hmac_sha256_is_the_rfc_4231_vector)
{
	static const char msg[] = "what do ya want for nothing?";
	unsigned char md[CRYPTO_SHA256_BYTES];
	char hex[2 * CRYPTO_SHA256_BYTES + 1];

	cr_assert_eq(crypto_hmac_sha256("Jefe", 4, msg, strlen(msg), md), 0, "%s", err_msg());
	crypto_hex(md, sizeof md, hex);
	cr_assert_str_eq(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

Test(crypto, base64_decode_counts_the_bytes_and_refuses_bad_text)
{
	unsigned char out[16];

	cr_assert_eq(crypto_base64_decode(out, "Zm9vYmFy", 8), 6, "%s", err_msg());
	cr_assert_eq(memcmp(out, "foobar", 6), 0);
	/* the bytes decoded, not the padding (RFC 4648 section 10) */
	cr_assert_eq(crypto_base64_decode(out, "Zm8=", 4), 2);
	cr_assert_eq(memcmp(out, "fo", 2), 0);
	cr_assert_eq(crypto_base64_decode(out, "Zg==", 4), 1);
	cr_assert_eq(out[0], 'f');
	/* not NUL-terminated at len: only len characters are read */
	cr_assert_eq(crypto_base64_decode(out, "Zm9vYmFy!!!", 8), 6);
	cr_assert_eq(crypto_base64_decode(out, "", 0), 0);
	cr_assert_lt(crypto_base64_decode(out, "Zm9", 3), 0);
	cr_assert(strstr(err_msg(), "not a multiple of 4"), "%s", err_msg());
	cr_assert_lt(crypto_base64_decode(out, "Z!9v", 4), 0);
	cr_assert(strstr(err_msg(), "not valid base64"), "%s", err_msg());
	/* white space, which the library would skip, and padding in the middle */
	cr_assert_lt(crypto_base64_decode(out, "Zm 9", 4), 0);
	cr_assert_lt(crypto_base64_decode(out, "Zg==Zm9v", 8), 0);
}

Test(crypto, equal_and_cleanse)
{
	char a[] = "0123456789abcdef", b[] = "0123456789abcdef";

	cr_assert(crypto_equal(a, b, sizeof a));
	b[15] = 'e';
	cr_assert_not(crypto_equal(a, b, sizeof a));
	cr_assert(crypto_equal(a, b, 15), "only the first 15 bytes compared");
	crypto_cleanse(a, sizeof a);
	for (size_t i = 0; i < sizeof a; i++)
		cr_assert_eq(a[i], 0);
}
