/* GetWallclockTime of the VMI ROM: the MC146818 CMOS RTC read as nanoseconds since 1970 (docs/vmi-rom.md). */
#include "romio.h"

#define RTC_INDEX       0x70
#define RTC_DATA        0x71
#define RTC_STATUS_A    0x0a    /* bit 7: update in progress */
#define RTC_STATUS_B    0x0b    /* bit 1: 24-hour, bit 2: binary */
#define RTC_CENTURY     0x32    /* where PC firmware (and QEMU) keep it */

struct rtc_time { u32 sec, min, hour, day, mon, year, cent; };

static u32 rtc_read(u32 reg)
{
	outb(RTC_INDEX, reg);
	return inb(RTC_DATA);
}

static void rtc_snapshot(struct rtc_time *t)
{
	for (u32 n = 0; (rtc_read(RTC_STATUS_A) & 0x80) && n < 1000000; n++)
		;
	t->sec = rtc_read(0x00);
	t->min = rtc_read(0x02);
	t->hour = rtc_read(0x04);
	t->day = rtc_read(0x07);
	t->mon = rtc_read(0x08);
	t->year = rtc_read(0x09);
	t->cent = rtc_read(RTC_CENTURY);
}

static bool same(const struct rtc_time *a, const struct rtc_time *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour &&
	       a->day == b->day && a->mon == b->mon && a->year == b->year;
}

static u32 bcd(u32 v)
{
	return (v >> 4) * 10 + (v & 15);
}

/* Binary, 24-hour, four-digit year; a missing century means 20xx/19xx. */
static void rtc_normalise(struct rtc_time *t, u32 status_b)
{
	u32 pm = t->hour & 0x80;

	t->hour &= 0x7f;
	if (!(status_b & 4)) {
		t->sec = bcd(t->sec), t->min = bcd(t->min), t->hour = bcd(t->hour);
		t->day = bcd(t->day), t->mon = bcd(t->mon), t->year = bcd(t->year);
		t->cent = bcd(t->cent);
	}
	if (!(status_b & 2))
		t->hour = t->hour % 12 + (pm ? 12 : 0);
	if (t->cent < 19 || t->cent > 21)
		t->cent = t->year < 70 ? 20 : 19;
	t->year += t->cent * 100;
}

static bool leap(u32 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Seconds since 1970 in 32 bits (good until 2106): no 64-bit division. */
static u32 epoch_seconds(const struct rtc_time *t)
{
	static const u16 before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	u32 days = 0, mon = t->mon >= 1 && t->mon <= 12 ? t->mon : 1;

	for (u32 y = 1970; y < t->year; y++)
		days += leap(y) ? 366 : 365;
	days += before[mon - 1] + (mon > 2 && leap(t->year)) + (t->day ? t->day - 1 : 0);
	return ((days * 24 + t->hour) * 60 + t->min) * 60 + t->sec;
}

u64 rom_wallclock(void)
{
	struct rtc_time a, b;
	u32 status_b, n = 0;

	spin_lock(&rom_data.cmos_lock);
	rtc_snapshot(&b);
	do {
		a = b;
		rtc_snapshot(&b);
	} while (!same(&a, &b) && ++n < 5);
	status_b = rtc_read(RTC_STATUS_B);
	spin_unlock(&rom_data.cmos_lock);
	rtc_normalise(&b, status_b);
	return (u64)epoch_seconds(&b) * 1000000000u;
}
