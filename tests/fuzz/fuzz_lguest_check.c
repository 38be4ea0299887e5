/* libFuzzer target: the lguest host's checks on guest-supplied descriptors
 * and page-table entries never accept anything reaching the hole or host memory. */
#include <stdint.h>
#include <string.h>
#include "pvboot/lguest_check.h"

#define HOLE 0xffc00000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u32 w[4] = { 0 };

	memcpy(w, data, size < sizeof(w) ? size : sizeof(w));
	u32 lo = w[1], hi = w[2];
	if (lgc_check_descriptor(w[0] % 16, &lo, &hi, 11, 5, 10, HOLE, NULL) == 0 && (hi & 0x8000)) {
		u32 base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
		u32 limit = (lo & 0xffff) | (hi & 0xf0000);
		u64 top = (hi & 0x800000) ? ((u64)limit << 12) | 0xfff : limit;
		if ((u64)base + top >= HOLE || !(hi & 0x1000) || ((hi >> 13) & 3) == 0)
			__builtin_trap();
	}
	bool refused = false;
	u32 size64 = 64u << 20, s = lgc_translate_pte(0x2000000, size64, w[3], &refused);
	if (s && ((s & ~0xfffu) < 0x2000000 || (s & ~0xfffu) >= 0x2000000 + size64))
		__builtin_trap();
	return 0;
}
