/*
 * Self-tests of the memory-management ops: page-table entry writes, the
 * value conversions, TLB flushes and a cross-CPU TLB shootdown.
 */
#include "report.h"
#include "cpu.h"
#include "mm.h"
#include "smp.h"

#define PATTERN_A 0xaaaa5555u
#define PATTERN_B 0x5555aaaau

struct tlb_test {
	u32 va, pa, pages[2];
};
static struct tlb_test tt;

static bool setup_pages(void)
{
	tt.va = paging_free_slot();
	tt.pages[0] = page_alloc();
	tt.pages[1] = page_alloc();
	if (!tt.va || !tt.pages[0] || !tt.pages[1])
		return false;
	*(u32 *)tt.pages[0] = PATTERN_A;
	*(u32 *)tt.pages[1] = PATTERN_B;
	return true;
}

SELFTEST(page_table_ops)
{
	if (!setup_pages()) {
		report(false, "page-table test setup (free VA and two pages)");
		return;
	}
	u32 va = tt.va;
	map_page(&init_mm, va, tt.pages[0], PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	report(pte && *(volatile u32 *)va == PATTERN_A, "set_pmd + set_pte map a fresh page");
	report(pte_val(make_pte(0x1234067)) == 0x1234067 && pgd_val(make_pgd(0x5003)) == 0x5003 &&
	       pmd_val(make_pmd(0x7003)) == 0x7003, "make_*/ *_val round trip");
	pte_t old = ptep_get_and_clear(pte);
	flush_tlb_single(va);
	report((pte_val(old) & ~0xfffu) == tt.pages[0] && pxe_get(pte) == 0,
	       "ptep_get_and_clear returns the old entry and clears it");
	set_pte_atomic(pte, make_pte(tt.pages[1] | PTE_P | PTE_W));
	flush_tlb_single(va);
	report(*(volatile u32 *)va == PATTERN_B, "set_pte_atomic + flush_tlb_single remap");
	set_pte_at(&init_mm, va, pte, make_pte(tt.pages[0] | PTE_P | PTE_W));
	flush_tlb_user();
	report(*(volatile u32 *)va == PATTERN_A, "set_pte_at + flush_tlb_user remap");
	/* The contract of pte_update: the entry was changed by a plain write
	 * and the backend is told so (a shadowing host re-reads it). */
	*(volatile pte_t *)pte = make_pte(tt.pages[1] | PTE_P | PTE_W);
	pte_update(&init_mm, va, pte);
	flush_tlb_single(va);
	report(*(volatile u32 *)va == PATTERN_B, "a plain PTE write + pte_update + flush remaps");
	*(volatile pte_t *)pte = make_pte(tt.pages[0] | PTE_P | PTE_W);
	pte_update_defer(&init_mm, va, pte);
	flush_tlb_user();
	report(*(volatile u32 *)va == PATTERN_A, "a plain PTE write + pte_update_defer + flush_tlb_user remaps");
	set_pte_present(&init_mm, va, pte, make_pte(tt.pages[1] | PTE_P | PTE_W));
	flush_tlb_kernel();
	report(*(volatile u32 *)va == PATTERN_B, "set_pte_present + flush_tlb_kernel remap");
	pte_clear(&init_mm, va, pte);
	report(pxe_get(pte) == 0, "pte_clear empties the entry");
}

static void read_va(void *arg)
{
	*(u32 *)arg = *(volatile u32 *)tt.va;
}

static void flush_and_read(void *arg)
{
	flush_tlb_single(tt.va);
	read_va(arg);
}

/* Map va -> page, flush here; the other CPUs are flushed by the caller. */
static void remap(u32 pa)
{
	set_pte(lookup_pte(&init_mm, tt.va), make_pte(pa | PTE_P | PTE_W));
	flush_tlb_single(tt.va);
}

SELFTEST(tlb_shootdown)
{
	u32 stale = 0, fresh = 0, seen;

	if (ncpus_online < 2) {
		report_skip("TLB shootdown needs a second CPU");
		return;
	}
	if (!tt.va && !setup_pages()) {
		report(false, "TLB shootdown setup (free VA and two pages)");
		return;
	}
	map_page(&init_mm, tt.va, tt.pages[0], PTE_P | PTE_W);
	remap(tt.pages[0]);
	for (u32 i = 1; i < ncpus_present; i++)
		if (cpus[i].online && smp_call(i, read_va, &seen) && seen == PATTERN_A)
			fresh++;
	report(fresh == ncpus_online - 1, "every AP reads the first mapping (%u)", fresh);
	remap(tt.pages[1]);
	fresh = 0;
	for (u32 i = 1; i < ncpus_present; i++) {
		if (!cpus[i].online)
			continue;
		if (smp_call(i, read_va, &seen) && seen == PATTERN_A)
			stale++;        /* before its flush the AP may still see A */
		if (smp_call(i, flush_and_read, &seen) && seen == PATTERN_B)
			fresh++;
	}
	kprintf("tlb: %u AP(s) still saw the old mapping before the shootdown\n", stale);
	report(fresh == ncpus_online - 1, "after the shootdown every AP sees the new mapping (%u)", fresh);
}

/* A 4 MiB slot free in the kernel's page directory (so in a clone of it). */
static u32 free_pgd_slot(void)
{
	for (u32 va = 0xf0000000; va >= 0xc0000000; va -= 0x400000)
		if (!(pxe_get(pxe_at(init_mm.pgd, va >> 22)) & PTE_P))
			return va;
	return 0;
}

/*
 * 2-level: the cloned directory with the new table hooked in at a free
 * slot, loaded in cr3, must show the table's page and keep the kernel's
 * mappings.
 */
static void check_clone_in_cr3(u32 pd, u32 pt, u32 pg, u32 slot)
{
	set_pmd(pxe_at((void *)pd, slot >> 22), make_pmd(pt | PTE_P | PTE_W));
	set_pte(pxe_at((void *)pt, 0), make_pte(pg | PTE_P | PTE_W));

	unsigned long f = irq_save(), cr3 = read_cr3();
	write_cr3(pd);
	u32 seen = *(volatile u32 *)slot, kernel_word = *(volatile u32 *)&tt;
	write_cr3(cr3);
	restore_fl(f);
	report(seen == PATTERN_A && kernel_word == *(u32 *)&tt,
	       "a directory from alloc_pd/alloc_pd_clone with a table from alloc_pt/map_pt_hook maps its page (%#x)",
	       seen);
	pmd_clear(pxe_at((void *)pd, slot >> 22));
	pte_clear(&init_mm, slot, pxe_at((void *)pt, 0));
}

/*
 * A second address space built with the page-table-page hooks, as task.c
 * builds the ring-3 tasks': a directory cloned from the kernel's, a new
 * page table hooked in, one page mapped through it.  Loading it in cr3
 * must show that page; the kernel's mappings must still work there.
 */
SELFTEST(page_table_pages)
{
	u32 pd = page_alloc(), pt = page_alloc(), pg = page_alloc();
	u32 slot = paging_pae ? 0 : free_pgd_slot();

	if (!pd || !pt || !pg || (!paging_pae && !slot)) {
		report(false, "page-table pages test setup (3 pages and a free 4 MiB slot)");
		return;
	}
	*(u32 *)pg = PATTERN_A;
	paravirt_alloc_pd(pd >> PAGE_SHIFT);
	memcpy((void *)pd, init_mm.pgd, PAGE_SIZE);
	paravirt_alloc_pd_clone(pd >> PAGE_SHIFT, (u32)init_mm.pgd >> PAGE_SHIFT, 0, 1024);
	paravirt_alloc_pt(pt >> PAGE_SHIFT);
	map_pt_hook(0, (pxe_t *)pt, pt >> PAGE_SHIFT);
	if (paging_pae)
		report_skip("loading a cloned directory in cr3: 2-level only (under PAE cr3 holds a PDPT)");
	else
		check_clone_in_cr3(pd, pt, pg, slot);
	set_pmd(pxe_at((void *)pd, 1), make_pmd(pt | PTE_P | PTE_W));
	report(pmd_val(pxe_get(pxe_at((void *)pd, 1))) == (pt | PTE_P | PTE_W), "set_pmd into a new directory");
	set_pud(pxe_at((void *)pd, 2), make_pmd(pt | PTE_P));
	pmd_clear(pxe_at((void *)pd, 1));
	report(pxe_get(pxe_at((void *)pd, 1)) == 0 && pxe_get(pxe_at((void *)pd, 2)) == (pt | PTE_P),
	       "pmd_clear and set_pud");
	paravirt_release_pt(pt >> PAGE_SHIFT);
	paravirt_release_pd(pd >> PAGE_SHIFT);
	page_free(pg);
	page_free(pt);
	page_free(pd);
}
