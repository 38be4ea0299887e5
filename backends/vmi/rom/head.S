/* The VMI ROM's image header: option-ROM header, VMI 3.x vrom_header, pvboot extension block, PCI data structure (PCI Firmware 3.0) and PnP expansion header (PnP BIOS 1.0A); docs/vmi-rom.md. */
#include "pvboot/vmi.h"

	.section .text.head, "ax"
	.globl rom_start
	.hidden rom_start
rom_start:
	/* +0: option ROM signature and length (512-byte blocks, from rom.ld) */
	.byte 0x55, 0xaa
	.byte __rom_blocks
	/* +3: the init entry SeaBIOS far-calls in real mode during POST.
	 * Nothing to set up in real mode: all work happens later in the
	 * kernel's RAM copy, so report "no device" and return. */
	.code16
	xorw %ax, %ax
	lret
	.code32
	.byte 0x90
	.byte 0                         /* +7 pad */
	/* +8: the VMI 3.x header */
	.ascii "cVmi"
	.byte 0, VMI_API_MAJOR          /* API 3.0 */
	.byte 2                         /* two jump slots: Init, GetRelocationInfo */
	.byte 0
	.long 0                         /* +16 virtual_top: no address-space hole needed */
	.word 0
	.word license - rom_start       /* +22 */
	.word pcir - rom_start          /* +24, also the PCI ROM's pointer */
	.word pnp - rom_start           /* +26, also the PnP ROM's pointer */
	.long 0
	/* +32: pvboot extension block: how much zeroed RAM must follow the copy */
	.long VMI_EXT_MAGIC
	.long VMI_EXT_VERSION
	/* u32 data_size, written as two halves: a 32-bit absolute would
	 * leave an (empty) dynamic relocation in the -pie link; rom.ld
	 * asserts the data area is below 64 KiB */
	.word __data_size, 0
	.org rom_start + VMI_INIT_SLOT_OFF, 0
	/* +128, +136: jump slots, each a jmp rel32 padded with int3 */
	.byte 0xe9
	.long vmi_init_entry - (. + 4)
	.byte 0xcc, 0xcc, 0xcc
	.byte 0xe9
	.long vmi_reloc_entry - (. + 4)
	.byte 0xcc, 0xcc, 0xcc

	/* PCI data structure, PCI Firmware Spec 3.0 (dword aligned) */
	.p2align 2
pcir:
	.ascii "PCIR"
	.word 0x15ad, 0x0801            /* VMware's VMI device, as Linux expected */
	.word 0                         /* device list */
	.word 0x1c                      /* structure length */
	.byte 3                         /* structure revision */
	.byte 0x00, 0x80, 0x08          /* class: other system peripheral */
	.word __rom_blocks              /* image length */
	.word 1                         /* code revision */
	.byte 0                         /* code type: x86 PC-AT */
	.byte 0x80                      /* last image */
	.word 0                         /* max runtime length: no run-time growth */
	.word 0, 0                      /* no config utility, no DMTF CLP */

	/* PnP expansion header (paragraph aligned); romfix fixes its checksum */
	.p2align 4
pnp:
	.ascii "$PnP"
	.byte 1                         /* revision */
	.byte 2                         /* length in 16-byte units */
	.word 0                         /* no next header */
	.byte 0
	.byte 0                         /* checksum (romfix) */
	.long 0                         /* device id */
	.word manufacturer - rom_start
	.word product - rom_start
	.byte 0x08, 0x80, 0x00          /* device type: other system peripheral */
	.byte 0                         /* indicators: not a boot device */
	.word 0, 0, 0                   /* no BCV, DV, BEV: nothing to boot */
	.word 0
	.word 0                         /* no static resource info */

/*
 * Only for the test ROM bad-checksum.rom: romfix points the init entry
 * here.  SeaBIOS refuses a ROM whose checksum is wrong when it loads it,
 * so this one is loaded with a good checksum and breaks it at init (the
 * shadow RAM is still writable then): the kernel's detection must catch
 * it.  Adds 0x5a to the last byte, a sum no other ROM happens to have.
 */
	.globl init_break_checksum
	.hidden init_break_checksum
	.code16
init_break_checksum:
	pushw %bx
	movzbw %cs:VMI_ROM_LENGTH_OFF, %bx
	shlw $9, %bx
	decw %bx
	addb $0x5a, %cs:(%bx)
	popw %bx
	xorw %ax, %ax
	lret
	.code32

license:
	.asciz "GPL v2"
manufacturer:
	.asciz "pvboot"
product:
	.asciz "pvboot VMI ROM"
