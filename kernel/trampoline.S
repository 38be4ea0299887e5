/*
 * AP start-up trampoline (Intel SDM vol. 3 §8.4.4, MP Spec 1.4 §B.4).
 * kernel/smp.c copies trampoline_start..trampoline_end to TRAMP_BASE and
 * sends SIPIs with vector TRAMP_BASE >> 12, so an AP starts here in real
 * mode with CS = TRAMP_BASE >> 4, IP = 0.  It enters protected mode on a
 * small GDT of its own, enables paging and calls the kernel's C entry.
 *
 * Contract with kernel/smp.c — slots at the end, filled before any SIPI:
 *   tramp_cr3     page directory to load (the kernel's)
 *   tramp_cr4     CR4 to load before paging (PGE, PAE)
 *   tramp_efer    EFER bits to set before paging (NXE), 0 = leave EFER
 *   tramp_stacks  address of u32[256]: stack top by initial APIC id
 *   tramp_entry   C entry, void ap_entry(void), called on that stack
 *   tramp_count   address of a u32 the trampoline increments (proof it ran)
 * The trampoline runs before the AP has a paravirt table of its own, so it
 * uses raw instructions: it is the native start path (docs/design.md §7); a VMI
 * ROM starts APs in protected mode and never runs it.
 */
#include "pvboot/x86.h"
#include "smp.h"

#define ABS(label) (TRAMP_BASE + (label) - trampoline_start)

	.section .rodata
	.code16
	.globl trampoline_start
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl tramp_gdtr - trampoline_start
	movl %cr0, %eax
	orl $X86_CR0_PE, %eax
	movl %eax, %cr0
	ljmpl $8, $ABS(tramp32)

	.code32
tramp32:
	movl $16, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	movl ABS(tramp_cr4), %eax
	movl %eax, %cr4
	/* NXE before paging: with it off, bit 63 of a PAE entry is reserved
	 * and the first walk through an NX entry faults. */
	movl ABS(tramp_efer), %esi
	testl %esi, %esi
	jz 1f
	movl $MSR_EFER, %ecx
	rdmsr
	orl %esi, %eax
	wrmsr
1:	movl ABS(tramp_cr3), %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_WP), %eax
	movl %eax, %cr0
	movl $1, %eax                   /* initial APIC id: CPUID.1:EBX[31:24] */
	cpuid
	shrl $24, %ebx
	movl ABS(tramp_stacks), %eax
	movl (%eax,%ebx,4), %esp
	movl ABS(tramp_count), %eax
	lock incl (%eax)
	xorl %ebp, %ebp
	call *ABS(tramp_entry)
1:	hlt
	jmp 1b

	.balign 8
/* Accessed bits preset (0x9b, 0x93), so loading a selector never makes an
 * AP write the page that other APs may be executing. */
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff        /* flat 32-bit code */
	.quad 0x00cf93000000ffff        /* flat 32-bit data */
tramp_gdtr:
	.word tramp_gdtr - tramp_gdt - 1
	.long ABS(tramp_gdt)

	.balign 4
	.globl tramp_cr3, tramp_cr4, tramp_efer, tramp_stacks, tramp_entry, tramp_count
tramp_cr3:	.long 0
tramp_cr4:	.long 0
tramp_efer:	.long 0
tramp_stacks:	.long 0
tramp_entry:	.long 0
tramp_count:	.long 0
	.globl trampoline_end
trampoline_end:

/*
 * 32-bit AP entry for backends that start APs themselves in paged
 * protected mode (VMI's SetInitialAPState): flat segments, paging on,
 * esp = the AP's stack top.  Nothing to return to.
 */
	.text
	.code32
	.globl ap_start32
ap_start32:
	xorl %ebp, %ebp
	call ap_entry
2:	hlt
	jmp 2b
