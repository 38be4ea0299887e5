/* CPUID straight from the CPU, for the code that runs outside the paravirt table (both loaders, the kernel's early CPU check, the VMI ROM): whether it exists, and one leaf. */
#ifndef PVBOOT_CPUID_H
#define PVBOOT_CPUID_H
#include "pvboot/types.h"
#include "pvboot/x86.h"

#ifndef __x86_64__
/*
 * CPUID exists exactly when EFLAGS.ID can be toggled (SDM vol. 1
 * §3.4.3.3); a 486 without it, and every 386, must not execute it.
 * EFLAGS is put back as it was.  (Every 64-bit CPU has CPUID.)
 */
static inline bool x86_has_cpuid(void)
{
	u32 before, after;

	__asm__ volatile("pushfl; popl %0; movl %0, %1; xorl %2, %1; pushl %1; popfl;"
			 "pushfl; popl %1; pushl %0; popfl"
			 : "=&r"(before), "=&r"(after) : "i"(X86_EFLAGS_ID) : "cc");
	return (before ^ after) & X86_EFLAGS_ID;
}
#endif

/* Leaf `leaf`, subleaf 0: out = EAX, EBX, ECX, EDX. */
static inline void x86_cpuid(u32 leaf, u32 out[4])
{
	__asm__ volatile("cpuid" : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
			 : "a"(leaf), "c"(0));
}

#endif
