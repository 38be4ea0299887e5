/* The 2-level and PAE page-table formats and entry encoding (pvboot/pgtable.h). */
#include "pvboot/pgtable.h"

#define F_P   0x001u
#define F_PWT 0x008u
#define F_PCD 0x010u
#define F_LOW 0xfffu            /* flag bits below the address */

/* SDM vol. 3 §4.3: 10 + 10 index bits, 32-bit entries, 4 GiB. */
const struct pt_format pt_2level = {
	.name = "2-level",
	.levels = 2,
	.entry_shift = 2,
	.shift = { 22, 12 },
	.entries = { 1024, 1024 },
	.max_pa = 1ull << 32,
	.top_flags = F_LOW,
	.has_nx = false,
};

/* SDM vol. 3 §4.4: 2 + 9 + 9 index bits, 64-bit entries; "PDPTE bits
 * 2:1, 8:5 and 63 are reserved" (Table 4-8), so the top level takes P,
 * PWT, PCD only. */
const struct pt_format pt_pae = {
	.name = "PAE",
	.levels = 3,
	.entry_shift = 3,
	.shift = { 30, 21, 12 },
	.entries = { 4, 512, 512 },
	.max_pa = 1ull << PAE_MAXPHY_MAX,
	.top_flags = F_P | F_PWT | F_PCD,
	.has_nx = true,
};

bool pt_encode(const struct pt_format *f, unsigned level, u64 pa, u64 flags,
	       unsigned maxphy, u64 *out)
{
	u64 limit = f->max_pa;
	u64 allowed = level == 0 ? f->top_flags : F_LOW | (f->has_nx ? PTE_NX : 0);

	if (level >= f->levels || (pa & F_LOW))
		return false;
	if (maxphy && maxphy < PAE_MAXPHY_MAX && (1ull << maxphy) < limit)
		limit = 1ull << maxphy;
	if (pa >= limit || (flags & ~allowed))
		return false;
	*out = pa | flags;
	return true;
}

u64 pt_entry_addr(const struct pt_format *f, u64 entry)
{
	return entry & (f->max_pa - 1) & ~(u64)F_LOW;
}

u32 paging_decide(const struct paging_facts *f, const char **why, bool *refused)
{
	const char *cannot = !f->cpu_pae ? "the CPU has no PAE (CPUID leaf 1 EDX bit 6 clear)"
			   : f->backend_refusal;

	*refused = false;
	if (f->want == PAGING_2LEVEL) {
		*why = "paging=2level";
		return PAGING_2LEVEL;
	}
	if (cannot) {
		*refused = f->want == PAGING_PAE;
		*why = cannot;
		return PAGING_2LEVEL;
	}
	if (f->want == PAGING_PAE)
		*why = "paging=pae";
	else if (f->ram_above_4g)
		*why = "auto: RAM above 4 GiB";
	else if (f->cpu_nx)
		*why = "auto: the CPU has NX";
	else {
		*why = "auto: no RAM above 4 GiB that the CPU can address, and no NX";
		return PAGING_2LEVEL;
	}
	return PAGING_PAE;
}
