/* Host-side checks and fix-ups of a VMI ROM image: option-ROM header, VMI 3.x header, pvboot extension, PCI 3.0 data structure, PnP header, checksums (docs/vmi-rom.md "Image"). */
#include <string.h>
#include "romcheck.h"
#include "pvboot/vmi.h"

#define PCIR_LEN        0x1c
#define PNP_LEN         32
#define PNP_CSUM        9
#define PNP_MFG         14
#define PNP_PRODUCT     16

static uint32_t rd16(const uint8_t *p) { return p[0] | p[1] << 8; }
static uint32_t rd32(const uint8_t *p) { return rd16(p) | rd16(p + 2) << 16; }
static void wr16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }

uint8_t romcheck_sum(const uint8_t *img, size_t len)
{
	uint8_t s = 0;

	for (size_t i = 0; i < len; i++)
		s += img[i];
	return s;
}

/* A NUL-terminated printable string starting at off, inside the image. */
static int string_at(const uint8_t *img, size_t len, uint32_t off)
{
	if (!off || off >= len)
		return 0;
	for (size_t i = off; i < len; i++) {
		if (!img[i])
			return i > off;
		if (img[i] < 0x20 || img[i] > 0x7e)
			return 0;
	}
	return 0;
}

/* An 8-byte jump slot: jmp rel32 to a target inside the image. */
static int slot_ok(const uint8_t *img, size_t len, uint32_t off)
{
	int64_t target = (int64_t)off + 5 + (int32_t)rd32(img + off + 1);

	return img[off] == 0xe9 && target >= VMI_HEADER_SIZE && target < (int64_t)len;
}

static const char *check_size(const uint8_t *img, size_t len)
{
	if (len < 512 || len > ROMCHECK_MAX || len % 512)
		return "image size is not a multiple of 512 between 512 bytes and 64 KiB";
	if (img[0] != 0x55 || img[1] != 0xaa)
		return "no 55 AA option-ROM signature";
	if (img[VMI_ROM_LENGTH_OFF] * 512u != len)
		return "length byte does not match the image size";
	return NULL;
}

static const char *check_vmi(const uint8_t *img, size_t len, struct romcheck_info *info)
{
	if (rd32(img + VMI_SIGNATURE_OFF) != VMI_SIGNATURE)
		return "no \"cVmi\" at +8";
	if (img[VMI_API_MAJ_OFF] != VMI_API_MAJOR)
		return "VMI API major is not 3";
	if (img[VMI_JUMP_SLOTS_OFF] < 2)
		return "fewer than two jump slots";
	if (rd32(img + VMI_EXT_MAGIC_OFF) != VMI_EXT_MAGIC || rd32(img + VMI_EXT_VERSION_OFF) != VMI_EXT_VERSION)
		return "no pvboot extension block (\"pvbx\" version 1 at +32)";
	info->data_size = rd32(img + VMI_EXT_DATA_SIZE_OFF);
	if (!info->data_size || info->data_size % 4096)
		return "data_size is not a non-zero multiple of 4 KiB";
	if (!slot_ok(img, len, VMI_INIT_SLOT_OFF))
		return "VMI_Init jump slot is not a jmp rel32 into the ROM";
	if (!slot_ok(img, len, VMI_RELOC_SLOT_OFF))
		return "GetRelocationInfo jump slot is not a jmp rel32 into the ROM";
	return NULL;
}

static const char *check_pci_pnp(const uint8_t *img, size_t len)
{
	uint32_t lic = rd16(img + VMI_LICENSE_OFF), pci = rd16(img + VMI_PCI_HEADER_OFF);
	uint32_t pnp = rd16(img + VMI_PNP_HEADER_OFF);

	if (!string_at(img, len, lic) || strcmp((const char *)img + lic, "GPL v2"))
		return "license string is not \"GPL v2\" inside the ROM";
	if (!pci || pci % 4 || pci + PCIR_LEN > len || memcmp(img + pci, "PCIR", 4))
		return "no PCI data structure (\"PCIR\") inside the ROM";
	if (rd16(img + pci + 4) != 0x15ad || rd16(img + pci + 6) != 0x0801)
		return "PCI vendor/device is not 15ad:0801";
	if (rd16(img + pci + 16) * 512u != len)
		return "PCI image length does not match the image size";
	if (!pnp || pnp % 16 || pnp + PNP_LEN > len || memcmp(img + pnp, "$PnP", 4))
		return "no PnP header (\"$PnP\") inside the ROM";
	if (romcheck_sum(img + pnp, PNP_LEN))
		return "PnP header checksum is wrong";
	if (!string_at(img, len, rd16(img + pnp + PNP_MFG)) || !string_at(img, len, rd16(img + pnp + PNP_PRODUCT)))
		return "PnP manufacturer/product strings are not inside the ROM";
	return NULL;
}

const char *romcheck_image(const uint8_t *img, size_t len, struct romcheck_info *info)
{
	const char *why;

	memset(info, 0, sizeof(*info));
	if ((why = check_size(img, len)) || (why = check_vmi(img, len, info)) ||
	    (why = check_pci_pnp(img, len)))
		return why;
	if (romcheck_sum(img, len))
		return "checksum: the bytes do not sum to 0 mod 256";
	info->size = (uint32_t)len;
	return NULL;
}

const char *romcheck_table(const uint8_t *img, size_t len, const struct romcheck_table *t,
			   struct romcheck_info *info)
{
	if (t->off + 4 * VMI_NCALLS > len || t->type + VMI_NCALLS > len || t->anchor >= len)
		return "relocation table outside the image";
	info->ncalls = info->call_rel = info->jump_rel = info->nop = 0;
	for (uint32_t c = 0; c < VMI_NCALLS; c++) {
		uint8_t type = img[t->type + c];
		int64_t at = (int64_t)t->anchor + (int32_t)rd32(img + t->off + 4 * c);

		if (type == VMI_RELOCATION_NONE)
			continue;
		if (type > VMI_RELOCATION_NOP)
			return "relocation type out of range";
		if (type != VMI_RELOCATION_NOP && (at < VMI_HEADER_SIZE || at >= (int64_t)len))
			return "a routine in the relocation table lies outside the image";
		info->ncalls++;
		info->call_rel += type == VMI_RELOCATION_CALL_REL;
		info->jump_rel += type == VMI_RELOCATION_JUMP_REL;
		info->nop += type == VMI_RELOCATION_NOP;
	}
	return NULL;
}

const char *romcheck_fix(uint8_t *img, size_t len)
{
	const char *why = check_size(img, len);
	uint32_t pnp;

	if (why)
		return why;
	pnp = rd16(img + VMI_PNP_HEADER_OFF);
	if (pnp && pnp + PNP_LEN <= len) {
		img[pnp + PNP_CSUM] = 0;
		img[pnp + PNP_CSUM] = (uint8_t)-romcheck_sum(img + pnp, PNP_LEN);
	}
	img[len - 1] = 0;
	img[len - 1] = (uint8_t)-romcheck_sum(img, len);
	return NULL;
}

/* The checksum byte (last) made right again after a change. */
static void resum(uint8_t *img, size_t len)
{
	img[len - 1] -= romcheck_sum(img, len);
}

/* A jump at off to target: rel32 (E9) in a jump slot, rel16 at +3 (16-bit). */
static void put_jmp(uint8_t *img, uint32_t off, uint32_t target, int bytes)
{
	uint32_t rel = target - (off + 1 + bytes);

	img[off] = 0xe9;
	for (int i = 0; i < bytes; i++)
		img[off + 1 + i] = (uint8_t)(rel >> (8 * i));
}

static int inside(uint32_t off, size_t len)
{
	return off >= VMI_HEADER_SIZE && off < len;
}

/* Header-only breakage: the checksum is made right again afterwards. */
static const char *break_header(uint8_t *img, size_t len, const char *name,
				const struct romcheck_syms *syms)
{
	if (!strcmp(name, "bad-signature"))
		memcpy(img + VMI_SIGNATURE_OFF, "cVmX", 4);
	else if (!strcmp(name, "api2"))
		img[VMI_API_MAJ_OFF] = 2;
	else if (!strcmp(name, "license-outside"))      /* one past the end */
		wr16(img + VMI_LICENSE_OFF, (uint32_t)len);
	else if (!strcmp(name, "pci-outside"))          /* "PCIR" runs past the end */
		wr16(img + VMI_PCI_HEADER_OFF, (uint32_t)len - 8);
	else if (!strcmp(name, "reloc-outside") && inside(syms->reloc_outside, len))
		put_jmp(img, VMI_RELOC_SLOT_OFF, syms->reloc_outside, 4);
	else if (!strcmp(name, "bad-checksum") && inside(syms->break_checksum, len))
		put_jmp(img, VMI_ROM_ENTRY_OFF, syms->break_checksum, 2);
	/* Valid headers, but int3 (CC) where the kernel first enters: the
	 * VMI_Init slot, the GetRelocationInfo slot, or a routine the kernel
	 * first calls after patching (InvalPage). */
	else if (!strcmp(name, "trap-init"))
		img[VMI_INIT_SLOT_OFF] = 0xcc;
	else if (!strcmp(name, "trap-reloc"))
		img[VMI_RELOC_SLOT_OFF] = 0xcc;
	else if (!strcmp(name, "trap-hot") && inside(syms->trap_hot, len))
		img[syms->trap_hot] = 0xcc;
	else
		return "unknown variant, or its routine offset is missing";
	return NULL;
}

const char *romcheck_variant(uint8_t *img, size_t *len, const char *name,
			     const struct romcheck_syms *syms)
{
	const char *why;

	/* 96 KiB of checksummed ROM, which SeaBIOS loads: from anywhere above
	 * 0xC8000 it runs past the 0xE0000 end of the VMI scan. */
	if (!strcmp(name, "too-long")) {
		memset(img + *len, 0, ROMCHECK_TOO_LONG - *len);
		*len = ROMCHECK_TOO_LONG;
		img[VMI_ROM_LENGTH_OFF] = ROMCHECK_TOO_LONG / 512;
	} else if ((why = break_header(img, *len, name, syms)))
		return why;
	resum(img, *len);
	return NULL;
}
