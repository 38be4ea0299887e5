/* The A20 gate (IBM PC/AT): int 15h AX=2401h, then the 8042 keyboard controller, then port 92h "fast A20", each verified by the wrap-around test. */
#include "bios.h"

/* With A20 off, 0x100500 aliases 0x000500: write one, watch the other. */
static bool a20_on(void)
{
	volatile u32 *lo = phys_ptr(0x000500), *hi = phys_ptr(0x100500);
	u32 save = *lo;
	bool on;

	*lo = 0x1a20a20a;
	*hi = ~0x1a20a20au;
	on = *lo == 0x1a20a20a;
	*lo = save;
	return on;
}

static void kbc_wait_input(void)
{
	for (int i = 0; i < 100000 && (inb(0x64) & 2); i++)
		;
}

static void a20_kbc(void)
{
	kbc_wait_input();
	outb(0x64, 0xd1);               /* write output port */
	kbc_wait_input();
	outb(0x60, 0xdf);               /* A20 on, reset line inactive */
	kbc_wait_input();
}

static void a20_port92(void)
{
	u8 v = inb(0x92);

	if (!(v & 2))
		outb(0x92, (v | 2) & ~1);      /* bit 0 would reset the CPU */
}

bool a20_enable(const char **method)
{
	struct bios_regs r = { .eax = 0x2401 };

	*method = "already on";
	if (a20_on())
		return true;
	*method = "int 15h";
	bios_call(0x15, &r);
	if (a20_on())
		return true;
	*method = "keyboard controller";
	a20_kbc();
	for (int i = 0; i < 1000; i++)
		if (a20_on())
			return true;
	*method = "port 92h";
	a20_port92();
	for (int i = 0; i < 1000; i++)
		if (a20_on())
			return true;
	return false;
}
