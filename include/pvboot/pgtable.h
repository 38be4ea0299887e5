/* The two page-table formats the kernel can run (2-level, PAE) as data, entry encoding, and the ordered two-half stores of PAE entries; pure, unit-tested on the host. */
#ifndef PVBOOT_PGTABLE_H
#define PVBOOT_PGTABLE_H
#include "pvboot/types.h"

/* Entry bits beyond the 2-level set (pvboot/x86.h): PAE only. */
#define PTE_NX          (1ull << 63)    /* execute-disable, needs EFER.NXE */
#define PAE_MAXPHY_MAX  52              /* architectural limit of MAXPHYADDR */

/*
 * One paging format (Intel SDM vol. 3 §4.3 for 2-level, §4.4 for PAE):
 * levels from the top (0) down to the page tables (levels - 1).
 */
struct pt_format {
	const char *name;
	u8 levels;              /* 2 or 3 */
	u8 entry_shift;         /* log2 of the entry size: 2 (4 bytes) or 3 (8) */
	u8 shift[3];            /* first va bit of each level's index */
	u16 entries[3];         /* entries per table at each level */
	u64 max_pa;             /* first physical address an entry cannot hold */
	u64 top_flags;          /* flag bits a top-level entry may carry */
	bool has_nx;            /* bit 63 is execute-disable */
};

/* SDM vol. 3 §4.3: 10 + 10 index bits, 32-bit entries, 4 GiB. */
#define PT_FORMAT_2LEVEL {						\
	.name = "2-level", .levels = 2, .entry_shift = 2,		\
	.shift = { 22, 12 }, .entries = { 1024, 1024 },			\
	.max_pa = 1ull << 32, .top_flags = 0xfff, .has_nx = false,	\
}
/* SDM vol. 3 §4.4: 2 + 9 + 9 index bits, 64-bit entries; "PDPTE bits
 * 2:1, 8:5 and 63 are reserved" (Table 4-8), so the top level takes P,
 * PWT, PCD only. */
#define PT_FORMAT_PAE {							\
	.name = "PAE", .levels = 3, .entry_shift = 3,			\
	.shift = { 30, 21, 12 }, .entries = { 4, 512, 512 },		\
	.max_pa = 1ull << PAE_MAXPHY_MAX, .top_flags = 0x019, .has_nx = true, \
}
/* The two formats as objects; the initialisers above also let hot code
 * make constant copies the compiler folds into its index arithmetic. */
extern const struct pt_format pt_2level, pt_pae;

static inline u32 pt_index(const struct pt_format *f, unsigned level, u32 va)
{
	return (va >> f->shift[level]) & (f->entries[level] - 1u);
}

/* Bytes of address space one entry at `level` maps. */
static inline u64 pt_entry_span(const struct pt_format *f, unsigned level)
{
	return 1ull << f->shift[level];
}

/*
 * An entry for the 4 KiB-aligned physical address pa with flags (PTE_*,
 * PTE_NX) at `level`.  False, and *out untouched, when pa is not aligned
 * or beyond what the format (or a CPU with maxphy address bits, 0 = the
 * format's limit) can address, or a flag the format or level lacks is
 * set: the top level of PAE (the PDPT) takes only P, PWT and PCD.
 */
bool pt_encode(const struct pt_format *f, unsigned level, u64 pa, u64 flags,
	       unsigned maxphy, u64 *out);

/* The physical address an entry points to. */
static inline u64 pt_entry_addr(const struct pt_format *f, u64 entry)
{
	return entry & (f->max_pa - 1) & ~(u64)0xfff;
}

/* paging=: the kernel's choice of format (docs/kernel.md "Paging"). */
enum paging_mode { PAGING_AUTO, PAGING_2LEVEL, PAGING_PAE };

struct paging_facts {
	u32 want;                       /* enum paging_mode from paging= */
	bool cpu_pae, cpu_nx;
	bool ram_above_4g;              /* the memory map has RAM above 4 GiB */
	unsigned maxphy;                /* the CPU's physical address bits */
	const char *backend_refusal;    /* why the backend cannot run PAE, or NULL */
};

/*
 * PAGING_2LEVEL or PAGING_PAE for these facts; *why is one phrase saying
 * why (for the boot log).  A forced paging=pae that cannot be honoured
 * sets *refused, and *why is then the reason.  auto picks PAE when the
 * CPU and backend can and there is RAM above 4 GiB or the CPU has NX.
 */
u32 paging_decide(const struct paging_facts *f, const char **why, bool *refused);

/*
 * PAE entries are 8 bytes, written by a 32-bit CPU as two 4-byte stores.
 * A page walk (or another CPU) may read the entry between them, so the
 * order decides whether it can ever see a present entry made of one
 * value's low half and another's high half:
 *   - new value not present: the low half (which holds P) first, so the
 *     entry is not present before the high half changes;
 *   - new value present: if the old one is present, clear its low half
 *     first; then the high half; the low half (with P) last.
 * x86 keeps stores in program order (SDM vol. 3 §8.2.2), so a compiler
 * barrier between them is enough.  PXE_WRITE32/PXE_READ32 let the host
 * tests run this very code on a fake memory that checks every store.
 */
#ifndef PXE_WRITE32
#define PXE_WRITE32(p, v) (*(volatile u32 *)(p) = (v))
#define PXE_READ32(p) (*(const volatile u32 *)(p))
#endif
#define PXE_BARRIER() __asm__ __volatile__("" ::: "memory")

static inline void pae_store_halves(u32 *w, u64 v)
{
	u32 lo = (u32)v, hi = (u32)(v >> 32);

	if (!(lo & 1u)) {
		PXE_WRITE32(&w[0], lo);
		PXE_BARRIER();
		PXE_WRITE32(&w[1], hi);
		return;
	}
	if (PXE_READ32(&w[0]) & 1u) {
		PXE_WRITE32(&w[0], 0);
		PXE_BARRIER();
	}
	PXE_WRITE32(&w[1], hi);
	PXE_BARRIER();
	PXE_WRITE32(&w[0], lo);
}

/* Read an 8-byte entry with 4-byte loads: again until the low half is
 * the same before and after the high half, so both belong together. */
static inline u64 pae_load_halves(const u32 *w)
{
	u32 lo, hi;

	do {
		lo = PXE_READ32(&w[0]);
		PXE_BARRIER();
		hi = PXE_READ32(&w[1]);
		PXE_BARRIER();
	} while (PXE_READ32(&w[0]) != lo);
	return ((u64)hi << 32) | lo;
}

#endif
