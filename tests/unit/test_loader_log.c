/* Unit tests for the loader's console lines (loader/common/loader.c lprintf/linfo): lines longer than their buffer are cut, marked, and never read past it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/loader.h"

static char out[8192];
static char logbuf[8192];

static void fk_puts(const char *s)
{
	strncat(out, s, sizeof(out) - strlen(out) - 1);
}

static const struct loader_platform plat = { .name = "test", .puts = fk_puts,
	.log = logbuf, .log_size = sizeof(logbuf) };

/* A string of n copies of c (n < sizeof(long_arg)). */
static char long_arg[5000];
static const char *repeat(char c, size_t n)
{
	memset(long_arg, c, n);
	long_arg[n] = '\0';
	return long_arg;
}

/*
 * A detail line of 4,000+ characters (a long fw_cfg command line) goes into
 * the kept log: only what the 256-byte buffer holds, ending "...\n".  Before
 * the fix the copy took the untruncated length and read ~3,750 bytes past
 * the stack buffer (AddressSanitizer: stack-buffer-overflow).
 */
static void test_linfo_long_line_is_cut(void **state)
{
	size_t len;

	loader_set_platform(&plat);
	linfo("loader: fw_cfg opt/pvboot/cmdline: \"%s\"\n", repeat('a', 4000));
	len = strlen(logbuf);
	assert_int_equal(len, 255);
	assert_memory_equal(logbuf + len - 4, "...\n", 4);
	assert_memory_equal(logbuf, "loader: fw_cfg opt/pvboot/cmdline: \"aaa", 39);
	/* The next line starts on its own line, right after the cut one. */
	linfo("next %d\n", 7);
	assert_string_equal(logbuf + len, "next 7\n");
}

static void test_linfo_exact_fit_is_whole(void **state)
{
	/* 255 characters fit the 256-byte buffer with its NUL: not cut. */
	static char want[300];
	size_t before = strlen(logbuf);

	loader_set_platform(&plat);
	memset(want, 'b', 254);
	strcpy(want + 254, "\n");
	linfo("%s\n", repeat('b', 254));
	assert_string_equal(logbuf + before, want);
}

static void test_lprintf_long_line_is_cut(void **state)
{
	out[0] = '\0';
	loader_set_platform(&plat);
	lprintf("loader: %s\n", repeat('c', 3000));
	assert_int_equal(strlen(out), 255);
	assert_memory_equal(out + 251, "...\n", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_linfo_long_line_is_cut),
		cmocka_unit_test(test_linfo_exact_fit_is_whole),
		cmocka_unit_test(test_lprintf_long_line_is_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
