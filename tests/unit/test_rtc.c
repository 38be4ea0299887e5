/* Unit tests for lib/rtc.c: CMOS RTC registers (BCD and binary, 12- and 24-hour, the century byte) to seconds since 1970, and hostile register values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "pvboot/rtc.h"

#define BCD_24H RTC_B_24H
#define BIN_24H (RTC_B_24H | RTC_B_BINARY)

static u32 seconds(u8 sec, u8 min, u8 hour, u8 day, u8 mon, u8 year, u8 cent, u8 status_b)
{
	struct rtc_regs r = { sec, min, hour, day, mon, year, cent, status_b };

	return rtc_seconds(&r);
}

/* Values checked against Python's calendar.timegm. */
static void test_bcd_24h(void **state)
{
	assert_int_equal(seconds(0x56, 0x34, 0x12, 0x29, 0x02, 0x24, 0x20, BCD_24H), 1709210096u);
	assert_int_equal(seconds(0x00, 0x00, 0x00, 0x01, 0x01, 0x70, 0x19, BCD_24H), 0);
	assert_int_equal(seconds(0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x19, BCD_24H), 946684799u);
	assert_int_equal(seconds(0x00, 0x00, 0x00, 0x01, 0x03, 0x00, 0x20, BCD_24H), 951868800u);
}

static void test_binary(void **state)
{
	assert_int_equal(seconds(15, 30, 1, 2, 12, 26, 20, BIN_24H), 1796175015u);
	assert_int_equal(seconds(59, 59, 23, 31, 12, 5, 21, BIN_24H), 4291747199u);
}

/* 12-hour mode: bit 7 of the hour is PM; 12 AM is midnight, 12 PM noon. */
static void test_12_hour(void **state)
{
	u32 midnight = seconds(0, 0, 0x12, 0x29, 0x02, 0x24, 0x20, 0);
	u32 noon = seconds(0, 0, 0x80 | 0x12, 0x29, 0x02, 0x24, 0x20, 0);

	assert_int_equal(noon - midnight, 12 * 3600);
	assert_int_equal(seconds(0x56, 0x34, 0x80 | 0x12, 0x29, 0x02, 0x24, 0x20, 0), 1709210096u);
	assert_int_equal(seconds(0, 0, 0x80 | 0x01, 0x29, 0x02, 0x24, 0x20, 0), midnight + 13 * 3600);
	/* 0 and 13 are no 12-hour hours */
	assert_int_equal(seconds(0, 0, 0x00, 0x29, 0x02, 0x24, 0x20, 0), 0);
	assert_int_equal(seconds(0, 0, 0x13, 0x29, 0x02, 0x24, 0x20, 0), 0);
	/* in 24-hour mode bit 7 means nothing */
	assert_int_equal(seconds(0x56, 0x34, 0x80 | 0x12, 0x29, 0x02, 0x24, 0x20, BCD_24H), 1709210096u);
}

/* A century byte outside 19-21 (none kept, or garbage): 70-99 are 19xx. */
static void test_century_fallback(void **state)
{
	assert_int_equal(seconds(0x56, 0x34, 0x12, 0x29, 0x02, 0x24, 0xff, BCD_24H), 1709210096u);
	assert_int_equal(seconds(0x56, 0x34, 0x12, 0x29, 0x02, 0x24, 0x00, BCD_24H), 1709210096u);
	assert_int_equal(seconds(0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x00, BCD_24H), 946684799u);
	assert_int_equal(seconds(0, 30, 0, 4, 7, 69, 0, BIN_24H), 3140123400u);
}

/* What no clock shows is no date: 0, never a wrapped or out-of-table value. */
static void test_hostile(void **state)
{
	assert_int_equal(seconds(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), 0);
	assert_int_equal(seconds(0, 0, 0, 1, 13, 24, 20, BIN_24H), 0);            /* month 13 */
	assert_int_equal(seconds(0, 0, 0, 1, 0, 24, 20, BIN_24H), 0);             /* month 0 */
	assert_int_equal(seconds(0, 0, 0, 0, 1, 24, 20, BIN_24H), 0);             /* day 0 */
	assert_int_equal(seconds(0, 0, 0, 30, 2, 24, 20, BIN_24H), 0);            /* Feb 30 */
	assert_int_equal(seconds(0, 0, 0, 29, 2, 23, 20, BIN_24H), 0);            /* not a leap year */
	assert_int_equal(seconds(0, 0, 0, 29, 2, 0, 21, BIN_24H), 0);             /* 2100 is none */
	assert_int_equal(seconds(0, 0, 24, 1, 1, 24, 20, BIN_24H), 0);            /* hour 24 */
	assert_int_equal(seconds(60, 0, 0, 1, 1, 24, 20, BIN_24H), 0);            /* second 60 */
	assert_int_equal(seconds(0, 60, 0, 1, 1, 24, 20, BIN_24H), 0);
	assert_int_equal(seconds(0, 0, 0, 1, 1, 100, 20, BIN_24H), 0);            /* year 100 */
	assert_int_equal(seconds(0, 0, 0, 31, 12, 69, 19, BIN_24H), 0);           /* 1969 */
	assert_int_equal(seconds(0, 0, 0, 1, 1, 6, 21, BIN_24H), 0);              /* 2106: past 2^32 s */
	assert_int_equal(seconds(0x5a, 0, 0, 1, 1, 0x24, 0x20, BCD_24H), 0);      /* BCD digit a */
}

/* Every accepted date of a sweep agrees with the C library's timegm. */
static void test_matches_timegm(void **state)
{
	static const u8 mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	for (u32 y = 1970; y <= 2105; y += 7)
		for (u32 m = 1; m <= 12; m++)
			for (u32 d = 1; d <= mdays[m - 1]; d += 3) {
				struct rtc_regs r = { 7, 8, (u8)(d % 24), (u8)d, (u8)m, (u8)(y % 100),
						      (u8)(y / 100), BIN_24H };
				struct tm tm = { .tm_sec = 7, .tm_min = 8, .tm_hour = (int)(d % 24),
						 .tm_mday = (int)d, .tm_mon = (int)m - 1,
						 .tm_year = (int)y - 1900 };
				time_t t = timegm(&tm);
				struct rtc_date dd;
				bool real = tm.tm_mday == (int)d;       /* timegm moved Feb 29 on */

				assert_int_equal(rtc_decode(&r, &dd), real);
				if (real)
					assert_int_equal(rtc_date_seconds(&dd), (u32)t);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_24h),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_12_hour),
		cmocka_unit_test(test_century_fallback),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_matches_timegm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
