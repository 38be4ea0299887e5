/* CMOS RTC registers to seconds since 1970 (pvboot/rtc.h): decoding, range checks and the Gregorian day count, pure and 32-bit only (no 64-bit division), for the kernel and the VMI ROM. */
#include "pvboot/rtc.h"

static u32 from_bcd(u8 v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, m 1-12). */
static u32 days_since_1970(u32 y, u32 m, u32 d)
{
	static const u16 before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	u32 leap_year = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	u32 py = y - 1;                 /* leap days in the years before y, since 1970 */
	u32 leaps = (py / 4 - py / 100 + py / 400) - (1969 / 4 - 1969 / 100 + 1969 / 400);

	return (y - 1970) * 365 + leaps + before[m - 1] + (m > 2 && leap_year) + d - 1;
}

static u32 month_days(u32 y, u32 m)
{
	static const u8 days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* The hour in 0-23, or 24 (out of range) for an impossible 12-hour
 * value.  Bit 7 is the PM flag in 12-hour mode and ignored in 24-hour. */
static u32 hour_24(const struct rtc_regs *r, bool bcd)
{
	u32 h = bcd ? from_bcd(r->hour & 0x7f) : (u32)(r->hour & 0x7f);

	if (r->status_b & RTC_B_24H)
		return h;
	if (h < 1 || h > 12)
		return 24;
	return h % 12 + (r->hour & 0x80 ? 12 : 0);
}

bool rtc_decode(const struct rtc_regs *r, struct rtc_date *d)
{
	bool bcd = !(r->status_b & RTC_B_BINARY);
	u32 year = bcd ? from_bcd(r->year) : r->year;
	u32 cent = bcd ? from_bcd(r->cent) : r->cent;

	if (cent < 19 || cent > 21)
		cent = year < 70 ? 20 : 19;
	d->year = cent * 100 + year;
	d->mon = bcd ? from_bcd(r->mon) : r->mon;
	d->day = bcd ? from_bcd(r->day) : r->day;
	d->hour = hour_24(r, bcd);
	d->min = bcd ? from_bcd(r->min) : r->min;
	d->sec = bcd ? from_bcd(r->sec) : r->sec;
	if (year > 99 || d->year < 1970 || d->year > 2105 || d->mon < 1 || d->mon > 12 ||
	    d->day < 1 || d->day > month_days(d->year, d->mon) || d->hour > 23 ||
	    d->min > 59 || d->sec > 59)
		return false;
	return true;                    /* 2105-12-31 23:59:59 is 4291747199 s: fits */
}

u32 rtc_date_seconds(const struct rtc_date *d)
{
	return ((days_since_1970(d->year, d->mon, d->day) * 24 + d->hour) * 60 + d->min) * 60 +
	       d->sec;
}

u32 rtc_seconds(const struct rtc_regs *r)
{
	struct rtc_date d;

	return rtc_decode(r, &d) ? rtc_date_seconds(&d) : 0;
}
