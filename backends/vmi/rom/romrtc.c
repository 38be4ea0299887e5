/* GetWallclockTime of the VMI ROM: the MC146818 CMOS RTC read and decoded as the kernel's native wallclock does (pvboot/rtc.h, lib/rtc.c), as nanoseconds since 1970 (docs/vmi-rom.md). */
#include "romio.h"
#include "pvboot/rtc.h"

/* 0 when the registers make no date. */
u64 rom_wallclock(void)
{
	struct rtc_regs r;

	spin_lock(&rom_data.cmos_lock);
	rtc_read_regs(&r);
	spin_unlock(&rom_data.cmos_lock);
	return (u64)rtc_seconds(&r) * 1000000000u;
}
