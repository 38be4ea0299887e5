/* Self-tests of SMP: every CPU online with its local timer ticking, and an
 * IPI to and from every CPU. */
#include "report.h"
#include "cpu.h"
#include "smp.h"
#include "time.h"

static void say_id(void *arg)
{
	*(u32 *)arg = this_cpu()->id;
}

/* As many CPUs as smp= allows answer a cross-CPU call, each as itself. */
SELFTEST(cpus_online)
{
	u32 answered = 0;

	for (u32 i = 0; i < ncpus_present; i++) {
		u32 id = ~0u;
		if (i == 0)
			id = this_cpu()->id;
		else if (cpus[i].online && !smp_call(i, say_id, &id))
			id = ~0u;
		answered += id == i;
	}
	u32 want = kopts.smp && kopts.smp < ncpus_present ? kopts.smp : ncpus_present;
	report(answered == want, "%u of %u CPUs answer as themselves (smp=%u)", answered, ncpus_present, kopts.smp);
}

/* True once every online CPU's tick count has passed its value in before[]. */
static bool all_ticked(const u32 *before)
{
	for (u32 i = 0; i < ncpus_present; i++)
		if (cpus[i].online && cpus[i].ticks <= before[i])
			return false;
	return true;
}

/*
 * Every online CPU's local timer ticks.  The boot CPU sleeps on its own
 * ticks until each CPU has counted one, at least six of its periods and at
 * most 200: under TCG a halted vCPU runs only when the host schedules its
 * thread, which on a loaded host can take longer than a few periods, so a
 * fixed window would measure the host, not the timer.  The test ends as
 * soon as the property holds; the bound only ends a CPU whose timer is dead.
 */
SELFTEST(timers_tick)
{
	u32 before[MAX_CPUS];

	for (u32 i = 0; i < ncpus_present; i++)
		before[i] = cpus[i].ticks;
	unsigned long f = save_fl();
	while (this_cpu()->ticks < before[0] + 200 &&
	       (this_cpu()->ticks < before[0] + 6 || !all_ticked(before))) {
		irq_disable();
		safe_halt();    /* wakes on each of our ticks */
	}
	restore_fl(f);
	for (u32 i = 0; i < ncpus_present; i++)
		if (cpus[i].online)
			report(cpus[i].ticks > before[i], "cpu %u: local timer ticking (%u -> %u)",
			       i, before[i], cpus[i].ticks);
}

static volatile u32 hits[MAX_CPUS];

static void hit(void *arg)
{
	__atomic_fetch_add(&hits[this_cpu()->id], 1, __ATOMIC_SEQ_CST);
}

/* Runs on cpu i: send an IPI to the CPU named by arg. */
static void call_back(void *arg)
{
	smp_call((u32)arg, hit, NULL);
}

static u32 next_online(u32 i)
{
	do
		i = (i + 1) % ncpus_present;
	while (!cpus[i].online);
	return i;
}

SELFTEST(ipi_every_cpu)
{
	for (u32 i = 1; i < ncpus_present; i++) {
		if (!cpus[i].online)
			continue;
		u32 to = hits[i], from = hits[0];
		bool ok = smp_call(i, hit, NULL) && hits[i] == to + 1;
		report(ok, "IPI cpu 0 -> cpu %u", i);
		ok = smp_call(i, call_back, (void *)0) && hits[0] == from + 1;
		report(ok, "IPI cpu %u -> cpu 0", i);
		u32 j = next_online(i), hj = hits[j];
		if (j != 0) {
			ok = smp_call(i, call_back, (void *)j) && hits[j] == hj + 1;
			report(ok, "IPI cpu %u -> cpu %u", i, j);
		}
	}
	if (ncpus_online == 1)
		report_skip("IPIs: only one CPU online");
}
