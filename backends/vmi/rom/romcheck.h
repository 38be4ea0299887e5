/* Host-side checks and fix-ups of a VMI ROM image (docs/vmi-rom.md "Image"), shared by romfix and tests/unit/test_vmirom.c. */
#ifndef VMI_ROMCHECK_H
#define VMI_ROMCHECK_H
#include <stddef.h>
#include <stdint.h>

#define ROMCHECK_MAX (64u * 1024)
#define ROMCHECK_TOO_LONG (96u * 1024)   /* the too-long test ROM */

/* ROM routines only the test ROMs use (offsets in the image, from nm). */
struct romcheck_syms {
	uint32_t reloc_outside;         /* vmi_reloc_outside */
	uint32_t break_checksum;        /* init_break_checksum */
	uint32_t trap_hot;              /* r_inval_page: a call first made after patching */
};

/* Where romfix finds the relocation table (offsets in the image, from nm). */
struct romcheck_table {
	uint32_t off;           /* int32 offsets from anchor, by call number */
	uint32_t type;          /* uint8 relocation types, by call number */
	uint32_t anchor;
};

struct romcheck_info {
	uint32_t size;          /* bytes, length byte * 512 */
	uint32_t data_size;     /* extension block */
	uint32_t ncalls;        /* calls with a relocation type other than NONE */
	uint32_t call_rel, jump_rel, nop;
};

uint8_t romcheck_sum(const uint8_t *img, size_t len);
/* NULL when the image is a well-formed, checksummed pvboot VMI ROM; else why. */
const char *romcheck_image(const uint8_t *img, size_t len, struct romcheck_info *info);
/* The relocation table: every implemented call inside the image. */
const char *romcheck_table(const uint8_t *img, size_t len, const struct romcheck_table *t,
			   struct romcheck_info *info);
/* Set the PnP header's checksum and the image's (its last byte). */
const char *romcheck_fix(uint8_t *img, size_t len);
/* Break a fixed image on purpose for a test ROM (romfix --variant); the
 * buffer holds ROMCHECK_TOO_LONG bytes, *len may grow. */
const char *romcheck_variant(uint8_t *img, size_t *len, const char *name,
			     const struct romcheck_syms *syms);
#endif
