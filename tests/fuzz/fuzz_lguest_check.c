/* libFuzzer target: the lguest host's checks on guest-supplied descriptors,
 * selectors, gates, direct gates, page-table entries and text never accept
 * anything that reaches the switcher or host memory, or that an iret could
 * not load. */
#include <stdint.h>
#include <string.h>
#include "pvboot/lguest_check.h"

#define HOLE 0xffc00000u

/*
 * The oracle: what a descriptor reaches, from the SDM's words written out
 * again here (vol. 3 §3.4.5): the limit in bytes is scaled by G; an
 * expand-up segment reaches base + [0, limit]; an expand-down one base +
 * [limit + 1, 0xFFFF or 0xFFFFFFFF by B]; offsets are added to the base
 * modulo 4 GiB, so anything past 4 GiB wraps to 0 through the switcher.
 */
static void oracle_reach(u32 lo, u32 hi)
{
	u64 base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000u);
	u64 raw = (lo & 0xffff) | (hi & 0xf0000);
	u64 bytes = (hi & (1u << 23)) ? raw * 4096 + 4095 : raw;
	bool code = hi & (1u << 11), down = !code && (hi & (1u << 10));
	u64 first = down ? bytes + 1 : 0;
	u64 last = down ? ((hi & (1u << 22)) ? 0xffffffffull : 0xffffull) : bytes;

	if (first > last)
		return;                         /* no valid offset */
	if (base + last >= HOLE)                /* reaches the hole, or wraps through it */
		__builtin_trap();
}

static void descriptor(u32 idx, u32 lo, u32 hi)
{
	const char *why;

	if (lgc_check_descriptor(idx % 16, &lo, &hi, 11, 5, 10, HOLE, &why) != 0 || !(hi & 0x8000))
		return;
	if (!(hi & 0x1000) || ((hi >> 13) & 3) == 0 || !(hi & 0x100))
		__builtin_trap();
	oracle_reach(lo, hi);
}

/* A selector accepted for the switcher's iret obeys the iret rules. */
static void selector(u32 sel, u32 lo, u32 hi, u32 cpl, u32 role)
{
	u32 dpl = (hi >> 13) & 3, rpl = sel & 3;
	bool code = hi & 0x800, rw = hi & 0x200, conf = code && (hi & 0x400);

	cpl = 1 + (cpl & 1) * 2;                /* ring 1 or 3 */
	role %= 3;
	if (lgc_selector_check(sel, lo, hi, cpl, role))
		return;
	if (!(hi & 0x8000) || !(hi & 0x1000))
		__builtin_trap();
	if (role == LGC_CS && (!code || rpl != cpl || (conf ? dpl > rpl : dpl != rpl)))
		__builtin_trap();
	if (role == LGC_SS && (code || !rw || rpl != cpl || dpl != cpl))
		__builtin_trap();
	if (role == LGC_DATA && ((code && !rw) || (!conf && dpl < (cpl > rpl ? cpl : rpl))))
		__builtin_trap();
}

/* An accepted present gate delivers inside a ring-1 code segment. */
static void gate(u32 lo, u32 hi, u32 cs_lo, u32 cs_hi)
{
	struct lgc_gate g = lgc_decode_gate(lo, hi);

	if (lgc_gate_check(lo, hi, cs_lo, cs_hi, 1) || !(hi & 0x8000))
		return;
	u32 raw = (cs_lo & 0xffff) | (cs_hi & 0xf0000);
	u64 bytes = (cs_hi & (1u << 23)) ? (u64)raw * 4096 + 4095 : raw;
	if (g.handler > bytes || !(cs_hi & 0x800) || ((hi >> 8) & 0x1f) < 0xe)
		__builtin_trap();
}

/*
 * An accepted direct gate (the CPU enters it from ring 3 with no host
 * check) is the system-call vector's present DPL-3 trap gate into a
 * present, non-conforming DPL-1 code segment below the hole with the
 * handler inside it, and the ring-1 stack is a writable DPL-1 data
 * segment with the whole frame below the hole (written out again from
 * the SDM's rules, vol. 3 §6.12.1).
 */
static void direct(const u32 *w)
{
	struct lgc_direct d = { .gate = { .handler = w[0], .sel = (u16)w[1], .dpl = (w[1] >> 16) & 3,
					  .trap = (w[1] >> 18) & 1 },
				.cs_lo = w[2], .cs_hi = w[3], .ss1 = w[4] & 0xffff, .esp1 = w[5],
				.ss_lo = w[6], .ss_hi = w[7] };
	u32 vector = (w[1] & (1u << 19)) ? VEC_SYSCALL : w[1] >> 24;

	if (lgc_direct_trap_check(vector, &d, HOLE))
		return;
	u32 cs_dpl = (d.cs_hi >> 13) & 3, ss_dpl = (d.ss_hi >> 13) & 3;
	u64 cs_base = (d.cs_lo >> 16) | ((d.cs_hi & 0xff) << 16) | (d.cs_hi & 0xff000000u);
	u64 ss_base = (d.ss_lo >> 16) | ((d.ss_hi & 0xff) << 16) | (d.ss_hi & 0xff000000u);
	u32 raw = (d.cs_lo & 0xffff) | (d.cs_hi & 0xf0000);
	u64 bytes = (d.cs_hi & (1u << 23)) ? (u64)raw * 4096 + 4095 : raw;

	if (vector != VEC_SYSCALL || !d.gate.handler || !d.gate.trap || d.gate.dpl != 3)
		__builtin_trap();
	if (!(d.gate.sel >> 3) || (d.gate.sel & 4))
		__builtin_trap();
	if (!(d.cs_hi & 0x8000) || (d.cs_hi & 0x1800) != 0x1800 || (d.cs_hi & 0x400) || cs_dpl != 1 ||
	    d.gate.handler > bytes || cs_base + bytes >= HOLE)
		__builtin_trap();
	if ((d.ss1 & 3) != 1 || !(d.ss_hi & 0x8000) || (d.ss_hi & 0x1a00) != 0x1200 || ss_dpl != 1 ||
	    d.esp1 < 20 || ss_base + d.esp1 > HOLE)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 w[16] = { 0 };
	char text[64];

	memcpy(w, data, size < sizeof(w) ? size : sizeof(w));
	descriptor(w[0], w[1], w[2]);
	selector(w[0] & 0xffff, w[1], w[2], w[3], w[4]);
	gate(w[5], w[6], w[1], w[2]);
	direct(w + 8);
	bool refused = false;
	u32 size64 = 64u << 20, s = lgc_translate_pte(0x2000000, size64, w[3], &refused);
	if (s && ((s & ~0xfffu) < 0x2000000 || (s & ~0xfffu) >= 0x2000000 + size64 || (s & 0x100)))
		__builtin_trap();
	/* Sanitised guest text is printable ASCII only. */
	lgc_sanitise(text, sizeof(text), (const char *)data, size);
	for (u32 i = 0; text[i]; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			__builtin_trap();
	return 0;
}
