/* CPU features the kernel adapts to, as the early check (kernel/cpucheck.c) recorded them. */
#ifndef KERNEL_CPUFEATURE_H
#define KERNEL_CPUFEATURE_H
#include "pvboot/types.h"

/* CPUID.1:EDX bits (Intel SDM vol. 2A, CPUID) the kernel looks at after entry. */
#define CPUID1_EDX_SEP (1u << 11)       /* sysenter/sysexit */
#define CPUID1_EDX_PGE (1u << 13)       /* global pages */

extern u32 cpu_features_edx;

/* Called by kernel/entry.S before any other code; returns only if this CPU
 * has everything the kernel requires. */
void early_cpu_check(u32 magic, u32 info);

static inline bool cpu_has(u32 edx_bit)
{
	return cpu_features_edx & edx_bit;
}

#endif
