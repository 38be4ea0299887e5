/* Lazy MMU batching of the VMI ROM: SetPxE/UpdatePxE with DEFER queue, SetLazyMode applies (docs/vmi-rom.md "Lazy MMU mode"). */
#include "romio.h"

/* Apply the queue in order; the caller holds the lock. */
static void apply_locked(void)
{
	struct rom_data *d = &rom_data;

	for (u32 i = 0; i < d->qlen; i++) {
		if (d->queue[i].ptr)
			*d->queue[i].ptr = d->queue[i].val;
		count(VMI_COUNT_LAZY_APPLIED);
	}
	d->qlen = 0;
}

void rom_lazy_flush(void)
{
	spin_lock(&rom_data.qlock);
	apply_locked();
	spin_unlock(&rom_data.qlock);
}

/* Queue one update; a full queue is applied first, so order holds. */
static void enqueue(volatile u32 *ptr, u32 val)
{
	struct rom_data *d = &rom_data;

	spin_lock(&d->qlock);
	if (d->qlen == RD_QMAX)
		apply_locked();
	d->queue[d->qlen].ptr = ptr;
	d->queue[d->qlen].val = val;
	d->qlen++;
	count(VMI_COUNT_LAZY_QUEUED);
	spin_unlock(&d->qlock);
}

/*
 * Deferred only when asked (DEFER) and in lazy MMU mode.  The mode is one
 * word, not per CPU: the kernel lets one CPU at a time be in MMU mode, and
 * any other CPU's mode change only applies the queue early, which is
 * always correct.
 */
static bool deferred(u32 flags)
{
	return (flags & VMI_PAGE_DEFER) && rom_data.lazy_mode == 1;
}

void rom_set_pxe(u32 val, u32 *ptr, u32 flags)
{
	if (deferred(flags)) {
		enqueue(ptr, val);
		return;
	}
	if (rom_data.qlen)
		rom_lazy_flush();
	*(volatile u32 *)ptr = val;
}

/* The entry changed in place: nothing to store, only counted or queued. */
void rom_update_pxe(u32 *ptr, u32 flags)
{
	if (deferred(flags))
		enqueue(NULL, 0);
	else if (rom_data.qlen)
		rom_lazy_flush();
}

/* FLUSH applies and keeps the mode; any mode but MMU applies and switches. */
void rom_set_lazy_mode(u32 mode)
{
	if (mode != 1 && rom_data.qlen)
		rom_lazy_flush();
	if (mode <= 2)
		rom_data.lazy_mode = mode;
}
