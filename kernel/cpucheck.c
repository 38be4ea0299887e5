/* The kernel's first C: does this CPU have what the rest of the kernel was built to use?  Compiled for a plain i386 so it runs anywhere; refuses with one line or records the optional features. */
#include "kernel.h"
#include "cpufeature.h"
#include "pvboot/multiboot.h"
#include "pvboot/uart.h"
#include "pvboot/cpuid.h"

/*
 * Everything here must run on a 386: this file is built -march=i386 (see
 * the Makefile) and calls nothing outside itself, because the rest of the
 * kernel, lib/ included, may use instructions an older CPU lacks.
 */

u32 cpu_features_edx;           /* CPUID.1:EDX once the check passed */

/* What the kernel cannot run without (CPUID.1:EDX bits, Intel SDM vol. 2A
 * "CPUID", table "Feature Information Returned in the EDX Register"). */
static const struct { u8 bit; const char *name; } required[] = {
	{ 4, "TSC" },           /* rdtsc at entry, the clocks, the benchmark */
	{ 5, "MSR" },           /* the APIC base MSR, sysenter MSRs */
	{ 9, "APIC" },          /* the timer, IPIs, SMP: no PIT-only mode */
#ifdef KERNEL_NEEDS_CMOV
	{ 15, "CMOV" },         /* the compiler's -march=i686 */
#endif
};

#ifdef KERNEL_NEEDS_CMOV
#define OLDEST "a Pentium Pro or newer"
#else
#define OLDEST "a Pentium with a local APIC, or newer"
#endif

/* EAX and EDX of one CPUID leaf. */
static void early_cpuid(u32 leaf, u32 *a, u32 *d)
{
	u32 r[4];

	x86_cpuid(leaf, r);
	*a = r[0];
	*d = r[3];
}

static char line[160];
static u32 len;

static void add(const char *s)
{
	while (*s && len < sizeof(line) - 1)
		line[len++] = *s++;
	line[len] = '\0';
}

static void add_u(u32 v)
{
	char d[12];
	int n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < 11);
	while (n)
		line[len < sizeof(line) - 1 ? len++ : len] = d[--n];
	line[len] = '\0';
}

/* COM1 as the console sets it up (115200 8N1), bounded waits; and the
 * VGA text screen's top line, which is harmless where there is none. */
static void put_line(void)
{
	volatile u16 *vga = (volatile u16 *)0xb8000;

	uart_set_line(COM1);
	for (u32 i = 0; i < len; i++) {
		for (u32 t = 0; t < 100000 && !(inb(COM1 + UART_LSR) & UART_LSR_THRE); t++)
			;
		outb(COM1, (u8)line[i]);
		if (i < 80 && line[i] != '\n')
			vga[i] = (u16)(0x4f00 | (u8)line[i]);   /* white on red */
	}
	len = 0;
}

/* The command line the loader handed over, or NULL. */
static const char *entry_cmdline(u32 magic, u32 info)
{
	if (magic == PVBOOT_ENTRY_MAGIC && ((const struct pvboot_info *)info)->magic == PVBOOT_INFO_MAGIC)
		return ((const struct pvboot_info *)info)->cmdline;
	if (magic == MULTIBOOT_BOOTLOADER_MAGIC && (((const struct mb_info *)info)->flags & MBI_CMDLINE))
		return (const char *)((const struct mb_info *)info)->cmdline;
	return NULL;
}

/* Does the line hold the word w (alone, or as w=...)? */
static bool has_word(const char *s, const char *w)
{
	while (s && *s) {
		while (*s == ' ')
			s++;
		const char *p = s, *q = w;
		while (*q && *p == *q)
			p++, q++;
		if (!*q && (!*p || *p == ' ' || *p == '='))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

static const char *firmware_of(u32 magic, u32 info)
{
	static const char *const names[] = { "unknown", "bios", "uefi64", "uefi32", "multiboot", "lguest" };

	if (magic == MULTIBOOT_BOOTLOADER_MAGIC)
		return "multiboot";
	if (magic == PVBOOT_ENTRY_MAGIC && ((const struct pvboot_info *)info)->firmware < 6)
		return names[((const struct pvboot_info *)info)->firmware];
	return "unknown";
}

/* One line naming what is missing; a result line and a failure exit under
 * test/exit/bench, else a halt: nothing after this could run. */
_Noreturn static void refuse(u32 magic, u32 info, const char *what, int bit, const char *why)
{
	const char *cmd = entry_cmdline(magic, info);

	add("pvboot: this CPU lacks ");
	add(what);
	if (bit >= 0) {
		add(" (CPUID.1:EDX bit ");
		add_u((u32)bit);
		add(")");
	} else {
		add(why);
	}
	add("; pvboot needs " OLDEST "\n");
	put_line();
	if (has_word(cmd, "test") || has_word(cmd, "exit") || has_word(cmd, "bench")) {
		add("PVBOOT RESULT firmware=");
		add(firmware_of(magic, info));
		add(" stage=cpu missing=");
		add(what);
		add(" status=fail\n");
		put_line();
		outl(QEMU_EXIT_PORT, 1);        /* QEMU exits 3, a failure */
	}
	for (;;)
		asm volatile("cli; hlt");
}

void early_cpu_check(u32 magic, u32 info)
{
	u32 max, sig, edx;           /* sig: CPUID.1:EAX, family/model/stepping */

	if (!x86_has_cpuid())
		refuse(magic, info, "CPUID", -1, " (EFLAGS.ID does not toggle)");
	early_cpuid(0, &max, &edx);
	if (max < 1)
		refuse(magic, info, "CPUID leaf 1", -1, " (CPUID.0:EAX is 0)");
	early_cpuid(1, &sig, &edx);
	for (u32 i = 0; i < ARRAY_SIZE(required); i++)
		if (!(edx & (1u << required[i].bit)))
			refuse(magic, info, required[i].name, required[i].bit, NULL);
	/* The Pentium Pro sets SEP without having sysenter: "family 6,
	 * model < 3, stepping < 3" (SDM vol. 2A, CPUID, the SEP note). */
	if (((sig >> 8) & 0xf) == 6 && ((sig >> 4) & 0xf) < 3 && (sig & 0xf) < 3)
		edx &= ~(1u << 11);
	cpu_features_edx = edx;
}
