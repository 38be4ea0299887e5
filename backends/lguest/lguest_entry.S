/*
 * The lguest guest's return path and system-call entry.  In ring 1
 * `iret` cannot change IF, so the virtual IF (irq_enabled of this vCPU's
 * struct lguest_vcpu) is restored from the frame's EFLAGS first; between that store and the
 * iret the host must not inject an interrupt (it would run on a stack
 * the iret is about to unwind).  Nor before lguest_syscall_entry has
 * turned the virtual IF off.  [lguest_noirq_start, lguest_noirq_end)
 * covers both, registered with the host through lguest_data.
 */
#include "pvboot/x86.h"
#include "pvboot/lguest.h"

	.text
	.globl lguest_iret, lguest_noirq_start, lguest_noirq_end, lguest_syscall_entry
lguest_iret:
	pushl %eax
	movl 12(%esp), %eax             /* the frame's EFLAGS (after our push) */
	andl $X86_EFLAGS_IF, %eax
lguest_noirq_start:
	movl %eax, LG_VCPU_ADDR         /* irq_enabled is the first word */
	popl %eax
	iret

/*
 * int $0x80 through the trap gate the host may let the CPU deliver
 * directly (lguest.c syscall_gate): what the kernel's interrupt gate does
 * natively, with the virtual IF — the frame's IF becomes the virtual IF
 * at the trap (the CPU pushed the real one, always set), then the virtual
 * IF goes off — and on to the kernel's handler.
 */
lguest_syscall_entry:
	pushl %eax
	movl LG_VCPU_ADDR, %eax         /* irq_enabled */
	andl $X86_EFLAGS_IF, %eax
	andl $~X86_EFLAGS_IF, 12(%esp)  /* the frame's EFLAGS (after our push) */
	orl %eax, 12(%esp)
	movl $0, LG_VCPU_ADDR
	popl %eax
	jmp *lguest_syscall_handler
lguest_noirq_end:

/* Where a vCPU that startup_ipi_hook started begins: the host set esp
 * to its stack top; ap_entry (kernel/smp.c) never returns. */
	.globl lguest_ap_start
lguest_ap_start:
	call ap_entry
	ud2

/* No sysenter in ring 1 (the host owns the SYSENTER MSRs): never reached. */
	.globl lguest_sysexit
lguest_sysexit:
	ud2
