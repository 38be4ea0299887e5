/* Order statistics: quickselect (Hoare, median-of-three pivot), no recursion. */
#include "pvboot/stats.h"
#include "pvboot/div64.h"

static void swap(u32 *a, u32 i, u32 j)
{
	u32 t = a[i];
	a[i] = a[j];
	a[j] = t;
}

/* Median of a[lo], a[mid], a[hi] moved to a[lo] as the pivot. */
static void pick_pivot(u32 *a, u32 lo, u32 hi)
{
	u32 mid = lo + (hi - lo) / 2;

	if (a[mid] < a[lo])
		swap(a, mid, lo);
	if (a[hi] < a[lo])
		swap(a, hi, lo);
	if (a[hi] < a[mid])
		swap(a, hi, mid);
	swap(a, lo, mid);
}

u32 select_kth_u32(u32 *a, u32 n, u32 k)
{
	u32 lo = 0, hi = n - 1;

	while (lo < hi) {
		pick_pivot(a, lo, hi);
		u32 p = a[lo], i = lo, j = hi + 1;
		for (;;) {
			do i++; while (i <= hi && a[i] < p);
			do j--; while (a[j] > p);
			if (i >= j)
				break;
			swap(a, i, j);
		}
		swap(a, lo, j);         /* pivot in its final place j */
		if (j == k)
			return a[j];
		if (k < j)
			hi = j - 1;
		else
			lo = j + 1;
	}
	return a[k];
}

u32 median_u32(u32 *a, u32 n)
{
	return n ? select_kth_u32(a, n, (n - 1) / 2) : 0;
}

u32 count_above_u32(const u32 *a, u32 n, u32 limit)
{
	u32 c = 0;

	for (u32 i = 0; i < n; i++)
		c += a[i] > limit;
	return c;
}

u32 ratio_x100(u32 num, u32 den)
{
	return den ? (u32)div64((u64)num * 100 + den / 2, den) : 0;
}
