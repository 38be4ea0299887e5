/* libFuzzer target: Multiboot 2 information conversion with the input as the block (total_size forced to the input's length half the time). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/multiboot2.h"
#include "pvboot/multiboot.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What the kernel relies on afterwards, whatever the input. */
static void check(const struct pvboot_info *in)
{
	if (in->firmware != PVFW_MULTIBOOT2)
		abort();
	check_bootinfo(in);
	/* A copy is only kept if it is a whole, checksummed RSDP. */
	if (in->acpi_rsdp_copy_len &&
	    ((in->acpi_rsdp_copy_len != 20 && in->acpi_rsdp_copy_len != 36) ||
	     memcmp(in->acpi_rsdp_copy, "RSD PTR ", 8) != 0 ||
	     acpi_checksum(in->acpi_rsdp_copy, 20) != 0))
		abort();
	if (in->screen.kind == PVSCREEN_FRAMEBUFFER &&
	    (in->screen.bpp != 32 || in->screen.fb_base + in->screen.fb_size > 0x100000000ull))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvboot_info info;
	static _Alignas(8) uint8_t copy[MB2_INFO_MAX];
	static _Alignas(8) uint8_t buf[MB2_INFO_MAX];
	struct phys_image img = { copy, 0x10000, size };
	struct kopts o;

	if (size < 1 || size > sizeof(copy))
		return 0;
	/* The first byte picks: keep the input's total_size, or make it true. */
	memcpy(copy, data + 1, size - 1);
	img.len = size - 1;
	if ((data[0] & 1) && img.len >= 4) {
		uint32_t n = (uint32_t)img.len;
		memcpy(copy, &n, 4);
	}
	if (mb2_to_pvboot(0x10000, phys_image_read, &img, buf, sizeof(buf), &info,
			  fuzz_warn, NULL) == 0) {
		check(&info);
		kopts_defaults(&o);
		kopts_parse(&o, info.cmdline, strlen(info.cmdline), fuzz_warn, NULL);
	}
	return 0;
}
