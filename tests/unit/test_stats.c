/* Unit tests for the benchmark's order statistics (lib/stats.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/stats.h"

static int cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;
	return x < y ? -1 : x > y;
}

/* select_kth_u32 agrees with qsort for every k on random, sorted,
 * reversed and constant inputs. */
static void check_all_k(u32 *in, u32 n)
{
	u32 *sorted = malloc(n * sizeof(u32)), *work = malloc(n * sizeof(u32));

	memcpy(sorted, in, n * sizeof(u32));
	qsort(sorted, n, sizeof(u32), cmp);
	for (u32 k = 0; k < n; k++) {
		memcpy(work, in, n * sizeof(u32));
		assert_int_equal(select_kth_u32(work, n, k), sorted[k]);
	}
	free(sorted);
	free(work);
}

static void select_matches_sort(void **state)
{
	u32 a[257];

	srand(7);
	for (u32 n = 1; n <= 257; n += 16) {
		for (u32 i = 0; i < n; i++)
			a[i] = (u32)rand() % 50;        /* many duplicates */
		check_all_k(a, n);
		for (u32 i = 0; i < n; i++)
			a[i] = i;
		check_all_k(a, n);
		for (u32 i = 0; i < n; i++)
			a[i] = n - i;
		check_all_k(a, n);
		for (u32 i = 0; i < n; i++)
			a[i] = 0xffffffffu;
		check_all_k(a, n);
	}
}

static void median_lower_middle(void **state)
{
	u32 a[] = { 9, 1, 5, 3 }, b[] = { 4, 2, 8 }, c[] = { 42 };

	assert_int_equal(median_u32(a, 4), 3);
	assert_int_equal(median_u32(b, 3), 4);
	assert_int_equal(median_u32(c, 1), 42);
	assert_int_equal(median_u32(NULL, 0), 0);
}

static void outliers_and_ratios(void **state)
{
	u32 a[] = { 1, 100, 5, 100, 7 };

	assert_int_equal(count_above_u32(a, 5, 7), 2);
	assert_int_equal(count_above_u32(a, 5, 100), 0);
	assert_int_equal(ratio_x100(4, 2), 200);
	assert_int_equal(ratio_x100(2, 3), 67);
	assert_int_equal(ratio_x100(5, 0), 0);
	assert_int_equal(ratio_x100(1000000, 3), 33333333);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(select_matches_sort),
		cmocka_unit_test(median_lower_middle),
		cmocka_unit_test(outliers_and_ratios),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
