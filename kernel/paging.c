/*
 * The kernel's page tables, in the format chosen at boot: 2-level (Intel
 * SDM vol. 3 §4.3) or PAE (§4.4), both described as data by
 * pvboot/pgtable.h so one walker serves either.  An identity map of every
 * memory-map range below 4 GiB, global where CR4.PGE exists, execute-
 * disable on everything but code where NX exists, and the APIC MMIO pages
 * uncached.  Page 0 stays unmapped so NULL faults; its contents (the BIOS
 * data area) are kept in a copy for the table parsers.  Every entry write
 * and every page-table page goes through the table.
 */
#include "mm.h"
#include "cpu.h"
#include "kparavirt.h"

struct mm_struct init_mm;
const struct pt_format *pt_fmt = &pt_2level;
bool paging_pae, nx_enabled, pge_enabled;
unsigned paging_maxphy = 32;
u32 va_hole_start;              /* [this, 4 GiB) belongs to a VMI ROM; 0 = none */
static u8 page0_copy[PAGE_SIZE];
static u64 kernel_flags = PTE_P | PTE_W;
static u32 exec_ranges[4][2];   /* [base, end) kept executable under NX */
static u32 nexec;
static u32 kmap_base;           /* one window page per CPU */

/* ---- walking ------------------------------------------------------------ */

/* A fresh table for the entry e at `level`, linked in through the table. */
static u32 new_table(pxe_t *e, unsigned level, u32 va)
{
	u32 t = page_alloc();

	if (!t)
		panic("paging: out of memory for a page table (va %#x)", va);
	if (level + 2 == pt_fmt->levels) {
		paravirt_alloc_pt(t >> PAGE_SHIFT);
		map_pt_hook(0, (pxe_t *)t, t >> PAGE_SHIFT);
		/* U and W at the directory level: the pte decides. */
		set_pmd(e, make_pmd(t | PTE_P | PTE_W | PTE_U));
	} else {                        /* a PAE page directory */
		paravirt_alloc_pd(t >> PAGE_SHIFT);
		set_pud(e, make_pgd(t | PTE_P));
	}
	return t | PTE_P;
}

/*
 * Follow va from the top table down to `level` (0 = top), stopping early
 * at a directory entry that is not present: returns the entry where it
 * stopped and its level in *at.  Every table the kernel makes comes from
 * page_alloc (below 4 GiB), so the low half of a directory entry holds
 * all a walk needs, P and the next table's address, in either format.
 * No calls, so the lookups that use it stay short.
 */
static inline __attribute__((always_inline))
pxe_t *descend_in(const struct pt_format *f, const pxe_t *top, u32 va,
		  unsigned level, unsigned *at)
{
	u32 table = (u32)top;
	unsigned l;

	for (l = 0; l < level; l++) {
		u32 v = *(const volatile u32 *)pxe_at((void *)table, pt_index(f, l, va));
		if (!(v & PTE_P))
			break;
		table = v & ~0xfffu;
	}
	*at = l;
	return pxe_at((void *)table, pt_index(f, l, va));
}

/* Constant copies of the two formats: each use of descend_in() below is
 * compiled once per format with the index arithmetic folded. */
static const struct pt_format fmt_2level = PT_FORMAT_2LEVEL, fmt_pae = PT_FORMAT_PAE;

static pxe_t *descend(const pxe_t *top, u32 va, unsigned level, unsigned *at)
{
	if (paging_pae)
		return descend_in(&fmt_pae, top, va, level, at);
	return descend_in(&fmt_2level, top, va, level, at);
}

/* The entry for va at `level`, or NULL where a table is missing. */
static inline __attribute__((always_inline))
pxe_t *lookup(struct mm_struct *mm, u32 va, unsigned level)
{
	unsigned at;
	pxe_t *e = descend(mm->pgd, va, level, &at);

	return at == level ? e : NULL;
}

/* The same, making the missing tables on the way. */
static pxe_t *walk_create(struct mm_struct *mm, u32 va, unsigned level)
{
	unsigned at;
	pxe_t *e;

	while ((e = descend(mm->pgd, va, level, &at)), at < level)
		new_table(e, at, va);
	return e;
}

static unsigned leaf(void) { return pt_fmt->levels - 1u; }

pxe_t *lookup_pte(struct mm_struct *mm, u32 va)
{
	unsigned at;
	pxe_t *e;

	/* spelled out per format: the hot lookup (page faults) */
	if (paging_pae)
		e = descend_in(&fmt_pae, mm->pgd, va, fmt_pae.levels - 1u, &at);
	else
		e = descend_in(&fmt_2level, mm->pgd, va, fmt_2level.levels - 1u, &at);
	return at == leaf() ? e : NULL;
}
pxe_t *pgtable_pte(struct mm_struct *mm, u32 va) { return walk_create(mm, va, leaf()); }
u32 pgtable_pt_span(void) { return (u32)pt_entry_span(pt_fmt, leaf() - 1); }

void map_page(struct mm_struct *mm, u32 va, u64 pa, u64 flags)
{
	u64 e;

	if (!pt_encode(pt_fmt, leaf(), pa & ~0xfffull, flags, paging_maxphy, &e))
		panic("paging: %s cannot map va %#x to pa %#llx with flags %#llx",
		      pt_fmt->name, va, pa, flags);
	set_pte(pgtable_pte(mm, va), make_pte(e));
}

/* No page table anywhere in [va, va + len). */
bool pgtable_range_free(struct mm_struct *mm, u32 va, u32 len)
{
	for (u32 off = 0; off < len; off += pgtable_pt_span()) {
		pxe_t *d = lookup(mm, va + off, leaf() - 1);
		if (d && (pmd_val(pxe_get(d)) & PTE_P))
			return false;
	}
	return true;
}

/* Unhook and free the page tables of [va, va + len); their ptes must be
 * clear already. */
void pgtable_free_tables(struct mm_struct *mm, u32 va, u32 len)
{
	for (u32 off = 0; off < len; off += pgtable_pt_span()) {
		pxe_t *d = lookup(mm, va + off, leaf() - 1);
		u64 v = d ? pmd_val(pxe_get(d)) : 0;
		if (!(v & PTE_P))
			continue;
		u32 pt = (u32)pt_entry_addr(pt_fmt, v);
		pmd_clear(d);
		paravirt_release_pt(pt >> PAGE_SHIFT);
		page_free(pt);
	}
}

/* ---- address spaces ------------------------------------------------------- */

/* A copy of the kernel directory at pa (n entries) in a new page. */
static u32 clone_dir(u32 kernel_dir, u32 n)
{
	u32 d = page_alloc();

	if (!d)
		return 0;
	paravirt_alloc_pd(d >> PAGE_SHIFT);
	memcpy((void *)d, (const void *)kernel_dir, PAGE_SIZE);
	paravirt_alloc_pd_clone(d >> PAGE_SHIFT, kernel_dir >> PAGE_SHIFT, 0, n);
	return d;
}

/*
 * A new address space holding the kernel's mappings.  2-level: a copy of
 * the page directory.  PAE: a PDPT over copies of all four page
 * directories, so that each space has directory entries of its own
 * wherever its user slot lies (the PDPT itself takes no hooks).
 */
pxe_t *pgd_alloc_kernel(void)
{
	if (!paging_pae)
		return (pxe_t *)clone_dir((u32)init_mm.pgd, pt_fmt->entries[0]);
	u32 top = page_alloc();
	for (u32 i = 0; top && i < pt_fmt->entries[0]; i++) {
		u64 k = pgd_val(pxe_get(pxe_at(init_mm.pgd, i)));
		u32 d = clone_dir((u32)pt_entry_addr(pt_fmt, k), pt_fmt->entries[1]);
		if (!d) {
			pgd_free((pxe_t *)top);
			return NULL;
		}
		set_pud(pxe_at((void *)top, i), make_pgd(d | PTE_P));
	}
	return (pxe_t *)top;
}

void pgd_free(pxe_t *pgd)
{
	for (u32 i = 0; paging_pae && i < pt_fmt->entries[0]; i++) {
		u64 v = pgd_val(pxe_get(pxe_at(pgd, i)));
		if (!(v & PTE_P))
			continue;
		paravirt_release_pd((u32)pt_entry_addr(pt_fmt, v) >> PAGE_SHIFT);
		page_free((u32)pt_entry_addr(pt_fmt, v));
	}
	if (!paging_pae)
		paravirt_release_pd((u32)pgd >> PAGE_SHIFT);
	page_free((u32)pgd);
}

/* ---- choosing the format ------------------------------------------------- */

/*
 * What the CPU offers (SDM vol. 2A CPUID): PAE in leaf 1 EDX bit 6, NX in
 * leaf 0x80000001 EDX bit 20, the physical address width in leaf
 * 0x80000008 EAX[7:0].  Without that leaf the SDM says the width is
 * "generally" 36 with PAE; QEMU's i386 CPUs give 36 only with PSE-36
 * (leaf 1 EDX bit 17) and 32 otherwise, so 36 is believed only then.
 */
static void probe_cpu(struct paging_facts *f)
{
	unsigned a, b, c, d, d1, ext;

	cpuid(1, &a, &b, &c, &d1);
	f->cpu_pae = d1 & (1u << 6);
	cpuid(0x80000000, &ext, &b, &c, &d);
	if (ext >= 0x80000001 && ext <= 0x8000ffff) {
		cpuid(0x80000001, &a, &b, &c, &d);
		f->cpu_nx = d & (1u << 20);
	}
	f->maxphy = f->cpu_pae && (d1 & (1u << 17)) ? 36 : 32;
	if (ext >= 0x80000008 && ext <= 0x8000ffff) {
		cpuid(0x80000008, &a, &b, &c, &d);
		if ((a & 0xff) >= 32)
			f->maxphy = a & 0xff;
	}
}

/*
 * Runs once the backend's table is in pv_ops and before anything is
 * patched or traced, so the entry ops chosen here are the ones the call
 * sites get.  use_pae switches a copy of the table to PAE entry ops or
 * says why the backend cannot (its answer is the refusal reason).
 */
void paging_select(const char *(*use_pae)(struct paravirt_patch_template *t))
{
	static struct paravirt_patch_template pae_table;
	struct paging_facts f = { .want = kopts.paging };
	const struct pv_host *host = pv_host_current();
	const char *why;

	probe_cpu(&f);
	/* Only RAM the CPU can address counts for auto. */
	f.ram_above_4g = f.cpu_pae && mem_ram_in(1ull << 32, 1ull << f.maxphy) != 0;
	pae_table = pv_ops;
	f.backend_refusal = host && host->pae_refusal ? host->pae_refusal : use_pae(&pae_table);
	bool refused = false;
	u32 mode = paging_decide(&f, &why, &refused);
	if (refused) {
		kprintf("paging: paging=pae refused: %s; continuing 2-level\n", why);
		why = "paging=pae refused";
	}
	if (mode == PAGING_PAE) {
		pv_ops = pae_table;
		pt_fmt = &pt_pae;
		paging_pae = true;
		paging_maxphy = f.maxphy < PAE_MAXPHY_MAX ? f.maxphy : PAE_MAXPHY_MAX;
		nx_enabled = f.cpu_nx;
	}
	kprintf("paging: %s (%s)%s; %u-bit physical addresses\n", pt_fmt->name, why,
		nx_enabled ? "; NX on" : f.cpu_nx ? "; the CPU has NX, unused under 2-level paging" : "",
		paging_pae ? paging_maxphy : 32);
}

/* ---- the kernel's identity map ------------------------------------------- */

void paging_allow_exec(u32 base, u32 len)
{
	if (nexec < ARRAY_SIZE(exec_ranges)) {
		exec_ranges[nexec][0] = base & ~0xfffu;
		exec_ranges[nexec][1] = base + len;
		nexec++;
	}
}

/* Code may run from low memory (trampolines, firmware), the kernel's
 * text and what a backend registered; everything else is data. */
static u64 nx_for(u32 pa)
{
	if (!nx_enabled || pa < 0x100000)
		return 0;
	if (pa >= (u32)__kernel_start && pa < (u32)__text_end)
		return 0;
	for (u32 i = 0; i < nexec; i++)
		if (pa >= exec_ranges[i][0] && pa < exec_ranges[i][1])
			return 0;
	return PTE_NX;
}

static void map_range(u64 base, u64 len, u64 flags)
{
	u64 end = base + len;

	if (end > 0x100000000ull || end < base)
		end = 0x100000000ull;
	if (va_hole_start && end > va_hole_start)
		end = va_hole_start;
	for (u64 p = base & ~0xfffull; p < end; p += PAGE_SIZE)
		if (p != 0)
			map_page(&init_mm, (u32)p, p, flags | nx_for((u32)p));
}

void map_mmio(u32 pa, u32 size)
{
	for (u32 p = pa & ~0xfffu; p < pa + size; p += PAGE_SIZE) {
		map_page(&init_mm, p, p, PTE_P | PTE_W | PTE_PCD | PTE_PWT | nx_for(p));
		flush_tlb_single(p);
	}
}

/* Global pages would survive the switch into a guest's address space:
 * a host role that switches so keeps them off. */
static void enable_pge(void)
{
	const struct pv_host *host = pv_host_current();
	unsigned a, b, c, d;

	if (host && host->no_global_pages)
		return;
	cpuid(1, &a, &b, &c, &d);
	if (d & (1u << 13)) {
		pge_enabled = true;
		kernel_flags |= PTE_G;
	}
}

/* The top table; under PAE all four page directories at once, because
 * the CPU reads the PDPT only when CR3 is loaded (SDM vol. 3 §4.4.1). */
static void alloc_top(void)
{
	u32 pgd = page_alloc();

	if (!pgd)
		panic("paging: out of memory for the page directory");
	init_mm.pgd = (pxe_t *)pgd;
	paravirt_pagetable_setup_start(init_mm.pgd);
	if (!paging_pae) {
		paravirt_alloc_pd(pgd >> PAGE_SHIFT);
		return;
	}
	for (u32 i = 0; i < pt_fmt->entries[0]; i++)
		walk_create(&init_mm, i << pt_fmt->shift[0], 1);
}

/* Per-CPU kmap windows: one page table's worth of VA, pages by CPU id. */
static void kmap_init(void)
{
	kmap_base = paging_free_slot();
	if (!kmap_base)
		panic("paging: no free kernel range for the kmap windows");
	for (u32 i = 0; i < MAX_CPUS; i++)
		pgtable_pte(&init_mm, kmap_base + i * PAGE_SIZE);
}

void paging_init(void)
{
	const struct pvboot_info *bi = boot_info;

	memcpy(page0_copy, (void *)0, PAGE_SIZE);
	alloc_top();
	enable_pge();
	map_range(0, 0x100000, kernel_flags);
	map_range((u32)__kernel_start, (u32)(__kernel_end - __kernel_start), kernel_flags);
	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		map_range(bi->mmap[i].base, bi->mmap[i].length, kernel_flags);
	if (bi->screen.kind == PVSCREEN_FRAMEBUFFER && bi->screen.fb_base < 0x100000000ull)
		map_range(bi->screen.fb_base, bi->screen.fb_size, PTE_P | PTE_W | PTE_PCD | PTE_PWT);
	kmap_init();
	paravirt_pagetable_setup_done(init_mm.pgd);
	paging_enable_ap();
	kprintf("paging: %s, identity map of the memory map below 4 GiB%s%s\n", pt_fmt->name,
		pge_enabled ? ", global kernel pages" : "",
		nx_enabled ? ", data pages execute-disable (NX)" : "");
}

/* The boot CPU: CR4 (PGE, PAE) and EFER.NXE, then cr3, then PG and WP in
 * cr0.  APs do the same in kernel/trampoline.S or through their backend. */
void paging_enable_ap(void)
{
	u32 cr4 = (pge_enabled ? X86_CR4_PGE : 0) | (paging_pae ? X86_CR4_PAE : 0);
	int err;

	if (cr4)
		write_cr4(read_cr4() | cr4);
	if (nx_enabled)
		wrmsr_safe(MSR_EFER, rdmsr_safe(MSR_EFER, &err) | EFER_NXE);
	write_cr3((u32)init_mm.pgd);
	write_cr0(read_cr0() | X86_CR0_PG | X86_CR0_WP);
}

/* A 4 MiB-aligned kernel address with no page table yet (for tests), or 0. */
u32 paging_free_slot(void)
{
	extern u32 user_base;

	for (u32 va = 0xd0000000; va < 0xfe000000; va += 0x400000)
		if (va != user_base && pgtable_range_free(&init_mm, va, 0x400000))
			return va;
	return 0;
}

/* ---- kmap ---------------------------------------------------------------- */

void *kmap(u64 pa)
{
	u32 va = kmap_base + current_cpu_id() * PAGE_SIZE;

	map_page(&init_mm, va, pa & ~0xfffull, PTE_P | PTE_W | (nx_enabled ? PTE_NX : 0));
	flush_tlb_single(va);
	return (void *)(va + (u32)(pa & 0xfff));
}

void kunmap(void *va)
{
	u32 page = (u32)va & ~0xfffu;

	pte_clear(&init_mm, page, lookup_pte(&init_mm, page));
	flush_tlb_single(page);
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
			pxe_t *pte = lookup_pte(&init_mm, a);
			if (!pte || !(pte_val(pxe_get(pte)) & PTE_P))
				return false;
			memcpy(out + done, (void *)a, n);
		}
		done += n;
	}
	return true;
}
