/*
 * guest.hostile=NAME: this guest attacks its host, one class of attack
 * per case (docs/lguest.md, "Threat model"), and reports what it saw;
 * the host's result line says whether the host stayed intact and saw its
 * defence work.  Cases that must end the guest (the host stops it) come
 * last in their case.  guest.hostile=fuzz runs lguest_fuzz.c instead.
 * The options keep their guest. prefix in the guest (the kernel's option
 * parser skips guest.* keys), and are read here.
 */
#include "lguest_backend.h"
#include "report.h"
#include "mm.h"
#include "task.h"
#include "smp.h"
#include "pvboot/cmdline.h"

/* ---- options ----------------------------------------------------------- */

static char hostile[16];
static u32 fuzz_iters = 10000, fuzz_seed = 1;

static void read_options(void)
{
	const char *p = boot_info->cmdline, *end = p + strnlen(p, PVBOOT_CMDLINE_MAX), *err;
	struct cmd_token t;

	while (cmd_next(&p, end, &t, &err) > 0) {
		if (!t.val)
			continue;
		if (t.key_len == 13 && !memcmp(t.key, "guest.hostile", 13) && t.val_len < sizeof(hostile)) {
			memcpy(hostile, t.val, t.val_len);
			hostile[t.val_len] = '\0';
		} else if (t.key_len == 16 && !memcmp(t.key, "guest.fuzz_iters", 16) &&
			   !cmd_parse_u32(t.val, t.val_len, &fuzz_iters)) {
			kprintf("hostile: guest.fuzz_iters=%.*s is not a number; using %u\n",
				(int)t.val_len, t.val, fuzz_iters);
		} else if (t.key_len == 15 && !memcmp(t.key, "guest.fuzz_seed", 15) &&
			   !cmd_parse_u32(t.val, t.val_len, &fuzz_seed)) {
			kprintf("hostile: guest.fuzz_seed=%.*s is not a number; using %u\n",
				(int)t.val_len, t.val, fuzz_seed);
		}
	}
}

/* ---- helpers ----------------------------------------------------------- */

static bool lar(u32 sel, u32 *ar)
{
	u8 ok;

	asm volatile("lar %2, %0\n setz %1" : "=r"(*ar), "=q"(ok) : "r"(sel) : "cc");
	return ok;
}

static bool lsl(u32 sel, u32 *limit)
{
	u8 ok;

	asm volatile("lsl %2, %0\n setz %1" : "=r"(*limit), "=q"(ok) : "r"(sel) : "cc");
	return ok;
}

static long gdt_load(u32 i, u32 lo, u32 hi) { return lguest_hcall(LHCALL_LOAD_GDT_ENTRY, i, lo, hi); }

#define SCRATCH_SLOT (GDT_TLS0 + 2)     /* a TLS slot nothing uses here */

/* ---- usercall: hypercalls from ring 3 ----------------------------------- */

extern const u8 lguest_hostile_user[], lguest_hostile_user_end[];
static volatile u32 canary __attribute__((aligned(4))) = 0x600dc0de;

/* A task whose program asks for SET_PTE(&canary, 0xbad) by `how`. */
static void user_hypercall(u32 how, const char *what, u32 want_vector)
{
	struct task *t = task_create(how, 0, 0);
	pxe_t *code_pte = t ? lookup_pte(&t->mm, user_base + USER_CODE_OFF) : NULL;

	if (!code_pte) {
		report(false, "hostile usercall: no task to try %s from", what);
		return;
	}
	u8 *code = (u8 *)(u32)(pte_val(pxe_get(code_pte)) & ~0xfffu);
	memcpy(code, lguest_hostile_user, lguest_hostile_user_end - lguest_hostile_user);
	((u32 *)(code + 0x800))[0] = (u32)&canary;
	((u32 *)(code + 0x800))[1] = 0xbad;
	task_run(t);
	report(t->state == TASK_FAULTED && t->fault_vector == want_vector && canary == 0x600dc0de,
	       "hostile usercall: %s from ring 3 ends the task with vector %u (got state %u vector %u), "
	       "guest memory untouched (%#x)", what, want_vector, t->state, t->fault_vector, canary);
	task_destroy(t);
}

static void case_usercall(void)
{
	user_hypercall(0, "vmcall", 6);
	user_hypercall(1, "int $0x1f", 13);
}

/* ---- segleak: a guest %gs across a host wait ------------------------------ */

static void case_segleak(void)
{
	u32 gs;

	asm volatile("movl %0, %%gs" :: "r"((GDT_KDATA << 3) | LG_GUEST_RPL));
	safe_halt();                    /* the host waits, its timer interrupts it */
	asm volatile("movl %%gs, %0" : "=r"(gs));
	asm volatile("movl %0, %%gs" :: "r"(0));
	report(gs == ((GDT_KDATA << 3) | LG_GUEST_RPL),
	       "hostile segleak: a halt with %%gs %#x returned with it intact (%#x)",
	       (GDT_KDATA << 3) | LG_GUEST_RPL, gs);
}

/* ---- badseg: stack and code segments an iret could not load ------------ */

static void case_badseg(void)
{
	u32 ar0 = 0, ar1 = 0;

	lar((GDT_KDATA << 3) | 1, &ar0);
	long dpl3 = gdt_load(GDT_KDATA, 0x0000ffff, 0x00cff200);        /* our ss, DPL 3 */
	long ro = gdt_load(GDT_KDATA, 0x0000ffff, 0x00cfb000);          /* our ss, read-only */
	long cs = gdt_load(GDT_KCODE, 0x0000ffff, 0x00cf3a00);          /* our cs, not present */
	long csdata = gdt_load(GDT_KCODE, 0x0000ffff, 0x00cfb200);      /* our cs as data */
	long st3 = lguest_hcall(LHCALL_SET_STACK, (GDT_UDATA << 3) | 1, 0x1000, 0);   /* DPL 3 stack */
	long stc = lguest_hcall(LHCALL_SET_STACK, (GDT_KCODE << 3) | 1, 0x1000, 0);   /* code as stack */
	lar((GDT_KDATA << 3) | 1, &ar1);
	report(dpl3 == LG_EINVAL && ro == LG_EINVAL && cs == LG_EINVAL && csdata == LG_EINVAL &&
	       st3 == LG_EINVAL && stc == LG_EINVAL && ar0 == ar1,
	       "hostile badseg: refused: ss DPL 3 (%ld), ss read-only (%ld), cs not present (%ld), "
	       "cs data (%ld), SET_STACK DPL-3 ss (%ld), code ss (%ld)",
	       dpl3, ro, cs, csdata, st3, stc);
}

/* ---- segwrap: expand-down, wrapping and 16-bit segments -------------------- */

static void case_segwrap(void)
{
	u32 sel = (SCRATCH_SLOT << 3) | 1, limit = 0, ar = 0;

	/* expand-down, limit 0, 32-bit: offsets 1 .. 4 GiB-1, the switcher too */
	long down = gdt_load(SCRATCH_SLOT, 0x00000000, 0x00c0b600);
	/* 16-bit expand-down (B = 0) at 0xffbf8000: up to 0xffc07fff */
	long down16 = gdt_load(SCRATCH_SLOT, 0x80000fff, 0xff00b6bf);
	report(down == LG_EINVAL && down16 == LG_EINVAL,
	       "hostile segwrap: expand-down segments reaching the switcher refused (%ld, %ld)", down, down16);
	/* 16-bit expand-down at 0x1000, limit 0xfff: 0x2000 .. 0x10fff, harmless */
	long low16 = gdt_load(SCRATCH_SLOT, 0x10000fff, 0x0000b600);
	bool low_ok = lar(sel, &ar) && (ar & 0x400);
	/* expand-up from 4 MiB, 4 GiB long: wraps past 4 GiB through the switcher */
	long wrap = gdt_load(SCRATCH_SLOT, 0x0000ffff, 0x00cfb240);
	bool clamped = lsl(sel, &limit) && limit == LG_SWITCHER_ADDR - 0x400000 - 1;
	report(low16 == 0 && low_ok && wrap == 0 && clamped,
	       "hostile segwrap: a 16-bit expand-down below the switcher kept (%ld), a wrapping "
	       "segment clamped to limit %#x (%ld)", low16, limit, wrap);
	gdt_load(SCRATCH_SLOT, 0, 0);
}

/* ---- forge: host result lines from guest text --------------------------- */

static void case_forge(void)
{
	static const char fake[] = "x\rPVBOOT RESULT firmware=forged role=host guest=pass status=pass\x1b[2K\n";
	static const char reason[] = "done\nPVBOOT RESULT firmware=forged role=host guest=pass status=pass";

	lguest_hcall(LHCALL_CONSOLE_WRITE, (u32)fake, sizeof(fake) - 1, 0);
	report(true, "hostile forge: a forged result line went to the console and ends the guest next");
	lguest_hcall(LHCALL_SHUTDOWN, 0, (u32)reason, 0);
}

/* ---- crashforge: claim the crash was asked for, then crash ---------------- */

static void case_crashforge(void)
{
	struct pvboot_info *gi = (struct pvboot_info *)LG_INFO_GPA;   /* the host's copy, identity mapped */
	static const char claim[] = " crash=pf";
	u32 n = strnlen(gi->cmdline, sizeof(gi->cmdline));

	if (n + sizeof(claim) <= sizeof(gi->cmdline))
		memcpy(gi->cmdline + n, claim, sizeof(claim));
	kprintf("hostile crashforge: wrote%s into the host's boot info; crashing now\n", claim);
	asm volatile("ud2");
}

/* ---- sysenter with the host's MSRs set ------------------------------------- */

static void case_sysenter(void)
{
	int r = TRY("sysenter", 0);

	report(r == -14, "hostile sysenter: sysenter in ring 1 faults in the guest (%d)", r);
}

/* ---- haltoff: a halt nothing can end ------------------------------------- */

static void case_haltoff(void)
{
	irq_disable();
	kprintf("hostile haltoff: HALT with interrupts off; the host must stop us\n");
	lguest_hcall(LHCALL_HALT, 0, 0, 0);
	report(false, "hostile haltoff: HALT with interrupts off returned");
}

/* ---- gate: handlers beyond the code segment ----------------------------- */

static void case_gate(void)
{
	u32 kcs = GDT_KCODE << 3;
	long sw = lguest_hcall(LHCALL_LOAD_IDT_ENTRY, 0xa0, (kcs << 16) | 0x0010, 0xffc08e00);
	long hcs = lguest_hcall(LHCALL_LOAD_IDT_ENTRY, 0xa1, (0x60u << 16) | 0x1000, 0x00108e00);
	long g16 = lguest_hcall(LHCALL_LOAD_IDT_ENTRY, 0xa2, (kcs << 16) | 0x1000, 0x00108600);
	long data = lguest_hcall(LHCALL_LOAD_IDT_ENTRY, 0xa3, ((GDT_KDATA << 3) << 16) | 0x1000, 0x00108e00);
	report(sw == LG_EINVAL && hcs == LG_EINVAL && g16 == LG_EINVAL && data == LG_EINVAL,
	       "hostile gate: gates into the switcher (%ld), the host's code selector (%ld), 16-bit (%ld) "
	       "and through a data selector (%ld) refused", sw, hcs, g16, data);
	/* A gate that was inside cs when loaded, then cs shrunk under it: the
	 * host must not iret there.  Last: the host stops the guest. */
	long ok = lguest_hcall(LHCALL_LOAD_IDT_ENTRY, 0xa4, (kcs << 16) | 0x0000, 0x03008e00 | (1 << 13));
	long shrink = gdt_load(GDT_KCODE, 0x00001fff, 0x00c0ba00);     /* 32 MiB */
	kprintf("hostile gate: handler at 0x3000000 (%ld), cs shrunk to 32 MiB (%ld); int $0xa4 now\n", ok, shrink);
	asm volatile("int $0xa4");
	report(false, "hostile gate: the host returned to a handler beyond cs");
}

/* ---- pte: entries outside guest memory or at the switcher ---------------- */

static void case_pte(void)
{
	u32 cr3 = read_cr3(), va = paging_free_slot(), pa = page_alloc();
	pxe_t *pte;

	if (!va || !pa) {
		report(false, "hostile pte: no scratch page");
		return;
	}
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pte = lookup_pte(&init_mm, va);
	long out = lguest_hcall(LHCALL_SET_PTE, (u32)pte, 0xfff00000u | PTE_P | PTE_W, 0);
	long sw = lguest_hcall(LHCALL_SET_PMD, cr3 + 1023 * 4, pa | PTE_P | PTE_W, 0);
	long ps = lguest_hcall(LHCALL_SET_PMD, cr3 + 1000 * 4, PTE_PS | PTE_P | PTE_W, 0);
	long far = lguest_hcall(LHCALL_SET_PMD, cr3 + 1000 * 4, 0x80000000u | PTE_P | PTE_W, 0);
	report(out == LG_EINVAL && sw == LG_EINVAL && ps == LG_EINVAL && far == LG_EINVAL,
	       "hostile pte: a pte beyond guest memory (%ld), a pde over the switcher (%ld), a 4 MiB "
	       "pde (%ld), a page table beyond guest memory (%ld) refused", out, sw, ps, far);
	/* A whole directory claiming the switcher's 4 MiB and host memory. */
	u32 *pgd = (u32 *)page_alloc();
	memcpy(pgd, (void *)cr3, PAGE_SIZE);
	pgd[1023] = pa | PTE_P | PTE_W;
	pgd[1000] = 0x80000000u | PTE_P | PTE_W;
	lguest_hcall(LHCALL_NEW_PGTABLE, (u32)pgd, 0, 0);
	int wr = TRY("movl $1, (%1)", LG_SWITCHER_ADDR);
	int rd = TRY("movl (%1), %%eax", LG_SWITCHER_ADDR);
	lguest_hcall(LHCALL_NEW_PGTABLE, cr3, 0, 0);
	report(wr == -14 && rd == 0,
	       "hostile pte: a directory mapping the switcher's 4 MiB leaves the host's switcher there, "
	       "read-only (write %d, read %d)", wr, rd);
	page_free((u32)pgd);
	pte_clear(&init_mm, va, pte);
	page_free(pa);
}

/* ---- shadows: the host's cache of shadow directories ------------------- */

/* The word at va as directory dir shows it (*fault: -14 if it faulted). */
static u32 look(u32 dir, u32 va, int *fault)
{
	unsigned long f = irq_save();
	u32 home = read_cr3(), v = 0;

	write_cr3(dir);
	*fault = TRY("movl (%1), %%eax", va);
	if (!*fault)
		v = *(volatile u32 *)va;
	write_cr3(home);
	restore_fl(f);
	return v;
}

/* A new directory (a kernel clone) whose table at `slot` maps page pg
 * there; the table is written by hypercall, or with plain stores (plain). */
static u32 space_with(u32 slot, u32 pg, bool plain, u32 *pt)
{
	u32 d = (u32)pgd_alloc_kernel();

	*pt = page_alloc();
	if (!d || !*pt)
		return 0;
	paravirt_alloc_pt(*pt >> PAGE_SHIFT);
	if (plain) {
		*(u32 *)*pt = pg | PTE_P | PTE_W;
		((u32 *)d)[slot >> 22] = *pt | PTE_P | PTE_W;
	} else {
		set_pte(pxe_at((void *)*pt, 0), make_pte(pg | PTE_P | PTE_W));
		set_pmd(pxe_at((void *)d, slot >> 22), make_pmd(*pt | PTE_P | PTE_W));
	}
	return d;
}

static void space_free(u32 d, u32 pt, u32 slot)
{
	pmd_clear(pxe_at((void *)d, slot >> 22));
	paravirt_release_pt(pt >> PAGE_SHIFT);
	page_free(pt);
	pgd_free((pxe_t *)d);
}

/* A cached directory reused, a slot cleared in a cached directory while
 * the host reuses memory, cr3 values that are not directories. */
static void shadows_reuse(u32 slot, u32 a, u32 b)
{
	int fa, fb, fc, fe, ff;
	u32 pt, pt2, e_pt, f_pt, d = space_with(slot, a, false, &pt);
	u32 was = look(d, slot, &fa);

	/* Freed as the kernel frees a directory (release_pd: FORGET_PAGE),
	 * then the same page written with plain stores as another space. */
	paravirt_release_pd(d >> PAGE_SHIFT);
	pt2 = page_alloc();
	paravirt_alloc_pt(pt2 >> PAGE_SHIFT);
	*(u32 *)pt2 = b | PTE_P | PTE_W;
	memcpy((void *)d, (void *)read_cr3(), PAGE_SIZE);
	((u32 *)d)[slot >> 22] = pt2 | PTE_P | PTE_W;
	u32 now = look(d, slot, &fb);
	report(!fa && !fb && was == 0xa11ce && now == 0xb0b,
	       "hostile shadows: a cached directory freed and rewritten as another space shows the new one (%#x, was %#x)",
	       now, was);
	/* Cleared by hypercall while cached and not live; then the host builds
	 * two more spaces (its freed shadow pages may come back). */
	set_pmd(pxe_at((void *)d, slot >> 22), make_pmd(0));
	u32 e = space_with(slot, a, false, &e_pt), f = space_with(slot, b, true, &f_pt);
	u32 ve = look(e, slot, &fe), vf = look(f, slot, &ff);
	look(d, slot, &fc);
	report(fc == -14 && !fe && !ff && ve == 0xa11ce && vf == 0xb0b,
	       "hostile shadows: a pde cleared in a cached directory stays cleared after the host built two more (%d)", fc);
	/* cr3 with flag bits names the page; cr3 outside guest memory is refused. */
	unsigned long fl = irq_save();
	u32 home = read_cr3();
	long flags = lguest_hcall(LHCALL_NEW_PGTABLE, e | 0x18, 0, 0);
	int fx = TRY("movl (%1), %%eax", slot);
	u32 vx = fx ? 0 : *(volatile u32 *)slot;
	long out = lguest_hcall(LHCALL_NEW_PGTABLE, 0x80000000u, 0, 0);
	long top = lguest_hcall(LHCALL_NEW_PGTABLE, 0xfffff018u, 0, 0);
	int fh = TRY("movl (%1), %%eax", slot);         /* still e's: nothing was loaded */
	lguest_hcall(LHCALL_NEW_PGTABLE, home, 0, 0);
	restore_fl(fl);
	report(flags == 0 && vx == 0xa11ce && out == LG_EINVAL && top == LG_EINVAL && !fh,
	       "hostile shadows: cr3 with flag bits loads its page (%ld, %#x); beyond guest memory refused (%ld, %ld)",
	       flags, vx, out, top);
	pmd_clear(pxe_at((void *)d, slot >> 22));
	paravirt_release_pt(pt2 >> PAGE_SHIFT);
	page_free(pt2);
	paravirt_release_pt(pt >> PAGE_SHIFT);
	page_free(pt);
	pgd_free((pxe_t *)d);
	space_free(e, e_pt, slot);
	space_free(f, f_pt, slot);
}

static void case_shadows(void)
{
	u32 slot = paging_free_slot(), a = page_alloc(), b = page_alloc();
	static volatile u32 kernel_word = 0xca9a41;

	if (!slot || !a || !b) {
		report(false, "hostile shadows: no scratch pages");
		return;
	}
	*(u32 *)a = 0xa11ce;
	*(u32 *)b = 0xb0b;
	shadows_reuse(slot, a, b);
	/* The live directory and a page table it uses, forgotten while live:
	 * the host rebuilds them at once and the kernel runs on. */
	long l = lguest_hcall(LHCALL_FORGET_PAGE, read_cr3(), 0, 0);
	pxe_t *p = lookup_pte(&init_mm, (u32)&kernel_word);
	long t = lguest_hcall(LHCALL_FORGET_PAGE, (u32)p & ~0xfffu, 0, 0);
	report(l == 0 && t == 0 && kernel_word == 0xca9a41,
	       "hostile shadows: the live directory (%ld) and one of its tables (%ld) forgotten, the kernel runs on", l, t);
	page_free(a);
	page_free(b);
}

/* ---- vcpus: an SMP guest against the host ---------------------------------- */

/* vCPU 1 flips one entry of a directory between a real page table and one
 * far outside guest memory, with plain stores, while vCPU 0 has the host
 * shadow that directory again and again: the host reads each entry once,
 * so every shadow maps the real table or nothing, never the other. */
struct lguest_flip {
	volatile u32 *entry;
	u32 good, bad;
	volatile u32 stop, done, flips, id;
};

static void flip_entry(void *arg)
{
	struct lguest_flip *f = arg;

	f->id = lg_vcpu->id;
	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		*f->entry = f->good;
		*f->entry = f->bad;
		f->flips++;
	}
	*f->entry = f->good;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
}

static void vcpus_race(u32 slot, u32 page)
{
	static struct lguest_flip f;
	u32 pt, d = space_with(slot, page, false, &pt), seen = 0, faulted = 0, other = 0;

	f = (struct lguest_flip){ .entry = &((u32 *)d)[slot >> 22], .good = pt | PTE_P | PTE_W,
				  .bad = 0x80000000u | PTE_P | PTE_W };
	if (!smp_post(1, flip_entry, &f)) {
		report(false, "hostile vcpus: vCPU 1 cannot take work");
		return;
	}
	for (u32 k = 0; k < 2000; k++) {
		int fault;
		lguest_hcall(LHCALL_FORGET_PAGE, d, 0, 0);      /* the next switch builds it afresh */
		u32 v = look(d, slot, &fault);
		faulted += fault != 0;
		seen += !fault && v == 0xface;
		other += !fault && v != 0xface;
	}
	__atomic_store_n(&f.stop, 1, __ATOMIC_RELEASE);
	bool stopped = wait_flag(&f.done, 10000);
	report(stopped && other == 0 && seen + faulted == 2000,
	       "hostile vcpus: a pde flipped by vCPU 1 while the host shadowed it 2000 times: the real table "
	       "%u times, unmapped %u times, anything else %u times (%u flips)", seen, faulted, other, f.flips);
	report(lg_vcpu->id == 0 && f.id == 1, "hostile vcpus: LG_VCPU_ADDR is each vCPU's own (vCPU 0 reads id %u, "
	       "vCPU 1 id %u)", lg_vcpu->id, f.id);
	space_free(d, pt, slot);
}

static void case_vcpus(void)
{
	u32 slot = paging_free_slot(), page = page_alloc();

	if (ncpus_online < 2 || !slot || !page) {
		report(false, "hostile vcpus: needs a second vCPU and scratch pages (guest.smp=2 or more)");
		return;
	}
	*(u32 *)page = 0xface;
	vcpus_race(slot, page);
	long again = lguest_hcall(LHCALL_VCPU_START, 1, 0x100000, 0x8000);
	long self = lguest_hcall(LHCALL_VCPU_START, 0, 0x100000, 0x8000);
	long none = lguest_hcall(LHCALL_SEND_IPI, LG_MAX_VCPUS - 1 < ncpus_online ? LG_MAX_VCPUS : ncpus_online, 0x40, 0);
	long exc = lguest_hcall(LHCALL_SEND_IPI, 1, 14, 0);
	report(again == LG_EINVAL && self == LG_EINVAL && none == LG_EINVAL && exc == LG_EINVAL,
	       "hostile vcpus: VCPU_START of a running vCPU (%ld) or itself (%ld), an IPI to no vCPU (%ld) "
	       "or with an exception's vector (%ld) refused", again, self, none, exc);
	page_free(page);
}

/* ---- direct: the system-call gate the CPU may deliver unaided ------------ */

void lguest_hostile_vif_probe(void);    /* lguest_hostile_user.S */
u32 lguest_hostile_vif;

static long gate_load(u32 v, u32 handler, u32 sel, u32 type_dpl)
{
	return lguest_hcall(LHCALL_LOAD_IDT_ENTRY, v, (sel << 16) | (handler & 0xffff),
			    (handler & 0xffff0000) | type_dpl);
}

/*
 * An interrupt gate must never be direct (the CPU would leave the virtual
 * IF on), a ring-1 stack must leave room for a frame below the switcher,
 * and a direct gate whose code segment shrinks under it must go back to
 * exiting: the host then checks the handler and stops us.  Last step.
 */
static void case_direct(void)
{
	u32 kcs = GDT_KCODE << 3, kss = (GDT_KDATA << 3) | LG_GUEST_RPL, stack = page_alloc();

	if (!stack) {
		report(false, "hostile direct: no stack page");
		return;
	}
	long st = lguest_hcall(LHCALL_SET_STACK, kss, stack + PAGE_SIZE, 0);
	long ig = gate_load(VEC_SYSCALL, (u32)lguest_hostile_vif_probe, kcs, 0xee00);   /* interrupt gate, DPL 3 */
	irq_enable();
	asm volatile("int $0x80" ::: "memory");
	u32 vif = lguest_hostile_vif;
	irq_enable();
	report(st == 0 && ig == 0 && vif == 0,
	       "hostile direct: an interrupt gate for int $0x80 (%ld) still clears the virtual IF (%#x)", ig, vif);
	long sw = lguest_hcall(LHCALL_SET_STACK, kss, LG_SWITCHER_ADDR + 0x4000, 0);  /* the save page's top */
	long wrap = lguest_hcall(LHCALL_SET_STACK, kss, 8, 0);
	report(sw == LG_EINVAL && wrap == LG_EINVAL,
	       "hostile direct: ring-1 stacks whose frame lies in the switcher (%ld) or wraps below 0 (%ld) refused",
	       sw, wrap);
	long tg = gate_load(VEC_SYSCALL, 0x3000000, kcs, 0xef00);         /* trap gate, DPL 3: direct */
	long shrink = gdt_load(GDT_KCODE, 0x00001fff, 0x00c0ba00);      /* 32 MiB */
	kprintf("hostile direct: int $0x80 gate at 0x3000000 (%ld), cs shrunk to 32 MiB (%ld); int $0x80 now\n",
		tg, shrink);
	asm volatile("int $0x80" ::: "memory");
	report(false, "hostile direct: the host let int $0x80 reach a handler beyond cs");
}

/* ---- directstack, directro: a ring-1 stack the CPU cannot push on ------- */

/*
 * SET_STACK to a page that is not mapped (read_only false) or mapped
 * read-only, then int $0x80 from ring 3, entered by hand so no kernel
 * code runs on that stack: the CPU's push of the direct trap's frame
 * faults, and the host must stop us with one line.  The whole case.
 */
static void ring1_stack_unusable(bool read_only)
{
	static const u8 prog[] = { 0xcd, 0x80, 0x0f, 0x0b };   /* int $0x80; ud2 */
	struct task *t = task_create(0, 0, 0);
	pxe_t *code_pte = t ? lookup_pte(&t->mm, user_base + USER_CODE_OFF) : NULL;
	u32 va = paging_free_slot(), pa = page_alloc();

	if (!code_pte || !va || !pa) {
		report(false, "hostile direct stack: no task or scratch page");
		return;
	}
	memcpy((void *)(u32)(pte_val(pxe_get(code_pte)) & ~0xfffu), prog, sizeof(prog));
	irq_disable();
	write_cr3((u32)t->mm.pgd);
	if (read_only)
		map_page(&t->mm, va, pa, PTE_P);
	long st = lguest_hcall(LHCALL_SET_STACK, (GDT_KDATA << 3) | LG_GUEST_RPL, va + PAGE_SIZE, 0);
	kprintf("hostile direct stack: ring-1 stack at %#x, %s (%ld); int $0x80 from ring 3 now\n",
		va + PAGE_SIZE, read_only ? "read-only" : "not mapped", st);
	asm volatile("pushl %0\n pushl %1\n pushl %2\n pushl %3\n pushl %4\n iret"
		     :: "i"(SEL_UDATA), "r"(user_base + USER_STACK_OFF + PAGE_SIZE), "i"(0x202),
			"i"(SEL_UCODE), "r"(user_base + USER_CODE_OFF) : "memory");
}

static void case_directstack(void)
{
	ring1_stack_unusable(false);
}

static void case_directro(void)
{
	ring1_stack_unusable(true);
}

static void case_fuzz(void)
{
	lguest_fuzz(fuzz_iters, fuzz_seed);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "usercall", case_usercall }, { "segleak", case_segleak }, { "badseg", case_badseg },
	{ "segwrap", case_segwrap }, { "forge", case_forge }, { "crashforge", case_crashforge },
	{ "sysenter", case_sysenter }, { "haltoff", case_haltoff }, { "gate", case_gate },
	{ "pte", case_pte }, { "fuzz", case_fuzz }, { "shadows", case_shadows },
	{ "vcpus", case_vcpus },
	{ "direct", case_direct }, { "directstack", case_directstack }, { "directro", case_directro },
};

SELFTEST(lguest_hostile)
{
	if (boot_info->backend_id != PV_LGUEST)
		return;
	read_options();
	if (!hostile[0])
		return;
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++)
		if (!strcmp(hostile, cases[i].name)) {
			kprintf("hostile: case %s\n", hostile);
			cases[i].run();
			return;
		}
	report(false, "hostile: guest.hostile=%s names no case", hostile);
}
