/*
 * Shadow page tables (docs/lguest.md): the guest keeps 2-level
 * tables in its own memory; the CPU runs on the host's shadow copy, in
 * which every guest-physical address was translated to host-physical and
 * checked to lie inside guest memory.  The top pde is always the host's
 * switcher.  Global bits are dropped so no guest entry outlives a switch.
 */
#include "host.h"
#include "mm.h"

#define SWITCHER_PDE (LG_SWITCHER_ADDR >> 22)

static u32 *shadow_pgd(void)
{
	return (u32 *)lg.shadow;
}

/* A guest pte → shadow pte; 0 (not present) if it leaves guest memory. */
static u32 translate(u32 gpte, bool *refused)
{
	return lgc_translate_pte(lg.base, lg.size, gpte, refused);
}

static void free_shadow_pts(void)
{
	for (u32 i = 0; i < SWITCHER_PDE; i++) {
		if (lg.shadow_pts[i])
			page_free(lg.shadow_pts[i]);
		lg.shadow_pts[i] = 0;
		lg.guest_pts[i] = 0;
		shadow_pgd()[i] = 0;
	}
}

/* Shadow pde i from the guest page table at pt_gpa (0: identity map). */
static bool build_pt(u32 i, u32 gpde)
{
	u32 spt = page_alloc();
	bool refused = false;

	if (!spt) {
		lg_kill("host out of memory for a shadow page table");
		return false;
	}
	u32 *s = (u32 *)spt;
	if (gpde == 0) {                        /* the initial identity map */
		for (u32 j = 0; j < 1024; j++) {
			u32 gpa = (i << 22) | (j << 12);
			s[j] = lg_gpa_ok(gpa, PAGE_SIZE) ? (lg.base + gpa) | PTE_P | PTE_W : 0;
		}
	} else {
		u32 pt_gpa = gpde & ~0xfffu;
		const u32 *g = lg_hva(pt_gpa);
		for (u32 j = 0; j < 1024; j++)
			s[j] = translate(g[j], &refused);
		lg.guest_pts[i] = pt_gpa;
	}
	lg.shadow_pts[i] = spt;
	shadow_pgd()[i] = spt | (gpde ? gpde & (PTE_P | PTE_W | PTE_U) : PTE_P | PTE_W);
	return true;
}

bool lg_shadow_init(void)
{
	lg.shadow = page_alloc();
	if (!lg.shadow) {
		kprintf("host: no memory for the guest's shadow page directory\n");
		return false;
	}
	/* The switcher in the guest's view: code and data read-only, only
	 * the save page writable (see switcher.h). */
	u32 spt = page_alloc();
	if (!spt) {
		kprintf("host: no memory for the guest's switcher page table\n");
		return false;
	}
	for (u32 i = 0; i < LG_SW_PAGES; i++)
		((u32 *)spt)[i] = (lg.sw_phys + i * PAGE_SIZE) | PTE_P |
				  (i == LG_SW_PAGES - 1 ? PTE_W : 0) | PTE_A | PTE_D;
	shadow_pgd()[SWITCHER_PDE] = spt | PTE_P | PTE_W;
	for (u32 i = 0; i < SWITCHER_PDE && (i << 22) < lg.size; i++)
		if (!build_pt(i, 0))
			return false;
	*(u32 *)(LG_SW_DATA + SW_GUEST_CR3) = lg.shadow;
	return true;
}

/* NEW_PGTABLE: throw the shadow away and rebuild it from the guest's pgd. */
void lg_shadow_rebuild(u32 pgd_gpa)
{
	const u32 *g = lg_hva(pgd_gpa);

	free_shadow_pts();
	lg.pgd_gpa = pgd_gpa;
	for (u32 i = 0; i < SWITCHER_PDE && !lg.done; i++) {
		if (!(g[i] & PTE_P))
			continue;
		if (g[i] & PTE_PS)
			lg_kill("4 MiB pages are not supported (pde %u)", i);
		else if (!lg_gpa_ok(g[i] & ~0xfffu, PAGE_SIZE))
			lg_kill("pde %u points outside guest memory (%#x)", i, g[i]);
		else
			build_pt(i, g[i]);
	}
}

/* SET_PTE: the guest changed the entry at pte_gpa (it wrote it itself). */
int lg_set_pte(u32 pte_gpa, u32 val)
{
	bool refused = false;
	u32 page = pte_gpa & ~0xfffu, idx = (pte_gpa & 0xfff) / 4;

	if ((pte_gpa & 3) || !lg_gpa_ok(pte_gpa, 4))
		return LG_EINVAL;
	*(u32 *)lg_hva(pte_gpa) = val;
	u32 s = translate(val, &refused);
	if (refused)
		*(u32 *)lg_hva(pte_gpa) = 0;    /* the guest sees it did not take */
	for (u32 i = 0; i < SWITCHER_PDE; i++)
		if (lg.guest_pts[i] == page && lg.shadow_pts[i])
			((u32 *)lg.shadow_pts[i])[idx] = s;
	return refused ? LG_EINVAL : 0;
}

/* SET_PMD / SET_PGD: a pde of the current page directory changed. */
int lg_set_pmd(u32 pde_gpa, u32 val)
{
	u32 i = (pde_gpa & 0xfff) / 4;

	if ((pde_gpa & 3) || !lg_gpa_ok(pde_gpa, 4))
		return LG_EINVAL;
	if ((val & PTE_P) && ((val & PTE_PS) || !lg_gpa_ok(val & ~0xfffu, PAGE_SIZE) || i >= SWITCHER_PDE))
		return LG_EINVAL;
	*(u32 *)lg_hva(pde_gpa) = val;
	if ((pde_gpa & ~0xfffu) != lg.pgd_gpa || !lg.pgd_gpa || i >= SWITCHER_PDE)
		return 0;               /* not the live directory: NEW_PGTABLE reads it */
	if (lg.shadow_pts[i])
		page_free(lg.shadow_pts[i]);
	lg.shadow_pts[i] = lg.guest_pts[i] = 0;
	shadow_pgd()[i] = 0;
	if (val & PTE_P)
		build_pt(i, val);
	return 0;
}

/* Walk the guest's tables (or the initial identity map). */
bool lg_va_to_gpa(u32 va, u32 *gpa, bool write)
{
	if (!lg.pgd_gpa) {
		*gpa = va;
		return va < lg.size;
	}
	u32 pde = *(u32 *)lg_hva(lg.pgd_gpa + (va >> 22) * 4);
	if (!(pde & PTE_P) || !lg_gpa_ok(pde & ~0xfffu, PAGE_SIZE))
		return false;
	u32 pte = *(u32 *)lg_hva((pde & ~0xfffu) + ((va >> 12) & 0x3ff) * 4);
	if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
		return false;
	*gpa = (pte & ~0xfffu) | (va & 0xfff);
	return true;
}
