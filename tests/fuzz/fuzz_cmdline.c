/* libFuzzer target: command-line tokenizer, option parser and option-source table (docs/design.md §3). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pvboot/cmdline.h"
#include "pvboot/multiboot.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pvboot_info info;
	const char *s = (const char *)data;
	const char *pos = s, *err;
	struct cmd_token t;
	struct kopts o;
	int r, words = 0;
	u32 v;

	kopts_defaults(&o);
	kopts_parse(&o, s, size, fuzz_warn, NULL);
	if (o.console < 1 || o.console > 3 || o.initwait < -1 || o.initwait > 1 ||
	    o.pv >= PV_BACKEND_MAX || o.guestmem_mb < 1 || o.guestmem_mb > 3072)
		abort();

	/* Tokens must lie inside the input and the walk must make progress. */
	while ((r = cmd_next(&pos, s + size, &t, &err)) != 0) {
		if (t.key < s || t.key + t.key_len > s + size || ++words > (int)size)
			abort();
		if (r > 0 && t.val && (t.val < s || t.val + t.val_len > s + size))
			abort();
	}
	cmd_parse_u32(s, size, &v);
	pv_backend_from_name(s, size);

	size_t n = size < sizeof(info.cmdline) ? size : sizeof(info.cmdline);
	memcpy(info.cmdline, data, n);  /* possibly without a NUL: bounded */
	pvboot_set_optsrc_all(&info, PVSRC_PROMPT);
	if (info.optsrc_count > PVBOOT_OPTSRC_MAX)
		abort();
	return 0;
}
