/* Pure helpers of the UEFI loader (UEFI 2.10 §7.2 memory map, §9.1 load options; ACPI 6.5 §15 UEFI→E820 types), host-testable: no EFI headers. */
#ifndef LOADER_EFIUTIL_H
#define LOADER_EFIUTIL_H
#include "pvboot/types.h"
#include "pvboot/boot.h"

/* EFI_MEMORY_TYPE values (UEFI 2.10 Table 7-5). */
enum {
	EFIMEM_RESERVED = 0,
	EFIMEM_LOADER_CODE = 1,
	EFIMEM_LOADER_DATA = 2,
	EFIMEM_BS_CODE = 3,
	EFIMEM_BS_DATA = 4,
	EFIMEM_RT_CODE = 5,
	EFIMEM_RT_DATA = 6,
	EFIMEM_CONVENTIONAL = 7,
	EFIMEM_UNUSABLE = 8,
	EFIMEM_ACPI_RECLAIM = 9,
	EFIMEM_ACPI_NVS = 10,
	EFIMEM_MMIO = 11,
	EFIMEM_MMIO_PORT = 12,
	EFIMEM_PAL_CODE = 13,
	EFIMEM_PERSISTENT = 14,
	EFIMEM_UNACCEPTED = 15,
	/*
	 * 0x80000000.. belong to OS loaders (UEFI 2.10 §7.2.1): memory we
	 * allocate with this type (the placed VMI ROM) stays reserved in the
	 * E820 map, so the kernel does not reuse it before copying the ROM.
	 */
	EFIMEM_PVBOOT_KEEP = 0x80000000u,
};

/* EFI_MEMORY_DESCRIPTOR as the firmware lays it out (stride = desc_size). */
struct efi_mdesc {
	u32 type;
	u32 pad;
	u64 phys;
	u64 virt;
	u64 pages;
	u64 attr;
};

#define EFI_PAGE 4096ull

/* The E820 type of a UEFI memory type, after ExitBootServices. */
u32 efi_type_to_e820(u32 efi_type);

/*
 * Convert a UEFI memory map (size bytes, descriptors desc_size apart) into
 * E820 entries: sorted by base, adjacent ranges of the same type merged.
 * Returns the number of entries written (at most max); *dropped counts
 * ranges that did not fit (the highest ones, never below 4 GiB first).
 */
u32 efi_map_to_e820(const void *map, size_t size, size_t desc_size,
		    struct pvboot_mmap_entry *out, u32 max, u32 *dropped);

/*
 * Add [base, base+len) as type to an E820 list (sorted), unless some
 * entry already overlaps it.  For the framebuffer, which UEFI does not
 * list but the kernel must identity-map.  Returns false if it was full.
 */
bool e820_add_if_absent(struct pvboot_mmap_entry *m, u32 *count, u32 max,
			u64 base, u64 len, u32 type);

/* Where to put a VMI ROM of size bytes (docs/design.md §5). */
enum rom_place_kind {
	ROM_AT_ADDRESS = 0,     /* addr: free RAM in 0xC0000-0xDFFFF, page aligned */
	ROM_BELOW_1M = 1,       /* no room there: allocate reserved memory below 1 MiB */
};

struct rom_place {
	u32 kind;               /* enum rom_place_kind */
	u32 addr;               /* ROM_AT_ADDRESS only */
	u32 pages;              /* 4 KiB pages to allocate */
};

/*
 * Choose: the lowest 4 KiB-aligned (so 2 KiB-aligned) address in the
 * option-ROM window 0xC0000-0xDFFFF where the whole ROM lies in
 * EfiConventionalMemory, else "below 1 MiB".  (If that allocation fails
 * too, the platform tries below 4 GiB.)  Returns -1 if size is 0 or more
 * than the window (128 KiB).
 */
int rom_place_choose(const void *map, size_t size, size_t desc_size, u32 rom_size,
		     struct rom_place *p);

/*
 * UEFI load options (EFI_LOADED_IMAGE_PROTOCOL.LoadOptions, UCS-2) as an
 * ASCII command line.  The UEFI shell passes the whole command line
 * ("BOOTX64.EFI pv=native smp=2"): a first word ending in ".efi" or holding
 * a '\' is the program and is dropped.  Boot entries may carry binary
 * optional data: anything not printable ASCII makes the whole thing "not a
 * command line".  Returns the length written to out (NUL-terminated, 0 if
 * there are no options) or -1 with a reason in why.
 */
int efi_load_options(const u16 *opt, u32 bytes, char *out, size_t outsz,
		     char *why, size_t wl);

#endif
