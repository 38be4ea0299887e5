/*
 * Hypercalls (include/pvboot/lguest.h, docs/lguest.md): eax holds
 * the number, ebx/ecx/edx/esi the arguments, eax the result.  Every
 * argument that names guest memory is bounds-checked; an unknown number
 * stops the guest.  Also the virtual interrupts: the guest's timer and
 * what is pending, delivered only when its virtual IF allows.
 */
#include "host.h"
#include "time.h"
#include "pvboot/div64.h"

static struct lguest_data *ld(void)
{
	return lg.lgdata_gpa ? lg_hva(lg.lgdata_gpa) : NULL;
}

/* Wallclock for the shared page: the RTC once, then the TSC. */
static u32 wall0;
static u64 tsc0;

static void update_time(void)
{
	u64 t = rdtsc() - tsc0;

	div64_rem(&t, tsc_khz);                 /* ticks -> ms */
	u32 ms = div64_rem(&t, 1000);           /* ms -> s */
	ld()->time_sec = wall0 + (u32)t;
	ld()->time_nsec = ms * 1000000;
}

static int hc_init(u32 gpa)
{
	if (!lg_gpa_ok(gpa, sizeof(struct lguest_data)))
		return LG_EINVAL;
	lg.lgdata_gpa = gpa;
	ld()->tsc_khz = tsc_khz;
	ld()->reserve_mem = 0u - LG_SWITCHER_ADDR;
	wall0 = get_wallclock();
	tsc0 = rdtsc();
	update_time();
	memset(ld()->hcall_status, 0xff, sizeof(ld()->hcall_status));
	return 0;
}

static int hc_shutdown(u32 status, u32 reason_gpa)
{
	char why[64] = "";

	if (lg_gpa_ok(reason_gpa, 1)) {
		u32 n = lg.size - reason_gpa < sizeof(why) - 1 ? lg.size - reason_gpa : sizeof(why) - 1;
		memcpy(why, lg_hva(reason_gpa), n);
		why[n] = '\0';
	}
	if (lg.line_len)
		lg_console_char('\n');
	kprintf("host: guest shut down with status %u (%s)\n", status, why);
	lg.status = status == EXIT_CRASH ? LG_CRASH : status ? 1 : 0;
	lg.done = true;
	return 0;
}

static int hc_console(u32 gpa, u32 len)
{
	if (len > 4096 || !lg_gpa_ok(gpa, len))
		return LG_EINVAL;
	for (u32 i = 0; i < len; i++)
		lg_console_char(((const char *)lg_hva(gpa))[i]);
	return (int)len;
}

static int hc_clockevent(u32 ns)
{
	lg.cur->timer_period = div64((u64)ns * tsc_khz, 1000000);
	lg.cur->timer_next = rdtsc() + lg.cur->timer_period;
	return 0;
}

static bool interrupt_due(void);

/* Sleep on the host until the guest has something to take. */
static int hc_halt(void)
{
	unsigned long f = save_fl();

	for (;;) {
		irq_disable();
		if (interrupt_due() || lg.done)
			break;
		safe_halt();
	}
	restore_fl(f);
	return 0;
}

static int hc_tls(u32 gpa)
{
	if (!lg_gpa_ok(gpa, 24))
		return LG_EINVAL;
	const u32 *d = lg_hva(gpa);
	for (u32 i = 0; i < 3; i++)
		if (d[2 * i + 1] & 0x8000)
			lg_load_gdt_entry(GDT_TLS0 + i, d[2 * i], d[2 * i + 1]);
		else
			lg_load_gdt_entry(GDT_TLS0 + i, 0, 0);
	return 0;
}

static int do_call(u32 nr, u32 a1, u32 a2, u32 a3)
{
	switch (nr) {
	case LHCALL_FLUSH_ASYNC:
	case LHCALL_SEND_INTERRUPTS:
	case LHCALL_NOTIFY:
		return 0;
	case LHCALL_LGUEST_INIT: return hc_init(a1);
	case LHCALL_SHUTDOWN: return hc_shutdown(a1, a2);
	case LHCALL_NEW_PGTABLE:
		if (!lg_gpa_ok(a1 & ~0xfffu, PAGE_SIZE))
			return LG_EINVAL;
		lg_shadow_rebuild(a1 & ~0xfffu);
		return 0;
	case LHCALL_FLUSH_TLB: return 0;     /* every entry reloads cr3 */
	case LHCALL_LOAD_IDT_ENTRY: return lg_load_idt_entry(a1, a2, a3);
	case LHCALL_SET_STACK:
		if ((a1 & 3) != LG_GUEST_RPL)
			return LG_EINVAL;
		lg.cur->ss1 = a1;
		lg.cur->esp1 = a2;
		return 0;
	case LHCALL_TS: lg.cur->cr0_ts = a1; return 0;
	case LHCALL_SET_CLOCKEVENT: return hc_clockevent(a1);
	case LHCALL_HALT: return hc_halt();
	case LHCALL_SET_PTE: return lg_set_pte(a1, a2);
	case LHCALL_SET_PMD:
	case LHCALL_SET_PGD: return lg_set_pmd(a1, a2);
	case LHCALL_LOAD_TLS: return hc_tls(a1);
	case LHCALL_LOAD_GDT_ENTRY: return lg_load_gdt_entry(a1, a2, a3);
	case LHCALL_CONSOLE_WRITE: return hc_console(a1, a2);
	}
	lg_kill("invalid hypercall %u", nr);
	return LG_ENOSYS;
}

/* The asynchronous ring: queued calls run, in order, before any other. */
static void drain_async(void)
{
	struct lguest_data *d = ld();

	if (!d)
		return;
	for (u32 n = 0; n < LG_ASYNC_SLOTS; n++) {
		u32 i = (d->async_next + n) % LG_ASYNC_SLOTS;
		if (d->hcall_status[i] != 0)
			continue;
		do_call(d->hcalls[i].call, d->hcalls[i].arg1, d->hcalls[i].arg2, d->hcalls[i].arg3);
		d->hcall_status[i] = 0xff;
	}
}

void lg_hypercall(void)
{
	struct trapframe *r = lg.cur->regs;

	lg.hcalls++;
	drain_async();
	r->eax = (u32)do_call(r->eax, r->ebx, r->ecx, r->edx);
}

/* ---- virtual interrupts ------------------------------------------------- */

static void timer_check(void)
{
	u64 now = rdtsc();

	if (!lg.cur->timer_period || !ld() || now < lg.cur->timer_next)
		return;
	ld()->irq_pending[VEC_TIMER / 32] |= 1u << (VEC_TIMER % 32);
	lg.cur->timer_next += lg.cur->timer_period;
	if (lg.cur->timer_next < now)
		lg.cur->timer_next = now + lg.cur->timer_period;
}

/* Lowest pending, unblocked vector, or -1. */
static int pending_vector(void)
{
	struct lguest_data *d = ld();

	for (u32 w = 0; d && w < 8; w++) {
		u32 bits = d->irq_pending[w] & ~d->blocked_interrupts[w];
		if (bits)
			return (int)(w * 32 + __builtin_ctz(bits));
	}
	return -1;
}

static void console_in(struct lguest_data *d);

static bool interrupt_due(void)
{
	timer_check();
	if (ld())
		console_in(ld());
	return pending_vector() >= 0 && ld() && (ld()->irq_enabled & X86_EFLAGS_IF);
}

/* Console input for the guest: bytes from COM1 into the shared ring. */
static void console_in(struct lguest_data *d)
{
	bool any = false;

	while ((inb(0x3f8 + 5) & 1) && d->input_head - d->input_tail < sizeof(d->input)) {
		d->input[d->input_head % sizeof(d->input)] = (char)inb(0x3f8);
		__atomic_store_n(&d->input_head, d->input_head + 1, __ATOMIC_RELEASE);
		any = true;
	}
	if (any)
		d->irq_pending[LG_CONSOLE_VECTOR / 32] |= 1u << (LG_CONSOLE_VECTOR % 32);
}

void lg_inject_pending(void)
{
	struct lguest_data *d = ld();
	u32 eip = lg.cur->regs->eip;

	if (!d)
		return;
	console_in(d);
	update_time();
	if (!interrupt_due() || (eip >= d->noirq_start && eip < d->noirq_end))
		return;
	int v = pending_vector();
	d->irq_pending[v / 32] &= ~(1u << (v % 32));
	lg_reflect((u32)v, false, 0);
}
