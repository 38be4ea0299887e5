/*
 * MBR boot code (IBM PC MBR: 440 bytes of code, then the disk signature and
 * the partition table written by tools/mkimage.c).  Loads stage 2 from
 * LBA 1 with int 13h extensions (EDD 3.0 function 42h), checks its magic,
 * length and checksum, and jumps to it with DL = boot drive.  On any
 * failure it prints why and waits for a key or 10 s, then gives the disk
 * back to the BIOS (int 18h) -- it never jumps into garbage.
 */
#include "layout.h"

	.code16
	.section .text
	.globl _start
_start:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $RM_STACK_TOP, %sp
	sti
	cld
	ljmp $0, $1f                    /* some BIOSes enter at 07C0:0000 */
1:	movb %dl, drive

	/* EDD present and able to do packet reads? */
	movb $0x41, %ah
	movw $0x55aa, %bx
	int $0x13
	jc no_lba
	cmpw $0xaa55, %bx
	jne no_lba
	testb $1, %cl
	jz no_lba

	/* The header sector first: it says how much to read. */
	call read
	cmpl $STAGE2_MAGIC, STAGE2_ADDR + S2H_MAGIC
	jne bad
	movw STAGE2_ADDR + S2H_SECTORS, %cx
	jcxz bad
	cmpw $STAGE2_MAX_SECTORS, %cx
	ja bad
	decw %cx
	jz check
	movw %cx, dap_count
	movw $0x200, dap_off
	movl $STAGE2_LBA + 1, dap_lba
	call read

check:	/* All 16-bit words of the image must sum to 0. */
	movw STAGE2_ADDR + S2H_SECTORS, %cx
	shlw $8, %cx
	pushw %ds
	movw $STAGE2_SEG, %ax
	movw %ax, %ds
	xorw %si, %si
	xorw %bx, %bx
2:	lodsw
	addw %ax, %bx
	loop 2b
	popw %ds
	testw %bx, %bx
	jnz bad
	movb drive, %dl
	movw STAGE2_ADDR + S2H_ENTRY, %ax
	addw $STAGE2_ADDR, %ax
	jmp *%ax

read:	movb $0x42, %ah
	movb drive, %dl
	movw $dap, %si
	int $0x13
	jc disk_err
	ret

no_lba:	movw $msg_lba, %si
	jmp fail
disk_err:
	movw $msg_disk, %si
	jmp fail
bad:	movw $msg_bad, %si
fail:	call puts
	movw $msg_key, %si
	call puts
	/* A key, or 10 s of the BIOS tick count (0040:006C, 18.2 Hz): an
	 * unattended machine must not wait here for ever. */
	movw 0x46c, %cx
wait:	hlt                             /* until the next tick or key */
	movb $1, %ah
	int $0x16                       /* ZF clear: a key is waiting */
	jnz key
	movw 0x46c, %ax
	subw %cx, %ax
	cmpw $182, %ax
	jb wait
	jmp next
key:	xorb %ah, %ah
	int $0x16                       /* take it */
next:	int $0x18                       /* BIOS: try the next boot device */
	jmp fail

puts:	lodsb
	testb %al, %al
	jz 3f
	movb $0x0e, %ah
	movw $7, %bx
	int $0x10
	jmp puts
3:	ret

	.balign 4
dap:	.byte 0x10, 0
dap_count:
	.word 1
dap_off:
	.word 0
	.word STAGE2_SEG
dap_lba:
	.long STAGE2_LBA, 0
drive:	.byte 0x80

msg_lba:  .asciz "pvboot: BIOS lacks int 13h extensions (LBA)"
msg_disk: .asciz "pvboot: disk read error loading stage 2"
msg_bad:  .asciz "pvboot: stage 2 missing or corrupt (magic/length/checksum)"
msg_key:  .asciz "; press a key for the next boot device (in 10 s)\r\n"
