/*
 * guest.hostile=fuzz: a hypercall fuzzer inside the guest.  It issues
 * random hypercall numbers and arguments, descriptor and gate loads,
 * page-table entries and directories, and async-ring entries, steered so
 * the guest itself survives (memory the host writes on its behalf is
 * scratch; live descriptors, vectors and the directory are only offered
 * values the host must refuse, or are put back afterwards).  SHUTDOWN and
 * HALT are left out: the campaign runs with the virtual IF off and would
 * end there.  The campaign is bracketed by two NOTIFY markers; the end
 * marker carries how many calls were issued and queued, which the host
 * compares with what it handled, then checks itself (host.c).
 */
#include "lguest_backend.h"
#include "report.h"
#include "mm.h"
#include "time.h"
#include "cpu.h"
#include "pvboot/lguest.h"

#define FUZZ_VEC      0xa0              /* 16 vectors nothing here uses */

static u64 rng;
static u32 issued, queued;
static u32 *scratch_pt, *scratch_pgd, *scratch_pmd, *scratch_buf;
static u32 live_pgd;

/* xorshift64* (Vigna): fast, and the same sequence for the same seed. */
static u32 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (u32)((rng * 2685821657736338717ull) >> 32);
}

static u32 pick(u32 n) { return rnd() % n; }

static long call(u32 nr, u32 a1, u32 a2, u32 a3)
{
	issued++;
	return lguest_hcall(nr, a1, a2, a3);
}

/* A guest-physical address: mostly beyond guest memory, unaligned or
 * random; the scratch page `ok` (plus a random aligned offset) otherwise. */
static u32 gpa_arg(const u32 *ok)
{
	switch (pick(4)) {
	case 0: return rnd();
	case 1: return (u32)ok + (rnd() & 0xffc) + 1 + pick(3);   /* misaligned */
	case 2: return 0xfffff000u | (rnd() & 0xffc);
	}
	return (u32)ok + (rnd() & 0xffc);
}

/* A page-table entry or directory entry value. */
static u32 entry_val(void)
{
	switch (pick(5)) {
	case 0: return rnd();
	case 1: return (rnd() & 0x03fff000u) | (rnd() & 0xfff);    /* inside 64 MiB */
	case 2: return (u32)scratch_pt | PTE_P | PTE_W | (rnd() & PTE_PS);
	case 3: return 0xffc00000u | PTE_P | PTE_W;                 /* switcher's pages */
	}
	return (rnd() | 0x80000000u) | PTE_P;                         /* beyond memory */
}

/* A descriptor: random, or a code/data one with random base, limit and flags. */
static void desc_val(u32 *lo, u32 *hi)
{
	*lo = rnd();
	*hi = rnd();
	if (pick(2))
		*hi = (*hi & 0xffcf10ffu) | 0x9000u | (pick(4) << 13) | (pick(16) << 8);
}

static u32 gdt_slot(void)
{
	static const u32 slots[] = { 0, GDT_UCODE, GDT_UDATA, GDT_TSS, GDT_TLS0, GDT_TLS0 + 1,
				     GDT_TLS0 + 2, GDT_LDT, GDT_ENTRIES, 12, 13, 14, 15 };

	return pick(8) ? slots[pick(ARRAY_SIZE(slots))] : rnd();
}

/* One call the async ring may carry too. */
static void gen(u32 *nr, u32 *a1, u32 *a2, u32 *a3)
{
	*a1 = rnd(), *a2 = rnd(), *a3 = rnd();
	switch (pick(11)) {
	case 0: *nr = 20 + pick(12); break;                      /* unknown, low */
	case 1: *nr = rnd() | 64; break;                           /* unknown, anywhere */
	case 2: *nr = LHCALL_SET_PTE; *a1 = gpa_arg(scratch_pt); *a2 = entry_val(); break;
	case 3: *nr = pick(2) ? LHCALL_SET_PMD : LHCALL_SET_PGD; *a1 = gpa_arg(scratch_pmd); *a2 = entry_val(); break;
	case 4: *nr = LHCALL_LOAD_GDT_ENTRY; *a1 = gdt_slot(); desc_val(a2, a3); break;
	case 5: *nr = LHCALL_LOAD_IDT_ENTRY; *a1 = pick(4) ? FUZZ_VEC + pick(16) : rnd() | 256;
		*a2 = (pick(2) ? (u32)(GDT_KCODE << 3) << 16 : *a2 & 0xffff0000u) | (*a2 & 0xffff);
		break;
	case 6: *nr = LHCALL_SET_STACK; *a1 = pick(2) ? rnd() & 0xffff : (pick(GDT_ENTRIES) << 3) | 1; break;
	case 7: *nr = LHCALL_TS; *a1 = pick(2); break;
	case 8: *nr = LHCALL_SET_CLOCKEVENT; *a1 = pick(2) ? rnd() : 1000 + pick(20000000); break;
	case 9: *nr = LHCALL_LOAD_TLS; *a1 = gpa_arg(scratch_buf); break;
	default: {
		static const u32 quiet[] = { LHCALL_FLUSH_TLB, LHCALL_FLUSH_ASYNC, LHCALL_SEND_INTERRUPTS,
					     LHCALL_NOTIFY, LHCALL_LGUEST_INIT, LHCALL_NEW_PGTABLE,
					     LHCALL_CONSOLE_WRITE, LHCALL_FORGET_PAGE };
		*nr = quiet[pick(ARRAY_SIZE(quiet))];
		if (*nr == LHCALL_NOTIFY)
			*a1 &= 0x7fffffffu;             /* never a marker */
		if (*nr == LHCALL_NEW_PGTABLE)
			*a1 = rnd() | 0x80000000u;     /* beyond memory: refused */
		if (*nr == LHCALL_FORGET_PAGE) {         /* the live directory too: rebuilt */
			const u32 pages[] = { (u32)scratch_pt, (u32)scratch_pmd, (u32)scratch_pgd, live_pgd };
			*a1 = pick(2) ? pages[pick(4)] : rnd();
		}
		if (*nr == LHCALL_CONSOLE_WRITE && pick(256))
			*a2 = pick(2) ? rnd() : 4097 + pick(1000);     /* mostly refused */
		else if (*nr == LHCALL_CONSOLE_WRITE)
			*a1 = (u32)scratch_buf, *a2 = pick(32);
	}
	}
}

/* A directory: ours for the kernel, random entries elsewhere; in force
 * for one call, then ours again. */
static void directory_round(void)
{
	const u32 *live = (const u32 *)live_pgd;

	call(LHCALL_FORGET_PAGE, (u32)scratch_pgd, 0, 0);       /* rewritten with plain stores */
	for (u32 i = 0; i < 1024; i++)
		scratch_pgd[i] = (live[i] & PTE_P) ? live[i] : 0;
	for (u32 n = pick(6); n; n--) {
		u32 i = pick(1024);
		if (!(live[i] & PTE_P))
			scratch_pgd[i] = entry_val();
	}
	call(LHCALL_NEW_PGTABLE, (u32)scratch_pgd, 0, 0);
	call(LHCALL_NEW_PGTABLE, live_pgd, 0, 0);
}

/* Slot i holds the call, then is marked queued (status 0) last. */
static void queue_slot(u32 i, u32 nr, u32 a1, u32 a2, u32 a3)
{
	lg_vcpu->hcalls[i].call = nr;
	lg_vcpu->hcalls[i].arg1 = a1;
	lg_vcpu->hcalls[i].arg2 = a2;
	lg_vcpu->hcalls[i].arg3 = a3;
	__atomic_store_n(&lg_vcpu->hcall_status[i], 0, __ATOMIC_RELEASE);
	queued++;
}

/* Queue 1..8 calls in free async slots, scribble on others, run them. */
static void async_round(void)
{
	for (u32 n = 1 + pick(8); n; n--) {
		u32 i = pick(LG_ASYNC_SLOTS), nr, a1, a2, a3;
		if (lg_vcpu->hcall_status[i] == 0)
			continue;
		if (pick(4) == 0) {             /* not queued: the host must skip it */
			lg_vcpu->hcall_status[i] = 1 + pick(0xfe);
			continue;
		}
		gen(&nr, &a1, &a2, &a3);
		queue_slot(i, nr, a1, a2, a3);
	}
	lg_vcpu->async_next = rnd();
	call(LHCALL_FLUSH_ASYNC, 0, 0, 0);
	for (u32 i = 0; i < LG_ASYNC_SLOTS; i++)
		lg_vcpu->hcall_status[i] = 0xff;
}

/* What lazy MMU mode queues, gone wrong: consecutive slots from
 * async_next, mostly SET_PTEs into one page (the scratch table, or the
 * scratch directory, which the host's run of SET_PTEs must leave to the
 * full path), with values it must refuse, a stray address or another
 * call now and then, so the run stops and starts again. */
static void async_run(void)
{
	u32 *page = pick(4) ? scratch_pt : scratch_pgd;
	u32 i = lg_vcpu->async_next % LG_ASYNC_SLOTS;

	for (u32 n = 2 + pick(40); n; n--, i = (i + 1) % LG_ASYNC_SLOTS) {
		u32 nr = LHCALL_SET_PTE, a1 = (u32)page + (rnd() & 0xffc), a2 = entry_val(), a3 = rnd();
		if (!pick(8))
			gen(&nr, &a1, &a2, &a3);
		else if (!pick(8))
			a1 = gpa_arg(page);
		queue_slot(i, nr, a1, a2, a3);
	}
	lg_vcpu->async_next = pick(2) ? i : rnd();
	call(LHCALL_FLUSH_ASYNC, 0, 0, 0);
	for (u32 k = 0; k < LG_ASYNC_SLOTS; k++)
		lg_vcpu->hcall_status[k] = 0xff;
}

static void one(void)
{
	u32 nr, a1, a2, a3;

	switch (pick(32)) {
	case 0: directory_round(); return;
	case 1: case 2: async_round(); return;
	case 3: async_run(); return;
	}
	gen(&nr, &a1, &a2, &a3);
	call(nr, a1, a2, a3);
}

/* Put back what the campaign may have changed that the guest relies on;
 * how many of those calls the host refused (it must refuse none). */
static u32 restore(u32 async_next)
{
	struct desc_ptr idt;
	const struct desc_struct *gdt = this_cpu()->gdt;
	u32 refused = 0;

	/* the stack first: the campaign may have made a slot restored below its ss */
	refused += call(LHCALL_SET_STACK, (GDT_KDATA << 3) | LG_GUEST_RPL, lguest_esp0, 0) != 0;
	for (u32 i = GDT_UCODE; i <= GDT_UDATA; i++)
		refused += call(LHCALL_LOAD_GDT_ENTRY, i, gdt[i].a, gdt[i].b) != 0;
	for (u32 i = GDT_TLS0; i < GDT_TLS0 + 3; i++)
		refused += call(LHCALL_LOAD_GDT_ENTRY, i, 0, 0) != 0;
	store_idt(&idt);
	const struct desc_struct *ent = (const struct desc_struct *)idt.address;
	for (u32 v = FUZZ_VEC; v < FUZZ_VEC + 16; v++)
		refused += call(LHCALL_LOAD_IDT_ENTRY, v, ent[v].a, ent[v].b) != 0;
	refused += call(LHCALL_TS, 0, 0, 0) != 0;
	refused += call(LHCALL_SET_CLOCKEVENT, 1000000000u / TIMER_HZ, 0, 0) != 0;
	refused += call(LHCALL_NEW_PGTABLE, live_pgd, 0, 0) != 0;
	lg_vcpu->async_next = async_next;
	return refused;
}

void lguest_fuzz(u32 iters, u32 seed)
{
	u32 async_next = lg_vcpu->async_next;

	scratch_pt = (u32 *)page_alloc();
	scratch_pgd = (u32 *)page_alloc();
	scratch_pmd = (u32 *)page_alloc();
	scratch_buf = (u32 *)page_alloc();
	if (!scratch_pt || !scratch_pgd || !scratch_pmd || !scratch_buf) {
		report(false, "hostile fuzz: no scratch pages");
		return;
	}
	rng = 0x9e3779b97f4a7c15ull ^ seed;
	for (u32 i = 0; i < 1024; i++)
		scratch_buf[i] = rnd(), scratch_pt[i] = rnd(), scratch_pmd[i] = rnd();
	live_pgd = read_cr3();
	kprintf("hostile fuzz: seed %u, %u iterations\n", seed, iters);
	unsigned long f = save_fl();
	irq_disable();                  /* nothing but the campaign's calls in between */
	lguest_hcall(LHCALL_NOTIFY, LG_FUZZ_BEGIN, seed, iters);
	issued = queued = 0;
	for (u32 i = 0; i < iters; i++)
		one();
	u32 refused = restore(async_next);
	lguest_hcall(LHCALL_NOTIFY, LG_FUZZ_END, issued, queued);
	restore_fl(f);
	kprintf("\nhostile fuzz: campaign over\n");  /* ends a partial line of random console bytes */
	/* Still ourselves: our descriptors and page tables work. */
	u32 probe = page_alloc();
	*(volatile u32 *)probe = 0x5a5a5a5a;
	report(*(volatile u32 *)probe == 0x5a5a5a5a && refused == 0,
	       "hostile fuzz: seed %u: %u hypercalls issued and %u queued; the guest restored its state "
	       "(%u refused) and still runs", seed, issued, queued, refused);
	page_free(probe);
}
