/*
 * Shadow page tables (docs/lguest.md): the guest keeps 2-level
 * tables in its own memory; the CPU runs on the host's shadow copy, in
 * which every guest-physical address was translated to host-physical and
 * checked to lie inside guest memory.  The top pde is always the host's
 * switcher.  Global bits are dropped so no guest entry outlives a switch.
 * Each guest entry is read once (READ_ONCE) and the shadow is built from
 * that copy; an entry the host cannot honour is refused, reported, and
 * left not present, and the guest goes on.
 */
#include "lghost.h"
#include "mm.h"

#define SWITCHER_PDE (LG_SWITCHER_ADDR >> 22)

static u32 *shadow_pgd(void)
{
	return (u32 *)lghost.shadow;
}

/* A guest pte → shadow pte; 0 (not present) if it leaves guest memory. */
static u32 translate(u32 gpte, bool *refused)
{
	return lgc_translate_pte(lghost.base, lghost.size, gpte, refused);
}

static void free_shadow_pts(void)
{
	for (u32 i = 0; i < SWITCHER_PDE; i++) {
		if (lghost.shadow_pts[i])
			page_free(lghost.shadow_pts[i]);
		lghost.shadow_pts[i] = 0;
		lghost.guest_pts[i] = 0;
		shadow_pgd()[i] = 0;
	}
}

/* Shadow pde i from the guest page table at pt_gpa (0: identity map). */
static bool build_pt(u32 i, u32 gpde)
{
	u32 spt = page_alloc();
	bool refused = false;

	if (!spt) {
		lghost_kill("host out of memory for a shadow page table");
		return false;
	}
	u32 *s = (u32 *)spt;
	if (gpde == 0) {                        /* the initial identity map */
		for (u32 j = 0; j < 1024; j++) {
			u32 gpa = (i << 22) | (j << 12);
			s[j] = lghost_gpa_ok(gpa, PAGE_SIZE) ? (lghost.base + gpa) | PTE_P | PTE_W : 0;
		}
	} else {
		u32 pt_gpa = gpde & ~0xfffu;
		const u32 *g = lghost_hva(pt_gpa);
		for (u32 j = 0; j < 1024; j++)
			s[j] = translate(READ_ONCE(g[j]), &refused);
		if (refused)
			lghost_defend(LGHOST_D_PTE, "page table at gpa %#x maps pages outside guest memory: left unmapped", pt_gpa);
		lghost.guest_pts[i] = pt_gpa;
	}
	lghost.shadow_pts[i] = spt;
	shadow_pgd()[i] = spt | (gpde ? gpde & (PTE_P | PTE_W | PTE_U) : PTE_P | PTE_W);
	return true;
}

bool lghost_shadow_init(void)
{
	lghost.shadow = page_alloc();
	if (!lghost.shadow) {
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
	for (u32 i = 0; i < LGHOST_SW_PAGES; i++)
		((u32 *)spt)[i] = (lghost.sw_phys + i * PAGE_SIZE) | PTE_P |
				  (i == LGHOST_SW_PAGES - 1 ? PTE_W : 0) | PTE_A | PTE_D;
	shadow_pgd()[SWITCHER_PDE] = spt | PTE_P | PTE_W;
	lghost.sw_pt = spt;
	for (u32 i = 0; i < SWITCHER_PDE && (i << 22) < lghost.size; i++)
		if (!build_pt(i, 0))
			return false;
	*(u32 *)(LGHOST_SW_DATA + SW_GUEST_CR3) = lghost.shadow;
	return true;
}

/* A pde the host can shadow, or why not. */
static const char *pde_problem(u32 i, u32 pde)
{
	if (i >= SWITCHER_PDE)
		return "covers the switcher's 4 MiB";
	if (pde & PTE_PS)
		return "4 MiB pages are not supported";
	if (!lghost_gpa_ok(pde & ~0xfffu, PAGE_SIZE))
		return "page table outside guest memory";
	return NULL;
}

/* NEW_PGTABLE: throw the shadow away and rebuild it from the guest's pgd. */
void lghost_shadow_rebuild(u32 pgd_gpa)
{
	const u32 *g = lghost_hva(pgd_gpa);

	free_shadow_pts();
	lghost.pgd_gpa = pgd_gpa;
	for (u32 i = 0; i < 1024 && !lghost.done; i++) {
		u32 pde = READ_ONCE(g[i]);      /* once: checked and used as this copy */
		if (!(pde & PTE_P))
			continue;
		const char *why = pde_problem(i, pde);
		if (why)
			lghost_defend(LGHOST_D_PTE, "pde %u (%#x) of the directory at %#x: %s; left unmapped", i, pde, pgd_gpa, why);
		else
			build_pt(i, pde);
	}
}

/* SET_PTE: the guest changed the entry at pte_gpa (it wrote it itself). */
int lghost_set_pte(u32 pte_gpa, u32 val)
{
	bool refused = false;
	u32 page = pte_gpa & ~0xfffu, idx = (pte_gpa & 0xfff) / 4;

	if ((pte_gpa & 3) || !lghost_gpa_ok(pte_gpa, 4))
		return LG_EINVAL;
	u32 s = translate(val, &refused);
	WRITE_ONCE(*(u32 *)lghost_hva(pte_gpa), refused ? 0 : val);    /* the guest sees what took */
	if (refused)
		lghost_defend(LGHOST_D_PTE, "pte %#x at gpa %#x: page outside guest memory", val, pte_gpa);
	for (u32 i = 0; i < SWITCHER_PDE; i++)
		if (lghost.guest_pts[i] == page && lghost.shadow_pts[i])
			((u32 *)lghost.shadow_pts[i])[idx] = s;
	return refused ? LG_EINVAL : 0;
}

/* SET_PMD / SET_PGD: a pde of the current page directory changed. */
int lghost_set_pmd(u32 pde_gpa, u32 val)
{
	u32 i = (pde_gpa & 0xfff) / 4;
	const char *why = (val & PTE_P) ? pde_problem(i, val) : NULL;

	if ((pde_gpa & 3) || !lghost_gpa_ok(pde_gpa, 4))
		return LG_EINVAL;
	if (why) {
		lghost_defend(LGHOST_D_PTE, "pde %u = %#x at gpa %#x: %s", i, val, pde_gpa, why);
		return LG_EINVAL;
	}
	WRITE_ONCE(*(u32 *)lghost_hva(pde_gpa), val);
	if ((pde_gpa & ~0xfffu) != lghost.pgd_gpa || !lghost.pgd_gpa || i >= SWITCHER_PDE)
		return 0;               /* not the live directory: NEW_PGTABLE reads it */
	if (lghost.shadow_pts[i])
		page_free(lghost.shadow_pts[i]);
	lghost.shadow_pts[i] = lghost.guest_pts[i] = 0;
	shadow_pgd()[i] = 0;
	if (val & PTE_P)
		build_pt(i, val);
	return 0;
}

/* Walk the guest's tables (or the initial identity map). */
bool lghost_va_to_gpa(u32 va, u32 *gpa, bool write)
{
	if (!lghost.pgd_gpa) {
		*gpa = va;
		return va < lghost.size;
	}
	u32 pde = READ_ONCE(*(u32 *)lghost_hva(lghost.pgd_gpa + (va >> 22) * 4));
	if (!(pde & PTE_P) || !lghost_gpa_ok(pde & ~0xfffu, PAGE_SIZE))
		return false;
	u32 pte = READ_ONCE(*(u32 *)lghost_hva((pde & ~0xfffu) + ((va >> 12) & 0x3ff) * 4));
	if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
		return false;
	*gpa = (pte & ~0xfffu) | (va & 0xfff);
	return true;
}
