/*
 * Native clocks.  The TSC and the local APIC timer are calibrated together
 * against PIT channel 2 (8254 datasheet: mode 0, gate through port 0x61,
 * OUT2 readable at 0x61 bit 5).  Wallclock from the MC146818 CMOS RTC.
 * Every CPU runs a periodic local-APIC timer at TIMER_HZ.
 */
#include "time.h"
#include "pvboot/div64.h"
#include "cpu.h"
#include "apic.h"
#include "trap.h"
#include "../backends/native/native.h"

#define PIT_HZ 1193182u
#define CALIBRATE_MS 5            /* PIT resolution 0.84 us: 0.02% */

u32 tsc_khz;
u32 apic_timer_khz;

/* Run PIT channel 2 for ms milliseconds; false if it never finished. */
static bool pit_wait(u32 ms)
{
	u32 count = PIT_HZ * ms / 1000;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);    /* gate on, speaker off */
	outb(0x43, 0xb0);                          /* ch2, lo/hi, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	for (u32 i = 0; i < 50000000; i++)
		if (inb(0x61) & 0x20)
			return true;
	return false;
}

void native_time_init(void)
{
	apic_write(APIC_TIMER_DIV, 0x3);           /* divide by 16 */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0xffffffff);
	u64 t0 = rdtsc();
	bool ok = pit_wait(CALIBRATE_MS);
	u64 t1 = rdtsc();
	u32 left = apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	if (!ok)
		panic("time: PIT channel 2 never reached terminal count; no clock to calibrate against");
	tsc_khz = (u32)div64(t1 - t0, CALIBRATE_MS);
	apic_timer_khz = (0xffffffffu - left) / CALIBRATE_MS;
	if (!tsc_khz || !apic_timer_khz)
		panic("time: calibration gave tsc %u kHz, apic timer %u kHz", tsc_khz, apic_timer_khz);
	kprintf("time: TSC %u.%03u MHz, APIC timer %u kHz (/16), calibrated over %u ms of PIT\n",
		tsc_khz / 1000, tsc_khz % 1000, apic_timer_khz, CALIBRATE_MS);
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
	apic_write(APIC_TIMER_DIV, 0x3);
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

/* ---- CMOS RTC ------------------------------------------------------------ */

static u8 cmos_read(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_write(u8 reg, u8 v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static u32 bcd(u8 v, bool binary) { return binary ? v : (v & 0xf) + (v >> 4) * 10; }
static u8 to_bcd(u32 v, bool binary) { return binary ? (u8)v : (u8)(((v / 10) << 4) | (v % 10)); }

/* Days since 1970-01-01 for a Gregorian date. */
static u32 days_from_civil(u32 y, u32 m, u32 d)
{
	y -= m <= 2;
	u32 era = y / 400, yoe = y - era * 400;
	u32 doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	u32 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

unsigned long native_get_wallclock(void)
{
	for (u32 i = 0; i < 1000000 && (cmos_read(0x0a) & 0x80); i++)
		cpu_relax();            /* update in progress */
	bool bin = cmos_read(0x0b) & 0x04;
	u32 s = bcd(cmos_read(0x00), bin), mi = bcd(cmos_read(0x02), bin);
	u32 h = bcd(cmos_read(0x04) & 0x7f, bin), d = bcd(cmos_read(0x07), bin);
	u32 mo = bcd(cmos_read(0x08), bin), y = bcd(cmos_read(0x09), bin);
	u32 cent = bcd(cmos_read(0x32), bin);
	y += (cent >= 19 && cent <= 21) ? cent * 100 : 2000;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	return days_from_civil(y, mo, d) * 86400ul + h * 3600 + mi * 60 + s;
}

int native_set_wallclock(unsigned long t)
{
	bool bin = cmos_read(0x0b) & 0x04;
	/* Only the time of day is written, as Linux's set_rtc_mmss did:
	 * the date is left to the firmware setup. */
	cmos_write(0x00, to_bcd(t % 60, bin));
	cmos_write(0x02, to_bcd(t / 60 % 60, bin));
	return 0;
}
