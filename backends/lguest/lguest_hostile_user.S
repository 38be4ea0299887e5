/*
 * Code for lguest_hostile.c.  Ring 3, for guest.hostile=usercall: copied over
 * a task's program page, it asks for SET_PTE (the pte address and value
 * the kernel left at offset 0x800 of the page) by vmcall (eax = 0) or by
 * int $0x1f (eax = 1).  The host must refuse both: the task then ends
 * with #UD or #GP; if the call returned, the task exits with 0xbad.
 */
#include "pvboot/lguest.h"

	.section .rodata
	.globl lguest_hostile_user, lguest_hostile_user_end
	.balign 16
lguest_hostile_user:
	movl %eax, %edi                 /* how */
	movl 0x800(%ecx), %ebx          /* ecx = the slot base: our page */
	movl 0x804(%ecx), %ecx
	movl $LHCALL_SET_PTE, %eax
	testl %edi, %edi
	jnz 1f
	vmcall
	jmp 2f
1:	int $LG_HCALL_VECTOR
2:	movl $0xbad, %ebx               /* the hypercall came back: a failure */
	xorl %eax, %eax                 /* SYS_EXIT */
	int $0x80
lguest_hostile_user_end:

/*
 * guest.hostile=direct: a handler for int $0x80 from ring 1 that records
 * the virtual IF it runs with, and returns.
 */
	.text
	.globl lguest_hostile_vif_probe
lguest_hostile_vif_probe:
	pushl %eax
	movl LG_VCPU_ADDR, %eax         /* this vCPU's irq_enabled */
	movl %eax, lguest_hostile_vif
	popl %eax
	iret
