/* Kernel ELF checks and load plan (System V ABI / ELF 1.2, i386 supplement): what a loader must verify before copying a kernel. */
#ifndef LOADER_ELF_H
#define LOADER_ELF_H
#include "pvboot/types.h"
#include "pvboot/boot.h"

/* Read exactly len bytes at off of the kernel file; 0 or -1. */
typedef int (*file_read_fn)(void *ctx, u32 off, void *buf, u32 len);

#define ELF_MAX_SEGS 8
#define ELF_MAX_SEG_SIZE (256u << 20)

struct elf_seg {
	u32 paddr, memsz;
	u32 offset, filesz;
};

/* Where the kernel may go: RAM per the memory map, not over the loader. */
struct elf_limits {
	const struct pvboot_mmap_entry *mmap;
	u32 mmap_count;
	u32 avoid_lo, avoid_hi;         /* the loader's own memory */
};

struct elf_plan {
	u32 entry;                      /* physical */
	u32 nseg;
	struct elf_seg seg[ELF_MAX_SEGS];
	u32 lo, hi;                     /* span of all segments */
	bool has_backends;              /* .pvbackends found and valid */
	u32 backend_mask;               /* 1 << id per listed backend */
	struct pvboot_backend_list backends;
};

/*
 * Check the ELF header (class, data, version, type EXEC, machine i386),
 * every program header (PT_LOAD: file range inside the file, sizes sane,
 * in RAM, clear of the loader, no overlap with each other), the entry
 * point, and read the .pvbackends list if the section headers name one.
 * Returns 0 and fills *p, or -1 with one line in why (a missing or bad
 * backend list is not an error: has_backends stays false, why explains).
 */
int elf_check(file_read_fn rd, void *ctx, u32 file_size, const struct elf_limits *lim,
	      struct elf_plan *p, char *why, size_t wl);

#endif
