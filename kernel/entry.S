/*
 * Kernel entry: the Multiboot v1 header (Multiboot Specification 0.6.96 §3.1),
 * the Multiboot 2 header and the first instructions.  A Multiboot loader
 * (EAX = 0x2BADB002, EBX = struct mb_info), a Multiboot 2 loader (EAX =
 * 0x36D76289, EBX = its information block) and a pvboot loader (EAX = PVBOOT_ENTRY_MAGIC,
 * EBX = struct pvboot_info, docs/design.md §4) jump to _start in 32-bit protected
 * mode with paging and interrupts off.  We only set up a stack and pass
 * both registers to kentry() in C.
 */
#include "pvboot/multiboot.h"
#include "pvboot/multiboot2.h"

#define MB_FLAGS (MB_HEADER_PAGE_ALIGN | MB_HEADER_MEMORY_INFO)

	.section .text.entry, "ax"
	.balign 4
multiboot_header:
	.long MB_HEADER_MAGIC
	.long MB_FLAGS
	.long -(MB_HEADER_MAGIC + MB_FLAGS)

/*
 * Multiboot 2 header (Multiboot2 Specification 2.0 §3.1): 8-byte aligned in
 * the first 32 KiB, each tag 8-byte aligned.  Every tag is marked optional,
 * so a loader that lacks one still boots us; GRUB honours them all.  No EFI
 * boot services tag: the kernel needs them exited, as GRUB does by default.
 */
#define MB2_LEN (mb2_header_end - mb2_header)
	.balign 8, 0
mb2_header:
	.long MB2_HEADER_MAGIC, MB2_ARCH_I386, MB2_LEN
	.long 0x100000000 - (MB2_HEADER_MAGIC + MB2_ARCH_I386 + MB2_LEN)
	/* §3.1.4: the information the kernel uses (lib/mb2info.c). */
	.balign 8, 0
1:	.short MB2_HTAG_INFO_REQUEST, MB2_HTAG_OPTIONAL
	.long 2f - 1b
	.long MB2_TAG_CMDLINE, MB2_TAG_LOADER_NAME, MB2_TAG_MODULE
	.long MB2_TAG_BASIC_MEMINFO, MB2_TAG_MMAP, MB2_TAG_FRAMEBUFFER
	.long MB2_TAG_EFI32, MB2_TAG_EFI64, MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW
	.long MB2_TAG_EFI_MMAP
2:	/* §3.1.6: enter at _start (EAX tells the protocols apart). */
	.balign 8, 0
	.short MB2_HTAG_ENTRY, MB2_HTAG_OPTIONAL
	.long 12, _start
	/* §3.1.10: 32 bpp, the only depth kernel/fbcon.c draws.  GRUB honours
	 * the depth only with a size ("WxHxD,WxH,auto"), so name one that VBE
	 * and UEFI GOP on QEMU both offer. */
	.balign 8, 0
	.short MB2_HTAG_FRAMEBUFFER, MB2_HTAG_OPTIONAL
	.long 20, 1024, 768, 32
	/* §3.1.11: page-aligned modules (the lguest guest image). */
	.balign 8, 0
	.short MB2_HTAG_MODULE_ALIGN, MB2_HTAG_OPTIONAL
	.long 8
	.balign 8, 0
	.short MB2_HTAG_END, 0
	.long 8
mb2_header_end:
#undef MB2_LEN

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
