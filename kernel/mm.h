/* Physical pages and the kernel's page tables (2-level or PAE, chosen at boot). */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H
#include "kernel.h"
#include "pvboot/pgtable.h"

struct mm_struct {
	pxe_t *pgd;             /* top table: page directory, or PAE's PDPT (virt == phys) */
};
extern struct mm_struct init_mm;

/* Physical page allocator (kernel/mem.c); 0 means out of memory. */
void mem_init(void);
u32 page_alloc(void);           /* zeroed page below 4 GiB, identity mapped */
u32 pages_alloc(u32 n);         /* n contiguous zeroed pages */
void page_free(u32 pa);
u64 page_alloc_high(void);      /* a page above 4 GiB (PAE only), not zeroed */
void page_free_high(u64 pa);
u32 mem_free_pages(void);
u32 mem_total_pages(void);
u32 mem_high_free_pages(void);
u32 mem_high_total_pages(void);
u64 mem_ram_in(u64 lo, u64 hi); /* bytes of RAM in the memory map in [lo, hi) */

/* Paging (kernel/paging.c) */
extern const struct pt_format *pt_fmt;  /* the format in force */
extern bool paging_pae;                 /* pt_fmt == &pt_pae */
extern bool nx_enabled;                 /* EFER.NXE on, PTE_NX honoured */
extern unsigned paging_maxphy;          /* the CPU's physical address bits */
extern bool pge_enabled;
extern u32 va_hole_start;       /* the VMI ROM's virtual_top, 0 = none */

/* Entry i of a table in the current format, and reading one entry. */
static inline pxe_t *pxe_at(const void *table, u32 i)
{
	return (pxe_t *)((u32)table + (i << pt_fmt->entry_shift));
}
static inline u64 pxe_get(const pxe_t *p)
{
	if (paging_pae)
		return pae_load_halves((const u32 *)p);
	return *(const volatile u32 *)p;
}

/* SDM vol. 2A CMPXCHG8B: if edx:eax equals the 8 bytes at p, store
 * ecx:ebx there; edx:eax ends as what p held.  Returns that. */
static inline u64 pxe_cmpxchg8b(pxe_t *p, u64 expect, u64 v)
{
	u32 lo = (u32)expect, hi = (u32)(expect >> 32);

	asm volatile("lock cmpxchg8b (%4)"
		     : "+a"(lo), "+d"(hi)
		     : "b"((u32)v), "c"((u32)(v >> 32)), "S"(p)
		     : "memory", "cc");
	return ((u64)hi << 32) | lo;
}

/* Swap v into a PAE entry as one 8-byte store; returns the old entry. */
static inline u64 pxe_xchg8b(pxe_t *p, u64 v)
{
	u64 seen = pae_load_halves((const u32 *)p), prev;

	while ((prev = pxe_cmpxchg8b(p, seen, v)) != seen)
		seen = prev;
	return prev;
}

/* Before anything is patched: the format (paging=, the CPU, the
 * backend's use_pae, which switches the table's entry ops) and NX. */
void paging_select(const char *(*use_pae)(struct paravirt_patch_template *t));
void paging_init(void);
void paging_enable_ap(void);    /* this CPU: CR4, EFER, CR3, then CR0.PG */
void paging_allow_exec(u32 base, u32 len);  /* keep [base, +len) executable under NX */

void map_page(struct mm_struct *mm, u32 va, u64 pa, u64 flags);
void map_mmio(u32 pa, u32 size);
pxe_t *lookup_pte(struct mm_struct *mm, u32 va);        /* NULL: no page table */
pxe_t *pgtable_pte(struct mm_struct *mm, u32 va);       /* page table made if missing */
u32 pgtable_pt_span(void);      /* bytes one page table maps */
bool pgtable_range_free(struct mm_struct *mm, u32 va, u32 len);  /* no table there */
void pgtable_free_tables(struct mm_struct *mm, u32 va, u32 len); /* unhook and free them */
pxe_t *pgd_alloc_kernel(void);  /* a new top table holding the kernel's mappings */
void pgd_free(pxe_t *pgd);
u32 paging_free_slot(void);     /* a free 4 MiB-aligned kernel range, or 0 */
bool phys_read(void *ctx, u64 pa, void *buf, u32 len);  /* phys_read_fn */

/* A per-CPU window onto any physical page (pages above 4 GiB): valid
 * until kunmap on the same CPU, with interrupts off in between. */
void *kmap(u64 pa);
void kunmap(void *va);

#endif
