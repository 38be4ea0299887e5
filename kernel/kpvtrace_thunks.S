/*
 * pvtrace thunks: one per table slot, `lock incl pvtrace_counts[t]` then a
 * jump through pvtrace_real[t].  A thunk touches no register and no stack,
 * so it stands in for an op of any signature — including iret and
 * irq_enable_sysexit, which are jumped to.  It does change the arithmetic
 * flags, which no op promises to keep (save_fl returns only IF).
 */
#include "pvboot/paravirt.h"

	.text
	.balign 16
	.globl pvtrace_thunk_base
pvtrace_thunk_base:
	.set t, 0
	.rept PV_NSLOTS
	.balign 16
	lock incl pvtrace_counts + t * 4
	jmp *pvtrace_real + t * 4
	.set t, t + 1
	.endr

	.section .rodata
	.balign 4
	.globl pvtrace_thunks
pvtrace_thunks:
	.set t, 0
	.rept PV_NSLOTS
	.long pvtrace_thunk_base + t * 16
	.set t, t + 1
	.endr

	.bss
	.balign 4
	.globl pvtrace_counts, pvtrace_real
pvtrace_counts:	.skip PV_NSLOTS * 4
pvtrace_real:	.skip PV_NSLOTS * 4
