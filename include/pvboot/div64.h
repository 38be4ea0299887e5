/*
 * 64-by-32-bit division without libgcc.  The kernel is built with
 * -mregparm=3, and GCC 12 emits some 64-bit division libcalls
 * (__udivmoddi4) with the wrong convention under it, so kernel code never
 * divides u64 values with `/`: it uses these instead.
 */
#ifndef PVBOOT_DIV64_H
#define PVBOOT_DIV64_H
#include "pvboot/types.h"

/* *n /= d; returns the remainder.  d must not be 0. */
static inline u32 div64_rem(u64 *n, u32 d)
{
#if defined(__i386__)
	u32 hi = (u32)(*n >> 32), lo = (u32)*n, qhi = hi / d, r = hi % d, qlo;
	/* r < d, so edx:eax / d cannot overflow divl */
	asm("divl %4" : "=a"(qlo), "=d"(r) : "a"(lo), "d"(r), "rm"(d));
	*n = ((u64)qhi << 32) | qlo;
	return r;
#else
	u32 r = (u32)(*n % d);
	*n /= d;
	return r;
#endif
}

static inline u64 div64(u64 n, u32 d)
{
	div64_rem(&n, d);
	return n;
}

#endif
