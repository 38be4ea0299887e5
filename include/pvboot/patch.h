/*
 * Call-site patching rules (docs/design.md §6), pure functions over byte buffers so
 * that host tests drive them.  Each writes at most `len` bytes into buf,
 * which will live at `addr`, and returns how many bytes it used; returning
 * `len` with buf untouched means "keep the original code".
 */
#ifndef PVBOOT_PATCH_H
#define PVBOOT_PATCH_H
#include "pvboot/types.h"
#include "pvboot/paravirt.h"

#define PV_SITE_MAX 32          /* longest site the patcher accepts */

/* Fill len bytes with the fewest long NOPs (0F 1F forms, P6 and later). */
void pv_fill_nops(u8 *buf, unsigned len);
/* Copy the template [start, end) if it fits, else keep the site. */
unsigned pv_patch_insns(u8 *buf, unsigned len, const u8 *start, const u8 *end);
/*
 * The same, but fill the whole site by giving the template's first
 * instruction (first_len bytes, no prefixes of its own, not a branch)
 * redundant DS-override prefixes instead of trailing NOPs, so the site
 * executes exactly the template's instructions.  Falls back to
 * pv_patch_insns when the prefixed instruction would pass the 15-byte
 * limit.  Returns len when it padded.
 */
unsigned pv_patch_insns_prefixed(u8 *buf, unsigned len, const u8 *start,
				 const u8 *end, unsigned first_len);
/* A direct call to target; if the target clobbers registers the site
 * must keep, save %ecx/%edx around it when there is room, else keep.
 * CS-override prefixes on the call fill the site (up to the 15-byte
 * instruction limit), so it runs as one instruction with no NOP after. */
unsigned pv_patch_call(u8 *buf, u32 addr, unsigned len, u32 target,
		       u16 tgt_clobbers, u16 site_clobbers);
/* buf[0..used) is a call pv_patch_call wrote: true, and *target (if not
 * NULL) where it goes when buf lives at addr. */
bool pv_call_target(const u8 *buf, unsigned used, u32 addr, u32 *target);
/* A direct jump (return paths: iret, sysexit). */
unsigned pv_patch_jmp(u8 *buf, u32 addr, unsigned len, u32 target);
/* ud2: an op the backend left empty must fault loudly, not run garbage. */
unsigned pv_patch_ud2(u8 *buf, unsigned len);

/*
 * The default rule for one site given the table: NULL slot -> ud2;
 * paravirt_nop / paravirt_ident_32 -> all NOPs (0 bytes used); iret and
 * irq_enable_sysexit -> jmp; anything else -> direct call as above, with
 * C functions assumed to clobber CLBR_ANY.  `nop_fn`/`ident_fn` are the
 * addresses of paravirt_nop/paravirt_ident_32 as the table stores them.
 */
unsigned pv_patch_default(const u32 *slots, u32 nop_fn, u32 ident_fn,
			  u8 type, u16 clobbers, u8 *buf, u32 addr, unsigned len);

/* What a patched site became, judged from its bytes (for counts). */
enum pv_site_kind {
	PVSITE_INDIRECT = 0,    /* unchanged: still call/jmp through the table */
	PVSITE_INLINE,          /* instructions of the backend's template */
	PVSITE_CALL,            /* direct call (possibly with saves) */
	PVSITE_JMP,             /* direct jump */
	PVSITE_NOP,             /* all NOPs */
	PVSITE_UD2,             /* the op is missing */
	PVSITE_NKINDS,
};
enum pv_site_kind pv_classify(const u8 *orig, const u8 *now, unsigned len,
			      unsigned used);
const char *pv_site_kind_name(enum pv_site_kind k);

#endif
