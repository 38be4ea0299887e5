/* libFuzzer target: the VMI ROM header validator and the ROM scan (lib/detect.c, docs/abi-vmi.md) on input placed at 0xC0000. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/detect.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void no_cpuid(void *ctx, u32 leaf, u32 out[4])
{
	memset(out, 0, 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t area[VMI_SCAN_END - VMI_SCAN_START];
	struct phys_image img = { area, VMI_SCAN_START, sizeof(area) };
	struct detect_io io = { no_cpuid, NULL, phys_image_read, &img, fuzz_warn, NULL, 0 };
	struct detect_result r;
	char why[96];
	u32 rsize = 0;

	memset(area, 0, sizeof(area));
	memcpy(area, data, size < sizeof(area) ? size : sizeof(area));
	if (!vmi_rom_validate(phys_image_read, &img, VMI_SCAN_START, &rsize, why, sizeof(why)) &&
	    (rsize < VMI_HEADER_LEN || rsize > sizeof(area)))
		abort();
	detect_probe(&io, &r);
	if (r.vmi_rom_phys && (r.env != PVENV_VMI || r.vmi_rom_phys + r.vmi_rom_size > VMI_SCAN_END))
		abort();
	return 0;
}
