/* Unit tests for lib/efiutil.c: UEFI memory map → E820 (UEFI 2.10 §7.2, ACPI 6.5 Table 15.6), VMI ROM placement, load options (UEFI 2.10 §9.1). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/efiutil.h"

/* Firmware descriptors are often bigger than the struct (OVMF: 48 bytes). */
#define DSZ 48

struct fakemap {
	u8 buf[64 * DSZ];
	size_t size;
};

static void add(struct fakemap *m, u32 type, u64 phys, u64 pages)
{
	struct efi_mdesc d = { .type = type, .phys = phys, .pages = pages };

	memset(m->buf + m->size, 0xee, DSZ);    /* the tail is not ours to read */
	memcpy(m->buf + m->size, &d, sizeof(d));
	m->size += DSZ;
}

static void test_types(void **state)
{
	assert_int_equal(efi_type_to_e820(EFIMEM_CONVENTIONAL), E820_RAM);
	assert_int_equal(efi_type_to_e820(EFIMEM_BS_CODE), E820_RAM);
	assert_int_equal(efi_type_to_e820(EFIMEM_BS_DATA), E820_RAM);
	assert_int_equal(efi_type_to_e820(EFIMEM_LOADER_DATA), E820_RAM);
	assert_int_equal(efi_type_to_e820(EFIMEM_RT_CODE), E820_RESERVED);
	assert_int_equal(efi_type_to_e820(EFIMEM_RT_DATA), E820_RESERVED);
	assert_int_equal(efi_type_to_e820(EFIMEM_ACPI_RECLAIM), E820_ACPI);
	assert_int_equal(efi_type_to_e820(EFIMEM_ACPI_NVS), E820_NVS);
	assert_int_equal(efi_type_to_e820(EFIMEM_UNUSABLE), E820_UNUSABLE);
	assert_int_equal(efi_type_to_e820(EFIMEM_MMIO), E820_RESERVED);
	assert_int_equal(efi_type_to_e820(EFIMEM_PVBOOT_KEEP), E820_RESERVED);
	assert_int_equal(efi_type_to_e820(0x70000001), E820_RESERVED);
}

/* Unsorted input, boot-services memory merging into its RAM neighbours. */
static void test_convert_sorted_merged(void **state)
{
	struct fakemap m = { .size = 0 };
	struct pvboot_mmap_entry e[16];
	u32 dropped, n;

	add(&m, EFIMEM_CONVENTIONAL, 0x100000, 0x600);
	add(&m, EFIMEM_BS_DATA, 0x0, 0x9f);
	add(&m, EFIMEM_ACPI_NVS, 0x800000, 4);
	add(&m, EFIMEM_BS_CODE, 0x800000 - 0x100000, 0x100);
	add(&m, EFIMEM_RT_DATA, 0x804000, 2);
	add(&m, EFIMEM_CONVENTIONAL, 0x806000, 0x10);
	add(&m, EFIMEM_ACPI_RECLAIM, 0x900000, 1);
	add(&m, EFIMEM_CONVENTIONAL, 0x100000000ull, 0x1000);
	n = efi_map_to_e820(m.buf, m.size, DSZ, e, 16, &dropped);
	assert_int_equal(dropped, 0);
	assert_int_equal(n, 7);
	assert_true(e[0].base == 0 && e[0].length == 0x9f000 && e[0].type == E820_RAM);
	assert_true(e[1].base == 0x100000 && e[1].length == 0x700000 && e[1].type == E820_RAM);
	assert_true(e[2].base == 0x800000 && e[2].length == 0x4000 && e[2].type == E820_NVS);
	assert_true(e[3].base == 0x804000 && e[3].type == E820_RESERVED);
	assert_true(e[4].base == 0x806000 && e[4].length == 0x10000 && e[4].type == E820_RAM);
	assert_true(e[5].base == 0x900000 && e[5].type == E820_ACPI);
	assert_true(e[6].base == 0x100000000ull && e[6].type == E820_RAM);
}

/* A descriptor filling a gap joins both neighbours into one entry. */
static void test_convert_bridge(void **state)
{
	struct fakemap m = { .size = 0 };
	struct pvboot_mmap_entry e[4];
	u32 dropped, n;

	add(&m, EFIMEM_CONVENTIONAL, 0x0, 1);
	add(&m, EFIMEM_CONVENTIONAL, 0x2000, 1);
	add(&m, EFIMEM_LOADER_CODE, 0x1000, 1);
	n = efi_map_to_e820(m.buf, m.size, DSZ, e, 4, &dropped);
	assert_int_equal(n, 1);
	assert_true(e[0].base == 0 && e[0].length == 0x3000);
}

/* Too many ranges: the high ones go, the low ones (where the kernel lives) stay. */
static void test_convert_overflow(void **state)
{
	struct fakemap m = { .size = 0 };
	struct pvboot_mmap_entry e[4];
	u32 dropped, n;

	for (int i = 5; i >= 0; i--)
		add(&m, i % 2 ? EFIMEM_RT_DATA : EFIMEM_CONVENTIONAL, (u64)i * 0x1000, 1);
	n = efi_map_to_e820(m.buf, m.size, DSZ, e, 4, &dropped);
	assert_int_equal(n, 4);
	assert_int_equal(dropped, 2);
	for (u32 i = 0; i < 4; i++)
		assert_true(e[i].base == i * 0x1000ull);
}

static void test_convert_bad_input(void **state)
{
	struct fakemap m = { .size = 0 };
	struct pvboot_mmap_entry e[4];
	u32 dropped;

	add(&m, EFIMEM_CONVENTIONAL, 0, 0);                     /* empty */
	add(&m, EFIMEM_CONVENTIONAL, 0x1000, ~0ull);            /* length overflows */
	assert_int_equal(efi_map_to_e820(m.buf, m.size, DSZ, e, 4, &dropped), 0);
	assert_int_equal(efi_map_to_e820(m.buf, m.size, 8, e, 4, &dropped), 0);   /* stride too small */
}

static void test_add_framebuffer(void **state)
{
	struct pvboot_mmap_entry e[3] = { { 0, 0x9f000, E820_RAM, 0 }, { 0x100000, 0x1000000, E820_RAM, 0 } };
	u32 n = 2;

	assert_true(e820_add_if_absent(e, &n, 3, 0xc0000000ull, 0x400000, E820_RESERVED));
	assert_int_equal(n, 3);
	assert_true(e[2].base == 0xc0000000ull && e[2].type == E820_RESERVED);
	assert_true(e820_add_if_absent(e, &n, 3, 0x1000, 0x1000, E820_RESERVED));  /* covered: no-op */
	assert_int_equal(n, 3);
	assert_false(e820_add_if_absent(e, &n, 3, 0xd0000000ull, 0x1000, E820_RESERVED));  /* full */
}

/* OVMF: 0xA0000-0xFFFFF is not in the map at all. */
static void test_rom_window_absent(void **state)
{
	struct fakemap m = { .size = 0 };
	struct rom_place p;

	add(&m, EFIMEM_CONVENTIONAL, 0, 0x9f);
	add(&m, EFIMEM_CONVENTIONAL, 0x100000, 0x1000);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 6144, &p), 0);
	assert_int_equal(p.kind, ROM_BELOW_1M);
	assert_int_equal(p.pages, 2);
}

/* Free RAM in the window, but the first part is taken: the first free fit, page aligned. */
static void test_rom_window_free(void **state)
{
	struct fakemap m = { .size = 0 };
	struct rom_place p;

	add(&m, EFIMEM_BS_DATA, 0xc0000, 0x3);
	add(&m, EFIMEM_CONVENTIONAL, 0xc3000, 0x1);
	add(&m, EFIMEM_BS_DATA, 0xc4000, 0x1);
	add(&m, EFIMEM_CONVENTIONAL, 0xc5000, 0x2);      /* two descriptors, one free run */
	add(&m, EFIMEM_CONVENTIONAL, 0xc7000, 0x19);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 8192, &p), 0);
	assert_int_equal(p.kind, ROM_AT_ADDRESS);
	assert_int_equal(p.addr, 0xc5000);
	assert_int_equal(p.addr % 2048, 0);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 4096, &p), 0);
	assert_int_equal(p.addr, 0xc3000);
}

/* Free RAM that runs past 0xE0000 does not count past it. */
static void test_rom_window_edge(void **state)
{
	struct fakemap m = { .size = 0 };
	struct rom_place p;

	add(&m, EFIMEM_RT_DATA, 0xc0000, 0x1f);
	add(&m, EFIMEM_CONVENTIONAL, 0xdf000, 0x10);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 4096, &p), 0);
	assert_true(p.kind == ROM_AT_ADDRESS && p.addr == 0xdf000);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 8192, &p), 0);
	assert_int_equal(p.kind, ROM_BELOW_1M);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 0, &p), -1);
	assert_int_equal(rom_place_choose(m.buf, m.size, DSZ, 0x20001, &p), -1);
}

static int opts(const char *s, char *out, size_t outsz)
{
	u16 w[256];
	size_t n = strlen(s);
	char why[120];

	for (size_t i = 0; i <= n; i++)
		w[i] = (u8)s[i];
	return efi_load_options(w, (u32)(n + 1) * 2, out, outsz, why, sizeof(why));
}

static void test_load_options_shell(void **state)
{
	char out[64];

	assert_int_equal(opts("BOOTX64.EFI pv=native smp=2", out, sizeof(out)), 15);
	assert_string_equal(out, "pv=native smp=2");
	assert_int_equal(opts("fs0:\\EFI\\pvboot\\bootia32.efi  test\tsmp=1 ", out, sizeof(out)), 11);
	assert_string_equal(out, "test smp=1 ");
	assert_int_equal(opts("\\EFI\\BOOT\\BOOTX64.EFI", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* A boot entry's optional data, no program name. */
static void test_load_options_plain(void **state)
{
	char out[64];

	assert_int_equal(opts("pv=vmi test", out, sizeof(out)), 11);
	assert_string_equal(out, "pv=vmi test");
	assert_int_equal(opts("", out, sizeof(out)), 0);
}

static void test_load_options_binary(void **state)
{
	u16 bin[4] = { 0x0001, 0x4142, 0x0000, 0x0000 };
	char out[64], why[120];

	assert_int_equal(efi_load_options(bin, sizeof(bin), out, sizeof(out), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "non-text"));
	assert_int_equal(efi_load_options(NULL, 0, out, sizeof(out), why, sizeof(why)), 0);
	assert_int_equal(efi_load_options(bin, 1, out, sizeof(out), why, sizeof(why)), 0);
	assert_int_equal(opts("x23456789", out, 8), -1);         /* does not fit */
}

/* Without a terminating NUL the byte count is the limit. */
static void test_load_options_unterminated(void **state)
{
	u16 w[3] = { 'a', '=', '1' };
	char out[16], why[120];

	assert_int_equal(efi_load_options(w, sizeof(w), out, sizeof(out), why, sizeof(why)), 3);
	assert_string_equal(out, "a=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_convert_sorted_merged),
		cmocka_unit_test(test_convert_bridge),
		cmocka_unit_test(test_convert_overflow),
		cmocka_unit_test(test_convert_bad_input),
		cmocka_unit_test(test_add_framebuffer),
		cmocka_unit_test(test_rom_window_absent),
		cmocka_unit_test(test_rom_window_free),
		cmocka_unit_test(test_rom_window_edge),
		cmocka_unit_test(test_load_options_shell),
		cmocka_unit_test(test_load_options_plain),
		cmocka_unit_test(test_load_options_binary),
		cmocka_unit_test(test_load_options_unterminated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
