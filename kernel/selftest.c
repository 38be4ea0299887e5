/*
 * Self-tests for `test` (docs/design.md §9): kvm-unit-tests style checks of every
 * concern of the table as the chosen backend implements it, on every CPU
 * where that matters.  Each SELFTEST is a handful of report() calls.
 */
#include "report.h"
#include "cpu.h"
#include "mm.h"
#include "smp.h"
#include "apic.h"
#include "time.h"
#include "trap.h"
#include "kparavirt.h"

SELFTEST(irq_flags)
{
	unsigned long saved = save_fl();

	irq_disable();
	report(!(save_fl() & X86_EFLAGS_IF), "irq_disable clears IF");
	irq_enable();
	report(save_fl() & X86_EFLAGS_IF, "irq_enable sets IF");
	unsigned long f = irq_save();
	report((f & X86_EFLAGS_IF) && !(save_fl() & X86_EFLAGS_IF),
	       "save_fl returns IF set, then irq_disable");
	restore_fl(f);
	report(save_fl() & X86_EFLAGS_IF, "restore_fl brings IF back");
	restore_fl(0);
	report(!(save_fl() & X86_EFLAGS_IF), "restore_fl(0) leaves IF clear");
	restore_fl(saved);
}

SELFTEST(control_registers)
{
	unsigned long cr0 = read_cr0(), cr4 = read_cr4();

	report((cr0 & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG),
	       "read_cr0 shows protected mode and paging (%#lx)", cr0);
	report(read_cr3() == (u32)init_mm.pgd, "read_cr3 is the kernel page directory");
	write_cr2(0x12345000);
	report(read_cr2() == 0x12345000, "write_cr2/read_cr2 round trip");
	report(read_cr4_safe() == cr4, "read_cr4_safe equals read_cr4 (%#lx)", cr4);
	write_cr0(cr0 | X86_CR0_TS);
	report(read_cr0() & X86_CR0_TS, "write_cr0 sets TS");
	clts();
	report(!(read_cr0() & X86_CR0_TS), "clts clears TS");
	write_cr4(cr4 ^ X86_CR4_PSE);
	report(read_cr4() == (cr4 ^ X86_CR4_PSE), "write_cr4 toggles PSE");
	write_cr4(cr4);
	set_debugreg(0, 0xdead0000);
	report(get_debugreg(0) == 0xdead0000, "set_debugreg/get_debugreg DR0");
	set_debugreg(0, 0);
}

static bool lguest_guest(void)
{
	return boot_info->backend_id == PV_LGUEST;
}

/* QEMU's TCG, whatever environment detection settled on. */
static bool under_tcg(void)
{
	unsigned a, sig[3];

	cpuid(0x40000000, &a, &sig[0], &sig[1], &sig[2]);
	return !memcmp(sig, "TCGTCGTCGTCG", 12);
}

SELFTEST(msr)
{
	int err = 0;
	u64 v = rdmsr_safe(MSR_IA32_APICBASE, &err);

	if (lguest_guest()) {
		report(err == -14 && v == 0, "ring 1: rdmsr answers -EFAULT, no crash");
		report(wrmsr_safe(MSR_IA32_SYSENTER_CS, 0) == -14, "ring 1: wrmsr answers -EFAULT");
		return;
	}
	report(err == 0 && (v & MSR_IA32_APICBASE_ENABLE), "rdmsr APIC base %#llx", v);
	/* x2APIC registers raise #GP while the APIC is in xAPIC mode (SDM
	 * vol. 3 §10.12.1.2).  QEMU 7's TCG raises #GP for no MSR at all
	 * (unknown ones read as 0), so there the fault path is proven by
	 * the fixup test below instead. */
	v = rdmsr_safe(0x802, &err);
	if (err == 0 && v == 0 && under_tcg())
		report_skip("rdmsr of an absent MSR: TCG does not fault on it");
	else
		report(err == -14 && v == 0, "rdmsr of an absent MSR (x2APIC ID) returns -EFAULT (%d)", err);
	wrmsr_safe(MSR_IA32_SYSENTER_CS, SEL_KCODE);
	v = rdmsr_safe(MSR_IA32_SYSENTER_CS, &err);
	report(err == 0 && v == SEL_KCODE, "wrmsr/rdmsr SYSENTER_CS round trip");
	wrmsr_safe(MSR_IA32_SYSENTER_CS, 0);
}

/* The exception-fixup path that rdmsr_safe/wrmsr_safe rely on: a faulting
 * instruction listed in __ex_table resumes at its fixup, no crash. */
static int faulting_insn(void)
{
	int r = 0;
	asm volatile("1: ud2\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: movl $-14, %0\n jmp 2b\n"
		     ".popsection\n"
		     ".pushsection __ex_table, \"a\"\n .long 1b, 3b\n .popsection\n"
		     : "+r"(r));
	return r;
}

SELFTEST(exception_fixup)
{
	report(faulting_insn() == -14, "a faulting instruction with a fixup resumes with an error");
}

SELFTEST(cpuid)
{
	unsigned a, b, c, d;
	char vendor[13];

	cpuid(0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = 0;
	report(a >= 1 && vendor[0], "cpuid leaf 0: max leaf %u, vendor \"%s\"", a, vendor);
	cpuid(1, &a, &b, &c, &d);
	report((b >> 24) == cpus[0].apic_id, "cpuid leaf 1 initial APIC id matches the boot CPU");
}

static void tsc_monotonic_on(void *arg)
{
	u32 *bad = arg;
	u64 prev = rdtsc();

	for (int i = 0; i < 2000; i++) {
		u64 now = rdtsc();
		if (now < prev)
			(*bad)++;
		prev = now;
	}
}

SELFTEST(tsc_per_cpu)
{
	for (u32 i = 0; i < ncpus_present; i++) {
		if (!cpus[i].online)
			continue;
		u32 bad = 0;
		bool ran = smp_call(i, tsc_monotonic_on, &bad);
		report(ran && bad == 0, "cpu %u: TSC monotonic over 2000 reads", i);
	}
}

/*
 * The op's answer against a fresh TSC measurement made here over 10 ms of
 * the HPET (of PIT channel 2 without one: kernel/time.c says why the
 * HPET comes first), ends known to 0.1% (1% for the PIT), not against
 * the boot's calibration itself.  The op may differ by 2% plus the
 * measurement's uncertainty.
 */
SELFTEST(cpu_khz)
{
	struct pit_window w;

	if (lguest_guest()) {
		report_skip("get_cpu_khz against the HPET/PIT: an lguest guest has neither");
		return;
	}
	unsigned long f = irq_save();
	bool known, ok = pit_best_window(10, false, 3, 30, &w, &known) && known;
	restore_fl(f);
	u32 khz = ok ? (u32)(w.tsc / 10) : 0, slack = ok ? (u32)(w.err / 10) + khz / 50 : 0;
	unsigned long op = get_cpu_khz();
	report(ok && op + slack >= khz && op <= khz + slack,
	       "get_cpu_khz = %lu, TSC over 10 ms of %s says %u kHz (+-%u)", op, calibration_clock(), khz, slack);
}

/* Wait, if needed, until the RTC is at least 5 s away from the next hour:
 * set_wallclock writes only minutes and seconds. */
static unsigned long wallclock_mid_hour(void)
{
	unsigned long t = get_wallclock();

	for (u32 i = 0; i < 700 && t % 3600 >= 3595; i++) {
		udelay(10000);
		t = get_wallclock();
	}
	return t;
}

SELFTEST(clocks)
{
	unsigned long t = get_wallclock();
	report(t > 1577836800ul, "get_wallclock after 2020 (%lu)", t);
	u64 c0 = get_scheduled_cycles();
	udelay(100);
	report(get_scheduled_cycles() > c0, "get_scheduled_cycles advances");

	/* Move the clock by half an hour within the hour, read it back, put it back. */
	t = wallclock_mid_hour();
	unsigned long want = t - t % 3600 + (t % 3600 + 1800) % 3600;
	int rc = set_wallclock(want);
	unsigned long got = get_wallclock();
	if (lguest_guest()) {
		report(rc == -1 && got - t <= 2, "set_wallclock refused (%d): the lguest host owns the RTC", rc);
		return;
	}
	report(rc == 0 && got - want <= 2, "set_wallclock(%lu) then get_wallclock = %lu", want, got);
	set_wallclock(t + (got - want));
	got = get_wallclock();
	report(got - t <= 4, "set_wallclock puts the time back (%lu, was %lu)", got, t);
}

SELFTEST(apic)
{
	u32 tpr = apic_read(APIC_TPR);

	if (lguest_guest()) {
		apic_write(APIC_TPR, 0x20);
		apic_write_atomic(APIC_TPR, 0x30);
		report(apic_read(APIC_TPR) == 0 && apic_read(APIC_VERSION) == 0,
		       "apic: an lguest guest has no local APIC: writes are dropped, reads are 0");
		return;
	}
	report(lapic_id() == cpus[0].apic_id, "apic_read ID matches the boot CPU");
	report((apic_read(APIC_VERSION) & 0xff) >= 0x10, "integrated local APIC (version %#lx)",
	       apic_read(APIC_VERSION) & 0xff);
	apic_write(APIC_TPR, 0x20);
	report((apic_read(APIC_TPR) & 0xff) == 0x20, "apic_write/apic_read TPR round trip");
	apic_write_atomic(APIC_TPR, tpr);
	report(apic_read(APIC_TPR) == tpr, "apic_write_atomic restores TPR");
}

SELFTEST(descriptors)
{
	struct desc_ptr g, i;

	store_gdt(&g);
	store_idt(&i);
	report(g.address == (u32)cpus[0].gdt, "store_gdt returns this CPU's GDT");
	report(i.size == 256 * 8 - 1, "store_idt returns a 256-entry IDT");
	report(store_tr() == SEL_TSS, "store_tr is the TSS selector");
	report(ksym_lookup((u32)report, &(u32){0}) && !strcmp(ksym_lookup((u32)report, &(u32){0}), "report"),
	       "crash dumps can symbolise kernel addresses");
}

SELFTEST(table_complete)
{
	const u32 *slot = (const u32 *)&pv_ops;
	u32 empty = 0;

	for (u32 t = PV_TYPE(init.patch); t < PV_NSLOTS; t++)
		if (!slot[t]) {
			kprintf("table: %s is NULL\n", paravirt_op_name(t));
			empty++;
		}
	report(empty == 0, "backend %s fills every op of the table", pv_name());
	for (u32 t = 0; t < PV_NSLOTS; t++)
		if (!paravirt_op_name(t))
			empty++;
	report(empty == 0, "every op has a name");
}
