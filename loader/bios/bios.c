/* BIOS platform for the loader core: console (VGA text + COM1), int 13h extended reads, E820, keyboard, timer, then loader_main() (docs/design.md §1). */
#include "bios.h"
#include "layout.h"
#include "../common/loader.h"
#include "pvboot/string.h"
#include "pvboot/fmt.h"
#include "pvboot/uart.h"
#include "pvboot/cpuid.h"

#define VGA_TEXT 0xb8000
#define VGA_COLS 80
#define VGA_ROWS 25

static struct pvboot_info info;
static u32 vga_row, vga_col;
static bool serial_ok, cursor_moved;

/* ---- console --------------------------------------------------------- */

static void serial_init(void)
{
	uart_init(COM1);
	serial_ok = inb(COM1 + UART_LSR) != 0xff;       /* no UART: the bus floats */
}

static void serial_putc(char c)
{
	if (!serial_ok)
		return;
	for (int i = 0; i < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); i++)
		;
	outb(COM1, (u8)c);
}

static void vga_putc(char c)
{
	volatile u16 *vga = phys_ptr(VGA_TEXT);

	if (c == '\n') {
		vga_col = 0, vga_row++;
	} else if (c == '\r') {
		vga_col = 0;
	} else if (c == '\b') {
		vga_col -= vga_col > 0;
	} else {
		vga[vga_row * VGA_COLS + vga_col] = 0x0700 | (u8)c;
		if (++vga_col == VGA_COLS)
			vga_col = 0, vga_row++;
	}
	if (vga_row == VGA_ROWS) {
		for (u32 i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
			vga[i] = vga[i + VGA_COLS];
		for (u32 i = 0; i < VGA_COLS; i++)
			vga[(VGA_ROWS - 1) * VGA_COLS + i] = 0x0720;
		vga_row--;
	}
}

/*
 * The hardware cursor follows ours (int 10h AH=02h) whenever someone may
 * be looking: before reading a key, not after every line (each call is
 * two mode switches).
 */
static void vga_cursor(void)
{
	struct bios_regs r = { .eax = 0x0200, .edx = vga_row << 8 | vga_col };

	if (!cursor_moved)
		return;
	bios_call(0x10, &r);
	cursor_moved = false;
}

static void bios_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
		vga_putc(*s);
	}
	cursor_moved = true;
}

static void vga_init(void)
{
	const volatile u8 *bda = phys_ptr(0x450);   /* page 0 cursor */

	vga_col = bda[0] < VGA_COLS ? bda[0] : 0;
	vga_row = bda[1] < VGA_ROWS ? bda[1] : VGA_ROWS - 1;
	info.screen.kind = PVSCREEN_VGA_TEXT;
	info.screen.fb_base = VGA_TEXT;
	info.screen.width = VGA_COLS;
	info.screen.height = VGA_ROWS;
	info.screen.pitch = VGA_COLS * 2;
	info.screen.bpp = 16;
	info.screen.fb_size = VGA_COLS * VGA_ROWS * 2;
}

/* ---- keys and time --------------------------------------------------- */

static void bios_sleep_ms(u32 ms)
{
	struct bios_regs r = { .eax = 0x8600, .ecx = (ms * 1000) >> 16, .edx = (ms * 1000) & 0xffff };

	bios_call(0x15, &r);
	if (r.eflags & EFLAGS_CF)               /* no int 15h wait: ~1 us per port write */
		for (u32 i = 0; i < ms * 1000; i++)
			io_wait();
}

static int serial_byte(u32 wait_ms)
{
	for (u32 t = 0;; t++) {
		if (serial_ok && (inb(COM1 + UART_LSR) & UART_LSR_DR))
			return inb(COM1);
		if (t >= wait_ms)
			return -1;
		bios_sleep_ms(1);
	}
}

/* VT100 keys from the serial line: ESC [ A-D/H/F, ESC [ 3 ~. */
static int serial_key(void)
{
	int c = serial_byte(0);

	if (c == 0x7f || c == 8)
		return KEY_BACKSPACE;
	if (c == '\n')
		return KEY_ENTER;
	if (c != 27)
		return c < 0 ? KEY_NONE : c;
	if (serial_byte(30) != '[')
		return KEY_ESC;
	switch (serial_byte(30)) {
	case 'C': return KEY_RIGHT;
	case 'D': return KEY_LEFT;
	case 'H': return KEY_HOME;
	case 'F': return KEY_END;
	case '3': serial_byte(30); return KEY_DELETE;
	}
	return KEY_NONE;
}

/* int 16h AH=01h (peek) then AH=00h (take); extended keys by scan code. */
static int bios_getkey(void)
{
#ifdef STAGE2_TEST_EXCEPTION    /* test image stage2-ud.img: the first key poll faults */
	__asm__ volatile("ud2");
#endif
	struct bios_regs r = { .eax = 0x0100 };
	u8 ascii, scan;

	vga_cursor();
	bios_call(0x16, &r);
	if (r.eflags & EFLAGS_ZF)
		return serial_key();
	r = (struct bios_regs){ .eax = 0 };
	bios_call(0x16, &r);
	ascii = r.eax & 0xff, scan = (r.eax >> 8) & 0xff;
	if (ascii && ascii != 0xe0)
		return ascii;
	switch (scan) {
	case 0x4b: return KEY_LEFT;
	case 0x4d: return KEY_RIGHT;
	case 0x47: return KEY_HOME;
	case 0x4f: return KEY_END;
	case 0x53: return KEY_DELETE;
	}
	return KEY_NONE;
}

/* CPUID.1:EDX bit 4; a CPU without it gets 0 for every timestamp. */
static bool has_tsc(void)
{
	static int known = -1;
	u32 r[4];

	if (known < 0) {
		known = 0;
		if (x86_has_cpuid()) {
			x86_cpuid(1, r);
			known = (r[3] >> 4) & 1;
		}
	}
	return known;
}

static u64 bios_rdtsc(void)
{
	u32 lo, hi;

	if (!has_tsc())
		return 0;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

/* ---- disk -------------------------------------------------------------- */

struct dap {
	u8 size, zero;
	u16 count, off, seg;
	u64 lba;
} PACKED;

/* Up to BOUNCE_SECTORS through the bounce buffer; one retry after a reset. */
static int read_chunk(u64 lba, u32 n)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		volatile struct dap *d = phys_ptr(DAP_ADDR);
		struct bios_regs r = { .eax = 0x4200, .edx = boot_drive, .esi = DAP_ADDR };

		*d = (struct dap){ 0x10, 0, (u16)n, 0, BOUNCE_SEG, lba };
		bios_call(0x13, &r);
		if (!(r.eflags & EFLAGS_CF))
			return 0;
		r = (struct bios_regs){ .eax = 0, .edx = boot_drive };
		bios_call(0x13, &r);
	}
	return -1;
}

static int bios_disk_read(void *ctx, u64 lba, u32 count, void *buf)
{
	u8 *out = buf;

	while (count) {
		u32 n = count < BOUNCE_SECTORS ? count : BOUNCE_SECTORS;

		if (read_chunk(lba, n))
			return -1;
		memcpy(out, phys_ptr(BOUNCE_ADDR), n * 512);
		out += n * 512, lba += n, count -= n;
	}
	return 0;
}

/* ---- firmware tables ---------------------------------------------------- */

static void add_region(u64 base, u64 len, u32 type)
{
	u32 i = info.mmap_count;

	if (!len || i == PVBOOT_MMAP_MAX)
		return;
	while (i > 0 && info.mmap[i - 1].base > base) {         /* keep sorted */
		info.mmap[i] = info.mmap[i - 1];
		i--;
	}
	info.mmap[i] = (struct pvboot_mmap_entry){ base, len, type, 0 };
	info.mmap_count++;
}

/* int 15h E820h; E801h and 88h only if it says nothing. */
static void read_memory_map(void)
{
	volatile u8 *buf = phys_ptr(E820_BUF);
	struct bios_regs r;
	u32 cont = 0;

	do {
		memset((void *)buf, 0, 24);
		buf[20] = 1;                    /* ACPI 3.0 "enabled" attribute */
		r = (struct bios_regs){ .eax = 0xe820, .ebx = cont, .ecx = 24,
					.edx = 0x534d4150, .edi = E820_BUF };
		bios_call(0x15, &r);
		if ((r.eflags & EFLAGS_CF) || r.eax != 0x534d4150)
			break;
		const volatile u64 *e = (const volatile u64 *)buf;
		u32 type = *(const volatile u32 *)(buf + 16);
		if (r.ecx < 24 || (buf[20] & 1))        /* bit 0 clear: ignore (ACPI 3.0) */
			add_region(e[0], e[1], type);
		cont = r.ebx;
	} while (cont);
	if (info.mmap_count)
		return;
	r = (struct bios_regs){ .eax = 0xe801 };
	bios_call(0x15, &r);
	add_region(0, 0x9f000, E820_RAM);
	if (!(r.eflags & EFLAGS_CF)) {
		add_region(0x100000, (u64)(r.eax & 0xffff) * 1024, E820_RAM);
		add_region(0x1000000, (u64)(r.ebx & 0xffff) * 65536, E820_RAM);
	}
}

/* The first FAT or ESP partition of the MBR's table. */
static bool find_partition(struct loader_platform *p)
{
	static const u8 types[] = { 0x0e, 0x0c, 0x0b, 0x06, 0x04, 0xef };
	const u8 *mbr = phys_ptr(BOUNCE_ADDR);

	if (read_chunk(0, 1))
		return false;
	for (int i = 0; i < 4; i++) {
		const u8 *e = mbr + 446 + i * 16;
		u32 lba = *(const u32 *)(e + 8), n = *(const u32 *)(e + 12);

		for (u32 t = 0; t < sizeof(types); t++)
			if (e[4] == types[t] && lba && n) {
				p->part_lba = lba;
				p->part_sectors = n;
				return true;
			}
	}
	return false;
}

/* ---- the rest of the platform ----------------------------------------- */

static void bios_cpuid(void *ctx, u32 leaf, u32 out[4])
{
	if (!x86_has_cpuid()) {         /* detection then sees a plain CPU */
		out[0] = out[1] = out[2] = out[3] = 0;
		return;
	}
	x86_cpuid(leaf, out);
}

/* Protected mode, no paging: physical memory is the address space. */
static bool bios_phys_read(void *ctx, u64 phys, void *buf, u32 len)
{
	if (phys + len > 0x100000000ull || phys + len < phys)
		return false;
	memcpy(buf, phys_ptr((uintptr_t)phys), len);
	return true;
}

static void bios_qemu_exit(u32 code)
{
	outl(QEMU_EXIT_PORT, code);     /* QEMU exits (code << 1) | 1 */
}

__attribute__((noreturn)) static void bios_reboot(void)
{
	struct bios_regs r = { 0 };

	vga_cursor();
	outb(0x64, 0xfe);               /* 8042 pulse reset */
	bios_call(0x19, &r);            /* else the BIOS bootstrap */
	for (;;)
		__asm__ volatile("hlt");
}

__attribute__((noreturn)) static void bios_enter(u32 entry, struct pvboot_info *bi)
{
	vga_cursor();
	enter_kernel(entry, (u32)(uintptr_t)bi);
}

static void halt_with(const char *msg)
{
	bios_puts(msg);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* ---- CPU exceptions ------------------------------------------------------ */

extern const u32 exc_stubs[32];         /* biosentry.S */
static u64 idt[32] __attribute__((aligned(8)));
struct { u16 limit; u32 base; } __attribute__((packed)) pm_idt_desc;
static bool platform_ready;

/* 32-bit interrupt gates to biosentry.S's stubs; bios_call's return reloads it. */
static void stage2_idt_init(void)
{
	for (u32 v = 0; v < 32; v++) {
		u32 h = exc_stubs[v];
		idt[v] = (h & 0xffff) | (0x08u << 16) | (u64)((h & 0xffff0000u) | 0x8e00u) << 32;
	}
	pm_idt_desc.limit = sizeof(idt) - 1;
	pm_idt_desc.base = (u32)idt;
	__asm__ volatile("lidt pm_idt_desc");
}

/*
 * A CPU exception in stage 2 (a bug, or a BIOS call that left the machine
 * in a state we did not expect): one line, then what any fatal error does
 * (a failure exit under test/exit, else a key or 30 s and a reboot).  A
 * second one while reporting the first just stops.
 */
void stage2_exception(const u32 *f);
void stage2_exception(const u32 *f)
{
	static const char *const names[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD",
		"#NM", "#DF", "", "#TS", "#NP", "#SS", "#GP", "#PF", "", "#MF", "#AC", "#MC", "#XM" };
	static int depth;
	char line[128];

	pv_snprintf(line, sizeof(line), "loader: CPU exception %u (%s) at %#x in stage 2, error code %#x",
		    f[0], f[0] < ARRAY_SIZE(names) ? names[f[0]] : "", f[2], f[1]);
	if (depth++ || !platform_ready) {
		bios_puts(line);
		halt_with("; stopped\n");
	}
	loader_fatal("%s; stage 2 cannot go on", line);
}

void stage2_main(void)
{
	static struct fat_vol vol;
	static char log[4096];          /* linfo() lines kept until loader=verbose is known */
	static struct loader_platform p = {
		.name = "pvboot-bios", .puts = bios_puts, .getkey = bios_getkey,
		.sleep_ms = bios_sleep_ms, .rdtsc = bios_rdtsc, .disk_read = bios_disk_read, .vol = &vol,
		.cpuid = bios_cpuid,
		.phys_read = bios_phys_read, .avoid_lo = 0, .avoid_hi = LOADER_END,
		.qemu_exit = bios_qemu_exit, .reboot = bios_reboot, .enter = bios_enter,
		.log = log, .log_size = sizeof(log),
	};
	const char *a20;

	p.fwcfg = fwcfg_ports;
	info.tsc_loader_entry = tsc_entry;
	info.firmware = PVFW_BIOS;
	stage2_idt_init();
	serial_init();
	vga_init();
	if (!a20_enable(&a20))
		halt_with("loader: cannot enable the A20 line (int 15h, 8042, port 92h all failed); this PC cannot boot pvboot\n");
	read_memory_map();
	if (!find_partition(&p))
		halt_with("loader: boot disk: no FAT partition in the MBR, or LBA 0 unreadable; rewrite the image\n");
	platform_ready = true;
	loader_main(&p, &info);
}
