/* The firmware-independent loader core (docs/design.md §1 loader/common, §3-§5): what a BIOS or UEFI entry hands it and what it needs back. */
#ifndef LOADER_LOADER_H
#define LOADER_LOADER_H
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/detect.h"
#include "fat.h"
#include "fwcfg.h"

#define LOADER_VERSION 0x00000001u      /* 0.1, major << 16 | minor */
#define LOADER_VERSION_STR "0.1"
#define KERNEL_PATH "/boot/pvkernel.elf"
#define CONFIG_PATH "/boot/pvboot.cfg"
#define FWCFG_CMDLINE "opt/pvboot/cmdline"

/* Keys from getkey(): ASCII, or these for the editing keys. */
enum {
	KEY_NONE = -1,
	KEY_BACKSPACE = 8,
	KEY_ENTER = '\r',
	KEY_ESC = 27,
	KEY_LEFT = 0x100,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_DELETE,
};

/* Platform services; every pointer is required unless marked. */
struct loader_platform {
	const char *name;                       /* loader_name, "pvboot-bios" */
	void (*puts)(const char *s);            /* screen and serial */
	int (*getkey)(void);                    /* waiting key or KEY_NONE */
	void (*sleep_ms)(u32 ms);
	u64 (*rdtsc)(void);
	sector_read_fn disk_read;
	void *disk_ctx;
	struct fat_vol *vol;                    /* the FAT reader's state (unless file_open) */
	u64 part_lba, part_sectors;             /* the boot partition */
	struct fwcfg_io fwcfg;
	cpuid_fn cpuid;
	phys_read_fn phys_read;                 /* physical memory, for ROMs and ACPI */
	u32 avoid_lo, avoid_hi;                 /* loader memory the kernel must not touch */
	void (*qemu_exit)(u32 code);            /* isa-debug-exit; may return if absent */
	void (*reboot)(void) __attribute__((noreturn));
	void (*enter)(u32 entry, struct pvboot_info *info) __attribute__((noreturn));

	/*
	 * Optional, for UEFI.  file_open/file_read: read files through the
	 * firmware's file system (Simple File System) instead of mounting
	 * FAT over disk_read; they return FAT_* codes.  claim: make
	 * [base, base+size) ours before a kernel segment is copied there
	 * (AllocateAddress), 0 or -1 with why.  load_options: docs/design.md §3
	 * source 3, already ASCII.  rom_phys/rom_size: a VMI ROM the platform
	 * placed outside the legacy scan (fw_cfg genroms/), already validated.
	 * mod_alloc: memory for boot module 0 (host=lguest), page-aligned,
	 * at or above 1 MiB, ending below MOD_PLACE_LIMIT; 0 with why if none
	 * (without it the core places the module itself, per the E820 map).
	 */
	int (*file_open)(const char *path, void **handle, u32 *size);
	long (*file_read)(void *handle, u32 off, void *buf, u32 len);
	int (*claim)(u32 base, u32 size, char *why, size_t wl);
	u32 (*mod_alloc)(u32 size, char *why, size_t wl);
	const char *load_options;
	u32 rom_phys, rom_size;

	/*
	 * Optional: where linfo() keeps the detail lines until the command
	 * line says whether to print them (without it they are dropped
	 * unless loader=verbose).
	 */
	char *log;
	u32 log_size;

	/*
	 * Optional: set under Secure Boot, when the config file's hash is
	 * bound into the signed loader.  Its options are then final: fw_cfg,
	 * load options and the prompt may add options but not change or drop
	 * these (docs/secure-boot.md, "Command line").
	 */
	bool config_bound;
};

/*
 * The shared boot sequence.  info arrives with firmware, memory map,
 * screen, tsc_loader_entry (and acpi_rsdp if the firmware knows it) set;
 * the core fills in everything else and enters the kernel.
 */
_Noreturn void loader_main(const struct loader_platform *p, struct pvboot_info *info);

/* The platform lprintf writes to (loader_main sets it; tests too). */
void loader_set_platform(const struct loader_platform *p);

/*
 * One error line, then (under test/exit) a failure exit of QEMU, else a
 * key and the platform's reboot.  fmt carries its own "subsystem: " prefix.
 */
_Noreturn void loader_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* printf to the loader's console: warnings, errors, the summary. */
void lprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * A detail line: printed under loader=verbose, else kept in the
 * platform's log buffer and printed only before a fatal error.  Each
 * firmware console line is slow (OVMF under TCG: ~1.5 ms).
 */
void linfo(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

enum { PROMPT_BOOT = 0, PROMPT_EDITED = 1 };

/*
 * Show what will boot and count down timeout_s seconds (first_key, if not
 * KEY_NONE, was pressed before).  A key opens a line editor on line
 * (size bytes): arrows, Home/End, Backspace/Delete, Enter boots the edited
 * line (PROMPT_EDITED), Esc cancels the edit (PROMPT_BOOT).
 */
int prompt_run(const struct loader_platform *p, const char *line_shown, char *line,
	       size_t size, u32 timeout_s, int first_key);

#endif
