/* Secure Boot past the loader (docs/secure-boot.md): the SecureBoot variable, and the kernel, config and VMI ROM checked against the hashes bound into the signed image. */
#include "uefi.h"
#include "pvbind.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

/*
 * Filled by tools/bindhash.c after the link and before sbsign; not
 * static or const, so the compiler cannot fold the placeholder's zero
 * count into the code.
 */
struct pvbind pv_bound __attribute__((used, aligned(8))) = {
	.magic = { PVBIND_MAGIC_BYTES },
	.version = PVBIND_VERSION,
};

static bool sb_on;

/* UEFI 2.10 §3.3: SecureBoot (global variable, 1 byte) is 1 when the firmware enforces image signatures. */
static bool read_secureboot(void)
{
	EFI_GUID global = EFI_GLOBAL_VARIABLE;
	UINT8 v = 0;
	UINTN n = sizeof(v);

	return uefi.st->RuntimeServices->GetVariable(L"SecureBoot", &global, NULL, &n, &v) ==
		       EFI_SUCCESS && n == 1 && v == 1;
}

static u32 bound_count(void)
{
	return pv_bound.version == PVBIND_VERSION && pv_bound.count <= PVBIND_MAX ? pv_bound.count : 0;
}

void uefi_secure_init(struct loader_platform *p, struct pvboot_info *info)
{
	sb_on = read_secureboot();
	if (!sb_on) {
		lprintf("uefi: secure boot: off\n");
		return;
	}
	/* Nothing unverified reaches the kernel: every check below stops the boot or refuses. */
	info->secureboot = PVSB_VERIFIED;
	p->config_bound = true;
	lprintf("uefi: secure boot: on; checking files against the %u hashes bound into this loader\n",
		bound_count());
}

bool uefi_secure_on(void)
{
	return sb_on;
}

/* The entry of this kind (and name, for files), or NULL. */
static const struct pvbind_entry *bound_file(u32 kind, const char *path)
{
	for (u32 i = 0; i < bound_count(); i++) {
		const struct pvbind_entry *e = &pv_bound.e[i];

		if (e->kind == kind && !strncmp(e->name, path, PVBIND_NAME_LEN))
			return e;
	}
	return NULL;
}

static u32 path_kind(const char *path)
{
	return !strcmp(path, KERNEL_PATH) ? PVBIND_KERNEL :
	       !strcmp(path, CONFIG_PATH) ? PVBIND_CONFIG : 0;
}

void uefi_vet_file(const char *path, const u8 *data, u32 size)
{
	const struct pvbind_entry *e;
	char have[SHA256_HEX_LEN], want[SHA256_HEX_LEN];
	u8 digest[SHA256_LEN];

	if (!sb_on)
		return;
	sha256(data, size, digest);
	sha256_hex(digest, have);
	e = bound_file(path_kind(path), path);
	if (!e)
		loader_fatal("secure boot: %s: sha256 %s is not bound into this loader; refused", path, have);
	sha256_hex(e->sha256, want);
	if (memcmp(e->sha256, digest, SHA256_LEN))
		loader_fatal("secure boot: %s: sha256 %s, bound %s; refused", path, have, want);
	linfo("uefi: secure boot: %s: sha256 %s matches\n", path, have);
}

/* A bound file that is missing: deleting the config must not drop its bound options. */
void uefi_vet_missing(const char *path)
{
	if (sb_on && bound_file(path_kind(path), path))
		loader_fatal("secure boot: %s is bound into this loader but missing; refused", path);
}

bool uefi_vet_rom(const char *name, const u8 *data, u32 size, u8 digest[SHA256_LEN])
{
	char have[SHA256_HEX_LEN];

	sha256(data, size, digest);
	if (!sb_on)
		return true;
	sha256_hex(digest, have);
	for (u32 i = 0; i < bound_count(); i++)
		if (pv_bound.e[i].kind == PVBIND_ROM && !memcmp(pv_bound.e[i].sha256, digest, SHA256_LEN)) {
			linfo("uefi: secure boot: fw_cfg %s: sha256 %s matches\n", name, have);
			return true;
		}
	/* The ROM's code would run at ring 0 under the kernel: unverified, it is not used at all. */
	lprintf("uefi: secure boot: fw_cfg %s (sha256 %s) is not bound into this loader; refused (ring 0 code); booting without it\n",
		name, have);
	return false;
}
