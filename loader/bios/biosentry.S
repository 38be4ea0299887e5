/*
 * Stage 2 entry and the one real-mode call thunk (Intel SDM vol. 3 §9.9:
 * switching between real and protected mode).  The header (layout.h
 * S2H_*) is what the MBR checks.  Real-mode entry reads the TSC, switches
 * to 32-bit protected mode with flat segments and calls stage2_main() in
 * C.  bios_call(vec, regs) goes back to real mode, loads the registers
 * from a struct bios_regs, runs `int vec` and stores them back.  All of
 * this file sits below 64 KiB so real mode reaches it with CS = 0.
 */
#include "layout.h"
#include "pvboot/handoff.h"
#include "pvboot/x86.h"

#define CS32 HANDOFF_SEL_CODE32
#define DS32 HANDOFF_SEL_DATA32
#define CS16 0x18
#define DS16 0x20

/* struct bios_regs offsets (bios.h) */
#define R_EAX 0
#define R_EBX 4
#define R_ECX 8
#define R_EDX 12
#define R_ESI 16
#define R_EDI 20
#define R_EBP 24
#define R_EFLAGS 28
#define R_DS 32
#define R_ES 34
#define R_SIZE 36

/*
 * The thunk's variables live at THUNK_VARS, a page without code: QEMU's
 * TCG (and real CPUs' self-modifying-code snooping) throw away every
 * translation of a page that is written, which made each call cost
 * ~200 us when these sat next to the code.  For the same reason `int n`
 * is not patched into the code: the vector's far pointer is read from the
 * IVT and called like the CPU would (pushf + far call; the handler irets).
 */
#define rm_regs   (THUNK_VARS + 0)
#define regs_ptr  (THUNK_VARS + 40)
#define saved_esp (THUNK_VARS + 44)
#define int_ptr   (THUNK_VARS + 48)

/* Every data segment register from one selector (through %ax); the mode
 * switches below reload them all each time. */
	.macro LOAD_DATA_SEGS sel
	movw $\sel, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	.endm

	.section .head, "ax"
	.code16
	.globl _start
_start:
	.long STAGE2_MAGIC
	.word 0                         /* sectors: tools/mkimage.c */
	.word 0                         /* checksum: tools/mkimage.c */
	.word rm_entry - _start
	.word 0

rm_entry:
	cli
	cld
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $RM_STACK_TOP, %sp
	movb %dl, boot_drive
	/* The loader entry's TSC is the boot-time origin, but a 486 has no
	 * TSC and the earliest have no CPUID: rdtsc only where CPUID.1:EDX
	 * bit 4 says so (else it stays 0, and the kernel names what is
	 * missing).  EFLAGS.ID toggles exactly when CPUID exists. */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $X86_EFLAGS_ID, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	xorl %ecx, %eax
	testl $X86_EFLAGS_ID, %eax
	jz 1f
	movl $1, %eax
	cpuid
	testb $0x10, %dl
	jz 1f
	rdtsc
	movl %eax, tsc_entry
	movl %edx, tsc_entry + 4
1:
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $CS32, $pm_entry

	.code32
pm_entry:
	LOAD_DATA_SEGS DS32
	movl $__bss_start, %edi         /* C wants a zeroed .bss */
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $stack_top, %esp
	call stage2_main
1:	hlt
	jmp 1b

/* void bios_call(u32 vec, struct bios_regs *r): cdecl, preserves ebx/esi/edi/ebp. */
	.globl bios_call
bios_call:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	movl 20(%esp), %eax
	movzbl %al, %eax
	movl (,%eax,4), %eax            /* IVT entry: offset, segment */
	movl %eax, int_ptr
	movl 24(%esp), %esi
	movl %esi, regs_ptr
	movl $rm_regs, %edi
	movl $R_SIZE, %ecx
	rep movsb
	movl %esp, saved_esp
	ljmp $CS16, $pm16

	.code16
pm16:	LOAD_DATA_SEGS DS16             /* 64 KiB limits before leaving PE */
	movl %cr0, %eax
	andl $~1, %eax
	movl %eax, %cr0
	ljmp $0, $rm

rm:	xorw %ax, %ax
	movw %ax, %ss
	movw $RM_STACK_TOP, %sp
	lidt rm_idt
	movw %cs:rm_regs + R_ES, %ax
	movw %ax, %es
	movw %cs:rm_regs + R_DS, %ax
	movw %ax, %ds
	movl %cs:rm_regs + R_EAX, %eax
	movl %cs:rm_regs + R_EBX, %ebx
	movl %cs:rm_regs + R_ECX, %ecx
	movl %cs:rm_regs + R_EDX, %edx
	movl %cs:rm_regs + R_ESI, %esi
	movl %cs:rm_regs + R_EDI, %edi
	movl %cs:rm_regs + R_EBP, %ebp
	sti                             /* the flags the handler's iret restores */
	pushfw
	cli                             /* as `int` enters a handler */
	lcallw *%cs:int_ptr
	cli
	movl %eax, %cs:rm_regs + R_EAX
	movl %ebx, %cs:rm_regs + R_EBX
	movl %ecx, %cs:rm_regs + R_ECX
	movl %edx, %cs:rm_regs + R_EDX
	movl %esi, %cs:rm_regs + R_ESI
	movl %edi, %cs:rm_regs + R_EDI
	movl %ebp, %cs:rm_regs + R_EBP
	pushfl
	popl %cs:rm_regs + R_EFLAGS
	movw %ds, %cs:rm_regs + R_DS
	movw %es, %cs:rm_regs + R_ES
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl gdt_desc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $CS32, $back32

	.code32
back32:	cld
	LOAD_DATA_SEGS DS32
	lidt pm_idt_desc                /* rm: loaded the IVT's; ours again (bios.c) */
	movl saved_esp, %esp
	movl $rm_regs, %esi
	movl regs_ptr, %edi
	movl $R_SIZE, %ecx
	rep movsb
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

/*
 * CPU exceptions 0-31 in protected mode (SDM vol. 3 §6.15): a stub per
 * vector pushes 0 where the CPU pushes no error code, then the vector,
 * and stage2_exception(frame) in bios.c prints one line instead of the
 * triple fault a missing IDT gives.  stage2_idt_init() builds the gates.
 */
	.macro EXC_STUB n
exc_\n:
	.if !((\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30))
	pushl $0
	.endif
	pushl $\n
	jmp exc_common
	.endm
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	EXC_STUB \n
	.endr

exc_common:
	cld
	movw $DS32, %ax
	movw %ax, %ds
	movw %ax, %es
	pushl %esp                      /* frame: vector, error, eip, cs, eflags */
	call stage2_exception
1:	cli
	hlt
	jmp 1b

	.section .rodata
	.balign 4
	.globl exc_stubs
exc_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.long exc_\n
	.endr
	.text

/* void enter_kernel(u32 entry, u32 info): the boot protocol's registers (pvboot/handoff.h). */
	.globl enter_kernel
enter_kernel:
	movl 4(%esp), %ecx
	HANDOFF_ENTER_KERNEL %ecx, 8(%esp)

	.balign 8
gdt:	HANDOFF_GDT32                   /* 0x08, 0x10: flat 32-bit code and data */
	.quad 0x00009a000000ffff        /* 0x18: 16-bit code, 64 KiB */
	.quad 0x000092000000ffff        /* 0x20: 16-bit data, 64 KiB */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt
rm_idt:	.word 0x3ff                     /* the real-mode IVT at 0 */
	.long 0

	.balign 4
	.globl boot_drive, tsc_entry
tsc_entry:
	.quad 0
boot_drive:
	.byte 0

	.section .bss
	.balign 16
	.skip 16384
stack_top:
