/*
 * vmi clocks (Linux arch/i386/kernel/vmitime.c): when the ROM implements
 * GetCycleFrequency, the cycle frequency, counters, wallclock and every
 * CPU's periodic timer come from the ROM; the local APIC timer is armed
 * with SetAlarm (WIRED_LVTT), the vector set through APICWrite first.
 */
#include "vmi_backend.h"
#include "cpu.h"
#include "time.h"
#include "apic.h"
#include "pvboot/div64.h"
#include "paravirt_native.h"      /* native_table: the RTC write */

typedef u64 (*u64_fn)(void);
typedef u64 (*u64_fn1)(u32);
typedef void (*alarm_fn)(u32 flags, u64 expiry, u64 period);
typedef u32 (*u32_fn1)(u32);

static u64 cycle_hz;

static void vmi_time_init(void)
{
	cycle_hz = VMI_FN(u64_fn, VMI_CALL_GetCycleFrequency)();
	tsc_khz = (u32)div64(cycle_hz, 1000);
	if (!tsc_khz)
		panic("vmi: the ROM reports a cycle frequency of %llu Hz", cycle_hz);
	kprintf("time: cycle counter %u.%03u MHz from the VMI ROM (GetCycleFrequency)\n",
		tsc_khz / 1000, tsc_khz % 1000);
}

static unsigned long vmi_get_wallclock(void)
{
	return (unsigned long)div64(VMI_FN(u64_fn, VMI_CALL_GetWallclockTime)(), 1000000000u);
}

/* The RTC is the machine's and the ROM reads it (GetWallclockTime): write
 * it as native does, then tell the ROM the time changed, as VMI did. */
static int vmi_set_wallclock(unsigned long t)
{
	if (native_table.time.set_wallclock(t))
		return -1;
	return VMI_FN(u32_fn1, VMI_CALL_WallclockUpdated)(0) ? -1 : 0;
}

static u64 vmi_scheduled_cycles(void)
{
	return VMI_FN(u64_fn1, VMI_CALL_GetCycleCounter)(VMI_CYCLES_AVAILABLE);
}

static unsigned long vmi_cpu_khz(void)
{
	return tsc_khz;
}

/* Periodic alarm on this CPU's local APIC timer at TIMER_HZ. */
static void vmi_timer_start(void)
{
	u64 period = div64(cycle_hz, TIMER_HZ);
	u64 now = VMI_FN(u64_fn1, VMI_CALL_GetCycleCounter)(VMI_CYCLES_AVAILABLE);

	timer_install_handler();
	apic_write(APIC_LVT_TIMER, VEC_TIMER);
	VMI_FN(alarm_fn, VMI_CALL_SetAlarm)(VMI_ALARM_WIRED_LVTT | VMI_ALARM_IS_PERIODIC |
					    VMI_CYCLES_AVAILABLE, now + period, period);
}

bool vmi_fill_time(struct paravirt_patch_template *t)
{
	static const u8 calls[] = {
		VMI_CALL_GetCycleFrequency, VMI_CALL_GetCycleCounter, VMI_CALL_SetAlarm,
		VMI_CALL_GetWallclockTime, VMI_CALL_WallclockUpdated,
	};

	for (u32 i = 0; i < ARRAY_SIZE(calls); i++)
		if (!vmi_has(calls[i]))
			return false;
	t->time.time_init = vmi_time_init;
	t->time.get_wallclock = vmi_get_wallclock;
	t->time.set_wallclock = vmi_set_wallclock;
	t->time.get_scheduled_cycles = vmi_scheduled_cycles;
	t->time.get_cpu_khz = vmi_cpu_khz;
	t->apic.setup_boot_clock = vmi_timer_start;
	t->apic.setup_secondary_clock = vmi_timer_start;
	return true;
}
