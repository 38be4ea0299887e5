/*
 * One 16-byte stub per interrupt vector (assembly only), shared by the
 * kernel's IDT (kernel/trapentry.S) and the lguest switcher's: a zero
 * error code where the CPU pushes none (Intel SDM vol. 3 §6.13), the
 * vector number, then a jump to `common`.
 */
#ifndef PVBOOT_TRAPSTUBS_H
#define PVBOOT_TRAPSTUBS_H
#ifdef __ASSEMBLER__
.macro TRAP_STUBS common
	.set vec, 0
	.rept 256
	.balign 16
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushl $0
	.endif
	pushl $vec
	jmp \common
	.set vec, vec + 1
	.endr
.endm
#endif
#endif
