/* libFuzzer target: MADT parsing (raw and with a fixed-up header), RSDP search and the RSDP->XSDT/RSDT->MADT chain (ACPI 6.x §5.2). */
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

/* A valid RSDP (v1 or v2) -> RSDT and XSDT -> the fuzzed MADT at 0x300000. */
static void chain(uint8_t *madt, size_t size)
{
	static uint8_t rsdp[36], rsdt[40], xsdt[44], bda[2] = { 0x00, 0x9f };
	struct regions rs = { .n = 0 };
	uint64_t x = 0x200000;

	memcpy(rsdp, "RSD PTR ", 8);
	rsdp[15] = size & 1 ? 2 : 0;    /* v1 or v2 by the input */
	put_le32(rsdp + 16, 0x100000);
	put_le32(rsdp + 20, 36);
	memcpy(rsdp + 24, &x, 8);
	fix_checksum(rsdp, 20, 8);
	fix_checksum(rsdp, 36, 32);
	memcpy(rsdt, "RSDT", 4);
	put_le32(rsdt + 4, sizeof(rsdt));
	put_le32(rsdt + 36, 0x300000);
	fix_checksum(rsdt, sizeof(rsdt), 9);
	memcpy(xsdt, "XSDT", 4);
	put_le32(xsdt + 4, sizeof(xsdt));
	x = 0x300000;
	memcpy(xsdt + 36, &x, 8);
	fix_checksum(xsdt, sizeof(xsdt), 9);
	/* In the EBDA (segment 0x9f00 at 0x40e): found without a long scan. */
	regions_add(&rs, 0x40e, bda, sizeof(bda));
	regions_add(&rs, 0x9f000, rsdp, sizeof(rsdp));
	regions_add(&rs, 0x100000, rsdt, sizeof(rsdt));
	regions_add(&rs, 0x200000, xsdt, sizeof(xsdt));
	regions_add(&rs, 0x300000, madt, size);
	u64 r = acpi_find_rsdp(regions_read, &rs, fuzz_warn, NULL);
	if (r != 0x9f000)
		abort();
	check(acpi_parse_madt_from_rsdp(r, regions_read, &rs, &cfg, fuzz_warn,
					NULL));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tiled t = { data, size };

	check(madt_parse(data, size, &cfg, fuzz_warn, NULL));

	/* The same bytes with signature, length and checksum made right. */
	if (size >= 44 && size <= ACPI_TABLE_MAX) {
		uint8_t *m = malloc(size);

		memcpy(m, data, size);
		memcpy(m, "APIC", 4);
		put_le32(m + 4, (uint32_t)size);
		fix_checksum(m, size, 9);
		check(madt_parse(m, size, &cfg, fuzz_warn, NULL));
		chain(m, size);
		free(m);
	}

	/* The bytes as all of memory: search and follow whatever is found. */
	u64 r = acpi_find_rsdp(tiled_read, &t, fuzz_warn, NULL);
	if (r)
		check(acpi_parse_madt_from_rsdp(r, tiled_read, &t, &cfg,
						fuzz_warn, NULL));
	if (size >= 4) {
		uint32_t at;

		memcpy(&at, data, 4);
		check(acpi_parse_madt_from_rsdp(at, tiled_read, &t, &cfg,
						fuzz_warn, NULL));
	}
	return 0;
}
