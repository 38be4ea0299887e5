/* The lguest host's shadow page-table cache bookkeeping (include/pvboot/lguest_shadow.h). */
#include "pvboot/lguest_shadow.h"

void lgs_init(struct lgs_cache *c, u16 *by_pfn, u32 npages)
{
	for (int d = 0; d < LGS_DIRS; d++) {
		c->gpgd[d] = LGS_NO_DIR;
		c->used[d] = 0;
	}
	c->clock = 0;
	c->by_pfn = by_pfn;
	c->npages = npages;
	c->nfree = LGS_MAX_PTS;
	/* Handed out from the top of the stack: lowest index first. */
	for (u32 i = 0; i < LGS_MAX_PTS; i++)
		c->free_idx[i] = (u16)(LGS_MAX_PTS - 1 - i);
}

/* ---- directories ---------------------------------------------------------- */

int lgs_dir_find(struct lgs_cache *c, u32 gpgd, u32 among)
{
	if (gpgd == LGS_NO_DIR)
		return -1;
	for (int d = 0; d < LGS_DIRS; d++)
		if ((among & (1u << d)) && c->gpgd[d] == gpgd) {
			c->used[d] = ++c->clock;
			return d;
		}
	return -1;
}

int lgs_dir_victim(const struct lgs_cache *c, u32 among)
{
	int best = -1;

	for (int d = 0; d < LGS_DIRS; d++) {
		if (!(among & (1u << d)))
			continue;
		if (c->gpgd[d] == LGS_NO_DIR)
			return d;
		/* The clock only grows, so the smallest stamp is the oldest use;
		 * unsigned differences keep that true when it wraps. */
		if (best < 0 || c->clock - c->used[d] > c->clock - c->used[best])
			best = d;
	}
	return best;
}

/* The LGS_IS_DIR mark of a directory key that is a guest page: on while
 * any slot has that key. */
static void mark_dir(struct lgs_cache *c, u32 gpgd, bool on)
{
	if (gpgd == LGS_NO_DIR || gpgd == LGS_IDMAP || (gpgd & 0xfffu) || (gpgd >> 12) >= c->npages)
		return;
	for (int d = 0; !on && d < LGS_DIRS; d++)
		on = c->gpgd[d] == gpgd;
	if (on)
		c->by_pfn[gpgd >> 12] |= LGS_IS_DIR;
	else
		c->by_pfn[gpgd >> 12] &= ~LGS_IS_DIR;
}

void lgs_dir_set(struct lgs_cache *c, int d, u32 gpgd)
{
	u32 old = c->gpgd[d];

	c->gpgd[d] = gpgd;
	c->used[d] = ++c->clock;
	mark_dir(c, old, false);        /* stays on if another slot has the key */
	mark_dir(c, gpgd, true);
}

/* ---- page tables ---------------------------------------------------------- */

static bool pfn_of(const struct lgs_cache *c, u32 gpt, u32 *pfn)
{
	if (gpt & 0xfffu)
		return false;
	*pfn = gpt >> 12;
	return *pfn < c->npages;
}

int lgs_pt_add(struct lgs_cache *c, u32 gpt, u32 spt)
{
	u32 pfn;

	if (!pfn_of(c, gpt, &pfn) || (c->by_pfn[pfn] & LGS_PT_MASK) || !c->nfree)
		return -1;
	u16 i = c->free_idx[--c->nfree];
	c->pt[i].gpt = gpt;
	c->pt[i].spt = spt;
	for (int d = 0; d < LGS_DIRS; d++)
		c->pt[i].refs[d] = 0;
	c->by_pfn[pfn] = (u16)((c->by_pfn[pfn] & LGS_IS_DIR) | (i + 1));
	return i;
}

void lgs_pt_ref(struct lgs_cache *c, int i, int d)
{
	c->pt[i].refs[d]++;     /* at most 1023 slots per directory: no overflow */
}

u32 lgs_pt_unref(struct lgs_cache *c, int i, int d)
{
	struct lgs_pt *p = &c->pt[i];

	if (!p->refs[d])
		return 0;       /* not this directory's: nothing to drop */
	if (--p->refs[d] || lgs_pt_users(c, i))
		return 0;
	c->by_pfn[p->gpt >> 12] &= LGS_IS_DIR;
	c->free_idx[c->nfree++] = (u16)i;
	return p->spt;
}

u32 lgs_pt_users(const struct lgs_cache *c, int i)
{
	u32 m = 0;

	for (int d = 0; d < LGS_DIRS; d++)
		if (c->pt[i].refs[d])
			m |= 1u << d;
	return m;
}

u32 lgs_pt_count(const struct lgs_cache *c)
{
	return LGS_MAX_PTS - c->nfree;
}
