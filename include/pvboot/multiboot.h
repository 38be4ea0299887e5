/*
 * Multiboot Specification 0.6.96 (v1): the header our kernel carries and the
 * information structure a Multiboot loader (QEMU -kernel, GRUB) hands over,
 * plus its conversion into struct pvboot_info (lib/mbinfo.c).
 */
#ifndef PVBOOT_MULTIBOOT_H
#define PVBOOT_MULTIBOOT_H

#define MB_HEADER_MAGIC 0x1BADB002
#define MB_HEADER_PAGE_ALIGN 0x00000001   /* modules page aligned */
#define MB_HEADER_MEMORY_INFO 0x00000002  /* we want mem_* and mmap_* */

/* mbi.flags bits */
#define MBI_MEMORY   (1u << 0)
#define MBI_BOOTDEV  (1u << 1)
#define MBI_CMDLINE  (1u << 2)
#define MBI_MODS     (1u << 3)
#define MBI_AOUT_SYMS (1u << 4)
#define MBI_ELF_SHDR (1u << 5)
#define MBI_MMAP     (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

#ifndef __ASSEMBLER__
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/acpi.h"        /* phys_read_fn */

struct mb_info {
	u32 flags;
	u32 mem_lower, mem_upper;       /* KiB */
	u32 boot_device;
	u32 cmdline;                    /* phys of NUL-terminated string */
	u32 mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr;
	u32 config_table;
	u32 boot_loader_name;
	u32 apm_table;
} PACKED;

/* mmap entries are preceded by their own size (not counting the size field) */
struct mb_mmap_entry {
	u32 size;
	u64 addr;
	u64 len;
	u32 type;
} PACKED;

struct mb_module {
	u32 mod_start, mod_end;
	u32 string;
	u32 reserved;
} PACKED;

/*
 * Build *out from the Multiboot info at physical mbi_addr, reading all
 * memory through rd (every pointer in the MBI is outside input: strings are
 * bounded, counts are capped, lengths checked).  Fills magic/version/size,
 * firmware = multiboot, the command line with every option's source set to
 * PVSRC_MULTIBOOT, the memory map (mmap_* if present, else mem_lower/upper),
 * the loader name and up to PVBOOT_MODS_MAX modules.  Problems are reported
 * through warn and the affected part is left empty.  Returns 0, or -1 if
 * the MBI itself cannot be read.
 *
 * Details: QEMU and GRUB pass the kernel's file name as the first word of
 * the command line; a first word without '=' containing '/' or '.' is
 * dropped.  A command line longer than PVBOOT_CMDLINE_MAX - 1 is cut (with
 * a warning); one running into unreadable memory is dropped.  mmap_length
 * is capped at 64 KiB, an entry size below 20 ends the map, zero-length
 * ranges are skipped, the map is sorted by base; with no usable mmap the
 * mem_lower/mem_upper pair is used.  screen is set to VGA text 80x25.
 */
int mb_to_pvboot(u32 mbi_addr, phys_read_fn rd, void *ctx,
		 struct pvboot_info *out, cmd_warn_fn warn, void *wctx);

/* Shared with the Multiboot 2 conversion (lib/mb2info.c). */

/* Zero *out and fill magic, version, size and firmware. */
void mb_info_init(struct pvboot_info *out, u32 firmware);
/* Drop a first word that is the kernel's file name (see above). */
void mb_strip_image_name(char *s);
/* Multiboot memory types 1..5 are E820's; anything else is reserved. */
u32 mb_e820_type(u32 mb_type);
/* Insert a range keeping the map sorted; the caller checks the count. */
void mb_mmap_add(struct pvboot_info *out, u64 base, u64 len, u32 type);
/* The mem_lower/mem_upper pair (KiB) as two RAM ranges, lower capped at 640. */
void mb_meminfo_add(struct pvboot_info *out, u32 lower, u32 upper,
		    cmd_warn_fn warn, void *wctx);
/* 80x25 VGA text at 0xB8000. */
void mb_screen_vga_text(struct pvboot_info *out);

/* Record, for each key of info->cmdline, that it came from `source`. */
void pvboot_set_optsrc_all(struct pvboot_info *info, u8 source);

#endif
#endif
