/* libFuzzer target: lib/rtc.c on any CMOS RTC register values (the chip's, a hypervisor's): an accepted date is in range and its seconds agree with the C library's timegm. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pvboot/rtc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rtc_regs r = { 0 };
	struct rtc_date d;
	struct tm tm;
	time_t t;

	memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
	if (!rtc_decode(&r, &d)) {
		if (rtc_seconds(&r))
			abort();        /* a refused date must read as "none" */
		return 0;
	}
	if (d.year < 1970 || d.year > 2105 || d.mon < 1 || d.mon > 12 || d.day < 1 ||
	    d.day > 31 || d.hour > 23 || d.min > 59 || d.sec > 59)
		abort();
	tm = (struct tm){ .tm_sec = (int)d.sec, .tm_min = (int)d.min, .tm_hour = (int)d.hour,
			  .tm_mday = (int)d.day, .tm_mon = (int)d.mon - 1,
			  .tm_year = (int)d.year - 1900 };
	t = timegm(&tm);
	if (tm.tm_mday != (int)d.day || (u64)t != rtc_date_seconds(&d) || rtc_seconds(&r) != (u32)t)
		abort();        /* a day the month does not have, or a wrong count */
	return 0;
}
