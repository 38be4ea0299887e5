/* Unit-test helper for the firmware-table parsers (lib/acpi.c, lib/mptable.c): byte images built entry by entry, and a fake physical memory they are placed in. */
#ifndef TESTS_IMAGE_BUILD_H
#define TESTS_IMAGE_BUILD_H
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/acpi.h"

/* A table image; count is the number of put() calls, for the formats
 * whose header holds an entry count (the MP configuration table). */
struct buf {
	uint8_t b[8192];
	uint32_t len;
	uint16_t count;
};

static inline void put(struct buf *t, const void *p, uint32_t n)
{
	assert_true(t->len + n <= sizeof(t->b));
	memcpy(t->b + t->len, p, n);
	t->len += n;
	t->count++;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);               /* the host is little-endian x86 */
}

/* The low 1 MiB (BIOS area included) as a phys_read_fn; reads touching
 * [fail_lo, fail_hi) fail, as an unreadable block would. */
#define MEM_SIZE 0x100000

struct mem {
	struct phys_image img;
	uint8_t *m;
	uint64_t fail_lo, fail_hi;
};

static inline bool mem_read(void *ctx, uint64_t phys, void *buf, uint32_t len)
{
	struct mem *m = ctx;

	if (phys < m->fail_hi && phys + len > m->fail_lo)
		return false;
	return phys_image_read(&m->img, phys, buf, len);
}

static inline bool fail_read(void *ctx, uint64_t phys, void *buf, uint32_t len)
{
	return false;
}

static inline void mem_init(struct mem *m)
{
	m->m = calloc(1, MEM_SIZE);
	m->img = (struct phys_image){ m->m, 0, MEM_SIZE };
	m->fail_lo = m->fail_hi = 0;
}

#endif
