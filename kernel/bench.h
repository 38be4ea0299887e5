/* The in-kernel benchmark (docs/design.md §11). */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H
#include "kernel.h"

/* One sample: TSC ticks around one op, serialised (cpuid) on both sides. */
typedef u32 (*bench_sample_fn)(void);

/* The op samplers of kernel/bench_ops.c, built twice: once with patchable
 * sites (.._patched) and once with sites that are never patched
 * (.._nopatch, compiled with PV_SITE_SECTION pointing elsewhere). */
#define BENCH_OPS(X) X(empty) X(irq) X(flags) X(read_cr2) X(read_cr3) \
	X(write_cr3) X(rdtsc) X(apic_read) X(set_pte)
#define DECLARE_SAMPLERS(op) u32 bench_##op##_patched(void); u32 bench_##op##_nopatch(void);
BENCH_OPS(DECLARE_SAMPLERS)

static inline u64 bench_tsc(void)
{
	u32 a = 0, b, c = 0, d, lo, hi;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* The entry set_pte's sampler writes: in a page no page walk reaches,
 * so the figure is the store itself in the boot's paging format. */
extern pxe_t *bench_scratch_pte;
extern pte_t bench_scratch_val;

void run_bench(void);

/* Rows a backend adds (NULL-terminated), e.g. hypercall costs. */
struct bench_extra {
	const char *name;
	bench_sample_fn sample;
};

#endif
