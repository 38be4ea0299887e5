/* libFuzzer target: the FAT16/FAT32 reader (loader/common/fat.c) on a disk whose first sectors are the input and the rest reads as zeros. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct disk {
	const uint8_t *data;
	size_t size;
};

/* A large virtual disk, so small inputs can describe big volumes. */
static int disk_read(void *ctx, u64 lba, u32 count, void *buf)
{
	const struct disk *d = ctx;
	uint8_t *out = buf;

	if (lba > (1u << 24) || count > (1u << 16))
		abort();                        /* the reader asked for nonsense */
	for (u32 i = 0; i < count; i++, out += FAT_SECTOR) {
		u64 off = (lba + i) * FAT_SECTOR;
		size_t n = off < d->size ? d->size - off : 0;

		n = n < FAT_SECTOR ? n : FAT_SECTOR;
		memcpy(out, d->data + off, n);
		memset(out + n, 0, FAT_SECTOR - n);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = {
		"/boot/pvkernel.elf", "/boot/pvboot.cfg", "/EFI/BOOT/BOOTX64.EFI", "/a/b/c",
	};
	static uint8_t buf[70000];
	static struct fat_vol v;
	struct disk d = { data, size };
	struct fat_file f;

	if (fat_mount(&v, disk_read, &d, 0, 1u << 24))
		return 0;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (fat_open(&v, paths[i], &f))
			continue;
		long n = fat_read(&v, &f, 0, buf, sizeof(buf));
		if (n > (long)sizeof(buf) || n > (long)f.size)
			abort();
		fat_read(&v, &f, f.size / 2 + 1, buf, 513);
	}
	return 0;
}
