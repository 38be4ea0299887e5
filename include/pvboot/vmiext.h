/* Checks of what a VMI ROM hands the vmi backend: its pvboot extension block and its relocation info (docs/vmi-rom.md); pure, host-tested and fuzzed. */
#ifndef PVBOOT_VMIEXT_H
#define PVBOOT_VMIEXT_H
#include "pvboot/types.h"
#include "pvboot/vmi.h"

struct vmi_ext {
	u32 data_size;          /* writable bytes the ROM needs after its image */
	u32 virtual_top;        /* 0, or the ROM's floor of [top, 4 GiB) */
};

/*
 * The extension block of the len-byte ROM image rom ("pvbx" v1 at
 * VMI_EXT_OFF) and its virtual_top: NULL with *out filled, or why the
 * ROM cannot be used (written into why when it names a value).
 * copy_max: bytes set aside for image plus data.
 */
const char *vmi_ext_parse(const u8 *rom, u32 len, u32 copy_max, struct vmi_ext *out,
			  char *why, u32 wl);

/* The calls the kernel cannot run without (the return paths among them). */
extern const u8 vmi_required_calls[];
extern const u32 vmi_nrequired_calls;

/*
 * Relocation info as GetRelocationInfo(call) returned it for every call
 * (type in bits 32-39, address in bits 0-31), for a ROM running at
 * [base, base + len): split into eip[] and type[] and checked — known
 * types, CALL/JUMP targets inside the ROM, every required call present,
 * IRET and SYSEXIT jumped to.  NULL, or why not.
 */
const char *vmi_reloc_check(const u64 info[VMI_NCALLS], u32 base, u32 len,
			    u32 eip[VMI_NCALLS], u8 type[VMI_NCALLS], char *why, u32 wl);

#endif
