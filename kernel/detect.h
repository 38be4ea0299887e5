/* Environment detection, kernel side (docs/design.md §5). */
#ifndef KERNEL_DETECT_H
#define KERNEL_DETECT_H
#include "kernel.h"

/* Fill boot_info's env/hv_signature from CPUID unless a loader did. */
void detect_environment(void);
/* The backend detection picks for this environment. */
u32 detect_backend(void);
/* "tcg", "kvm", "hv:VMwareVMware", ... as in the result line. */
const char *env_string(void);
bool hypervisor_present(void);

#endif
