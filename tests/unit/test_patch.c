/* Unit tests for lib/patch.c: the call-site patching rules (docs/design.md §6) on byte buffers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
/* patch.h pulls in pvboot/paravirt.h, whose typed op wrappers cast pointers to u32:
 * right on i386, a warning on a 64-bit host.  Nothing here uses them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpointer-to-int-cast"
#pragma GCC diagnostic ignored "-Wint-to-pointer-cast"
#include "pvboot/patch.h"
#pragma GCC diagnostic pop

/* Synthetic 32-bit addresses: the site, targets above and below it. */
#define SITE     0x00101000u
#define TGT_HI   0x00345670u
#define TGT_LO   0x00100000u
#define NOP_FN   0x00102000u   /* paravirt_nop */
#define IDENT_FN 0x00102010u   /* paravirt_ident_32 */
#define FN_A     0x00200000u   /* some C op */

#define CANARY 0xcc             /* int3: never written by a correct patcher */
#define BUFSZ  (PV_SITE_MAX + 8)

/* Original site bytes, as the _PVSITE / _PVSITE_HOT macros assemble them
 * (call/jmp *abs32 through a slot at 0x00400000 + type * 4). */
static const u8 site_call[6] = { 0xff, 0x15, 0x10, 0x00, 0x40, 0x00 };
static const u8 site_hot[10] = { 0x51, 0x52, 0xff, 0x15, 0x14, 0x00, 0x40, 0x00, 0x5a, 0x59 };
static const u8 site_iret[6] = { 0xff, 0x25, 0xc0, 0x00, 0x40, 0x00 };

/* A buffer holding `len` bytes of the original site (repeated/truncated
 * as needed), then canaries up to BUFSZ. */
static void prep(u8 *buf, const u8 *orig, unsigned olen, unsigned len)
{
	unsigned i;

	memset(buf, CANARY, BUFSZ);
	for (i = 0; i < len; i++)
		buf[i] = orig[i % olen];
}

static void assert_canary(const u8 *buf, unsigned len)
{
	unsigned i;

	for (i = len; i < BUFSZ; i++)
		assert_int_equal(buf[i], CANARY);
}

static u32 get_u32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

/* Where a rel32 at p, belonging to an instruction ending at next, goes. */
static u32 rel32_dest(const u8 *p, u32 next)
{
	return next + get_u32(p);
}

/* ---- pv_fill_nops -------------------------------------------------------- */

/* The Intel SDM's recommended NOPs, written out independently of lib/patch.c. */
static const struct {
	unsigned len;
	u8 b[9];
} sdm_nops[] = {
	{ 1, { 0x90 } },
	{ 2, { 0x66, 0x90 } },
	{ 3, { 0x0f, 0x1f, 0x00 } },
	{ 4, { 0x0f, 0x1f, 0x40, 0x00 } },
	{ 5, { 0x0f, 0x1f, 0x44, 0x00, 0x00 } },
	{ 6, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 } },
	{ 7, { 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00 } },
	{ 8, { 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 } },
	{ 9, { 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00 } },
};

/* Length of the NOP at p (at most `left` bytes), or 0 if none matches. */
static unsigned decode_nop(const u8 *p, unsigned left)
{
	size_t i;

	for (i = 0; i < sizeof(sdm_nops) / sizeof(sdm_nops[0]); i++)
		if (sdm_nops[i].len <= left && memcmp(p, sdm_nops[i].b, sdm_nops[i].len) == 0)
			return sdm_nops[i].len;
	return 0;
}

/* Decode [p, p+len) as NOPs exactly; returns how many, fails otherwise. */
static unsigned count_nops(const u8 *p, unsigned len)
{
	unsigned off = 0, n = 0;

	while (off < len) {
		unsigned l = decode_nop(p + off, len - off);
		if (l == 0)
			fail_msg("byte %u of %u is not the start of a NOP (%02x)", off, len, p[off]);
		off += l;
		n++;
	}
	assert_int_equal(off, len);
	return n;
}

static void test_fill_nops_zero(void **state)
{
	u8 buf[BUFSZ];

	memset(buf, CANARY, sizeof(buf));
	pv_fill_nops(buf, 0);
	assert_canary(buf, 0);
}

static void test_fill_nops_each_single_length(void **state)
{
	unsigned len;

	for (len = 1; len <= 9; len++) {
		u8 buf[BUFSZ];

		memset(buf, CANARY, sizeof(buf));
		pv_fill_nops(buf, len);
		assert_int_equal(decode_nop(buf, len), len);    /* one NOP */
		assert_memory_equal(buf, sdm_nops[len - 1].b, len);
		assert_canary(buf, len);
	}
}

static void test_fill_nops_all_lengths(void **state)
{
	unsigned len;

	for (len = 0; len <= PV_SITE_MAX; len++) {
		u8 buf[BUFSZ];
		unsigned n;

		memset(buf, CANARY, sizeof(buf));
		pv_fill_nops(buf, len);
		n = count_nops(buf, len);
		assert_int_equal(n, (len + 8) / 9);             /* fewest */
		assert_canary(buf, len);
	}
}

static void test_fill_nops_at_offset(void **state)
{
	/* As patch_site uses it: pad after the used bytes, leave them alone. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, sizeof(site_hot), 10);
	pv_fill_nops(buf + 3, 7);
	assert_memory_equal(buf, site_hot, 3);
	assert_int_equal(count_nops(buf + 3, 7), 1);
	assert_canary(buf, 10);
}

static void test_fill_nops_exact_heap_buffer(void **state)
{
	/* ASan checks there is no write past len at all. */
	unsigned len;

	for (len = 1; len <= PV_SITE_MAX; len++) {
		u8 *buf = malloc(len);

		assert_non_null(buf);
		pv_fill_nops(buf, len);
		count_nops(buf, len);
		free(buf);
	}
}

/* ---- pv_patch_insns ------------------------------------------------------ */

static const u8 tmpl_cli[] = { 0xfa };
static const u8 tmpl_pushf_pop[] = { 0x9c, 0x58 };
static const u8 tmpl_long[7] = { 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00, 0x01 };

static void test_insns_fits(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_insns(buf, 6, tmpl_pushf_pop, tmpl_pushf_pop + 2), 2);
	assert_memory_equal(buf, tmpl_pushf_pop, 2);
	assert_canary(buf, 6);
}

static void test_insns_single_byte(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_insns(buf, 10, tmpl_cli, tmpl_cli + 1), 1);
	assert_int_equal(buf[0], 0xfa);
	assert_canary(buf, 10);
}

static void test_insns_exactly_fits(void **state)
{
	u8 buf[BUFSZ];
	u8 t6[6] = { 0x0f, 0x20, 0xd8, 0x90, 0x90, 0x90 };

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_insns(buf, 6, t6, t6 + 6), 6);
	assert_memory_equal(buf, t6, 6);
	assert_canary(buf, 6);
}

static void test_insns_too_long_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_call, 6, 6);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pv_patch_insns(buf, 6, tmpl_long, tmpl_long + 7), 6);
	assert_memory_equal(buf, ref, BUFSZ);
}

static void test_insns_empty_template(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_call, 6, 6);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pv_patch_insns(buf, 6, tmpl_cli, tmpl_cli), 0);
	assert_memory_equal(buf, ref, BUFSZ);
}

/* ---- pv_patch_call ------------------------------------------------------- */

/* The call pv_patch_call writes over room bytes: n CS prefixes, E8 rel32,
 * the rel32 counted from the end of the whole prefixed instruction. */
static void assert_call(const u8 *p, u32 at, unsigned room, u32 target)
{
	unsigned pre = room - 5;

	for (unsigned i = 0; i < pre; i++)
		assert_int_equal(p[i], 0x2e);
	assert_int_equal(p[pre], 0xe8);
	assert_int_equal(rel32_dest(p + pre + 1, at + room), target);
}

static void test_call_any_site(void **state)
{
	/* A 6-byte indirect call becomes one 6-byte call: cs call rel32. */
	u8 buf[BUFSZ];
	const u8 want[6] = { 0x2e, 0xe8, 0x6a, 0x46, 0x24, 0x00 };  /* 0x345670 - 0x101006 */

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_call(buf, SITE, 6, TGT_HI, CLBR_ANY, CLBR_ANY), 6);
	assert_memory_equal(buf, want, 6);
	assert_call(buf, SITE, 6, TGT_HI);
	assert_canary(buf, 6);
}

static void test_call_negative_displacement(void **state)
{
	u8 buf[BUFSZ];
	const u8 want[6] = { 0x2e, 0xe8, 0xfa, 0xef, 0xff, 0xff };  /* -0x1006 */

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_call(buf, SITE, 6, TGT_LO, CLBR_ANY, CLBR_ANY), 6);
	assert_memory_equal(buf, want, 6);
	assert_canary(buf, 6);
}

static void test_call_wraps_address_space(void **state)
{
	/* From high memory to low: the rel32 wraps modulo 2^32. */
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_call(buf, 0xfffffff0u, 6, 0x00000100u, CLBR_ANY, CLBR_ANY), 6);
	assert_call(buf, 0xfffffff0u, 6, 0x00000100u);
	assert_int_equal(get_u32(buf + 2), 0x0000010au);
}

static void test_call_self_target(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_call(buf, SITE, 6, SITE, CLBR_ANY, CLBR_ANY), 6);
	assert_int_equal(get_u32(buf + 2), (u32)-6);
}

static void test_call_exactly_five(void **state)
{
	/* No room for a prefix: the plain call. */
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 5);
	assert_int_equal(pv_patch_call(buf, SITE, 5, TGT_HI, CLBR_ANY, CLBR_ANY), 5);
	assert_int_equal(buf[0], 0xe8);
	assert_int_equal(rel32_dest(buf + 1, SITE + 5), TGT_HI);
	assert_canary(buf, 5);
}

static void test_call_fills_every_length(void **state)
{
	/* 5..15 bytes: one instruction of exactly that length; longer sites
	 * stop at the 15-byte limit (10 prefixes) and leave the rest. */
	u8 buf[BUFSZ], ref[BUFSZ];

	for (unsigned len = 5; len <= PV_SITE_MAX; len++) {
		unsigned want = len > 15 ? 15 : len;
		prep(buf, site_call, 6, len);
		memcpy(ref, buf, BUFSZ);
		assert_int_equal(pv_patch_call(buf, SITE, len, TGT_LO, CLBR_ANY, CLBR_ANY), want);
		assert_call(buf, SITE, want, TGT_LO);
		assert_memory_equal(buf + want, ref + want, BUFSZ - want);
		u32 to = 0;
		assert_true(pv_call_target(buf, want, SITE, &to));
		assert_int_equal(to, TGT_LO);
	}
}

static void test_call_too_short_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];
	unsigned len;

	for (len = 0; len < 5; len++) {
		prep(buf, site_call, 6, len);
		memcpy(ref, buf, BUFSZ);
		assert_int_equal(pv_patch_call(buf, SITE, len, TGT_HI, CLBR_ANY, CLBR_ANY), len);
		assert_memory_equal(buf, ref, BUFSZ);
	}
}

static void test_call_hot_site_saves_ecx_edx(void **state)
{
	/* 10 bytes: push, push, cs call, pop, pop, with no NOP left over. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_ANY, CLBR_EAX), 10);
	assert_int_equal(buf[0], 0x51);         /* push %ecx */
	assert_int_equal(buf[1], 0x52);         /* push %edx */
	assert_call(buf + 2, SITE + 2, 6, TGT_HI);
	assert_int_equal(buf[8], 0x5a);         /* pop %edx */
	assert_int_equal(buf[9], 0x59);         /* pop %ecx */
	assert_canary(buf, 10);
}

static void test_call_hot_site_negative_displacement(void **state)
{
	u8 buf[BUFSZ];
	const u8 want[10] = { 0x51, 0x52, 0x2e, 0xe8, 0xf8, 0xef, 0xff, 0xff, 0x5a, 0x59 };  /* -0x1008 */

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_LO, CLBR_ANY, CLBR_EAX), 10);
	assert_memory_equal(buf, want, 10);
	assert_canary(buf, 10);
}

static void test_call_hot_site_exactly_nine(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 9);
	assert_int_equal(pv_patch_call(buf, SITE, 9, TGT_HI, CLBR_ANY, CLBR_EAX), 9);
	assert_int_equal(buf[2], 0xe8);
	assert_int_equal(rel32_dest(buf + 3, SITE + 7), TGT_HI);
	assert_int_equal(buf[7], 0x5a);
	assert_canary(buf, 9);
}

static void test_call_hot_site_too_short_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];
	unsigned len;

	for (len = 0; len < 9; len++) {
		prep(buf, site_hot, 10, len);
		memcpy(ref, buf, BUFSZ);
		assert_int_equal(pv_patch_call(buf, SITE, len, TGT_HI, CLBR_ANY, CLBR_EAX), len);
		assert_memory_equal(buf, ref, BUFSZ);
	}
}

static void test_call_hot_site_one_extra_reg(void **state)
{
	/* A target clobbering only %ecx (or %edx) still needs the saves. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_EAX | CLBR_ECX, CLBR_EAX), 10);
	assert_int_equal(buf[0], 0x51);
	assert_call(buf + 2, SITE + 2, 6, TGT_HI);

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_EDX, CLBR_EAX), 10);
	assert_int_equal(buf[9], 0x59);
}

static void test_call_eax_only_target_on_eax_site(void **state)
{
	/* No saves needed: the whole hot site is one 10-byte call. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_EAX, CLBR_EAX), 10);
	assert_call(buf, SITE, 10, TGT_HI);
	assert_canary(buf, 10);
}

static void test_call_eax_only_target_on_short_eax_site(void **state)
{
	/* No saves needed, so 5 bytes are enough even where 9 are not. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 6);
	assert_int_equal(pv_patch_call(buf, SITE, 6, TGT_HI, CLBR_EAX, CLBR_EAX), 6);
	assert_call(buf, SITE, 6, TGT_HI);
	assert_canary(buf, 6);
}

static void test_call_none_target_anywhere(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_call(buf, SITE, 6, TGT_HI, CLBR_NONE, CLBR_NONE), 6);
	assert_call(buf, SITE, 6, TGT_HI);
}

static void test_call_eax_clobber_cannot_be_saved(void **state)
{
	/* %eax carries the result: a site that keeps it gets no call. */
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_hot, 10, 10);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_ANY, CLBR_NONE), 10);
	assert_memory_equal(buf, ref, BUFSZ);
	assert_int_equal(pv_patch_call(buf, SITE, 10, TGT_HI, CLBR_EAX, CLBR_ECX | CLBR_EDX), 10);
	assert_memory_equal(buf, ref, BUFSZ);
}

static void test_call_long_site(void **state)
{
	/* 10 prefixes at most (15-byte limit); the caller pads the rest. */
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, PV_SITE_MAX);
	assert_int_equal(pv_patch_call(buf, SITE, PV_SITE_MAX, TGT_LO, CLBR_ANY, CLBR_ANY), 15);
	assert_call(buf, SITE, 15, TGT_LO);
	assert_canary(buf, PV_SITE_MAX);
}

static void test_call_target_recognises_only_calls(void **state)
{
	/* pv_call_target: what the patcher wrote, in every form, and nothing
	 * else (an indirect call, a jmp, a call with trailing bytes, an
	 * unbalanced push/pop frame, prefixes only). */
	static const u8 plain[5] = { 0xe8, 1, 0, 0, 0 };
	static const u8 saved[9] = { 0x51, 0x52, 0xe8, 1, 0, 0, 0, 0x5a, 0x59 };
	static const u8 jmp[5] = { 0xe9, 1, 0, 0, 0 };
	static const u8 trailing[6] = { 0xe8, 1, 0, 0, 0, 0x90 };
	static const u8 unbalanced[9] = { 0x51, 0x52, 0xe8, 1, 0, 0, 0, 0x5a, 0x5a };
	static const u8 prefixes[5] = { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e };
	u32 to = 0;

	assert_true(pv_call_target(plain, 5, SITE, &to));
	assert_int_equal(to, SITE + 6);
	assert_true(pv_call_target(saved, 9, SITE, &to));
	assert_int_equal(to, SITE + 8);
	assert_true(pv_call_target(saved, 9, SITE, NULL));
	assert_false(pv_call_target(site_call, 6, SITE, &to));
	assert_false(pv_call_target(site_hot, 10, SITE, &to));
	assert_false(pv_call_target(jmp, 5, SITE, &to));
	assert_false(pv_call_target(trailing, 6, SITE, &to));
	assert_false(pv_call_target(unbalanced, 9, SITE, &to));
	assert_false(pv_call_target(prefixes, 5, SITE, &to));
	assert_false(pv_call_target(plain, 4, SITE, &to));
	assert_false(pv_call_target(plain, 0, SITE, &to));
}

/* ---- pv_patch_jmp / pv_patch_ud2 ---------------------------------------- */

static void test_jmp(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_iret, 6, 6);
	assert_int_equal(pv_patch_jmp(buf, SITE, 6, TGT_HI), 5);
	assert_int_equal(buf[0], 0xe9);
	assert_int_equal(rel32_dest(buf + 1, SITE + 5), TGT_HI);
	assert_canary(buf, 6);
}

static void test_jmp_negative_displacement(void **state)
{
	u8 buf[BUFSZ];
	const u8 want[5] = { 0xe9, 0xfb, 0xef, 0xff, 0xff };

	prep(buf, site_iret, 6, 6);
	assert_int_equal(pv_patch_jmp(buf, SITE, 6, TGT_LO), 5);
	assert_memory_equal(buf, want, 5);
	assert_canary(buf, 6);
}

static void test_jmp_exactly_five(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_iret, 6, 5);
	assert_int_equal(pv_patch_jmp(buf, SITE, 5, TGT_HI), 5);
	assert_int_equal(buf[0], 0xe9);
	assert_canary(buf, 5);
}

static void test_jmp_too_short_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];
	unsigned len;

	for (len = 0; len < 5; len++) {
		prep(buf, site_iret, 6, len);
		memcpy(ref, buf, BUFSZ);
		assert_int_equal(pv_patch_jmp(buf, SITE, len, TGT_HI), len);
		assert_memory_equal(buf, ref, BUFSZ);
	}
}

static void test_ud2(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pv_patch_ud2(buf, 6), 2);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x0b);
	assert_canary(buf, 6);
}

static void test_ud2_exactly_two(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 2);
	assert_int_equal(pv_patch_ud2(buf, 2), 2);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x0b);
	assert_canary(buf, 2);
}

static void test_ud2_too_short_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_call, 6, 1);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pv_patch_ud2(buf, 1), 1);
	assert_memory_equal(buf, ref, BUFSZ);

	prep(buf, site_call, 6, 0);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pv_patch_ud2(buf, 0), 0);
	assert_memory_equal(buf, ref, BUFSZ);
}

/* ---- pv_patch_default ---------------------------------------------------- */

static u32 slots[PV_NSLOTS];

static int setup_slots(void **state)
{
	unsigned i;

	for (i = 0; i < PV_NSLOTS; i++)
		slots[i] = FN_A + i * 0x40;
	return 0;
}

static unsigned pdefault(u8 type, u16 clob, u8 *buf, unsigned len)
{
	return pv_patch_default(slots, NOP_FN, IDENT_FN, type, clob, buf, SITE, len);
}

static void test_default_null_slot_ud2(void **state)
{
	u8 buf[BUFSZ];

	slots[5] = 0;
	prep(buf, site_call, 6, 6);
	assert_int_equal(pdefault(5, CLBR_ANY, buf, 6), 2);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x0b);
	assert_canary(buf, 6);
}

static void test_default_null_iret_slot_ud2(void **state)
{
	/* A missing return path faults too, it is not jumped to address 0. */
	u8 buf[BUFSZ];

	slots[PV_TYPE_IRET] = 0;
	prep(buf, site_iret, 6, 6);
	assert_int_equal(pdefault(PV_TYPE_IRET, CLBR_ANY, buf, 6), 2);
	assert_int_equal(buf[0], 0x0f);
	assert_int_equal(buf[1], 0x0b);
}

static void test_default_nop_fn(void **state)
{
	u8 buf[BUFSZ];

	slots[7] = NOP_FN;
	prep(buf, site_call, 6, 6);
	assert_int_equal(pdefault(7, CLBR_ANY, buf, 6), 0);
	assert_canary(buf, 6);
}

static void test_default_ident_fn(void **state)
{
	u8 buf[BUFSZ];

	slots[8] = IDENT_FN;
	prep(buf, site_hot, 10, 10);
	assert_int_equal(pdefault(8, CLBR_EAX, buf, 10), 0);
	assert_canary(buf, 10);
}

static void test_default_iret_jmp(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_iret, 6, 6);
	assert_int_equal(pdefault(PV_TYPE_IRET, CLBR_ANY, buf, 6), 5);
	assert_int_equal(buf[0], 0xe9);
	assert_int_equal(rel32_dest(buf + 1, SITE + 5), slots[PV_TYPE_IRET]);
	assert_canary(buf, 6);
}

static void test_default_sysexit_jmp(void **state)
{
	u8 buf[BUFSZ];

	slots[PV_TYPE_IRQ_ENABLE_SYSEXIT] = TGT_LO;
	prep(buf, site_iret, 6, 6);
	assert_int_equal(pdefault(PV_TYPE_IRQ_ENABLE_SYSEXIT, CLBR_ANY, buf, 6), 5);
	assert_int_equal(buf[0], 0xe9);
	assert_int_equal(rel32_dest(buf + 1, SITE + 5), TGT_LO);
	assert_canary(buf, 6);
}

static void test_default_ordinary_call(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pdefault(3, CLBR_ANY, buf, 6), 6);
	assert_call(buf, SITE, 6, slots[3]);
	assert_canary(buf, 6);
}

static void test_default_ordinary_call_below_site(void **state)
{
	u8 buf[BUFSZ];

	slots[4] = TGT_LO;
	prep(buf, site_call, 6, 6);
	assert_int_equal(pdefault(4, CLBR_ANY, buf, 6), 6);
	assert_call(buf, SITE, 6, TGT_LO);
}

static void test_default_hot_site_saved_call(void **state)
{
	/* C functions are assumed to clobber CLBR_ANY. */
	u8 buf[BUFSZ];

	prep(buf, site_hot, 10, 10);
	assert_int_equal(pdefault(40, CLBR_EAX, buf, 10), 10);
	assert_int_equal(buf[0], 0x51);
	assert_int_equal(buf[1], 0x52);
	assert_call(buf + 2, SITE + 2, 6, slots[40]);
	assert_int_equal(buf[8], 0x5a);
	assert_int_equal(buf[9], 0x59);
	assert_canary(buf, 10);
}

static void test_default_hot_site_short_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_hot, 10, 8);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pdefault(40, CLBR_EAX, buf, 8), 8);
	assert_memory_equal(buf, ref, BUFSZ);
}

static void test_default_no_clobber_site_kept(void **state)
{
	u8 buf[BUFSZ], ref[BUFSZ];

	prep(buf, site_hot, 10, 10);
	memcpy(ref, buf, BUFSZ);
	assert_int_equal(pdefault(41, CLBR_NONE, buf, 10), 10);
	assert_memory_equal(buf, ref, BUFSZ);
}

static void test_default_last_slot(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(pdefault(PV_NSLOTS - 1, CLBR_ANY, buf, 6), 6);
	assert_call(buf, SITE, 6, slots[PV_NSLOTS - 1]);
}

static void test_default_type_out_of_range_kept(void **state)
{
	/* slots has exactly PV_NSLOTS entries: ASan catches any read past it. */
	u8 buf[BUFSZ], ref[BUFSZ];
	unsigned t;

	for (t = PV_NSLOTS; t <= 255; t++) {
		prep(buf, site_call, 6, 6);
		memcpy(ref, buf, BUFSZ);
		assert_int_equal(pdefault((u8)t, CLBR_ANY, buf, 6), 6);
		assert_memory_equal(buf, ref, BUFSZ);
	}
}

static void test_default_every_slot(void **state)
{
	/* Every in-range type gives ud2, nothing, a jmp or a call, never a
	 * write past the site. */
	unsigned t;

	for (t = 0; t < PV_NSLOTS; t++) {
		u8 buf[BUFSZ];
		unsigned used;

		prep(buf, site_call, 6, 6);
		used = pdefault((u8)t, CLBR_ANY, buf, 6);
		if (t == PV_TYPE_IRET || t == PV_TYPE_IRQ_ENABLE_SYSEXIT) {
			assert_int_equal(used, 5);
			assert_int_equal(buf[0], 0xe9);
			assert_int_equal(rel32_dest(buf + 1, SITE + 5), slots[t]);
		} else {
			assert_int_equal(used, 6);
			assert_call(buf, SITE, 6, slots[t]);
		}
		assert_canary(buf, 6);
	}
}

/* ---- pv_classify --------------------------------------------------------- */

/* What patch_site in kernel/kparavirt.c does after the backend's patch. */
static enum pv_site_kind finish(const u8 *orig, u8 *buf, unsigned len, unsigned used)
{
	if (used < len)
		pv_fill_nops(buf + used, len - used);
	return pv_classify(orig, buf, len, used);
}

static void test_classify_unchanged_indirect(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(finish(site_call, buf, 6, 6), PVSITE_INDIRECT);
	prep(buf, site_hot, 10, 10);
	assert_int_equal(finish(site_hot, buf, 10, 10), PVSITE_INDIRECT);
	prep(buf, site_iret, 6, 6);
	assert_int_equal(finish(site_iret, buf, 6, 6), PVSITE_INDIRECT);
}

static void test_classify_kept_by_rule_indirect(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_hot, 10, 8);
	used = pv_patch_call(buf, SITE, 8, TGT_HI, CLBR_ANY, CLBR_EAX);
	assert_int_equal(finish(site_hot, buf, 8, used), PVSITE_INDIRECT);
}

static void test_classify_nop(void **state)
{
	u8 buf[BUFSZ];

	prep(buf, site_call, 6, 6);
	assert_int_equal(finish(site_call, buf, 6, 0), PVSITE_NOP);
	assert_int_equal(count_nops(buf, 6), 1);
	prep(buf, site_hot, 10, 10);
	assert_int_equal(finish(site_hot, buf, 10, 0), PVSITE_NOP);
	assert_int_equal(count_nops(buf, 10), 2);
}

static void test_classify_ud2(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_call, 6, 6);
	used = pv_patch_ud2(buf, 6);
	assert_int_equal(finish(site_call, buf, 6, used), PVSITE_UD2);
}

static void test_classify_call(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_call, 6, 6);
	used = pv_patch_call(buf, SITE, 6, TGT_HI, CLBR_ANY, CLBR_ANY);
	assert_int_equal(finish(site_call, buf, 6, used), PVSITE_CALL);
	/* past the 15-byte limit: a prefixed call, then NOPs */
	prep(buf, site_call, 6, 20);
	used = pv_patch_call(buf, SITE, 20, TGT_HI, CLBR_ANY, CLBR_ANY);
	assert_int_equal(used, 15);
	assert_int_equal(finish(site_call, buf, 20, used), PVSITE_CALL);
}

static void test_classify_call_exact_fit(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_call, 6, 5);
	used = pv_patch_call(buf, SITE, 5, TGT_HI, CLBR_ANY, CLBR_ANY);
	assert_int_equal(used, 5);
	assert_int_equal(finish(site_call, buf, 5, used), PVSITE_CALL);
}

static void test_classify_saved_call(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_hot, 10, 10);
	used = pv_patch_call(buf, SITE, 10, TGT_LO, CLBR_ANY, CLBR_EAX);
	assert_int_equal(used, 10);
	assert_int_equal(finish(site_hot, buf, 10, used), PVSITE_CALL);
	/* and the 9-byte form, on a site one byte too short for a prefix */
	prep(buf, site_hot, 10, 9);
	used = pv_patch_call(buf, SITE, 9, TGT_LO, CLBR_ANY, CLBR_EAX);
	assert_int_equal(used, 9);
	assert_int_equal(finish(site_hot, buf, 9, used), PVSITE_CALL);
}

static void test_classify_jmp(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_iret, 6, 6);
	used = pv_patch_jmp(buf, SITE, 6, TGT_LO);
	assert_int_equal(finish(site_iret, buf, 6, used), PVSITE_JMP);
}

static void test_classify_inline_cli(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_hot, 10, 10);
	used = pv_patch_insns(buf, 10, tmpl_cli, tmpl_cli + 1);
	assert_int_equal(finish(site_hot, buf, 10, used), PVSITE_INLINE);
}

static void test_classify_inline_pushf_pop(void **state)
{
	u8 buf[BUFSZ];
	unsigned used;

	prep(buf, site_hot, 10, 10);
	used = pv_patch_insns(buf, 10, tmpl_pushf_pop, tmpl_pushf_pop + 2);
	assert_int_equal(finish(site_hot, buf, 10, used), PVSITE_INLINE);
}

static void test_classify_inline_iret(void **state)
{
	u8 buf[BUFSZ];
	const u8 iret[1] = { 0xcf };
	unsigned used;

	prep(buf, site_iret, 6, 6);
	used = pv_patch_insns(buf, 6, iret, iret + 1);
	assert_int_equal(finish(site_iret, buf, 6, used), PVSITE_INLINE);
}

static void test_classify_inline_full_length(void **state)
{
	/* A template using the whole site is inline, not "unchanged". */
	u8 buf[BUFSZ];
	const u8 t[6] = { 0xc7, 0x05, 0x00, 0x10, 0x00, 0x00 };
	unsigned used;

	prep(buf, site_call, 6, 6);
	used = pv_patch_insns(buf, 6, t, t + 6);
	assert_int_equal(used, 6);
	assert_int_equal(finish(site_call, buf, 6, used), PVSITE_INLINE);
}

static void test_classify_inline_two_bytes_not_ud2(void **state)
{
	/* 2 bytes used that are not 0f 0b (e.g. clts = 0f 06) are inline. */
	u8 buf[BUFSZ];
	const u8 clts[2] = { 0x0f, 0x06 };
	unsigned used;

	prep(buf, site_call, 6, 6);
	used = pv_patch_insns(buf, 6, clts, clts + 2);
	assert_int_equal(finish(site_call, buf, 6, used), PVSITE_INLINE);
}

static void test_classify_default_results(void **state)
{
	/* The kinds as apply_paravirt would count them for pv_patch_default. */
	u8 buf[BUFSZ];

	slots[10] = 0;
	slots[11] = NOP_FN;
	prep(buf, site_call, 6, 6);
	assert_int_equal(finish(site_call, buf, 6, pdefault(10, CLBR_ANY, buf, 6)), PVSITE_UD2);
	prep(buf, site_call, 6, 6);
	assert_int_equal(finish(site_call, buf, 6, pdefault(11, CLBR_ANY, buf, 6)), PVSITE_NOP);
	prep(buf, site_call, 6, 6);
	assert_int_equal(finish(site_call, buf, 6, pdefault(12, CLBR_ANY, buf, 6)), PVSITE_CALL);
	prep(buf, site_hot, 10, 10);
	assert_int_equal(finish(site_hot, buf, 10, pdefault(13, CLBR_EAX, buf, 10)), PVSITE_CALL);
	prep(buf, site_hot, 10, 10);
	assert_int_equal(finish(site_hot, buf, 10, pdefault(13, CLBR_NONE, buf, 10)), PVSITE_INDIRECT);
	prep(buf, site_iret, 6, 6);
	assert_int_equal(finish(site_iret, buf, 6, pdefault(PV_TYPE_IRET, CLBR_ANY, buf, 6)), PVSITE_JMP);
}

/* ---- pv_site_kind_name --------------------------------------------------- */

static void test_kind_names(void **state)
{
	assert_string_equal(pv_site_kind_name(PVSITE_INDIRECT), "indirect");
	assert_string_equal(pv_site_kind_name(PVSITE_INLINE), "inline");
	assert_string_equal(pv_site_kind_name(PVSITE_CALL), "call");
	assert_string_equal(pv_site_kind_name(PVSITE_JMP), "jmp");
	assert_string_equal(pv_site_kind_name(PVSITE_NOP), "nop");
	assert_string_equal(pv_site_kind_name(PVSITE_UD2), "ud2");
}

static void test_kind_names_distinct(void **state)
{
	int i, j;

	for (i = 0; i < PVSITE_NKINDS; i++)
		for (j = i + 1; j < PVSITE_NKINDS; j++)
			assert_string_not_equal(pv_site_kind_name((enum pv_site_kind)i),
						pv_site_kind_name((enum pv_site_kind)j));
}

static void test_kind_name_out_of_range(void **state)
{
	assert_string_equal(pv_site_kind_name(PVSITE_NKINDS), "?");
	assert_string_equal(pv_site_kind_name((enum pv_site_kind)(PVSITE_NKINDS + 1)), "?");
	assert_string_equal(pv_site_kind_name((enum pv_site_kind)1000), "?");
	assert_string_equal(pv_site_kind_name((enum pv_site_kind)-1), "?");
}

#define T(f) cmocka_unit_test_setup(f, setup_slots)

/* The byte-level rules: NOP fill, inline copies, call, jmp and ud2 forms. */
static const struct CMUnitTest rule_tests[] = {
	T(test_fill_nops_zero),
	T(test_fill_nops_each_single_length),
	T(test_fill_nops_all_lengths),
	T(test_fill_nops_at_offset),
	T(test_fill_nops_exact_heap_buffer),
	T(test_insns_fits),
	T(test_insns_single_byte),
	T(test_insns_exactly_fits),
	T(test_insns_too_long_kept),
	T(test_insns_empty_template),
	T(test_call_any_site),
	T(test_call_negative_displacement),
	T(test_call_wraps_address_space),
	T(test_call_self_target),
	T(test_call_exactly_five),
	T(test_call_fills_every_length),
	T(test_call_too_short_kept),
	T(test_call_hot_site_saves_ecx_edx),
	T(test_call_hot_site_negative_displacement),
	T(test_call_hot_site_exactly_nine),
	T(test_call_hot_site_too_short_kept),
	T(test_call_hot_site_one_extra_reg),
	T(test_call_eax_only_target_on_eax_site),
	T(test_call_eax_only_target_on_short_eax_site),
	T(test_call_none_target_anywhere),
	T(test_call_eax_clobber_cannot_be_saved),
	T(test_call_long_site),
	T(test_call_target_recognises_only_calls),
	T(test_jmp),
	T(test_jmp_negative_displacement),
	T(test_jmp_exactly_five),
	T(test_jmp_too_short_kept),
	T(test_ud2),
	T(test_ud2_exactly_two),
	T(test_ud2_too_short_kept),
};

/* The default patcher's choices and how a patched site is classified. */
static const struct CMUnitTest choice_tests[] = {
	T(test_default_null_slot_ud2),
	T(test_default_null_iret_slot_ud2),
	T(test_default_nop_fn),
	T(test_default_ident_fn),
	T(test_default_iret_jmp),
	T(test_default_sysexit_jmp),
	T(test_default_ordinary_call),
	T(test_default_ordinary_call_below_site),
	T(test_default_hot_site_saved_call),
	T(test_default_hot_site_short_kept),
	T(test_default_no_clobber_site_kept),
	T(test_default_last_slot),
	T(test_default_type_out_of_range_kept),
	T(test_default_every_slot),
	T(test_classify_unchanged_indirect),
	T(test_classify_kept_by_rule_indirect),
	T(test_classify_nop),
	T(test_classify_ud2),
	T(test_classify_call),
	T(test_classify_call_exact_fit),
	T(test_classify_saved_call),
	T(test_classify_jmp),
	T(test_classify_inline_cli),
	T(test_classify_inline_pushf_pop),
	T(test_classify_inline_iret),
	T(test_classify_inline_full_length),
	T(test_classify_inline_two_bytes_not_ud2),
	T(test_classify_default_results),
	T(test_kind_names),
	T(test_kind_names_distinct),
	T(test_kind_name_out_of_range),
};

int main(void)
{
	return cmocka_run_group_tests(rule_tests, NULL, NULL) |
	       cmocka_run_group_tests(choice_tests, NULL, NULL);
}
