/* Shared bits of the libFuzzer targets: checking diagnostics and readers over the input bytes. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/acpi.h"
#include "pvboot/boot.h"

/* What the kernel relies on in any converted boot info, whatever the input. */
static inline void check_bootinfo(const struct pvboot_info *in)
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

/*
 * What the kernel relies on in any parsed SMP configuration (MADT or MP
 * table): every count within its array, and success exactly when a CPU
 * was found.
 */
static inline void check_smp_config(const struct smp_config *cfg, int rc)
{
	if (cfg->ncpus > SMP_MAX_CPUS || cfg->nioapic > SMP_MAX_IOAPICS ||
	    cfg->noverride > SMP_MAX_OVERRIDES || (rc == 0) != (cfg->ncpus > 0))
		abort();
}

/* The contract for every diagnostic: one short line. */
static void fuzz_warn(void *ctx, const char *line)
{
	size_t n = strlen(line);

	(void)ctx;
	if (n == 0 || n >= 160 || memchr(line, '\n', n))
		abort();
}

/* The input repeated over all of physical memory: every read succeeds. */
struct tiled {
	const uint8_t *data;
	size_t size;
};

static bool tiled_read(void *ctx, u64 phys, void *buf, u32 len)
{
	const struct tiled *t = ctx;
	uint8_t *out = buf;

	if (!t->size)
		return false;
	/* The first tile (or part of one), then the output copies itself,
	 * doubling: a few memcpy calls per read instead of one per tile. */
	size_t off = phys % t->size, n = t->size - off < len ? t->size - off : len, done;
	memcpy(out, t->data + off, n);
	if (n == len)
		return true;
	memcpy(out + n, t->data, len - n < t->size ? len - n : t->size);
	done = n + (len - n < t->size ? len - n : t->size);
	/* From out + n on the bytes repeat with period t->size, and done - n
	 * is always a whole number of periods. */
	while (done < len) {
		size_t k = done - n < len - done ? done - n : len - done;
		memcpy(out + done, out + n, k);
		done += k;
	}
	return true;
}

/*
 * Up to five byte images at fixed physical addresses; reads elsewhere
 * fail.  Lets a target build a valid table chain around fuzzed bytes.
 */
struct regions {
	struct phys_image r[5];
	int n;
};

static bool regions_read(void *ctx, u64 phys, void *buf, u32 len)
{
	struct regions *rs = ctx;

	for (int i = 0; i < rs->n; i++)
		if (phys_image_read(&rs->r[i], phys, buf, len))
			return true;
	return false;
}

static void regions_add(struct regions *rs, u64 base, const void *p, size_t len)
{
	if (rs->n == 5)
		abort();
	rs->r[rs->n++] = (struct phys_image){ p, base, len };
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

/* Make the byte at off the one that brings the sum of p[0..len) to zero. */
static void fix_checksum(uint8_t *p, size_t len, size_t off)
{
	p[off] = 0;
	p[off] = (uint8_t)-acpi_checksum(p, len);
}

#endif
