/*
 * The kernel's boot script.  kentry() turns whatever the loader handed over
 * into a struct pvboot_info (docs/design.md §4); kmain() then brings the machine up
 * one step per line, in the order docs/design.md §6–7 requires: the backend's table
 * is chosen and every call site patched before any AP starts.
 */
#include "kernel.h"
#include "cpu.h"
#include "mm.h"
#include "apic.h"
#include "smp.h"
#include "time.h"
#include "trap.h"
#include "kdetect.h"
#include "report.h"
#include "kparavirt.h"
#include "task.h"
#include "bench.h"
#include "pvboot/multiboot.h"
#include "pvboot/multiboot2.h"
#include "paravirt_native.h"

#define PVBOOT_KERNEL_VERSION "0.1"

struct pvboot_info *boot_info;
struct kopts kopts;
static struct pvboot_info info_copy;    /* ours: loader memory gets reused */
static u8 mb2_block[MB2_INFO_MAX] __attribute__((aligned(8))); /* read once at entry */
static u64 tsc_kernel_entry;
static const struct pv_host *host;      /* host=: the role this kernel plays, or NULL */

/* Before paging everything below 4 GiB is readable as it is. */
static bool early_read(void *ctx, u64 pa, void *buf, u32 len)
{
	if (pa + len > 0x100000000ull || pa + len < pa)
		return false;
	memcpy(buf, (const void *)(u32)pa, len);
	return true;
}

static void boot_info_from_entry(u32 magic, u32 info)
{
	boot_info = &info_copy;
	if (magic == PVBOOT_ENTRY_MAGIC) {
		const struct pvboot_info *in = (const struct pvboot_info *)info;
		u32 size = in->size < sizeof(info_copy) ? in->size : sizeof(info_copy);
		if (in->magic != PVBOOT_INFO_MAGIC || in->version < 1 ||
		    size < __builtin_offsetof(struct pvboot_info, tsc_loader_entry))
			panic("boot: pvboot magic in EAX but the info at %#x is not a pvboot_info (magic %#x, size %u)",
			      info, in->magic, in->size);
		memcpy(&info_copy, in, size);  /* fields it lacks stay zero */
		info_copy.cmdline[PVBOOT_CMDLINE_MAX - 1] = '\0';
		return;
	}
	if (magic == MB2_BOOTLOADER_MAGIC) {
		if (mb2_to_pvboot(info, early_read, NULL, mb2_block, sizeof(mb2_block),
				  boot_info, console_warn_cb, NULL))
			panic("boot: the Multiboot 2 information at %#x is unusable", info);
		return;
	}
	if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
		panic("boot: entered with EAX=%#x: neither pvboot (%#x) nor Multiboot (%#x) nor Multiboot 2 (%#x)",
		      magic, PVBOOT_ENTRY_MAGIC, MULTIBOOT_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
	if (mb_to_pvboot(info, early_read, NULL, boot_info, console_warn_cb, NULL))
		panic("boot: the Multiboot info at %#x is unreadable", info);
}

static void parse_cmdline(void)
{
	kopts_defaults(&kopts);
	kopts_parse(&kopts, boot_info->cmdline,
		    strnlen(boot_info->cmdline, sizeof(boot_info->cmdline)),
		    console_warn_cb, NULL);
	console_set_mask(kopts.console);
	host = pv_host_select(kopts.host);
}

/* One line: every option with the source that set it (docs/design.md §3). */
static void print_sources(void)
{
	char line[400];
	int n = 0;

	for (u32 i = 0; i < boot_info->optsrc_count && i < PVBOOT_OPTSRC_MAX; i++)
		if (n < (int)sizeof(line))
			n += pv_snprintf(line + n, sizeof(line) - n, " %.15s<-%s",
					 boot_info->optsrc[i].key,
					 pv_source_name(boot_info->optsrc[i].source));
	if (n)
		kprintf("cmdline: sources:%s\n", line);
}

static void print_boot_header(void)
{
	kprintf("pvboot kernel %s: firmware=%s loader=\"%.24s\"\n", PVBOOT_KERNEL_VERSION,
		pvboot_firmware_name(boot_info->firmware), boot_info->loader_name);
	kprintf("cmdline: \"%s\"\n", boot_info->cmdline);
	print_sources();
	if (boot_info->tsc_loader_entry && boot_info->tsc_handoff > boot_info->tsc_loader_entry)
		kprintf("boot: loader ran %llu TSC ticks from entry to hand-off\n",
			boot_info->tsc_handoff - boot_info->tsc_loader_entry);
	kprintf("boot: secure boot: %s\n", boot_info->secureboot == PVSB_VERIFIED ?
		"verified (firmware-checked loader; kernel, config and VMI ROM match its bound hashes)" :
		"off");
}

static void boot_cpu_init(void)
{
	cpus[0].id = 0;
	cpus[0].stack_top = (u32)boot_stack_top;
	idt_init();
	idt_load();
	gdt_init_cpu(&cpus[0]);
}

/* crash=: prove the crash path (register dump, symbols, status=crash). */
static void deliberate_crash(void)
{
	switch (kopts.crash) {
	case KCRASH_PF:
		kprintf("crash: reading unmapped address 0x0 on purpose (crash=pf)\n");
		(void)*(volatile u32 *)0;
		break;
	case KCRASH_UD:
		kprintf("crash: executing ud2 on purpose (crash=ud)\n");
		asm volatile("ud2");
		break;
	case KCRASH_GP:
		kprintf("crash: loading a bad segment selector on purpose (crash=gp)\n");
		asm volatile("movl %0, %%ds" :: "r"(0xfff8));
		break;
	case KCRASH_PANIC:
		panic("crash=panic given on the command line");
	}
}

static void print_boot_time(void)
{
	kprintf("boot: %llu us from kernel entry to all CPUs up\n",
		tsc_to_us(rdtsc() - tsc_kernel_entry));
}

/* readline: one typed line (under host=, the guest reads it instead). */
static void read_typed_line(void)
{
	if (kopts.readline && !host)
		console_read_line(20000);
}

/* host=: the host's own self-tests first, then the guest, which ends the
 * boot with the host's result line. */
static void become_host(void)
{
	bool ok = true;

	if (!host)
		return;
	if (kopts.test) {
		run_selftests();
		ok = report_summary();
	}
	host->run(ok);      /* runs the guest; prints role=host; exits */
	panic("host=: the host role returned");
}

/* bench, then test: true unless a self-test failed. */
static bool run_bench_and_tests(void)
{
	if (kopts.bench)
		run_bench();
	if (!kopts.test)
		return true;
	run_selftests();
	if (pvtrace_active())
		report(pvtrace_report() == 0, "pvtrace: every op of the table was called");
	return report_summary();
}

/* Result line and exit for `test`, `exit` and `bench`; otherwise idle. */
_Noreturn static void finish(bool ok)
{
	if (kopts.test || kopts.exit_after_boot || kopts.bench) {
		result_line(ok ? "pass" : "fail");
		qemu_exit(ok ? 0 : 1);
	}
	kprintf("boot: done; idling (add `test` or `exit` to leave QEMU)\n");
	for (;;)
		safe_halt();
}

/*
 * The crash handler before any code the kernel did not build runs (a
 * backend's init calls into a VMI ROM): GDT, TSS and IDT loaded through
 * the native table.  boot_cpu_init() loads them again through the chosen
 * backend's table.  A kernel started in ring 1 (an lguest guest) cannot
 * load them itself and waits for its backend.
 */
static void early_traps(void)
{
	u16 cs;

	asm volatile("movw %%cs, %0" : "=r"(cs));
	if ((cs & 3) == 0)
		boot_cpu_init();
}

_Noreturn void kmain(void);
_Noreturn void kmain(void)
{
	parse_cmdline();                /* kopts from the final command line */
	print_boot_header();            /* who booted us, with which options */
	detect_environment();           /* CPUID hypervisor signature */
	select_backend();               /* pv= or detection -> pv_ops */
	boot_cpu_init();                /* GDT, TSS, %fs and IDT, via the table */
	apply_paravirt(kopts.nopatch || kopts.pvtrace, kopts.pvpatch_verbose); /* before any AP */
	paravirt_banner();              /* the backend introduces itself */
	arch_setup();                   /* backend's early setup */
	mem_init();                     /* memory map -> page allocator */
	paging_init();                  /* identity map, paging on */
	smp_config_init();              /* ACPI MADT, else MP table */
	init_IRQ();                     /* PICs masked, local APIC, IO-APIC */
	time_init();                    /* TSC and APIC timer vs the PIT */
	smp_init_ipis();                /* cross-CPU call vector */
	setup_boot_clock();             /* this CPU's periodic timer */
	irq_enable();                   /* ticks from here on */
	smp_boot();                     /* INIT-SIPI-SIPI the others */
	task_init();                    /* ring-3 template for the tests */
	print_boot_time();              /* kernel entry to all CPUs up */
	read_typed_line();              /* readline */
	deliberate_crash();             /* crash= */
	become_host();                  /* host=: runs the guest, does not return */
	finish(run_bench_and_tests());  /* bench, test; result line and exit, or idle */
}

_Noreturn void kentry(u32 magic, u32 info);
_Noreturn void kentry(u32 magic, u32 info)
{
	pv_ops = native_table;          /* wrappers work from the first line */
	tsc_kernel_entry = rdtsc();
	console_init(CONSOLE_SERIAL);   /* the screen's kind is in the boot info */
	boot_info_from_entry(magic, info);
	early_traps();                  /* crash dumps from here on */
	console_set_mask(CONSOLE_BOTH); /* both until console= says otherwise */
	kmain();
}
