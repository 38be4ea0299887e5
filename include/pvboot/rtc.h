/* The MC146818 CMOS real-time clock (PC layout, as QEMU emulates it): reading a consistent set of date and time registers, and turning them into seconds since 1970; shared by the kernel's native wallclock and the VMI ROM's GetWallclockTime. */
#ifndef PVBOOT_RTC_H
#define PVBOOT_RTC_H
#include "pvboot/types.h"

#define RTC_INDEX_PORT 0x70
#define RTC_DATA_PORT  0x71

/* Registers (MC146818 data sheet; the century byte is the PC's). */
#define RTC_SECONDS  0x00
#define RTC_MINUTES  0x02
#define RTC_HOURS    0x04       /* bit 7: PM, in 12-hour mode */
#define RTC_DAY      0x07       /* day of the month, 1-31 */
#define RTC_MONTH    0x08
#define RTC_YEAR     0x09       /* 0-99 */
#define RTC_STATUS_A 0x0a
#define RTC_STATUS_B 0x0b
#define RTC_CENTURY  0x32       /* where PC firmware (and QEMU) keep it */
#define RTC_A_UIP    0x80       /* update in progress: the registers may be changing */
#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04       /* else BCD */

/* The registers exactly as the chip gave them: outside input, whatever
 * their values (a broken or hostile RTC, a hypervisor's). */
struct rtc_regs {
	u8 sec, min, hour, day, mon, year, cent, status_b;
};

/* A decoded date: binary, 24-hour, four-digit year, every field in range. */
struct rtc_date {
	u32 year, mon, day, hour, min, sec;
};

/*
 * Decode r (BCD or binary, 12- or 24-hour by status B; a century byte
 * that is not 19-21 means 19xx for years 70-99, else 20xx).  False, with
 * d unspecified, if a field is out of range after decoding or the date
 * is outside 1970-2105 (what 32-bit seconds since 1970 can hold).
 */
bool rtc_decode(const struct rtc_regs *r, struct rtc_date *d);

/* Seconds since 1970-01-01 00:00:00 of a date rtc_decode accepted. */
u32 rtc_date_seconds(const struct rtc_date *d);

/* rtc_decode, then rtc_date_seconds; 0 if the registers make no date. */
u32 rtc_seconds(const struct rtc_regs *r);

#ifndef PVBOOT_HOST
#include "pvboot/io.h"

static inline u8 rtc_read(u8 reg)
{
	outb(RTC_INDEX_PORT, reg);
	return inb(RTC_DATA_PORT);
}

/* One pass over the registers, after waiting out an update in progress
 * (bounded: a missing RTC reads 0xff forever). */
static inline void rtc_snapshot(struct rtc_regs *r)
{
	for (u32 n = 0; (rtc_read(RTC_STATUS_A) & RTC_A_UIP) && n < 1000000; n++)
		__asm__ volatile("pause");
	r->sec = rtc_read(RTC_SECONDS);
	r->min = rtc_read(RTC_MINUTES);
	r->hour = rtc_read(RTC_HOURS);
	r->day = rtc_read(RTC_DAY);
	r->mon = rtc_read(RTC_MONTH);
	r->year = rtc_read(RTC_YEAR);
	r->cent = rtc_read(RTC_CENTURY);
	r->status_b = rtc_read(RTC_STATUS_B);
}

/*
 * Snapshots until two in a row agree (at most five): an update can start
 * right after the UIP check, and one snapshot could then mix the old
 * minute with the new second.  The caller serialises access to the
 * index port.
 */
static inline void rtc_read_regs(struct rtc_regs *r)
{
	struct rtc_regs prev;
	u32 n = 0;

	rtc_snapshot(r);
	do {
		prev = *r;
		rtc_snapshot(r);
	} while (__builtin_memcmp(&prev, r, sizeof(*r)) && ++n < 5);
}
#endif /* PVBOOT_HOST */
#endif
