/* Unit tests for the lguest host's checks on guest input (lib/lguest_check.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pvboot/lguest_check.h"
#include "pvboot/x86.h"

#define MB64 (64u << 20)
#define HOLE 0xffc00000u

static void gpa_bounds(void **state)
{
	assert_true(lgc_gpa_ok(MB64, 0, MB64));
	assert_true(lgc_gpa_ok(MB64, MB64 - 4, 4));
	assert_false(lgc_gpa_ok(MB64, MB64 - 4, 5));
	assert_false(lgc_gpa_ok(MB64, MB64, 0));
	assert_false(lgc_gpa_ok(MB64, 0xfffff000u, 0x2000));   /* wraps */
	assert_false(lgc_gpa_ok(0, 0, 0));
}

static void pte_inside_is_translated(void **state)
{
	bool refused = false;
	u32 s = lgc_translate_pte(0x2000000, MB64, 0x123000 | PTE_P | PTE_W | PTE_U | PTE_G | PTE_D, &refused);

	assert_false(refused);
	assert_int_equal(s, (0x2000000 + 0x123000) | PTE_P | PTE_W | PTE_U | PTE_D);  /* no G */
}

static void pte_outside_is_refused(void **state)
{
	bool refused = false;

	assert_int_equal(lgc_translate_pte(0x2000000, MB64, MB64 | PTE_P, &refused), 0);
	assert_true(refused);
	refused = false;
	assert_int_equal(lgc_translate_pte(0x2000000, MB64, 0xfee00000 | PTE_P | PTE_W, &refused), 0);
	assert_true(refused);
}

static void pte_not_present_is_empty(void **state)
{
	bool refused = false;

	assert_int_equal(lgc_translate_pte(0x2000000, MB64, 0xfee00000 | PTE_W, &refused), 0);
	assert_false(refused);
}

/* A PTE stream: every entry of a page table, mixed inside/outside/absent. */
static void pte_stream(void **state)
{
	u32 refusals = 0;

	for (u32 i = 0; i < 1024; i++) {
		bool refused = false;
		u32 g = (i * 0x11000u) | (i % 3 ? PTE_P : 0);
		u32 s = lgc_translate_pte(0x400000, MB64, g, &refused);
		u32 gpa = g & ~0xfffu;
		if (!(g & PTE_P))
			assert_int_equal(s, 0);
		else if (gpa + 4096 <= MB64)
			assert_int_equal(s & ~0xfffu, 0x400000 + gpa);
		else
			refusals += refused;
	}
	assert_true(refusals > 0);
}

static int check(u32 idx, u32 *lo, u32 *hi)
{
	return lgc_check_descriptor(idx, lo, hi, 11, 5, 10, HOLE, NULL);
}

static void descriptor_dpl0_raised(void **state)
{
	u32 lo = 0x0000ffff, hi = 0x00cf9200;     /* flat data, DPL 0 */

	assert_int_equal(check(2, &lo, &hi), 0);
	assert_int_equal((hi >> 13) & 3, 1);
	assert_true(hi & 0x100);                   /* accessed preset */
}

static void descriptor_flat_clamped_below_hole(void **state)
{
	u32 lo = 0x0000ffff, hi = 0x00cfba00;     /* flat code, DPL 1 */

	assert_int_equal(check(1, &lo, &hi), 0);
	u32 limit = (lo & 0xffff) | (hi & 0xf0000);
	assert_int_equal(((u64)limit << 12) | 0xfff, HOLE - 1);
}

/* Found by fuzz_lguest_check: an unaligned base must not let the last
 * page of the clamped segment reach into the hole. */
static void descriptor_unaligned_base_clamped(void **state)
{
	u32 lo = 0x89898998, hi = 0x98989889;

	assert_int_equal(check(3, &lo, &hi), 0);
	u32 base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
	u32 limit = (lo & 0xffff) | (hi & 0xf0000);
	assert_true((u64)base + (((u64)limit << 12) | 0xfff) < HOLE);
}

static void descriptor_base_in_hole_refused(void **state)
{
	u32 lo = 0x0000ffff, hi = 0xffcf9200;     /* base 0xff000000 */

	lo |= 0xc0000000u & 0xffff0000u;           /* base low 16 bits 0xc000: 0xffc0c000... */
	hi = (hi & 0x00ffff00) | 0xff | 0xff000000;
	assert_int_equal(check(3, &lo, &hi), -1);
}

static void descriptor_system_refused(void **state)
{
	u32 lo = 0x00080000, hi = 0x0000ec00;     /* call gate, DPL 3 */

	assert_int_equal(check(4, &lo, &hi), -1);
	lo = 0x00000067;
	hi = 0x00008900;                           /* available TSS */
	assert_int_equal(check(6, &lo, &hi), -1);
}

static void descriptor_slots(void **state)
{
	u32 lo = 0x0000ffff, hi = 0x00cf9200;

	assert_int_equal(check(0, &lo, &hi), -1);  /* null slot */
	assert_int_equal(check(10, &lo, &hi), -1); /* LDT slot: the host's */
	assert_int_equal(check(11, &lo, &hi), -1); /* beyond the table */
	assert_int_equal(check(0xffffffffu, &lo, &hi), -1);
	assert_int_equal(check(5, &lo, &hi), 1);   /* TSS slot: ignored */
	lo = hi = 0;
	assert_int_equal(check(7, &lo, &hi), 0);   /* not present: fine */
}

static void gate_decoding(void **state)
{
	struct lgc_gate g = lgc_decode_gate(0x00081234, 0x0010ee00);   /* int gate, DPL 3 */

	assert_int_equal(g.handler, 0x00101234);
	assert_int_equal(g.sel, 8);
	assert_int_equal(g.dpl, 3);
	assert_false(g.trap);
	g = lgc_decode_gate(0x00081234, 0x00108f00);                    /* trap gate */
	assert_true(g.trap);
	g = lgc_decode_gate(0x00081234, 0x00100e00);                    /* not present */
	assert_int_equal(g.handler, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gpa_bounds),
		cmocka_unit_test(pte_inside_is_translated),
		cmocka_unit_test(pte_outside_is_refused),
		cmocka_unit_test(pte_not_present_is_empty),
		cmocka_unit_test(pte_stream),
		cmocka_unit_test(descriptor_dpl0_raised),
		cmocka_unit_test(descriptor_flat_clamped_below_hole),
		cmocka_unit_test(descriptor_unaligned_base_clamped),
		cmocka_unit_test(descriptor_base_in_hole_refused),
		cmocka_unit_test(descriptor_system_refused),
		cmocka_unit_test(descriptor_slots),
		cmocka_unit_test(gate_decoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
