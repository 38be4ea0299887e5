/* pvtrace table building and the never-called count (pvboot/pvtrace.h). */
#include "pvboot/pvtrace.h"

u32 pvtrace_build(u32 *out, const u32 *real, const u32 *thunks,
		  u32 first_op, u32 nslots)
{
	u32 routed = 0;

	for (u32 t = 0; t < nslots; t++) {
		bool op = t >= first_op && real[t];
		out[t] = op ? thunks[t] : real[t];
		routed += op;
	}
	return routed;
}

u32 pvtrace_uncalled(const u32 *counts, const u32 *real, const u8 *exempt,
		     u32 first_op, u32 nslots, u32 *list, u32 max)
{
	u32 n = 0;

	for (u32 t = first_op; t < nslots; t++) {
		if (!real[t] || counts[t] || (exempt && exempt[t]))
			continue;
		if (list && n < max)
			list[n] = t;
		n++;
	}
	return n;
}
