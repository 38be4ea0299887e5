/*
 * SMP bring-up (docs/design.md §7): for each AP the firmware lists, the table's
 * startup_ipi_hook, then the universal start-up algorithm of the Intel
 * MP Spec §B.4 — "BSP sends AP an INIT IPI; BSP DELAYs (10mSec); BSP sends
 * AP a STARTUP IPI; BSP DELAYs (200µSec); BSP sends AP a STARTUP IPI" —
 * done for all APs at once rather than one by one, all through the table's
 * APIC ops.  The 10 ms wait is skipped under a hypervisor (initwait=).
 */
#include "smp.h"
#include "apic.h"
#include "mm.h"
#include "time.h"
#include "trap.h"
#include "kdetect.h"
#include "spinlock.h"

struct cpu cpus[MAX_CPUS];
u32 ncpus_present = 1;
volatile u32 ncpus_online = 1;
u64 smp_bringup_us;

static _Noreturn void idle_loop(struct cpu *me);
static u32 ap_stacks[256];              /* by APIC id, for the trampoline */
static u8 cpu_by_apic[256];             /* APIC id -> logical id */
static u32 ncpus_started;               /* APs we sent SIPIs to */
static volatile u32 ap_started[MAX_CPUS];

extern u8 trampoline_start[], trampoline_end[];
extern u8 tramp_cr3[], tramp_cr4[], tramp_efer[], tramp_stacks[], tramp_entry[], tramp_count[];
volatile u32 tramp_started;
bool smp_backend_trampoline;

#define TRAMP_SLOT(sym) (*(u32 *)(TRAMP_BASE + ((sym) - trampoline_start)))
#define AP_WAIT_MS 5000

/* Assign logical ids: the boot CPU is 0, the others in firmware order. */
static void enumerate_cpus(void)
{
	u32 bsp = lapic_id(), n = 1;

	cpus[0].apic_id = bsp;
	cpu_by_apic[bsp] = 0;
	for (u32 i = 0; i < smp_cfg.ncpus; i++) {
		const struct smp_cpu *c = &smp_cfg.cpu[i];
		if (!c->enabled || c->apic_id == bsp || n >= MAX_CPUS)
			continue;
		cpus[n].id = n;
		cpus[n].apic_id = c->apic_id;
		cpu_by_apic[c->apic_id] = n;
		n++;
	}
	ncpus_present = n;
}

/*
 * Written once, before the first INIT, so no AP can be running the page
 * while it changes; the second SIPI round writes nothing.  A backend that
 * starts APs on its own trampoline owns the page (its ROM installs it at
 * the first SIPI), and a second writer there could change code an AP is
 * executing: then ours is not written at all.
 */
static void setup_trampoline(void)
{
	if (smp_backend_trampoline)
		return;
	memcpy((void *)TRAMP_BASE, trampoline_start, trampoline_end - trampoline_start);
	TRAMP_SLOT(tramp_cr3) = read_cr3();
	TRAMP_SLOT(tramp_cr4) = read_cr4();
	TRAMP_SLOT(tramp_efer) = nx_enabled ? EFER_NXE : 0;
	TRAMP_SLOT(tramp_stacks) = (u32)ap_stacks;
	TRAMP_SLOT(tramp_entry) = (u32)ap_entry;
	TRAMP_SLOT(tramp_count) = (u32)&tramp_started;
}

static bool need_init_wait(void)
{
	if (kopts.initwait >= 0)
		return kopts.initwait;
	return !hypervisor_present();
}

struct cpu *cpu_of_apic(u32 apicid)
{
	return &cpus[cpu_by_apic[apicid & 0xff]];
}

/* Give each AP a stack and a GDT (a backend may start it straight on it),
 * and let the backend know where it will start. */
static void prepare_aps(u32 limit)
{
	for (u32 i = 1; i < ncpus_present && i < limit; i++) {
		u32 stack = pages_alloc(KSTACK_SIZE / PAGE_SIZE);
		if (!stack)
			panic("smp: out of memory for the stack of cpu %u", i);
		cpus[i].stack_top = stack + KSTACK_SIZE;
		ap_stacks[cpus[i].apic_id] = cpus[i].stack_top;
		gdt_build(&cpus[i]);
		startup_ipi_hook(cpus[i].apic_id, TRAMP_BASE, cpus[i].stack_top);
		ncpus_started++;
	}
}

static void send_all(u32 icr, bool only_silent)
{
	for (u32 i = 1; i <= ncpus_started; i++) {
		if (only_silent && ap_started[i])
			continue;
		if (!send_ipi(cpus[i].apic_id, icr))
			kprintf("smp: ICR stuck busy sending %#x to APIC id %u\n", icr, cpus[i].apic_id);
	}
}

/*
 * Called with interrupts off, returns with them on: sleep until the next
 * interrupt (sti; hlt loses no wake-up) — but only once this CPU's timer
 * has ticked, so a deadline is always seen again; before that (or if the
 * timer never runs) spin briefly instead of halting for good.
 */
void idle_wait(void)
{
	if (percpu_ready && this_cpu()->ticks) {
		safe_halt();
		return;
	}
	irq_enable();
	for (int i = 0; i < 1000; i++)
		cpu_relax();
}

/*
 * Sleep until every started AP is online: each AP's last act is a wake-up
 * IPI, the local timer bounds each sleep.  Halting rather than spinning
 * matters under emulation, where a spinning vCPU steals host time from
 * the APs it waits for.
 */
static void wait_online(u64 t0)
{
	u64 deadline = t0 + (u64)AP_WAIT_MS * tsc_khz;

	for (;;) {
		irq_disable();
		if (ncpus_online >= ncpus_started + 1 || rdtsc() >= deadline)
			break;
		idle_wait();
	}
	irq_enable();
}

/* Each AP by name up to 8 CPUs (every one with pvpatch=verbose), else
 * one line; an AP that did not come online is always named. */
static void report_aps(u64 t0)
{
	bool each = ncpus_started < 8 || kopts.pvpatch_verbose;
	u64 first = ~0ull, last = 0;

	for (u32 i = 1; i <= ncpus_started; i++) {
		u64 us = tsc_to_us(cpus[i].tsc_online - t0);
		if (!cpus[i].online)
			kprintf("smp: cpu %u (APIC id %u) did not come online within %u ms; left out\n",
				i, cpus[i].apic_id, AP_WAIT_MS);
		else if (each)
			kprintf("smp: cpu %u online (APIC id %u) after %llu us\n", i, cpus[i].apic_id, us);
		if (cpus[i].online && us < first)
			first = us;
		if (cpus[i].online && us > last)
			last = us;
	}
	if (!each && last)
		kprintf("smp: APs online between %llu and %llu us after the first INIT\n", first, last);
}

void smp_boot(void)
{
	u32 limit = kopts.smp ? kopts.smp : MAX_CPUS;

	enumerate_cpus();
	cpus[0].online = 1;
	cpus[0].tsc_online = rdtsc();
	prepare_aps(limit);
	if (!ncpus_started) {
		kprintf("smp: 1 CPU online (%u present)\n", ncpus_present);
		return;
	}
	setup_trampoline();
	u64 t0 = rdtsc();
	send_all(APIC_ICR_INIT | APIC_ICR_LEVEL | APIC_ICR_ASSERT, false);
	send_all(APIC_ICR_INIT | APIC_ICR_LEVEL, false);
	if (need_init_wait())
		udelay(10000);
	send_all(APIC_ICR_STARTUP | (TRAMP_BASE >> 12), false);
	udelay(200);
	send_all(APIC_ICR_STARTUP | (TRAMP_BASE >> 12), true);
	wait_online(t0);
	report_aps(t0);
	u64 last = t0;
	for (u32 i = 1; i <= ncpus_started; i++)
		if (cpus[i].online && cpus[i].tsc_online > last)
			last = cpus[i].tsc_online;
	smp_bringup_us = tsc_to_us(last - t0);
	kprintf("smp: %u of %u CPUs online; bring-up %llu us from first INIT to last AP online (INIT wait %s)\n",
		ncpus_online, ncpus_present, smp_bringup_us, need_init_wait() ? "10 ms" : "skipped");
}

/* C entry of every AP, from the trampoline (or a backend's own start). */
void ap_entry(void)
{
	unsigned a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	struct cpu *me = &cpus[cpu_by_apic[b >> 24]];
	ap_started[me->id] = 1;
	gdt_init_cpu(me);
	idt_load();
	lapic_init(false);
	setup_secondary_clock();
	me->tsc_online = rdtsc();
	me->online = 1;
	__atomic_fetch_add(&ncpus_online, 1, __ATOMIC_SEQ_CST);
	send_ipi(cpus[0].apic_id, VEC_WAKE);    /* the boot CPU may be asleep */
	idle_loop(me);
}

/* ---- work in thread context ---------------------------------------------- */

struct work {
	void (*fn)(void *);
	void *arg;
	u32 waker;              /* APIC id to wake when done */
	volatile u32 done;
};
static struct work work_slots[MAX_CPUS];

/* An AP's life after bring-up: run posted work, else sleep. */
static _Noreturn void idle_loop(struct cpu *me)
{
	struct work *w = &work_slots[me->id];

	for (;;) {
		irq_disable();
		if (w->fn && !w->done) {
			irq_enable();
			w->fn(w->arg);
			__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
			send_ipi(w->waker, VEC_WAKE);
			continue;
		}
		safe_halt();
	}
}

/* Sleep (interrupts on) until *flag is set or the deadline passes. */
bool wait_flag(volatile u32 *flag, u32 ms)
{
	u64 deadline = rdtsc() + (u64)ms * tsc_khz;
	unsigned long f = save_fl();
	bool ok;

	for (;;) {
		irq_disable();
		ok = __atomic_load_n(flag, __ATOMIC_ACQUIRE);
		if (ok || rdtsc() >= deadline)
			break;
		idle_wait();
	}
	restore_fl(f);
	return ok;
}

bool smp_post(u32 cpu, void (*fn)(void *), void *arg)
{
	struct work *w = &work_slots[cpu];

	if (cpu >= MAX_CPUS || cpu == this_cpu()->id || !cpus[cpu].online || (w->fn && !w->done))
		return false;
	w->arg = arg;
	w->waker = this_cpu()->apic_id;
	w->done = 0;
	__atomic_store_n(&w->fn, fn, __ATOMIC_RELEASE);
	send_ipi(cpus[cpu].apic_id, VEC_WAKE);
	return true;
}

bool smp_run(u32 cpu, void (*fn)(void *), void *arg, u32 ms)
{
	struct work *w = &work_slots[cpu];

	if (cpu == this_cpu()->id) {
		fn(arg);
		return true;
	}
	if (!smp_post(cpu, fn, arg))
		return false;
	bool ok = wait_flag(&w->done, ms);
	w->fn = NULL;
	return ok;
}

/* ---- cross-CPU calls ------------------------------------------------------- */

struct call_slot {
	struct spinlock lock;           /* one caller at a time per target */
	void (*fn)(void *);
	void *arg;
	volatile u32 done;
};
static struct call_slot call_slots[MAX_CPUS];

static void ipi_call(struct trapframe *tf)
{
	struct cpu *me = this_cpu();
	struct call_slot *s = &call_slots[me->id];

	me->ipis++;
	lapic_eoi();
	if (s->fn) {
		void (*fn)(void *) = s->fn;
		s->fn = NULL;
		fn(s->arg);
		__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	}
}

static void ipi_wake(struct trapframe *tf)
{
	lapic_eoi();
}

void smp_init_ipis(void)
{
	trap_set_handler(VEC_IPI_CALL, ipi_call);
	trap_set_handler(VEC_WAKE, ipi_wake);
}

/* Interrupts must be on in the caller (the target may be calling us). */
bool smp_call(u32 cpu, void (*fn)(void *), void *arg)
{
	struct call_slot *s = &call_slots[cpu];
	bool ok = true;

	if (cpu >= MAX_CPUS || !cpus[cpu].online)
		return false;
	if (cpu == current_cpu_id()) {  /* no IPI to ourselves needed */
		unsigned long f = irq_save();
		fn(arg);
		restore_fl(f);
		return true;
	}
	spin_lock(&s->lock);
	s->done = 0;
	s->arg = arg;
	s->fn = fn;
	send_ipi(cpus[cpu].apic_id, VEC_IPI_CALL);
	/*
	 * Given up only once the target has run a second of its own time
	 * (TIMER_HZ of its ticks) without answering, or, if it never ticks,
	 * after 30 s.  Under TCG a vCPU runs only when the host schedules its
	 * thread: a wall-clock second measures the host's load, not the IPI.
	 */
	u32 ticks0 = cpus[cpu].ticks;
	u64 deadline = rdtsc() + 30000ull * tsc_khz;
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		if (cpus[cpu].ticks - ticks0 > TIMER_HZ || rdtsc() > deadline) {
			ok = false;
			s->fn = NULL;
			break;
		}
		cpu_relax();
	}
	spin_unlock(&s->lock);
	return ok;
}
