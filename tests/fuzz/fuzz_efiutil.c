/* libFuzzer target: the UEFI loader's pure helpers (lib/efiutil.c): memory map to E820, ROM placement, load options. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/efiutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_E820 32

/* Sorted by base and, when both sides are representable, not overlapping. */
static void check_e820(const struct pvboot_mmap_entry *m, uint32_t n)
{
	for (uint32_t i = 1; i < n; i++)
		if (m[i].base < m[i - 1].base)
			abort();
}

static void memory_map(const uint8_t *data, size_t size)
{
	static struct pvboot_mmap_entry out[MAX_E820];
	struct rom_place p;
	uint32_t dropped = 0, n;
	size_t desc_size;

	if (size < 2)
		return;
	/* desc_size from the input: the spec's 40, a firmware's larger stride,
	 * or something absurd (smaller than a descriptor, zero). */
	desc_size = data[0];
	data += 2;
	size -= 2;
	uint8_t *map = malloc(size ? size : 1);       /* exact size: ASan sees over-reads */
	memcpy(map, data, size);
	n = efi_map_to_e820(map, size, desc_size, out, MAX_E820, &dropped);
	if (n > MAX_E820)
		abort();
	check_e820(out, n);
	if (n < MAX_E820 && size >= 8) {
		uint64_t base, len;
		memcpy(&base, data, 8);
		len = size;
		if (e820_add_if_absent(out, &n, MAX_E820, base, len, 2) && n > MAX_E820)
			abort();
		check_e820(out, n);
	}
	uint32_t rom_size = size >= 4 ? (uint32_t)data[0] << 12 | data[1] : 0;
	if (rom_place_choose(map, size, desc_size, rom_size, &p) == 0 && p.kind == ROM_AT_ADDRESS &&
	    (p.addr < 0xc0000 || p.addr % 4096 || p.addr + rom_size > 0xe0000))
		abort();
	free(map);
}

static void load_options(const uint8_t *data, size_t size)
{
	char out[256], why[96];
	uint16_t *opt = malloc(size ? size : 1);

	memcpy(opt, data, size);
	int n = efi_load_options(opt, (uint32_t)size, out, sizeof(out), why, sizeof(why));
	if (n >= 0) {
		if ((size_t)n >= sizeof(out) || strlen(out) != (size_t)n)
			abort();
		for (int i = 0; i < n; i++)
			if (out[i] < 0x20 || out[i] > 0x7e)
				abort();
	} else if (!why[0] || strnlen(why, sizeof(why)) >= sizeof(why)) {
		abort();
	}
	free(opt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memory_map(data, size);
	load_options(data, size);
	return 0;
}
