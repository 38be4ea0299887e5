/* Unit tests for loader/common/prompt.c: the countdown and the line editor (docs/design.md §3 source 4) driven by scripted keys. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/loader.h"

static char out[8192];
static const int *script;
static int sleeps;

static void fk_puts(const char *s)
{
	strncat(out, s, sizeof(out) - strlen(out) - 1);
}

/* Keys arrive after a few polls each; KEY_NONE ends the script (silence). */
static int fk_getkey(void)
{
	if (*script == KEY_NONE)
		return KEY_NONE;
	return *script++;
}

static void fk_sleep(u32 ms)
{
	sleeps++;
}

static const struct loader_platform plat = { .name = "test", .puts = fk_puts,
	.getkey = fk_getkey, .sleep_ms = fk_sleep };

static int run(const int *keys, char *line, u32 timeout, int first)
{
	out[0] = '\0';
	sleeps = 0;
	script = keys;
	loader_set_platform(&plat);
	return prompt_run(&plat, line, line, 64, timeout, first);
}

static void test_timeout_boots(void **state)
{
	static const int keys[] = { KEY_NONE };
	char line[64] = "smp=2";

	assert_int_equal(run(keys, line, 2, KEY_NONE), PROMPT_BOOT);
	assert_int_equal(sleeps, 200);          /* 2 s of 10 ms polls */
	assert_non_null(strstr(out, "booting /boot/pvkernel.elf with \"smp=2\""));
	assert_non_null(strstr(out, "press e"));
}

static void test_enter_boots_now(void **state)
{
	static const int keys[] = { KEY_ENTER, KEY_NONE };
	char line[64] = "smp=2";

	assert_int_equal(run(keys, line, 5, KEY_NONE), PROMPT_BOOT);
	assert_true(sleeps < 5);
	assert_string_equal(line, "smp=2");
}

static void test_edit(void **state)
{
	/* e, End, Backspace, "4", Home, Delete x4, "cpus" ... Enter */
	static const int keys[] = { 'e', KEY_END, KEY_BACKSPACE, '4', KEY_HOME,
		KEY_DELETE, KEY_DELETE, KEY_DELETE, 'S', 'M', 'P', KEY_RIGHT, KEY_LEFT,
		KEY_END, ' ', 't', 'e', 's', 't', KEY_ENTER, KEY_NONE };
	char line[64] = "smp=2";

	assert_int_equal(run(keys, line, 3, KEY_NONE), PROMPT_EDITED);
	assert_string_equal(line, "SMP=4 test");
	assert_non_null(strstr(out, "Enter boots it, Esc cancels"));
}

static void test_esc_cancels(void **state)
{
	static const int keys[] = { 'x', 'y', KEY_ESC, KEY_NONE };
	char line[64] = "smp=2";

	/* A key pressed during the firmware's boot opens the editor at once. */
	assert_int_equal(run(keys + 1, line, 0, 'x'), PROMPT_BOOT);
	assert_non_null(strstr(out, "edit cancelled"));
	assert_string_equal(line, "smp=2");      /* the edit is undone */
}

static void test_line_full(void **state)
{
	static int keys[80];
	char line[64] = "";

	for (int i = 0; i < 70; i++)
		keys[i] = 'a';
	keys[70] = KEY_ENTER;
	keys[71] = KEY_NONE;
	assert_int_equal(run(keys, line, 1, 'e'), PROMPT_EDITED);
	assert_int_equal(strlen(line), 63);      /* the buffer's size - 1 */
}

/* Typed into, then left alone: after 60 s the original line boots. */
static void test_edit_idle_gives_up(void **state)
{
	static const int keys[] = { 'x', KEY_NONE };
	char line[64] = "smp=2";

	assert_int_equal(run(keys, line, 1, 'e'), PROMPT_BOOT);
	assert_int_equal(sleeps, 1 + 6000);     /* one poll to get x, then 60 s of 10 ms polls */
	assert_string_equal(line, "smp=2");
	assert_non_null(strstr(out, "no key for 60 s: edit cancelled"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timeout_boots),
		cmocka_unit_test(test_enter_boots_now),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_esc_cancels),
		cmocka_unit_test(test_line_full),
		cmocka_unit_test(test_edit_idle_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
