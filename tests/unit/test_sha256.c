/* Unit tests for lib/sha256.c: FIPS 180-4 example vectors, padding boundaries, and any split of the input giving the same digest. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/sha256.h"

static void check_hex(const void *data, size_t n, const char *want)
{
	u8 d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];

	sha256(data, n, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, want);
}

/* The examples published with FIPS 180 (NIST CSRC "SHA256.pdf", "SHA256_2.pdf"). */
static void test_fips_examples(void **state)
{
	check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu", 112,
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

/* One million 'a', fed in uneven pieces. */
static void test_million_a(void **state)
{
	static u8 a[1000];
	struct sha256_ctx c;
	u8 d[SHA256_LEN];
	char hex[SHA256_HEX_LEN];
	size_t done = 0, step = 1;

	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	while (done < 1000000) {
		size_t n = step < 1000000 - done ? step : 1000000 - done;

		sha256_update(&c, a, n);
		done += n;
		step = step % 987 + 13;    /* 13..999 bytes */
	}
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/*
 * Lengths around the padding edges (55 fits the length in one block, 56
 * needs a second); digests from an independent implementation (Python's
 * hashlib) over bytes i*7+3.
 */
static void test_padding_edges(void **state)
{
	static const struct { size_t n; const char *hex; } v[] = {
		{ 55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b" },
		{ 56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27" },
		{ 57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73" },
		{ 63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055" },
		{ 64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241" },
		{ 65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e" },
		{ 119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e" },
		{ 120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5" },
		{ 128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6" },
		{ 1000, "1e9bc38cbf860b9ec31918b065f9b52476c549a782e0e7990bed8ce3868d2371" },
	};
	u8 buf[1000];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		check_hex(buf, v[i].n, v[i].hex);
}

/* Every two-piece split of 200 bytes gives the one-shot digest. */
static void test_splits(void **state)
{
	u8 buf[200], whole[SHA256_LEN], part[SHA256_LEN];
	struct sha256_ctx c;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)(i * 131 + 17);
	sha256(buf, sizeof(buf), whole);
	for (size_t cut = 0; cut <= sizeof(buf); cut++) {
		sha256_init(&c);
		sha256_update(&c, buf, cut);
		sha256_update(&c, NULL, 0);
		sha256_update(&c, buf + cut, sizeof(buf) - cut);
		sha256_final(&c, part);
		assert_memory_equal(part, whole, SHA256_LEN);
	}
}

/* One flipped bit anywhere changes the digest. */
static void test_bit_flip(void **state)
{
	u8 buf[100], a[SHA256_LEN], b[SHA256_LEN];

	memset(buf, 0x5a, sizeof(buf));
	sha256(buf, sizeof(buf), a);
	for (size_t i = 0; i < sizeof(buf) * 8; i++) {
		buf[i / 8] ^= (u8)(1u << (i % 8));
		sha256(buf, sizeof(buf), b);
		buf[i / 8] ^= (u8)(1u << (i % 8));
		assert_memory_not_equal(a, b, SHA256_LEN);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fips_examples),
		cmocka_unit_test(test_million_a),
		cmocka_unit_test(test_padding_edges),
		cmocka_unit_test(test_splits),
		cmocka_unit_test(test_bit_flip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
