/* UEFI platform of the loader (UEFI 2.10; GNU-EFI headers): what efimain.c, efifs.c, efimem.c and efihw.c share. */
#ifndef LOADER_UEFI_H
#define LOADER_UEFI_H
#include <efi.h>
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "../common/loader.h"
#include "pvboot/sha256.h"

#ifdef __x86_64__
#define UEFI_LOADER_NAME "pvboot-uefi64"
#define UEFI_FIRMWARE PVFW_UEFI64
#else
#define UEFI_LOADER_NAME "pvboot-uefi32"
#define UEFI_FIRMWARE PVFW_UEFI32
#endif

/* Everything the platform keeps between calls. */
struct uefi {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_BOOT_SERVICES *bs;
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;           /* our own volume (NULL: none) */
	void *map;                      /* GetMemoryMap buffer, allocated once */
	UINTN map_cap, map_size, map_key, desc_size;
	UINT32 desc_version;
};
extern struct uefi uefi;

/* efimain.c; efi_main is called by gnu-efi's crt0 (SysV ABI on x64). */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
void uefi_puts(const char *s);
void uefi_qemu_exit(u32 code);

/* efifs.c: the loader's own device through Simple File System. */
bool uefi_fs_init(void);
int uefi_file_open(const char *path, void **handle, u32 *size);
long uefi_file_read(void *handle, u32 off, void *buf, u32 len);

/* efimem.c */
bool uefi_map_read(void);                       /* into uefi.map; false on failure */
void uefi_map_to_info(struct pvboot_info *info);
void *uefi_alloc_below_4g(UINTN bytes, EFI_MEMORY_TYPE type);
int uefi_claim(u32 base, u32 size, char *why, size_t wl);
void uefi_place_rom(const u8 *rom, u32 size, u32 *phys);
u32 uefi_alloc_module(u32 size, char *why, size_t wl);
_Noreturn void uefi_enter(u32 entry, struct pvboot_info *info);

/* efihw.c: firmware tables, the screen, QEMU devices. */
void uefi_find_rsdp(struct pvboot_info *info);
void uefi_find_gop(struct pvboot_info *info);
void uefi_find_vmi_rom(struct loader_platform *p);
void uefi_cpuid(void *ctx, u32 leaf, u32 out[4]);
bool uefi_phys_read(void *ctx, u64 phys, void *buf, u32 len);

/*
 * efisecure.c: Secure Boot state and the bound hashes.  A file that does
 * not match under Secure Boot ends the boot through loader_fatal; an
 * unbound ROM is refused (false).  uefi_vet_rom also returns the ROM's
 * digest, which the backend event of measured boot names.
 */
void uefi_secure_init(struct loader_platform *p, struct pvboot_info *info);
bool uefi_secure_on(void);
void uefi_vet_file(const char *path, const u8 *data, u32 size);
void uefi_vet_missing(const char *path);
bool uefi_vet_rom(const char *name, const u8 *data, u32 size, u8 digest[SHA256_LEN]);

/*
 * efitpm.c: measured boot through EFI_TCG2_PROTOCOL, when a TPM 2.0 is
 * there (nothing happens otherwise).  Files and the ROM as they are
 * read; the command line and the backend choice just before
 * ExitBootServices, followed by reading PCR 8 and 9 back.
 */
void uefi_tpm_init(void);
bool uefi_tpm_present(void);
void uefi_measure_file(const char *path, const u8 *data, u32 size);
void uefi_measure_rom(const char *name, const u8 *data, u32 size, const u8 digest[SHA256_LEN]);
void uefi_measure_handoff(const struct pvboot_info *info);

#endif
