/* Unit tests for loader/common/modplace.c: where the loader puts boot module 0 (host=lguest). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/modplace.h"

#define MiB 0x100000u

/* A SeaBIOS-like map: 128 MiB, split in two adjacent RAM entries at 2 MiB. */
static const struct pvboot_mmap_entry pc[] = {
	{ 0, 0x9fc00, E820_RAM, 0 },
	{ 0x9fc00, 0x400, E820_RESERVED, 0 },
	{ 0xf0000, 0x10000, E820_RESERVED, 0 },
	{ MiB, MiB, E820_RAM, 0 },
	{ 2 * MiB, 126 * MiB, E820_RAM, 0 },
	{ 0xfffc0000, 0x40000, E820_RESERVED, 0 },
};
#define NPC 6

/* The kernel as built: 0x100000-0x1ab998, the loader below 0x70000. */
static const struct mod_range kern[] = { { 0x100000, 0x1ab998 }, { 0, 0x70000 } };

static void right_after_the_kernel(void **s)
{
	assert_int_equal(mod_place_choose(pc, NPC, kern, 2, 0x1ab998, MOD_PLACE_LIMIT, 680428),
			 0x1ac000);
}

static void never_low_memory(void **s)
{
	/* from = 0 and nothing to avoid: still not below 1 MiB. */
	assert_int_equal(mod_place_choose(pc, NPC, NULL, 0, 0, MOD_PLACE_LIMIT, 0x1000), MiB);
}

static void spans_adjacent_ram_entries(void **s)
{
	assert_int_equal(mod_place_choose(pc, NPC, NULL, 0, MiB + 0x800, MOD_PLACE_LIMIT, 3 * MiB),
			 MiB + 0x1000);
}

static void skips_reserved_hole(void **s)
{
	static const struct pvboot_mmap_entry m[] = {
		{ 0, 0x9f000, E820_RAM, 0 },
		{ MiB, 8 * MiB, E820_RAM, 0 },
		{ 3 * MiB, 0x800, E820_RESERVED, 0 },   /* reserved inside RAM wins */
	};
	assert_int_equal(mod_place_choose(m, 3, NULL, 0, 2 * MiB, MOD_PLACE_LIMIT, 2 * MiB),
			 3 * MiB + 0x1000);
}

static void skips_avoided_ranges(void **s)
{
	static const struct mod_range av[] = {
		{ 0x1ac000, 0x1ad001 },                 /* e.g. the boot info */
		{ 0x1ae000, 0x1af000 },
	};
	assert_int_equal(mod_place_choose(pc, NPC, av, 2, 0x1ab998, MOD_PLACE_LIMIT, 0x1000),
			 0x1af000);
	assert_int_equal(mod_place_choose(pc, NPC, av, 2, 0x1ab998, MOD_PLACE_LIMIT, 0x800),
			 0x1af000);
}

static void next_ram_entry_when_the_first_is_full(void **s)
{
	static const struct pvboot_mmap_entry m[] = {
		{ MiB, MiB, E820_RAM, 0 },
		{ 16 * MiB, 16 * MiB, E820_RAM, 0 },
	};
	static const struct mod_range k[] = { { MiB, MiB + 0xf00000 } };
	assert_int_equal(mod_place_choose(m, 2, k, 1, MiB + 0xf00000, MOD_PLACE_LIMIT, 4 * MiB),
			 16 * MiB);
}

static void no_room(void **s)
{
	assert_int_equal(mod_place_choose(pc, NPC, kern, 2, 0x1ab998, MOD_PLACE_LIMIT, 127 * MiB), 0);
	assert_int_equal(mod_place_choose(pc, NPC, kern, 2, 0x1ab998, MOD_PLACE_LIMIT, 0), 0);
	assert_int_equal(mod_place_choose(pc, 0, NULL, 0, 0, MOD_PLACE_LIMIT, 0x1000), 0);
}

static void respects_the_limit(void **s)
{
	static const struct pvboot_mmap_entry m[] = {
		{ 0xff000000, 0x1000000, E820_RAM, 0 },         /* RAM up to 4 GiB */
		{ 0x100000000ull, 0x40000000, E820_RAM, 0 },    /* and above it */
	};
	assert_int_equal(mod_place_choose(m, 2, NULL, 0, 0, MOD_PLACE_LIMIT, 0x800000), 0xff000000);
	assert_int_equal(mod_place_choose(m, 2, NULL, 0, 0, MOD_PLACE_LIMIT, 0xc00001), 0);
	assert_int_equal(mod_place_choose(m, 2, NULL, 0, 0xffb00000, MOD_PLACE_LIMIT, 0x100000),
			 0xffb00000);
	assert_int_equal(mod_place_choose(m, 2, NULL, 0, 0xffb00001, MOD_PLACE_LIMIT, 0x100000), 0);
}

static void ignores_non_ram_types(void **s)
{
	static const struct pvboot_mmap_entry m[] = {
		{ MiB, 4 * MiB, E820_ACPI, 0 },
		{ 5 * MiB, 4 * MiB, E820_NVS, 0 },
		{ 9 * MiB, 4 * MiB, E820_RAM, 0 },
	};
	assert_int_equal(mod_place_choose(m, 3, NULL, 0, 0, MOD_PLACE_LIMIT, 4 * MiB), 9 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(right_after_the_kernel),
		cmocka_unit_test(never_low_memory),
		cmocka_unit_test(spans_adjacent_ram_entries),
		cmocka_unit_test(skips_reserved_hole),
		cmocka_unit_test(skips_avoided_ranges),
		cmocka_unit_test(next_ram_entry_when_the_first_is_full),
		cmocka_unit_test(no_room),
		cmocka_unit_test(respects_the_limit),
		cmocka_unit_test(ignores_non_ram_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
