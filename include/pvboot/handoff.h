/* The loaders' last step, for assembly: the flat 32-bit GDT both loaders enter the kernel with, and the jump with the register state of the boot protocol (pvboot/boot.h). */
#ifndef PVBOOT_HANDOFF_H
#define PVBOOT_HANDOFF_H
#include "pvboot/boot.h"

#ifndef __ASSEMBLER__
#error "pvboot/handoff.h holds assembler macros: include it from .S files"
#endif

/*
 * Used by loader/bios/biosentry.S (stage 2, already in 32-bit protected mode
 * with this GDT) and loader/uefi/efitrampoline.S (after leaving long mode or
 * the firmware's paging), so that the kernel sees the same machine from
 * either loader.
 *
 * HANDOFF_GDT32: three descriptors, null, then a flat 4 GiB 32-bit code
 * segment (HANDOFF_SEL_CODE32) and a flat 4 GiB data segment
 * (HANDOFF_SEL_DATA32), the "flat 4 GiB segments" boot.h promises.  A
 * loader may append descriptors of its own after them.
 */
#define HANDOFF_SEL_CODE32 0x08
#define HANDOFF_SEL_DATA32 0x10

	.macro HANDOFF_GDT32
	.quad 0                         /* null */
	.quad 0x00cf9a000000ffff        /* 0x08: code, base 0, limit 4 GiB, 32-bit, ring 0 */
	.quad 0x00cf92000000ffff        /* 0x10: data, base 0, limit 4 GiB, 32-bit, ring 0 */
	.endm

/*
 * HANDOFF_ENTER_KERNEL entry, info: jump to the kernel's entry point with
 * EAX = PVBOOT_ENTRY_MAGIC and EBX = info (the physical address of the
 * struct pvboot_info), every other general register zero except the one
 * holding the entry address.  entry: a register other than %eax and %ebx;
 * info: any operand movl takes, read before anything is cleared.  The
 * caller has already set up the rest of the protocol's machine state
 * (protected mode, paging and interrupts off, these segments, A20 on).
 */
	.macro HANDOFF_ENTER_KERNEL entry:req, info:req
	.ifc \entry, %eax
	.err                            /* EAX carries the magic */
	.endif
	.ifc \entry, %ebx
	.err                            /* EBX carries the info */
	.endif
	movl \info, %ebx
	movl $PVBOOT_ENTRY_MAGIC, %eax
	.irp reg, %ecx, %edx, %esi, %edi, %ebp
	.ifnc \reg, \entry
	xorl \reg, \reg
	.endif
	.endr
	jmp *\entry
	.endm

#endif
