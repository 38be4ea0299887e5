/* Leaving the machine: QEMU's isa-debug-exit (iobase 0xf4; QEMU exits with
 * (code << 1) | 1), else ACPI poweroff on QEMU's PM ports, else halt. */
#include "kernel.h"

static void (*exit_hook)(int code);

void power_set_exit_hook(void (*hook)(int code))
{
	exit_hook = hook;
}

_Noreturn void qemu_exit(int code)
{
	if (exit_hook)
		exit_hook(code);        /* a guest asks its host */
	outl(QEMU_EXIT_PORT, code ? 1 : 0);       /* docs/design.md §9: 0 pass, 1 fail or crash */
	outw(QEMU_PM1A_CNT_Q35, PM1_CNT_S5);
	outw(QEMU_PM1A_CNT_PIIX, PM1_CNT_S5);
	kprintf("power: could not exit or power off; halting\n");
	for (;;) {
		irq_disable();
		halt();
	}
}
