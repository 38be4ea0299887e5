/* Physical pages and the kernel's 2-level page tables. */
#ifndef KERNEL_MM_H
#define KERNEL_MM_H
#include "kernel.h"

struct mm_struct {
	pgd_t *pgd;             /* page directory (identity: virt == phys) */
};
extern struct mm_struct init_mm;

/* Physical page allocator (kernel/mem.c); 0 means out of memory. */
void mem_init(void);
u32 page_alloc(void);           /* zeroed page */
u32 pages_alloc(u32 n);         /* n contiguous zeroed pages */
void page_free(u32 pa);
u32 mem_free_pages(void);
u32 mem_total_pages(void);

/* Paging (kernel/paging.c) */
void paging_init(void);
void map_page(struct mm_struct *mm, u32 va, u32 pa, u32 flags);
void map_mmio(u32 pa, u32 size);
pte_t *lookup_pte(struct mm_struct *mm, u32 va);
bool phys_read(void *ctx, u64 pa, void *buf, u32 len);  /* phys_read_fn */
void paging_enable_ap(void);
u32 paging_free_slot(void);    /* load the kernel's cr3 on an AP */
extern bool pge_enabled;
extern u32 va_hole_start;       /* the VMI ROM's virtual_top, 0 = none */

#endif
