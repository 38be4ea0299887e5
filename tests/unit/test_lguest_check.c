/* Unit tests for the lguest host's checks on guest input (lib/lguest_check.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "pvboot/lguest_check.h"
#include "pvboot/x86.h"
#include "pvboot/lguest.h"
#include "pvboot/elf32.h"
#include <string.h>

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


/* ---- reach, expand-down, wrap ---------------------------------------------- */

static void reach_expand_up_and_down(void **state)
{
	u64 first, last;

	assert_true(lgc_desc_reach(0x0000ffff, 0x00cf9200, &first, &last));     /* flat */
	assert_int_equal(first, 0);
	assert_int_equal(last, 0xffffffffu);
	assert_true(lgc_desc_reach(0x00000000, 0x00409600, &first, &last));     /* down, limit 0, B=1, G=0 */
	assert_int_equal(first, 1);
	assert_int_equal(last, 0xffffffffu);
	assert_true(lgc_desc_reach(0x10000fff, 0x00009600, &first, &last));     /* down, 16-bit, base 0x1000 */
	assert_int_equal(first, 0x2000);
	assert_int_equal(last, 0x10fff);
	assert_false(lgc_desc_reach(0x0000ffff, 0x00009600, &first, &last));    /* down, limit 0xffff, B=0: empty */
	assert_true(lgc_desc_reach(0x0000ffff, 0x00cf9240, &first, &last));     /* base 4 MiB, 4 GiB: wraps */
	assert_int_equal(last, 0x400000ull + 0xffffffffu);
}

/* The ways a data segment reaches the switcher that the old clamp missed. */
static void descriptor_expand_down_refused(void **state)
{
	const char *why;
	u32 lo = 0x00000000, hi = 0x00c0b600;      /* expand-down, limit 0, DPL 1 */

	assert_int_equal(lgc_check_descriptor(9, &lo, &hi, 11, 5, 10, HOLE, &why), -1);
	assert_non_null(strstr(why, "expand-down"));
	lo = 0x80000fff, hi = 0xff00b6bf;          /* 16-bit expand-down at 0xffbf8000 */
	assert_int_equal(lgc_check_descriptor(9, &lo, &hi, 11, 5, 10, HOLE, &why), -1);
	lo = 0x10000fff, hi = 0x0000b600;          /* 16-bit expand-down at 0x1000: below */
	assert_int_equal(lgc_check_descriptor(9, &lo, &hi, 11, 5, 10, HOLE, &why), 0);
	assert_int_equal(hi, 0x0000b700);          /* unchanged but for the accessed bit */
	lo = 0x0000ffff, hi = 0x00cfb600;          /* expand-down, limit 0xfffff pages: empty */
	assert_int_equal(lgc_check_descriptor(9, &lo, &hi, 11, 5, 10, HOLE, &why), 0);
}

static void descriptor_wrap_clamped(void **state)
{
	u32 lo = 0x0000ffff, hi = 0x00cfb240;      /* base 4 MiB, 4 GiB */
	u64 first, last;

	assert_int_equal(check(9, &lo, &hi), 0);
	assert_true(lgc_desc_reach(lo, hi, &first, &last));
	assert_int_equal(last, HOLE - 1);
	lo = 0xf000ffff, hi = 0xff00b2bf;          /* byte granular, base 0xffbff000, 64 KiB */
	assert_int_equal(check(9, &lo, &hi), 0);
	assert_true(lgc_desc_reach(lo, hi, &first, &last));
	assert_true(last < HOLE);
	lo = 0x0000ffff, hi = 0xffcfb2c0;          /* base 0xffc00000: inside */
	assert_int_equal(check(9, &lo, &hi), -1);
}

static void null_slot_ignored(void **state)
{
	u32 lo = 0, hi = 0;

	assert_int_equal(check(0, &lo, &hi), 1);
}

/* ---- selectors for the switcher's iret ------------------------------------ */

static void selector_rules(void **state)
{
	/* ring-1 flat code and data, DPL 1 */
	assert_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cfbb00, 1, LGC_CS));
	assert_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cfb300, 1, LGC_SS));
	assert_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cfb300, 1, LGC_DATA));
	assert_non_null(lgc_selector_check(0x08, 0x0000ffff, 0x00cfbb00, 1, LGC_CS));   /* RPL 0 */
	assert_non_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cffb00, 1, LGC_CS));   /* DPL 3 */
	assert_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cf9f00, 1, LGC_CS));       /* conforming DPL 0 */
	assert_non_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cff300, 1, LGC_SS));   /* DPL 3 ss */
	assert_non_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cfb100, 1, LGC_SS));   /* read-only */
	assert_non_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cfbb00, 1, LGC_SS));   /* code */
	assert_non_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cf3300, 1, LGC_SS));   /* not present */
	assert_non_null(lgc_selector_check(0x11, 0x0000ffff, 0x00cf9300, 1, LGC_DATA)); /* DPL 0 data */
	assert_non_null(lgc_selector_check(0x13, 0x0000ffff, 0x00cfb300, 3, LGC_DATA)); /* DPL 1 at ring 3 */
	assert_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cfbb00, 1, LGC_DATA));     /* readable code */
	assert_non_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cfb900, 1, LGC_DATA)); /* execute-only */
	assert_non_null(lgc_selector_check(0x09, 0x0000ffff, 0x00cf0b00, 1, LGC_DATA)); /* system */
}

static void code_offsets(void **state)
{
	assert_true(lgc_code_offset_ok(0x00001fff, 0x00c0ba00, 0x01ffffff));
	assert_false(lgc_code_offset_ok(0x00001fff, 0x00c0ba00, 0x02000000));
	assert_true(lgc_code_offset_ok(0x00000fff, 0x00409a00, 0xfff));        /* byte granular */
	assert_false(lgc_code_offset_ok(0x00000fff, 0x00409a00, 0x1000));
}

static void gate_rules(void **state)
{
	u32 cs_lo = 0x0000ffff, cs_hi = 0x00cfbb00;        /* clamped below: limit as host makes it */
	u32 lo = 0x0000fbff, hi = 0x00cfbb00;              /* code ending at 0xfbffffff */

	(void)cs_lo, (void)cs_hi;
	assert_null(lgc_gate_check(0x00081000, 0x0010ae00, lo, hi, 1));                /* ok */
	assert_null(lgc_gate_check(0x00081000, 0x00102e00, lo, hi, 1));                /* not present */
	assert_non_null(lgc_gate_check(0x00080010, 0xffc0ae00, lo, hi, 1));            /* beyond cs */
	assert_non_null(lgc_gate_check(0x00081000, 0x0010a600, lo, hi, 1));            /* 16-bit */
	assert_non_null(lgc_gate_check(0x00081000, 0x0010ac00, lo, hi, 1));            /* call gate */
	assert_non_null(lgc_gate_check(0x00001000, 0x0010ae00, lo, hi, 1));            /* null sel */
	assert_non_null(lgc_gate_check(0x000c1000, 0x0010ae00, lo, hi, 1));            /* LDT sel */
	assert_non_null(lgc_gate_check(0x00101000, 0x0010ae00, 0x0000ffff, 0x00cfb300, 1)); /* data */
}

/* ---- direct traps --------------------------------------------------------------- */

#define KDATA1 0x0000fbff, 0x00cfb300           /* ring-1 data, the same */

/* A direct-gate request the host accepts; each test spoils one thing. */
static struct lgc_direct good_direct(void)
{
	return (struct lgc_direct){ .gate = { .handler = 0x101000, .sel = 0x08, .dpl = 3, .trap = 1 },
				    .cs_lo = 0x0000fbff, .cs_hi = 0x00cfbb00, .ss1 = 0x11, .esp1 = 0x200000,
				    .ss_lo = 0x0000fbff, .ss_hi = 0x00cfb300 };
}

static void direct_gate_rules(void **state)
{
	struct lgc_direct d = good_direct();

	assert_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	/* only the system-call vector: not an exception, the hypercall or a host vector */
	assert_non_null(lgc_direct_trap_check(14, &d, HOLE));
	assert_non_null(lgc_direct_trap_check(LG_HCALL_VECTOR, &d, HOLE));
	assert_non_null(lgc_direct_trap_check(VEC_IRQ_BASE, &d, HOLE));
	assert_non_null(lgc_direct_trap_check(VEC_TIMER, &d, HOLE));
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL + 1, &d, HOLE));
	d.gate.handler = 0;                                     /* not present */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.gate.trap = 0;                     /* interrupt gate */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	for (u8 dpl = 0; dpl < 3; dpl++) {                      /* ring 3 must take #GP */
		d = good_direct(), d.gate.dpl = dpl;
		assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	}
	d = good_direct(), d.gate.sel = 0;                      /* null selector */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.gate.sel = 0x0c;                   /* LDT */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.gate.sel = 0x0b;                   /* RPL 3 is ignored: the CPU enters at DPL */
	assert_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
}

/* The descriptor behind the gate's selector, as it may be changed later. */
static void direct_gate_code_segment(void **state)
{
	static const u32 bad[][2] = {
		{ 0x0000fbff, 0x00cfbf00 },                     /* conforming: runs in ring 3 */
		{ 0x0000fbff, 0x00cffb00 },                     /* DPL 3 */
		{ 0x0000fbff, 0x00cf9b00 },                     /* DPL 0 */
		{ 0x0000fbff, 0x00cf3b00 },                     /* not present */
		{ KDATA1 },                                     /* data */
		{ 0x0000fbff, 0x00cf0e00 },                     /* system descriptor */
		{ 0, 0 },                                       /* no guest slot */
		{ 0x0000ffff, 0x00cfbb00 },                     /* reaches the switcher */
		{ 0x0000ffff, 0x10cfbb00 },                     /* wraps past 4 GiB through it */
		{ 0x00000fff, 0x00c0bb00 },                     /* 16 MiB: handler beyond */
	};
	struct lgc_direct d = good_direct();

	d.gate.handler = 0x1000000;
	assert_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	for (u32 i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.cs_lo = bad[i][0], d.cs_hi = bad[i][1];
		assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	}
	d.cs_lo = 0x00000fff, d.cs_hi = 0x00c0bb00, d.gate.handler = 0xffffff;  /* last byte inside */
	assert_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
}

/* The SET_STACK stack the CPU uses unaided. */
static void direct_gate_stack(void **state)
{
	struct lgc_direct d = good_direct();

	d.ss1 = 0;                                              /* no SET_STACK yet */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.ss1 = 0x13;                        /* RPL 3 */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.ss_hi = 0x00cff300;                /* DPL 3 */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.ss_hi = 0x00cfb100;                /* read-only */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.ss_lo = d.ss_hi = 0;               /* the slot is gone */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d = good_direct(), d.esp1 = HOLE;                       /* frame just below */
	assert_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d.esp1 = HOLE + 4;                                      /* the top word in the switcher */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	d.esp1 = 19;                                            /* wraps below 0 */
	assert_non_null(lgc_direct_trap_check(VEC_SYSCALL, &d, HOLE));
	/* linear, by the segment's base: 0x10000000 */
	assert_true(lgc_ring1_stack_ok(0x0000ffff, 0x10cfb300, HOLE - 0x10000000u, HOLE));
	assert_false(lgc_ring1_stack_ok(0x0000ffff, 0x10cfb300, HOLE - 0x10000000u + 1, HOLE));
	assert_false(lgc_ring1_stack_ok(0x0000ffff, 0xf0cfb300, 0x20000000u, HOLE));   /* wraps past 4 GiB */
	assert_true(lgc_ring1_stack_ok(KDATA1, 20, HOLE));
	assert_false(lgc_ring1_stack_ok(KDATA1, 0, HOLE));
	assert_false(lgc_ring1_stack_ok(KDATA1, 0xffffffffu, HOLE));
}

/* ---- interrupts and halt ---------------------------------------------------- */

static void pending_and_wake(void **state)
{
	u32 p[8] = { 0 }, b[8] = { 0 };

	assert_int_equal(lgc_pending_vector(p, b), -1);
	p[7] = 1u << 16;                                   /* 0xf0 */
	p[1] = 1u << 4;                                    /* 0x24 */
	assert_int_equal(lgc_pending_vector(p, b), 0xf0);  /* the higher vector first */
	p[7] |= 1u << 17;                                  /* 0xf1, an IPI: before the timer */
	assert_int_equal(lgc_pending_vector(p, b), 0xf1);
	p[7] &= ~(1u << 17);
	b[7] = 1u << 16;
	assert_int_equal(lgc_pending_vector(p, b), 0x24);
	b[1] = 1u << 4;
	assert_int_equal(lgc_pending_vector(p, b), -1);
	p[0] = 1u << 31 | 1u << 3;                         /* bit 31 of a word: no sign trouble */
	assert_int_equal(lgc_pending_vector(p, b), 31);
	p[0] = 0;
	/* IF off: nothing wakes, whatever is pending or armed */
	assert_false(lgc_halt_can_wake(0, p, (u32[8]){ 0 }, true, 0xf0, 0x24));
	/* IF on: the timer, or pending, or console input */
	memset(p, 0, sizeof(p));
	memset(b, 0, sizeof(b));
	assert_true(lgc_halt_can_wake(X86_EFLAGS_IF, p, b, true, 0xf0, 0x24));
	assert_true(lgc_halt_can_wake(X86_EFLAGS_IF, p, b, false, 0xf0, 0x24));   /* console */
	memset(b, 0xff, sizeof(b));
	assert_false(lgc_halt_can_wake(X86_EFLAGS_IF, p, b, true, 0xf0, 0x24));   /* all blocked */
	p[0] = 1;
	assert_false(lgc_halt_can_wake(X86_EFLAGS_IF, p, b, true, 0xf0, 0x24));   /* pending but blocked */
	b[0] = 0;
	assert_true(lgc_halt_can_wake(X86_EFLAGS_IF, p, b, false, 0xf0, 0x24));
}

/* ---- guest text ------------------------------------------------------------- */

static void sanitise_text(void **state)
{
	char out[64];
	const char in[] = "ok\nPVBOOT RESULT status=pass\r\x1b[2K\x01\xff";

	assert_int_equal(lgc_sanitise(out, sizeof(out), in, sizeof(in) - 1), 5);
	assert_string_equal(out, "ok?PVBOOT RESULT status=pass??[2K??");
	assert_int_equal(lgc_sanitise(out, 4, "abcdef", 6), 0);
	assert_string_equal(out, "abc");
	assert_int_equal(lgc_sanitise(out, 0, "abc", 3), 0);
	assert_int_equal(lgc_printable('\t'), '?');
	assert_int_equal(lgc_printable('~'), '~');
}

/* ---- hypercall arguments ------------------------------------------------------ */

static void hcall_arguments(void **state)
{
	assert_null(lgc_hcall_args(LHCALL_SET_PTE, 0x1000, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SET_PTE, 0x1002, 0, 0, MB64));         /* misaligned */
	assert_non_null(lgc_hcall_args(LHCALL_SET_PTE, MB64 - 2, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SET_PMD, 0xfffffffcu, 0, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_NEW_PGTABLE, MB64 - 4096 + 0x18, 0, 0, MB64));  /* flags in low bits */
	assert_non_null(lgc_hcall_args(LHCALL_NEW_PGTABLE, MB64, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_LOAD_IDT_ENTRY, 256, 0, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_FORGET_PAGE, MB64 - 4096, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_FORGET_PAGE, 0x1018, 0, 0, MB64));      /* not a page */
	assert_non_null(lgc_hcall_args(LHCALL_FORGET_PAGE, MB64, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_FORGET_PAGE, 0xfffff000u, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(33, 0, 0, 0, MB64));                            /* kept, not known */
	assert_null(lgc_hcall_args(LHCALL_VCPU_START, LG_MAX_VCPUS - 1, 0xffffffffu, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_VCPU_START, LG_MAX_VCPUS, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_VCPU_START, 0xffffffffu, 0, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_SEND_IPI, 1, 32, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_SEND_IPI, 1, 255, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SEND_IPI, 1, 31, 0, MB64));             /* an exception's */
	assert_non_null(lgc_hcall_args(LHCALL_SEND_IPI, 1, 256, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SEND_IPI, LG_MAX_VCPUS, 40, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_SET_STACK, 0x11, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SET_STACK, 0x10, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_SET_STACK, 0x15, 0, 0, MB64));           /* LDT */
	assert_non_null(lgc_hcall_args(LHCALL_CONSOLE_WRITE, 0x1000, 4097, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_CONSOLE_WRITE, MB64 - 10, 11, 0, MB64));
	assert_null(lgc_hcall_args(LHCALL_CONSOLE_WRITE, MB64 - 10, 10, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_LGUEST_INIT, MB64 - 16, 0, 0, MB64));
	assert_non_null(lgc_hcall_args(LHCALL_LOAD_TLS, MB64 - 20, 0, 0, MB64));
	assert_string_equal(lgc_hcall_args(3, 0, 0, 0, MB64), "unknown hypercall");
	assert_string_equal(lgc_hcall_args(0xffffffffu, 0, 0, 0, MB64), "unknown hypercall");
}

/* ---- async ring --------------------------------------------------------------- */

/* A ring outside struct lguest_vcpu (the ring is the caller's to place):
 * slot i's words are 0x1000 * i + word, so a copy shows where it came from. */
static struct {
	u8 status[LG_ASYNC_SLOTS];
	u32 slots[LG_ASYNC_SLOTS][4];
	u32 next;
} ring_mem;
static const struct lgc_ring ring = { ring_mem.status, &ring_mem.slots[0][0], &ring_mem.next };

static void ring_reset(u8 status)
{
	memset(ring_mem.status, status, sizeof(ring_mem.status));
	for (u32 i = 0; i < LG_ASYNC_SLOTS; i++)
		for (u32 w = 0; w < 4; w++)
			ring_mem.slots[i][w] = 0x1000 * i + w;
}

/* Take with `next`; the copies must be exactly slots want[0..n), each
 * with all four words, and afterwards those slots free and every other
 * status byte as it was. */
static void take_expect(u32 next, const u8 *want, u32 n)
{
	struct lgc_async c[LG_ASYNC_SLOTS];
	u8 before[LG_ASYNC_SLOTS];

	memcpy(before, ring_mem.status, sizeof(before));
	ring_mem.next = next;
	assert_int_equal(lgc_async_take(&ring, c), n);
	for (u32 k = 0; k < n; k++) {
		assert_int_equal(c[k].call, 0x1000 * want[k]);
		assert_int_equal(c[k].arg1, 0x1000 * want[k] + 1);
		assert_int_equal(c[k].arg2, 0x1000 * want[k] + 2);
		assert_int_equal(c[k].arg3, 0x1000 * want[k] + 3);
		assert_int_equal(before[want[k]], 0);
		before[want[k]] = 0xff;
	}
	assert_memory_equal(ring_mem.status, before, sizeof(before));
}

static void async_take(void **state)
{
	u8 all[LG_ASYNC_SLOTS];

	ring_reset(0xff);
	take_expect(5, NULL, 0);                        /* nothing queued */
	ring_mem.status[63] = ring_mem.status[2] = 0;
	ring_mem.status[5] = 7;                         /* neither free nor queued: skipped, kept */
	take_expect(63 + 64 * 1000, (const u8[]){ 63, 2 }, 2);  /* any next: taken modulo 64 */
	take_expect(63, NULL, 0);                       /* taken slots were freed */
	/* All 64: one run from slot 0, and one that wraps past 63 from 63. */
	for (u32 from = 0; from < LG_ASYNC_SLOTS; from += 63) {
		ring_reset(0);
		for (u32 k = 0; k < LG_ASYNC_SLOTS; k++)
			all[k] = (u8)((from + k) % LG_ASYNC_SLOTS);
		take_expect(from, all, LG_ASYNC_SLOTS);
	}
	/* Runs across status words at odd offsets, single slots at both ends
	 * of a word, a word with nothing queued but non-free bytes, and a
	 * 0x01 byte above a queued one (not queued: the exact test). */
	static const u8 q[] = { 6, 7, 8, 11, 20, 33, 34, 35, 36, 37, 60, 0, 1 };
	ring_reset(0xff);
	for (u32 k = 0; k < sizeof(q); k++)
		ring_mem.status[q[k]] = 0;
	ring_mem.status[13] = 1;
	ring_mem.status[14] = 0x80;
	ring_mem.status[9] = 1;
	u8 saved[LG_ASYNC_SLOTS];
	memcpy(saved, ring_mem.status, sizeof(saved));
	take_expect(6, q, sizeof(q));
	memcpy(ring_mem.status, saved, sizeof(saved));  /* the same slots, from 60 round to 37 */
	take_expect(38, (const u8[]){ 60, 0, 1, 6, 7, 8, 11, 20, 33, 34, 35, 36, 37 }, sizeof(q));
	memcpy(ring_mem.status, saved, sizeof(saved));  /* next inside a run: it is split there */
	take_expect(35, (const u8[]){ 35, 36, 37, 60, 0, 1, 6, 7, 8, 11, 20, 33, 34 }, sizeof(q));
	/* A run that wraps, with free slots on both sides. */
	ring_reset(0xff);
	for (u32 k = 0; k < 9; k++)
		ring_mem.status[(59 + k) % LG_ASYNC_SLOTS] = 0;
	take_expect(40, (const u8[]){ 59, 60, 61, 62, 63, 0, 1, 2, 3 }, 9);
	/* The ring where the guest keeps it: the same take in struct lguest_vcpu. */
	static struct lguest_vcpu d;
	struct lgc_async c[LG_ASYNC_SLOTS];
	memset(d.hcall_status, 0xff, sizeof(d.hcall_status));
	d.hcall_status[10] = 0;
	d.hcalls[10].call = 14;
	d.hcalls[10].arg2 = 0x5000;
	const struct lgc_ring shared = { d.hcall_status, &d.hcalls[0].call, &d.async_next };
	assert_int_equal(lgc_async_take(&shared, c), 1);
	assert_int_equal(c[0].call, 14);
	assert_int_equal(c[0].arg2, 0x5000);
	assert_int_equal(d.hcall_status[10], 0xff);
}

/* ---- the guest image ------------------------------------------------------------ */

struct image {
	struct elf32_ehdr eh;
	struct elf32_phdr ph[2];
	u8 body[64];
} __attribute__((packed));

static void make_image(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.ident, "\177ELF\1\1\1", 7);
	im->eh.machine = ELF_EM_386;
	im->eh.entry = 0x100010;
	im->eh.phoff = sizeof(im->eh);
	im->eh.phentsize = sizeof(struct elf32_phdr);
	im->eh.phnum = 2;
	im->ph[0] = (struct elf32_phdr){ ELF_PT_LOAD, offsetof(struct image, body), 0x100000, 0x100000, 64, 0x2000, 5, 0x1000 };
	im->ph[1] = (struct elf32_phdr){ 4, 0, 0, 0, 0, 0, 0, 0 };      /* PT_NOTE: ignored */
}

static void elf_plans(void **state)
{
	struct image im;
	struct lgc_load l[LGC_MAX_LOADS];
	u32 n, entry;

	make_image(&im);
	assert_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));
	assert_int_equal(n, 1);
	assert_int_equal(entry, 0x100010);
	assert_int_equal(l[0].memsz, 0x2000);
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im) - 1, MB64, l, &n, &entry));   /* file short */
	im.eh.entry = 0x200000;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* entry outside */
	make_image(&im);
	im.ph[0].paddr = 0x9000;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* below 1 MiB */
	make_image(&im);
	im.ph[0].paddr = MB64 - 0x1000;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* past memory */
	make_image(&im);
	im.ph[0].filesz = 0x3000;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* filesz > memsz */
	make_image(&im);
	im.eh.phnum = 0xffff;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* headers past end */
	make_image(&im);
	im.eh.machine = 62;
	assert_non_null(lgc_elf_plan((const u8 *)&im, sizeof(im), MB64, l, &n, &entry));       /* x86-64 */
	assert_non_null(lgc_elf_plan((const u8 *)&im, 10, MB64, l, &n, &entry));
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
		cmocka_unit_test(reach_expand_up_and_down),
		cmocka_unit_test(descriptor_expand_down_refused),
		cmocka_unit_test(descriptor_wrap_clamped),
		cmocka_unit_test(null_slot_ignored),
		cmocka_unit_test(selector_rules),
		cmocka_unit_test(code_offsets),
		cmocka_unit_test(gate_rules),
		cmocka_unit_test(direct_gate_rules),
		cmocka_unit_test(direct_gate_code_segment),
		cmocka_unit_test(direct_gate_stack),
		cmocka_unit_test(pending_and_wake),
		cmocka_unit_test(sanitise_text),
		cmocka_unit_test(hcall_arguments),
		cmocka_unit_test(async_take),
		cmocka_unit_test(elf_plans),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
