/*
 * Samplers for the benchmark's op rows.  This file is compiled twice
 * (Makefile): as-is, its paravirt sites are patched like any other; with
 * -DBENCH_VARIANT=nopatch -DPV_SITE_SECTION=... its sites are recorded
 * in a section apply_paravirt() never walks, so they stay indirect calls.
 * Both variants therefore run in one boot, side by side.
 */
#include "bench.h"

#ifndef BENCH_VARIANT
#define BENCH_VARIANT patched
#endif
#define CAT2(a, b) a##_##b
#define CAT(a, b) CAT2(a, b)
#define SAMPLER(op) u32 CAT(bench_##op, BENCH_VARIANT)(void)

/* Every sampler: serialised TSC, the op(s), serialised TSC. */
#define TIMED(body) ({ u64 __t0 = bench_tsc(); body; (u32)(bench_tsc() - __t0); })

SAMPLER(empty) { return TIMED((void)0); }
SAMPLER(irq) { return TIMED(irq_disable(); irq_enable()); }
SAMPLER(flags) { return TIMED(restore_fl(save_fl())); }
SAMPLER(read_cr2) { return TIMED((void)read_cr2()); }
SAMPLER(read_cr3) { return TIMED((void)read_cr3()); }
SAMPLER(rdtsc) { return TIMED((void)rdtsc()); }
SAMPLER(apic_read) { return TIMED((void)apic_read(APIC_ID)); }

SAMPLER(write_cr3)
{
	u32 cr3 = read_cr3();                           /* not measured */

	return TIMED(write_cr3(cr3));
}

SAMPLER(set_pte)
{
	return TIMED(set_pte(bench_scratch_pte, bench_scratch_val); pte_clear(NULL, 0, bench_scratch_pte));
}
