/* The lguest host's checks on guest input (see pvboot/lguest_check.h);
 * descriptor layout per Intel SDM vol. 3 §3.4.5. */
#include "pvboot/lguest_check.h"
#include "pvboot/x86.h"

bool lgc_gpa_ok(u32 size, u32 gpa, u32 len)
{
	return gpa < size && len <= size - gpa;
}

u32 lgc_translate_pte(u32 base, u32 size, u32 gpte, bool *refused)
{
	u32 keep = PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_A | PTE_D;
	u32 gpa = gpte & ~0xfffu;

	if (!(gpte & PTE_P))
		return 0;
	if (!lgc_gpa_ok(size, gpa, PAGE_SIZE)) {
		*refused = true;
		return 0;
	}
	return (base + gpa) | (gpte & keep);
}

/* Keep [base, base + limit] below hole; false if base is already in it. */
static bool clamp(u32 *lo, u32 *hi, u32 hole)
{
	u32 base = (*lo >> 16) | ((*hi & 0xff) << 16) | (*hi & 0xff000000);
	u32 limit = (*lo & 0xffff) | (*hi & 0xf0000);
	u64 top = (*hi & 0x800000) ? ((u64)limit << 12) | 0xfff : limit;

	if ((u64)base + top < hole)
		return true;
	if (base >= hole || hole - base < 0x1000)
		return false;
	/* Page granular: the last byte, base + (l << 12) + 0xfff, stays below. */
	u32 l = (hole - 0x1000 - base) >> 12;
	*lo = (*lo & 0xffff0000) | (l & 0xffff);
	*hi = (*hi & ~0xf0000u) | (l & 0xf0000) | 0x800000;
	return true;
}

int lgc_check_descriptor(u32 index, u32 *lo, u32 *hi, u32 nslots,
			 u32 tss_slot, u32 ldt_slot, u32 hole)
{
	if (index == tss_slot)
		return 1;
	if (index == 0 || index >= nslots || index == ldt_slot)
		return -1;
	if (!(*hi & 0x8000))
		return 0;                       /* not present: harmless */
	if (!(*hi & 0x1000))
		return -1;                      /* system: gates, TSS, LDT */
	if (((*hi >> 13) & 3) == 0)
		*hi |= 1u << 13;                /* DPL 0 is the host's */
	if (!clamp(lo, hi, hole))
		return -1;
	*hi |= 0x100;                           /* accessed: the CPU never writes it */
	return 0;
}

struct lgc_gate lgc_decode_gate(u32 lo, u32 hi)
{
	struct lgc_gate g;

	g.handler = (hi & 0x8000) ? (lo & 0xffff) | (hi & 0xffff0000) : 0;
	g.sel = (u16)(lo >> 16);
	g.dpl = (hi >> 13) & 3;
	g.trap = ((hi >> 8) & 0xf) == 0xf;
	return g;
}
