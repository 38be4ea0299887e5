/*
 * The lguest switcher (docs/lguest.md): code copied to the top
 * 4 MiB (LG_SWITCHER_ADDR), mapped in the host's and in every shadow
 * address space, that moves the CPU between the host (ring 0, host GDT,
 * IDT, TSS, cr3) and the guest (ring 1/3, the guest-mode GDT/IDT/TSS below,
 * the shadow cr3).  Contract with backends/lguest/host/ (struct lg_sw in
 * switcher.h, at LG_SW_DATA):
 *   lg_enter()  called by the host with interrupts off and every field of
 *               lg_sw filled: saves the host's callee-saved registers, its
 *               %fs and %gs and esp, loads the guest world and irets into
 *               the saved frame.
 *   any trap    while the guest runs lands in a stub here; the CPU pushes
 *               the guest's ss/esp/eflags/cs/eip straight into the frame
 *               (TSS.esp0 = its end), the stub and lg_common push the
 *               rest, restore the host world (the guest's segment
 *               registers never survive into the host) and return from
 *               lg_enter(), leaving in SW_EXIT_ESP where the pushes ended:
 *               anywhere but SW_REGS_ADDR means a fault inside the switcher
 *               at ring 0, whose frame the host must not read as the guest's.
 */
#include "pvboot/x86.h"
#include "pvboot/lguest.h"
#include "switcher.h"
#include "pvboot/trapstubs.h"

#define ABS(label) (LG_SWITCHER_ADDR + (label) - lg_switcher_start)
#define D(field) (LG_SW_DATA + (field))

	.section .rodata
	.code32
	.balign 16
	.globl lg_switcher_start
lg_switcher_start:

/* void lg_enter(void) */
lg_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %gs
	pushl %fs
	movl %esp, D(SW_HOST_ESP)
	lgdt D(SW_GUEST_GDTR)
	lidt D(SW_GUEST_IDTR)
	movl $LG_TSS_SEL, %eax
	ltr %ax
	movl D(SW_GUEST_CR3), %eax
	movl %eax, %cr3
	movl $SW_REGS_ADDR, %esp
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp                   /* vector, error code */
	iret

/* 256 stubs of 16 bytes, as kernel/trapentry.S */
	.balign 16
lg_stubs:
	TRAP_STUBS lg_common

lg_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl %esp, %ebx                 /* SW_REGS_ADDR on every real guest exit */
	movl $LG_DS_SEL, %eax
	movl %eax, %ds
	movl %eax, %es
	movl D(SW_HOST_CR3), %eax
	movl %eax, %cr3
	lgdt D(SW_HOST_GDTR)
	lidt D(SW_HOST_IDTR)
	ljmp $SEL_KCODE, $ABS(1f)
1:	movl D(SW_HOST_TSS_DESC), %eax  /* the host's TSS is busy: clear, reload */
	andl $0xfffffdff, 4(%eax)
	movl $SEL_TSS, %eax
	ltr %ax
	movl $SEL_KDATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %ebx, D(SW_EXIT_ESP)       /* host mapping: writable */
	movl D(SW_HOST_ESP), %esp
	popl %fs                        /* the host's own, not the guest's */
	popl %gs
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.globl lg_switcher_end
lg_switcher_end:

	.globl lg_enter_offset, lg_stubs_offset
lg_enter_offset:	.long lg_enter - lg_switcher_start
lg_stubs_offset:	.long lg_stubs - lg_switcher_start
