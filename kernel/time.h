/* Clocks: PIT, TSC and local-APIC timer calibration, CMOS RTC (DESIGN §8). */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H
#include "kernel.h"

#define TIMER_HZ 100

extern u32 tsc_khz;             /* TSC ticks per millisecond */
extern u32 apic_timer_khz;      /* APIC timer ticks (divide by 16) per ms */

void udelay(u32 us);
u64 tsc_to_us(u64 tsc_delta);
void lapic_timer_start(u32 hz);
void timer_install_handler(void);       /* VEC_TIMER counts ticks */

#endif
