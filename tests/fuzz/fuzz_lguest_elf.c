/* libFuzzer target: the lguest host's guest-kernel loader plan
 * (lgc_elf_plan) only ever copies from inside the image into guest memory
 * at or above 1 MiB, and starts the guest inside what it loaded. */
#include <stdint.h>
#include <string.h>
#include "pvboot/lguest_check.h"

#define GUEST (64u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lgc_load l[LGC_MAX_LOADS];
	u32 n = 0xdead, entry = 0;

	if (size > 1u << 20)
		return 0;
	if (lgc_elf_plan(data, (u32)size, GUEST, l, &n, &entry)) {
		if (n > LGC_MAX_LOADS)
			__builtin_trap();
		return 0;
	}
	bool entry_in = false;
	if (n == 0 || n > LGC_MAX_LOADS)
		__builtin_trap();
	for (u32 i = 0; i < n; i++) {
		u64 fend = (u64)l[i].offset + l[i].filesz, mend = (u64)l[i].paddr + l[i].memsz;
		if (fend > size || mend > GUEST || l[i].paddr < 0x100000 || l[i].filesz > l[i].memsz)
			__builtin_trap();
		entry_in |= entry >= l[i].paddr && (u64)entry < mend;
	}
	if (!entry_in)
		__builtin_trap();
	return 0;
}
