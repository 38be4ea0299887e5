/* Unit tests for the lguest host's shadow cache bookkeeping (lib/lguest_shadow.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "pvboot/lguest_shadow.h"

#define PAGES 16384u            /* a 64 MiB guest */

static struct lgs_cache cache;
static u16 by_pfn[PAGES];

static struct lgs_cache *fresh(void)
{
	memset(by_pfn, 0, sizeof(by_pfn));
	lgs_init(&cache, by_pfn, PAGES);
	return &cache;
}

static void empty_slots_first_then_least_recent(void **state)
{
	struct lgs_cache *c = fresh();

	for (int k = 0; k < LGS_DIRS; k++) {
		int d = lgs_dir_victim(c, LGS_ALL);
		assert_int_equal(c->gpgd[d], LGS_NO_DIR);
		lgs_dir_set(c, d, 0x1000u * (k + 1));
	}
	assert_int_equal(lgs_dir_find(c, 0x1000, LGS_ALL), 0);  /* 0x1000 used again: 0x2000 is oldest */
	assert_int_equal(lgs_dir_victim(c, LGS_ALL), 1);
	assert_int_equal(lgs_dir_victim(c, LGS_ALL & ~(1u << 1)), 2);   /* one left out is never chosen */
	assert_int_equal(lgs_dir_victim(c, LGS_ALL & ~(1u << 1 | 1u << 2)), 3);
	assert_int_equal(lgs_dir_victim(c, 1u << 0 | 1u << 5), 5);      /* only among those asked */
	assert_int_equal(lgs_dir_find(c, 0x5000, LGS_ALL), 4);
	assert_int_equal(lgs_dir_find(c, 0x5000, LGS_ALL & ~(1u << 4)), -1);
	assert_int_equal(lgs_dir_find(c, 0x100000, LGS_ALL), -1);
	assert_int_equal(lgs_dir_find(c, LGS_NO_DIR, LGS_ALL), -1);
	lgs_dir_set(c, 2, LGS_NO_DIR);                  /* emptied: taken before any eviction */
	assert_int_equal(lgs_dir_victim(c, LGS_ALL), 2);
	assert_int_equal(lgs_dir_victim(c, 0), -1);
}

static void directory_pages_marked(void **state)
{
	struct lgs_cache *c = fresh();

	lgs_dir_set(c, 1, 0x9000);
	assert_int_equal(lgs_page(c, 0x9000), LGS_IS_DIR);
	int i = lgs_pt_add(c, 0x9000, 0x55000);         /* also a page table */
	lgs_pt_ref(c, i, 1);
	assert_int_equal(lgs_page(c, 0x9000), LGS_IS_DIR | (u32)(i + 1));
	assert_int_equal(lgs_pt_find(c, 0x9000), i);
	lgs_dir_set(c, 1, 0xa000);                      /* the slot moves on */
	assert_int_equal(lgs_page(c, 0x9000), (u32)(i + 1));
	assert_int_equal(lgs_page(c, 0xa000), LGS_IS_DIR);
	assert_int_equal(lgs_pt_unref(c, i, 1), 0x55000);
	assert_int_equal(lgs_page(c, 0x9000), 0);
	lgs_dir_set(c, 1, LGS_IDMAP);                   /* not a page: no mark */
	assert_int_equal(lgs_page(c, 0xa000), 0);
	assert_int_equal(lgs_page(c, 0xa004), 0);
	assert_int_equal(lgs_page(c, PAGES << 12), 0);
	lgs_dir_set(c, 2, PAGES << 12);                 /* outside: no mark, no write */
	assert_int_equal(lgs_dir_find(c, PAGES << 12, LGS_ALL), 2);
}

/* Two vCPUs on one guest directory: a slot each, the same key; the page
 * stays marked until the last of them moves on. */
static void one_directory_in_two_slots(void **state)
{
	struct lgs_cache *c = fresh();

	lgs_dir_set(c, 0, 0x9000);
	lgs_dir_set(c, 4, 0x9000);
	assert_int_equal(lgs_dir_find(c, 0x9000, 0xf0), 4);
	assert_int_equal(lgs_dir_find(c, 0x9000, 0x0f), 0);
	lgs_dir_set(c, 0, 0xa000);
	assert_int_equal(lgs_page(c, 0x9000), LGS_IS_DIR);
	lgs_dir_set(c, 4, LGS_NO_DIR);
	assert_int_equal(lgs_page(c, 0x9000), 0);
	assert_int_equal(lgs_page(c, 0xa000), LGS_IS_DIR);
}

static void victim_survives_clock_wrap(void **state)
{
	struct lgs_cache *c = fresh();

	c->clock = 0xfffffffdu;
	for (int d = 0; d < 4; d++)
		lgs_dir_set(c, d, 0x1000u * (d + 1));   /* stamps ...fe, ...ff, 0, 1 */
	assert_int_equal(lgs_dir_victim(c, 0xf), 0);
	assert_int_equal(lgs_dir_victim(c, 0xe), 1);
}

static void none_asked_means_none(void **state)
{
	struct lgs_cache *c = fresh();

	for (int d = 0; d < LGS_DIRS; d++)
		lgs_dir_set(c, d, 0x1000u * (d + 1));
	assert_int_equal(lgs_dir_victim(c, 0), -1);
	assert_int_equal(lgs_dir_victim(c, 1u << 2), 2);
	assert_int_equal(lgs_dir_victim(c, 1u << 31), 31);
}

static void shared_table_freed_by_last_user(void **state)
{
	struct lgs_cache *c = fresh();
	int i = lgs_pt_add(c, 0x7000, 0xabc000);

	assert_true(i >= 0);
	assert_int_equal(lgs_pt_find(c, 0x7000), i);
	lgs_pt_ref(c, i, 0);
	lgs_pt_ref(c, i, 0);            /* two slots of directory 0 */
	lgs_pt_ref(c, i, 2);
	assert_int_equal(lgs_pt_users(c, i), 0x5);
	assert_int_equal(lgs_pt_unref(c, i, 0), 0);
	assert_int_equal(lgs_pt_unref(c, i, 0), 0);
	assert_int_equal(lgs_pt_unref(c, i, 1), 0);     /* not a user: nothing changes */
	assert_int_equal(lgs_pt_users(c, i), 0x4);
	assert_int_equal(lgs_pt_count(c), 1);
	assert_int_equal(lgs_pt_unref(c, i, 2), 0xabc000);
	assert_int_equal(lgs_pt_find(c, 0x7000), -1);
	assert_int_equal(lgs_pt_count(c), 0);
	assert_int_equal(lgs_pt_unref(c, i, 2), 0);     /* a second drop frees nothing twice */
	assert_int_equal(lgs_pt_count(c), 0);
}

static void hostile_table_addresses(void **state)
{
	struct lgs_cache *c = fresh();

	assert_int_equal(lgs_pt_add(c, 0x7004, 1), -1);                 /* unaligned */
	assert_int_equal(lgs_pt_add(c, PAGES << 12, 1), -1);            /* just past the guest */
	assert_int_equal(lgs_pt_add(c, 0xfffff000u, 1), -1);
	assert_int_equal(lgs_pt_find(c, 0xfffff000u), -1);
	assert_int_equal(lgs_pt_find(c, 0x7004), -1);
	assert_true(lgs_pt_add(c, (PAGES - 1) << 12, 1) >= 0);          /* the last page */
	assert_int_equal(lgs_pt_add(c, (PAGES - 1) << 12, 2), -1);      /* already mirrored */
	assert_int_equal(lgs_pt_count(c), 1);
}

static void pool_full_then_reused(void **state)
{
	struct lgs_cache *c = fresh();

	for (u32 k = 0; k < LGS_MAX_PTS; k++) {
		int i = lgs_pt_add(c, k << 12, 0x100000u + (k << 12));
		assert_true(i >= 0);
		lgs_pt_ref(c, i, (int)(k % LGS_DIRS));
	}
	assert_int_equal(lgs_pt_add(c, LGS_MAX_PTS << 12, 1), -1);
	int i = lgs_pt_find(c, 5 << 12);
	assert_int_equal(lgs_pt_unref(c, i, 5 % LGS_DIRS), 0x100000u + (5 << 12));
	int j = lgs_pt_add(c, LGS_MAX_PTS << 12, 7);
	assert_int_equal(j, i);                         /* the freed index comes back */
	assert_int_equal(lgs_pt_find(c, LGS_MAX_PTS << 12), j);
	assert_int_equal(lgs_pt_users(c, j), 0);        /* a new entry has no users */
	assert_int_equal(lgs_pt_count(c), LGS_MAX_PTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_slots_first_then_least_recent),
		cmocka_unit_test(directory_pages_marked),
		cmocka_unit_test(victim_survives_clock_wrap),
		cmocka_unit_test(none_asked_means_none),
		cmocka_unit_test(one_directory_in_two_slots),
		cmocka_unit_test(shared_table_freed_by_last_user),
		cmocka_unit_test(hostile_table_addresses),
		cmocka_unit_test(pool_full_then_reused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
