/*
 * The kernel's 2-level page tables (Intel SDM vol. 3 §4.3): an identity map
 * of every memory-map range below 4 GiB, global where CR4.PGE exists, and
 * the APIC MMIO pages uncached.  Page 0 stays unmapped so NULL faults; its
 * contents (the BIOS data area) are kept in a copy for the table parsers.
 * Every entry write and every page-table page goes through the table.
 */
#include "mm.h"
#include "cpu.h"

struct mm_struct init_mm;
bool pge_enabled;
u32 va_hole_start;              /* [this, 4 GiB) belongs to a VMI ROM; 0 = none */
static u8 page0_copy[PAGE_SIZE];
static u32 kernel_flags = PTE_P | PTE_W;

static pte_t *pt_for(struct mm_struct *mm, u32 va, bool create)
{
	pgd_t *pde = &mm->pgd[va >> 22];
	u32 pt;

	if (pgd_val(*pde) & PTE_P)
		return (pte_t *)(pgd_val(*pde) & ~0xfffu);
	if (!create)
		return NULL;
	pt = page_alloc();
	if (!pt)
		panic("paging: out of memory for a page table (va %#x)", va);
	paravirt_alloc_pt(pt >> PAGE_SHIFT);
	/* U and W at the pde level: the pte decides. */
	set_pmd(pde, make_pmd(pt | PTE_P | PTE_W | PTE_U));
	return (pte_t *)pt;
}

void map_page(struct mm_struct *mm, u32 va, u32 pa, u32 flags)
{
	pte_t *pt = pt_for(mm, va, true);

	set_pte(&pt[(va >> 12) & 0x3ff], make_pte((pa & ~0xfffu) | flags));
}

pte_t *lookup_pte(struct mm_struct *mm, u32 va)
{
	pte_t *pt = pt_for(mm, va, false);
	return pt ? &pt[(va >> 12) & 0x3ff] : NULL;
}

static void map_range(u64 base, u64 len, u32 flags)
{
	u64 end = base + len;

	if (end > 0x100000000ull)
		end = 0x100000000ull;
	if (va_hole_start && end > va_hole_start)
		end = va_hole_start;
	for (u64 p = base & ~0xfffull; p < end; p += PAGE_SIZE)
		if (p != 0)
			map_page(&init_mm, (u32)p, (u32)p, flags);
}

void map_mmio(u32 pa, u32 size)
{
	for (u32 p = pa & ~0xfffu; p < pa + size; p += PAGE_SIZE) {
		map_page(&init_mm, p, p, PTE_P | PTE_W | PTE_PCD | PTE_PWT);
		flush_tlb_single(p);
	}
}

/* Global pages would survive the switch into a guest's address space:
 * a host keeps them off. */
static void enable_pge(void)
{
	unsigned a, b, c, d;

	if (kopts.host == PV_LGUEST)
		return;
	cpuid(1, &a, &b, &c, &d);
	if (d & (1u << 13)) {
		write_cr4(read_cr4() | X86_CR4_PGE);
		pge_enabled = true;
		kernel_flags |= PTE_G;
	}
}

void paging_init(void)
{
	const struct pvboot_info *bi = boot_info;
	u32 pgd = page_alloc();

	memcpy(page0_copy, (void *)0, PAGE_SIZE);
	if (!pgd)
		panic("paging: out of memory for the page directory");
	init_mm.pgd = (pgd_t *)pgd;
	paravirt_pagetable_setup_start(init_mm.pgd);
	paravirt_alloc_pd(pgd >> PAGE_SHIFT);
	enable_pge();
	map_range(0, 0x100000, kernel_flags);
	map_range((u32)__kernel_start, (u32)(__kernel_end - __kernel_start), kernel_flags);
	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		map_range(bi->mmap[i].base, bi->mmap[i].length, kernel_flags);
	if (bi->screen.kind == PVSCREEN_FRAMEBUFFER && bi->screen.fb_base < 0x100000000ull)
		map_range(bi->screen.fb_base, bi->screen.fb_size, PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	paravirt_pagetable_setup_done(init_mm.pgd);
	paging_enable_ap();
	kprintf("paging: 2-level, identity map of the memory map below 4 GiB%s\n",
		pge_enabled ? ", global kernel pages" : "");
}

/* Also used by the boot CPU: cr3, then PG and WP in cr0. */
void paging_enable_ap(void)
{
	if (pge_enabled)
		write_cr4(read_cr4() | X86_CR4_PGE);
	write_cr3((u32)init_mm.pgd);
	write_cr0(read_cr0() | X86_CR0_PG | X86_CR0_WP);
}

/* A 4 MiB-aligned kernel address no pde maps yet (for tests), or 0. */
u32 paging_free_slot(void)
{
	extern u32 user_base;

	for (u32 va = 0xd0000000; va < 0xfe000000; va += 0x400000)
		if (va != user_base && !(pgd_val(init_mm.pgd[va >> 22]) & PTE_P))
			return va;
	return 0;
}

/* phys_read_fn for the firmware-table parsers: only mapped memory. */
bool phys_read(void *ctx, u64 pa, void *buf, u32 len)
{
	u8 *out = buf;

	if (pa + len > 0x100000000ull || pa + len < pa)
		return false;
	for (u32 done = 0; done < len;) {
		u32 a = (u32)pa + done;
		u32 n = PAGE_SIZE - (a & 0xfff);
		if (n > len - done)
			n = len - done;
		if (a < PAGE_SIZE)
			memcpy(out + done, page0_copy + a, n);
		else {
			pte_t *pte = lookup_pte(&init_mm, a);
			if (!pte || !(pte_val(*pte) & PTE_P))
				return false;
			memcpy(out + done, (void *)a, n);
		}
		done += n;
	}
	return true;
}
