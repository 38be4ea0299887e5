/*
 * Hypercalls (include/pvboot/lguest.h, docs/lguest.md): eax holds
 * the number, ebx/ecx/edx the arguments, eax the result.  The arguments
 * are checked (lib/lguest_check.c) before anything is done; a bad one
 * or an unknown number is refused with -EINVAL/-ENOSYS and counted.
 * Also the virtual interrupts: the guest's timer and what is pending,
 * delivered only when its virtual IF allows.
 *
 * The shared page is guest memory: another vCPU (or a device model) may
 * change it while the host reads it.  Every value is read once into host
 * memory (irq_view, the async slot copy, the reason and console copies),
 * checked there and used from there; bits the host sets are set with
 * atomic read-modify-writes.
 */
#include "lghost.h"
#include "time.h"
#include "pvboot/div64.h"

static struct lguest_data *ld(void)
{
	return lghost.lgdata_gpa ? lghost_hva(lghost.lgdata_gpa) : NULL;
}

/* The interrupt state of the shared page, copied once. */
struct irq_view {
	u32 enabled, pending[8], blocked[8], noirq_start, noirq_end;
	bool any;               /* some pending bit set */
};

/* enabled first; the rest only when it is on (nothing is delivered or
 * woken with the virtual IF off), so most exits copy one word; the
 * blocked mask and the no-interrupt window only if something is pending
 * or `all` (HALT also wakes on the timer and console, pending or not). */
static bool read_irq_view(struct irq_view *v, bool all)
{
	const struct lguest_data *d = ld();
	const struct lguest_vcpu *c = lghost_cur()->shared;

	if (!d)
		return false;
	v->any = false;
	v->enabled = READ_ONCE(c->irq_enabled);
	if (!(v->enabled & X86_EFLAGS_IF))
		return true;
	for (u32 w = 0; w < 8; w++) {
		v->pending[w] = READ_ONCE(c->irq_pending[w]);
		v->any |= v->pending[w] != 0;
	}
	if (!v->any && !all)
		return true;
	for (u32 w = 0; w < 8; w++)
		v->blocked[w] = READ_ONCE(c->blocked_interrupts[w]);
	v->noirq_start = READ_ONCE(d->noirq_start);
	v->noirq_end = READ_ONCE(d->noirq_end);
	return true;
}

/* Vector v waits for vCPU c (its struct lguest_vcpu may be written by
 * that vCPU at the same time: an atomic or). */
static void raise_vector(struct lghost_vcpu *c, u32 v)
{
	__atomic_fetch_or(&c->shared->irq_pending[v / 32], 1u << (v % 32), __ATOMIC_SEQ_CST);
}

/* Wallclock for the shared page: the RTC once, then the TSC, in whole
 * milliseconds; time_next is when the next millisecond starts, so the
 * entries in between (most of them) leave the page as it is. */
static u32 wall0;
static u64 tsc0, time_next;

static void update_time(u64 now)
{
	u64 t = now - tsc0;

	div64_rem(&t, tsc_khz);                 /* ticks -> ms */
	time_next = tsc0 + (t + 1) * tsc_khz;
	u32 ms = div64_rem(&t, 1000);           /* ms -> s */
	WRITE_ONCE(ld()->time_sec, wall0 + (u32)t);
	WRITE_ONCE(ld()->time_nsec, ms * 1000000);
}

/* LGUEST_INIT: once; a second one would move the page under the host. */
static int hc_init(u32 gpa)
{
	if (lghost.lgdata_gpa) {
		lghost_defend(LGHOST_D_HCALL, "LGUEST_INIT again (%#x): the shared page stays at %#x", gpa, lghost.lgdata_gpa);
		return LG_EINVAL;
	}
	lghost.lgdata_gpa = gpa;
	ld()->tsc_khz = tsc_khz;
	ld()->reserve_mem = 0u - LG_SWITCHER_ADDR;
	wall0 = get_wallclock();
	tsc0 = rdtsc();
	update_time(tsc0);
	ld()->nr_vcpus = lghost.nr_vcpus;
	lghost.vcpu[0].input_head = ld()->input_head = ld()->input_tail = 0;
	return 0;
}

/* SHUTDOWN: the reason is copied once, then shown printable only. */
static int hc_shutdown(u32 status, u32 reason_gpa)
{
	char raw[64], why[64];
	u32 n = 0;

	if (lghost_gpa_ok(reason_gpa, 1)) {
		n = lghost.size - reason_gpa < sizeof(raw) - 1 ? lghost.size - reason_gpa : sizeof(raw) - 1;
		memcpy(raw, lghost_hva(reason_gpa), n);
		n = strnlen(raw, n);
	}
	u32 bad = lgc_sanitise(why, sizeof(why), raw, n);
	if (bad)
		lghost_defend(LGHOST_D_SANITISED, "%u control byte%s in the SHUTDOWN reason shown as '?'", bad,
			  bad == 1 ? "" : "s");
	if (lghost.line_len)
		lghost_console_char('\n');
	kprintf("host: guest shut down with status %u (%s)\n", status, why);
	lghost.status = status == EXIT_CRASH ? LGHOST_CRASH : status ? 1 : 0;
	lghost.done = true;
	return 0;
}

/* CONSOLE_WRITE: copied in chunks into host memory, then printed. */
static int hc_console(u32 gpa, u32 len)
{
	char buf[128];

	for (u32 done = 0; done < len;) {
		u32 n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		memcpy(buf, lghost_hva(gpa + done), n);
		for (u32 i = 0; i < n; i++)
			lghost_console_char(buf[i]);
		done += n;
	}
	return (int)len;
}

static int hc_clockevent(u32 ns)
{
	struct lghost_vcpu *v = lghost_cur();

	v->timer_period = div64((u64)ns * tsc_khz, 1000000);
	v->timer_next = rdtsc() + v->timer_period;
	return 0;
}

/*
 * HALT: the vCPU sleeps on its host CPU until it has something to take
 * (the run loop waits, outside the host's lock: lghost_interrupt_due).
 * A halt nothing can end (virtual IF off, or every wake-up source
 * blocked) would hang that host CPU for ever: the guest is stopped
 * instead.  Another vCPU's IPI is no wake-up to count on: the vCPU that
 * would send it may itself be waiting for this one.
 */
static int hc_halt(void)
{
	struct irq_view v = { 0 };
	const struct trapframe *r = lghost_cur()->regs;

	if (r->gs & 0xffff)
		lghost_defend(LGHOST_D_HOST_SEGS, "guest halts holding %%gs %#x: the host waits on its own segments",
			  r->gs & 0xffff);
	if (!read_irq_view(&v, true) ||
	    !lgc_halt_can_wake(v.enabled, v.pending, v.blocked, lghost_cur()->timer_period != 0,
			       VEC_TIMER, LG_CONSOLE_VECTOR)) {
		lghost_defend(LGHOST_D_HALT_NOWAKE, "HALT at eip %#x with %s", r->eip,
			  !ld() ? "no shared page" : !(v.enabled & X86_EFLAGS_IF) ?
			  "interrupts off" : "every wake-up vector blocked");
		lghost_kill("halted with interrupts off and nothing can wake it");
		return 0;
	}
	lghost_cur()->halting = true;
	return 0;
}

/*
 * VCPU_START: vCPU n, never started, begins at eip with esp, on the
 * caller's address space (its shadow built in n's own slots), with the
 * virtual IF off; its host CPU is woken to run it.
 */
static int hc_vcpu_start(u32 n, u32 eip, u32 esp)
{
	struct lghost_vcpu *v = &lghost.vcpu[n];

	if (n >= lghost.nr_vcpus || v->state != LGHOST_VCPU_OFF) {
		lghost_defend(LGHOST_D_HCALL, "VCPU_START %u: %s", n, n >= lghost.nr_vcpus ?
			      "no such vCPU" : "already started");
		return LG_EINVAL;
	}
	lghost_vcpu_regs(v, eip, esp);
	lghost_shadow_start(v, lghost_cur());
	__atomic_store_n(&v->state, LGHOST_VCPU_RUN, __ATOMIC_RELEASE);
	lghost_kick(v);
	return 0;
}

/* SEND_IPI: vector (32-255: checked) waits for vCPU n, which is woken. */
static int hc_send_ipi(u32 n, u32 vector)
{
	struct lghost_vcpu *v = &lghost.vcpu[n];

	if (n >= lghost.nr_vcpus || v->state != LGHOST_VCPU_RUN) {
		lghost_defend(LGHOST_D_HCALL, "SEND_IPI to vCPU %u: %s", n,
			      n >= lghost.nr_vcpus ? "no such vCPU" : "not running");
		return LG_EINVAL;
	}
	raise_vector(v, vector);
	if (v != lghost_cur())
		lghost_kick(v);
	return 0;
}

/* LOAD_TLS: three descriptors, copied once. */
static int hc_tls(u32 gpa)
{
	u32 d[6];

	memcpy(d, lghost_hva(gpa), sizeof(d));
	for (u32 i = 0; i < 3; i++)
		if (d[2 * i + 1] & 0x8000)
			lghost_load_gdt_entry(GDT_TLS0 + i, d[2 * i], d[2 * i + 1]);
		else
			lghost_load_gdt_entry(GDT_TLS0 + i, 0, 0);
	return 0;
}

/* A call of the fuzz campaign: from its vCPU while it runs. */
static bool fuzzing_here(void)
{
	return lghost.fuzzing && lghost_cur()->id == lghost.fuzz_vcpu;
}

/* The two NOTIFY markers of a fuzz campaign: count what the host handled
 * in between and compare it with what the guest says it issued. */
static int hc_notify(u32 a1, u32 a2, u32 a3)
{
	if (lghost.hostile < 0 || strcmp(lghost_hostile_name(), "fuzz"))
		return 0;
	if (a1 == LG_FUZZ_BEGIN) {
		lghost.fuzzing = true;
		lghost.fuzz_vcpu = lghost_cur()->id;    /* the campaign's calls are its */
		lghost.fuzz_sync = lghost.fuzz_async = 0;
	} else if (a1 == LG_FUZZ_END && fuzzing_here()) {
		lghost.fuzzing = false;
		u32 sync = lghost.fuzz_sync - 1;    /* not this marker */
		bool same = sync == a2 && lghost.fuzz_async == a3;
		kprintf("host: fuzz: guest issued %u hypercalls + %u queued, host handled %u + %u: %s\n",
			a2, a3, sync, lghost.fuzz_async, same ? "nothing lost" : "MISMATCH");
		if (same)
			lghost.defended[LGHOST_D_FUZZ_DONE]++;
	}
	return 0;
}

static int do_call(u32 nr, u32 a1, u32 a2, u32 a3)
{
	const char *why = lgc_hcall_args(nr, a1, a2, a3, lghost.size);

	if (why) {
		lghost_defend(LGHOST_D_HCALL, "hypercall %u (%#x, %#x, %#x): %s", nr, a1, a2, a3, why);
		return nr < LHCALL_MAX && strcmp(why, "unknown hypercall") ? LG_EINVAL : LG_ENOSYS;
	}
	switch (nr) {
	case LHCALL_FLUSH_ASYNC:
	case LHCALL_SEND_INTERRUPTS:
		return 0;
	case LHCALL_NOTIFY: return hc_notify(a1, a2, a3);
	case LHCALL_LGUEST_INIT: return hc_init(a1);
	case LHCALL_SHUTDOWN: return hc_shutdown(a1, a2);
	case LHCALL_NEW_PGTABLE:
		lghost_shadow_switch(a1 & ~0xfffu);
		return 0;
	case LHCALL_FORGET_PAGE: return lghost_forget_page(a1);
	case LHCALL_FLUSH_TLB: return 0;     /* every entry reloads cr3 */
	case LHCALL_LOAD_IDT_ENTRY: return lghost_load_idt_entry(a1, a2, a3);
	case LHCALL_SET_STACK: return lghost_set_stack(a1, a2);
	case LHCALL_TS: lghost_cur()->cr0_ts = !!a1; return 0;
	case LHCALL_SET_CLOCKEVENT: return hc_clockevent(a1);
	case LHCALL_HALT: return hc_halt();
	case LHCALL_SET_PTE: return lghost_set_pte(a1, a2);
	case LHCALL_SET_PMD:
	case LHCALL_SET_PGD: return lghost_set_pmd(a1, a2);
	case LHCALL_LOAD_TLS: return hc_tls(a1);
	case LHCALL_LOAD_GDT_ENTRY: return lghost_load_gdt_entry(a1, a2, a3);
	case LHCALL_CONSOLE_WRITE: return hc_console(a1, a2);
	case LHCALL_VCPU_START: return hc_vcpu_start(a1, a2, a3);
	case LHCALL_SEND_IPI: return hc_send_ipi(a1, a2);
	}
	return LG_ENOSYS;               /* lgc_hcall_args knows every number above */
}

/* One queued call the SET_PTE run below did not take: SHUTDOWN and HALT
 * refused, SET_PTE with its address check inline (the one lgc_hcall_args
 * makes: aligned, inside guest memory), everything else by do_call. */
static void async_one(const struct lgc_async *c)
{
	if (c->call == LHCALL_SHUTDOWN || c->call == LHCALL_HALT) {
		lghost_defend(LGHOST_D_HCALL, "hypercall %u queued in the async ring: only synchronous", c->call);
		return;
	}
	lghost.async_calls++;
	lghost.fuzz_async += fuzzing_here();
	if (c->call == LHCALL_SET_PTE && !(c->arg1 & 3) && lghost_gpa_ok(c->arg1, 4))
		lghost_set_pte(c->arg1, c->arg2);
	else
		do_call(c->call, c->arg1, c->arg2, c->arg3);
}

/* The asynchronous ring: queued calls run, in order, before any other,
 * from the host's copy (lib/lguest_check.c takes and frees each slot
 * once).  What lazy MMU mode queues most, a run of SET_PTEs, goes to
 * lghost_set_ptes; the call it stops at takes the full path. */
static void drain_async(void)
{
	struct lgc_async c[LG_ASYNC_SLOTS];

	if (!ld())
		return;
	u32 n = lgc_async_take(&lghost_cur()->async, c);
	for (u32 k = 0; k < n && !lghost.done; k++) {
		u32 run = lghost_set_ptes(c + k, n - k);
		lghost.async_calls += run;
		lghost.fuzz_async += fuzzing_here() ? run : 0;
		k += run;
		if (k < n)
			async_one(&c[k]);
	}
}

void lghost_hypercall(void)
{
	struct trapframe *r = lghost_cur()->regs;

	lghost.hcalls++;
	lghost.fuzz_sync += fuzzing_here();
	drain_async();
	if (!lghost.done)
		r->eax = (u32)do_call(r->eax, r->ebx, r->ecx, r->edx);
}

/* ---- virtual interrupts ------------------------------------------------- */

static void timer_check(u64 now)
{
	struct lghost_vcpu *v = lghost_cur();

	if (!v->timer_period || !ld() || now < v->timer_next)
		return;
	raise_vector(v, VEC_TIMER);
	v->timer_next += v->timer_period;
	if (v->timer_next < now)
		v->timer_next = now + v->timer_period;
}

/* Console input for the guest: bytes from COM1 into the shared ring, for
 * vCPU 0.  The write position is the host's own; the guest's read
 * position is read once. */
static void console_in(void)
{
	struct lguest_data *d = ld();
	struct lghost_vcpu *v0 = &lghost.vcpu[0];
	bool any = false;

	if (!d)
		return;
	u32 tail = READ_ONCE(d->input_tail);
	while ((inb(0x3f8 + 5) & 1) && v0->input_head - tail < sizeof(d->input)) {
		d->input[v0->input_head % sizeof(d->input)] = (char)inb(0x3f8);
		v0->input_head++;
		__atomic_store_n(&d->input_head, v0->input_head, __ATOMIC_RELEASE);
		any = true;
	}
	if (any)
		raise_vector(v0, LG_CONSOLE_VECTOR);
}

/* Has this vCPU something to take (for a HALT to end)? */
bool lghost_interrupt_due(void)
{
	struct irq_view v;

	timer_check(rdtsc());
	if (lghost_cur()->id == 0)
		console_in();
	return read_irq_view(&v, false) && v.any && lgc_pending_vector(v.pending, v.blocked) >= 0;
}

void lghost_inject_pending(void)
{
	struct irq_view v;
	u32 eip = lghost_cur()->regs->eip;

	if (!ld())
		return;
	u64 now = rdtsc();
	if (now >= time_next)
		update_time(now);
	timer_check(now);
	if (lghost_cur()->poll_console) {
		lghost_cur()->poll_console = false;
		if (lghost_cur()->id == 0)
			console_in();
	}
	if (!read_irq_view(&v, false) || !v.any || (eip >= v.noirq_start && eip < v.noirq_end))
		return;
	int vec = lgc_pending_vector(v.pending, v.blocked);     /* 0..255 or -1, from the copy */
	if (vec < 0)
		return;
	__atomic_fetch_and(&lghost_cur()->shared->irq_pending[vec / 32], ~(1u << (vec % 32)), __ATOMIC_SEQ_CST);
	lghost_reflect((u32)vec, false, 0);
}
