/* The lguest guest backend's entry points (docs/lguest.md). */
#ifndef BACKENDS_LGUEST_H
#define BACKENDS_LGUEST_H
#include "kernel.h"
#include "pvboot/lguest.h"

extern struct paravirt_patch_template lguest_table;
extern struct lguest_data lguest_data;

const char *lguest_missing(void);
const char *lguest_init(void);
const char *lguest_use_pae(struct paravirt_patch_template *t);

/* A hypercall: int $0x1f with eax = number, ebx/ecx/edx = arguments. */
static inline long lg_hcall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	long r;
	asm volatile("int $0x1f" : "=a"(r) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return r;
}

/* Assembly (lguest_entry.S) */
void lguest_iret(void);
void lguest_sysexit(void);
extern u8 lguest_noirq_start[], lguest_noirq_end[];

#endif
