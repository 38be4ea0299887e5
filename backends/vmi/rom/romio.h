/* MSR, TSC, APIC and lock helpers for the VMI ROM's C code (ring 0, i386; docs/vmi-rom.md). */
#ifndef VMI_ROMIO_H
#define VMI_ROMIO_H
/* Every symbol is the ROM's own: no GOT, PC-relative (@GOTOFF) access only,
 * including the extern declarations -fvisibility=hidden does not cover. */
#pragma GCC visibility push(hidden)
#include "romdata.h"
#include "pvboot/io.h"
#include "pvboot/x86.h"
#include "pvboot/cpuid.h"

static inline u64 rdtsc(void)
{
	u64 v;
	asm volatile("rdtsc" : "=A"(v));
	return v;
}

static inline u64 rdmsr(u32 msr)
{
	u64 v;
	asm volatile("rdmsr" : "=A"(v) : "c"(msr));
	return v;
}

static inline u32 apic_read(u32 reg)
{
	return *(volatile u32 *)(rom_data.apic_base + reg);
}

static inline void apic_write(u32 reg, u32 v)
{
	*(volatile u32 *)(rom_data.apic_base + reg) = v;
}

static inline void spin_lock(u32 *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(l, __ATOMIC_RELAXED))
			asm volatile("pause");
}

static inline void spin_unlock(u32 *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

static inline void count(u32 n)
{
	__atomic_fetch_add(&rom_data.counters[n], 1, __ATOMIC_RELAXED);
}

/* The C parts, called from the assembler stubs in calls.S. */
u32 rom_init(void);
void rom_lazy_flush(void);
void rom_set_pxe(u32 val, u32 *ptr, u32 flags);
void rom_update_pxe(u32 *ptr, u32 flags);
void rom_set_pxe_long(u32 lo, u32 hi, u32 *ptr, u32 flags);
void rom_set_lazy_mode(u32 mode);
void rom_set_ap_state(const struct vmi_ap_state *s, u32 apic_id);
void rom_icr_low(u32 icr);
void rom_set_alarm(u32 flags, u32 exp_lo, u32 exp_hi, u32 per_lo, u32 per_hi);
void rom_cancel_alarm(void);
u64 rom_wallclock(void);
void rom_calibrate(void);
void rom_copy(void *dst, const void *src, u32 n);
#endif
