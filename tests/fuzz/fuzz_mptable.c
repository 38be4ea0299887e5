/* libFuzzer target: MP spec 1.4 configuration table (raw and fixed-up) and floating-pointer search. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct smp_config cfg;

static void check(int rc)
{
	check_smp_config(&cfg, rc);
}

/* A valid floating pointer at 0xf0000 naming the table at 0x100000. */
static void find(uint8_t *tbl, size_t size, uint8_t feature1)
{
	static uint8_t mpf[16];
	struct regions rs = { .n = 0 };

	memset(mpf, 0, sizeof(mpf));
	memcpy(mpf, "_MP_", 4);
	put_le32(mpf + 4, 0x100000);
	mpf[8] = 1;
	mpf[11] = feature1;
	fix_checksum(mpf, 16, 10);
	regions_add(&rs, 0xf0000, mpf, sizeof(mpf));
	regions_add(&rs, 0x100000, tbl, size);
	check(mptable_find_and_parse(regions_read, &rs, &cfg, fuzz_warn, NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tiled t = { data, size };

	check(mptable_parse_config(data, size, &cfg, fuzz_warn, NULL));

	if (size >= 44 && size <= 0xffff) {
		uint8_t *m = malloc(size);

		memcpy(m, data, size);
		memcpy(m, "PCMP", 4);
		m[4] = size & 0xff;
		m[5] = size >> 8;
		fix_checksum(m, size, 7);
		check(mptable_parse_config(m, size, &cfg, fuzz_warn, NULL));
		find(m, size, data[4] < 10 ? data[4] : 0);
		free(m);
	}
	check(mptable_find_and_parse(tiled_read, &t, &cfg, fuzz_warn, NULL));
	return 0;
}
