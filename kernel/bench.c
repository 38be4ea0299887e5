/*
 * The in-kernel benchmark (`bench`, docs/design.md §11): for each hot op the
 * patched site, the unpatched indirect call and the raw instruction, and
 * for whole paths (system calls, a page fault, an IPI) the round trip as
 * this boot is patched.  Every figure is the median of BENCH_RUNS samples
 * of serialised TSC deltas minus the cost of an empty sample; under QEMU
 * `-icount shift=0` a TSC tick is one guest instruction.
 */
#include "bench.h"
#include "cpu.h"
#include "mm.h"
#include "smp.h"
#include "task.h"
#include "trap.h"
#include "apic.h"
#include "kparavirt.h"
#include "pvboot/stats.h"

#define BENCH_RUNS 10000
#define NA 0xffffffffu          /* no such variant */

static u32 samples[BENCH_RUNS];
static u32 baseline;

struct row {
	const char *name;
	u32 patched, nopatch, raw;
	u32 outliers;           /* samples above 4x median of the first variant */
};

static u32 median_of(bench_sample_fn fn, u32 *outliers)
{
	for (u32 i = 0; i < BENCH_RUNS; i++)
		samples[i] = fn();
	u32 m = median_u32(samples, BENCH_RUNS);
	if (outliers)
		*outliers = count_above_u32(samples, BENCH_RUNS, 4 * m + 16);
	return m > baseline ? m - baseline : 0;
}

/* ---- raw instructions ----------------------------------------------------- */

#define RAW(name, insns, ...) \
	static u32 raw_##name(void) { u64 t0 = bench_tsc(); asm volatile(insns ::: __VA_ARGS__); return (u32)(bench_tsc() - t0); }
RAW(irq, "cli; sti", "memory")
RAW(flags, "pushfl; popl %%eax; pushl %%eax; popfl", "eax", "memory", "cc")
RAW(read_cr2, "movl %%cr2, %%eax", "eax")
RAW(read_cr3, "movl %%cr3, %%eax", "eax")
RAW(rdtsc, "rdtsc", "eax", "edx")

/* cr3's value is read outside the window, as the sampler does. */
static u32 raw_write_cr3(void)
{
	u32 v;

	asm volatile("movl %%cr3, %0" : "=r"(v));
	u64 t0 = bench_tsc();
	asm volatile("movl %0, %%cr3" :: "r"(v) : "memory");
	return (u32)(bench_tsc() - t0);
}

static u32 raw_apic_read(void)
{
	u64 t0 = bench_tsc();
	(void)*(volatile u32 *)(apic_base + APIC_ID);
	return (u32)(bench_tsc() - t0);
}

pxe_t *bench_scratch_pte;
pte_t bench_scratch_val;

/* The same two entry writes as set_pte + pte_clear, as the hardware
 * format needs them: one store each (2-level), or two ordered halves. */
static u32 raw_set_pte(void)
{
	u32 *w = (u32 *)bench_scratch_pte, lo = (u32)bench_scratch_val, hi = (u32)(bench_scratch_val >> 32);
	u64 t0 = bench_tsc();

	if (paging_pae)
		asm volatile("movl %2, 4(%0); movl %1, (%0); movl $0, (%0); movl $0, 4(%0)"
			     :: "r"(w), "r"(lo), "r"(hi) : "memory");
	else
		asm volatile("movl %1, (%0); movl $0, (%0)" :: "r"(w), "r"(lo) : "memory");
	return (u32)(bench_tsc() - t0);
}

#define OP_ROWS 8        /* then 4 path rows, then the backend's */
static void op_rows(struct row *r)
{
	static const struct {
		const char *name;
		bench_sample_fn p, n, raw;
	} ops[] = {
		{ "irq disable+enable", bench_irq_patched, bench_irq_nopatch, raw_irq },
		{ "save+restore flags", bench_flags_patched, bench_flags_nopatch, raw_flags },
		{ "read cr2", bench_read_cr2_patched, bench_read_cr2_nopatch, raw_read_cr2 },
		{ "read cr3", bench_read_cr3_patched, bench_read_cr3_nopatch, raw_read_cr3 },
		{ "write cr3", bench_write_cr3_patched, bench_write_cr3_nopatch, raw_write_cr3 },
		{ "rdtsc", bench_rdtsc_patched, bench_rdtsc_nopatch, raw_rdtsc },
		{ "apic read", bench_apic_read_patched, bench_apic_read_nopatch, raw_apic_read },
		{ "set_pte + pte_clear", bench_set_pte_patched, bench_set_pte_nopatch, raw_set_pte },
	};
	/* A ring-1 kernel cannot run the raw instructions (they fault). */
	bool raw_ok = pv_kernel_rpl() == 0;

	STATIC_ASSERT(ARRAY_SIZE(ops) == OP_ROWS, "op rows");

	for (u32 i = 0; i < ARRAY_SIZE(ops); i++, r++) {
		r->name = ops[i].name;
		r->patched = median_of(ops[i].p, &r->outliers);
		r->nopatch = median_of(ops[i].n, NULL);
		r->raw = raw_ok ? median_of(ops[i].raw, NULL) : NA;
	}
}

/* ---- paths ------------------------------------------------------------------ */

/* A user loop of BENCH_RUNS system calls that stores each delta in the
 * task's demand region; the median comes from there. */
static u32 syscall_row(u32 prog, u32 *outliers)
{
	struct task *t = task_create(prog, BENCH_RUNS, 0);
	u32 m = NA;

	if (!t)
		return NA;
	task_run(t);
	if (t->state == TASK_EXITED && task_read(t, USER_DEMAND_OFF, samples, sizeof(samples))) {
		m = median_u32(samples, BENCH_RUNS);
		*outliers = count_above_u32(samples, BENCH_RUNS, 4 * m + 16);
	}
	task_destroy(t);
	return m;
}

static u32 pf_va, pf_page;

static bool pf_hook(u32 cr2)
{
	if ((cr2 & ~0xfffu) != pf_va)
		return false;
	set_pte(lookup_pte(&init_mm, pf_va), make_pte(pf_page | PTE_P | PTE_W));
	return true;
}

static u32 pf_sample(void)
{
	u64 t0 = bench_tsc();
	(void)*(volatile u32 *)pf_va;
	u32 d = (u32)(bench_tsc() - t0);
	pte_clear(&init_mm, pf_va, lookup_pte(&init_mm, pf_va));
	flush_tlb_single(pf_va);
	return d;
}

static u32 pf_row(u32 *outliers)
{
	pf_page = page_alloc();
	pf_va = paging_free_slot();
	if (!pf_page || !pf_va)
		return NA;
	map_page(&init_mm, pf_va, pf_page, PTE_P | PTE_W);
	pte_clear(&init_mm, pf_va, lookup_pte(&init_mm, pf_va));
	flush_tlb_single(pf_va);
	kernel_pf_hook = pf_hook;
	u32 m = median_of(pf_sample, outliers);
	kernel_pf_hook = NULL;
	page_free(pf_page);
	return m;
}

static void ipi_noop(void *arg)
{
}

static u32 ipi_sample(void)
{
	u64 t0 = bench_tsc();
	smp_call(1, ipi_noop, NULL);
	return (u32)(bench_tsc() - t0);
}

static void path_rows(struct row *r, bool patched)
{
	static const char *const names[] = {
		"null syscall int 0x80", "null syscall sysenter", "page fault round trip",
		"IPI round trip cpu0->1",
	};
	u32 v[4], o[4] = { 0 };

	v[0] = syscall_row(7, &o[0]);
	v[1] = sysenter_unavailable() ? NA : syscall_row(8, &o[1]);
	v[2] = pf_row(&o[2]);
	v[3] = ncpus_online > 1 ? median_of(ipi_sample, &o[3]) : NA;
	for (u32 i = 0; i < 4; i++, r++) {
		r->name = names[i];
		r->patched = patched ? v[i] : NA;
		r->nopatch = patched ? NA : v[i];
		r->raw = NA;
		r->outliers = o[i];
	}
}

/* ---- the table ------------------------------------------------------------- */

static void cell(char *buf, u32 v)
{
	if (v == NA)
		pv_snprintf(buf, 12, "-");
	else
		pv_snprintf(buf, 12, "%u", v);
}

static void ratio(char *buf, u32 a, u32 raw)
{
	u32 r = ratio_x100(a, raw);

	if (a == NA || raw == NA || raw == 0)
		pv_snprintf(buf, 12, "-");
	else
		pv_snprintf(buf, 12, "%u.%02ux", r / 100, r % 100);
}

static void print_row(const struct row *r)
{
	char p[12], n[12], w[12], rp[12], rn[12];

	cell(p, r->patched);
	cell(n, r->nopatch);
	cell(w, r->raw);
	ratio(rp, r->patched, r->raw);
	ratio(rn, r->nopatch, r->raw);
	kprintf("%-24s %9s %9s %9s %12s %12s %9u\n", r->name, p, n, w, rp, rn, r->outliers);
}

/* Backend rows (lguest: hypercall, batched and unbatched pte updates). */
static u32 backend_rows(struct row *r, bool patched)
{
	const struct pv_backend *b = pv_backend_current();
	const struct bench_extra *x = b && b->bench_rows ? b->bench_rows() : NULL;
	u32 n = 0;

	for (; x && x->name; x++, r++, n++) {
		r->name = x->name;
		u32 v = median_of(x->sample, &r->outliers);
		r->patched = patched ? v : NA;
		r->nopatch = patched ? NA : v;
		r->raw = NA;
	}
	return n;
}

void run_bench(void)
{
	struct row rows[20];
	bool patched = patch_stats.kind[PVSITE_INDIRECT] < patch_stats.sites;

	baseline = 0;
	baseline = median_of(bench_empty_patched, NULL);
	bench_scratch_pte = (pxe_t *)page_alloc();     /* a page no walk reaches */
	bench_scratch_val = make_pte(0x5000 | PTE_P | PTE_W);
	op_rows(rows);
	page_free((u32)bench_scratch_pte);
	path_rows(rows + OP_ROWS, patched);
	u32 nrows = OP_ROWS + 4 + backend_rows(rows + OP_ROWS + 4, patched);
	kprintf("BENCH BEGIN\n");
	kprintf("# backend=%s sites=%s paging=%s, %u runs per figure, median TSC ticks minus an empty sample (%u)\n",
		pv_name(), patched ? "patched" : "nopatch", pt_fmt->name, BENCH_RUNS, baseline);
	kprintf("# under QEMU -icount shift=0 one tick is one guest instruction; on hardware, cycles\n");
	kprintf("# syscall rows are measured in ring 3 and include 2 (int 0x80) or 4 (sysenter) instructions of the loop\n");
	kprintf("%-24s %9s %9s %9s %12s %12s %9s\n", "op", "patched", "nopatch", "raw",
		"patched/raw", "nopatch/raw", "outliers");
	for (u32 i = 0; i < nrows; i++)
		print_row(&rows[i]);
	kprintf("BENCH END\n");
}
