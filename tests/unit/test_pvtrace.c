/* Unit tests for the pvtrace table builder and never-called count (lib/pvtrace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pvboot/pvtrace.h"

#define N 12

static void build_routes_only_present_ops(void **state)
{
	u32 real[N] = { 1, 2, 3, 4, 0x100, 0, 0x300, 0x400, 0, 0x600, 0x700, 0x800 };
	u32 thunks[N], out[N];

	for (u32 i = 0; i < N; i++)
		thunks[i] = 0xf000 + i;
	assert_int_equal(pvtrace_build(out, real, thunks, 4, N), 6);
	for (u32 i = 0; i < 4; i++)
		assert_int_equal(out[i], real[i]);      /* data slots untouched */
	assert_int_equal(out[4], 0xf004);
	assert_int_equal(out[5], 0);                    /* empty stays empty */
	assert_int_equal(out[8], 0);
	assert_int_equal(out[11], 0xf00b);
}

static void build_all_empty(void **state)
{
	u32 real[N] = { 0 }, thunks[N] = { 0 }, out[N];

	assert_int_equal(pvtrace_build(out, real, thunks, 4, N), 0);
	for (u32 i = 0; i < N; i++)
		assert_int_equal(out[i], 0);
}

static void uncalled_counts_and_lists(void **state)
{
	u32 real[N] = { 1, 1, 1, 1, 5, 5, 0, 5, 5, 5, 5, 5 };
	u32 counts[N] = { 0, 0, 0, 0, 3, 0, 0, 1, 0, 9, 0, 2 };
	u32 list[N];

	/* slots 5, 8, 10 never called; 6 is empty; 0-3 are data */
	assert_int_equal(pvtrace_uncalled(counts, real, NULL, 4, N, list, N), 3);
	assert_int_equal(list[0], 5);
	assert_int_equal(list[1], 8);
	assert_int_equal(list[2], 10);
}

static void uncalled_respects_exempt_and_max(void **state)
{
	u32 real[N] = { 1, 1, 1, 1, 5, 5, 5, 5, 5, 5, 5, 5 };
	u32 counts[N] = { 0 };
	u8 exempt[N] = { 0 };
	u32 list[2];

	exempt[6] = exempt[7] = 1;
	/* 8 ops, 2 exempt: 6 uncalled, only 2 listed */
	assert_int_equal(pvtrace_uncalled(counts, real, exempt, 4, N, list, 2), 6);
	assert_int_equal(list[0], 4);
	assert_int_equal(list[1], 5);
	assert_int_equal(pvtrace_uncalled(counts, real, exempt, 4, N, NULL, 0), 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(build_routes_only_present_ops),
		cmocka_unit_test(build_all_empty),
		cmocka_unit_test(uncalled_counts_and_lists),
		cmocka_unit_test(uncalled_respects_exempt_and_max),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
