/*
 * Ring-3 self-tests , run on every online CPU in thread context:
 * both system-call return paths deliver the right registers, a user page
 * fault is resolved and a kernel page refused, IOPL takes effect, two
 * tasks switching on one CPU keep their memory apart, TLS follows the
 * task, and tearing a task down returns every page it took.
 */
#include "report.h"
#include "task.h"
#include "smp.h"

enum user_prog {
	P_INT80_REGS, P_SYSENTER_REGS, P_DEMAND, P_KREAD, P_PORTIO,
	P_ISOLATION, P_TLS, P_NULL_LOOP, P_SYSENTER_LOOP, P_ISOLATION_INT80,
};

/* A ring-1 (lguest) kernel has no sysenter, and its host gives it no ports. */
static bool ring1_kernel(void)
{
	return pv_kernel_rpl() != 0;
}

/* Run one program in a fresh task; returns the task for inspection. */
static struct task *run_one(u32 prog, u32 arg, u32 iopl)
{
	struct task *t = task_create(prog, arg, iopl);

	if (t)
		task_run(t);
	return t;
}

static bool exited_ok(struct task *t)
{
	return t && t->state == TASK_EXITED && t->exit_code == 0;
}

static void check_and_free(struct task *t, bool ok, const char *what)
{
	report(ok, "cpu %u: %s", this_cpu()->id, what);
	if (t)
		task_destroy(t);
}

static void ring3_paths(void)
{
	struct task *t = run_one(P_INT80_REGS, 0, 0);
	check_and_free(t, exited_ok(t), "int 0x80 + iret return eax and preserve every other register");
	if (sysenter_unavailable()) {
		report_skip("cpu %u: sysenter: %s", this_cpu()->id, sysenter_unavailable());
	} else {
		t = run_one(P_SYSENTER_REGS, 0, 0);
		check_and_free(t, exited_ok(t), "sysenter + sysexit return eax and preserve ebx/esi/edi/ebp");
	}
	t = run_one(P_DEMAND, USER_DEMAND_OFF + 0x2340, 0);
	check_and_free(t, exited_ok(t), "a user page fault in the demand region is resolved (zeroed page)");
	t = run_one(P_KREAD, (u32)__kernel_start, 0);
	check_and_free(t, t && t->state == TASK_FAULTED && t->fault_vector == 14 &&
		       t->fault_addr == (u32)__kernel_start,
		       "a kernel-page read from ring 3 is refused with #PF and only the task ends");
}

static void ring3_iopl(void)
{
	struct task *t = run_one(P_PORTIO, 0, 0);
	check_and_free(t, t && t->state == TASK_FAULTED && t->fault_vector == 13,
		       "port I/O at IOPL 0 raises #GP");
	if (ring1_kernel()) {
		report_skip("cpu %u: IOPL 3: a ring-1 kernel cannot raise IOPL (the host owns the ports)",
			    this_cpu()->id);
		return;
	}
	t = run_one(P_PORTIO, 0, 3);
	check_and_free(t, exited_ok(t), "port I/O at IOPL 3 is allowed (set_iopl_mask)");
}

static void ring3_switch(void)
{
	u32 prog = sysenter_unavailable() ? P_ISOLATION_INT80 : P_ISOLATION;
	struct task *a = task_create(prog, 0xaaaa0001, 0);
	struct task *b = task_create(prog, 0xbbbb0002, 0);

	if (!a || !b) {
		report(false, "cpu %u: two tasks created", this_cpu()->id);
		return;
	}
	a->other = b;
	b->other = a;
	task_run(a);
	report(exited_ok(a) && exited_ok(b),
	       "cpu %u: two tasks switching by %s keep their own memory",
	       this_cpu()->id, sysenter_unavailable() ? "int 0x80" : "int 0x80 and sysenter");
	task_destroy(a);
	task_destroy(b);
	struct task *t = run_one(P_TLS, 0, 0);
	check_and_free(t, t && t->state == TASK_EXITED && t->exit_code == t->tls_value,
		       "%gs:0 reads this task's TLS segment (load_tls)");
}

static void ring3_suite(void *arg)
{
	u32 before = mem_free_pages();

	ring3_paths();
	ring3_iopl();
	ring3_switch();
	report(mem_free_pages() == before, "cpu %u: task teardown returned every page (%u free)",
	       this_cpu()->id, mem_free_pages());
}

SELFTEST(ring3)
{
	for (u32 i = 0; i < ncpus_present; i++) {
		if (!cpus[i].online)
			continue;
		if (!smp_run(i, ring3_suite, NULL, 5000))
			report(false, "cpu %u: ring-3 suite finished within 5 s", i);
	}
}
