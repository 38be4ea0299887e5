/*
 * The lguest switcher (docs/lguest.md): code copied to the top
 * 4 MiB (LG_SWITCHER_ADDR), mapped in the host's and in every shadow
 * address space, that moves the CPU between the host (ring 0, host GDT,
 * IDT, TSS, cr3) and the guest (ring 1/3, the guest-mode GDT/IDT/TSS below,
 * the shadow cr3).  Contract with backends/lguest/host/ (struct lghost_sw in
 * switcher.h, at LGHOST_SW_DATA):
 *   lghost_enter()  called by the host with interrupts off and every field of
 *               lghost_sw filled: saves the host's callee-saved registers, its
 *               %fs and %gs and esp, loads the guest world and irets into
 *               the saved frame.
 *   any trap    while the guest runs lands in a stub here; the CPU pushes
 *               the guest's ss/esp/eflags/cs/eip straight into the frame
 *               (TSS.esp0 = its end), the stub and lghost_common push the
 *               rest, restore the host world (the guest's segment
 *               registers never survive into the host) and return from
 *               lghost_enter(), leaving in SW_EXIT_ESP where the pushes ended:
 *               anywhere but SW_REGS_ADDR means a fault inside the switcher
 *               at ring 0, whose frame the host must not read as the guest's.
 */
#include "pvboot/x86.h"
#include "pvboot/lguest.h"
#include "lghost_switcher.h"
#include "pvboot/trapstubs.h"

#define ABS(label) (LG_SWITCHER_ADDR + (label) - lghost_switcher_start)
#define D(field) (LGHOST_SW_DATA + (field))

	.section .rodata
	.code32
	.balign 16
	.globl lghost_switcher_start
lghost_switcher_start:

/* void lghost_enter(void) */
lghost_enter:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushl %gs
	pushl %fs
	movl %esp, D(SW_HOST_ESP)
	lgdt D(SW_GUEST_GDTR)
	lidt D(SW_GUEST_IDTR)
	movl $LGHOST_TSS_SEL, %eax
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
lghost_stubs:
	TRAP_STUBS lghost_common

lghost_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movl %esp, %ebx                 /* SW_REGS_ADDR on every real guest exit */
	movl $LGHOST_DS_SEL, %eax
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

	.globl lghost_switcher_end
lghost_switcher_end:

	.globl lghost_enter_offset, lghost_stubs_offset
lghost_enter_offset:	.long lghost_enter - lghost_switcher_start
lghost_stubs_offset:	.long lghost_stubs - lghost_switcher_start
