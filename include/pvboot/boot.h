/*
 * The pvboot boot protocol (docs/design.md §4): what a loader hands the kernel.
 *
 * The kernel is entered in 32-bit protected mode, paging off, interrupts
 * off, flat 4 GiB segments, A20 on, with EAX = PVBOOT_ENTRY_MAGIC and
 * EBX = physical address of struct pvboot_info (below 4 GiB).  A Multiboot
 * entry (EAX = MULTIBOOT_BOOTLOADER_MAGIC) is converted into the same
 * structure by the kernel itself (lib/mbinfo.c).
 *
 * Layout rules: every structure here is packed and identical for i386 and
 * x86_64 builds (the x64 UEFI loader fills it); u64 fields sit at 8-byte
 * offsets; fields are only ever appended and `version`/`size` say how far a
 * producer got.  The static asserts at the bottom pin the layout.
 */
#ifndef PVBOOT_BOOT_H
#define PVBOOT_BOOT_H

#define PVBOOT_ENTRY_MAGIC 0x50564254u      /* "PVBT" in EAX at kernel entry */
#define PVBOOT_INFO_MAGIC  0x4f464e49u      /* "INFO" first word of the info */
#define PVBOOT_INFO_VERSION 1u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u

#ifndef __ASSEMBLER__
#include "pvboot/types.h"

/* Who started the kernel. */
enum pvboot_firmware {
	PVFW_UNKNOWN = 0,
	PVFW_BIOS = 1,
	PVFW_UEFI64 = 2,
	PVFW_UEFI32 = 3,
	PVFW_MULTIBOOT = 4,
	PVFW_LGUEST = 5,        /* a guest started by our own lguest host */
	PVFW_MULTIBOOT2 = 6,    /* a Multiboot 2 loader (lib/mb2info.c) */
};

/* Backend ids: stable numbers, also used in the image's backend list. */
enum pv_backend_id {
	PV_AUTO = 0,
	PV_NATIVE = 1,
	PV_VMI = 2,
	PV_LGUEST = 3,
	PV_BACKEND_MAX = 4,
};

/* What detection saw (docs/design.md §5, the result line's env=). */
enum pv_env {
	PVENV_BARE = 0,
	PVENV_TCG = 1,
	PVENV_VMI = 2,
	PVENV_KVM = 3,
	PVENV_LGUEST = 4,
	PVENV_HV_OTHER = 5,     /* a CPUID hypervisor we do not speak */
};

/* Where a command-line option came from (docs/design.md §3, lowest first). */
enum pv_cmd_source {
	PVSRC_DEFAULT = 0,
	PVSRC_CONFIG = 1,       /* /boot/pvboot.cfg */
	PVSRC_FWCFG = 2,        /* fw_cfg opt/pvboot/cmdline */
	PVSRC_UEFI = 3,         /* UEFI load options */
	PVSRC_PROMPT = 4,       /* typed at the loader prompt */
	PVSRC_MULTIBOOT = 5,    /* another loader's Multiboot command line */
	PVSRC_HOST = 6,         /* handed down by our lguest host */
};

/* E820 memory types; UEFI maps are converted to these. */
enum {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
};

#define PVBOOT_CMDLINE_MAX 1024
#define PVBOOT_OPTSRC_MAX 48
#define PVBOOT_MMAP_MAX 128
#define PVBOOT_MODS_MAX 4
#define PVBOOT_RSDP_COPY_MAX 36 /* an ACPI 2.0+ RSDP */

struct pvboot_mmap_entry {
	u64 base;
	u64 length;
	u32 type;               /* E820_* */
	u32 attr;
} PACKED;

/* One option key of the final command line and which source set it. */
struct pvboot_optsrc {
	char key[15];
	u8 source;              /* enum pv_cmd_source */
} PACKED;

enum pvboot_screen_kind {
	PVSCREEN_NONE = 0,
	PVSCREEN_VGA_TEXT = 1,  /* 80x25 at 0xB8000 */
	PVSCREEN_FRAMEBUFFER = 2,
};

struct pvboot_screen {
	u64 fb_base;
	u32 kind;               /* enum pvboot_screen_kind */
	u32 width, height;      /* pixels, or characters for text */
	u32 pitch;              /* bytes per line */
	u32 bpp;
	u32 pixel_format;       /* 0 = RGBX, 1 = BGRX (UEFI GOP numbering) */
	u32 fb_size;
} PACKED;

struct pvboot_module {
	u32 start, end;         /* physical, end exclusive */
	char cmdline[56];
} PACKED;

struct pvboot_info {
	u32 magic;              /* PVBOOT_INFO_MAGIC */
	u32 version;            /* PVBOOT_INFO_VERSION */
	u32 size;               /* sizeof as the producer knew it */
	u32 firmware;           /* enum pvboot_firmware */

	char loader_name[24];
	u32 loader_version;     /* major << 16 | minor */
	u32 reserved0;

	/* The final command line and the source of each option in it. */
	char cmdline[PVBOOT_CMDLINE_MAX];
	u32 optsrc_count;
	u32 reserved1;
	struct pvboot_optsrc optsrc[PVBOOT_OPTSRC_MAX];

	/* Memory map, E820 types, sorted by base, not necessarily merged. */
	u32 mmap_count;
	u32 reserved2;
	struct pvboot_mmap_entry mmap[PVBOOT_MMAP_MAX];

	u64 acpi_rsdp;          /* physical address, 0 = none known */
	struct pvboot_screen screen;

	/* Detection result (docs/design.md §5). */
	u32 env;                /* enum pv_env */
	char hv_signature[13];  /* CPUID 0x40000000 ebx:ecx:edx, NUL-terminated */
	u8 reserved3[3];
	u32 vmi_rom_phys;       /* 0 = no valid VMI ROM */
	u32 vmi_rom_size;
	u32 hc_flavour;         /* hypercall host flavour, 0 = none */

	/* Backend choice. */
	u32 backend_id;         /* enum pv_backend_id actually chosen */
	u32 backend_forced;     /* 1 if pv= named it and it was honoured */
	u32 backend_table;      /* address of that backend's table in the image */
	u32 backend_requested;  /* what pv= asked for (PV_AUTO if nothing) */
	char fallback_reason[96];
	u32 reserved4;

	/* TSC at loader entry and at hand-off, for end-to-end boot time. */
	u64 tsc_loader_entry;
	u64 tsc_handoff;

	/* Boot modules (the guest image for host=lguest). */
	u32 mod_count;
	u32 hardware_subarch;   /* 1 = lguest boot signature (docs/design.md §5) */
	struct pvboot_module mods[PVBOOT_MODS_MAX];

	/*
	 * What a Multiboot 2 loader hands over as copies: the RSDP itself (so
	 * acpi_rsdp stays 0 and the kernel uses the copy) and the EFI system
	 * table pointers it recorded.
	 */
	u64 efi_systab64;       /* EFI 64-bit system table, physical; 0 = none */
	u32 efi_systab32;       /* EFI 32-bit system table, physical; 0 = none */
	u32 acpi_rsdp_copy_len; /* bytes valid in acpi_rsdp_copy; 0 = none */
	u8 acpi_rsdp_copy[PVBOOT_RSDP_COPY_MAX]; /* ACPI 6.5 §5.2.5.3 layout */

	/*
	 * Secure Boot (docs/secure-boot.md): PVSB_VERIFIED when the firmware
	 * enforced Secure Boot on the loader and the loader checked the
	 * kernel, config and VMI ROM against the hashes bound into it.  A
	 * producer that predates the field leaves it zero (off).
	 */
	u32 secureboot;         /* enum pvboot_secureboot */
} PACKED;

enum pvboot_secureboot {
	PVSB_OFF = 0,
	PVSB_VERIFIED = 1,
};

#define PVBOOT_SUBARCH_LGUEST 1u

/*
 * The backend list embedded in the kernel image (section .pvbackends), read
 * by loaders from the ELF so they can hand over a table address.  The kernel
 * accepts a handed-over table only if it equals one of these entries.
 */
#define PVBOOT_BACKENDS_MAGIC 0x4b425650u   /* "PVBK" */
#define PVBOOT_BACKENDS_MAX 4

struct pvboot_backend_entry {
	u32 id;                 /* enum pv_backend_id */
	char name[12];
	u32 table;              /* address of the backend's paravirt table */
} PACKED;

struct pvboot_backend_list {
	u32 magic;              /* PVBOOT_BACKENDS_MAGIC */
	u32 version;            /* 1 */
	u32 count;
	u32 reserved;
	struct pvboot_backend_entry entry[PVBOOT_BACKENDS_MAX];
} PACKED;

STATIC_ASSERT(sizeof(struct pvboot_mmap_entry) == 24, "mmap entry layout");
STATIC_ASSERT(sizeof(struct pvboot_optsrc) == 16, "optsrc layout");
STATIC_ASSERT(sizeof(struct pvboot_backend_entry) == 20, "backend entry layout");
STATIC_ASSERT(__builtin_offsetof(struct pvboot_info, cmdline) == 48, "info layout");
STATIC_ASSERT(__builtin_offsetof(struct pvboot_info, acpi_rsdp) % 8 == 0, "rsdp aligned");
STATIC_ASSERT(__builtin_offsetof(struct pvboot_info, tsc_loader_entry) % 8 == 0, "tsc aligned");
STATIC_ASSERT(__builtin_offsetof(struct pvboot_info, efi_systab64) % 8 == 0, "efi_systab64 aligned");
STATIC_ASSERT(sizeof(struct pvboot_info) % 8 == 0, "info size a multiple of 8");


const char *pvboot_firmware_name(u32 fw);
const char *pv_backend_name(u32 id);
const char *pv_env_name(u32 env);
const char *pv_source_name(u32 src);
const char *pvboot_secureboot_name(u32 sb);

#endif /* __ASSEMBLER__ */
#endif
