/*
 * Kernel console: COM1 (16550 UART, polled, 16-byte FIFO bursts) and the
 * VGA 80x25 colour text screen, scrolled by moving the CRTC start address
 * through the 32 KiB text window (VGA CRTC registers 0x0C/0x0D) so a new
 * line costs one line of video-memory writes, not a whole-screen copy.
 * Port and video-memory accesses are slow under emulation; this keeps a
 * line of output to about 2 port accesses per 16 characters.
 */
#include "kernel.h"
#include "spinlock.h"
#include "time.h"
#include "smp.h"
#include "pvboot/uart.h"

#define UART_FIFO 16
#define VGA_TEXT ((volatile u16 *)0xB8000)
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_WINDOW_ROWS 204     /* 32 KiB / 160 bytes per row */
#define VGA_ATTR 0x0700

static u32 console_mask;
static void (*console_hook)(const char *s, size_t n);   /* replaces the UART */

void console_set_hook(void (*hook)(const char *s, size_t n))
{
	console_hook = hook;
}
static struct spinlock console_lock;
static unsigned vga_top, vga_row, vga_col;      /* rows within the window */
static unsigned uart_room;                      /* bytes the FIFO still takes */

static void serial_init(void)
{
	uart_init(COM1);        /* polled: no interrupts */
}

/* THR empty (LSR bit 5) means the whole FIFO is free: send a burst.
 * The wait is bounded: a missing UART must not hang us. */
static void serial_putc(char c)
{
	if (!uart_room) {
		for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
			cpu_relax();
		uart_room = UART_FIFO;
	}
	outb(COM1, (u8)c);
	uart_room--;
}

static void vga_set_start(unsigned row)
{
	unsigned cell = row * VGA_COLS;

	outb(0x3d4, 0x0c);
	outb(0x3d5, (u8)(cell >> 8));
	outb(0x3d4, 0x0d);
	outb(0x3d5, (u8)cell);
}

static void vga_clear_row(unsigned row)
{
	for (unsigned i = 0; i < VGA_COLS; i++)
		VGA_TEXT[row * VGA_COLS + i] = VGA_ATTR | ' ';
}

/* Next line: move the visible window down, or back to the top of video
 * memory (copying the visible rows) when the window is used up. */
static void vga_newline(void)
{
	vga_col = 0;
	if (++vga_row == VGA_WINDOW_ROWS) {
		for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
			VGA_TEXT[i] = VGA_TEXT[(vga_top + 1) * VGA_COLS + i];
		vga_top = 0;
		vga_row = VGA_ROWS - 1;
		vga_set_start(0);
	} else if (vga_row - vga_top == VGA_ROWS) {
		vga_set_start(++vga_top);
	}
	vga_clear_row(vga_row);
}

static void vga_putc(char c)
{
	if (c == '\n') {
		vga_newline();
		return;
	}
	VGA_TEXT[vga_row * VGA_COLS + vga_col] = VGA_ATTR | (u8)c;
	if (++vga_col == VGA_COLS)
		vga_newline();
}

static void vga_clear(void)
{
	for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
		VGA_TEXT[i] = VGA_ATTR | ' ';
	vga_top = vga_row = vga_col = 0;
	vga_set_start(0);
}

void console_init(u32 mask)
{
	serial_init();
	console_set_mask(mask);
}

/* The screen is VGA text, a UEFI framebuffer (kernel/fbcon.c), or none. */
static bool use_fb(void)
{
	return boot_info && boot_info->screen.kind == PVSCREEN_FRAMEBUFFER;
}

static bool no_screen(void)
{
	return boot_info && boot_info->screen.kind == PVSCREEN_NONE;
}

void console_set_mask(u32 mask)
{
	if ((mask & CONSOLE_SCREEN) && !(console_mask & CONSOLE_SCREEN) && !no_screen()) {
		if (use_fb())
			fbcon_init(&boot_info->screen);
		else
			vga_clear();
	}
	console_mask = mask;
}

void console_write(const char *s, size_t n)
{
	bool screen = (console_mask & CONSOLE_SCREEN) && !no_screen(), fb = use_fb();

	if (console_hook && (console_mask & CONSOLE_SERIAL)) {
		console_hook(s, n);
		if (!screen)
			return;
	}

	for (size_t i = 0; i < n; i++) {
		if ((console_mask & CONSOLE_SERIAL) && !console_hook) {
			if (s[i] == '\n')
				serial_putc('\r');
			serial_putc(s[i]);
		}
		if (screen && fb)
			fbcon_putc(s[i]);
		else if (screen)
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

/* ---- input ----------------------------------------------------------------- */

static char in_line[80];
static volatile u32 in_len, in_done;

/* One byte of console input (from the UART, or a backend's ring). */
void console_input(char c)
{
	if (in_done)
		return;
	if (c == '\r' || c == '\n') {
		in_done = in_len > 0;
		return;
	}
	if (in_len < sizeof(in_line) - 1)
		in_line[in_len++] = c;
}

/* Poll the UART (LSR bit 0: data ready) when no backend feeds us. */
static void uart_poll(void)
{
	while (!console_hook && (inb(COM1 + UART_LSR) & UART_LSR_DR))
		console_input((char)inb(COM1));
}

/* `readline`: wait up to ms for one line of console input and log it. */
void console_read_line(u32 ms)
{
	u64 deadline = rdtsc() + (u64)ms * tsc_khz;

	kprintf("console: waiting %u ms for a line of input\n", ms);
	while (!in_done && rdtsc() < deadline) {
		uart_poll();
		irq_disable();
		idle_wait();            /* the timer, or the backend's input interrupt */
	}
	in_line[in_len] = '\0';
	if (in_done)
		kprintf("console: input line \"%s\"\n", in_line);
	else
		kprintf("console: no input line within %u ms\n", ms);
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
