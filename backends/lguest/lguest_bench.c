/* The lguest guest's benchmark rows (docs/design.md §11): a hypercall round trip,
 * a page-table update through the host, unbatched and batched in lazy MMU
 * mode (per update, over batches of 16), and cr3 writes between address
 * spaces the host has cached and between more than it caches. */
#include "lguest_backend.h"
#include "bench.h"
#include "mm.h"

#define BATCH 16
/* More address spaces than the host caches (4), so that visiting them in
 * turn misses every time whatever it evicts. */
#define SPACES 6

static pxe_t *bench_pte;
static u32 bench_va, bench_pa;
static u32 spaces[SPACES], home;

static u32 sample_hcall(void)
{
	u64 t0 = bench_tsc();
	lguest_hcall(LHCALL_NOTIFY, 0, 0, 0);
	return (u32)(bench_tsc() - t0);
}

static u32 updates(bool batched)
{
	u64 t0 = bench_tsc();

	if (batched)
		arch_enter_lazy_mmu_mode();
	for (u32 i = 0; i < BATCH; i++)
		set_pte_at(&init_mm, bench_va, bench_pte, make_pte(bench_pa | PTE_P | (i & 1 ? PTE_W : 0)));
	if (batched)
		arch_leave_lazy_mmu_mode();
	return (u32)(bench_tsc() - t0) / BATCH;
}

static u32 sample_unbatched(void) { return updates(false); }
static u32 sample_batched(void) { return updates(true); }

/* One timed switch to `to`, then back home untimed: home stays the most
 * recently used space, so the next switch's hit or miss is the target's. */
static u32 switch_to(u32 to)
{
	u64 t0 = bench_tsc();

	write_cr3(to);
	u32 t = (u32)(bench_tsc() - t0);
	write_cr3(home);
	return t;
}

static u32 sample_cr3_hit(void) { return switch_to(spaces[0]); }

static u32 sample_cr3_miss(void)
{
	static u32 next;

	next = next % (SPACES - 1) + 1;
	return switch_to(spaces[next]);
}

static const struct bench_extra rows[] = {
	{ "hypercall round trip", sample_hcall },
	{ "pte update, unbatched", sample_unbatched },
	{ "pte update, batched/16", sample_batched },
	{ "write cr3, cached", sample_cr3_hit },
	{ "write cr3, uncached", sample_cr3_miss },
	{ NULL, NULL },
};

const struct bench_extra *lguest_bench_rows(void)
{
	if (boot_info->backend_id != PV_LGUEST)
		return NULL;
	if (!bench_pte) {
		bench_va = paging_free_slot();
		bench_pa = page_alloc();
		if (!bench_va || !bench_pa)
			return NULL;
		map_page(&init_mm, bench_va, bench_pa, PTE_P | PTE_W);
		bench_pte = lookup_pte(&init_mm, bench_va);
		/* After the mapping above, so every space shares its table. */
		home = read_cr3();
		for (u32 i = 0; i < SPACES; i++)
			if (!(spaces[i] = (u32)pgd_alloc_kernel()))
				return NULL;
	}
	return rows;
}
