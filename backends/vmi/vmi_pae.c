/*
 * The vmi backend under PAE, as Linux's vmi.c did with CONFIG_X86_PAE:
 * every 8-byte entry write through SetPxELong (the ROM orders the two
 * halves, docs/vmi-rom.md), the atomic ops as one cmpxchg8b here followed
 * by UpdatePxELong, and the PAE page-type flag on every page-table page
 * the kernel allocates or releases.
 */
#include "vmi_backend.h"
#include "mm.h"
#include "report.h"

/* SetPxELong(u64 value, entry, flags): value in eax:edx, entry in ecx,
 * flags on the stack.  UpdatePxELong(entry, flags). */
typedef void (*set_long_fn)(u64 v, pxe_t *p, u32 flags);
typedef void (*update_long_fn)(pxe_t *p, u32 flags);
typedef void (*alloc_fn)(u32 pfn, u32 flags, u32 clone, u32 start, u32 count);
typedef void (*release_fn)(u32 pfn, u32 flags);

static void set_long(pxe_t *p, u64 v, u32 flags) { VMI_FN(set_long_fn, VMI_CALL_SetPxELong)(v, p, flags); }
static void update_long(pxe_t *p, u32 flags) { VMI_FN(update_long_fn, VMI_CALL_UpdatePxELong)(p, flags); }

static void pae_set_pte(pxe_t *p, pte_t v) { set_long(p, v, VMI_PAGE_PT); }
static void pae_set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { set_long(p, v, vmi_defer(VMI_PAGE_PT)); }
static void pae_set_pmd(pxe_t *p, pmd_t v) { set_long(p, v, VMI_PAGE_PD); }
static void pae_set_pud(pxe_t *p, pud_t v) { set_long(p, v, VMI_PAGE_PDP); }
static void pae_pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { set_long(p, 0, vmi_defer(VMI_PAGE_PT)); }
static void pae_pmd_clear(pxe_t *p) { set_long(p, 0, VMI_PAGE_PD); }

/* One 8-byte store here, then tell the ROM the entry changed. */
static void pae_set_pte_atomic(pxe_t *p, pte_t v)
{
	pxe_xchg8b(p, v);
	update_long(p, VMI_PAGE_PT);
}

static pte_t pae_ptep_get_and_clear(pxe_t *p)
{
	pte_t old = pxe_xchg8b(p, 0);

	update_long(p, VMI_PAGE_PT);
	return old;
}

static void pae_pte_update(struct mm_struct *mm, unsigned long a, pxe_t *p) { update_long(p, VMI_PAGE_PT); }
static void pae_pte_update_defer(struct mm_struct *mm, unsigned long a, pxe_t *p) { update_long(p, vmi_defer(VMI_PAGE_PT)); }

#define PAE_ZEROED (VMI_PAGE_PAE | VMI_PAGE_ZEROED)
static void pae_alloc_pt(u32 pfn) { VMI_FN(alloc_fn, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PT | PAE_ZEROED, 0, 0, 0); }
static void pae_alloc_pd(u32 pfn) { VMI_FN(alloc_fn, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PD | PAE_ZEROED, 0, 0, 0); }
static void pae_alloc_pd_clone(u32 pfn, u32 clone, u32 start, u32 count)
{
	VMI_FN(alloc_fn, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PD | VMI_PAGE_PAE | VMI_PAGE_CLONE, clone, start, count);
}
static void pae_release_pt(u32 pfn) { VMI_FN(release_fn, VMI_CALL_ReleasePage)(pfn, VMI_PAGE_PT | VMI_PAGE_PAE); }
static void pae_release_pd(u32 pfn) { VMI_FN(release_fn, VMI_CALL_ReleasePage)(pfn, VMI_PAGE_PD | VMI_PAGE_PAE); }

const char *vmi_use_pae(struct paravirt_patch_template *t)
{
	if (!vmi_has(VMI_CALL_SetPxELong) || !vmi_has(VMI_CALL_UpdatePxELong))
		return "the VMI ROM does not implement SetPxELong and UpdatePxELong (calls 39, 41)";
	t->mmu.set_pte = pae_set_pte;
	t->mmu.set_pte_at = pae_set_pte_at;
	t->mmu.set_pte_present = pae_set_pte_at;
	t->mmu.set_pmd = pae_set_pmd;
	t->mmu.set_pud = pae_set_pud;
	t->mmu.pte_clear = pae_pte_clear;
	t->mmu.pmd_clear = pae_pmd_clear;
	t->mmu.set_pte_atomic = pae_set_pte_atomic;
	t->mmu.ptep_get_and_clear = pae_ptep_get_and_clear;
	t->mmu.pte_update = pae_pte_update;
	t->mmu.pte_update_defer = pae_pte_update_defer;
	t->mmu.alloc_pt = pae_alloc_pt;
	t->mmu.alloc_pd = pae_alloc_pd;
	t->mmu.alloc_pd_clone = pae_alloc_pd_clone;
	t->mmu.release_pt = pae_release_pt;
	t->mmu.release_pd = pae_release_pd;
	return NULL;
}

/* Under PAE every entry write is a long call, never a 4-byte SetPxE
 * into an 8-byte table, and page-table pages carry the PAE flag. */
SELFTEST(vmi_pae)
{
	u32 *n = vmi_rom.counters;

	if (boot_info->backend_id != PV_VMI || !n)
		return;
	if (!paging_pae) {
		report_skip("vmi: PAE calls: this boot runs 2-level paging");
		return;
	}
	u32 va = paging_free_slot(), pa = page_alloc();
	u32 sets = n[VMI_CALL_SetPxELong], updates = n[VMI_CALL_UpdatePxELong];
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	pte_update(&init_mm, va, pte);
	pte_t old = ptep_get_and_clear(pte);
	report(n[VMI_CALL_SetPxELong] > sets && n[VMI_CALL_UpdatePxELong] >= updates + 2 &&
	       old == (pa | PTE_P | PTE_W) && pxe_get(pte) == 0,
	       "vmi: SetPxELong and UpdatePxELong carry 8-byte entries through the ROM");
	report(n[VMI_CALL_SetPxE] == 0 && n[VMI_CALL_UpdatePxE] == 0,
	       "vmi: no 4-byte SetPxE/UpdatePxE under PAE (%u, %u)", n[VMI_CALL_SetPxE], n[VMI_CALL_UpdatePxE]);
	report(n[VMI_COUNT_PAE_PAGES] > 0 && n[VMI_COUNT_PAE_PAGES] == n[VMI_CALL_AllocatePage] + n[VMI_CALL_ReleasePage],
	       "vmi: every AllocatePage/ReleasePage had the PAE page type (%u)", n[VMI_COUNT_PAE_PAGES]);
	flush_tlb_single(va);
	pgtable_free_tables(&init_mm, va, pgtable_pt_span());
	page_free(pa);
}
