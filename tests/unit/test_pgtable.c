/* Unit tests for lib/pgtable.c and pvboot/pgtable.h: both formats, entry encoding, the order of PAE half stores on a fake memory, paging= and the auto rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/types.h"

/*
 * The fake memory: every 32-bit store of pae_store_halves lands here and
 * is checked at once against what a page walk may see: the entry is either
 * not present, or exactly the old value, or exactly the new one.
 */
static u32 fake[2];
static u64 fake_old, fake_new;
static unsigned fake_writes, torn_seen;
static int write_order[8];

static void fake_write(u32 *p, u32 v)
{
	*p = v;
	write_order[fake_writes++ & 7] = (int)(p - fake);
	u64 seen = ((u64)fake[1] << 32) | fake[0];
	if ((seen & 1) && seen != fake_old && seen != fake_new)
		torn_seen++;
}

/* Reads may be made to race with a writer (see load_races). */
static int race_after_reads = -1;
static unsigned reads;
static u32 fake_read(const u32 *p)
{
	u32 v = *p;
	if (++reads == (unsigned)race_after_reads) {
		fake[0] = 0x22220001;   /* another CPU replaces the whole entry */
		fake[1] = 0x2;
	}
	return v;
}

#define PXE_WRITE32(p, v) fake_write((u32 *)(p), (v))
#define PXE_READ32(p) fake_read((const u32 *)(p))
#include "pvboot/pgtable.h"
#include "pvboot/cmdline.h"

static void store(u64 old, u64 v)
{
	fake[0] = (u32)old;
	fake[1] = (u32)(old >> 32);
	fake_old = old;
	fake_new = v;
	fake_writes = 0;
	torn_seen = 0;
	pae_store_halves(fake, v);
}

/* Every pair of interesting values: present or not, high halves that
 * differ (addresses above 4 GiB, NX), zero. */
static void no_torn_present_entry(void **state)
{
	static const u64 vals[] = {
		0, 0x1000 | 1, 0x1000 | 3, 0x123456000ull | 1, 0x123456000ull,
		PTE_NX | 0x5000 | 3, PTE_NX | 0x987654000ull | 1, 0xfffff000ull | 1,
		0x700000000ull | 0x63, 0x800000000ull,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(vals); i++)
		for (unsigned j = 0; j < ARRAY_SIZE(vals); j++) {
			store(vals[i], vals[j]);
			assert_int_equal(torn_seen, 0);
			assert_int_equal(((u64)fake[1] << 32) | fake[0], vals[j]);
			assert_true(fake_writes >= 2 && fake_writes <= 3);
		}
}

static void set_writes_high_then_low(void **state)
{
	store(0, 0x123456000ull | 3);
	assert_int_equal(fake_writes, 2);
	assert_int_equal(write_order[0], 1);
	assert_int_equal(write_order[1], 0);
}

static void clear_writes_low_then_high(void **state)
{
	store(0x123456000ull | 3, 0);
	assert_int_equal(fake_writes, 2);
	assert_int_equal(write_order[0], 0);
	assert_int_equal(write_order[1], 1);
}

static void present_to_present_goes_through_not_present(void **state)
{
	store(0x123456000ull | 3, 0x654321000ull | 3);
	assert_int_equal(fake_writes, 3);
	assert_int_equal(write_order[0], 0);    /* low cleared: not present */
	assert_int_equal(write_order[1], 1);
	assert_int_equal(write_order[2], 0);
}

/* A writer that changes the entry between the two halves of a read
 * must not give a mixed value: the reader tries again. */
static void load_races(void **state)
{
	fake[0] = 0x11110001;
	fake[1] = 0x1;
	reads = 0;
	race_after_reads = 1;   /* right after the first low-half read */
	u64 v = pae_load_halves(fake);
	race_after_reads = -1;
	assert_true(v == 0x222220001ull);
	assert_true(reads > 3);
}

static void index_and_span(void **state)
{
	u32 va = 0xc0a03000u;

	assert_int_equal(pt_index(&pt_2level, 0, va), va >> 22);
	assert_int_equal(pt_index(&pt_2level, 1, va), (va >> 12) & 0x3ff);
	assert_int_equal(pt_index(&pt_pae, 0, va), 3);
	assert_int_equal(pt_index(&pt_pae, 1, va), (va >> 21) & 0x1ff);
	assert_int_equal(pt_index(&pt_pae, 2, va), (va >> 12) & 0x1ff);
	assert_true(pt_entry_span(&pt_2level, 0) == 4u << 20);
	assert_true(pt_entry_span(&pt_pae, 1) == 2u << 20);
	assert_true(pt_entry_span(&pt_pae, 0) == 1u << 30);
}

static void encode_2level(void **state)
{
	u64 e = 0xdead;

	assert_true(pt_encode(&pt_2level, 1, 0xfffff000ull, 0x163, 0, &e));
	assert_true(e == 0xfffff163ull);
	e = 0xdead;
	assert_false(pt_encode(&pt_2level, 1, 0x100000000ull, 1, 0, &e));   /* above 4 GiB */
	assert_false(pt_encode(&pt_2level, 1, 0x1000, 1 | PTE_NX, 0, &e));  /* no NX bit */
	assert_false(pt_encode(&pt_2level, 1, 0x1800, 1, 0, &e));            /* unaligned */
	assert_false(pt_encode(&pt_2level, 2, 0x1000, 1, 0, &e));            /* no third level */
	assert_true(e == 0xdead);
	assert_true(pt_entry_addr(&pt_2level, 0xfffff163ull) == 0xfffff000ull);
}

static void encode_pae(void **state)
{
	u64 e = 0;

	assert_true(pt_encode(&pt_pae, 2, 0x123456000ull, 3 | PTE_NX, 36, &e));
	assert_true(e == (0x123456003ull | PTE_NX));
	assert_true(pt_entry_addr(&pt_pae, e) == 0x123456000ull);
	assert_false(pt_encode(&pt_pae, 2, 1ull << 36, 3, 36, &e));          /* past MAXPHYADDR */
	assert_true(pt_encode(&pt_pae, 2, 1ull << 36, 3, 40, &e));
	assert_false(pt_encode(&pt_pae, 2, 1ull << 52, 3, 0, &e));           /* past the format */
	/* The PDPT takes P, PWT, PCD only (SDM Table 4-8). */
	assert_true(pt_encode(&pt_pae, 0, 0x5000, 0x19, 36, &e));
	assert_false(pt_encode(&pt_pae, 0, 0x5000, 0x3, 36, &e));
	assert_false(pt_encode(&pt_pae, 0, 0x5000, 0x5, 36, &e));
	assert_false(pt_encode(&pt_pae, 0, 0x5000, 1 | PTE_NX, 36, &e));
	assert_false(pt_encode(&pt_pae, 2, 0x5000, 1ull << 40, 36, &e));     /* reserved bit */
}

static void decide(void **state)
{
	struct paging_facts f = { .want = PAGING_AUTO, .cpu_pae = true };
	const char *why;
	bool refused;

	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_2LEVEL);
	assert_false(refused);
	f.cpu_nx = true;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_PAE);
	assert_non_null(strstr(why, "NX"));
	f.cpu_nx = false;
	f.ram_above_4g = true;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_PAE);
	assert_non_null(strstr(why, "4 GiB"));
	f.want = PAGING_2LEVEL;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_2LEVEL);
	f.want = PAGING_PAE;
	f.ram_above_4g = false;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_PAE);
	f.cpu_pae = false;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_2LEVEL);
	assert_true(refused);
	assert_non_null(strstr(why, "no PAE"));
	f.cpu_pae = true;
	f.backend_refusal = "backend says no";
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_2LEVEL);
	assert_true(refused);
	assert_string_equal(why, "backend says no");
	f.want = PAGING_AUTO;                   /* auto quietly stays 2-level */
	f.ram_above_4g = true;
	assert_int_equal(paging_decide(&f, &why, &refused), PAGING_2LEVEL);
	assert_false(refused);
}

static void paging_option(void **state)
{
	struct kopts o;
	const char *ok = "paging=pae", *two = "paging=2level", *bad = "paging=4level";

	kopts_defaults(&o);
	assert_int_equal(o.paging, PAGING_AUTO);
	assert_int_equal(kopts_parse(&o, ok, strlen(ok), NULL, NULL), 0);
	assert_int_equal(o.paging, PAGING_PAE);
	assert_int_equal(kopts_parse(&o, two, strlen(two), NULL, NULL), 0);
	assert_int_equal(o.paging, PAGING_2LEVEL);
	assert_int_equal(kopts_parse(&o, bad, strlen(bad), NULL, NULL), 1);
	assert_int_equal(o.paging, PAGING_2LEVEL);     /* a bad value changes nothing */
	assert_int_equal(o.malformed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_torn_present_entry),
		cmocka_unit_test(set_writes_high_then_low),
		cmocka_unit_test(clear_writes_low_then_high),
		cmocka_unit_test(present_to_present_goes_through_not_present),
		cmocka_unit_test(load_races),
		cmocka_unit_test(index_and_span),
		cmocka_unit_test(encode_2level),
		cmocka_unit_test(encode_pae),
		cmocka_unit_test(decide),
		cmocka_unit_test(paging_option),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
