/*
 * Shadow page tables (docs/lguest.md, "Shadow page tables"): the guest
 * keeps 2-level tables in its own memory; the CPU runs on the host's
 * shadow copy, in which every guest-physical address was translated to
 * host-physical and checked to lie inside guest memory.  The top pde is
 * always the host's switcher.  Global bits are dropped so no guest entry
 * outlives a switch.  Each guest entry is read once (READ_ONCE) and the
 * shadow is built from that copy; an entry the host cannot honour is
 * refused, reported, and left not present, and the guest goes on.
 *
 * The shadows of LGS_DIRS guest directories are kept (lib/lguest_shadow.c
 * does the bookkeeping), so switching back to a recent address space costs
 * a lookup.  A shadow page table mirrors one guest page table, whichever
 * directories point at it; the guest page's gpa finds it.  Every mirror of
 * a guest page follows each hypercall that writes that page (SET_PTE,
 * SET_PMD, SET_PGD: the page may be a directory, a page table or both),
 * and FORGET_PAGE drops every mirror of a page the guest reuses or frees.
 */
#include "lghost.h"
#include "mm.h"

#define SWITCHER_PDE (LG_SWITCHER_ADDR >> 22)

static struct lgs_cache *cache(void)
{
	return lghost.shadows;
}

static u32 *shadow_of(int d)
{
	return (u32 *)lghost.dirs[d].shadow;
}

/* The directory slots of vCPU v. */
static u32 group(const struct lghost_vcpu *v)
{
	return ((1u << LGHOST_VCPU_DIRS) - 1) << (v->id * LGHOST_VCPU_DIRS);
}

/* The slots some vCPU runs on. */
static u32 live_slots(void)
{
	return lghost.live_slots;
}

/* The slots holding a directory. */
static u32 held_slots(void)
{
	u32 m = 0;

	for (int d = 0; d < LGS_DIRS; d++)
		if (cache()->gpgd[d] != LGS_NO_DIR)
			m |= 1u << d;
	return m;
}

/* A guest pte → shadow pte; 0 (not present) if it leaves guest memory. */
static u32 translate(u32 gpte, bool *refused)
{
	return lgc_translate_pte(lghost.base, lghost.size, gpte, refused);
}

/* A pde the host can shadow, or why not. */
static const char *pde_problem(u32 i, u32 pde)
{
	if (i >= SWITCHER_PDE)
		return "covers the switcher's 4 MiB";
	if (pde & PTE_PS)
		return "4 MiB pages are not supported";
	if (!lghost_gpa_ok(pde & ~0xfffu, PAGE_SIZE))
		return "page table outside guest memory";
	if (!(pde & ~0xfffu))   /* struct lghost_dir's gpt[] says "no table" with 0 */
		return "page table at guest page 0";
	return NULL;
}

/* ---- shadow page tables -------------------------------------------------- */

/* A shadow table of the guest page table at gpt, each entry read once. */
static u32 build_pt(u32 gpt)
{
	u32 spt = page_alloc();
	bool refused = false;

	if (!spt)
		return 0;
	u32 *s = (u32 *)spt;
	const u32 *g = lghost_hva(gpt);
	for (u32 j = 0; j < 1024; j++)
		s[j] = translate(READ_ONCE(g[j]), &refused);
	if (refused)
		lghost_defend(LGHOST_D_PTE, "page table at gpa %#x maps pages outside guest memory: left unmapped", gpt);
	return spt;
}

/* The initial identity map's table for pde i (private to that directory). */
static u32 build_idmap_pt(u32 i)
{
	u32 spt = page_alloc();

	for (u32 j = 0; spt && j < 1024; j++) {
		u32 gpa = (i << 22) | (j << 12);
		((u32 *)spt)[j] = lghost_gpa_ok(gpa, PAGE_SIZE) ? (lghost.base + gpa) | PTE_P | PTE_W : 0;
	}
	return spt;
}

static void evict(int d);

/* The shared shadow of guest page table gpt, made if missing; evicts
 * other directories (never `keep` nor the live one) when the pool is
 * full.  -1: no memory. */
static int shared_pt(u32 gpt, int keep)
{
	int i = lgs_pt_find(cache(), gpt);

	if (i >= 0)
		return i;
	while (lgs_pt_count(cache()) >= LGS_MAX_PTS) {
		int v = lgs_dir_victim(cache(), held_slots() & ~(1u << keep | live_slots()));
		if (v < 0)
			return -1;
		evict(v);
	}
	u32 spt = build_pt(gpt);
	if (!spt)
		return -1;
	i = lgs_pt_add(cache(), gpt, spt);
	if (i < 0)
		page_free(spt);
	return i;
}

/* ---- one directory slot -------------------------------------------------- */

/*
 * A shadow entry other vCPUs may hold in their TLBs changed: before the
 * host's lock is let go, every vCPU in the guest is made to exit, which
 * reloads its cr3 (lghost.c).  Until then a stale entry can only lead to
 * guest memory or to a shadow table: a table freed here is handed out
 * again only to another shadow table, as nothing else allocates pages
 * while guests run, and the host allocates only under the lock.
 */
static void changed(u32 old)
{
	if (old & PTE_P)
		lghost.flush_others = true;
}

/* The same for a directory's slot: only a live directory's matter (a
 * table stays while any directory points at it). */
static void slot_changed(int d, u32 old)
{
	if (live_slots() & (1u << d))
		changed(old);
}

/* Drop directory d's use of the table its slot named (gpt, entry old). */
static void release(int d, u32 gpt, u32 old)
{
	if (gpt == LGS_IDMAP) {
		page_free(old & ~0xfffu);
	} else if (gpt) {
		int p = lgs_pt_find(cache(), gpt);
		u32 spt = p >= 0 ? lgs_pt_unref(cache(), p, d) : 0;     /* p < 0: the audit says so */
		if (spt)
			page_free(spt);
	}
}

/* Slot i of directory d points nowhere (its table freed with its last user). */
static void detach(int d, u32 i)
{
	u32 old = shadow_of(d)[i], gpt = lghost.dirs[d].gpt[i];

	shadow_of(d)[i] = 0;
	lghost.dirs[d].gpt[i] = 0;
	slot_changed(d, old);
	release(d, gpt, old);
}

/*
 * Slot i of directory d follows the guest's new pde (read once by the
 * caller).  The new entry replaces the old one in one store, and the old
 * table goes after: a vCPU running on d never finds the slot empty
 * between the two.
 */
static void set_slot(int d, u32 i, u32 pde, u32 at_gpa)
{
	u32 old = shadow_of(d)[i], old_gpt = lghost.dirs[d].gpt[i], entry = 0, gpt = 0;

	if (i >= SWITCHER_PDE)
		return;         /* the switcher's: never the guest's */
	const char *why = (pde & PTE_P) && !lghost.done ? pde_problem(i, pde) : NULL;
	if (why)
		lghost_defend(LGHOST_D_PTE, "pde %u (%#x) of the directory at %#x: %s; left unmapped", i, pde, at_gpa, why);
	else if ((pde & PTE_P) && !lghost.done) {
		int p = shared_pt(pde & ~0xfffu, d);
		if (p < 0) {
			lghost_kill("host out of memory for a shadow page table");
		} else {
			lgs_pt_ref(cache(), p, d);
			gpt = pde & ~0xfffu;
			entry = cache()->pt[p].spt | (pde & (PTE_P | PTE_W | PTE_U));
		}
	}
	shadow_of(d)[i] = entry;
	lghost.dirs[d].gpt[i] = gpt;
	if (old != entry)
		slot_changed(d, old);
	release(d, old_gpt, old);
}

/* ---- directories --------------------------------------------------------- */

/* Directory slot d forgets its guest directory (never the live one's
 * switcher pde, which every shadow keeps). */
static void evict(int d)
{
	for (u32 i = 0; i < SWITCHER_PDE; i++)
		if (lghost.dirs[d].gpt[i])
			detach(d, i);
	lgs_dir_set(cache(), d, LGS_NO_DIR);
}

/* Slot d becomes the shadow of the guest directory at gpgd, read once. */
static void build_dir(int d, u32 gpgd)
{
	const u32 *g = lghost_hva(gpgd);

	lgs_dir_set(cache(), d, gpgd);
	for (u32 i = 0; i < SWITCHER_PDE && !lghost.done; i++) {
		u32 pde = READ_ONCE(g[i]);      /* once: checked and used as this copy */
		if (pde & PTE_P)
			set_slot(d, i, pde, gpgd);
	}
	u32 top = READ_ONCE(g[SWITCHER_PDE]);
	if (top & PTE_P)
		lghost_defend(LGHOST_D_PTE, "pde %u (%#x) of the directory at %#x: covers the switcher's 4 MiB; "
			      "the switcher stays", SWITCHER_PDE, top, gpgd);
}

static void go_live(struct lghost_vcpu *v, int d)
{
	lghost.live_slots = (lghost.live_slots & ~group(v)) | 1u << d;
	v->live = d;
	*(u32 *)(v->sw + SW_GUEST_CR3) = lghost.dirs[d].shadow;
}

/* Slot d: the initial identity map of guest memory, each table its own. */
static bool build_idmap(int d)
{
	lgs_dir_set(cache(), d, LGS_IDMAP);
	for (u32 i = 0; i < SWITCHER_PDE && (i << 22) < lghost.size; i++) {
		u32 t = build_idmap_pt(i);
		if (!t)
			return false;
		lghost.dirs[d].gpt[i] = LGS_IDMAP;
		shadow_of(d)[i] = t | PTE_P | PTE_W;
	}
	return true;
}

/* The cache's index; then vCPU by vCPU (lghost_shadow_vcpu_init). */
/* n bytes of zeroed pages, or NULL. */
static void *zalloc(u32 n)
{
	u32 pages = (n + PAGE_SIZE - 1) / PAGE_SIZE, pa = pages_alloc(pages);

	if (pa)
		memset((void *)pa, 0, pages * PAGE_SIZE);
	return (void *)pa;
}

bool lghost_shadow_init(void)
{
	u32 npages = lghost.size / PAGE_SIZE;
	u16 *index = zalloc(npages * sizeof(u16));

	lghost.shadows = zalloc(sizeof(struct lgs_cache));
	lghost.dirs = zalloc(LGS_DIRS * sizeof(struct lghost_dir));
	lghost.audit_count = zalloc(LGS_MAX_PTS * sizeof(*lghost.audit_count));
	if (!index || !lghost.shadows || !lghost.dirs || !lghost.audit_count) {
		kprintf("host: no memory for the guest's shadow page-table cache\n");
		return false;
	}
	lgs_init(cache(), index, npages);
	for (u32 n = 0; n < lghost.nr_vcpus; n++)
		if (!lghost_shadow_vcpu_init(&lghost.vcpu[n]))
			return false;
	/* vCPU 0 starts on the initial identity map, until its first NEW_PGTABLE. */
	if (!build_idmap(0)) {
		kprintf("host: no memory for the guest's initial page tables\n");
		return false;
	}
	go_live(&lghost.vcpu[0], 0);
	return true;
}

/* v's shadow directories, each mapping v's view of the switcher. */
bool lghost_shadow_vcpu_init(struct lghost_vcpu *v)
{
	for (int k = 0; k < LGHOST_VCPU_DIRS; k++) {
		int d = v->id * LGHOST_VCPU_DIRS + k;
		if (!(lghost.dirs[d].shadow = page_alloc())) {
			kprintf("host: no memory for the shadow page directories of vCPU %u\n", v->id);
			return false;
		}
		shadow_of(d)[SWITCHER_PDE] = v->sw_pt | PTE_P | PTE_W;
	}
	v->live = v->id * LGHOST_VCPU_DIRS;
	return true;
}

/* The shadow of guest directory gpgd goes live for v, from v's cached
 * ones if it is there. */
static void switch_to(struct lghost_vcpu *v, u32 gpgd)
{
	int d = lgs_dir_find(cache(), gpgd, group(v));

	if (d < 0) {
		d = lgs_dir_victim(cache(), group(v) & ~(1u << v->live));
		evict(d);
		if (gpgd == LGS_IDMAP)
			build_idmap(d);
		else
			build_dir(d, gpgd);
	}
	go_live(v, d);
}

/* NEW_PGTABLE: the shadow of the guest directory at pgd_gpa (page aligned,
 * inside guest memory: checked) goes live for this vCPU. */
void lghost_shadow_switch(u32 pgd_gpa)
{
	switch_to(lghost_cur(), pgd_gpa);
}

/* VCPU_START: v begins on the address space `from` runs on. */
void lghost_shadow_start(struct lghost_vcpu *v, const struct lghost_vcpu *from)
{
	switch_to(v, cache()->gpgd[from->live]);
}

/* ---- the guest writes a page ----------------------------------------------- */

/* Word idx of guest page `page` is now val (spte: val as a shadow pte):
 * every mirror of that page follows, as a page table (one shared shadow)
 * and as a directory (each cached one it is). */
static void mirror_word(u32 page, u32 idx, u32 val, u32 spte)
{
	u32 held = lgs_page(cache(), page);

	if (held & LGS_PT_MASK) {
		u32 *e = &((u32 *)cache()->pt[(held & LGS_PT_MASK) - 1].spt)[idx];
		if (*e != spte)
			changed(*e);
		*e = spte;
	}
	for (int d = 0; (held & LGS_IS_DIR) && d < LGS_DIRS; d++)
		if (cache()->gpgd[d] == page)
			set_slot(d, idx, val, page);
}

/* SET_PTE: the guest changed the entry at pte_gpa (it wrote it itself;
 * lgc_hcall_args checked the address: aligned, inside guest memory). */
int lghost_set_pte(u32 pte_gpa, u32 val)
{
	bool refused = false;
	u32 spte = translate(val, &refused);
	if (refused) {
		lghost_defend(LGHOST_D_PTE, "pte %#x at gpa %#x: page outside guest memory", val, pte_gpa);
		val = 0;
	}
	WRITE_ONCE(*(u32 *)lghost_hva(pte_gpa), val);   /* the guest sees what took */
	mirror_word(pte_gpa & ~0xfffu, (pte_gpa & 0xfff) / 4, val, spte);
	return refused ? LG_EINVAL : 0;
}

/*
 * A run of queued SET_PTEs (what lazy MMU mode batches) from the host's
 * copy: lghost_set_pte's common case without its per-call lookups.  The
 * first call in a page gets lgc_hcall_args's SET_PTE check (aligned,
 * inside guest memory) and the page's mirror looked up; the calls after
 * it in the same page (`gpa & ~0xffc` equal: 4-aligned and in that page,
 * which lies inside guest memory whole: its size is whole MiB) reuse
 * both, which holds because nothing here changes the cache.  Each value
 * goes through lgc_translate_pte, and a present shadow pte it changes
 * is reported to changed() as in mirror_word.  Stops, leaving the call
 * to the full path, at anything else: another call, a failed check (the
 * full path refuses and reports it), or a page that is also a cached
 * directory (set_slot's business).  Returns how many calls it ran.
 */
u32 lghost_set_ptes(const struct lgc_async *c, u32 n)
{
	const struct lgc_async *p = c, *end = c + n;

	while (p < end && p->call == LHCALL_SET_PTE && !(p->arg1 & 3) && lghost_gpa_ok(p->arg1, 4)) {
		u32 page = p->arg1 & ~0xfffu, held = lgs_page(cache(), page);
		if (held & LGS_IS_DIR)
			break;
		u32 *spt = (held & LGS_PT_MASK) ? (u32 *)cache()->pt[(held & LGS_PT_MASK) - 1].spt : NULL;
		do {
			u32 gpa = p->arg1, val = p->arg2;
			bool refused = false;
			u32 spte = translate(val, &refused);
			if (refused)
				return (u32)(p - c);
			WRITE_ONCE(*(u32 *)lghost_hva(gpa), val);
			if (spt) {
				u32 *e = &spt[(gpa & 0xfff) / 4];
				if (*e != spte)
					changed(*e);
				*e = spte;
			}
		} while (++p < end && p->call == LHCALL_SET_PTE && (p->arg1 & ~0xffcu) == page);
	}
	return (u32)(p - c);
}

/* SET_PMD / SET_PGD: a directory entry changed (address checked as for SET_PTE). */
int lghost_set_pmd(u32 pde_gpa, u32 val)
{
	u32 i = (pde_gpa & 0xfff) / 4;
	const char *why = (val & PTE_P) ? pde_problem(i, val) : NULL;
	bool refused = false;

	if (why) {
		lghost_defend(LGHOST_D_PTE, "pde %u = %#x at gpa %#x: %s", i, val, pde_gpa, why);
		return LG_EINVAL;
	}
	WRITE_ONCE(*(u32 *)lghost_hva(pde_gpa), val);
	mirror_word(pde_gpa & ~0xfffu, i, val, translate(val, &refused));
	return 0;
}

/*
 * FORGET_PAGE: the guest (re)uses or frees the page at gpa (aligned,
 * inside guest memory: checked) and will write it with plain stores, so
 * nothing built from it may stay: every directory that is that page or
 * points at it as a page table is evicted.  The live one is rebuilt at
 * once from what the guest has now (a guest that frees a page it is still
 * running on is told so).
 */
int lghost_forget_page(u32 gpa)
{
	int p = lgs_pt_find(cache(), gpa);
	u32 users = p >= 0 ? lgs_pt_users(cache(), p) : 0, lives = live_slots();

	for (int d = 0; d < LGS_DIRS; d++)
		if (cache()->gpgd[d] == gpa)
			users |= 1u << d;
	for (int d = 0; d < LGS_DIRS; d++)
		if ((users & (1u << d)) && !(lives & (1u << d)))
			evict(d);
	if (!(users & lives))
		return 0;
	lghost_stop_others();   /* none may run on a directory while it is rebuilt */
	for (u32 n = 0; n < lghost.nr_vcpus; n++) {
		struct lghost_vcpu *v = &lghost.vcpu[n];
		u32 gpgd = cache()->gpgd[v->live];
		if (!(users & (1u << v->live)))
			continue;
		lghost_defend(LGHOST_D_SHADOW, "page %#x forgotten while the live directory %#x of vCPU %u uses it: "
			      "rebuilt from the guest's tables as they are now", gpa, gpgd, n);
		evict(v->live);
		if (gpgd == LGS_IDMAP)
			build_idmap(v->live);
		else
			build_dir(v->live, gpgd);
	}
	return 0;
}

/* Walk the guest's tables (or the initial identity map). */
bool lghost_va_to_gpa(u32 va, u32 *gpa, bool write)
{
	u32 gpgd = cache()->gpgd[lghost_cur()->live];

	if (gpgd == LGS_IDMAP) {
		*gpa = va;
		return va < lghost.size;
	}
	u32 pde = READ_ONCE(*(u32 *)lghost_hva(gpgd + (va >> 22) * 4));
	if (!(pde & PTE_P) || !lghost_gpa_ok(pde & ~0xfffu, PAGE_SIZE))
		return false;
	u32 pte = READ_ONCE(*(u32 *)lghost_hva((pde & ~0xfffu) + ((va >> 12) & 0x3ff) * 4));
	if (!(pte & PTE_P) || (write && !(pte & PTE_W)))
		return false;
	*gpa = (pte & ~0xfffu) | (va & 0xfff);
	return true;
}

/*
 * After the guest: every cached directory's slots point at the shared
 * table of the guest page they name, each table's per-directory count is
 * the number of such slots, and no table is left without a user.  One
 * line and false if not (the host's result then says intact=no).
 */
bool lghost_shadow_audit(void)
{
	u16 (*count)[LGS_DIRS] = lghost.audit_count;    /* too big for the stack */
	u32 tables = 0;

	memset(count, 0, LGS_MAX_PTS * sizeof(*count));

	for (int d = 0; d < LGS_DIRS; d++)
		for (u32 i = 0; i < SWITCHER_PDE; i++) {
			u32 gpt = lghost.dirs[d].gpt[i];
			int p = gpt && gpt != LGS_IDMAP ? lgs_pt_find(cache(), gpt) : -1;
			if (gpt && gpt != LGS_IDMAP && (p < 0 || cache()->gpgd[d] == LGS_NO_DIR ||
			    (shadow_of(d)[i] & ~0xfffu) != cache()->pt[p].spt)) {
				kprintf("host: shadow cache: directory slot %d pde %u names gpa %#x without its table\n", d, i, gpt);
				return false;
			}
			if (p >= 0)
				count[p][d]++;
		}
	for (int p = 0; p < LGS_MAX_PTS; p++) {
		const struct lgs_pt *t = &cache()->pt[p];
		if (lgs_pt_find(cache(), t->gpt) != p)
			continue;       /* a free entry */
		tables++;
		for (int d = 0; d < LGS_DIRS; d++)
			if (t->refs[d] != count[p][d] || !lgs_pt_users(cache(), p)) {
				kprintf("host: shadow cache: table for gpa %#x counts %u users in slot %d, found %u\n",
					t->gpt, t->refs[d], d, count[p][d]);
				return false;
			}
	}
	if (tables != lgs_pt_count(cache())) {
		kprintf("host: shadow cache: %u tables in use, %u found\n", lgs_pt_count(cache()), tables);
		return false;
	}
	return true;
}
