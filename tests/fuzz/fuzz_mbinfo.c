/* libFuzzer target: Multiboot info conversion with the input as physical memory from 0 (MBI at 0). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/multiboot.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct pvboot_info *in)
{
	check_bootinfo(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvboot_info info;
	struct phys_image img = { data, 0, size };
	struct kopts o;

	if (mb_to_pvboot(0, phys_image_read, &img, &info, fuzz_warn, NULL) == 0) {
		check(&info);
		/* What the kernel does next with the command line. */
		kopts_defaults(&o);
		kopts_parse(&o, info.cmdline, strlen(info.cmdline), fuzz_warn,
			    NULL);
	}
	return 0;
}
