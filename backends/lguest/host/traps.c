/*
 * The lguest host's CPU side: the guest-mode GDT, IDT and TSS in the
 * switcher page, descriptor checks for what the guest loads, and what
 * happens on each exit from the guest — hypercalls, host interrupts,
 * emulated privileged instructions and traps reflected into the guest's
 * own handlers on its ring-1 stack.
 */
#include "host.h"
#include "cpu.h"
#include "mm.h"

extern u8 lg_switcher_start[], lg_switcher_end[];
extern const u32 lg_stubs_offset;

#define SW(off) ((void *)(LG_SW_DATA + (off)))

static struct desc_struct *gmode_gdt(void) { return SW(SW_GDT); }
static struct desc_struct *gmode_idt(void) { return SW(SW_IDT); }

/* A 32-bit segment at base 0 of `pages` 4 KiB pages. */
static void seg(struct desc_struct *d, u32 pages, u8 access)
{
	u32 limit = pages - 1;

	d->a = (limit & 0xffff);
	d->b = (limit & 0xf0000) | ((u32)access << 8) | (0xc << 20);
}

static void set_gmode_gate(u32 v, u32 dpl)
{
	u32 h = LG_SWITCHER_ADDR + lg_stubs_offset + v * 16;

	gmode_idt()[v].a = (h & 0xffff) | ((u32)LG_CS_SEL << 16);
	gmode_idt()[v].b = (h & 0xffff0000) | 0x8e00 | (dpl << 13);
}

/* Copy the switcher up, map it in the host, and lay out its data page. */
static void install_switcher(void)
{
	u32 pages = LG_SW_PAGES;
	u32 pa = pages_alloc(pages);

	if (!pa)
		panic("host: no memory for the switcher");
	memcpy((void *)pa, lg_switcher_start, lg_switcher_end - lg_switcher_start);
	for (u32 i = 0; i < pages; i++)
		map_page(&init_mm, LG_SWITCHER_ADDR + i * PAGE_SIZE, pa + i * PAGE_SIZE, PTE_P | PTE_W);
	flush_tlb_kernel();
	lg.sw_phys = pa;
	lg.cur = &lg.vcpu[0];
	lg.cur->regs = (struct trapframe *)SW_REGS_ADDR;
}

static void setup_gdt_tss(void)
{
	struct desc_struct *g = gmode_gdt();
	struct tss_struct *tss = SW(SW_TSS);
	u32 t = (u32)tss;

	/* Accessed bits preset everywhere: the CPU must never write the
	 * (read-only in guest mode) GDT when it loads a segment. */
	seg(&g[LG_CS_INDEX], 0x100000, 0x9b);           /* switcher: DPL 0, 4 GiB */
	seg(&g[LG_DS_INDEX], 0x100000, 0x93);
	g[LG_TSS_INDEX].a = (sizeof(*tss) - 1) | (t << 16);
	g[LG_TSS_INDEX].b = ((t >> 16) & 0xff) | 0x8900 | (t & 0xff000000);
	/* The guest's, DPL 1 and ending below the switcher, until it loads its own. */
	seg(&g[GDT_KCODE], LG_SWITCHER_ADDR >> 12, 0xbb);
	seg(&g[GDT_KDATA], LG_SWITCHER_ADDR >> 12, 0xb3);
	memset(tss, 0, sizeof(*tss));
	tss->ss0 = LG_DS_SEL;
	tss->esp0 = SW_REGS_END_ADDR;
	tss->iomap_base = sizeof(*tss);                 /* no I/O bitmap: no ports */
}

/* A selector the guest may hold at privilege rpl: a present code/data
 * descriptor of the guest's (index 1..10), DPL >= max(cpl, rpl). */
static bool usable(u32 sel, u32 cpl, bool code)
{
	u32 i = sel >> 3, rpl = sel & 3;
	const struct desc_struct *d = &gmode_gdt()[i];

	if (!i || (sel & 4) || i >= GDT_ENTRIES || i == GDT_TSS)
		return false;
	if (!(d->b & 0x8000) || !(d->b & 0x1000) || !!(d->b & 0x800) != code)
		return false;
	u32 dpl = (d->b >> 13) & 3;
	return code ? dpl == cpl : dpl >= (cpl > rpl ? cpl : rpl);
}

/*
 * Before each entry: the guest TSS is busy from the last ltr, and every
 * selector the iret will load must still be valid (the guest may have
 * changed its GDT since it was saved).  Data selectors that are not
 * become null, as a CPU does on a return to an outer ring; a bad cs or ss
 * stops the guest instead of faulting inside the switcher.
 */
bool lg_prepare_entry(void)
{
	struct trapframe *r = lg.cur->regs;
	u32 cpl = r->cs & 3;

	gmode_gdt()[LG_TSS_INDEX].b &= ~0x200u;
	if (cpl == 0 || !usable(r->cs, cpl, true) || (r->user_ss & 3) != cpl ||
	    !usable(r->user_ss, cpl, false)) {
		lg_kill("cannot return to cs %#x ss %#x: not a valid guest segment", r->cs, r->user_ss);
		return false;
	}
	u32 *data[] = { &r->ds, &r->es, &r->fs, &r->gs };
	for (u32 i = 0; i < 4; i++)
		if ((*data[i] & 0xffff) && !usable(*data[i] & 0xffff, cpl, false))
			*data[i] = 0;
	return true;
}

void lg_setup_cpu_tables(void)
{
	struct desc_ptr hg, hi;

	install_switcher();
	setup_gdt_tss();
	for (u32 v = 0; v < 256; v++)
		set_gmode_gate(v, v == VEC_SYSCALL ? 3 : v == LG_HCALL_VECTOR ? 1 : 0);
	*(u16 *)SW(SW_GUEST_GDTR) = LG_GDT_ENTRIES * 8 - 1;
	*(u32 *)SW(SW_GUEST_GDTR + 2) = (u32)gmode_gdt();
	*(u16 *)SW(SW_GUEST_IDTR) = 256 * 8 - 1;
	*(u32 *)SW(SW_GUEST_IDTR + 2) = (u32)gmode_idt();
	store_gdt(&hg);
	store_idt(&hi);
	memcpy(SW(SW_HOST_GDTR), &hg, 6);
	memcpy(SW(SW_HOST_IDTR), &hi, 6);
	*(u32 *)SW(SW_HOST_CR3) = read_cr3();
	*(u32 *)SW(SW_HOST_TSS_DESC) = (u32)&this_cpu()->gdt[GDT_TSS];
	lg.cur->regs->cs = (GDT_KCODE << 3) | LG_GUEST_RPL;
	lg.cur->regs->ds = lg.cur->regs->es = lg.cur->regs->fs = lg.cur->regs->gs = (GDT_KDATA << 3) | LG_GUEST_RPL;
	lg.cur->regs->user_ss = (GDT_KDATA << 3) | LG_GUEST_RPL;
	lg.cur->regs->user_esp = 0x8000;
	lg.cur->regs->eflags = X86_EFLAGS_IF | 0x2;
}

/* ---- what the guest may load ---------------------------------------------- */

/* A guest descriptor, made safe (lib/lguest_check.c) and installed. */
int lg_load_gdt_entry(u32 i, u32 lo, u32 hi)
{
	int r = lgc_check_descriptor(i, &lo, &hi, GDT_ENTRIES, GDT_TSS, GDT_LDT, LG_SWITCHER_ADDR);

	if (r < 0)
		return LG_EINVAL;
	if (r == 0) {
		gmode_gdt()[i].a = lo;
		gmode_gdt()[i].b = hi;
	}
	return 0;
}

int lg_load_idt_entry(u32 v, u32 lo, u32 hi)
{
	if (v >= 256)
		return LG_EINVAL;
	struct lgc_gate *g = &lg.idt[v];
	*g = lgc_decode_gate(lo, hi);
	/* Software interrupts the guest may raise itself (int $n from ring 1,
	 * or ring 3 if it says so); exceptions and the host's vectors stay DPL 0. */
	if (v >= 0x20 && v < 0xf0 && v != LG_HCALL_VECTOR && (v < VEC_IRQ_BASE || v >= VEC_IRQ_BASE + 24))
		set_gmode_gate(v, g->dpl > 1 ? g->dpl : 1);
	return 0;
}

/* ---- console ----------------------------------------------------------- */

void lg_console_char(char c)
{
	if (c == '\r')
		return;
	if (c != '\n' && lg.line_len < sizeof(lg.line) - 1) {
		lg.line[lg.line_len++] = c;
		return;
	}
	lg.line[lg.line_len] = '\0';
	kprintf("guest: %s\n", lg.line);
	lg.line_len = 0;
}

/* ---- exits ----------------------------------------------------------------- */

static struct lguest_data *ld(void)
{
	return lg.lgdata_gpa ? lg_hva(lg.lgdata_gpa) : NULL;
}

static bool has_error_code(u32 v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17;
}

/* Push words on the guest's stack (through its page tables). */
static bool push_guest(u32 *esp, const u32 *w, u32 n)
{
	*esp -= n * 4;
	return lg_write_va(*esp, w, n * 4);
}

/*
 * Deliver vector v to the handler the guest registered, as the CPU would
 * have: from ring 3 onto the SET_STACK stack with ss/esp, else onto the
 * current one; an interrupt gate clears the virtual IF.
 */
bool lg_reflect(u32 v, bool has_err, u32 err)
{
	struct trapframe *r = lg.cur->regs;
	const struct lgc_gate *g = &lg.idt[v];
	bool from_user = (r->cs & 3) == 3;
	u32 vif = ld() ? ld()->irq_enabled & X86_EFLAGS_IF : 0;
	u32 esp = from_user ? lg.cur->esp1 : r->user_esp;
	u32 w[6], n = 0;

	if (!g->handler) {
		lg_kill("vector %u (error %#x) and the guest has no handler for it", v, err);
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
		lg_kill("cannot push the frame for vector %u on the guest stack at %#x", v, esp);
		return false;
	}
	if (from_user)
		r->user_ss = lg.cur->ss1;
	r->user_esp = esp;
	r->cs = g->sel | LG_GUEST_RPL;
	r->eip = g->handler;
	r->eflags = (r->eflags & ~0x4100u) | X86_EFLAGS_IF;    /* TF, NT off; real IF on */
	if (!g->trap && ld())
		ld()->irq_enabled = 0;
	lg.reflected++;
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

	lg.emulated++;
	if (!seen[op]++)
		kprintf("host: guest eip %#x: privileged instruction %s emulated (reported once)\n",
			lg.cur->regs->eip, what);
}

/* #GP in ring 1 on an instruction the host can stand in for. */
static bool emulate(void)
{
	struct trapframe *r = lg.cur->regs;
	u8 op[2];
	u16 port = r->edx & 0xffff;

	if (!lg_read_va(r->eip, op, 2))
		return false;
	switch (op[0]) {
	case 0xfa: note_emulated(op[0], "cli"); if (ld()) ld()->irq_enabled = 0; r->eip += 1; return true;
	case 0xfb: note_emulated(op[0], "sti"); if (ld()) ld()->irq_enabled = X86_EFLAGS_IF; r->eip += 1; return true;
	case 0xee:      /* out %al, %dx: COM1 data is the guest's console */
		note_emulated(op[0], "out %al,%dx");
		if (port == 0x3f8)
			lg_console_char((char)r->eax);
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

/* vmcall (0f 01 c1) / vmmcall (0f 01 d9): #UD under TCG; made int $0x1f. */
static bool vmcall_hypercall(void)
{
	u8 b[3];
	static const u8 int1f[3] = { 0xcd, LG_HCALL_VECTOR, 0x90 };

	if (!lg_read_va(lg.cur->regs->eip, b, 3) || b[0] != 0x0f || b[1] != 0x01 || (b[2] != 0xc1 && b[2] != 0xd9))
		return false;
	lg_write_va(lg.cur->regs->eip, int1f, 3);    /* next time: the fast way */
	lg.cur->regs->eip += 3;
	lg_hypercall();
	return true;
}

void lg_handle_exit(u32 v)
{
	struct trapframe *r = lg.cur->regs;

	if (v == LG_HCALL_VECTOR && (r->cs & 3) == LG_GUEST_RPL)
		lg_hypercall();
	else if (host_vector(v))
		trap(r);                /* the host's timer, IPIs, spurious */
	else if (v == 6 && vmcall_hypercall())
		;
	else if (v == 13 && (r->cs & 3) == LG_GUEST_RPL && emulate())
		;
	else if (v == 14) {
		if (ld())
			ld()->cr2 = read_cr2();
		lg_reflect(v, true, r->err);
	} else
		lg_reflect(v, has_error_code(v), r->err);
}
