/* VMI_Init and the ROM's data area (docs/vmi-rom.md "Calls", VMI_Init): counting mode, APIC base, timer calibration, rdpmc availability. */
#include "romio.h"

/* The data area: first in .bss, which rom.ld places right after the image. */
struct rom_data rom_data __attribute__((section(".bss.romdata")));

/* Copies without a libc: rep movsb is compact and fine for these sizes. */
void rom_copy(void *dst, const void *src, u32 n)
{
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

/* rdpmc faults unless the CPU has architectural performance counters. */
static u32 pmc_usable(void)
{
	u32 r[4];

	x86_cpuid(0, r);
	if (r[0] < 0xa)
		return 0;
	x86_cpuid(0xa, r);
	return (r[0] & 0xff) != 0 && ((r[0] >> 8) & 0xff) != 0;
}

extern u8 rom_start[], apic_disp_read[], apic_disp_write[];
typedef u32 u32_unaligned __attribute__((aligned(1)));

/* The APIC page as the immediate of APICRead/APICWrite (calls.S): they
 * then need no register and no load to find it. */
static void set_apic_base(u32 base)
{
	rom_data.apic_base = base;
	*(volatile u32_unaligned *)apic_disp_read = base;
	*(volatile u32_unaligned *)apic_disp_write = base;
}

u32 rom_init(void)
{
	/* the mode the kernel asked for in our header (VMI_EXT_INIT_FLAGS_OFF) */
	rom_data.counting = *(const u32_unaligned *)(rom_start + VMI_EXT_INIT_FLAGS_OFF) & VMI_EXT_INIT_COUNT;
	set_apic_base((u32)rdmsr(MSR_IA32_APICBASE) & 0xfffff000u);
	rom_data.pmc_ok = pmc_usable();
	rom_calibrate();
	return 0;
}
