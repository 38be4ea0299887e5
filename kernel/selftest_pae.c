/*
 * Self-tests of PAE paging: the entry ops with 64-bit values (high halves
 * and NX survive every op), memory above 4 GiB through the kmap window,
 * and execute-disable on data pages.  Each skips with its reason when the
 * boot did not choose PAE, has no RAM above 4 GiB, or has no NX.
 */
#include "report.h"
#include "cpu.h"
#include "mm.h"
#include "trap.h"
#include "task.h"

#define HIGH_PAGES 64
#define FOUR_GIB 0x100000000ull

/* A value whose high half is all set bits a PAE pte may carry. */
static const u64 wide = PTE_NX | 0x0000000f12345000ull | PTE_P | PTE_W;

SELFTEST(pae_entry_ops)
{
	u32 va = paging_free_slot(), pa = page_alloc(), dir = page_alloc();

	if (!paging_pae) {
		report_skip("PAE entry ops: this boot runs %s paging", pt_fmt->name);
		goto out;
	}
	if (!va || !pa || !dir) {
		report(false, "PAE entry-op test setup (free VA and two pages)");
		goto out;
	}
	report(pte_val(make_pte(wide)) == wide && pmd_val(make_pmd(wide)) == wide &&
	       pgd_val(make_pgd(wide)) == wide, "make_*/ *_val carry 64-bit values");
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	set_pte_atomic(pte, make_pte(wide & ~(u64)PTE_P));     /* not present: never walked */
	report(pxe_get(pte) == (wide & ~(u64)PTE_P), "set_pte_atomic stores all 8 bytes");
	set_pte_present(&init_mm, va, pte, make_pte(pa | PTE_P | PTE_W));
	flush_tlb_single(va);
	*(volatile u32 *)va = 0x5a5aa5a5;
	/* the write set accessed and dirty in the entry */
	report((pxe_get(pte) & ~(u64)(PTE_A | PTE_D)) == (pa | PTE_P | PTE_W) &&
	       *(volatile u32 *)pa == 0x5a5aa5a5,
	       "set_pte_present replaces both halves and maps the page");
	set_pte(pte, make_pte(wide & ~(u64)PTE_P));
	pte_t old = ptep_get_and_clear(pte);
	report(old == (wide & ~(u64)PTE_P) && pxe_get(pte) == 0,
	       "ptep_get_and_clear returns the 64-bit entry and clears both halves");
	set_pte_at(&init_mm, va, pte, make_pte(wide));
	pte_clear(&init_mm, va, pte);
	flush_tlb_single(va);
	report(pxe_get(pte) == 0, "pte_clear empties both halves");
	set_pmd(pxe_at((void *)dir, 5), make_pmd(wide));
	set_pud(pxe_at((void *)dir, 6), make_pgd(0x0000000f00003000ull | PTE_P));
	report(pxe_get(pxe_at((void *)dir, 5)) == wide &&
	       pxe_get(pxe_at((void *)dir, 6)) == (0x0000000f00003000ull | PTE_P),
	       "set_pmd and set_pud store 64-bit entries");
	pmd_clear(pxe_at((void *)dir, 5));
	report(pxe_get(pxe_at((void *)dir, 5)) == 0, "pmd_clear empties both halves");
	pgtable_free_tables(&init_mm, va, pgtable_pt_span());
out:
	page_free(pa);
	page_free(dir);
}

static u32 pattern(u64 pa, u32 i)
{
	return (u32)(pa >> 12) * 2654435761u ^ (u32)(pa >> 32) ^ i;
}

/* Fill (or check) the page at pa through the kmap window; false on a
 * mismatch or a window entry that does not point at pa. */
static bool through_window(u64 pa, bool fill)
{
	unsigned long f = irq_save();
	u32 *p = kmap(pa);
	pxe_t *e = lookup_pte(&init_mm, (u32)p);
	bool ok = e && pt_entry_addr(pt_fmt, pxe_get(e)) == pa;

	for (u32 i = 0; ok && i < PAGE_SIZE / 4; i++) {
		if (fill)
			p[i] = pattern(pa, i);
		else
			ok = p[i] == pattern(pa, i);
	}
	kunmap(p);
	restore_fl(f);
	return ok;
}

/* If the high half of an entry were lost, pa would land on pa - 4 GiB:
 * that page, when it is mapped memory, must not hold the pattern. */
static bool alias_clean(u64 pa)
{
	u32 first[4];

	if (!phys_read(NULL, pa - FOUR_GIB, first, sizeof(first)))
		return true;
	for (u32 i = 0; i < 4; i++)
		if (first[i] != pattern(pa, i))
			return true;
	return false;
}

SELFTEST(pae_high_memory)
{
	static u64 pages[HIGH_PAGES];
	u32 n = 0, filled = 0, good = 0, clean = 0, before = mem_high_free_pages();

	if (!mem_high_total_pages()) {
		report_skip("memory above 4 GiB: none in use (%s paging, %llu MiB above 4 GiB in the map)",
			    pt_fmt->name, mem_ram_in(FOUR_GIB, ~0ull) >> 20);
		return;
	}
	while (n < HIGH_PAGES && (pages[n] = page_alloc_high()) >= FOUR_GIB)
		n++;
	report(n == HIGH_PAGES, "page_alloc_high gave %u pages above 4 GiB (first %#llx)", n, pages[0]);
	for (u32 i = 0; i < n; i++)
		filled += through_window(pages[i], true);
	for (u32 i = 0; i < n; i++) {
		good += through_window(pages[i], false);
		clean += alias_clean(pages[i]);
	}
	report(filled == n && good == n, "a pattern written through the kmap window reads back from %u pages above 4 GiB", good);
	report(clean == n, "no page below 4 GiB holds what was written above it (%u of %u clean)", clean, n);
	for (u32 i = 0; i < n; i++)
		page_free_high(pages[i]);
	report(mem_high_free_pages() == before, "page_free_high returns them (%u free)", mem_high_free_pages());
}

/* A task's own pages come from above 4 GiB when there is RAM there: its
 * data page, written by the kernel through kmap, reads back. */
SELFTEST(pae_task_pages_high)
{
	if (!mem_high_total_pages()) {
		report_skip("task pages above 4 GiB: no memory above 4 GiB in use");
		return;
	}
	struct task *t = task_create(0, 0, 0);
	pxe_t *e = t ? lookup_pte(&t->mm, user_base + USER_DATA_OFF) : NULL;
	u64 pa = e ? pt_entry_addr(pt_fmt, pte_val(pxe_get(e))) : 0;
	u32 seen[64], hits = 0;

	if (t && task_read(t, USER_DATA_OFF + 0x800, seen, sizeof(seen)))
		for (u32 i = 0; i < 64; i++)
			hits += seen[i] == t->tls_value;
	report(pa >= FOUR_GIB && hits == 1,
	       "a task's data page lies above 4 GiB (%#llx) and holds its TLS word (%u)", pa, hits);
	if (t)
		task_destroy(t);
}

/* ---- execute-disable ------------------------------------------------------ */

static volatile u32 nx_expect, nx_eip, nx_err;
extern const u8 nx_recover[];

/* Only the fault the test provokes; anything else goes the usual way. */
static void nx_fault(struct trapframe *tf)
{
	if (tf->eip != nx_expect) {
		trap_set_handler(14, NULL);
		trap(tf);
		return;
	}
	nx_eip = tf->eip;
	nx_err = tf->err;
	tf->eip = (u32)nx_recover;
}

/* Call the `ret` at va: 1 if it ran, 0 if fetching it faulted. */
static __attribute__((noinline, noclone)) u32 call_page(u32 va)
{
	u32 ran;

	nx_expect = va;
	nx_eip = nx_err = 0;
	trap_set_handler(14, nx_fault);
	asm volatile("call *%1\n\t"
		     "movl $1, %0\n\t"
		     "jmp 2f\n"
		     ".globl nx_recover\n"
		     "nx_recover:\n\t"
		     "addl $4, %%esp\n\t"       /* the call's return address */
		     "movl $0, %0\n"
		     "2:"
		     : "=&r"(ran) : "r"(va) : "memory", "cc");
	trap_set_handler(14, NULL);
	return ran;
}

SELFTEST(nx_data_pages)
{
	u32 va = paging_free_slot(), pa = page_alloc();

	if (!nx_enabled) {
		report_skip("execute-disable: %s", paging_pae ? "the CPU has no NX" : "needs PAE paging");
		page_free(pa);
		return;
	}
	*(volatile u8 *)pa = 0xc3;                             /* ret */
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	flush_tlb_single(va);
	report(call_page(va) == 1, "a page mapped without NX runs code (control)");
	set_pte(lookup_pte(&init_mm, va), make_pte(pa | PTE_P | PTE_W | PTE_NX));
	flush_tlb_single(va);
	u32 ran = call_page(va);
	/* SDM vol. 3 §4.7: error code bit 4 = instruction fetch, bit 0 = present. */
	report(!ran && nx_eip == va && (nx_err & 0x11) == 0x11,
	       "executing the same page with NX faults (#PF at %#x, error %#x)", nx_eip, nx_err);
	ran = call_page(pa);
	report(!ran && nx_eip == pa && (nx_err & 0x11) == 0x11,
	       "executing a data page of the kernel's identity map faults (error %#x)", nx_err);
	pte_clear(&init_mm, va, lookup_pte(&init_mm, va));
	flush_tlb_single(va);
	pgtable_free_tables(&init_mm, va, pgtable_pt_span());
	page_free(pa);
}
