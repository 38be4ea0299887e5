/* Kernel console: COM1 (16550 UART, polled) and the VGA 80x25 text screen. */
#include "kernel.h"
#include "spinlock.h"

#define COM1 0x3F8
#define VGA_TEXT ((volatile u16 *)0xB8000)
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR 0x0700

static u32 console_mask;
static struct spinlock console_lock;
static unsigned vga_row, vga_col;

static void serial_init(void)
{
	outb(COM1 + 1, 0x00);   /* no interrupts: we poll */
	outb(COM1 + 3, 0x80);   /* DLAB on */
	outb(COM1 + 0, 0x01);   /* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);   /* 8N1 */
	outb(COM1 + 2, 0xC7);   /* FIFO on, cleared */
	outb(COM1 + 4, 0x03);   /* DTR, RTS */
}

static void serial_putc(char c)
{
	/* Bounded wait for the transmitter: a missing UART must not hang us. */
	for (int i = 0; i < 100000 && !(inb(COM1 + 5) & 0x20); i++)
		cpu_relax();
	outb(COM1, (u8)c);
}

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		VGA_TEXT[i] = VGA_TEXT[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		VGA_TEXT[(VGA_ROWS - 1) * VGA_COLS + i] = VGA_ATTR | ' ';
	vga_row = VGA_ROWS - 1;
}

static void vga_putc(char c)
{
	if (c == '\n') {
		vga_col = 0;
		vga_row++;
	} else {
		VGA_TEXT[vga_row * VGA_COLS + vga_col] = VGA_ATTR | (u8)c;
		if (++vga_col == VGA_COLS) {
			vga_col = 0;
			vga_row++;
		}
	}
	if (vga_row == VGA_ROWS)
		vga_scroll();
}

static void vga_clear(void)
{
	for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
		VGA_TEXT[i] = VGA_ATTR | ' ';
	vga_row = vga_col = 0;
}

void console_init(u32 mask)
{
	serial_init();
	console_set_mask(mask);
}

void console_set_mask(u32 mask)
{
	if ((mask & CONSOLE_SCREEN) && !(console_mask & CONSOLE_SCREEN))
		vga_clear();
	console_mask = mask;
}

/* Screen output only where a VGA text screen exists (not under UEFI GOP). */
static bool screen_usable(void)
{
	return !boot_info || boot_info->screen.kind == PVSCREEN_VGA_TEXT ||
	       boot_info->screen.kind == PVSCREEN_NONE;
}

void console_write(const char *s, size_t n)
{
	bool screen = (console_mask & CONSOLE_SCREEN) && screen_usable();

	for (size_t i = 0; i < n; i++) {
		if (console_mask & CONSOLE_SERIAL) {
			if (s[i] == '\n')
				serial_putc('\r');
			serial_putc(s[i]);
		}
		if (screen)
			vga_putc(s[i]);
	}
}

void kvprintf(const char *fmt, va_list ap)
{
	char buf[512];
	int n = pv_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	unsigned long f = spin_lock_irqsave(&console_lock);
	console_write(buf, (size_t)n);
	spin_unlock_irqrestore(&console_lock, f);
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}

void console_warn_cb(void *ctx, const char *line)
{
	kprintf("%s\n", line);
}

/* Used by the crash path: take the lock by force if its holder is dead. */
void console_break_lock(void);
void console_break_lock(void)
{
	console_lock.locked = 0;
}
