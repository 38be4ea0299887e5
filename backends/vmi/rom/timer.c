/* Timer calls of the VMI ROM: TSC and APIC-timer calibration against PIT channel 2 (8254), SetAlarm/CancelAlarm on the local APIC timer, GetWallclockTime from the MC146818 CMOS RTC (docs/vmi-rom.md). */
#include "romio.h"
#include "pvboot/div64.h"

#define PIT_HZ          1193182u
#define PIT_LATCH       5966u           /* ~5 ms of PIT input clock */
#define PIT_CTRL        0x43
#define PIT_CH2         0x42
#define PORT_B          0x61            /* bit 0 gate 2, bit 1 speaker, bit 5 out 2 */
#define PIT_WAIT_MAX    50000000u       /* a missing PIT must not hang VMI_Init */

/* Channel 2, lobyte/hibyte, mode 0 (out goes high at terminal count);
 * the count starts when its high byte is written (pit_window). */
static void pit_program(void)
{
	outb((inb(PORT_B) & ~0x02) | 0x01, PORT_B);
	outb(0xb0, PIT_CTRL);
	outb(PIT_LATCH & 0xff, PIT_CH2);
}

static u32 per_second(u64 ticks)
{
	return (u32)div64(ticks * PIT_HZ, PIT_LATCH);
}

struct window {
	u64 cycles;     /* TSC cycles across the PIT window, edge midpoints */
	u64 slack;      /* TSC time the two edges could each lie anywhere in */
	u32 counts;     /* APIC timer counts (divide 16) across it */
	u64 apic_cycles;        /* TSC cycles from starting to reading the APIC timer */
};

/*
 * One ~5 ms PIT window, bracketed by TSC reads on both edges: the start
 * lies between the reads around the count's high byte, the end between
 * the reads around the poll that saw OUT go high.  Under emulation on a
 * busy host the vCPU can be descheduled for milliseconds at either edge;
 * that shows up as slack instead of silently stretching the window
 * (which once calibrated a 2 GHz TSC as 99 GHz, and made the 100 Hz tick
 * an 11 s one).
 */
static bool pit_window(struct window *w)
{
	u64 a, b, c, d, e;
	u32 n = 0, left;

	pit_program();
	a = rdtsc();
	outb(PIT_LATCH >> 8, PIT_CH2);
	apic_write(APIC_TMICT, 0xffffffffu);
	b = rdtsc();
	d = b;
	for (;;) {
		u8 out = inb(PORT_B) & 0x20;
		c = d;
		d = rdtsc();
		if (out)
			break;
		if (++n >= PIT_WAIT_MAX)
			return false;
	}
	left = apic_read(APIC_TMCCT);
	e = rdtsc();
	apic_write(APIC_TMICT, 0);
	w->cycles = (c + d) / 2 - (a + b) / 2;
	w->slack = (b - a) + (d - c);
	w->counts = 0xffffffffu - left;
	w->apic_cycles = e - (a + b) / 2;
	return true;
}

#define CAL_TRIES 16

/*
 * TSC and APIC-timer rates from the PIT window with the least slack, out
 * of up to CAL_TRIES (stopping early once the slack is under 1/256 of the
 * window); the APIC timer's own settings are put back afterwards.
 */
void rom_calibrate(void)
{
	struct rom_data *d = &rom_data;
	u32 lvtt = apic_read(APIC_LVTT), tdcr = apic_read(APIC_TDCR);
	struct window w, best = { 0, ~0ull, 0, 0 };

	apic_write(APIC_TDCR, APIC_TDCR_16);
	apic_write(APIC_LVTT, (lvtt & 0xff) | APIC_LVT_MASKED);
	for (u32 i = 0; i < CAL_TRIES && pit_window(&w); i++) {
		if (w.slack < best.slack)
			best = w;
		if (best.slack < best.cycles / 256)
			break;
	}
	apic_write(APIC_LVTT, lvtt);
	apic_write(APIC_TDCR, tdcr);
	d->tsc_hz = div64(best.cycles * PIT_HZ, PIT_LATCH);
	d->apic_hz = per_second(best.counts);
	/*
	 * APIC counts per cycle in 0.32 fixed point, from the TSC and the APIC
	 * timer over one stretch of time, not from the two rates: if the PIT
	 * window was misjudged, the TSC rate and this ratio are off by the same
	 * factor, which then cancels in SetAlarm (the kernel asks for
	 * tsc_hz / 100 cycles: that many cycles are still apic_hz / 100 counts).
	 * Dividing apic_hz by a tsc_hz of 4 GHz or more used to saturate this
	 * at 1 count per cycle: an 11 s tick.  An APIC timer at least as fast
	 * as the TSC (never seen) still saturates.
	 */
	if (best.apic_cycles > best.counts && best.apic_cycles >> 32 == 0)
		d->apic_mult = (u32)div64((u64)best.counts << 32, (u32)best.apic_cycles);
	else
		d->apic_mult = 0xffffffffu;
}

/* cycles * apic_mult >> 32, at least 1 and at most 2^32 - 1 counts. */
static u32 cycles_to_apic(u64 cycles)
{
	u32 m = rom_data.apic_mult, hi = (u32)(cycles >> 32);
	u64 c = (u64)hi * m + (((u64)(u32)cycles * m) >> 32);

	if (c >> 32)
		return 0xffffffffu;
	return c ? (u32)c : 1;
}

void rom_set_alarm(u32 flags, u32 exp_lo, u32 exp_hi, u32 per_lo, u32 per_hi)
{
	u64 expiry = (u64)exp_hi << 32 | exp_lo, period = (u64)per_hi << 32 | per_lo;
	u64 now = rdtsc();
	u32 vec = apic_read(APIC_LVTT) & 0xff;

	apic_write(APIC_TDCR, APIC_TDCR_16);
	if (period) {
		apic_write(APIC_LVTT, vec | APIC_LVTT_PERIODIC);
		apic_write(APIC_TMICT, cycles_to_apic(period));
		count(VMI_COUNT_ALARM_PERIODIC);
		return;
	}
	apic_write(APIC_LVTT, vec);
	apic_write(APIC_TMICT, cycles_to_apic(expiry > now ? expiry - now : 0));
}

void rom_cancel_alarm(void)
{
	apic_write(APIC_LVTT, apic_read(APIC_LVTT) | APIC_LVT_MASKED);
	apic_write(APIC_TMICT, 0);
}
