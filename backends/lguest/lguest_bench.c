/* The lguest guest's benchmark rows (docs/design.md §11): a hypercall round trip
 * and a page-table update through the host, unbatched and batched in
 * lazy MMU mode (per update, over batches of 16). */
#include "lguest_guest.h"
#include "bench.h"
#include "mm.h"

#define BATCH 16

static pxe_t *bench_pte;
static u32 bench_va, bench_pa;

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

static const struct bench_extra rows[] = {
	{ "hypercall round trip", sample_hcall },
	{ "pte update, unbatched", sample_unbatched },
	{ "pte update, batched/16", sample_batched },
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
	}
	return rows;
}
