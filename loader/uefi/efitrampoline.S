/* Hand-off to the i386 kernel after ExitBootServices (docs/design.md §4; leaving long mode per Intel SDM vol. 3 §9.8.5.4): position independent, copied below 4 GiB. */
#include "pvboot/handoff.h"
#include "pvboot/x86.h"

	.text
	.globl pv_tramp_start, pv_tramp_end
	.balign 16
pv_tramp_start:
#ifdef __x86_64__
	.code64
	/*
	 * tramp(u32 entry, u32 info), SysV: edi, esi.  Runs in the copy (below
	 * 4 GiB, identity mapped by the firmware), so RIP-relative addresses
	 * name the copy.  Our GDT first, a stack the 32-bit code can address,
	 * then a far return into the 32-bit code segment: compatibility mode.
	 */
	cli
	leaq gdt(%rip), %rax
	movq %rax, gdtr+2(%rip)
	lgdt gdtr(%rip)
	leaq stack_top(%rip), %rsp
	leaq common32(%rip), %rax
	pushq $HANDOFF_SEL_CODE32
	pushq %rax
	lretq
#else
	.code32
	/* tramp(u32 entry, u32 info), cdecl.  Where the copy runs: call/pop. */
	cli
	movl 4(%esp), %edi
	movl 8(%esp), %esi
	call 1f
1:	popl %ebp
	leal (gdt - 1b)(%ebp), %eax
	movl %eax, (gdtr + 2 - 1b)(%ebp)
	lgdt (gdtr - 1b)(%ebp)
	leal (stack_top - 1b)(%ebp), %esp
	leal (common32 - 1b)(%ebp), %eax
	pushl $HANDOFF_SEL_CODE32
	pushl %eax
	lret                            /* reload CS from our GDT */
#endif

	.code32
common32:
	movl $HANDOFF_SEL_DATA32, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %fs
	movl %eax, %gs
	movl %eax, %ss
	/*
	 * Paging off.  On x64 this is what leaves long mode (EFER.LMA drops
	 * with CR0.PG); the code keeps running because the copy is identity
	 * mapped.  WP off too: the kernel sets CR0 bits it wants itself.
	 */
	movl %cr0, %eax
	andl $~(X86_CR0_PG | X86_CR0_WP), %eax
	movl %eax, %cr0
#ifdef __x86_64__
	/* Now long mode can be disabled: EFER.LME (and NXE, meaningless here). */
	movl $MSR_EFER, %ecx
	rdmsr
	andl $~(EFER_LME | EFER_NXE), %eax
	wrmsr
#endif
	/* CR4 as a BIOS leaves it: no PAE, PGE, OSFXSR... for the kernel's paging. */
	xorl %eax, %eax
	movl %eax, %cr4
	movl %eax, %cr3
	HANDOFF_ENTER_KERNEL %edi, %esi

	.balign 8
gdt:	HANDOFF_GDT32
gdtr:	.word gdtr - gdt - 1
	.quad 0                         /* base, filled in by the copy */
	.balign 16
	.skip 128                       /* stack for the far return only */
stack_top:
pv_tramp_end:

	.section .note.GNU-stack, "", @progbits
