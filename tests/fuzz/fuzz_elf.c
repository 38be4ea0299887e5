/* libFuzzer target: the kernel ELF checks (loader/common/elf.c) with the input as the kernel file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct file {
	const uint8_t *data;
	size_t size;
};

static int file_read(void *ctx, u32 off, void *buf, u32 len)
{
	const struct file *f = ctx;

	if (off > f->size || len > f->size - off)
		abort();                        /* elf_check must bound every read */
	memcpy(buf, f->data + off, len);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pvboot_mmap_entry mmap[] = {
		{ 0, 0x9fc00, E820_RAM, 0 }, { 0x100000, 0x7f00000, E820_RAM, 0 },
	};
	const struct elf_limits lim = { mmap, 2, 0, 0x70000 };
	struct file f = { data, size };
	struct elf_plan p;
	char why[120];

	if (elf_check(file_read, &f, (u32)size, &lim, &p, why, sizeof(why)))
		return 0;
	/* What a loader then trusts must hold. */
	if (!p.nseg || p.nseg > ELF_MAX_SEGS || p.entry < p.lo || p.entry >= p.hi)
		abort();
	for (u32 i = 0; i < p.nseg; i++) {
		const struct elf_seg *s = &p.seg[i];
		if (s->filesz > s->memsz || s->offset + (u64)s->filesz > size || s->paddr < 0x70000)
			abort();
	}
	return 0;
}
