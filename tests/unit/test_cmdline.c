/* Unit tests for lib/cmdline.c: tokenizer and option parser (docs/design.md §3), hostile inputs included. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/cmdline.h"
#include "pvboot/boot.h"

/* Every diagnostic is recorded so tests can assert on count and wording. */
static char warns[64][256];
static int nwarn;

static void rec_warn(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(strlen(line) < 200);        /* bounded, whatever the input */
	assert_null(strchr(line, '\n'));         /* one line each */
	if (nwarn < 64)
		snprintf(warns[nwarn], sizeof(warns[0]), "%s", line);
	nwarn++;
}

static int parse(struct kopts *o, const char *s)
{
	nwarn = 0;
	kopts_defaults(o);
	return kopts_parse(o, s, strlen(s), rec_warn, NULL);
}

static void test_defaults(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, ""), 0);
	assert_int_equal(o.pv, PV_AUTO);
	assert_int_equal(o.smp, 0);
	assert_false(o.nopatch || o.test || o.bench || o.exit_after_boot);
	assert_int_equal(o.console, CONSOLE_BOTH);
	assert_int_equal(o.guestmem_mb, 64);
	assert_int_equal(o.initwait, -1);
	assert_int_equal(o.host, PV_AUTO);
	assert_int_equal(nwarn, 0);
}

static void test_blanks_only(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, " \t\n\r   \n"), 0);
	assert_int_equal(parse(&o, "# just a comment\n   # another"), 0);
	assert_int_equal(nwarn, 0);
}

static void test_all_options(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "pv=vmi smp=2 nopatch pvpatch=verbose test "
			       "bench exit pvtrace console=serial timeout=0 "
			       "host=lguest guestmem=128 initwait=1 loader=verbose"), 0);
	assert_int_equal(o.pv, PV_VMI);
	assert_true(o.loader_verbose);
	assert_int_equal(o.smp, 2);
	assert_true(o.nopatch && o.pvpatch_verbose && o.test && o.bench);
	assert_true(o.exit_after_boot && o.pvtrace);
	assert_int_equal(o.console, CONSOLE_SERIAL);
	assert_int_equal(o.timeout, 0);
	assert_int_equal(o.host, PV_LGUEST);
	assert_int_equal(o.guestmem_mb, 128);
	assert_int_equal(o.initwait, 1);
	assert_int_equal(o.unknown + o.malformed, 0);
}

static void test_resets(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "pvpatch=verbose pvpatch=default initwait=0 "
			       "initwait=auto test=1 test=0 console=screen "
			       "loader=verbose loader=quiet"), 0);
	assert_false(o.pvpatch_verbose);
	assert_false(o.loader_verbose);
	assert_int_equal(o.initwait, -1);
	assert_false(o.test);
	assert_int_equal(o.console, CONSOLE_SCREEN);
}

static void test_repeated_last_wins(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "smp=1 pv=native smp=3 pv=lguest smp=2"), 0);
	assert_int_equal(o.smp, 2);
	assert_int_equal(o.pv, PV_LGUEST);
}

static void test_layered_sources(void **state)
{
	struct kopts o;

	kopts_defaults(&o);
	kopts_parse(&o, "pv=vmi smp=2", 12, NULL, NULL);
	kopts_parse(&o, "smp=4", 5, NULL, NULL);
	assert_int_equal(o.pv, PV_VMI);
	assert_int_equal(o.smp, 4);
}

static void test_unknown(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "foo smp=2 bar=baz guest.smp=1 guest.=x"), 3);
	assert_int_equal(o.unknown, 3);
	assert_int_equal(o.smp, 2);
	assert_string_equal(warns[0], "cmdline: unknown option 'foo' ignored");
	assert_string_equal(warns[1], "cmdline: unknown option 'bar' ignored");
	assert_string_equal(warns[2], "cmdline: unknown option 'guest.' ignored");
}

static void test_bad_numbers(void **state)
{
	static const char *const bad[] = {
		"smp=abc", "smp=99999999999", "smp=-1", "smp=4x", "smp=",
		"smp=0x", "smp=+3", "smp=\"\"", "smp=4294967296", "smp=1.5",
	};
	struct kopts o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, bad[i]), 1);
		assert_int_equal(o.smp, 0);
		assert_int_equal(o.malformed, 1);
	}
	parse(&o, "smp=abc");
	assert_string_equal(warns[0],
		"cmdline: smp=abc: not a number, using 0 (all CPUs)");
	parse(&o, "smp=2 smp=-1");
	assert_int_equal(o.smp, 2);
	assert_string_equal(warns[0], "cmdline: smp=-1: not a number, using 2");
	assert_int_equal(parse(&o, "smp=0x10 timeout=4294967295"), 0);
	assert_int_equal(o.smp, 16);
	assert_int_equal(o.timeout, 4294967295u);
}

static void test_bad_values(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "pv=xen console=tty guestmem=0 guestmem=3073 "
			       "host=kvm initwait=2 pvpatch=x test=yes pv"), 9);
	assert_int_equal(o.malformed, 9);
	assert_int_equal(o.pv, PV_AUTO);
	assert_int_equal(o.console, CONSOLE_BOTH);
	assert_int_equal(o.guestmem_mb, 64);
	assert_false(o.test);
	assert_string_equal(warns[0], "cmdline: pv=xen: not auto, native, vmi or "
			    "lguest, using auto");
	assert_string_equal(warns[2], "cmdline: guestmem=0: out of range "
			    "1..3072 MiB, using 64 MiB");
	assert_string_equal(warns[8], "cmdline: pv: needs a value, using auto");
	assert_int_equal(parse(&o, "guestmem=3072 guestmem=1"), 0);
	assert_int_equal(o.guestmem_mb, 1);
}

static void test_quotes(void **state)
{
	const char *s = "a=\"x y\" b";
	const char *pos = s, *err = NULL;
	struct cmd_token t;

	assert_int_equal(cmd_next(&pos, s + strlen(s), &t, &err), 1);
	assert_int_equal(t.key_len, 1);
	assert_int_equal(t.val_len, 3);
	assert_memory_equal(t.val, "x y", 3);
	assert_int_equal(cmd_next(&pos, s + strlen(s), &t, &err), 1);
	assert_null(t.val);
	assert_int_equal(cmd_next(&pos, s + strlen(s), &t, &err), 0);
}

static void test_unterminated_quote(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "smp=2 pv=\"vmi test\nbench"), 1);
	assert_int_equal(o.smp, 2);
	assert_int_equal(o.pv, PV_AUTO);
	assert_false(o.test);           /* swallowed by the open quote */
	assert_true(o.bench);           /* next line parses again */
	assert_string_equal(warns[0], "cmdline: unterminated quote in "
			    "'pv=\"vmi test', word ignored");
	assert_int_equal(parse(&o, "x=\""), 1);
	assert_int_equal(parse(&o, "pv=\"vmi\"junk test"), 1);
	assert_true(o.test);
	assert_int_equal(parse(&o, "pv=\"vmi\""), 0);
	assert_int_equal(o.pv, PV_VMI);
}

static void test_empty_key(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "=x = == test"), 3);
	assert_true(o.test);
	assert_int_equal(o.malformed, 3);
	assert_string_equal(warns[0], "cmdline: empty key in '=x', word ignored");
}

static void test_very_long(void **state)
{
	size_t n = 100 * 1024;
	char *s = malloc(n + 1);
	struct kopts o;

	/* One huge unknown key: the message must stay short. */
	memset(s, 'k', n);
	s[n] = '\0';
	assert_int_equal(parse(&o, s), 1);
	assert_true(strlen(warns[0]) < 100);
	assert_non_null(strstr(warns[0], "...'"));
	/* A huge value. */
	memcpy(s, "smp=", 4);
	memset(s + 4, '9', n - 4);
	assert_int_equal(parse(&o, s), 1);
	assert_true(strlen(warns[0]) < 120);
	/* Many words. */
	for (size_t i = 0; i + 5 <= n; i += 5)
		memcpy(s + i, "test ", 5);
	assert_int_equal(parse(&o, s), 0);
	assert_true(o.test);
	free(s);
}

static void test_exact_len(void **state)
{
	/* Heap copy without NUL: ASan catches any read past len. */
	const char src[] = "smp=12345";
	char *buf = malloc(5);
	struct kopts o;

	memcpy(buf, src, 5);            /* "smp=1" */
	kopts_defaults(&o);
	assert_int_equal(kopts_parse(&o, buf, 5, rec_warn, NULL), 0);
	assert_int_equal(o.smp, 1);
	memcpy(buf, "pv=\"v", 5);
	nwarn = 0;
	assert_int_equal(kopts_parse(&o, buf, 5, rec_warn, NULL), 1);
	memcpy(buf, "test ", 5);
	assert_int_equal(kopts_parse(&o, buf, 4, rec_warn, NULL), 0);
	assert_true(o.test);
	assert_int_equal(kopts_parse(&o, buf, 0, rec_warn, NULL), 0);
	free(buf);
}

static void test_embedded_nul(void **state)
{
	const char s[] = "smp=2\0test";
	struct kopts o;

	kopts_defaults(&o);
	nwarn = 0;
	assert_int_equal(kopts_parse(&o, s, sizeof(s) - 1, rec_warn, NULL), 0);
	assert_int_equal(o.smp, 2);
	assert_false(o.test);           /* NUL ends the line */
}

static void test_control_chars_sanitised(void **state)
{
	struct kopts o;

	assert_int_equal(parse(&o, "pv=\"a\x1b[2Jb\" \x01\x7f"), 2);
	assert_null(strchr(warns[0], '\x1b'));
	assert_string_equal(warns[1], "cmdline: unknown option '?" "?' ignored");
}

static void test_parse_u32(void **state)
{
	u32 v = 7;

	assert_true(cmd_parse_u32("0", 1, &v) && v == 0);
	assert_true(cmd_parse_u32("4294967295", 10, &v) && v == 0xffffffffu);
	assert_true(cmd_parse_u32("0xFFffFFff", 10, &v) && v == 0xffffffffu);
	assert_true(cmd_parse_u32("007", 3, &v) && v == 7);
	assert_false(cmd_parse_u32("0x100000000", 11, &v));
	assert_false(cmd_parse_u32("", 0, &v));
	assert_false(cmd_parse_u32("0xg", 3, &v));
	assert_false(cmd_parse_u32("12a", 3, &v));
	assert_true(cmd_parse_u32("12a", 2, &v) && v == 12);
}

static void test_backend_names(void **state)
{
	assert_int_equal(pv_backend_from_name("auto", 4), PV_AUTO);
	assert_int_equal(pv_backend_from_name("native", 6), PV_NATIVE);
	assert_int_equal(pv_backend_from_name("vmi", 3), PV_VMI);
	assert_int_equal(pv_backend_from_name("lguest", 6), PV_LGUEST);
	assert_int_equal(pv_backend_from_name("vmix", 3), PV_VMI);
	assert_int_equal(pv_backend_from_name("vm", 2), -1);
	assert_int_equal(pv_backend_from_name("VMI", 3), -1);
	assert_int_equal(pv_backend_from_name("", 0), -1);
}

static void test_null_warn(void **state)
{
	struct kopts o;

	kopts_defaults(&o);
	assert_int_equal(kopts_parse(&o, "foo smp=x", 9, NULL, NULL), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_blanks_only),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_repeated_last_wins),
		cmocka_unit_test(test_layered_sources),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_empty_key),
		cmocka_unit_test(test_very_long),
		cmocka_unit_test(test_exact_len),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_control_chars_sanitised),
		cmocka_unit_test(test_parse_u32),
		cmocka_unit_test(test_backend_names),
		cmocka_unit_test(test_null_warn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
