/*
 * Interrupt and exception entry (Intel SDM vol. 3 §6.12).  Every vector has
 * a 16-byte stub that pushes a zero error code where the CPU pushes none,
 * then the vector number, and joins trap_common, which builds the rest of
 * struct trapframe (kernel/trap.h: gs fs es ds, pushal, vector, err, then
 * the CPU's eip cs eflags [esp ss]) and calls trap(frame).
 *
 * The return ends in the paravirt iret site: `jmp *pv_ops.cpu.iret`,
 * recorded in .parainstructions so the backend patches it (native: iret).
 */
#include "pvboot/x86.h"
#include "pvboot/paravirt.h"
#include "pvboot/trapstubs.h"


	.text
	.balign 16
	.globl trap_stub_base
trap_stub_base:
	TRAP_STUBS trap_common

	.globl trap_common
trap_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl $SEL_PERCPU, %eax
	movl %eax, %fs
	movl %esp, %eax                 /* trap(struct trapframe *) regparm */
	call trap
	.globl trap_return
trap_return:
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp                   /* vector and error code */
	PV_JMP_SITE PV_TYPE_IRET

	.section .rodata
	.balign 4
	.globl trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.long trap_stub_base + vec * 16
	.set vec, vec + 1
	.endr
