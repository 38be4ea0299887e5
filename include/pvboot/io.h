/* x86 port I/O for the kernel, both loaders and the VMI ROM: inb/inw/inl, outb/outw/outl (port first, then value), io_wait, and the few fixed ports more than one of them uses. */
#ifndef PVBOOT_IO_H
#define PVBOOT_IO_H

/*
 * Argument order: the port comes first, everywhere: outb(port, value),
 * value = inb(port).  (Linux's outb(value, port) is the other way round;
 * code ported from it must swap them.)
 *
 * Port I/O is not privileged state that struct paravirt_ops virtualises:
 * every backend lets the kernel use it directly, and the same inlines
 * serve the 16/32-bit BIOS loader, the 32- and 64-bit UEFI loader and the
 * position-independent ROM (no data, no calls: just the instruction).
 *
 * No "memory" clobber: a port access does not order ordinary memory
 * accesses for the compiler.  Code that hands the device a buffer in RAM
 * (fw_cfg DMA, loader/common/fwcfg.c) puts its own compiler barrier
 * before the port write that starts the transfer.
 *
 * The constants below are usable from assembly as well.
 */

/* The POST-code port: a write takes about 1 us on a PC and does nothing
 * else, the classic I/O delay (and the paravirt `io_delay` op natively). */
#define IO_DELAY_PORT 0x80

/* QEMU's isa-debug-exit as scripts/qemu-cmd.sh configures it (iobase=0xf4,
 * iosize=4): a 32-bit write of v makes QEMU exit with (v << 1) | 1. */
#define QEMU_EXIT_PORT 0xf4

/* Power-off on QEMU without parsing ACPI: S5 (SLP_TYP 5 with SLP_EN)
 * written to the PM1a control register, at 0x604 on q35 and on pc with a
 * recent QEMU, at 0xb004 where the PIIX4 PM base is the older one. */
#define QEMU_PM1A_CNT_Q35  0x604
#define QEMU_PM1A_CNT_PIIX 0xb004
#define PM1_CNT_S5         0x2000

#ifndef __ASSEMBLER__
#include "pvboot/types.h"

static inline void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(u16 port, u16 v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(u16 port, u32 v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u16 inw(u16 port)
{
	u16 v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline u32 inl(u16 port)
{
	u32 v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/*
 * One write to IO_DELAY_PORT: `outb %al, $0x80` (e6 80), whatever AL
 * holds, as kernel/selftest_cpu.c expects of the native io_delay.
 */
static inline void io_wait(void)
{
	__asm__ volatile("outb %%al, %0" : : "N"(IO_DELAY_PORT));
}
#endif /* __ASSEMBLER__ */
#endif
