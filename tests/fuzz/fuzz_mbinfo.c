/* libFuzzer target: Multiboot info conversion with the input as physical memory from 0 (MBI at 0). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/multiboot.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct pvboot_info *in)
{
	if (in->mmap_count > PVBOOT_MMAP_MAX || in->mod_count > PVBOOT_MODS_MAX ||
	    in->optsrc_count > PVBOOT_OPTSRC_MAX ||
	    !memchr(in->cmdline, 0, sizeof(in->cmdline)) ||
	    !memchr(in->loader_name, 0, sizeof(in->loader_name)))
		abort();
	for (u32 i = 0; i < in->mod_count; i++)
		if (!memchr(in->mods[i].cmdline, 0, sizeof(in->mods[i].cmdline)) ||
		    in->mods[i].end < in->mods[i].start)
			abort();
	for (u32 i = 1; i < in->mmap_count; i++)
		if (in->mmap[i - 1].base > in->mmap[i].base)
			abort();
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
