/* The AP start path of the VMI ROM (docs/vmi-rom.md "Starting APs"): a real-mode trampoline the ROM copies into the SIPI page, and the 32-bit code in the ROM copy that loads the kernel's vmi_ap_state. */
#include "romdata.h"

	.text
	.globl tramp_start, tramp_end, tramp_gdt, tramp_gdtr, tramp_far32, tramp_pm32
	.globl tramp_rom_entry, tramp_data, ap_entry32, ap_paged
	.hidden tramp_start, tramp_end, tramp_gdt, tramp_gdtr, tramp_far32, tramp_pm32
	.hidden tramp_rom_entry, tramp_data, ap_entry32, ap_paged

/*
 * Copied to vector << 12 and entered by the SIPI at CS = vector << 8,
 * IP = 0, so every reference is an offset within the page.  Several APs
 * may run it at once: it writes nothing, and the page base it needs in
 * protected mode travels in %esi (no stack yet).  romsmp.c writes the page
 * once per bring-up, complete with the patched fields, and never while
 * an AP may be in it; everything per AP is in the data area's slots.
 */
	.p2align 4
	.code16
tramp_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	xorl %esi, %esi
	movw %ax, %si
	shll $4, %esi                   /* esi = the page's linear address */
	lgdtl (tramp_gdtr - tramp_start)
	movl %cr0, %eax
	orl $1, %eax                    /* PE */
	movl %eax, %cr0
	ljmpl *(tramp_far32 - tramp_start)
	.code32
tramp_pm32:
	movw $TR_DATA_SEL, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	/* The rest runs in the ROM copy, which the kernel maps identity
	 * before and after paging; this page need not be mapped at all. */
	movl (tramp_data - tramp_start)(%esi), %ebp
	jmp *(tramp_rom_entry - tramp_start)(%esi)

	.p2align 3
/* The accessed bit is set already (0x9b, 0x93): else loading a selector
 * makes the CPU write it into this page, which romsmp.c would then see as
 * changed and write again while other APs may be running it. */
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff        /* TR_CODE_SEL: flat 32-bit code */
	.quad 0x00cf93000000ffff        /* TR_DATA_SEL: flat data */
tramp_gdtr:
	.word 3 * 8 - 1
	.long 0                         /* patched: page + tramp_gdt */
tramp_far32:
	.long 0                         /* patched: page + tramp_pm32 */
	.word TR_CODE_SEL
tramp_rom_entry:
	.long 0                         /* patched: ap_entry32 in the ROM copy */
tramp_data:
	.long 0                         /* patched: the ROM's data area */
tramp_end:

/*
 * Flat protected mode, paging off, ebp = data area.  Find this AP's slot
 * by its initial APIC id and load the state; the control registers and
 * descriptor tables first, then a far jump onto the kernel's code
 * selector (still in the ROM, which stays mapped), then the rest.
 */
	.p2align 4
ap_entry32:
	movl $1, %eax
	cpuid
	shrl $24, %ebx
	shll $RD_AP_SLOT_SHIFT, %ebx
	leal RD_AP_SLOTS(%ebp,%ebx), %ebx
	cmpl $0, AP_VALID(%ebx)
	je ap_park
	movl AP_CR4(%ebx), %eax
	movl %eax, %cr4
	movl AP_CR3(%ebx), %eax
	movl %eax, %cr3
	movl AP_CR2(%ebx), %eax
	movl %eax, %cr2
	/* EFER only when the state asks for bits: a CPU without it would
	 * #GP.  No call: the AP has no stack until the state's esp. */
	movl AP_EFER(%ebx), %eax
	movl AP_EFER + 4(%ebx), %edx
	movl %eax, %ecx
	orl %edx, %ecx
	jz 1f
	movl $0xc0000080, %ecx
	wrmsr
1:
	lgdtl AP_GDTR(%ebx)
	lidtl AP_IDTR(%ebx)
	movl AP_CR0(%ebx), %eax
	movl %eax, %cr0
	ljmpl *AP_FAR(%ebx)
ap_paged:
	lldtw AP_LDTR(%ebx)
	movw AP_SS(%ebx), %ss
	movl AP_ESP(%ebx), %esp
	movw AP_ES(%ebx), %es
	movw AP_FS(%ebx), %fs
	movw AP_GS(%ebx), %gs
	lock incl (RD_COUNTERS + 4 * VMI_COUNT_AP_STARTED)(%ebp)
	/* The kernel's stack takes eip and eflags (8 bytes below its esp):
	 * the only way to load every register and still jump. */
	pushl AP_EIP(%ebx)
	pushl AP_EFLAGS(%ebx)
	movl AP_EAX(%ebx), %eax
	movl AP_ECX(%ebx), %ecx
	movl AP_EDX(%ebx), %edx
	movl AP_ESI(%ebx), %esi
	movl AP_EDI(%ebx), %edi
	movl AP_EBP(%ebx), %ebp
	movw AP_DS(%ebx), %ds
	movl AP_EBX(%ebx), %ebx
	popfl
	ret

/* No state for this APIC id: the kernel did not ask for this CPU. */
ap_park:
	cli
	hlt
	jmp ap_park
