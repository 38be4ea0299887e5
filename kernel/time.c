/*
 * Native clocks.  The TSC and the local APIC timer are calibrated together
 * against PIT channel 2 (8254 datasheet: mode 0, gate through port 0x61,
 * OUT2 readable at 0x61 bit 5).  Wallclock from the MC146818 CMOS RTC
 * (pvboot/rtc.h, lib/rtc.c: the same reading and decoding as the VMI ROM).
 * Every CPU runs a periodic local-APIC timer at TIMER_HZ.
 */
#include "time.h"
#include "pvboot/div64.h"
#include "pvboot/rtc.h"
#include "cpu.h"
#include "apic.h"
#include "trap.h"
#include "mm.h"
#include "paravirt_native.h"

#define PIT_HZ 1193182u
#define CALIBRATE_MS 5            /* PIT resolution 0.84 us: 0.02% */

u32 tsc_khz;
u32 apic_timer_khz;

/*
 * One timed window: PIT channel 2 counts ms milliseconds while the TSC
 * and the local APIC timer (divide 16, from 0xffffffff) run.  The TSC is
 * read just before the write that starts the count and just after it,
 * and around each read of OUT2, so both ends are known to within the gap
 * between two reads: *err.  Under an emulator the host may deschedule
 * us at an end, which makes that gap (and so *err) large.  With apic,
 * the APIC timer is used and left stopped; without, it is not touched.
 * False if OUT2 never rose.
 */
bool pit_window(u32 ms, bool apic, struct pit_window *w)
{
	u32 count = PIT_HZ * ms / 1000;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);    /* gate on, speaker off */
	outb(0x43, 0xb0);                          /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	u64 s0 = rdtsc();
	if (apic)
		apic_write(APIC_TIMER_INIT, 0xffffffff);
	outb(0x42, count >> 8);                    /* the count starts */
	u64 s1 = rdtsc(), prev = s1;
	for (u32 i = 0; i < 50000000; i++) {
		bool high = inb(0x61) & 0x20;
		if (high)
			w->apic = apic ? 0xffffffffu - apic_read(APIC_TIMER_CUR) : 0;
		u64 now = rdtsc();
		if (high) {
			if (apic)
				apic_write(APIC_TIMER_INIT, 0);
			w->tsc = (prev + now) / 2 - (s0 + s1) / 2;
			w->err = (s1 - s0) + (now - prev);
			return true;
		}
		prev = now;
	}
	if (apic)
		apic_write(APIC_TIMER_INIT, 0);
	return false;
}

/*
 * The HPET main counter (IA-PC HPET spec 1.0a §2.3: capabilities at 0x0,
 * period in fs in its high half; general config at 0x10, bit 0 enables
 * the counter; main counter at 0xf0), at the address QEMU and most
 * chipsets use.  A clock apart from the PIT: under QEMU's TCG with the
 * host loaded, PIT channel 2 windows often come out long (2-10x, with
 * both ends tightly bracketed; seen on every loaded run while writing
 * this), while the HPET, the TSC and the APIC timer always agree.
 */
#define HPET_BASE 0xfed00000u
static volatile u32 *hpet;
static u32 hpet_fs;

/* The HPET's period in fs if one answers plausibly (0.1-100 ns), else 0. */
static u32 hpet_probe(void)
{
	static bool probed;

	if (!probed) {
		probed = true;
		map_mmio(HPET_BASE, PAGE_SIZE);
		u32 fs = ((volatile u32 *)HPET_BASE)[1];
		if (fs >= 100000 && fs <= 100000000) {
			hpet = (volatile u32 *)HPET_BASE;
			hpet_fs = fs;
			hpet[0x10 / 4] |= 1;            /* the main counter runs */
		}
	}
	return hpet_fs;
}

/*
 * One window of at least ms milliseconds of HPET time, each end's HPET
 * read bracketed by TSC reads; the TSC and APIC counts are scaled to
 * exactly ms of HPET time, so an overshoot (a late look) costs nothing.
 */
static void hpet_window(u32 ms, bool apic, struct pit_window *w)
{
	u32 need = (u32)div64((u64)ms * 1000000000000ull, hpet_fs), left = 0;
	u64 s0 = rdtsc();
	if (apic)
		apic_write(APIC_TIMER_INIT, 0xffffffff);
	u32 h0 = hpet[0xf0 / 4];
	u64 s1 = rdtsc();
	while (hpet[0xf0 / 4] - h0 < need)
		cpu_relax();
	u64 e0 = rdtsc();
	u32 h1 = hpet[0xf0 / 4];
	if (apic)
		left = apic_read(APIC_TIMER_CUR);
	u64 e1 = rdtsc();
	if (apic)
		apic_write(APIC_TIMER_INIT, 0);
	u32 got = h1 - h0;
	w->tsc = div64(((e0 + e1) / 2 - (s0 + s1) / 2) * need, got);
	w->err = div64(((s1 - s0) + (e1 - e0)) * need, got);
	w->apic = apic ? (u32)div64((u64)(0xffffffffu - left) * need, got) : 0;
}

/*
 * The best of up to `tries` windows.  HPET windows: the first whose ends
 * are known to 0.1%, else the best-known.  PIT windows: the shortest of
 * the first `want` known to 1% (a PIT window can come out long, never
 * short), else the best-known.  *known: some window met its bar.  False
 * if the PIT never ended.
 */
bool pit_best_window(u32 ms, bool apic, u32 want, u32 tries, struct pit_window *best, bool *known)
{
	struct pit_window w, fallback = { .err = ~0ull };
	u32 good = 0;
	bool use_hpet = hpet_probe() != 0;

	*best = (struct pit_window){ .tsc = ~0ull };
	for (u32 i = 0; i < tries && good < (use_hpet ? 1 : want); i++) {
		if (use_hpet)
			hpet_window(ms, apic, &w);
		else if (!pit_window(ms, apic, &w))
			return false;
		if (w.err < fallback.err)
			fallback = w;
		if (w.err * (use_hpet ? 1000 : 100) >= w.tsc)
			continue;
		good++;
		if (w.tsc < best->tsc)
			*best = w;
	}
	*known = good > 0;
	if (!good)
		*best = fallback;
	return true;
}

const char *calibration_clock(void)
{
	return hpet_probe() ? "HPET" : "PIT";
}

#define CALIBRATE_WINDOWS 3
#define CALIBRATE_TRIES 30

void native_time_init(void)
{
	struct pit_window w = { 0 };
	bool known;

	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	if (!pit_best_window(CALIBRATE_MS, true, CALIBRATE_WINDOWS, CALIBRATE_TRIES, &w, &known))
		panic("time: PIT channel 2 never reached terminal count; no clock to calibrate against");
	if (!known)
		kprintf("time: no %u ms %s window in %u could be timed well: using the best, uncertain by %llu TSC ticks\n",
			CALIBRATE_MS, calibration_clock(), CALIBRATE_TRIES, w.err);
	tsc_khz = (u32)div64(w.tsc, CALIBRATE_MS);
	apic_timer_khz = w.apic / CALIBRATE_MS;
	if (!tsc_khz || !apic_timer_khz)
		panic("time: calibration gave tsc %u kHz, apic timer %u kHz", tsc_khz, apic_timer_khz);
	kprintf("time: TSC %u.%03u MHz, APIC timer %u kHz (/16), calibrated over %u ms of %s to %u ppm\n",
		tsc_khz / 1000, tsc_khz % 1000, apic_timer_khz, CALIBRATE_MS, calibration_clock(),
		(u32)div64(w.err * 1000000, (u32)(w.tsc | 1)));
}

unsigned long native_get_cpu_khz(void)
{
	return tsc_khz;
}

void udelay(u32 us)
{
	u64 end = rdtsc() + div64((u64)us * tsc_khz, 1000);
	while (rdtsc() < end)
		cpu_relax();
}

u64 tsc_to_us(u64 d)
{
	return tsc_khz ? div64(d * 1000, tsc_khz) : 0;
}

/* ---- local timer ---------------------------------------------------------- */

static void timer_tick(struct trapframe *tf)
{
	this_cpu()->ticks++;
	lapic_eoi();
}

void timer_install_handler(void)
{
	trap_set_handler(VEC_TIMER, timer_tick);
}

void lapic_timer_start(u32 hz)
{
	timer_install_handler();
	apic_write(APIC_TIMER_DIV, APIC_TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, VEC_TIMER | APIC_TIMER_PERIODIC);
	apic_write(APIC_TIMER_INIT, apic_timer_khz * 1000 / hz);
}

void native_setup_boot_clock(void)
{
	lapic_timer_start(TIMER_HZ);
}

void native_setup_secondary_clock(void)
{
	lapic_timer_start(TIMER_HZ);
}

/* ---- CMOS RTC (pvboot/rtc.h) ---------------------------------------------- */

static void cmos_write(u8 reg, u8 v)
{
	outb(RTC_INDEX_PORT, reg);
	outb(RTC_DATA_PORT, v);
}

static u8 to_bcd(u32 v, bool binary) { return binary ? (u8)v : (u8)(((v / 10) << 4) | (v % 10)); }

/* 0 when the RTC's registers make no date (the self-test then says so). */
unsigned long native_get_wallclock(void)
{
	struct rtc_regs r;

	rtc_read_regs(&r);
	return rtc_seconds(&r);
}

int native_set_wallclock(unsigned long t)
{
	bool bin = rtc_read(RTC_STATUS_B) & RTC_B_BINARY;
	/* Only the time of day is written, as Linux's set_rtc_mmss did:
	 * the date is left to the firmware setup. */
	cmos_write(RTC_SECONDS, to_bcd(t % 60, bin));
	cmos_write(RTC_MINUTES, to_bcd(t / 60 % 60, bin));
	return 0;
}
