/*
 * Self-tests of the remaining cpu and irq ops: an LDT built with
 * write_ldt_entry and loaded with set_ldt, an IDT gate written with
 * write_idt_entry and taken, halt woken by the timer, and the ops with
 * no result to compare (wbinvd, io_delay, read_pmc), single-stepped to
 * see that they execute the instruction they stand for.
 */
#include "report.h"
#include "cpu.h"
#include "trap.h"

static struct desc_struct test_ldt[2] __attribute__((aligned(8)));
static u32 ldt_word = 0x1d7c0de;

SELFTEST(ldt)
{
	u32 base = (u32)&ldt_word, v = 0;

	if (boot_info->backend_id == PV_LGUEST) {
		report_skip("ldt: an lguest guest has no LDT (the host owns the descriptor tables)");
		return;
	}
	/* data segment, DPL 0, 4 bytes, at ldt_word */
	write_ldt_entry(test_ldt, 0, 0x0003 | (base << 16),
			((base >> 16) & 0xff) | 0x9200 | (base & 0xff000000));
	set_ldt(test_ldt, 1);
	asm volatile("movl %%gs, %%ecx\n"
		     "movl %1, %%eax\n movl %%eax, %%gs\n"
		     "movl %%gs:0, %0\n"
		     "movl %%ecx, %%gs\n"
		     : "=r"(v) : "i"(0x4) : "eax", "ecx");   /* LDT index 0, TI=1 */
	set_ldt(NULL, 0);
	report(v == ldt_word, "write_ldt_entry + set_ldt: a load through an LDT selector");
}

static volatile u32 soft_hits;

static void soft_handler(struct trapframe *tf)
{
	soft_hits++;
}

#define VEC_TEST 0x81

SELFTEST(idt_gate)
{
	extern const u32 trap_stubs[256];

	trap_set_handler(VEC_TEST, soft_handler);
	set_gate(VEC_TEST, trap_stubs[VEC_TEST], 0, false);   /* write_idt_entry */
	asm volatile("int %0" :: "i"(VEC_TEST));
	report(soft_hits == 1, "write_idt_entry: a new gate is taken by int $0x81");
	trap_set_handler(VEC_TEST, NULL);
}

SELFTEST(halt)
{
	u32 t = this_cpu()->ticks, i = this_cpu()->ipis;
	unsigned long f = save_fl();

	irq_enable();
	halt();                 /* the next local timer tick ends it */
	restore_fl(f);
	report(this_cpu()->ticks != t || this_cpu()->ipis != i, "halt returns on an interrupt");
}

/*
 * Single-step tracing: with EFLAGS.TF set, #DB arrives after every
 * instruction (SDM vol. 3 §17.3.1.4) with EIP at the next one, so the
 * handler sees each instruction the traced call is about to execute,
 * with its registers.  Interrupt gates clear TF, so interrupt handlers
 * taken meanwhile are not traced.
 */
#define TRACE_MAX 512
static struct step {
	u32 eip, ecx;
} steps[TRACE_MAX];
static volatile u32 nsteps;

static void step_handler(struct trapframe *tf)
{
	if (nsteps < TRACE_MAX) {
		steps[nsteps].eip = tf->eip;
		steps[nsteps].ecx = tf->ecx;
	}
	nsteps++;
}

/* Run fn() single-stepped; returns its edx:eax. */
static u64 traced(u64 (*fn)(void))
{
	u32 lo, hi;

	nsteps = 0;
	trap_set_handler(1, step_handler);
	asm volatile("pushfl; orl $0x100, (%%esp); popfl\n\t"
		     "nop\n\t"                  /* TF is live from after this */
		     "call *%2\n\t"
		     "pushfl; andl $~0x100, (%%esp); popfl"
		     : "=a"(lo), "=d"(hi) : "r"(fn) : "ecx", "memory", "cc");
	trap_set_handler(1, NULL);
	return ((u64)hi << 32) | lo;
}

/* Did the trace execute the instruction bytes b[0..n) (with ecx, if want_ecx)? */
static bool executed(const u8 *b, u32 n, bool want_ecx, u32 ecx)
{
	u32 seen = nsteps < TRACE_MAX ? nsteps : TRACE_MAX;

	for (u32 i = 0; i < seen; i++)
		if (!memcmp((const void *)steps[i].eip, b, n) && (!want_ecx || steps[i].ecx == ecx))
			return true;
	return false;
}

static u64 call_wbinvd(void) { wbinvd(); return 0; }
static u64 call_io_delay(void) { io_delay(); return 0; }
static u64 call_read_pmc(void) { return rdpmc(0); }

/* CPUID leaf 0xA: architectural performance counters (version > 0). */
static bool has_perfmon(void)
{
	unsigned a, b, c, d;

	cpuid(0, &a, &b, &c, &d);
	if (a < 0xa)
		return false;
	cpuid(0xa, &a, &b, &c, &d);
	return (a & 0xff) != 0;
}

SELFTEST(quiet_ops)
{
	static const u8 wbinvd_insn[] = { 0x0f, 0x09 }, out80[] = { 0xe6, 0x80 },
			rdpmc_insn[] = { 0x0f, 0x33 };

	if (boot_info->backend_id == PV_LGUEST) {
		report_skip("wbinvd, io_delay, read_pmc: a ring-1 guest may not run them; lguest's ops do nothing");
		return;
	}
	traced(call_wbinvd);
	report(executed(wbinvd_insn, 2, false, 0), "wbinvd executes wbinvd (%u steps traced)", nsteps);
	traced(call_io_delay);
	report(executed(out80, 2, false, 0), "io_delay writes port 0x80 (%u steps traced)", nsteps);
	u64 v = traced(call_read_pmc);
	bool ran = executed(rdpmc_insn, 2, true, 0);
	/* Without architectural counters rdpmc may fault (QEMU's TCG raises
	 * #UD): native runs it and answers 0 from the fixup, the vmi ROM
	 * answers 0 without running it.  With them, rdpmc must run. */
	if (has_perfmon())
		report(ran, "read_pmc executes rdpmc on counter 0 (value %llu)", v);
	else if (boot_info->backend_id == PV_NATIVE)
		report(ran && v == 0, "read_pmc executes rdpmc on counter 0; no counters: 0 (%llu)", v);
	else
		report(!ran && v == 0, "read_pmc: no performance counters, 0 without rdpmc (%llu)", v);
}
