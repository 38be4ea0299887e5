/* Trap frames and handlers.  Layout shared with kernel/trapentry.S. */
#ifndef KERNEL_TRAP_H
#define KERNEL_TRAP_H
#include "kernel.h"

/* Lowest address first: what trap_common pushed, then the CPU's frame. */
struct trapframe {
	u32 gs, fs, es, ds;
	u32 edi, esi, ebp, esp_at_pushal, ebx, edx, ecx, eax;
	u32 vector, err;
	u32 eip, cs, eflags;
	u32 user_esp, user_ss;          /* only when coming from ring 3 */
};

extern const u32 trap_stubs[256];

typedef void (*irq_handler_t)(struct trapframe *tf);
void trap_set_handler(int vector, irq_handler_t h);
void trap(struct trapframe *tf);
/* The benchmark's page-fault round trip: resolve a kernel #PF, or false. */
extern bool (*kernel_pf_hook)(u32 cr2);

/*
 * A call whose exceptions come back as a result (kernel/guard.S): for code
 * that has never run before, such as a backend's init calling into a ROM.
 * guard_call returns fn's result, or NULL with faulted set.
 */
struct fault_guard {
	u32 esp;                        /* guard.S: the stack at the call; first */
	u32 faulted, vector, eip;       /* trap(): what happened */
};
extern struct fault_guard *volatile active_guard;
const char *guard_call(const char *(*fn)(void), struct fault_guard *g);

/* "#PF page fault" etc. for vectors 0-31, else "interrupt". */
const char *exception_name(u32 vector);
/* Names an address outside the kernel image for the crash dump (a ROM
 * routine: set by the backend that put code there), or NULL. */
extern const char *(*crash_addr_name)(u32 addr, u32 *offset);

/* Crash dump: registers, symbolised EIP, stack trace, result line. */
_Noreturn void crash(struct trapframe *tf, const char *why);
/* Symbol containing addr, with the offset into it; NULL if none. */
const char *ksym_lookup(u32 addr, u32 *offset);
void print_stack_trace(u32 ebp, u32 lo, u32 hi);

#endif
