/*
 * Multiboot2 Specification 2.0: the header tags our kernel carries, the
 * boot information a Multiboot 2 loader (GRUB's `multiboot2`) hands over,
 * and its conversion into struct pvboot_info (lib/mb2info.c).
 */
#ifndef PVBOOT_MULTIBOOT2_H
#define PVBOOT_MULTIBOOT2_H

/* §3.1.1: the header, 8-byte aligned within the image's first 32 KiB. */
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_ARCH_I386 0                 /* 32-bit protected mode i386 */
#define MB2_BOOTLOADER_MAGIC 0x36D76289 /* EAX at entry */

/* §3.1.3-3.1.11: header tag types; flags bit 0 = the loader may ignore the tag. */
#define MB2_HTAG_END 0
#define MB2_HTAG_INFO_REQUEST 1
#define MB2_HTAG_ENTRY 3
#define MB2_HTAG_FRAMEBUFFER 5
#define MB2_HTAG_MODULE_ALIGN 6
#define MB2_HTAG_OPTIONAL 1

/* §3.6.3-3.6.19: boot information tag types. */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_VBE 7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_SMBIOS 13
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE 21

/* §3.6.12: framebuffer_type */
#define MB2_FB_INDEXED 0
#define MB2_FB_RGB 1
#define MB2_FB_EGA_TEXT 2

#ifndef __ASSEMBLER__
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/acpi.h"        /* phys_read_fn */

/* §3.6.2: the information starts with its total size; tags follow, 8-aligned. */
struct mb2_info_head {
	u32 total_size;                 /* including this header and the end tag */
	u32 reserved;
} PACKED;

struct mb2_tag {
	u32 type;
	u32 size;                       /* including this header, not the padding */
} PACKED;

/* §3.6.6 */
struct mb2_tag_module {
	u32 type, size;
	u32 mod_start, mod_end;         /* end exclusive */
	/* NUL-terminated string follows */
} PACKED;

/* §3.6.3 */
struct mb2_tag_meminfo {
	u32 type, size;
	u32 mem_lower, mem_upper;       /* KiB */
} PACKED;

/* §3.6.8: entries follow, entry_size bytes apart. */
struct mb2_tag_mmap {
	u32 type, size;
	u32 entry_size;
	u32 entry_version;              /* 0 */
} PACKED;

struct mb2_mmap_entry {
	u64 base;
	u64 length;
	u32 type;                       /* 1 RAM, 3 ACPI, 4 NVS, 5 bad, else reserved */
	u32 reserved;
} PACKED;

/* §3.6.12: colour information follows (its layout depends on fb_type). */
struct mb2_tag_framebuffer {
	u32 type, size;
	u64 addr;
	u32 pitch;                      /* bytes per line */
	u32 width, height;              /* pixels, or characters for EGA text */
	u8 bpp;
	u8 fb_type;                     /* MB2_FB_* */
	u16 reserved;
} PACKED;

/* Direct RGB colour (fb_type 1): bit position and size of each field. */
struct mb2_fb_rgb {
	u8 red_pos, red_size;
	u8 green_pos, green_size;
	u8 blue_pos, blue_size;
} PACKED;

/* §3.6.19: UEFI descriptors (UEFI 2.10 §7.2) follow, descr_size bytes apart. */
struct mb2_tag_efi_mmap {
	u32 type, size;
	u32 descr_size;
	u32 descr_version;
} PACKED;

/* Largest information block we read; more is cut with a warning. */
#define MB2_INFO_MAX (64u * 1024)

/*
 * Build *out from the Multiboot 2 information at physical mbi_addr, read
 * through rd into buf[bufsize] (8-byte aligned, the caller's; at most
 * MB2_INFO_MAX bytes of it are used) and then
 * parsed from there: every string, module and table is inside the block,
 * so nothing else is dereferenced.  Fills what mb_to_pvboot fills for
 * Multiboot 1 (firmware = multiboot2) plus the screen from the framebuffer
 * tag, the ACPI RSDP copy (new tag preferred, each checked) and the EFI
 * system table pointers.  Memory map: the EFI map if present (converted as
 * the UEFI loader converts it), else the full map, else mem_lower/upper.
 * Every problem is reported through warn and the affected tag is skipped.
 * Returns 0, or -1 if the block's header cannot be read or is nonsense.
 */
int mb2_to_pvboot(u32 mbi_addr, phys_read_fn rd, void *ctx, void *buf,
		  u32 bufsize, struct pvboot_info *out, cmd_warn_fn warn,
		  void *wctx);

/* The same, for a block already in memory (len bytes, 8-byte aligned). */
int mb2_parse(const void *mbi, u32 len, struct pvboot_info *out,
	      cmd_warn_fn warn, void *wctx);

#endif
#endif
