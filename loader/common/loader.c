/* The shared loader core (docs/design.md §3-§5): command line, prompt, kernel checks, detection, boot info, hand-off per docs/design.md §4. */
#include <stdarg.h>
#include "loader.h"
#include "elf.h"
#include "modplace.h"
#include "options.h"
#include "pvboot/acpi.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

static const struct loader_platform *plat;
static struct pvboot_info *info;
static struct fat_vol *vol;
static bool verbose;            /* loader=verbose: detail lines go out at once */
static u32 loglen;
static char summary[160];       /* the one line printed without loader=verbose */
static struct optset opts;      /* the line: every source merged once, in its place */
static struct kopts kopts;      /* the final line, parsed once (settle_options) */
static bool test_mode;          /* `test` or `exit`: errors must end QEMU */
static char cfgbuf[CONFIG_MAX + 1];
static bool have_config;        /* cfgbuf holds the config file's options */
static char fwbuf[PVBOOT_CMDLINE_MAX];
static char editbuf[PVBOOT_CMDLINE_MAX];

#define FATAL_WAIT_S 30         /* a fatal error's line stays this long */
#define CONFIG_WAIT_S 10        /* the bad-config question, at most */

void loader_set_platform(const struct loader_platform *p)
{
	plat = p;
}

/*
 * Format one line into buf.  pv_vsnprintf returns the length the whole
 * line would have had; a line that did not fit is cut and ends in
 * "...\n" so the cut shows and the next line starts on its own.
 * Returns the length of what buf holds.
 */
static size_t format_line(char *buf, size_t size, const char *fmt, va_list ap)
{
	static const char cut[] = "...\n";
	int n = pv_vsnprintf(buf, size, fmt, ap);

	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	if ((size_t)n < size)
		return (size_t)n;
	memcpy(buf + size - sizeof(cut), cut, sizeof(cut));
	return size - 1;
}

void lprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	format_line(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	plat->puts(buf);
}

void linfo(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = format_line(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (verbose)
		plat->puts(buf);
	else if (plat->log && n && loglen + n < plat->log_size)
		memcpy(plat->log + loglen, buf, n + 1), loglen += (u32)n;
}

/* The detail lines kept so far, as one console write. */
static void flush_log(void)
{
	if (plat->log && loglen)
		plat->puts(plat->log);
	loglen = 0;
}

static void warn_line(void *ctx, const char *line)
{
	lprintf("%s\n", line);
}

static void info_line(void *ctx, const char *line)
{
	linfo("%s\n", line);
}

/* A key, or KEY_NONE once `seconds` have passed: no question waits for ever. */
static int wait_key(u32 seconds)
{
	int k;

	for (u32 t = 0; t < seconds * 100; t++) {
		if ((k = plat->getkey()) != KEY_NONE)
			return k;
		plat->sleep_ms(10);
	}
	return KEY_NONE;
}

/* Under `test`/`exit` nobody is there to press a key: end QEMU failed. */
static void exit_if_testing(void)
{
	if (!test_mode)
		return;
	lprintf("PVBOOT RESULT firmware=%s stage=loader status=fail\n",
		pvboot_firmware_name(info->firmware));
	plat->qemu_exit(1);
}

static _Noreturn void fatal_v(const char *prefix, const char *fmt, va_list ap)
{
	char buf[200];

	pv_vsnprintf(buf, sizeof(buf), fmt, ap);
	flush_log();                    /* what led up to the error */
	lprintf("%s%s\n", prefix, buf);
	exit_if_testing();
	/* Long enough to read the line; then what a key would do, which is
	 * also the safe default: BIOS reboots (the next boot device may
	 * follow), UEFI returns to the firmware's boot manager. */
	if (info->firmware == PVFW_BIOS)
		lprintf("press any key to reboot (rebooting in %u s)\n", FATAL_WAIT_S);
	else
		lprintf("press any key to return to the firmware (returning in %u s)\n", FATAL_WAIT_S);
	wait_key(FATAL_WAIT_S);
	plat->reboot();
}

/* One line naming the problem, then a key reboots (or QEMU exits). */
_Noreturn static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn static void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_v("loader: ", fmt, ap);
}

_Noreturn void loader_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fatal_v("", fmt, ap);
}

static const char *fat_why(int err)
{
	return err == FAT_ECORRUPT && vol && vol->err ? vol->err : fat_strerror(err);
}

static void mount_boot_partition(void)
{
	int r;

	if (plat->file_open)            /* the firmware reads the files */
		return;
	vol = plat->vol;
	r = fat_mount(vol, plat->disk_read, plat->disk_ctx, plat->part_lba, plat->part_sectors);
	if (r)
		fatal("boot partition at LBA %llu: %s; rewrite the image (make) or check the disk",
		      (unsigned long long)plat->part_lba, fat_why(r));
}

/* An open file: through the platform's file system, or our FAT reader. */
struct lfile {
	struct fat_file f;
	void *h;
	u32 size;
};

static int lf_open(const char *path, struct lfile *lf)
{
	int r;

	if (plat->file_open)
		return plat->file_open(path, &lf->h, &lf->size);
	r = fat_open(vol, path, &lf->f);
	lf->size = lf->f.size;
	return r;
}

static long lf_read(struct lfile *lf, u32 off, void *buf, u32 len)
{
	if (plat->file_open)
		return plat->file_read(lf->h, off, buf, len);
	return fat_read(vol, &lf->f, off, buf, len);
}

/* fw_cfg opt/pvboot/cmdline, NUL-terminated in fwbuf; "" if none. */
static void read_fwcfg(void)
{
	u32 size = 0;
	long n = fwcfg_read_file(&plat->fwcfg, FWCFG_CMDLINE, fwbuf, sizeof(fwbuf) - 1, &size);

	fwbuf[n > 0 ? n : 0] = '\0';
	if (n >= 0 && size > sizeof(fwbuf) - 1)
		lprintf("loader: fw_cfg %s is %u bytes; only the first %u are used\n",
			FWCFG_CMDLINE, size, (u32)sizeof(fwbuf) - 1);
	if (n >= 0)
		linfo("loader: fw_cfg %s: \"%s\"\n", FWCFG_CMDLINE, fwbuf);
}

/*
 * The options of s into k, which holds what to start from: the loader
 * needs timeout=, loader=, pv= and host=.  Bad values are the kernel's to
 * report, once, from the final line.
 */
static void parse_options(const struct optset *s, struct kopts *k)
{
	optset_render(s, editbuf, sizeof(editbuf));
	kopts_parse(k, editbuf, strlen(editbuf), NULL, NULL);
}

static bool test_or_exit(const struct optset *s)
{
	return optset_flag(s, "test") || optset_flag(s, "exit");
}

/*
 * A config problem: reported, then the boot goes on without the file, at
 * a key or after a pause to read the line: CONFIG_WAIT_S, or less if the
 * other sources (fw_cfg, load options) give a shorter timeout=.
 */
static void bad_config(const char *why, const struct optset *over)
{
	struct kopts k;
	u32 wait;

	lprintf("loader: %s: %s; fix or delete the file\n", CONFIG_PATH, why);
	exit_if_testing();
	/* timeout= from the sources read so far, else CONFIG_WAIT_S */
	kopts_defaults(&k);
	k.timeout = CONFIG_WAIT_S;
	parse_options(over, &k);
	wait = k.timeout < CONFIG_WAIT_S ? k.timeout : CONFIG_WAIT_S;
	if (!wait)
		return;
	lprintf("press any key to boot without it (booting without it in %u s)\n", wait);
	wait_key(wait);
}

/* /boot/pvboot.cfg into cfgbuf; false if absent or unusable (over: the
 * sources above it, for the wait after a bad one). */
static bool read_config(const struct optset *over)
{
	struct lfile f;
	char why[120];
	long n;
	int r = lf_open(CONFIG_PATH, &f);

	if (r == FAT_ENOENT) {
		linfo("loader: %s not found; using the defaults\n", CONFIG_PATH);
		return false;
	}
	if (r)
		return bad_config(fat_why(r), over), false;
	if (f.size > CONFIG_MAX) {
		pv_snprintf(why, sizeof(why), "%u bytes, more than %u", f.size, CONFIG_MAX);
		return bad_config(why, over), false;
	}
	n = lf_read(&f, 0, cfgbuf, f.size);
	if (n != (long)f.size)
		return bad_config(n < 0 ? fat_why((int)n) : "shorter than its size", over), false;
	cfgbuf[n] = '\0';
	if (config_check(cfgbuf, (size_t)n, why, sizeof(why)))
		return bad_config(why, over), false;
	return true;
}

/*
 * Config < fw_cfg < UEFI load options (docs/design.md §3), each source
 * merged once.  The two above the config are read first: `test` there
 * must turn a bad config into a failure exit, and their timeout= bounds
 * the wait after one.
 */
static void build_cmdline(void)
{
	const char *lo = plat->load_options;
	struct optset over = { 0 };     /* on the stack: 6 KiB the EFI files need not carry */

	read_fwcfg();
	optset_merge(&over, fwbuf, strlen(fwbuf), PVSRC_FWCFG, warn_line, NULL);
	if (lo && *lo) {
		linfo("loader: UEFI load options: \"%s\"\n", lo);
		optset_merge(&over, lo, strlen(lo), PVSRC_UEFI, warn_line, NULL);
	}
	test_mode = test_or_exit(&over);
	have_config = read_config(&over);
	if (have_config)
		optset_merge(&opts, cfgbuf, strlen(cfgbuf), PVSRC_CONFIG, warn_line, NULL);
	optset_overlay(&opts, &over, warn_line, NULL);
	test_mode = test_or_exit(&opts);
}

/*
 * Secure Boot: the verified config's options win over every later source
 * (docs/secure-boot.md).  Each one a later source changed or dropped is
 * put back, with one line saying what was refused.
 */
static void enforce_bound_config(void)
{
	const char *pos = cfgbuf, *end = cfgbuf + strlen(cfgbuf), *err;
	struct cmd_token t;
	char key[OPT_WORD_MAX], word[OPT_WORD_MAX];
	int r;

	if (!plat->config_bound || !have_config)
		return;
	while ((r = cmd_next(&pos, end, &t, &err)) != 0) {
		size_t wl = (size_t)(pos - t.key);
		const struct opt_word *w;

		if (r < 0 || wl >= sizeof(word))
			continue;               /* reported when the config was merged */
		memcpy(key, t.key, t.key_len), key[t.key_len] = '\0';
		memcpy(word, t.key, wl), word[wl] = '\0';
		w = optset_find(&opts, key);
		if (w && w->src == PVSRC_CONFIG && !strcmp(w->word, word))
			continue;
		if (w)
			lprintf("loader: secure boot: %s from %s refused: the signed config binds %s\n",
				w->word, pv_source_name(w->src), word);
		else
			lprintf("loader: secure boot: removing %s refused: the signed config binds %s\n",
				key, word);
		optset_merge(&opts, word, wl, PVSRC_CONFIG, warn_line, NULL);
	}
}

/* The prompt is a source of its own: the line before it gives its timeout. */
static void run_prompt(void)
{
	struct kopts k;
	int key = plat->getkey();       /* pressed during the firmware's boot */

	kopts_defaults(&k);
	parse_options(&opts, &k);       /* also leaves the line in editbuf */
	if (!k.timeout && key == KEY_NONE)
		return;
	if (prompt_run(plat, editbuf, editbuf, sizeof(editbuf), k.timeout > 600 ? 600 : k.timeout,
		       key) == PROMPT_EDITED)
		optset_edit(&opts, editbuf, strlen(editbuf), PVSRC_PROMPT, warn_line, NULL);
}

struct kfile {
	struct lfile f;
	const u8 *mem;          /* the whole file, once read as boot module 0 */
};

static int kread(void *ctx, u32 off, void *buf, u32 len)
{
	struct kfile *k = ctx;

	return lf_read(&k->f, off, buf, len) == (long)len ? 0 : -1;
}

static void open_kernel(struct kfile *k, struct elf_plan *p)
{
	struct elf_limits lim = { info->mmap, info->mmap_count, plat->avoid_lo, plat->avoid_hi };
	char why[120];
	int r = lf_open(KERNEL_PATH, &k->f);

	if (r == FAT_ENOENT)
		fatal("%s: not found on the boot partition; copy the kernel there", KERNEL_PATH);
	if (r)
		fatal("%s: %s; recopy the kernel", KERNEL_PATH, fat_why(r));
	if (elf_check(kread, k, k->f.size, &lim, p, why, sizeof(why)))
		fatal("%s: corrupt kernel: %s; rebuild or recopy it", KERNEL_PATH, why);
	if (!p->has_backends)
		lprintf("loader: %s: %s; the kernel will choose its backend itself\n", KERNEL_PATH, why);
}

/* Make segment i's memory ours (UEFI AllocateAddress; repeating is harmless). */
static void claim_segment(const struct elf_plan *p, u32 i)
{
	const struct elf_seg *s = &p->seg[i];
	char why[120];

	if (plat->claim && plat->claim(s->paddr, s->memsz, why, sizeof(why)))
		fatal("%s: segment %u at %#x-%#x: %s", KERNEL_PATH, i, s->paddr,
		      s->paddr + s->memsz, why);
}

/* From the module's copy of the file if there is one, else from the disk. */
static long kseg_read(struct kfile *k, u32 off, void *dst, u32 len)
{
	if (!k->mem)
		return lf_read(&k->f, off, dst, len);
	memcpy(dst, k->mem + off, len);
	return len;
}

static void load_kernel(struct kfile *k, const struct elf_plan *p)
{
	for (u32 i = 0; i < p->nseg; i++) {
		const struct elf_seg *s = &p->seg[i];
		u8 *dst = (u8 *)(uintptr_t)s->paddr;

		claim_segment(p, i);
		if (s->filesz && kseg_read(k, s->offset, dst, s->filesz) != (long)s->filesz)
			fatal("%s: segment %u unreadable (%s); recopy the kernel", KERNEL_PATH, i,
			      vol && vol->err ? vol->err : "disk read error");
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	linfo("loader: %s: %u bytes, %u segments at %#x-%#x, entry %#x\n", KERNEL_PATH,
		k->f.size, p->nseg, p->lo, p->hi, p->entry);
}

/* BIOS: the first free RAM above the kernel, clear of the loader and the boot info. */
static u32 place_module(const struct elf_plan *p, u32 size, char *why, size_t wl)
{
	const struct mod_range avoid[] = {
		{ p->lo, p->hi }, { plat->avoid_lo, plat->avoid_hi },
		{ (u32)(uintptr_t)info, (u32)(uintptr_t)info + sizeof(*info) },
	};
	u32 at = mod_place_choose(info->mmap, info->mmap_count, avoid, ARRAY_SIZE(avoid), p->hi,
				  MOD_PLACE_LIMIT, size);

	if (!at)
		pv_snprintf(why, wl, "no free RAM from %#x to %#x", p->hi, MOD_PLACE_LIMIT);
	return at;
}

/* The whole kernel file to at; false with why if the read falls short. */
static bool read_whole(struct kfile *k, u32 at, char *why, size_t wl)
{
	long n = lf_read(&k->f, 0, (void *)(uintptr_t)at, k->f.size);

	if (n == (long)k->f.size)
		return true;
	pv_snprintf(why, wl, "unreadable at %#x (%s)", at,
		    n < 0 ? fat_why((int)n) : "shorter than its size");
	return false;
}

/*
 * host=lguest: the kernel file itself, whole and unmodified, becomes boot
 * module 0 for the lguest host .  Read once: the segments are
 * then copied from it.  No room → one line, and the boot goes on without.
 */
static void load_module(struct kfile *k, const struct elf_plan *p)
{
	u32 size = k->f.size, at;
	char why[120];

	if (kopts.host != PV_LGUEST)
		return;
	for (u32 i = 0; i < p->nseg; i++)       /* first, so the module's pages are not theirs */
		claim_segment(p, i);
	at = plat->mod_alloc ? plat->mod_alloc(size, why, sizeof(why)) :
			       place_module(p, size, why, sizeof(why));
	if (at && !read_whole(k, at, why, sizeof(why)))
		at = 0;
	if (!at) {
		lprintf("loader: boot module 0: %s: %s; booting without it\n", KERNEL_PATH, why);
		return;
	}
	k->mem = (const u8 *)(uintptr_t)at;
	info->mods[0] = (struct pvboot_module){ at, at + size, "pvkernel.elf" };
	info->mod_count = 1;
	lprintf("loader: boot module 0: %s, %u bytes at %#x\n", KERNEL_PATH, size, at);
}

/*
 * A ROM the platform fetched from fw_cfg and placed where the legacy scan
 * does not look: same standing as one found by the scan (lguest still
 * wins, docs/design.md §5 order).
 */
static void adopt_placed_rom(struct detect_result *r)
{
	if (!plat->rom_phys || r->vmi_rom_phys)
		return;
	r->vmi_rom_phys = plat->rom_phys;
	r->vmi_rom_size = plat->rom_size;
	if (r->env != PVENV_LGUEST)
		r->env = PVENV_VMI;
	linfo("detect: VMI ROM placed by the loader at %#x, %u bytes: env=%s\n",
		plat->rom_phys, plat->rom_size, pv_env_name(r->env));
}

/* docs/design.md §5: detect, then choose among the backends the image lists. */
static void detect_and_choose(const struct elf_plan *p)
{
	struct detect_io io = {
		.cpuid = plat->cpuid, .read = plat->phys_read, .log = info_line,
		.hardware_subarch = info->hardware_subarch,
	};
	struct detect_result r;
	struct backend_choice c;

	detect_probe(&io, &r);
	adopt_placed_rom(&r);
	detect_choose(&r, kopts.pv, p->has_backends ? p->backend_mask : 1u << PV_NATIVE, &c,
		      warn_line, NULL);
	info->env = r.env;
	memcpy(info->hv_signature, r.hv_signature, sizeof(info->hv_signature));
	info->vmi_rom_phys = r.vmi_rom_phys;
	info->vmi_rom_size = r.vmi_rom_size;
	info->hc_flavour = r.hc_flavour;
	info->backend_id = c.backend;
	info->backend_forced = c.forced;
	info->backend_requested = c.requested;
	info->backend_table = p->has_backends ? backend_list_table(&p->backends, c.backend) : 0;
	if (c.fallback)
		pv_snprintf(info->fallback_reason, sizeof(info->fallback_reason), "%s", c.reason);
	pv_snprintf(summary, sizeof(summary), "loader: backend %s (%s)", pv_backend_name(c.backend),
		    c.reason);
}

/*
 * The line is final: into the boot info, and parsed once into kopts for
 * every later step (loader=verbose is known from here on).
 */
static void settle_options(void)
{
	optset_to_info(&opts, info);
	kopts_defaults(&kopts);
	kopts_parse(&kopts, info->cmdline, strnlen(info->cmdline, sizeof(info->cmdline)), NULL, NULL);
	verbose = kopts.loader_verbose;
	if (verbose)
		flush_log();
}

_Noreturn void loader_main(const struct loader_platform *p, struct pvboot_info *bi)
{
	struct elf_plan plan;
	struct kfile k = { .mem = NULL };

	loader_set_platform(p);
	info = bi;
	info->magic = PVBOOT_INFO_MAGIC;
	info->version = PVBOOT_INFO_VERSION;
	info->size = sizeof(*info);
	pv_snprintf(info->loader_name, sizeof(info->loader_name), "%s %s", p->name, LOADER_VERSION_STR);
	info->loader_version = LOADER_VERSION;
	linfo("%s %s: %u memory map entries\n", p->name, LOADER_VERSION_STR, info->mmap_count);
	mount_boot_partition();
	build_cmdline();
	enforce_bound_config();         /* before the prompt shows the line */
	run_prompt();
	enforce_bound_config();
	settle_options();
	open_kernel(&k, &plan);
	detect_and_choose(&plan);
	load_module(&k, &plan);
	load_kernel(&k, &plan);
	if (!info->acpi_rsdp && p->phys_read)
		info->acpi_rsdp = acpi_find_rsdp(p->phys_read, NULL, warn_line, NULL);
	linfo("loader: backend table %#x; cmdline \"%s\"; entering the kernel\n",
	      info->backend_table, info->cmdline);
	lprintf("%s\n", summary);      /* short: each character costs on OVMF's console */
	info->tsc_handoff = p->rdtsc();
	p->enter(plan.entry, info);
}
