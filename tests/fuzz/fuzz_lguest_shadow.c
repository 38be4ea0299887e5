/*
 * libFuzzer target: the lguest host's shadow cache bookkeeping
 * (lib/lguest_shadow.c) driven by a hostile guest's addresses.  The input
 * is a sequence of operations (directory set/find/victim, table
 * add/ref/unref) on guest addresses mostly inside a small guest, some
 * unaligned or outside; after each, the cache must agree with a plain
 * model: which page each table mirrors, its users, when its shadow is
 * handed back (exactly once, with its last user), which pages are marked
 * as directories (while any slot has the key: two vCPUs may share one),
 * and that eviction picks only among the slots it is offered.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/lguest_shadow.h"

#define PAGES 64u

static struct lgs_cache c;
static u16 by_pfn[PAGES];

/* The model: refs per page (the cache's index is its own business). */
static u32 refs[PAGES][LGS_DIRS], spt_of[PAGES];
static bool held[PAGES];

static u32 addr(const uint8_t *b)
{
	switch (b[0] & 7) {
	case 0: return (u32)b[1] << 24 | (u32)b[2] << 12 | b[0];        /* anywhere */
	case 1: return ((u32)(b[1] % PAGES) << 12) | 4;                   /* unaligned */
	case 2: return (PAGES + b[1]) << 12;                              /* just outside */
	}
	return (u32)(b[1] % PAGES) << 12;
}

static void check_pages(void)
{
	u32 n = 0;

	for (u32 p = 0; p < PAGES; p++) {
		bool dir = false;
		for (int d = 0; d < LGS_DIRS; d++)
			dir |= c.gpgd[d] == p << 12;
		int i = lgs_pt_find(&c, p << 12);
		if (dir != !!(lgs_page(&c, p << 12) & LGS_IS_DIR) || held[p] != (i >= 0))
			abort();
		if (i >= 0 && (c.pt[i].gpt != p << 12 || c.pt[i].spt != spt_of[p]))
			abort();
		for (int d = 0; i >= 0 && d < LGS_DIRS; d++)
			if (c.pt[i].refs[d] != refs[p][d])
				abort();
		n += held[p];
	}
	if (lgs_pt_count(&c) != n)
		abort();
}

static void victim(u32 among)
{
	int v = lgs_dir_victim(&c, among);
	int empty = -1;

	for (int d = 0; d < LGS_DIRS; d++)
		if ((among & (1u << d)) && c.gpgd[d] == LGS_NO_DIR && empty < 0)
			empty = d;
	if (empty >= 0 ? v != empty : (!among ? v != -1 : (v < 0 || !(among & (1u << v)))))
		abort();
	for (int d = 0; v >= 0 && empty < 0 && d < LGS_DIRS; d++)   /* and the least recent of them */
		if ((among & (1u << d)) && c.clock - c.used[d] > c.clock - c.used[v])
			abort();
}

static void step(const uint8_t *b)
{
	u32 a = addr(b + 1), p = a >> 12;
	int d = b[3] % LGS_DIRS;
	bool ok = !(a & 0xfff) && p < PAGES;

	switch (b[0] % 6) {
	case 0:         /* a directory key, maybe one another slot has too */
		lgs_dir_set(&c, d, b[4] & 1 ? LGS_NO_DIR : a);
		break;
	case 1: {
		u32 among = ((u32)b[4] * 0x01010101u) >> (b[3] & 7);
		int f = lgs_dir_find(&c, a, among);
		bool there = false;
		for (int k = 0; k < LGS_DIRS; k++)
			there |= (among & (1u << k)) && c.gpgd[k] == a && a != LGS_NO_DIR;
		if (f >= 0 ? !(among & (1u << f)) || c.gpgd[f] != a : there)
			abort();
		break;
	}
	case 2: victim(((u32)b[4] * 0x01010101u) >> (b[3] & 7)); break;
	case 3: {
		int i = lgs_pt_add(&c, a, 0x100000u + (a & ~0xfffu));
		if ((i >= 0) != (ok && !held[p]))
			abort();
		if (i >= 0) {
			held[p] = true;
			spt_of[p] = 0x100000u + a;
			memset(refs[p], 0, sizeof(refs[p]));
		}
		break;
	}
	case 4:
		if (ok && held[p]) {
			lgs_pt_ref(&c, lgs_pt_find(&c, a), d);
			refs[p][d]++;
		}
		break;
	case 5:
		if (ok && held[p]) {
			u32 got = lgs_pt_unref(&c, lgs_pt_find(&c, a), d), users = 0;
			if (!refs[p][d]) {      /* not this directory's: nothing changes */
				if (got)
					abort();
				break;
			}
			refs[p][d]--;
			for (int k = 0; k < LGS_DIRS; k++)
				users += refs[p][k];
			/* Handed back exactly when no user is left, and then gone. */
			if ((got != 0) != (users == 0) || (got && got != spt_of[p]))
				abort();
			held[p] = users != 0;
		}
		break;
	}
	check_pages();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(by_pfn, 0, sizeof(by_pfn));
	memset(refs, 0, sizeof(refs));
	memset(held, 0, sizeof(held));
	lgs_init(&c, by_pfn, PAGES);
	for (size_t k = 0; k + 5 <= size; k += 5)
		step(data + k);
	return 0;
}
