/* Call-site patching rules on byte buffers (docs/design.md §6, see pvboot/patch.h). */
#include "pvboot/patch.h"
#include "pvboot/string.h"

/* Intel SDM vol. 2B "NOP": the recommended multi-byte sequences. */
static const u8 nops[10][9] = {
	{ 0 },
	{ 0x90 },
	{ 0x66, 0x90 },
	{ 0x0f, 0x1f, 0x00 },
	{ 0x0f, 0x1f, 0x40, 0x00 },
	{ 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 },
	{ 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
	{ 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 },
};

void pv_fill_nops(u8 *buf, unsigned len)
{
	while (len) {
		unsigned n = len > 9 ? 9 : len;
		memcpy(buf, nops[n], n);
		buf += n;
		len -= n;
	}
}

unsigned pv_patch_insns(u8 *buf, unsigned len, const u8 *start, const u8 *end)
{
	unsigned n = (unsigned)(end - start);

	if (n > len)
		return len;
	memcpy(buf, start, n);
	return n;
}

/*
 * SDM vol. 2A §2.1.1: a segment-override prefix on an instruction without
 * a memory operand has no effect (reserved only for branches, which we
 * never prefix).  GNU as pads instructions the same way for branch
 * alignment.  Many prefixes can slow decoding on some small cores; the
 * trade is one instruction fewer per hot op (docs/paravirt.md).
 */
#define PREFIX_DS 0x3e
#define MAX_INSN_LEN 15

unsigned pv_patch_insns_prefixed(u8 *buf, unsigned len, const u8 *start,
				 const u8 *end, unsigned first_len)
{
	unsigned n = (unsigned)(end - start);

	if (n > len || first_len > n || len - n + first_len > MAX_INSN_LEN)
		return pv_patch_insns(buf, len, start, end);
	memset(buf, PREFIX_DS, len - n);
	memcpy(buf + len - n, start, n);
	return len;
}

static void put_rel32(u8 *p, u32 from_next, u32 target)
{
	u32 rel = target - from_next;
	memcpy(p, &rel, 4);
}

/*
 * A direct call that fills room bytes exactly: CS-override prefixes in
 * front of E8 rel32, so a 6-byte indirect-call site becomes one
 * instruction, not a call plus a NOP.  SDM vol. 2A §2.1.1 lists 2EH as
 * the CS override (a branch hint on Jcc, and "reserved" on other
 * branches); a relative CALL's target is in CS anyway, processors ignore
 * the prefix there, and GCC's -mindirect-branch-cs-prefix emits exactly
 * `cs call` for the same reason (Linux builds with it).  At most 10
 * prefixes (15-byte limit); the caller NOP-pads anything beyond.
 */
#define PREFIX_CS 0x2e
#define MAX_CALL_PREFIXES (MAX_INSN_LEN - 5)

static unsigned put_call(u8 *buf, u32 addr, unsigned room, u32 target)
{
	unsigned pre = room - 5 > MAX_CALL_PREFIXES ? MAX_CALL_PREFIXES : room - 5;

	memset(buf, PREFIX_CS, pre);
	buf[pre] = 0xe8;
	put_rel32(buf + pre + 1, addr + pre + 5, target);
	return pre + 5;
}

unsigned pv_patch_call(u8 *buf, u32 addr, unsigned len, u32 target,
		       u16 tgt_clobbers, u16 site_clobbers)
{
	u16 extra = tgt_clobbers & ~site_clobbers;

	if (extra == 0 && len >= 5)
		return put_call(buf, addr, len, target);
	/* Only %ecx/%edx can be saved here; %eax carries the result. */
	if ((extra & ~(CLBR_ECX | CLBR_EDX)) || len < 9)
		return len;
	buf[0] = 0x51;                  /* push %ecx */
	buf[1] = 0x52;                  /* push %edx */
	unsigned n = 2 + put_call(buf + 2, addr + 2, len - 4, target);
	buf[n] = 0x5a;                  /* pop %edx */
	buf[n + 1] = 0x59;              /* pop %ecx */
	return n + 2;
}

unsigned pv_patch_jmp(u8 *buf, u32 addr, unsigned len, u32 target)
{
	if (len < 5)
		return len;
	buf[0] = 0xe9;
	put_rel32(buf + 1, addr + 5, target);
	return 5;
}

unsigned pv_patch_ud2(u8 *buf, unsigned len)
{
	if (len < 2)
		return len;
	buf[0] = 0x0f;
	buf[1] = 0x0b;
	return 2;
}

unsigned pv_patch_default(const u32 *slots, u32 nop_fn, u32 ident_fn,
			  u8 type, u16 clobbers, u8 *buf, u32 addr, unsigned len)
{
	u32 fn;

	if (type >= PV_NSLOTS)
		return len;
	fn = slots[type];
	if (fn == 0)
		return pv_patch_ud2(buf, len);
	if (fn == nop_fn || fn == ident_fn)
		return 0;
	if (type == PV_TYPE_IRET || type == PV_TYPE_IRQ_ENABLE_SYSEXIT)
		return pv_patch_jmp(buf, addr, len, fn);
	return pv_patch_call(buf, addr, len, fn, CLBR_ANY, clobbers);
}

/*
 * Is buf[0..used) a call pv_patch_call wrote (prefixed or not, with or
 * without the %ecx/%edx saves)?  If so and target is given, where it goes;
 * addr is where buf will live.
 */
bool pv_call_target(const u8 *buf, unsigned used, u32 addr, u32 *target)
{
	unsigned i = 0, end = used;
	u32 rel;

	if (used >= 9 && buf[0] == 0x51 && buf[1] == 0x52 && buf[used - 2] == 0x5a && buf[used - 1] == 0x59)
		i = 2, end = used - 2;
	while (i < end && buf[i] == PREFIX_CS)
		i++;
	if (i >= end || buf[i] != 0xe8 || end - i != 5)
		return false;
	memcpy(&rel, buf + i + 1, 4);
	if (target)
		*target = addr + end + rel;
	return true;
}

enum pv_site_kind pv_classify(const u8 *orig, const u8 *now, unsigned len,
			      unsigned used)
{
	if (used >= len && memcmp(orig, now, len) == 0)
		return PVSITE_INDIRECT;
	if (used == 0)
		return PVSITE_NOP;
	if (now[0] == 0x0f && now[1] == 0x0b && used == 2)
		return PVSITE_UD2;
	if (pv_call_target(now, used, 0, NULL))
		return PVSITE_CALL;
	if (now[0] == 0xe9)
		return PVSITE_JMP;
	return PVSITE_INLINE;           /* including DS-prefixed templates */
}

const char *pv_site_kind_name(enum pv_site_kind k)
{
	static const char *const names[PVSITE_NKINDS] = {
		"indirect", "inline", "call", "jmp", "nop", "ud2",
	};
	return k < PVSITE_NKINDS ? names[k] : "?";
}
