/* Physical page allocator: a bitmap over the first 4 GiB built from the
 * boot info's memory map (E820 types), minus the kernel and low memory. */
#include "mm.h"
#include "spinlock.h"

#define MAX_PAGES (1u << 20)
#define LOW_LIMIT 0x100000u     /* below 1 MiB: BIOS, trampoline */

static u32 free_map[MAX_PAGES / 32];    /* bit set = page free */
static u32 free_count, total_count, hint;
static struct spinlock mem_lock;

static void mark(u32 pfn, bool free)
{
	if (free)
		free_map[pfn / 32] |= 1u << (pfn % 32);
	else
		free_map[pfn / 32] &= ~(1u << (pfn % 32));
}

static bool is_free(u32 pfn)
{
	return free_map[pfn / 32] & (1u << (pfn % 32));
}

static void add_range(u64 base, u64 len)
{
	u64 end = base + len;

	if (end > 0x100000000ull)
		end = 0x100000000ull;
	if (base < LOW_LIMIT)
		base = LOW_LIMIT;
	for (u64 p = (base + PAGE_SIZE - 1) & ~0xfffull; p + PAGE_SIZE <= end; p += PAGE_SIZE) {
		if (!is_free((u32)(p >> PAGE_SHIFT))) {
			mark((u32)(p >> PAGE_SHIFT), true);
			free_count++;
		}
	}
}

static void reserve_range(u32 base, u32 end)
{
	for (u32 p = base & ~0xfffu; p < end && p >= (base & ~0xfffu); p += PAGE_SIZE) {
		if (is_free(p >> PAGE_SHIFT)) {
			mark(p >> PAGE_SHIFT, false);
			free_count--;
		}
	}
}

void mem_init(void)
{
	const struct pvboot_info *bi = boot_info;

	if (bi->mmap_count == 0)
		panic("mem: the loader passed no memory map; cannot continue");
	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		if (bi->mmap[i].type == E820_RAM)
			add_range(bi->mmap[i].base, bi->mmap[i].length);
	/* Reserved ranges win over RAM ranges that overlap them. */
	for (u32 i = 0; i < bi->mmap_count && i < PVBOOT_MMAP_MAX; i++)
		if (bi->mmap[i].type != E820_RAM && bi->mmap[i].base < 0x100000000ull) {
			u64 end = bi->mmap[i].base + bi->mmap[i].length;
			reserve_range((u32)bi->mmap[i].base, end > 0xffffffffull ? 0xffffffffu : (u32)end);
		}
	reserve_range((u32)__kernel_start, (u32)__kernel_end);
	for (u32 i = 0; i < bi->mod_count && i < PVBOOT_MODS_MAX; i++)
		reserve_range(bi->mods[i].start, bi->mods[i].end);
	total_count = free_count;
	hint = LOW_LIMIT >> PAGE_SHIFT;
	kprintf("mem: %u MiB usable in %u map entries (memory map from %s)\n",
		free_count / 256, bi->mmap_count, memory_setup());
	if (free_count < 256)
		panic("mem: only %u KiB of usable RAM above 1 MiB; need at least 1 MiB", free_count * 4);
}

static u32 find_free(void)
{
	for (u32 n = 0; n < MAX_PAGES; n++) {
		u32 pfn = (hint + n) % MAX_PAGES;
		if (free_map[pfn / 32] == 0) {  /* skip empty words quickly */
			n += 31 - pfn % 32;
			continue;
		}
		if (is_free(pfn))
			return pfn;
	}
	return 0;
}

u32 page_alloc(void)
{
	unsigned long f = spin_lock_irqsave(&mem_lock);
	u32 pfn = find_free();

	if (pfn) {
		mark(pfn, false);
		free_count--;
		hint = pfn + 1;
	}
	spin_unlock_irqrestore(&mem_lock, f);
	if (pfn)
		memset((void *)(pfn << PAGE_SHIFT), 0, PAGE_SIZE);
	return pfn << PAGE_SHIFT;
}

/* n physically contiguous zeroed pages (kernel stacks); 0 if none. */
u32 pages_alloc(u32 n)
{
	unsigned long f = spin_lock_irqsave(&mem_lock);
	u32 run = 0, pfn;

	for (pfn = LOW_LIMIT >> PAGE_SHIFT; pfn < MAX_PAGES && run < n; pfn++)
		run = is_free(pfn) ? run + 1 : 0;
	if (run == n) {
		for (u32 p = pfn - n; p < pfn; p++)
			mark(p, false);
		free_count -= n;
	}
	spin_unlock_irqrestore(&mem_lock, f);
	if (run != n)
		return 0;
	memset((void *)((pfn - n) << PAGE_SHIFT), 0, n * PAGE_SIZE);
	return (pfn - n) << PAGE_SHIFT;
}

void page_free(u32 pa)
{
	unsigned long f = spin_lock_irqsave(&mem_lock);

	if (pa && !is_free(pa >> PAGE_SHIFT)) {
		mark(pa >> PAGE_SHIFT, true);
		free_count++;
	}
	spin_unlock_irqrestore(&mem_lock, f);
}

u32 mem_free_pages(void) { return free_count; }
u32 mem_total_pages(void) { return total_count; }
