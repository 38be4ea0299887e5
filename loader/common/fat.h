/* Read-only FAT16/FAT32 reader over an injected sector reader (Microsoft FAT spec 1.03: BPB, FAT entries, directory entries, long names). */
#ifndef LOADER_FAT_H
#define LOADER_FAT_H
#include "pvboot/types.h"

#define FAT_SECTOR 512u
#define FAT_CACHE_SECTORS 4

/*
 * Read count 512-byte sectors at lba (relative to the disk) into buf.
 * Returns 0, or -1 if the device failed.
 */
typedef int (*sector_read_fn)(void *ctx, u64 lba, u32 count, void *buf);

enum {
	FAT_OK = 0,
	FAT_EIO = -1,           /* the device failed */
	FAT_ECORRUPT = -2,      /* an on-disk field is out of bounds */
	FAT_ENOENT = -3,        /* no such file or directory */
	FAT_ENOTDIR = -4,       /* a path component is a file */
	FAT_EISDIR = -5,        /* the path names a directory */
};

struct fat_vol {
	sector_read_fn read;
	void *ctx;
	u64 part_lba;
	u32 type;               /* 16 or 32 */
	u32 spc;                /* sectors per cluster */
	u32 fat_lba;            /* partition-relative */
	u32 fat_sectors;
	u32 root_lba, root_sectors;     /* FAT16 fixed root directory */
	u32 root_cluster;               /* FAT32 */
	u32 data_lba;
	u32 clusters;           /* data clusters: valid numbers are 2..clusters+1 */
	u32 cached_fat;         /* FAT sector held in fatbuf, ~0 if none */
	/*
	 * Data sectors of small fat_read()s: reading an ELF's section headers
	 * alternates between the header table and the name table, and each
	 * miss is a BIOS disk call.  Round-robin replacement.
	 */
	u64 cache_lba[FAT_CACHE_SECTORS];
	u32 cache_next;
	u8 cache[FAT_CACHE_SECTORS][FAT_SECTOR];
	u32 walk_first, walk_index, walk_cluster;      /* last chain position fat_read used */
	const char *err;        /* last corruption found, for the error line */
	u8 fatbuf[FAT_SECTOR];
	u8 secbuf[FAT_SECTOR];
};

struct fat_file {
	u32 first_cluster;
	u32 size;
	bool dir;
};

/* Check the BPB of the partition at part_lba (part_sectors long). */
int fat_mount(struct fat_vol *v, sector_read_fn rd, void *ctx, u64 part_lba,
	      u64 part_sectors);

/* Look up an absolute path ("/boot/pvkernel.elf"), case-insensitively. */
int fat_open(struct fat_vol *v, const char *path, struct fat_file *f);

/*
 * Read len bytes at off of f into buf; runs of contiguous clusters are read
 * with one call of the sector reader.  Returns bytes read (short only at
 * end of file) or a FAT_E* error.
 */
long fat_read(struct fat_vol *v, const struct fat_file *f, u32 off, void *buf, u32 len);

/* "not found", "disk read error", ... for an error code. */
const char *fat_strerror(int err);

#endif
