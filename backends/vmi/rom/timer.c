/* Timer calls of the VMI ROM: TSC and APIC-timer calibration against PIT channel 2 (8254), SetAlarm/CancelAlarm on the local APIC timer, GetWallclockTime from the MC146818 CMOS RTC (docs/vmi-rom.md). */
#include "romio.h"
#include "pvboot/div64.h"

#define PIT_HZ          1193182u
#define PIT_LATCH       5966u           /* ~5 ms of PIT input clock */
#define PIT_CTRL        0x43
#define PIT_CH2         0x42
#define PORT_B          0x61            /* bit 0 gate 2, bit 1 speaker, bit 5 out 2 */
#define PIT_WAIT_MAX    50000000u       /* a missing PIT must not hang VMI_Init */

/* Channel 2, lobyte/hibyte, mode 0 (out goes high at terminal count):
 * all but the high byte, whose write starts the count. */
static void pit_start_lsb(void)
{
	outb(PORT_B, (inb(PORT_B) & ~0x02) | 0x01);
	outb(PIT_CTRL, 0xb0);
	outb(PIT_CH2, PIT_LATCH & 0xff);
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
 * One ~5 ms window measured by the TSC and by the APIC timer counting down
 * at divide 16.  The TSC is read around the write that starts the PIT and
 * around each read of OUT2, so *err says how far off the ends may be (the
 * host descheduling us at an end makes it large).  False if OUT2 never rose.
 */
static int calibrate_once(u64 *tsc, u64 *err, u32 *apic)
{
	u32 n = 0;
	u64 s0, s1, prev, now;

	pit_start_lsb();
	s0 = rdtsc();
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	outb(PIT_CH2, PIT_LATCH >> 8);          /* the count starts */
	s1 = prev = rdtsc();
	while (++n < PIT_WAIT_MAX) {
		int high = inb(PORT_B) & 0x20;
		if (high)
			*apic = 0xffffffffu - apic_read(APIC_TIMER_CUR);
		now = rdtsc();
		if (high) {
			apic_write(APIC_TIMER_INIT, 0);
			*tsc = (prev + now) / 2 - (s0 + s1) / 2;
			*err = (s1 - s0) + (now - prev);
			return 1;
		}
		prev = now;
	}
	apic_write(APIC_TIMER_INIT, 0);
	return 0;
}

/*
 * The HPET (IA-PC HPET spec 1.0a §2.3: period in fs at 0x4, enable bit 0
 * at 0x10, main counter at 0xf0) at its usual address, when one answers:
 * under QEMU's TCG with the host loaded, PIT channel 2 windows often
 * come out long even with tight ends, while the HPET, the TSC and the
 * APIC timer agree (the kernel's calibration found the same).  One
 * window of at least PIT_LATCH's length; counts scaled to exactly it.
 */
#define HPET_BASE 0xfed00000u

static u32 hpet_period_fs(void)
{
	u32 fs = ((volatile u32 *)HPET_BASE)[1];

	if (fs < 100000 || fs > 100000000)
		return 0;
	((volatile u32 *)HPET_BASE)[0x10 / 4] |= 1;
	return fs;
}

static void hpet_once(u32 fs, u64 *tsc, u64 *err, u32 *apic)
{
	volatile u32 *ctr = (volatile u32 *)(HPET_BASE + 0xf0);
	u32 need = (u32)div64((u64)PIT_LATCH * 1000000000000000ull / PIT_HZ, fs), h0, h1, got, left;
	u64 s0, s1, e0, e1;

	s0 = rdtsc();
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	h0 = *ctr;
	s1 = rdtsc();
	while (*ctr - h0 < need)
		;
	e0 = rdtsc();
	h1 = *ctr;
	left = apic_read(APIC_TIMER_CUR);
	e1 = rdtsc();
	apic_write(APIC_TIMER_INIT, 0);
	got = h1 - h0;
	*tsc = div64(((e0 + e1) / 2 - (s0 + s1) / 2) * need, got);
	*err = div64(((s1 - s0) + (e1 - e0)) * need, got);
	*apic = (u32)div64((u64)(0xffffffffu - left) * need, got);
}

#define CAL_WINDOWS 3
#define CAL_TRIES 30

/*
 * With an HPET: the first window known to 0.1%.  Without: PIT windows can
 * come out long, never short, so the shortest of the first CAL_WINDOWS
 * known to 1%.  Else the best-known one.  The APIC timer's own settings
 * are put back afterwards.
 */
void rom_calibrate(void)
{
	struct rom_data *d = &rom_data;
	u32 lvtt = apic_read(APIC_LVT_TIMER), tdcr = apic_read(APIC_TIMER_DIV), apic = 0, best_apic = 0, fb_apic = 0;
	u64 tsc = 0, err = 0, best = ~0ull, fb = 0, fb_err = ~0ull;
	u32 fs = hpet_period_fs();
	int good = 0, want = fs ? 1 : CAL_WINDOWS;

	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, (lvtt & 0xff) | APIC_LVT_MASKED);
	for (int i = 0; i < CAL_TRIES && good < want; i++) {
		if (fs)
			hpet_once(fs, &tsc, &err, &apic);
		else if (!calibrate_once(&tsc, &err, &apic))
			break;
		if (err < fb_err) {
			fb = tsc;
			fb_err = err;
			fb_apic = apic;
		}
		if (err * (fs ? 1000 : 100) >= tsc)
			continue;
		good++;
		if (tsc < best) {
			best = tsc;
			best_apic = apic;
		}
	}
	if (!good) {
		best = fb;
		best_apic = fb_apic;
	}
	apic_write(APIC_LVT_TIMER, lvtt);
	apic_write(APIC_TIMER_DIV, tdcr);
	d->tsc_hz = div64(best * PIT_HZ, PIT_LATCH);
	d->apic_hz = per_second(best_apic);
	/* APIC counts per cycle in 0.32 fixed point, from the TSC and the APIC
	 * timer over the same window: an error in the window's length scales
	 * both and cancels, so a mismeasured window cannot stretch the tick
	 * (dividing the two rates saturated once the TSC rate passed 2^32 Hz:
	 * an 11 s tick).  An APIC timer at least as fast as the TSC (never
	 * seen) saturates at 1 count per cycle. */
	if (best > best_apic && best >> 32 == 0)
		d->apic_mult = (u32)div64((u64)best_apic << 32, (u32)best);
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
	u32 vec = apic_read(APIC_LVT_TIMER) & 0xff;

	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
	if (period) {
		apic_write(APIC_LVT_TIMER, vec | APIC_TIMER_PERIODIC);
		apic_write(APIC_TIMER_INIT, cycles_to_apic(period));
		count(VMI_COUNT_ALARM_PERIODIC);
		return;
	}
	apic_write(APIC_LVT_TIMER, vec);
	apic_write(APIC_TIMER_INIT, cycles_to_apic(expiry > now ? expiry - now : 0));
}

void rom_cancel_alarm(void)
{
	apic_write(APIC_LVT_TIMER, apic_read(APIC_LVT_TIMER) | APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0);
}
