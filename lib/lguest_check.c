/* The lguest host's checks on guest input (see pvboot/lguest_check.h);
 * descriptor layout per Intel SDM vol. 3 §3.4.5, privilege rules per
 * §5.5-5.8 and vol. 2 IRET. */
#include "pvboot/lguest_check.h"
#include "pvboot/lguest.h"
#include "pvboot/elf32.h"
#include "pvboot/x86.h"
#include "pvboot/string.h"

/* ---- descriptors -------------------------------------------------------- */

#define D_ACCESSED  0x100u
#define D_RW        0x200u      /* data: writable; code: readable */
#define D_EC        0x400u      /* data: expand-down; code: conforming */
#define D_CODE      0x800u
#define D_S         0x1000u     /* code/data, not system */
#define D_PRESENT   0x8000u
#define D_B         0x400000u   /* data: 32-bit upper bound */
#define D_G         0x800000u

static u32 d_base(u32 lo, u32 hi) { return (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000); }
static u32 d_dpl(u32 hi) { return (hi >> 13) & 3; }

/* The limit in bytes: "if G is set, the limit is scaled by 4 KiB and the
 * low 12 bits of an offset are not checked" (SDM §3.4.5). */
static u32 d_limit(u32 lo, u32 hi)
{
	u32 limit = (lo & 0xffff) | (hi & 0xf0000);

	return (hi & D_G) ? (limit << 12) | 0xfff : limit;
}

static bool expand_down(u32 hi) { return !(hi & D_CODE) && (hi & D_EC); }

bool lgc_desc_reach(u32 lo, u32 hi, u64 *first, u64 *last)
{
	u64 base = d_base(lo, hi), limit = d_limit(lo, hi);

	if (!expand_down(hi)) {
		*first = base;
		*last = base + limit;
		return true;
	}
	/* "offsets from limit + 1 to FFFFH or FFFFFFFFH, by the B flag" */
	u64 top = (hi & D_B) ? 0xffffffffu : 0xffffu;
	if (limit + 1 > top)
		return false;
	*first = base + limit + 1;
	*last = base + top;
	return true;
}

/* Keep an expand-up [base, base + limit] below hole; false if the base
 * itself is too close to it. */
static bool clamp(u32 *lo, u32 *hi, u32 hole)
{
	u32 base = d_base(*lo, *hi);

	if (base >= hole || hole - base < 0x1000)
		return false;
	/* Page granular: the last byte, base + (l << 12) + 0xfff, stays below. */
	u32 l = (hole - 0x1000 - base) >> 12;
	*lo = (*lo & 0xffff0000) | (l & 0xffff);
	*hi = (*hi & ~0xf0000u) | (l & 0xf0000) | D_G;
	return true;
}

static int reach_check(u32 *lo, u32 *hi, u32 hole, const char **why)
{
	u64 first, last;

	if (!lgc_desc_reach(*lo, *hi, &first, &last))
		return 0;                       /* no valid offset: reaches nothing */
	if (last < hole)
		return 0;
	if (expand_down(*hi)) {
		*why = "expand-down segment reaches the switcher or wraps past 4 GiB";
		return -1;
	}
	if (!clamp(lo, hi, hole)) {
		*why = "segment base inside the switcher";
		return -1;
	}
	return 0;
}

int lgc_check_descriptor(u32 index, u32 *lo, u32 *hi, u32 nslots,
			 u32 tss_slot, u32 ldt_slot, u32 hole, const char **why)
{
	static const char *dummy;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (index == tss_slot || (index == 0 && !(*hi & D_PRESENT)))
		return 1;                       /* the host's TSS; the null entry */
	if (index == 0 || index >= nslots || index == ldt_slot) {
		*why = "slot is the null, LDT or a missing entry";
		return -1;
	}
	if (!(*hi & D_PRESENT))
		return 0;                       /* not present: harmless */
	if (!(*hi & D_S)) {
		*why = "system descriptor (gate, TSS or LDT)";
		return -1;
	}
	if (d_dpl(*hi) == 0)
		*hi |= 1u << 13;                /* DPL 0 is the host's */
	if (reach_check(lo, hi, hole, why) < 0)
		return -1;
	*hi |= D_ACCESSED;                      /* the CPU never writes it */
	return 0;
}

const char *lgc_selector_check(u32 sel, u32 lo, u32 hi, u32 cpl, enum lgc_role role)
{
	u32 rpl = sel & 3, dpl = d_dpl(hi);

	if (!(hi & D_S))
		return "not a code or data descriptor";
	if (!(hi & D_PRESENT))
		return "descriptor not present";
	switch (role) {
	case LGC_CS:
		if (!(hi & D_CODE))
			return "cs is not a code segment";
		if (rpl != cpl)
			return "cs RPL is not the ring returned to";
		if ((hi & D_EC) ? dpl > rpl : dpl != rpl)
			return "cs DPL does not match its RPL";
		return NULL;
	case LGC_SS:
		if ((hi & D_CODE) || !(hi & D_RW))
			return "ss is not a writable data segment";
		if (rpl != cpl || dpl != cpl)
			return "ss RPL and DPL must both be the ring returned to";
		return NULL;
	case LGC_DATA:
		if ((hi & D_CODE) && !(hi & D_RW))
			return "execute-only code in a data segment register";
		if (!((hi & D_CODE) && (hi & D_EC)) && dpl < (cpl > rpl ? cpl : rpl))
			return "data segment DPL below the ring returned to";
		return NULL;
	}
	return "unknown role";
}

bool lgc_code_offset_ok(u32 lo, u32 hi, u32 off)
{
	return off <= d_limit(lo, hi);
}

struct lgc_gate lgc_decode_gate(u32 lo, u32 hi)
{
	struct lgc_gate g;

	g.handler = (hi & D_PRESENT) ? (lo & 0xffff) | (hi & 0xffff0000) : 0;
	g.sel = (u16)(lo >> 16);
	g.dpl = (hi >> 13) & 3;
	g.trap = ((hi >> 8) & 0xf) == 0xf;
	return g;
}

const char *lgc_gate_check(u32 lo, u32 hi, u32 cs_lo, u32 cs_hi, u32 cpl)
{
	u32 type = (hi >> 8) & 0x1f;            /* S bit and type */
	struct lgc_gate g = lgc_decode_gate(lo, hi);

	if (!(hi & D_PRESENT))
		return NULL;
	if (type != 0xe && type != 0xf)
		return "not a 32-bit interrupt or trap gate";
	if (!(g.sel >> 3) || (g.sel & 4))
		return "gate selector is null or in the LDT";
	const char *why = lgc_selector_check((g.sel & ~3u) | cpl, cs_lo, cs_hi, cpl, LGC_CS);
	if (why)
		return why;
	if (!lgc_code_offset_ok(cs_lo, cs_hi, g.handler))
		return "handler beyond the code segment's limit";
	return NULL;
}

/* ---- direct traps -------------------------------------------------------- */

bool lgc_ring1_stack_ok(u32 ss_lo, u32 ss_hi, u32 esp, u32 hole)
{
	return esp >= LGC_RING1_FRAME && (u64)d_base(ss_lo, ss_hi) + esp <= hole;
}

/* The gate's target: a ring-1 code segment the CPU will enter at the
 * handler with no host check in between. */
static const char *direct_target(const struct lgc_direct *d, u32 hole)
{
	const struct lgc_gate *g = &d->gate;
	u64 first, last;

	if (!(g->sel >> 3) || (g->sel & 4))
		return "gate selector is null or in the LDT";
	const char *why = lgc_selector_check((g->sel & ~3u) | LG_GUEST_RPL, d->cs_lo, d->cs_hi,
					     LG_GUEST_RPL, LGC_CS);
	if (why)
		return why;
	if (d->cs_hi & D_EC)
		return "conforming code segment: the handler would run in ring 3";
	if (!lgc_desc_reach(d->cs_lo, d->cs_hi, &first, &last) || last >= hole)
		return "code segment reaches the switcher";
	return lgc_code_offset_ok(d->cs_lo, d->cs_hi, g->handler) ? NULL : "handler beyond the code segment's limit";
}

const char *lgc_direct_trap_check(u32 vector, const struct lgc_direct *d, u32 hole)
{
	const struct lgc_gate *g = &d->gate;

	if (vector != VEC_SYSCALL)
		return "only the system-call vector is delivered directly";
	if (!g->handler)
		return "no handler registered";
	if (!g->trap)
		return "an interrupt gate: the CPU cannot clear the virtual IF";
	if (g->dpl != 3)
		return "gate DPL is not 3";
	const char *why = direct_target(d, hole);
	if (why)
		return why;
	if (!d->ss1)
		return "no SET_STACK yet";
	if ((why = lgc_selector_check(d->ss1, d->ss_lo, d->ss_hi, LG_GUEST_RPL, LGC_SS)))
		return why;
	return lgc_ring1_stack_ok(d->ss_lo, d->ss_hi, d->esp1, hole) ? NULL :
	       "the ring-1 stack's frame would not lie below the switcher";
}

/* ---- virtual interrupts ------------------------------------------------ */

int lgc_pending_vector(const u32 pending[8], const u32 blocked[8])
{
	for (int w = 7; w >= 0; w--) {
		u32 bits = pending[w] & ~blocked[w];
		if (bits)
			return w * 32 + 31 - __builtin_clz(bits);
	}
	return -1;
}

static bool unblocked(const u32 blocked[8], u32 v)
{
	return v < 256 && !(blocked[v / 32] & (1u << (v % 32)));
}

bool lgc_halt_can_wake(u32 irq_enabled, const u32 pending[8], const u32 blocked[8],
		       bool timer_armed, u32 timer_vec, u32 console_vec)
{
	if (!(irq_enabled & X86_EFLAGS_IF))
		return false;
	return lgc_pending_vector(pending, blocked) >= 0 ||
	       (timer_armed && unblocked(blocked, timer_vec)) || unblocked(blocked, console_vec);
}

/* ---- guest text ----------------------------------------------------------- */

char lgc_printable(char c)
{
	return c >= 0x20 && c <= 0x7e ? c : '?';
}

u32 lgc_sanitise(char *dst, u32 size, const char *src, u32 n)
{
	u32 bad = 0, i;

	if (!size)
		return 0;
	for (i = 0; i < n && i + 1 < size; i++) {
		dst[i] = lgc_printable(src[i]);
		bad += dst[i] != src[i];
	}
	dst[i] = '\0';
	return bad;
}

/* ---- hypercall arguments ------------------------------------------------ */

static const char *gpa_arg(u32 size, u32 gpa, u32 len, u32 align)
{
	if (gpa & (align - 1))
		return "misaligned guest address";
	return lgc_gpa_ok(size, gpa, len) ? NULL : "guest address outside guest memory";
}

const char *lgc_hcall_args(u32 nr, u32 a1, u32 a2, u32 a3, u32 size)
{
	(void)a3;
	switch (nr) {
	case LHCALL_FLUSH_ASYNC: case LHCALL_SEND_INTERRUPTS: case LHCALL_NOTIFY:
	case LHCALL_FLUSH_TLB: case LHCALL_HALT: case LHCALL_TS:
	case LHCALL_SET_CLOCKEVENT: case LHCALL_SHUTDOWN: case LHCALL_LOAD_GDT_ENTRY:
		return NULL;
	case LHCALL_LGUEST_INIT:
		return gpa_arg(size, a1, sizeof(struct lguest_data), 4);
	case LHCALL_NEW_PGTABLE:
		return gpa_arg(size, a1 & ~0xfffu, PAGE_SIZE, 1);
	case LHCALL_FORGET_PAGE:
		return gpa_arg(size, a1, PAGE_SIZE, PAGE_SIZE);
	case LHCALL_LOAD_IDT_ENTRY:
		return a1 < 256 ? NULL : "vector beyond 255";
	case LHCALL_SET_STACK:
		return (a1 & 7) == LG_GUEST_RPL ? NULL : "stack selector not a ring-1 GDT selector";
	case LHCALL_VCPU_START:
		return a1 < LG_MAX_VCPUS ? NULL : "vCPU number beyond LG_MAX_VCPUS";
	case LHCALL_SEND_IPI:
		return a1 >= LG_MAX_VCPUS ? "vCPU number beyond LG_MAX_VCPUS" :
		       a2 < 32 || a2 > 255 ? "IPI vector outside 32-255" : NULL;
	case LHCALL_SET_PTE: case LHCALL_SET_PMD: case LHCALL_SET_PGD:
		return gpa_arg(size, a1, 4, 4);
	case LHCALL_LOAD_TLS:
		return gpa_arg(size, a1, 24, 4);
	case LHCALL_CONSOLE_WRITE:
		return a2 > 4096 ? "console write longer than 4096 bytes" : gpa_arg(size, a1, a2, 1);
	}
	return "unknown hypercall";
}

/* ---- the async ring ------------------------------------------------------ */

/* One read of guest memory the compiler may neither repeat nor merge. */
#define GUEST_READ(x) (*(const volatile __typeof__(x) *)&(x))

/* 0x80 in each byte of w that is zero (queued), and only there: the
 * high bit is masked off before the add, so no carry crosses a byte. */
static u32 queued_bytes(u32 w)
{
	return ~(((w & 0x7f7f7f7fu) + 0x7f7f7f7fu) | w | 0x7f7f7f7fu);
}

/* The status bytes, once, as words; nonzero if some byte is zero.
 * (w - 0x01..) & ~w & 0x80.. may also flag a 0x01 byte above a zero one,
 * but it is nonzero exactly when some byte is zero: enough for "any". */
static u32 read_status(const u8 *status, u32 st[LG_ASYNC_SLOTS / 4])
{
	u32 any = 0;

#pragma GCC unroll 16
	for (u32 w = 0; w < LG_ASYNC_SLOTS / 4; w++) {
		st[w] = GUEST_READ(((const u32 *)status)[w]);
		any |= (st[w] - 0x01010101u) & ~st[w];
	}
	return any & 0x80808080u;
}

/* One bit per slot, bit i set when slot i is queued in the status copy
 * st: each word's four 0x80 flags gathered into a nibble by a multiply
 * (flag bits 7, 15, 23, 31 land on 21..24, no two products overlap). */
static u64 queued_map(const u32 st[LG_ASYNC_SLOTS / 4])
{
	u32 half[2] = { 0, 0 };

#pragma GCC unroll 16
	for (u32 w = 0; w < LG_ASYNC_SLOTS / 4; w++) {
		u32 q = queued_bytes(st[w]);
		if (q)
			half[w / 8] |= ((q >> 7) * 0x204081u >> 21 & 0xfu) << (w % 8 * 4);
	}
	return (u64)half[1] << 32 | half[0];
}

/* Trailing zeros of a nonzero u64 from two 32-bit counts (the kernel
 * links no libgcc for __builtin_ctzll). */
static u32 ctz64(u64 x)
{
	return (u32)x ? (u32)__builtin_ctz((u32)x) : 32 + (u32)__builtin_ctz((u32)(x >> 32));
}

/* Status bytes [i, i + len) (one ring pass, no wrap) become free: 0xFF
 * ORed into exactly those bytes, a word at a time and atomically (the
 * word's other bytes are the guest's and may change meanwhile). */
static void free_slots(u8 *status, u32 i, u32 len)
{
	for (u32 end = i + len; i < end;) {
		u32 w = i / 4, lo = i % 4, n = end - i < 4 - lo ? end - i : 4 - lo;
		u32 mask = (n == 4 ? 0xffffffffu : (1u << 8 * n) - 1) << 8 * lo;
		__atomic_fetch_or((u32 *)status + w, mask, __ATOMIC_RELEASE);
		i += n;
	}
}

/* Slots [i, i + len) of ring r (one ring pass, no wrap), all queued:
 * copied once into out[n..] (one block: each guest word read once), then
 * freed.  The new count. */
static u32 take_run(const struct lgc_ring *r, u32 i, u32 len, struct lgc_async *out, u32 n)
{
	memcpy(out + n, r->slots + 4 * i, len * sizeof(*out));
	free_slots(r->status, i, len);
	return n + len;
}

u32 lgc_async_take(const struct lgc_ring *r, struct lgc_async out[LG_ASYNC_SLOTS])
{
	u32 st[LG_ASYNC_SLOTS / 4], n = 0;

	if (!read_status(r->status, st))        /* most hypercalls find none queued */
		return 0;
	/* Bit k of `ring`: slot (start + k) % 64 is queued, so the bits run
	 * in ring order; each run of set bits is copied and freed as one. */
	u32 start = GUEST_READ(*r->next) % LG_ASYNC_SLOTS, k = 0;
	u64 map = queued_map(st), ring = start ? map >> start | map << (LG_ASYNC_SLOTS - start) : map;
	while (ring) {
		u32 skip = ctz64(ring);
		ring >>= skip;
		k += skip;
		u32 len = ~ring ? ctz64(~ring) : LG_ASYNC_SLOTS;
		u32 i = (start + k) % LG_ASYNC_SLOTS, first = len < LG_ASYNC_SLOTS - i ? len : LG_ASYNC_SLOTS - i;
		n = take_run(r, i, first, out, n);
		if (first < len)                /* the run wraps past slot 63 */
			n = take_run(r, 0, len - first, out, n);
		ring = len < LG_ASYNC_SLOTS ? ring >> len : 0;
		k += len;
	}
	return n;
}

/* ---- the guest image ------------------------------------------------------ */

static const char *plan_one(const struct elf32_phdr *ph, u32 len, u32 guest_size, struct lgc_load *l)
{
	if (ph->filesz > ph->memsz)
		return "segment's file size exceeds its memory size";
	if (ph->offset > len || ph->filesz > len - ph->offset)
		return "segment runs past the end of the file";
	if (!lgc_gpa_ok(guest_size, ph->paddr, ph->memsz))
		return "segment does not fit in guest memory";
	if (ph->paddr < 0x100000)
		return "segment below 1 MiB (the host's boot info lives there)";
	*l = (struct lgc_load){ ph->offset, ph->paddr, ph->filesz, ph->memsz };
	return NULL;
}

const char *lgc_elf_plan(const u8 *img, u32 len, u32 guest_size,
			 struct lgc_load *out, u32 *n, u32 *entry)
{
	struct elf32_ehdr eh;
	bool entry_ok = false;

	*n = 0;
	if (len < sizeof(eh))
		return "shorter than an ELF header";
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.ident, "\177ELF\1\1", 6) || eh.machine != ELF_EM_386)
		return "not a 32-bit little-endian i386 ELF file";
	if (eh.phentsize != sizeof(struct elf32_phdr) || eh.phoff > len ||
	    eh.phnum > (len - eh.phoff) / sizeof(struct elf32_phdr))
		return "program headers outside the file";
	for (u32 i = 0; i < eh.phnum; i++) {
		struct elf32_phdr ph;
		memcpy(&ph, img + eh.phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != ELF_PT_LOAD || !ph.memsz)
			continue;
		if (*n == LGC_MAX_LOADS)
			return "too many loadable segments";
		const char *why = plan_one(&ph, len, guest_size, &out[*n]);
		if (why)
			return why;
		entry_ok |= eh.entry >= ph.paddr && eh.entry - ph.paddr < ph.memsz;
		(*n)++;
	}
	if (!*n)
		return "no loadable segment";
	if (!entry_ok)
		return "entry point outside every loaded segment";
	*entry = eh.entry;
	return NULL;
}
