/* Firmware tables and devices for the UEFI loader: ACPI RSDP from the configuration table (UEFI 2.10 §4.6), GOP (§12.9), QEMU fw_cfg genroms/ (docs/design.md §5). */
#include "uefi.h"
#include "../common/fwcfg.h"
#include "pvboot/detect.h"
#include "pvboot/string.h"
#include "pvboot/cpuid.h"

#define ROM_MAX 0x20000u                /* the whole option-ROM window */

/* ACPI 2.0+ RSDP preferred (it has the XSDT), the 1.0 one otherwise. */
void uefi_find_rsdp(struct pvboot_info *info)
{
	EFI_GUID v2 = ACPI_20_TABLE_GUID, v1 = ACPI_TABLE_GUID;
	EFI_CONFIGURATION_TABLE *t = uefi.st->ConfigurationTable;
	u64 old = 0;

	for (UINTN i = 0; i < uefi.st->NumberOfTableEntries; i++) {
		if (!memcmp(&t[i].VendorGuid, &v2, sizeof(v2))) {
			info->acpi_rsdp = (u64)(uintptr_t)t[i].VendorTable;
			return;
		}
		if (!memcmp(&t[i].VendorGuid, &v1, sizeof(v1)))
			old = (u64)(uintptr_t)t[i].VendorTable;
	}
	info->acpi_rsdp = old;
}

/* The GOP's current mode as the kernel's framebuffer (docs/design.md §4). */
void uefi_find_gop(struct pvboot_info *info)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi;

	info->screen.kind = PVSCREEN_NONE;
	if (uefi.bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop->Mode)
		return;
	mi = gop->Mode->Info;
	if (!mi || mi->PixelFormat == PixelBltOnly || gop->Mode->FrameBufferBase >= 0x100000000ull)
		return;                 /* no linear framebuffer the i386 kernel can reach */
	info->screen.kind = PVSCREEN_FRAMEBUFFER;
	info->screen.fb_base = gop->Mode->FrameBufferBase;
	info->screen.fb_size = (u32)gop->Mode->FrameBufferSize;
	info->screen.width = mi->HorizontalResolution;
	info->screen.height = mi->VerticalResolution;
	info->screen.pitch = mi->PixelsPerScanLine * 4;
	info->screen.bpp = 32;
	info->screen.pixel_format = mi->PixelFormat;
	linfo("uefi: GOP framebuffer %ux%u at %#llx, pitch %u, format %u\n",
		info->screen.width, info->screen.height, (unsigned long long)info->screen.fb_base,
		info->screen.pitch, info->screen.pixel_format);
}

/* ---- VMI ROMs from QEMU fw_cfg (genroms/) -------------------------------- */

struct rom_pick {
	u16 select[4];
	u32 size[4];
	char name[4][FWCFG_NAME_LEN];
	u32 n;
};

/* genroms/<anything>.rom: what QEMU's -option-rom puts there. */
static bool pick_rom(void *ctx, const char *name, u16 select, u32 size)
{
	struct rom_pick *r = ctx;
	size_t n = strlen(name);

	if (strncmp(name, "genroms/", 8) || n < 12 || strcmp(name + n - 4, ".rom"))
		return true;
	if (r->n < ARRAY_SIZE(r->select)) {
		r->select[r->n] = select, r->size[r->n] = size;
		memcpy(r->name[r->n++], name, n + 1);
	}
	return true;
}

/* Validate one fw_cfg ROM as if it sat at 0xC0000; place it if valid. */
static bool try_rom(struct loader_platform *p, const struct rom_pick *r, u32 i, u8 *buf)
{
	struct phys_image img = { buf, VMI_SCAN_START, r->size[i] };
	u8 digest[SHA256_LEN];
	char why[100];
	u32 size;

	fwcfg_read_select(&fwcfg_ports, r->select[i], buf, r->size[i]);
	if (vmi_rom_validate(phys_image_read, &img, VMI_SCAN_START, &size, why, sizeof(why))) {
		linfo("uefi: fw_cfg %s is not a VMI ROM: %s\n", r->name[i], why);
		return false;
	}
	linfo("uefi: fw_cfg %s: valid VMI ROM, %u bytes\n", r->name[i], size);
	if (!uefi_vet_rom(r->name[i], buf, r->size[i], digest))
		return false;           /* Secure Boot and not bound: said why */
	uefi_place_rom(buf, size, &p->rom_phys);
	if (!p->rom_phys) {
		lprintf("uefi: no memory below 4 GiB for the VMI ROM; continuing without it\n");
		return false;
	}
	p->rom_size = size;
	uefi_measure_rom(r->name[i], buf, r->size[i], digest);
	return true;
}

/* OVMF runs no legacy option ROMs: fetch a VMI ROM from fw_cfg (docs/design.md §5). */
void uefi_find_vmi_rom(struct loader_platform *p)
{
	struct rom_pick r = { .n = 0 };
	void *buf;

	if (fwcfg_foreach(&fwcfg_ports, pick_rom, &r) || !r.n)
		return;
	if (uefi.bs->AllocatePool(EfiLoaderData, ROM_MAX, &buf) != EFI_SUCCESS)
		return;
	for (u32 i = 0; i < r.n; i++) {
		if (r.size[i] > ROM_MAX || r.size[i] < VMI_HEADER_LEN) {
			linfo("uefi: fw_cfg %s: %u bytes is no VMI ROM\n", r.name[i], r.size[i]);
			continue;
		}
		if (try_rom(p, &r, i, buf))
			break;
	}
	uefi.bs->FreePool(buf);
}

void uefi_cpuid(void *ctx, u32 leaf, u32 out[4])
{
	x86_cpuid(leaf, out);
}

/* Boot services identity-map memory: a physical address is a pointer. */
bool uefi_phys_read(void *ctx, u64 phys, void *buf, u32 len)
{
	if (phys + len > 0x100000000ull || phys + len < phys)
		return false;
	memcpy(buf, (const void *)(uintptr_t)phys, len);
	return true;
}
