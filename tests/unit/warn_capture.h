/* Unit-test helper: capture the one-line diagnostics a parser reports
 * through cmd_warn_fn, and check they stay one short line each. */
#ifndef TESTS_WARN_CAPTURE_H
#define TESTS_WARN_CAPTURE_H
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static char warns[32][256];
static int nwarn;

static void rec_warn(void *ctx, const char *line)
{
	(void)ctx;
	assert_true(strlen(line) < 200);
	assert_null(strchr(line, '\n'));
	if (nwarn < 32)
		snprintf(warns[nwarn], sizeof(warns[0]), "%s", line);
	nwarn++;
}

/* Some captured line contains needle. */
static bool saw(const char *needle)
{
	for (int i = 0; i < nwarn && i < 32; i++)
		if (strstr(warns[i], needle))
			return true;
	return false;
}

#endif
