/*
 * The lguest host's CPU side: the guest-mode GDT, IDT and TSS in the
 * switcher page, descriptor checks for what the guest loads, and what
 * happens on each exit from the guest — hypercalls, host interrupts,
 * emulated privileged instructions and traps reflected into the guest's
 * own handlers on its ring-1 stack.
 */
#include "lghost.h"
#include "cpu.h"
#include "mm.h"

extern u8 lghost_switcher_start[], lghost_switcher_end[];
extern const u32 lghost_stubs_offset;

/* A field of v's switcher data page, at its host address. */
static void *sw(const struct lghost_vcpu *v, u32 off) { return (void *)(v->sw + off); }
static struct desc_struct *gmode_gdt(const struct lghost_vcpu *v) { return sw(v, SW_GDT); }
static struct desc_struct *gmode_idt(const struct lghost_vcpu *v) { return sw(v, SW_IDT); }

/* A 32-bit segment at base 0 of `pages` 4 KiB pages. */
static void seg(struct desc_struct *d, u32 pages, u8 access)
{
	u32 limit = pages - 1;

	d->a = (limit & 0xffff);
	d->b = (limit & 0xf0000) | ((u32)access << 8) | (0xc << 20);
}

/* Vector vec's gate into the switcher's stub, at DPL dpl. */
static struct desc_struct stub_gate(u32 vec, u32 dpl)
{
	u32 h = LG_SWITCHER_ADDR + lghost_stubs_offset + vec * 16;

	return (struct desc_struct){ .a = (h & 0xffff) | ((u32)LGHOST_CS_SEL << 16),
				     .b = (h & 0xffff0000) | 0x8e00 | (dpl << 13) };
}

static void set_gmode_gate(const struct lghost_vcpu *v, u32 vec, u32 dpl)
{
	gmode_idt(v)[vec] = stub_gate(vec, dpl);
}

/*
 * The switcher's code, once, and for each vCPU its data and save pages:
 * in the vCPU's view of the region (a page table its shadows share) code
 * and data read-only, the save page writable; in the host's view (a copy
 * of the host's directory whose top entry maps the same addresses, which
 * its host CPU runs on) all writable.  The host's view is taken now, so
 * the host must map nothing new below the switcher while guests run.
 */
static bool install_switcher(void)
{
	u32 code = pages_alloc(LGHOST_SW_CODE_PAGES);

	if (!code)
		return false;
	memcpy((void *)code, lghost_switcher_start, lghost_switcher_end - lghost_switcher_start);
	lghost.sw_code = code;
	for (u32 n = 0; n < lghost.nr_vcpus; n++) {
		struct lghost_vcpu *v = &lghost.vcpu[n];
		u32 pages = pages_alloc(2), host_pt = page_alloc(), guest_pt = page_alloc(), pgd = page_alloc();
		if (!pages || !host_pt || !guest_pt || !pgd)
			return false;
		for (u32 i = 0; i < LGHOST_SW_PAGES; i++) {
			u32 pa = i < LGHOST_SW_CODE_PAGES ? code + i * PAGE_SIZE : pages + (i - LGHOST_SW_CODE_PAGES) * PAGE_SIZE;
			((u32 *)host_pt)[i] = pa | PTE_P | PTE_W;
			((u32 *)guest_pt)[i] = pa | PTE_P | (i == LGHOST_SW_PAGES - 1 ? PTE_W : 0) | PTE_A | PTE_D;
		}
		memcpy((void *)pgd, (void *)init_mm.pgd, PAGE_SIZE);
		((u32 *)pgd)[LG_SWITCHER_ADDR >> 22] = host_pt | PTE_P | PTE_W;
		memset((void *)pages, 0, 2 * PAGE_SIZE);
		*v = (struct lghost_vcpu){ .id = n, .sw = pages, .sw_pt = guest_pt, .host_pgd = pgd,
			.regs = (struct trapframe *)(pages + PAGE_SIZE + (SW_REGS_ADDR - LGHOST_SW_SAVE)),
			.shared = (struct lguest_vcpu *)(pages + PAGE_SIZE + SW_VCPU_OFF) };
	}
	return true;
}

static void setup_gdt_tss(struct lghost_vcpu *v)
{
	struct desc_struct *g = gmode_gdt(v);
	struct tss_struct *tss = sw(v, SW_TSS);
	u32 t = LGHOST_SW_DATA + SW_TSS;        /* where the guest-mode GDT sees it */

	/* Accessed bits preset everywhere: the CPU must never write the
	 * (read-only in guest mode) GDT when it loads a segment. */
	seg(&g[LGHOST_CS_INDEX], 0x100000, 0x9b);           /* switcher: DPL 0, 4 GiB */
	seg(&g[LGHOST_DS_INDEX], 0x100000, 0x93);
	g[LGHOST_TSS_INDEX].a = (sizeof(*tss) - 1) | (t << 16);
	g[LGHOST_TSS_INDEX].b = ((t >> 16) & 0xff) | 0x8900 | (t & 0xff000000);
	/* The guest's, DPL 1 and ending below the switcher, until it loads its own. */
	seg(&g[GDT_KCODE], LG_SWITCHER_ADDR >> 12, 0xbb);
	seg(&g[GDT_KDATA], LG_SWITCHER_ADDR >> 12, 0xb3);
	memset(tss, 0, sizeof(*tss));
	tss->ss0 = LGHOST_DS_SEL;
	tss->esp0 = SW_REGS_END_ADDR;
	tss->iomap_base = sizeof(*tss);                 /* no I/O bitmap: no ports */
	v->gdt_gen++;
}

/* The descriptor behind a selector, from the guest-mode GDT (host
 * memory); NULL for the null selector, the LDT, and the host's slots. */
static const struct desc_struct *vcpu_desc(const struct lghost_vcpu *v, u32 sel)
{
	u32 i = (sel & 0xffff) >> 3;

	if (!i || (sel & 4) || i >= GDT_ENTRIES || i == GDT_TSS || i == GDT_LDT)
		return NULL;
	return &gmode_gdt(v)[i];
}

static const struct desc_struct *guest_desc(u32 sel)
{
	return vcpu_desc(lghost_cur(), sel);
}

/* What is wrong with loading sel as role at privilege cpl, or NULL. */
static const char *selector_problem(u32 sel, u32 cpl, enum lgc_role role)
{
	const struct desc_struct *d = guest_desc(sel);

	return d ? lgc_selector_check(sel & 0xffff, d->a, d->b, cpl, role) : "not a guest GDT selector";
}

/*
 * The selectors in the frame are the ones the last entry checked, against
 * the same guest-mode GDT: then the checks below would give the same
 * answers.  Their outcome depends only on the selector values, the ring
 * (cs's RPL) and the descriptors, and the descriptors live in the
 * switcher's data page, read-only to the guest and written only by
 * lghost_load_gdt_entry() and setup_gdt_tss(), which bump gdt_gen.  The
 * frame itself is guest-writable (the save page), so every value is
 * compared, and eip, which changes on every exit, is always checked.
 */
static bool entry_unchanged(const struct trapframe *r, const struct lghost_entry_ok *e)
{
	return e->gdt_gen == lghost_cur()->gdt_gen && r->cs == e->cs && r->user_ss == e->ss &&
	       r->ds == e->data[0] && r->es == e->data[1] && r->fs == e->data[2] && r->gs == e->data[3];
}

static void entry_remember(const struct trapframe *r, struct lghost_entry_ok *e)
{
	const struct desc_struct *cs = guest_desc(r->cs);

	*e = (struct lghost_entry_ok){ .gdt_gen = lghost_cur()->gdt_gen, .cs = r->cs, .ss = r->user_ss,
		.data = { r->ds, r->es, r->fs, r->gs }, .cs_a = cs->a, .cs_b = cs->b };
}

/* The full check: what is wrong with returning to r's cs:eip and ss, or
 * NULL; data selectors that fail become null. */
static const char *entry_problem(struct trapframe *r)
{
	u32 cpl = r->cs & 3;
	const char *why = cpl == 0 ? "ring 0 is the host's" : selector_problem(r->cs, cpl, LGC_CS);

	if (!why && !lgc_code_offset_ok(guest_desc(r->cs)->a, guest_desc(r->cs)->b, r->eip))
		why = "eip beyond the code segment's limit";
	if (!why)
		why = selector_problem(r->user_ss, cpl, LGC_SS);
	if (why)
		return why;
	u32 *data[] = { &r->ds, &r->es, &r->fs, &r->gs };
	for (u32 i = 0; i < 4; i++)
		if ((*data[i] & 0xffff) && selector_problem(*data[i], cpl, LGC_DATA))
			*data[i] = 0;
	return NULL;
}

/*
 * Before each entry: the guest TSS is busy from the last ltr, and every
 * selector the switcher's iret will load must be one the CPU accepts at
 * the guest's ring (SDM IRET rules, lib/lguest_check.c), with eip inside
 * cs: a fault in that iret would happen at ring 0 inside the switcher.
 * Data selectors that fail become null, as a CPU does on a return to an
 * outer ring; a bad cs, eip or ss stops the guest.  When the selectors
 * are the last entry's and the GDT has not changed, only eip is checked.
 */
bool lghost_prepare_entry(void)
{
	struct lghost_vcpu *v = lghost_cur();
	struct trapframe *r = v->regs;
	struct lghost_entry_ok *e = &v->entry_ok;
	const char *why;

	gmode_gdt(v)[LGHOST_TSS_INDEX].b &= ~0x200u;
	WRITE_ONCE(v->shared->exits, v->exit_seq);
	if (entry_unchanged(r, e))
		why = lgc_code_offset_ok(e->cs_a, e->cs_b, r->eip) ? NULL : "eip beyond the code segment's limit";
	else if (!(why = entry_problem(r)))
		entry_remember(r, e);
	if (why) {
		e->gdt_gen = 0;
		lghost_defend(LGHOST_D_STACK_SEG, "return to cs %#x eip %#x ss %#x: %s", r->cs, r->eip, r->user_ss, why);
		lghost_kill("cannot return to cs %#x eip %#x ss %#x: %s", r->cs, r->eip, r->user_ss, why);
		return false;
	}
	return true;
}

/* What the switcher restores on v's exits: those of host CPU v->id (its
 * GDT and TSS are its own; the IDT is shared) and v's view of the host. */
static void host_tables(struct lghost_vcpu *v)
{
	struct desc_ptr hg = { sizeof(cpus[0].gdt) - 1, (u32)cpu_gdt(v->id) }, hi;

	store_idt(&hi);
	memcpy(sw(v, SW_HOST_GDTR), &hg, 6);
	memcpy(sw(v, SW_HOST_IDTR), &hi, 6);
	*(u32 *)sw(v, SW_HOST_TSS_DESC) = (u32)&cpu_gdt(v->id)[GDT_TSS];
	*(u32 *)sw(v, SW_HOST_CR3) = v->host_pgd;
}

/* v's guest-mode tables, and the registers it starts with: ring 1 at
 * eip on the stack at esp, flat segments, the virtual IF off. */
static void vcpu_tables(struct lghost_vcpu *v)
{
	setup_gdt_tss(v);
	for (u32 vec = 0; vec < 256; vec++)
		set_gmode_gate(v, vec, vec == VEC_SYSCALL ? 3 : vec == LG_HCALL_VECTOR ? 1 : 0);
	*(u16 *)sw(v, SW_GUEST_GDTR) = LGHOST_GDT_ENTRIES * 8 - 1;
	*(u32 *)sw(v, SW_GUEST_GDTR + 2) = LGHOST_SW_DATA + SW_GDT;
	*(u16 *)sw(v, SW_GUEST_IDTR) = 256 * 8 - 1;
	*(u32 *)sw(v, SW_GUEST_IDTR + 2) = LGHOST_SW_DATA + SW_IDT;
	host_tables(v);
	memset(v->shared->hcall_status, 0xff, sizeof(v->shared->hcall_status));
	v->async = (struct lgc_ring){ v->shared->hcall_status, &v->shared->hcalls[0].call, &v->shared->async_next };
	v->shared->id = v->id;
}

void lghost_vcpu_regs(struct lghost_vcpu *v, u32 eip, u32 esp)
{
	struct trapframe *r = v->regs;

	memset(r, 0, sizeof(*r));
	r->cs = (GDT_KCODE << 3) | LG_GUEST_RPL;
	r->ds = r->es = r->fs = r->gs = r->user_ss = (GDT_KDATA << 3) | LG_GUEST_RPL;
	r->user_esp = esp;
	r->eip = eip;
	r->eflags = X86_EFLAGS_IF | 0x2;
}

/* Set up the switcher and every vCPU's tables; vCPU 0 starts at the
 * kernel's entry (set by the caller), the others at VCPU_START. */
bool lghost_setup_cpu_tables(void)
{
	if (!install_switcher())
		return false;
	for (u32 n = 0; n < lghost.nr_vcpus; n++)
		vcpu_tables(&lghost.vcpu[n]);
	lghost_vcpu_regs(&lghost.vcpu[0], 0, 0x8000);
	return true;
}

/* On the host CPU that will run v, before its first entry: from here on
 * it runs on v's view of the host (host_tables). */
void lghost_bind_host_cpu(struct lghost_vcpu *v)
{
	this_cpu()->host_vcpu = v;
	write_cr3(v->host_pgd);
}

/* ---- direct traps (docs/lguest.md "Direct traps") ------------------------ */

/* The stub gate LOAD_IDT_ENTRY gives a software vector: the guest's DPL,
 * never below 1 (ring 1 may always raise its own vectors). */
static void stub_for_guest_gate(const struct lghost_vcpu *v, u32 vec)
{
	set_gmode_gate(v, vec, lghost.idt[vec].dpl > 1 ? lghost.idt[vec].dpl : 1);
}

/* What the system-call gate rests on, read from host memory only: the
 * host's copy of the gate, the guest-mode GDT, the vCPU's SET_STACK. */
static struct lgc_direct direct_inputs(const struct lghost_vcpu *v)
{
	const struct lgc_gate *g = &lghost.idt[VEC_SYSCALL];
	const struct desc_struct *cs = vcpu_desc(v, g->sel), *ss = vcpu_desc(v, v->ss1);

	return (struct lgc_direct){ .gate = *g, .cs_lo = cs ? cs->a : 0, .cs_hi = cs ? cs->b : 0,
		.ss1 = v->ss1, .esp1 = v->esp1, .ss_lo = ss ? ss->a : 0, .ss_hi = ss ? ss->b : 0 };
}

/* The direct gate, built from the host's copy (never the guest's words):
 * a present 32-bit trap gate, DPL 3, to the handler in ring 1; or NULL
 * and *want untouched, with why it may not be direct. */
static const char *direct_gate(const struct lghost_vcpu *v, struct desc_struct *want)
{
	struct lgc_direct d = direct_inputs(v);
	const char *why = lgc_direct_trap_check(VEC_SYSCALL, &d, LG_SWITCHER_ADDR);

	if (!why) {
		want->a = (d.gate.handler & 0xffff) | ((u32)((d.gate.sel & ~3u) | LG_GUEST_RPL) << 16);
		want->b = (d.gate.handler & 0xffff0000) | 0xef00;
	}
	return why;
}

static bool syscall_gate_is_direct(const struct lghost_vcpu *v)
{
	return gmode_idt(v)[VEC_SYSCALL].a >> 16 != LGHOST_CS_SEL;
}

/*
 * After every change the system-call gate rests on (LOAD_IDT_ENTRY of
 * the vector, SET_STACK, a GDT slot): install the direct gate when it is
 * safe, else make sure the vector exits to the host again.  A direct gate
 * a GDT change takes away is reported (gdt_slot >= 0): the guest pulled a
 * descriptor from under a gate the CPU would have used unchecked.
 */
static void direct_gate_update(const struct lghost_vcpu *v, int gdt_slot)
{
	struct desc_struct want;
	const char *why = direct_gate(v, &want);

	if (!why) {
		gmode_idt(v)[VEC_SYSCALL] = want;
		return;
	}
	if (!syscall_gate_is_direct(v))
		return;
	stub_for_guest_gate(v, VEC_SYSCALL);
	if (gdt_slot >= 0)
		lghost_defend(LGHOST_D_DIRECT, "GDT entry %d changed under the direct system-call gate (%s): "
			      "int $%#x exits to the host again", gdt_slot, why, VEC_SYSCALL);
}

/* For the integrity sum: the system-call gate is the one the host's own
 * state calls for (direct, or the stub with the guest's DPL), and the
 * guest-mode TSS's ring-1 stack is the last SET_STACK the host accepted. */
static bool direct_state_as_expected(const struct lghost_vcpu *v)
{
	struct desc_struct want = stub_gate(VEC_SYSCALL, 0), is = gmode_idt(v)[VEC_SYSCALL];
	const struct tss_struct *tss = sw(v, SW_TSS);
	u32 dpl_mask = direct_gate(v, &want) ? 0x6000u : 0;     /* the stub's DPL is the guest's */

	return is.a == want.a && ((is.b ^ want.b) & ~dpl_mask) == 0 &&
	       tss->ss1 == v->ss1 && tss->esp1 == v->esp1;
}

/* ---- what the guest may load ---------------------------------------------- */

/* Would descriptor (lo, hi) in slot i break a selector the guest is
 * using right now: the cs/ss of its saved frame, or its SET_STACK ss? */
static const char *breaks_live_selector(u32 i, u32 lo, u32 hi)
{
	const struct trapframe *r = lghost_cur()->regs;
	u32 cpl = r->cs & 3;

	if ((r->cs & 0xffff) >> 3 == i) {
		const char *why = lgc_selector_check(r->cs & 0xffff, lo, hi, cpl, LGC_CS);
		if (why || !lgc_code_offset_ok(lo, hi, r->eip))
			return why ? why : "the running eip would be beyond the new limit";
	}
	const char *why = NULL;
	if ((r->user_ss & 0xffff) >> 3 == i)
		why = lgc_selector_check(r->user_ss & 0xffff, lo, hi, cpl, LGC_SS);
	if (!why && lghost_cur()->ss1 && lghost_cur()->ss1 >> 3 == i)
		why = lgc_selector_check(lghost_cur()->ss1, lo, hi, LG_GUEST_RPL, LGC_SS);
	return why;
}

/* A guest descriptor, made safe (lib/lguest_check.c) and installed. */
int lghost_load_gdt_entry(u32 i, u32 lo, u32 hi)
{
	const char *why;
	u32 glo = lo, ghi = hi;
	int r = lgc_check_descriptor(i, &lo, &hi, GDT_ENTRIES, GDT_TSS, GDT_LDT, LG_SWITCHER_ADDR, &why);

	if (r < 0) {
		lghost_defend(LGHOST_D_SEGMENT, "GDT entry %u (%#010x %#010x): %s", i, glo, ghi, why);
		return LG_EINVAL;
	}
	if (r == 0 && (why = breaks_live_selector(i, lo, hi))) {
		lghost_defend(LGHOST_D_STACK_SEG, "GDT entry %u (%#010x %#010x) is in use as cs/ss: %s", i, glo, ghi, why);
		return LG_EINVAL;
	}
	if (r == 0) {
		gmode_gdt(lghost_cur())[i].a = lo;
		gmode_gdt(lghost_cur())[i].b = hi;
		lghost_cur()->gdt_gen++;        /* the next entry checks its selectors again */
		direct_gate_update(lghost_cur(), (int)i);
	}
	return 0;
}

/* SET_STACK: the ring-1 stack for traps from ring 3, checked as an ss
 * an iret to ring 1 could load, with room for a trap's frame below esp
 * and below the switcher; the CPU takes it from the guest-mode TSS for a
 * direct trap, so the TSS gets exactly these checked values. */
int lghost_set_stack(u32 ss, u32 esp)
{
	struct lghost_vcpu *v = lghost_cur();
	struct tss_struct *tss = sw(v, SW_TSS);
	const char *why = selector_problem(ss, LG_GUEST_RPL, LGC_SS);

	if ((ss & 3) != LG_GUEST_RPL)
		why = "stack selector RPL is not 1";
	if (why) {
		lghost_defend(LGHOST_D_STACK_SEG, "SET_STACK ss %#x: %s", ss, why);
		return LG_EINVAL;
	}
	const struct desc_struct *d = guest_desc(ss);
	if (!lgc_ring1_stack_ok(d->a, d->b, esp, LG_SWITCHER_ADDR)) {
		lghost_defend(LGHOST_D_DIRECT, "SET_STACK %#x:%#x: a trap's frame there would not lie below the switcher",
			      ss, esp);
		return LG_EINVAL;
	}
	v->ss1 = tss->ss1 = ss;
	v->esp1 = tss->esp1 = esp;
	direct_gate_update(v, -1);
	return 0;
}

/* LOAD_IDT_ENTRY: a gate whose selector is a ring-1 code segment of the
 * guest and whose handler lies inside it (a reflected trap irets there). */
int lghost_load_idt_entry(u32 v, u32 lo, u32 hi)
{
	if (v >= 256)
		return LG_EINVAL;
	const struct desc_struct *cs = guest_desc(lo >> 16);
	const char *why = !(hi & 0x8000) ? NULL : !cs ? "gate selector is not a guest code segment" :
			  lgc_gate_check(lo, hi, cs->a, cs->b, LG_GUEST_RPL);
	if (why) {
		lghost_defend(LGHOST_D_GATE, "vector %u (%#010x %#010x): %s", v, lo, hi, why);
		return LG_EINVAL;
	}
	struct lgc_gate *g = &lghost.idt[v];
	*g = lgc_decode_gate(lo, hi);
	/* Software interrupts the guest may raise itself (int $n from ring 1,
	 * or ring 3 if it says so); exceptions and the host's vectors stay DPL 0. */
	for (u32 n = 0; n < lghost.nr_vcpus; n++) {     /* one IDT, every vCPU */
		if (v >= 0x20 && v < 0xf0 && v != LG_HCALL_VECTOR && (v < VEC_IRQ_BASE || v >= VEC_IRQ_BASE + 24))
			stub_for_guest_gate(&lghost.vcpu[n], v);
		if (v == VEC_SYSCALL)
			direct_gate_update(&lghost.vcpu[n], -1);
	}
	return 0;
}

/* ---- console ----------------------------------------------------------- */

/* One byte of guest console text: lines prefixed "guest: ", every
 * non-printable byte shown as '?' (a guest cannot begin a host line,
 * move the cursor or hide text); '\r' is dropped. */
void lghost_console_char(char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || lghost.line_len == sizeof(lghost.line) - 1) {
		lghost.line[lghost.line_len] = '\0';
		kprintf("guest: %s\n", lghost.line);
		lghost.line_len = 0;
		if (c == '\n')
			return;
	}
	if (lgc_printable(c) != c)
		lghost_defend(LGHOST_D_SANITISED, "console byte %#x shown as '?'", (u8)c);
	lghost.line[lghost.line_len++] = lgc_printable(c);
}

/* ---- the switcher's integrity ------------------------------------------- */

static void fold(u32 *h, u32 w)
{
	*h = (*h ^ w) * 16777619u;
}

/* One vCPU's part of lghost_switcher_sum. */
static void vcpu_sum(const struct lghost_vcpu *v, u32 *h)
{
	const struct tss_struct *tss = sw(v, SW_TSS);

	for (u32 off = SW_HOST_CR3; off < SW_EXIT_ESP; off += 4)
		if (off != SW_GUEST_CR3)
			fold(h, *(u32 *)sw(v, off));
	/* The guest's cr3 moves between v's cached shadows: it must be one
	 * (or none yet, before VCPU_START). */
	bool shadow_cr3 = *(u32 *)sw(v, SW_GUEST_CR3) == 0;
	for (int d = 0; d < LGS_DIRS; d++)
		shadow_cr3 |= d / LGHOST_VCPU_DIRS == (int)v->id && *(u32 *)sw(v, SW_GUEST_CR3) == lghost.dirs[d].shadow;
	fold(h, shadow_cr3);
	for (u32 i = LGHOST_CS_INDEX; i <= LGHOST_TSS_INDEX; i++) {
		fold(h, gmode_gdt(v)[i].a);
		fold(h, gmode_gdt(v)[i].b & ~0x200u);
	}
	fold(h, tss->ss0);
	fold(h, tss->esp0);
	fold(h, tss->iomap_base);
	for (u32 vec = 0; vec < 256; vec++) {
		if (vec == VEC_SYSCALL) /* moves between the stub and the guest's handler */
			continue;
		fold(h, gmode_idt(v)[vec].a);
		fold(h, gmode_idt(v)[vec].b & ~0x6000u);
	}
	fold(h, direct_state_as_expected(v));
	for (u32 i = 0; i < 1024; i++)          /* A/D: the CPU's */
		fold(h, ((u32 *)v->sw_pt)[i] & ~(u32)(PTE_A | PTE_D));
	for (int d = 0; d < LGHOST_VCPU_DIRS; d++)      /* each of its shadows maps it */
		fold(h, ((u32 *)lghost.dirs[v->id * LGHOST_VCPU_DIRS + d].shadow)[LG_SWITCHER_ADDR >> 22] &
			~(u32)(PTE_A | PTE_D));
}

/* What of the switcher no guest may change: its code (against the
 * kernel's image) and, for each vCPU, the host's and the switcher's own
 * GDT/IDT/TSS parts, every gate's target (not its DPL: LOAD_IDT_ENTRY
 * sets that; the system-call gate and the TSS's ring-1 stack as the
 * host's state calls for), its view of the switcher pages and that every
 * shadow of its maps them. */
void lghost_switcher_sum(u32 *h)
{
	u32 len = lghost_switcher_end - lghost_switcher_start;
	const u32 *code = (const u32 *)lghost.sw_code;

	fold(h, memcmp(code, lghost_switcher_start, len) != 0);
	for (u32 i = 0; i < LGHOST_SW_CODE_PAGES * 1024; i++)
		fold(h, code[i]);
	for (u32 n = 0; n < lghost.nr_vcpus; n++)
		vcpu_sum(&lghost.vcpu[n], h);
}

/* ---- exits ----------------------------------------------------------------- */

static bool has_error_code(u32 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/* Push words on the guest's stack (through its page tables). */
static bool push_guest(u32 *esp, const u32 *w, u32 n)
{
	*esp -= n * 4;
	return lghost_write_va(*esp, w, n * 4);
}

/*
 * A page fault from ring 3 whose access was the supervisor's (error code
 * U/S clear) is the CPU pushing a trap's frame on the ring-1 stack: only
 * the direct system-call gate leads from ring 3 to ring 1.  When the host
 * cannot push the page fault's own frame there either, the guest's ring-1
 * stack is unusable: it is stopped, saying so.
 */
static bool direct_push_fault(u32 v, u32 err)
{
	if (v != 14 || (err & 4))
		return false;
	lghost_defend(LGHOST_D_DIRECT, "int $%#x from ring 3: the CPU could not push its frame on the ring-1 stack "
		      "%#x:%#x", VEC_SYSCALL, lghost_cur()->ss1, lghost_cur()->esp1);
	lghost_kill("the ring-1 stack %#x:%#x is not mapped writable: no trap from ring 3 can be delivered",
		    lghost_cur()->ss1, lghost_cur()->esp1);
	return true;
}

/*
 * Deliver vector v to the handler the guest registered, as the CPU would
 * have: from ring 3 onto the SET_STACK stack with ss/esp, else onto the
 * current one; an interrupt gate clears the virtual IF.  The virtual IF
 * is read once; the gate is the host's copy.
 */
bool lghost_reflect(u32 v, bool has_err, u32 err)
{
	struct trapframe *r = lghost_cur()->regs;
	const struct lgc_gate *g = &lghost.idt[v & 0xff];
	bool from_user = (r->cs & 3) == 3;
	u32 vif = READ_ONCE(lghost_cur()->shared->irq_enabled) & X86_EFLAGS_IF;
	u32 esp = from_user ? lghost_cur()->esp1 : r->user_esp;
	u32 w[6], n = 0;

	if (!g->handler) {
		lghost_kill("vector %u (error %#x) and the guest has no handler for it", v, err);
		return false;
	}
	if (from_user) {
		w[n++] = r->user_ss;
		w[n++] = r->user_esp;
	}
	w[n++] = (r->eflags & ~X86_EFLAGS_IF) | vif;
	w[n++] = r->cs;
	w[n++] = r->eip;
	if (has_err)
		w[n++] = err;
	u32 rev[6];                     /* highest address first */
	for (u32 i = 0; i < n; i++)
		rev[i] = w[n - 1 - i];
	if (!push_guest(&esp, rev, n)) {
		if (from_user && has_err && direct_push_fault(v, err))
			return false;
		lghost_kill("cannot push the frame for vector %u on the guest stack at %#x", v, esp);
		return false;
	}
	if (from_user)
		r->user_ss = lghost_cur()->ss1;
	r->user_esp = esp;
	r->cs = g->sel | LG_GUEST_RPL;
	r->eip = g->handler;
	r->eflags = (r->eflags & ~0x4100u) | X86_EFLAGS_IF;    /* TF, NT off; real IF on */
	if (!g->trap)
		WRITE_ONCE(lghost_cur()->shared->irq_enabled, 0);
	lghost.reflected++;
	return true;
}

/* Host interrupts taken while the guest ran go to the host's handlers. */
static bool host_vector(u32 v)
{
	return v >= 0xf0 || (v >= VEC_IRQ_BASE && v < VEC_IRQ_BASE + 24);
}

static void note_emulated(u8 op, const char *what)
{
	static u8 seen[256];

	lghost.emulated++;
	if (!seen[op]++)
		kprintf("host: guest eip %#x: privileged instruction %s emulated (reported once)\n",
			lghost_cur()->regs->eip, what);
}

static void set_vif(u32 v)
{
	WRITE_ONCE(lghost_cur()->shared->irq_enabled, v);
}

static u32 dlab;                /* the guest's COM1 LCR divisor-latch bit */

/* #GP in ring 1 on an instruction the host can stand in for; op holds
 * the instruction's first bytes, read once. */
static bool emulate(const u8 *op)
{
	struct trapframe *r = lghost_cur()->regs;
	u16 port = r->edx & 0xffff;

	switch (op[0]) {
	case 0xfa: note_emulated(op[0], "cli"); set_vif(0); r->eip += 1; return true;
	case 0xfb: note_emulated(op[0], "sti"); set_vif(X86_EFLAGS_IF); r->eip += 1; return true;
	case 0xee:      /* out %al, %dx: COM1 data is the guest's console,
			 * except the divisor bytes while LCR.DLAB is set */
		note_emulated(op[0], "out %al,%dx");
		if (port == 0x3fb)
			dlab = r->eax & 0x80;
		else if (port == 0x3f8 && !dlab)
			lghost_console_char((char)r->eax);
		r->eip += 1;
		return true;
	case 0xec:      /* in %dx, %al: COM1's LSR says "ready", the rest reads 0xff */
		note_emulated(op[0], "in %dx,%al");
		r->eax = (r->eax & ~0xffu) | (port == 0x3fd ? 0x60 : 0xff);
		r->eip += 1;
		return true;
	case 0xe6: note_emulated(op[0], "out %al,$imm"); r->eip += 2; return true;
	case 0x0f:      /* rdmsr of IA32_TSC: the TSC itself; other MSRs fault */
		if (op[1] != 0x32 || r->ecx != MSR_IA32_TSC)
			return false;
		note_emulated(op[1], "rdmsr IA32_TSC");
		u64 t = rdtsc();
		r->eax = (u32)t;
		r->edx = (u32)(t >> 32);
		r->eip += 2;
		return true;
	case 0xe4: note_emulated(op[0], "in $imm,%al"); r->eax |= 0xff; r->eip += 2; return true;
	}
	return false;
}

static bool is_vmcall(const u8 *b)
{
	return b[0] == 0x0f && b[1] == 0x01 && (b[2] == 0xc1 || b[2] == 0xd9);
}

/* vmcall (0f 01 c1) / vmmcall (0f 01 d9): #UD under TCG; a hypercall only
 * from the guest kernel's ring, then made int $0x1f in its text. */
static bool vmcall_hypercall(const u8 *b)
{
	static const u8 int1f[3] = { 0xcd, LG_HCALL_VECTOR, 0x90 };
	struct trapframe *r = lghost_cur()->regs;

	if (!is_vmcall(b))
		return false;
	if ((r->cs & 3) != LG_GUEST_RPL) {
		lghost_defend(LGHOST_D_USER_HCALL, "vmcall at eip %#x from ring %u: #UD for the guest", r->eip, r->cs & 3);
		return false;
	}
	lghost_write_va(r->eip, int1f, 3);          /* next time: the fast way */
	r->eip += 3;
	lghost_hypercall();
	return true;
}

/* #GP from the guest: int $0x1f from ring 3 (the gate is DPL 1), sysenter
 * (SYSENTER_CS is 0 while a guest runs), or an instruction to emulate. */
static bool general_protection(const u8 *op, bool have_op)
{
	struct trapframe *r = lghost_cur()->regs;
	u32 cpl = r->cs & 3;

	if (r->err == ((LG_HCALL_VECTOR << 3) | 2)) {
		lghost_defend(LGHOST_D_USER_HCALL, "int $0x1f at eip %#x from ring %u: #GP for the guest", r->eip, cpl);
		return false;
	}
	if (have_op && op[0] == 0x0f && op[1] == 0x34) {
		lghost_defend(LGHOST_D_SYSENTER, "sysenter at eip %#x from ring %u: #GP for the guest", r->eip, cpl);
		return false;
	}
	return cpl == LG_GUEST_RPL && have_op && emulate(op);
}

void lghost_handle_exit(u32 v)
{
	struct trapframe *r = lghost_cur()->regs;
	u8 op[3] = { 0, 0, 0 };
	bool have_op = (v == 6 || v == 13) && lghost_read_va(r->eip, op, sizeof(op));

	if (v == LG_HCALL_VECTOR && (r->cs & 3) == LG_GUEST_RPL)
		lghost_hypercall();
	else if (host_vector(v)) {
		trap(r);                /* the host's timer, IPIs, spurious */
		lghost_cur()->poll_console = true;
	}
	else if (v == 6 && have_op && vmcall_hypercall(op))
		;
	else if (v == 13 && general_protection(op, have_op))
		;
	else if (v == 14) {
		WRITE_ONCE(lghost_cur()->shared->cr2, read_cr2());
		lghost_reflect(v, true, r->err);
	} else
		lghost_reflect(v, has_error_code(v), r->err);
}
