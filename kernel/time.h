/* Clocks: PIT, TSC and local-APIC timer calibration, CMOS RTC (docs/design.md §8). */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H
#include "kernel.h"

#define TIMER_HZ 100

extern u32 tsc_khz;             /* TSC ticks per millisecond */
extern u32 apic_timer_khz;      /* APIC timer ticks (divide by 16) per ms */

/* A window of PIT channel 2 timed by the TSC and the APIC timer (time.c). */
struct pit_window {
	u64 tsc;                /* TSC ticks across it */
	u64 err;                /* how far off its two ends may be, in TSC ticks */
	u32 apic;               /* APIC timer counts (divide 16) across it */
};
bool pit_window(u32 ms, bool apic, struct pit_window *w);
/* The best of several windows of the HPET when one answers, else of the
 * PIT; calibration_clock() names which. */
bool pit_best_window(u32 ms, bool apic, u32 want, u32 tries, struct pit_window *best, bool *known);
const char *calibration_clock(void);

void udelay(u32 us);
u64 tsc_to_us(u64 tsc_delta);
void lapic_timer_start(u32 hz);
void timer_install_handler(void);       /* VEC_TIMER counts ticks */

#endif
