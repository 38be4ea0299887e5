/* Environment detection, kernel side (docs/design.md §5). */
#ifndef KERNEL_DETECT_H
#define KERNEL_DETECT_H
#include "kernel.h"

/* Fill boot_info's env/hv_signature from CPUID unless a loader did. */
void detect_environment(void);
/*
 * For a boot no pvboot loader decided: the shared decision (lib/detect.c)
 * for pv= `requested` among the `available` backends (mask of 1 << id),
 * recorded in boot_info (requested, forced, fallback_reason).  Returns the
 * backend id.
 */
u32 detect_decide(u32 requested, u32 available);
/* "tcg", "kvm", "hv:VMwareVMware", ... as in the result line. */
const char *env_string(void);
bool hypervisor_present(void);

#endif
