/* Order statistics for the benchmark (pure, host-tested). */
#ifndef PVBOOT_STATS_H
#define PVBOOT_STATS_H
#include "pvboot/types.h"

/* The k-th smallest of a[0..n) (0-based); reorders a.  n must be > 0. */
u32 select_kth_u32(u32 *a, u32 n, u32 k);
/* Median (lower middle for even n); reorders a.  0 for n == 0. */
u32 median_u32(u32 *a, u32 n);
/* How many of a[0..n) are greater than limit. */
u32 count_above_u32(const u32 *a, u32 n, u32 limit);
/* 100 * num / den, rounded, with den == 0 giving 0 (ratios as x.yy). */
u32 ratio_x100(u32 num, u32 den);

#endif
