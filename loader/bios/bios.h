/* BIOS platform of the loader: the real-mode call thunk (loader/bios/biosentry.S), physical pointers, A20. */
#ifndef LOADER_BIOS_H
#define LOADER_BIOS_H
#include "pvboot/types.h"
#include "pvboot/io.h"

/* Registers in and out of one real-mode `int`; layout fixed by biosentry.S. */
struct bios_regs {
	u32 eax, ebx, ecx, edx, esi, edi, ebp, eflags;
	u16 ds, es;
} PACKED;

#define EFLAGS_CF 0x0001
#define EFLAGS_ZF 0x0040

void bios_call(u32 vec, struct bios_regs *r);
void enter_kernel(u32 entry, u32 info) __attribute__((noreturn));
void stage2_main(void) __attribute__((noreturn));

/*
 * A pointer to a fixed physical address.  The empty asm hides the constant
 * from gcc, which otherwise treats small addresses (0x450, 0x7e00) as
 * pointers to nothing and warns about every access.
 */
static inline void *phys_ptr(uintptr_t addr)
{
	__asm__("" : "+r"(addr));
	return (void *)addr;
}

extern u8 boot_drive;
extern u64 tsc_entry;

/* A20 (a20.c): on, or false after every method failed. */
bool a20_enable(const char **method);

#endif
