/* SMP bring-up (docs/design.md §7) and cross-CPU calls.  Asm-safe part first. */
#ifndef KERNEL_SMP_H
#define KERNEL_SMP_H

#define TRAMP_BASE 0x8000       /* real-mode trampoline page, below 1 MiB */

#ifndef __ASSEMBLER__
#include "cpu.h"

void smp_boot(void);
struct cpu *cpu_of_apic(u32 apicid);
extern volatile u32 tramp_started;      /* APs that ran the real-mode trampoline */
/* Set by a startup_ipi_hook that starts the AP on a trampoline of its own
 * (VMI's SetInitialAPState): the SIPI page is then the backend's alone. */
extern bool smp_backend_trampoline;
void ap_entry(void);
/* Run fn(arg) on cpu (by logical id) through an IPI; wait for it. */
bool smp_call(u32 cpu, void (*fn)(void *), void *arg);
void smp_init_ipis(void);
/* Run fn(arg) on cpu in thread context (interrupts on), wait up to ms. */
bool smp_run(u32 cpu, void (*fn)(void *), void *arg, u32 ms);
/* The same without waiting: false if cpu is this one, offline or busy. */
bool smp_post(u32 cpu, void (*fn)(void *), void *arg);
bool wait_flag(volatile u32 *flag, u32 ms);
void idle_wait(void);           /* irq off in, on out: halt if the timer runs */
extern u64 smp_bringup_us;

#endif
#endif
