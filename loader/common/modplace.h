/* Boot module placement (host=lguest): the lowest free page-aligned RAM range for a module, from the E820 map (pure; tests/unit/test_modplace.c). */
#ifndef LOADER_MODPLACE_H
#define LOADER_MODPLACE_H
#include "pvboot/types.h"
#include "pvboot/boot.h"

/*
 * Modules end below the lguest switcher (the top 4 MiB, docs/lguest-design.md):
 * the host reads mods[0] through its identity map, which leaves that hole.
 */
#define MOD_PLACE_LIMIT 0xffc00000u
#define MOD_PLACE_MIN   0x100000u       /* never in the low 1 MiB */

/* A range the module must not touch: [lo, hi). */
struct mod_range {
	u32 lo, hi;
};

/*
 * The lowest page-aligned a >= max(from, 1 MiB) with [a, a + size) inside
 * E820 RAM (adjacent RAM entries count as one), touching no other map
 * entry (reserved wins over RAM) and none of avoid[0..navoid), and ending
 * at or below limit.  0 if there is none (or size is 0).
 */
u32 mod_place_choose(const struct pvboot_mmap_entry *mmap, u32 nmap,
		     const struct mod_range *avoid, u32 navoid, u32 from, u32 limit, u32 size);

#endif
