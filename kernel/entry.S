/*
 * Kernel entry: the Multiboot v1 header (Multiboot Specification 0.6.96 §3.1)
 * and the first instructions.  Both a Multiboot loader (EAX = 0x2BADB002,
 * EBX = struct mb_info) and a pvboot loader (EAX = PVBOOT_ENTRY_MAGIC,
 * EBX = struct pvboot_info, DESIGN §4) jump to _start in 32-bit protected
 * mode with paging and interrupts off.  We only set up a stack and pass
 * both registers to kentry() in C.
 */
#include "pvboot/multiboot.h"

#define MB_FLAGS (MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO)

	.section .text.entry, "ax"
	.balign 4
multiboot_header:
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

	.globl _start
	.type _start, @function
_start:
	cli
	cld
	movl $boot_stack_top, %esp
	xorl %ebp, %ebp                 /* ends the crash dump's frame walk */
	pushl $0
	popfl
	/* Early CPU check (kernel/cpucheck.c, built for a plain i386): before
	 * any code that may use what an older CPU lacks; it returns only if
	 * the CPU will do, and keeps EBX. */
	pushl %eax
	movl %ebx, %edx
	call early_cpu_check
	popl %eax
	/* kentry(magic, info) with regparm(3): eax, edx */
	movl %ebx, %edx
	call kentry
1:	hlt
	jmp 1b
	.size _start, . - _start

	.section .bss
	.balign 16
	.globl boot_stack_bottom
boot_stack_bottom:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:
