/* The lguest host's checks on what a guest hands it, as pure functions
 * (lib/lguest_check.c) so the host unit tests can drive them. */
#ifndef PVBOOT_LGUEST_CHECK_H
#define PVBOOT_LGUEST_CHECK_H
#include "pvboot/types.h"

/* [gpa, gpa+len) lies inside guest memory of `size` bytes. */
bool lgc_gpa_ok(u32 size, u32 gpa, u32 len);

/*
 * A guest pte → the shadow pte: host-physical (base + gpa), only P, W,
 * U, PWT, PCD, A, D kept (never G); 0 and *refused set when the page is
 * outside guest memory.
 */
u32 lgc_translate_pte(u32 base, u32 size, u32 gpte, bool *refused);

/*
 * A GDT entry the guest asks for, made safe in place: slot 0, the LDT
 * slot and slots >= nslots refused; the TSS slot ignored (returns 1);
 * system descriptors refused; DPL 0 raised to 1; a segment reaching
 * `hole` clamped below it (refused if its base is inside); accessed bit
 * set on present descriptors.  0 = accept, 1 = ignore, -1 = refuse.
 */
int lgc_check_descriptor(u32 index, u32 *lo, u32 *hi, u32 nslots,
			 u32 tss_slot, u32 ldt_slot, u32 hole);

/* A guest IDT entry: handler (0 if not present), selector, DPL, trap gate. */
struct lgc_gate {
	u32 handler;
	u16 sel;
	u8 dpl;
	u8 trap;
};
struct lgc_gate lgc_decode_gate(u32 lo, u32 hi);

#endif
