/* Unit tests for loader/common/options.c: docs/design.md §3 key-by-key merging of config, fw_cfg and prompt with per-option sources, and config checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/options.h"

static int nwarn;
static char last[200];

static void rec(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(strlen(line) < 160);
	assert_null(strchr(line, '\n'));
	snprintf(last, sizeof(last), "%s", line);
	nwarn++;
}

static int merge(struct optset *s, const char *line, u8 src)
{
	return optset_merge(s, line, strlen(line), src, rec, NULL);
}

static u8 src_of(const struct optset *s, const char *key)
{
	const struct opt_word *w = optset_find(s, key);

	assert_non_null(w);
	return w->src;
}

static void test_merge_sources(void **state)
{
	static struct optset s;
	char line[256];

	merge(&s, "# default config\ntimeout=3 smp=2 pv=auto\nconsole=both # tail\n", PVSRC_CONFIG);
	merge(&s, "smp=4 test pv=native", PVSRC_FWCFG);
	assert_true(optset_render(&s, line, sizeof(line)));
	assert_string_equal(line, "timeout=3 smp=4 pv=native console=both test");
	assert_int_equal(src_of(&s, "timeout"), PVSRC_CONFIG);
	assert_int_equal(src_of(&s, "smp"), PVSRC_FWCFG);
	assert_int_equal(src_of(&s, "pv"), PVSRC_FWCFG);
	assert_int_equal(src_of(&s, "test"), PVSRC_FWCFG);
	assert_int_equal(src_of(&s, "console"), PVSRC_CONFIG);
	assert_null(optset_find(&s, "sm"));
	assert_int_equal(nwarn, 0);
}

static void test_quotes_and_flags(void **state)
{
	static struct optset s;
	char line[256];

	merge(&s, "guest.x=\"a b\" test nopatch=1", PVSRC_CONFIG);
	merge(&s, "test=0", PVSRC_FWCFG);
	assert_true(optset_render(&s, line, sizeof(line)));
	assert_string_equal(line, "guest.x=\"a b\" test=0 nopatch=1");
	assert_false(optset_flag(&s, "test"));
	assert_true(optset_flag(&s, "nopatch"));
	assert_false(optset_flag(&s, "exit"));
}

static void test_malformed_skipped(void **state)
{
	static struct optset s;
	char big[300];

	nwarn = 0;
	assert_int_equal(merge(&s, "a=\"open smp=2", PVSRC_FWCFG), 1);
	assert_non_null(strstr(last, "unterminated quote"));
	assert_non_null(strstr(last, "fw_cfg"));
	memset(big, 'k', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(merge(&s, big, PVSRC_CONFIG), 1);
	assert_non_null(strstr(last, "longer than"));
	assert_int_equal(s.n, 0);
}

static void test_too_many(void **state)
{
	static struct optset s;
	char line[1024] = "";

	for (int i = 0; i < PVBOOT_OPTSRC_MAX + 3; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "k%d ", i);
	assert_int_equal(merge(&s, line, PVSRC_CONFIG), 3);
	assert_int_equal(s.n, PVBOOT_OPTSRC_MAX);
	assert_non_null(strstr(last, "more than 48 options"));
}

/*
 * The loader merges fw_cfg and load options once, into a set of their own,
 * and lays it over the config: the same words, order and sources as
 * merging the three lines in turn.
 */
static void test_overlay_equals_line_merge(void **state)
{
	static struct optset by_line, over, by_set;
	static const char cfg[] = "timeout=3 smp=2 nopatch console=both";
	static const char fw[] = "smp=4 test pv=vmi";
	static const char lo[] = "pv=native timeout=0 bench";
	char a[256], b[256];

	merge(&by_line, cfg, PVSRC_CONFIG);
	merge(&by_line, fw, PVSRC_FWCFG);
	merge(&by_line, lo, PVSRC_UEFI);
	merge(&over, fw, PVSRC_FWCFG);
	merge(&over, lo, PVSRC_UEFI);
	merge(&by_set, cfg, PVSRC_CONFIG);
	nwarn = 0;
	assert_int_equal(optset_overlay(&by_set, &over, rec, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_true(optset_render(&by_line, a, sizeof(a)));
	assert_true(optset_render(&by_set, b, sizeof(b)));
	assert_string_equal(b, "timeout=0 smp=4 nopatch console=both test pv=native bench");
	assert_string_equal(a, b);
	assert_int_equal(by_set.n, by_line.n);
	for (u32 i = 0; i < by_set.n; i++)
		assert_int_equal(by_set.w[i].src, by_line.w[i].src);
	assert_int_equal(src_of(&by_set, "timeout"), PVSRC_UEFI);
	assert_int_equal(src_of(&by_set, "test"), PVSRC_FWCFG);
	assert_int_equal(src_of(&by_set, "nopatch"), PVSRC_CONFIG);
}

/* Laid over a full set, the words that do not fit are reported, each once. */
static void test_overlay_too_many(void **state)
{
	static struct optset s, over;
	char line[1024] = "";

	for (int i = 0; i < PVBOOT_OPTSRC_MAX; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "k%d ", i);
	merge(&s, line, PVSRC_CONFIG);
	merge(&over, "k0=1 extra1 extra2", PVSRC_FWCFG);
	nwarn = 0;
	assert_int_equal(optset_overlay(&s, &over, rec, NULL), 2);
	assert_int_equal(nwarn, 2);
	assert_non_null(strstr(last, "\"extra2\" from fw_cfg ignored"));
	assert_int_equal(src_of(&s, "k0"), PVSRC_FWCFG);
	assert_int_equal(s.n, PVBOOT_OPTSRC_MAX);
}

static void test_prompt_edit(void **state)
{
	static struct optset s;
	static const char edited[] = "timeout=3 smp=1 bench";

	merge(&s, "timeout=3 smp=2 nopatch", PVSRC_CONFIG);
	merge(&s, "smp=4", PVSRC_FWCFG);
	optset_edit(&s, edited, strlen(edited), PVSRC_PROMPT, rec, NULL);
	assert_int_equal(s.n, 3);
	assert_int_equal(src_of(&s, "timeout"), PVSRC_CONFIG);     /* unchanged */
	assert_int_equal(src_of(&s, "smp"), PVSRC_PROMPT);         /* changed */
	assert_int_equal(src_of(&s, "bench"), PVSRC_PROMPT);       /* new */
	assert_null(optset_find(&s, "nopatch"));                   /* removed */
}

static void test_to_info(void **state)
{
	static struct optset s;
	static struct pvboot_info info;
	char line[40 * 60] = "";

	merge(&s, "averyveryverylongkeyname=1 smp=2", PVSRC_CONFIG);
	optset_to_info(&s, &info);
	assert_string_equal(info.cmdline, "averyveryverylongkeyname=1 smp=2");
	assert_int_equal(info.optsrc_count, 2);
	assert_string_equal(info.optsrc[0].key, "averyveryveryl");  /* 14 + NUL */
	assert_int_equal(info.optsrc[1].source, PVSRC_CONFIG);
	/* More text than the 1 KiB line: whole words that fit, sources for them. */
	s.n = 0;
	for (int i = 0; i < 40; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "key%02d=%050d ", i, i);
	merge(&s, line, PVSRC_FWCFG);
	optset_to_info(&s, &info);
	assert_true(strlen(info.cmdline) < PVBOOT_CMDLINE_MAX);
	assert_int_equal(info.optsrc_count, 17);   /* 17 words of 56 bytes + blanks */
	assert_string_equal(info.optsrc[16].key, "key16");
}

static void expect_bad(const char *text, size_t len, const char *want)
{
	char why[120] = "";

	assert_int_equal(config_check(text, len, why, sizeof(why)), -1);
	if (!strstr(why, want))
		fail_msg("reason \"%s\", want \"%s\"", why, want);
}

static void test_config_check(void **state)
{
	static const char good[] = "# comment\r\ntimeout=1\tsmp=2\n\n";
	char why[120];

	assert_int_equal(config_check(good, strlen(good), why, sizeof(why)), 0);
	expect_bad("timeout=0\n\x01\x02garbage", 18, "line 2: binary data (byte 0x1");
	expect_bad("a=1\0b", 5, "line 1: binary data (byte 0");
	expect_bad("x=1\ny=2\nz=\"open\n", 16, "line 3: unterminated quote");
	expect_bad("=value", 6, "line 1: empty key");
	expect_bad("k=\"a\"junk", 9, "junk after closing quote");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_sources),
		cmocka_unit_test(test_quotes_and_flags),
		cmocka_unit_test(test_malformed_skipped),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_overlay_equals_line_merge),
		cmocka_unit_test(test_overlay_too_many),
		cmocka_unit_test(test_prompt_edit),
		cmocka_unit_test(test_to_info),
		cmocka_unit_test(test_config_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
