/* libFuzzer target: config checks and command-line merging with sources (loader/common/options.c, docs/design.md §3). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct optset s;
	static struct pvboot_info info;
	const char *text = (const char *)data;
	size_t half = size / 2;
	char why[120];

	s.n = 0;
	if (!config_check(text, half, why, sizeof(why)))
		optset_merge(&s, text, half, PVSRC_CONFIG, fuzz_warn, NULL);
	optset_merge(&s, text + half, size - half, PVSRC_FWCFG, fuzz_warn, NULL);
	optset_to_info(&s, &info);
	if (s.n > PVBOOT_OPTSRC_MAX || info.optsrc_count > s.n ||
	    strnlen(info.cmdline, sizeof(info.cmdline)) >= sizeof(info.cmdline))
		abort();
	/* The rendered line read back as a prompt edit keeps every word. */
	u32 n = info.optsrc_count;
	optset_edit(&s, info.cmdline, strlen(info.cmdline), PVSRC_PROMPT, fuzz_warn, NULL);
	if (s.n != n)
		abort();
	return 0;
}
