/* pvtrace : install the counting table, report per-op counts and
 * the ops never called, with the reason for any that cannot be. */
#include "kparavirt.h"
#include "cpu.h"
#include "report.h"
#include "task.h"
#include "pvboot/pvtrace.h"

extern u32 pvtrace_counts[PV_NSLOTS], pvtrace_real[PV_NSLOTS];
extern const u32 pvtrace_thunks[PV_NSLOTS];

static bool active;
static u32 last_uncalled, last_test_only;
/* Each op's count when the self-tests started: calls made by the boot
 * itself (and by interrupts during it), so a count that only grew later
 * came from the self-tests or from what ran while they did. */
static u32 boot_counts[PV_NSLOTS];
static bool marked;

void pvtrace_mark_selftests(void)
{
	if (!active)
		return;
	memcpy(boot_counts, pvtrace_counts, sizeof(boot_counts));
	marked = true;
}

u32 pvtrace_test_only_count(void)
{
	return last_test_only;
}

u32 pvtrace_uncalled_count(void)
{
	return last_uncalled;
}

void pvtrace_install(void)
{
	u32 *slots = (u32 *)&pv_ops;

	memcpy(pvtrace_real, slots, sizeof(pvtrace_real));
	u32 n = pvtrace_build(slots, pvtrace_real, pvtrace_thunks,
			      PVTRACE_FIRST_OP, PV_NSLOTS);
	active = true;
	kprintf("pvtrace: %u ops routed through counting thunks; call sites stay unpatched\n", n);
}

bool pvtrace_active(void)
{
	return active;
}

/* Why an op cannot be called in this boot, or NULL. */
static const char *exemption(u32 t)
{
	if (ncpus_online < 2 && (t == PV_TYPE(smp.startup_ipi_hook) ||
				 t == PV_TYPE(apic.setup_secondary_clock)))
		return "needs a second CPU (boot with -smp 2 or more)";
	if (t == PV_TYPE(cpu.irq_enable_sysexit) && sysenter_unavailable())
		return sysenter_unavailable();
	if (t == PV_TYPE(init.patch))
		return "pvtrace leaves every call site unpatched";
	if (pv_kernel_rpl() && (t == PV_TYPE(cpu.wbinvd) || t == PV_TYPE(cpu.read_pmc) ||
				t == PV_TYPE(cpu.io_delay)))
		return "a ring-1 kernel may not run it: the op does nothing, so it has no effect to check";
	if (pv_kernel_rpl() && t == PV_TYPE(time.get_cpu_khz))
		return "a ring-1 kernel has no HPET or PIT to check the host's answer against";
	if (pv_kernel_rpl() && t == PV_TYPE(cpu.write_ldt_entry))
		return "a ring-1 kernel has no LDT (the host owns the descriptor tables)";
	return NULL;
}

static void print_counts(void)
{
	u32 col = 0;

	kprintf("pvtrace: calls per op:\n");
	for (u32 t = PVTRACE_FIRST_OP; t < PV_NSLOTS; t++) {
		kprintf("%s%s=%u", col ? " " : "  ", paravirt_op_name(t), pvtrace_counts[t]);
		if (++col == 6 || t + 1 == PV_NSLOTS) {
			kprintf("\n");
			col = 0;
		}
	}
}

/* The ops that nothing but the self-tests called: their effect is
 * checked, but no boot path of this configuration uses them. */
static void report_test_only(void)
{
	u32 n = 0;

	if (!marked)
		return;
	for (u32 t = PVTRACE_FIRST_OP; t < PV_NSLOTS; t++) {
		if (!pvtrace_real[t] || boot_counts[t] || !pvtrace_counts[t])
			continue;
		kprintf("%s%s", n ? " " : "pvtrace: called only since the self-tests began: ",
			paravirt_op_name(t));
		n++;
	}
	kprintf("%spvtrace: %u ops called only since the self-tests began\n", n ? "\n" : "", n);
	last_test_only = n;
}

/* Print the report; returns the number of ops never called (not exempt). */
u32 pvtrace_report(void)
{
	u8 exempt[PV_NSLOTS] = { 0 };
	u32 list[PV_NSLOTS];

	print_counts();
	for (u32 t = PVTRACE_FIRST_OP; t < PV_NSLOTS; t++)
		if (pvtrace_real[t] && !pvtrace_counts[t] && exemption(t)) {
			exempt[t] = 1;
			kprintf("pvtrace: %s not called: %s\n", paravirt_op_name(t), exemption(t));
		}
	u32 n = pvtrace_uncalled(pvtrace_counts, pvtrace_real, exempt,
				 PVTRACE_FIRST_OP, PV_NSLOTS, list, PV_NSLOTS);
	for (u32 i = 0; i < n; i++)
		kprintf("pvtrace: %s never called\n", paravirt_op_name(list[i]));
	kprintf("pvtrace: %u ops never called\n", n);
	last_uncalled = n;
	report_test_only();
	return n;
}
