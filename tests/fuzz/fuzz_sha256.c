/* libFuzzer target: lib/sha256.c over any input and any way of cutting it into update() calls. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The first byte picks the piece lengths (1..256, stepping through the
 * input itself), so every chunking the fuzzer finds is compared with the
 * one-shot digest of the rest.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 whole[SHA256_LEN], pieces[SHA256_LEN];
	char hex[SHA256_HEX_LEN];
	struct sha256_ctx c;
	size_t off = 0, k;

	if (!size)
		return 0;
	k = data[0];
	data++, size--;
	sha256(data, size, whole);
	sha256_init(&c);
	while (off < size) {
		size_t n = (k + data[off]) % 256 + 1;

		if (n > size - off)
			n = size - off;
		sha256_update(&c, data + off, n);
		off += n;
	}
	sha256_final(&c, pieces);
	if (memcmp(whole, pieces, SHA256_LEN))
		abort();
	sha256_hex(whole, hex);
	if (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64)
		abort();
	return 0;
}
