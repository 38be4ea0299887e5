/* The hashes make binds into the signed UEFI loader (docs/secure-boot.md): layout shared by the loader (efisecure.c) and tools/bindhash.c, which fills it. */
#ifndef LOADER_UEFI_PVBIND_H
#define LOADER_UEFI_PVBIND_H
#include "pvboot/types.h"
#include "pvboot/sha256.h"

/*
 * The table sits in the loader's .data with count 0; tools/bindhash.c
 * finds it by the magic (which must occur exactly once in the PE file),
 * fills the entries and fixes the PE checksum before sbsign signs the
 * result.  The signature covers the table, so under Secure Boot the
 * firmware has checked these hashes before a single loader instruction
 * ran.  The code never spells the magic out itself (a second copy in
 * .rodata would make the search ambiguous); it checks version and count.
 */
#define PVBIND_MAGIC_BYTES 0x50, 0x56, 0x42, 0x49, 0x4e, 0x44, 0x30, 0x31, \
	0x9e, 0x3b, 0x71, 0xc4, 0x0d, 0x52, 0xa8, 0xf6        /* "PVBIND01" + 8 random */
#define PVBIND_VERSION 1u
#define PVBIND_MAX 8
#define PVBIND_NAME_LEN 28

enum pvbind_kind {
	PVBIND_KERNEL = 1,      /* name: the path on the boot partition */
	PVBIND_CONFIG = 2,      /* name: the path on the boot partition */
	PVBIND_ROM = 3,         /* name: informational (the ROM's file name); matched by hash */
};

struct pvbind_entry {
	u32 kind;                       /* enum pvbind_kind */
	char name[PVBIND_NAME_LEN];     /* NUL-terminated */
	u8 sha256[SHA256_LEN];
} PACKED;

struct pvbind {
	u8 magic[16];
	u32 version;                    /* PVBIND_VERSION */
	u32 count;                      /* entries filled, 0 in an unbound build */
	u32 reserved[2];
	struct pvbind_entry e[PVBIND_MAX];
} PACKED;

STATIC_ASSERT(sizeof(struct pvbind_entry) == 64, "pvbind entry layout");
STATIC_ASSERT(sizeof(struct pvbind) == 32 + 64 * PVBIND_MAX, "pvbind layout");

#endif
