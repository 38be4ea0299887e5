/* Boot module placement : lowest free page-aligned RAM range per the E820 map, clear of the given ranges. */
#include "modplace.h"

#define PAGE 0x1000ull

static u64 page_up(u64 a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

static bool overlaps(u64 lo, u64 hi, u64 blo, u64 bhi)
{
	return lo < bhi && blo < hi;
}

/* [lo, hi) covered by RAM entries, possibly several adjacent ones. */
static bool in_ram(const struct pvboot_mmap_entry *m, u32 n, u64 lo, u64 hi)
{
	for (u32 pass = 0; pass <= n && lo < hi; pass++) {
		u64 next = lo;

		for (u32 i = 0; i < n; i++)
			if (m[i].type == E820_RAM && m[i].base <= lo && m[i].base + m[i].length > next)
				next = m[i].base + m[i].length;
		if (next == lo)
			return false;
		lo = next;
	}
	return lo >= hi;
}

static bool touches_non_ram(const struct pvboot_mmap_entry *m, u32 n, u64 lo, u64 hi)
{
	for (u32 i = 0; i < n; i++)
		if (m[i].type != E820_RAM && overlaps(lo, hi, m[i].base, m[i].base + m[i].length))
			return true;
	return false;
}

static bool touches_avoid(const struct mod_range *av, u32 n, u64 lo, u64 hi)
{
	for (u32 i = 0; i < n; i++)
		if (overlaps(lo, hi, av[i].lo, av[i].hi))
			return true;
	return false;
}

struct place_req {
	const struct pvboot_mmap_entry *mmap;
	u32 nmap;
	const struct mod_range *avoid;
	u32 navoid;
	u64 from, limit, size;
};

/* Page-align candidate c (at least from); true with *a if the module fits there. */
static bool fits(const struct place_req *r, u64 c, u64 *a)
{
	u64 lo = page_up(c < r->from ? r->from : c), hi = lo + r->size;

	*a = lo;
	return hi <= r->limit && in_ram(r->mmap, r->nmap, lo, hi) &&
	       !touches_non_ram(r->mmap, r->nmap, lo, hi) &&
	       !touches_avoid(r->avoid, r->navoid, lo, hi);
}

/* Keep the lowest fitting address seen. */
static void consider(const struct place_req *r, u64 c, u64 *best)
{
	u64 a;

	if (fits(r, c, &a) && (!*best || a < *best))
		*best = a;
}

/*
 * The lowest fit starts at `from`, at the start of a RAM entry, or right
 * after something in the way (a non-RAM entry or an avoided range): only
 * those candidates need checking.
 */
u32 mod_place_choose(const struct pvboot_mmap_entry *mmap, u32 nmap,
		     const struct mod_range *avoid, u32 navoid, u32 from, u32 limit, u32 size)
{
	struct place_req r = { mmap, nmap, avoid, navoid, from, limit, size };
	u64 best = 0;

	if (!size)
		return 0;
	if (r.from < MOD_PLACE_MIN)
		r.from = MOD_PLACE_MIN;
	consider(&r, r.from, &best);
	for (u32 i = 0; i < nmap; i++)
		consider(&r, mmap[i].type == E820_RAM ? mmap[i].base : mmap[i].base + mmap[i].length,
			 &best);
	for (u32 i = 0; i < navoid; i++)
		consider(&r, avoid[i].hi, &best);
	return best < 0x100000000ull ? (u32)best : 0;
}
