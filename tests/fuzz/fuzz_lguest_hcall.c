/*
 * libFuzzer target: the lguest host's hypercall dispatch front end.  The
 * input is a guest's shared page (async ring included) and a synchronous
 * call; every queued call is taken once, whole, in ring order, and freed
 * (no other status byte changes), and every call the argument check lets
 * through names only guest memory, aligned as the host will use it
 * (lib/lguest_check.c, backends/lguest/host/).
 */
#include <stdint.h>
#include <string.h>
#include "pvboot/lguest_check.h"

#define GUEST (64u << 20)

static bool inside(u64 gpa, u64 len) { return gpa + len <= GUEST; }

static void check_call(const struct lgc_async *c)
{
	if (lgc_hcall_args(c->call, c->arg1, c->arg2, c->arg3, GUEST))
		return;
	switch (c->call) {
	case LHCALL_SET_PTE: case LHCALL_SET_PMD: case LHCALL_SET_PGD:
		if ((c->arg1 & 3) || !inside(c->arg1, 4))
			__builtin_trap();
		break;
	case LHCALL_NEW_PGTABLE:
		if (!inside(c->arg1 & ~0xfffu, 4096))
			__builtin_trap();
		break;
	case LHCALL_LGUEST_INIT:
		if (!inside(c->arg1, sizeof(struct lguest_data)))
			__builtin_trap();
		break;
	case LHCALL_LOAD_TLS:
		if (!inside(c->arg1, 24))
			__builtin_trap();
		break;
	case LHCALL_CONSOLE_WRITE:
		if (c->arg2 > 4096 || !inside(c->arg1, c->arg2))
			__builtin_trap();
		break;
	case LHCALL_VCPU_START:
		if (c->arg1 >= LG_MAX_VCPUS)
			__builtin_trap();
		break;
	case LHCALL_SEND_IPI:
		if (c->arg1 >= LG_MAX_VCPUS || c->arg2 < 32 || c->arg2 > 255)
			__builtin_trap();
		break;
	case LHCALL_FORGET_PAGE:
		if ((c->arg1 & 0xfff) || !inside(c->arg1, 4096))
			__builtin_trap();
		break;
	case LHCALL_LOAD_IDT_ENTRY:
		if (c->arg1 > 255)
			__builtin_trap();
		break;
	case LHCALL_SET_STACK:
		if ((c->arg1 & 7) != 1)
			__builtin_trap();
		break;
	default:
		if (c->call >= LHCALL_MAX || (c->call > LHCALL_SEND_INTERRUPTS && c->call != LHCALL_CONSOLE_WRITE) ||
		    c->call == 3 || c->call == 11 || c->call == 12)
			__builtin_trap();       /* an unknown number got through */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct lguest_vcpu d;
	struct lgc_async c[LG_ASYNC_SLOTS], sync;
	u8 before[LG_ASYNC_SLOTS];

	memset(&d, 0, sizeof(d));
	memcpy(&d, data, size < sizeof(d) ? size : sizeof(d));
	memcpy(before, d.hcall_status, sizeof(before));
	const struct lgc_ring ring = { d.hcall_status, &d.hcalls[0].call, &d.async_next };
	u32 n = lgc_async_take(&ring, c);
	if (n > LG_ASYNC_SLOTS)
		__builtin_trap();
	/* The model: every queued slot, in ring order from async_next, copied
	 * whole; afterwards exactly those free, every other byte as it was. */
	u32 k = 0;
	for (u32 j = 0; j < LG_ASYNC_SLOTS; j++) {
		u32 i = (d.async_next + j) % LG_ASYNC_SLOTS;
		if (d.hcall_status[i] != (before[i] ? before[i] : 0xff))
			__builtin_trap();
		if (before[i])
			continue;
		if (k >= n || memcmp(&c[k], &d.hcalls[i], sizeof(c[k])))
			__builtin_trap();
		check_call(&c[k++]);
	}
	if (k != n)
		__builtin_trap();
	memset(&sync, 0, sizeof(sync));
	if (size > sizeof(d))
		memcpy(&sync, data + sizeof(d), size - sizeof(d) < sizeof(sync) ? size - sizeof(d) : sizeof(sync));
	check_call(&sync);
	return 0;
}
