/* Call one VMI ROM routine from the 32-bit user-mode harness (harness.c) with every register set from h_in and every register saved to h_out, per docs/vmi-rom.md "Calling convention". */
	.text
	.globl hcall
/* void hcall(void *fn, u32 stack0, u32 stack1): regs from h_in, to h_out;
 * the 1 KiB below the routine's stack is painted so its depth shows. */
hcall:
	push %ebp
	push %ebx
	push %esi
	push %edi
	movl 20(%esp), %eax
	movl %eax, h_fn
	pushl 28(%esp)                  /* stack1 */
	pushl 28(%esp)                  /* stack0 */
	movl %esp, h_esp
	leal -1024(%esp), %edi
	movl $0xa5a5a5a5, %eax
	movl $256, %ecx
	cld
	rep stosl
	movl h_in + 4, %ebx
	movl h_in + 8, %ecx
	movl h_in + 12, %edx
	movl h_in + 16, %esi
	movl h_in + 20, %edi
	movl h_in + 24, %ebp
	movl h_in + 0, %eax
	call *h_fn
	movl %eax, h_out + 0
	movl %ebx, h_out + 4
	movl %ecx, h_out + 8
	movl %edx, h_out + 12
	movl %esi, h_out + 16
	movl %edi, h_out + 20
	movl %ebp, h_out + 24
	movl %esp, h_out + 28
	pushfl
	popl h_out + 32
	movl h_esp, %esp
	addl $8, %esp
	pop %edi
	pop %esi
	pop %ebx
	pop %ebp
	ret

	.bss
	.globl h_in, h_out, h_esp
h_fn:	.long 0
h_esp:	.long 0
h_in:	.space 36
h_out:	.space 36
	.section .note.GNU-stack, "", @progbits
