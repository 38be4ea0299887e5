/*
 * guest.hostile=NAME: this guest attacks its host, one class of attack
 * per case (docs/lguest.md, "Threat model"), and reports what it saw;
 * the host's result line says whether the host stayed intact and saw its
 * defence work.  Cases that must end the guest (the host stops it) come
 * last in their case.  guest.hostile=fuzz runs lguest_fuzz.c instead.
 * The options keep their guest. prefix in the guest (the kernel's option
 * parser skips guest.* keys), and are read here.
 */
#include "lguest_guest.h"
#include "report.h"
#include "mm.h"
#include "task.h"
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
	{ "pte", case_pte }, { "fuzz", case_fuzz },
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
