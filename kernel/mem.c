/*
 * Physical page allocator: one bitmap over the first 4 GiB and, under
 * PAE, a second one over the RAM above 4 GiB (sized to the highest RAM
 * address the CPU can reach, kept in low memory), both built from the
 * boot info's memory map (E820 types) minus the kernel and low memory.
 * Pages below 4 GiB are identity mapped and handed out as u32 addresses;
 * pages above are handed out as u64 physical addresses, reached through
 * kmap() (kernel/paging.c).
 */
#include "mm.h"
#include "spinlock.h"

#define LOW_PAGES (1u << 20)
#define LOW_LIMIT 0x100000u     /* below 1 MiB: BIOS, trampoline */
#define FOUR_GIB 0x100000000ull

/* Pages [base, base + count) by pfn; a set bit is a free page. */
struct pfn_map {
	u32 *bits;
	u32 base, count;
	u32 free, total, hint;
};

static u32 low_bits[LOW_PAGES / 32];
static struct pfn_map low = { .bits = low_bits, .base = 0, .count = LOW_PAGES };
static struct pfn_map high;             /* count 0 unless PAE and RAM above 4 GiB */
static u64 high_ignored;                /* RAM above 4 GiB left unused, bytes */
static struct spinlock mem_lock;

static void mark(struct pfn_map *m, u32 pfn, bool free)
{
	u32 i = pfn - m->base;

	if (free)
		m->bits[i / 32] |= 1u << (i % 32);
	else
		m->bits[i / 32] &= ~(1u << (i % 32));
}

static bool is_free(const struct pfn_map *m, u32 pfn)
{
	u32 i = pfn - m->base;

	return m->bits[i / 32] & (1u << (i % 32));
}

/* The whole pages of [base, end) that the map covers, as pfns. */
static bool clip(const struct pfn_map *m, u64 base, u64 end, u32 *first, u32 *last)
{
	u64 lo = (base + PAGE_SIZE - 1) >> PAGE_SHIFT, hi = end >> PAGE_SHIFT;

	if (lo < m->base)
		lo = m->base;
	if (hi > (u64)m->base + m->count)
		hi = (u64)m->base + m->count;
	*first = (u32)lo;
	*last = (u32)hi;
	return lo < hi;
}

static void add_range(struct pfn_map *m, u64 base, u64 end)
{
	u32 p, last;

	if (base < LOW_LIMIT)
		base = LOW_LIMIT;
	if (!clip(m, base, end, &p, &last))
		return;
	for (; p < last; p++)
		if (!is_free(m, p)) {
			mark(m, p, true);
			m->free++;
		}
}

/* Every page [base, end) touches, partial pages included. */
static void reserve_range(struct pfn_map *m, u64 base, u64 end)
{
	u32 p, last;

	if (!clip(m, base & ~(u64)(PAGE_SIZE - 1), (end + PAGE_SIZE - 1) & ~(u64)(PAGE_SIZE - 1), &p, &last))
		return;
	for (; p < last; p++)
		if (is_free(m, p)) {
			mark(m, p, false);
			m->free--;
		}
}

/* RAM ranges in, then every other type out (reserved wins an overlap). */
static void fill_from_map(struct pfn_map *m)
{
	const struct pvboot_info *bi = boot_info;

	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		if (bi->mmap[i].type == E820_RAM)
			add_range(m, bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].length);
	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		if (bi->mmap[i].type != E820_RAM)
			reserve_range(m, bi->mmap[i].base, bi->mmap[i].base + bi->mmap[i].length);
}

/* End of the highest RAM range (the map is untrusted: lengths may wrap). */
static u64 ram_top(void)
{
	const struct pvboot_info *bi = boot_info;
	u64 top = 0;

	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++) {
		u64 b = bi->mmap[i].base, e = b + bi->mmap[i].length;
		if (bi->mmap[i].type == E820_RAM && e > b && e > top)
			top = e;
	}
	return top;
}

/* Bytes of RAM in [lo, hi) by the memory map (overlaps counted twice). */
u64 mem_ram_in(u64 lo, u64 hi)
{
	const struct pvboot_info *bi = boot_info;
	u64 n = 0;

	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++) {
		u64 b = bi->mmap[i].base, e = b + bi->mmap[i].length;
		if (bi->mmap[i].type != E820_RAM || e < b)
			continue;
		b = b > lo ? b : lo;
		e = e < hi ? e : hi;
		if (e > b)
			n += e - b;
	}
	return n;
}

/* Under PAE: the RAM above 4 GiB that the CPU's address width reaches. */
static void high_init(void)
{
	u64 top = ram_top(), limit = 1ull << paging_maxphy;
	u64 above = mem_ram_in(FOUR_GIB, ~0ull);

	if (top > limit)
		top = limit;
	if (!paging_pae || top <= FOUR_GIB) {
		high_ignored = above;
		return;
	}
	u32 count = (u32)((top - FOUR_GIB) >> PAGE_SHIFT);
	u32 words = (count + 31) / 32;
	u32 pages = (words * 4 + PAGE_SIZE - 1) / PAGE_SIZE;
	u32 bits = pages_alloc(pages);
	if (!bits) {
		kprintf("mem: no %u KiB below 4 GiB for the bitmap of the RAM above it; that RAM stays unused\n",
			pages * 4);
		high_ignored = above;
		return;
	}
	high.bits = (u32 *)bits;
	high.base = LOW_PAGES;
	high.count = count;
	fill_from_map(&high);
	high.total = high.free;
	high.hint = high.base;
	high_ignored = above - (u64)high.total * PAGE_SIZE;
}

static void print_summary(const char *source)
{
	const struct pvboot_info *bi = boot_info;
	char extra[96] = "";

	if (high.total)
		pv_snprintf(extra, sizeof(extra), " + %u MiB above 4 GiB", high.total / 256);
	if (high_ignored >= 1024 * 1024)
		pv_snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			    " (%llu MiB above 4 GiB unused: %s)", high_ignored >> 20,
			    paging_pae ? "beyond the CPU's physical address width" : "2-level paging");
	kprintf("mem: %u MiB usable below 4 GiB%s in %u map entries (memory map from %s)\n",
		low.free / 256, extra, bi->mmap_count, source);
}

void mem_init(void)
{
	const struct pvboot_info *bi = boot_info;

	if (bi->mmap_count == 0)
		panic("mem: the loader passed no memory map; cannot continue");
	fill_from_map(&low);
	reserve_range(&low, (u32)__kernel_start, (u32)__kernel_end);
	for (u32 i = 0; i < bi->mod_count && i < PVBOOT_MODS_MAX; i++)
		reserve_range(&low, bi->mods[i].start, bi->mods[i].end);
	low.total = low.free;
	low.hint = LOW_LIMIT >> PAGE_SHIFT;
	if (low.free < 256)
		panic("mem: only %u KiB of usable RAM above 1 MiB; need at least 1 MiB", low.free * 4);
	high_init();
	print_summary(memory_setup());
}

static u32 find_free(struct pfn_map *m)
{
	for (u32 n = 0; n < m->count; n++) {
		u32 i = (m->hint - m->base + n) % m->count;
		if (m->bits[i / 32] == 0) {     /* skip empty words quickly */
			n += 31 - i % 32;
			continue;
		}
		if (is_free(m, m->base + i))
			return m->base + i;
	}
	return 0;
}

static u32 take(struct pfn_map *m)
{
	unsigned long f = spin_lock_irqsave(&mem_lock);
	u32 pfn = m->count ? find_free(m) : 0;

	if (pfn) {
		mark(m, pfn, false);
		m->free--;
		m->hint = pfn + 1 < m->base + m->count ? pfn + 1 : m->base;
	}
	spin_unlock_irqrestore(&mem_lock, f);
	return pfn;
}

u32 page_alloc(void)
{
	u32 pfn = take(&low);

	if (pfn)
		memset((void *)(pfn << PAGE_SHIFT), 0, PAGE_SIZE);
	return pfn << PAGE_SHIFT;
}

/* A page above 4 GiB (not zeroed: it is not mapped), 0 if none. */
u64 page_alloc_high(void)
{
	return (u64)take(&high) << PAGE_SHIFT;
}

/* n physically contiguous zeroed pages (kernel stacks); 0 if none. */
u32 pages_alloc(u32 n)
{
	unsigned long f = spin_lock_irqsave(&mem_lock);
	u32 run = 0, pfn;

	for (pfn = LOW_LIMIT >> PAGE_SHIFT; pfn < LOW_PAGES && run < n; pfn++)
		run = is_free(&low, pfn) ? run + 1 : 0;
	if (run == n) {
		for (u32 p = pfn - n; p < pfn; p++)
			mark(&low, p, false);
		low.free -= n;
	}
	spin_unlock_irqrestore(&mem_lock, f);
	if (run != n)
		return 0;
	memset((void *)((pfn - n) << PAGE_SHIFT), 0, n * PAGE_SIZE);
	return (pfn - n) << PAGE_SHIFT;
}

static void give_back(struct pfn_map *m, u64 pa)
{
	u64 pfn = pa >> PAGE_SHIFT;
	unsigned long f;

	if (!pa || pfn < m->base || pfn >= (u64)m->base + m->count)
		return;
	f = spin_lock_irqsave(&mem_lock);
	if (!is_free(m, (u32)pfn)) {
		mark(m, (u32)pfn, true);
		m->free++;
	}
	spin_unlock_irqrestore(&mem_lock, f);
}

void page_free(u32 pa) { give_back(&low, pa); }
void page_free_high(u64 pa) { give_back(&high, pa); }

u32 mem_free_pages(void) { return low.free; }
u32 mem_total_pages(void) { return low.total; }
u32 mem_high_free_pages(void) { return high.free; }
u32 mem_high_total_pages(void) { return high.total; }
