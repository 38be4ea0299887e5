/*
 * pvtrace: per-op call counting .  Every op slot of the table in
 * use is replaced by a thunk that counts the call and jumps on to the
 * backend's op, so coverage is measured through the real call sites.
 * Pure helpers here; the thunks are in kernel/pvtrace.S.
 */
#ifndef PVBOOT_PVTRACE_H
#define PVBOOT_PVTRACE_H
#include "pvboot/types.h"

/* Slots below first_op hold data (struct pv_info), not ops. */
#define PVTRACE_FIRST_OP 4

/*
 * out[t] = thunks[t] for every op slot t >= first_op whose real[t] is set,
 * real[t] otherwise (data slots, and empty slots, which must stay empty
 * so that a missing op is still noticed).  Returns the number of ops
 * routed through a thunk.
 */
u32 pvtrace_build(u32 *out, const u32 *real, const u32 *thunks,
		  u32 first_op, u32 nslots);

/*
 * Ops that exist in `real` and were never called, not counting those
 * marked in exempt[] (may be NULL).  Their types are written to list[]
 * (up to max) when list is not NULL.
 */
u32 pvtrace_uncalled(const u32 *counts, const u32 *real, const u8 *exempt,
		     u32 first_op, u32 nslots, u32 *list, u32 max);

#endif
