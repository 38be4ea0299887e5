/*
 * The lguest host (host=lguest, docs/lguest.md): after the kernel's
 * own bring-up, load the guest image (boot module 0) into guest memory,
 * build its pvboot_info with the lguest boot signature, and run it in
 * ring 1 through the switcher until it shuts down or has to be stopped;
 * then print the host's result line with the guest's status.
 */
#include "host.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "report.h"
#include "paravirt.h"
#include "detect.h"
#include "pvboot/multiboot.h"
#include "pvboot/elf32.h"

struct lg_guest lg;

extern u8 lg_switcher_start[], lg_switcher_end[];
extern const u32 lg_enter_offset;

bool lg_gpa_ok(u32 gpa, u32 len)
{
	return lgc_gpa_ok(lg.size, gpa, len);
}

void *lg_hva(u32 gpa)
{
	return (void *)(lg.base + gpa);
}

void lg_kill(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pv_vsnprintf(lg.reason, sizeof(lg.reason), fmt, ap);
	va_end(ap);
	kprintf("host: guest stopped at eip %#x: %s\n", lg.cur->regs->eip, lg.reason);
	lg.status = LG_CRASH;
	lg.done = true;
}

/* Copy through the guest's page tables (page by page, checked). */
static bool copy_va(u32 va, void *buf, u32 len, bool write)
{
	for (u32 done = 0; done < len;) {
		u32 gpa, n = PAGE_SIZE - ((va + done) & 0xfff);
		if (n > len - done)
			n = len - done;
		if (!lg_va_to_gpa(va + done, &gpa, write) || !lg_gpa_ok(gpa, n))
			return false;
		if (write)
			memcpy(lg_hva(gpa), (u8 *)buf + done, n);
		else
			memcpy((u8 *)buf + done, lg_hva(gpa), n);
		done += n;
	}
	return true;
}

bool lg_read_va(u32 va, void *buf, u32 len) { return copy_va(va, buf, len, false); }
bool lg_write_va(u32 va, const void *buf, u32 len) { return copy_va(va, (void *)buf, len, true); }

/* ---- loading the guest ------------------------------------------------- */

/* Every PT_LOAD into guest memory at its physical address; entry or 0. */
static u32 load_elf(const u8 *img, u32 len)
{
	const struct elf32_ehdr *eh = (const void *)img;

	if (len < sizeof(*eh) || memcmp(eh->ident, "\177ELF\1\1", 6) || eh->machine != ELF_EM_386 ||
	    eh->phentsize != sizeof(struct elf32_phdr) || eh->phoff > len ||
	    eh->phnum > (len - eh->phoff) / sizeof(struct elf32_phdr))
		return 0;
	for (u32 i = 0; i < eh->phnum; i++) {
		const struct elf32_phdr *ph = (const void *)(img + eh->phoff) + i * sizeof(*ph);
		if (ph->type != ELF_PT_LOAD)
			continue;
		if (ph->filesz > ph->memsz || ph->offset > len || ph->filesz > len - ph->offset ||
		    !lg_gpa_ok(ph->paddr, ph->memsz) || ph->paddr < 0x100000)
			return 0;
		memcpy(lg_hva(ph->paddr), img + ph->offset, ph->filesz);
		memset(lg_hva(ph->paddr + ph->filesz), 0, ph->memsz - ph->filesz);
	}
	return eh->entry;
}

/* The host's command line for the guest: without host-only options, with
 * guest.X=Y handed down as X=Y. */
static void guest_cmdline(char *out, u32 size)
{
	const char *p = boot_info->cmdline, *end = p + strnlen(p, PVBOOT_CMDLINE_MAX);
	struct cmd_token t;
	const char *err;
	u32 n = 0;

	while (cmd_next(&p, end, &t, &err) > 0) {
		if ((t.key_len == 4 && !memcmp(t.key, "host", 4)) ||
		    (t.key_len == 8 && !memcmp(t.key, "guestmem", 8)))
			continue;
		const char *k = t.key;
		u32 kl = t.key_len;
		if (kl > 6 && !memcmp(k, "guest.", 6))
			k += 6, kl -= 6;
		n += pv_snprintf(out + n, size - n, "%s%.*s%s%.*s", n ? " " : "", (int)kl, k,
				 t.val ? "=" : "", t.val ? (int)t.val_len : 0, t.val ? t.val : "");
		if (n >= size)
			break;
	}
}

#define LG_INFO_GPA 0x9000

static void build_boot_info(void)
{
	struct pvboot_info *gi = lg_hva(LG_INFO_GPA);

	memset(gi, 0, sizeof(*gi));
	gi->magic = PVBOOT_INFO_MAGIC;
	gi->version = PVBOOT_INFO_VERSION;
	gi->size = sizeof(*gi);
	gi->firmware = PVFW_LGUEST;
	pv_snprintf(gi->loader_name, sizeof(gi->loader_name), "pvboot lguest host");
	guest_cmdline(gi->cmdline, sizeof(gi->cmdline));
	gi->optsrc_count = 0;
	gi->mmap_count = 2;
	gi->mmap[0] = (struct pvboot_mmap_entry){ 0, 0x9f000, E820_RAM, 0 };
	gi->mmap[1] = (struct pvboot_mmap_entry){ 0x100000, lg.size - 0x100000, E820_RAM, 0 };
	gi->screen.kind = PVSCREEN_NONE;
	gi->env = PVENV_LGUEST;
	gi->hardware_subarch = PVBOOT_SUBARCH_LGUEST;
	gi->tsc_loader_entry = gi->tsc_handoff = rdtsc();
	pvboot_set_optsrc_all(gi, PVSRC_HOST);
}

static bool setup_guest(void)
{
	u32 mb = kopts.guestmem_mb ? kopts.guestmem_mb : 64;

	if (!boot_info->mod_count) {
		kprintf("host: no guest image: pass pvkernel.elf as boot module 0 (Multiboot: -initrd build/pvkernel.elf)\n");
		return false;
	}
	lg.size = mb << 20;
	lg.base = pages_alloc(lg.size / PAGE_SIZE);
	if (!lg.base) {
		kprintf("host: cannot reserve %u MiB of guest memory; try a smaller guestmem=\n", mb);
		return false;
	}
	u32 entry = load_elf((const u8 *)boot_info->mods[0].start,
			     boot_info->mods[0].end - boot_info->mods[0].start);
	if (!entry) {
		kprintf("host: boot module 0 is not a loadable i386 ELF kernel\n");
		return false;
	}
	build_boot_info();
	lg_setup_cpu_tables();
	if (!lg_shadow_init())
		return false;
	lg.cur->regs->eip = entry;
	lg.cur->regs->eax = PVBOOT_ENTRY_MAGIC;
	lg.cur->regs->ebx = LG_INFO_GPA;
	kprintf("host: guest of %u MiB at host %#x, entry %#x, running in ring %u\n",
		mb, lg.base, entry, LG_GUEST_RPL);
	return true;
}

/* ---- running ----------------------------------------------------------- */

static void run_loop(void)
{
	void (*enter)(void) = (void *)(LG_SWITCHER_ADDR + lg_enter_offset);

	while (!lg.done) {
		lg_inject_pending();
		irq_disable();
		if (!lg_prepare_entry())
			break;
		enter();
		lg.exits++;
		lg_handle_exit(lg.cur->regs->vector);
	}
	irq_enable();
}

static bool strstr_bounded(const char *s, const char *w, u32 max)
{
	u32 n = strlen(w);

	for (u32 i = 0; i + n <= max && s[i]; i++)
		if (!memcmp(s + i, w, n))
			return true;
	return false;
}

/* tested: the host ran its own self-tests (host_ok: they passed). */
static _Noreturn void host_result(bool tested, bool host_ok)
{
	char tests[48] = "";

	const char *g = lg.status == 0 ? "pass" : lg.status == LG_CRASH ? "crash" :
			lg.status == LG_NONE ? "none" : "fail";
	/* A guest told to crash (crash=) passes the host's check by crashing. */
	const char *cl = ((struct pvboot_info *)lg_hva(LG_INFO_GPA))->cmdline;
	bool want_crash = lg.base && !!strstr_bounded(cl, "crash=", PVBOOT_CMDLINE_MAX);
	bool ok = (want_crash ? lg.status == LG_CRASH : lg.status == 0) && host_ok;

	if (tested)
		pv_snprintf(tests, sizeof(tests), " tests=%u/%u skipped=%u",
			    report_passed(), report_total(), report_skipped());

	kprintf("host: guest ended (%s): %u exits, %u hypercalls, %u traps reflected, %u instructions emulated\n",
		g, lg.exits, lg.hcalls, lg.reflected, lg.emulated);
	kprintf("PVBOOT RESULT firmware=%s backend=%s forced=%u env=%s cpus=%u/%u patched=%u%s role=host guest=%s status=%s\n",
		pvboot_firmware_name(boot_info->firmware), pv_backend_name(boot_info->backend_id),
		boot_info->backend_forced, env_string(), ncpus_online, ncpus_present,
		patched_sites(), tests, g, ok ? "pass" : "fail");
	qemu_exit(ok ? 0 : 1);
}

_Noreturn void lg_host_run(bool tested, bool host_ok)
{
	if (setup_guest())
		run_loop();
	else
		lg.status = LG_NONE;
	host_result(tested, host_ok);
}
