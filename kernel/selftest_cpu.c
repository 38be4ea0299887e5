/*
 * Self-tests of the remaining cpu and irq ops: an LDT built with
 * write_ldt_entry and loaded with set_ldt, an IDT gate written with
 * write_idt_entry and taken, halt woken by the timer, and the ops whose
 * only observable effect is not faulting (wbinvd, io_delay, read_pmc).
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

/* Ops with no observable result: what they prove is that they return. */
SELFTEST(quiet_ops)
{
	wbinvd();
	io_delay();
	u64 c = rdpmc(0);
	kprintf("selftest: wbinvd, io_delay and read_pmc (counter 0 = %llu) returned\n", c);
}
