/* The 2-level and PAE page-table formats and entry encoding (pvboot/pgtable.h). */
#include "pvboot/pgtable.h"

#define F_LOW 0xfffu            /* flag bits below the address */

const struct pt_format pt_2level = PT_FORMAT_2LEVEL;
const struct pt_format pt_pae = PT_FORMAT_PAE;

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
