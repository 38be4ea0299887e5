/* Lazy MMU batching of the VMI ROM: SetPxE/UpdatePxE and their PAE (Long) forms with DEFER queue, SetLazyMode applies (docs/vmi-rom.md "Lazy MMU mode"). */
#include "romio.h"
#include "pvboot/pgtable.h"

/* One entry store: 4 bytes, or 8 as two halves ordered so that no page
 * walk sees a present entry made of two values (pvboot/pgtable.h). */
static void store(volatile u32 *ptr, u32 lo, u32 hi, bool wide)
{
	if (wide)
		pae_store_halves((u32 *)ptr, ((u64)hi << 32) | lo);
	else
		*ptr = lo;
}

/* Apply the queue in order; the caller holds the lock. */
static void apply_locked(void)
{
	struct rom_data *d = &rom_data;

	for (u32 i = 0; i < d->qlen; i++) {
		struct rom_qent *q = &d->queue[i];
		if (q->ptr)
			store(q->ptr, q->val, q->hi, q->wide);
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
static void enqueue(volatile u32 *ptr, u32 val, u32 hi, bool wide)
{
	struct rom_data *d = &rom_data;

	spin_lock(&d->qlock);
	if (d->qlen == RD_QMAX)
		apply_locked();
	d->queue[d->qlen].ptr = ptr;
	d->queue[d->qlen].val = val;
	d->queue[d->qlen].hi = hi;
	d->queue[d->qlen].wide = wide;
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

static void set_entry(u32 *ptr, u32 lo, u32 hi, bool wide, u32 flags)
{
	if (deferred(flags)) {
		enqueue(ptr, lo, hi, wide);
		return;
	}
	if (rom_data.qlen)
		rom_lazy_flush();
	store(ptr, lo, hi, wide);
}

void rom_set_pxe(u32 val, u32 *ptr, u32 flags)
{
	set_entry(ptr, val, 0, false, flags);
}

/* SetPxELong: the u64 value arrives first (eax low, edx high). */
void rom_set_pxe_long(u32 lo, u32 hi, u32 *ptr, u32 flags)
{
	set_entry(ptr, lo, hi, true, flags);
}

/* The entry changed in place (either width): nothing to store, only
 * counted or queued. */
void rom_update_pxe(u32 *ptr, u32 flags)
{
	if (deferred(flags))
		enqueue(NULL, 0, 0, false);
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
