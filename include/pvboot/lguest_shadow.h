/* The lguest host's shadow page-table cache bookkeeping, pure (lib/lguest_shadow.c)
 * so the host unit tests can drive it: which guest page directories have a
 * shadow, which to evict, and which shadow page table mirrors which guest one. */
#ifndef PVBOOT_LGUEST_SHADOW_H
#define PVBOOT_LGUEST_SHADOW_H
#include "pvboot/types.h"

/*
 * LGS_DIRS shadow directories are kept, keyed by the guest directory's
 * gpa; the host gives each vCPU its own group of them (lguest kept four
 * for its one vCPU), so two vCPUs on the same guest directory have a
 * slot each, with the same key.  Shadow page tables are shared: one per
 * guest page table, whichever directories and slots point at it, so a
 * change to a guest pte is one store in one shadow table, and a
 * directory that shares the kernel's page tables with a cached one costs
 * little to build.  Each shared table counts its users per directory; it
 * is freed when the last slot pointing at it goes.
 */
#define LGS_DIRS     32
#define LGS_ALL      0xffffffffu        /* every slot, as a mask (LGS_DIRS bits) */
#define LGS_MAX_PTS  4096       /* shadow page tables in all, 4 full directories */
#define LGS_NO_DIR   0xffffffffu        /* an empty directory slot's key */
#define LGS_IDMAP    1u         /* the key of the initial identity map (no guest gpa is odd) */

struct lgs_pt {
	u32 gpt;                /* the guest page table's gpa, page aligned */
	u32 spt;                /* the shadow table (the host's address for it) */
	u16 refs[LGS_DIRS];     /* directory slots pointing at it, per directory */
};

/* by_pfn entries: the page's shadow table index + 1 (0: none), and a
 * bit saying the page is a cached directory's key. */
#define LGS_PT_MASK  0x7fffu
#define LGS_IS_DIR   0x8000u

struct lgs_cache {
	u32 gpgd[LGS_DIRS];     /* guest directory per slot, LGS_NO_DIR = empty */
	u32 used[LGS_DIRS];     /* last use, for least-recently-used eviction */
	u32 clock;
	u16 *by_pfn;            /* guest pfn -> pt index + 1 | LGS_IS_DIR */
	u32 npages;             /* guest pages by_pfn covers */
	u32 nfree;
	u16 free_idx[LGS_MAX_PTS];
	struct lgs_pt pt[LGS_MAX_PTS];
};

/* Empty cache for a guest of npages pages; by_pfn has npages zeroed entries. */
void lgs_init(struct lgs_cache *c, u16 *by_pfn, u32 npages);

/* The slot among those whose bit is set in `among` holding guest
 * directory gpgd (marked used), or -1. */
int lgs_dir_find(struct lgs_cache *c, u32 gpgd, u32 among);
/* The slot to (re)use for a new directory, among those whose bit is set:
 * an empty one, else the least recently used one; -1 if `among` is empty. */
int lgs_dir_victim(const struct lgs_cache *c, u32 among);
/* Slot d now holds gpgd (LGS_NO_DIR: empty), marked used. */
void lgs_dir_set(struct lgs_cache *c, int d, u32 gpgd);

/* What the cache holds of the guest page at gpa (page aligned): its
 * by_pfn entry, 0 if nothing or outside the guest.  Inline: SET_PTE's path. */
static inline u32 lgs_page(const struct lgs_cache *c, u32 gpa)
{
	return (gpa >> 12) < c->npages && !(gpa & 0xfffu) ? c->by_pfn[gpa >> 12] : 0;
}

/* The shadow table mirroring guest page gpt, or -1 (gpt outside the
 * guest or not page aligned: -1 too). */
static inline int lgs_pt_find(const struct lgs_cache *c, u32 gpt)
{
	return (int)(lgs_page(c, gpt) & LGS_PT_MASK) - 1;
}
/* Record spt as the mirror of gpt (not yet used by any slot): its index,
 * or -1 if the pool is full, gpt is already mirrored, unaligned or
 * outside the guest. */
int lgs_pt_add(struct lgs_cache *c, u32 gpt, u32 spt);
/* One more slot of directory d points at table i. */
void lgs_pt_ref(struct lgs_cache *c, int i, int d);
/* One slot of directory d stops pointing at table i: the shadow table to
 * free when that was the last slot of any directory, else 0. */
u32 lgs_pt_unref(struct lgs_cache *c, int i, int d);
/* Bit d set when directory d has a slot pointing at table i (LGS_DIRS <= 32). */
u32 lgs_pt_users(const struct lgs_cache *c, int i);
/* Tables in use. */
u32 lgs_pt_count(const struct lgs_cache *c);

#endif
