/* Memory for the UEFI loader (UEFI 2.10 §7.2 AllocatePages/GetMemoryMap, §7.4 ExitBootServices) and the hand-off to the kernel per docs/design.md §4. */
#include "uefi.h"
#include "pvboot/efiutil.h"
#include "../common/modplace.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

#define EBS_TRIES 5
#define MAP_SLACK 32                    /* descriptors: allocations add a few */
#define MAX_CLAIMS 16

/* efitrampoline.S: copied below 4 GiB, entered as tramp(entry, info). */
extern const u8 pv_tramp_start[], pv_tramp_end[];

static struct { u64 lo, hi; } claimed[MAX_CLAIMS];
static u32 nclaimed;

/*
 * The current map into uefi.map.  The buffer is sized once with room to
 * spare: after a failed ExitBootServices we may not allocate any more.
 */
bool uefi_map_read(void)
{
	for (int i = 0; i < 3; i++) {
		uefi.map_size = uefi.map_cap;
		EFI_STATUS s = uefi.bs->GetMemoryMap(&uefi.map_size, uefi.map, &uefi.map_key,
						     &uefi.desc_size, &uefi.desc_version);
		if (s == EFI_SUCCESS)
			return true;
		if (s != EFI_BUFFER_TOO_SMALL)
			return false;
		if (uefi.map)
			uefi.bs->FreePool(uefi.map);
		uefi.map_cap = uefi.map_size + MAP_SLACK * uefi.desc_size;
		if (uefi.bs->AllocatePool(EfiLoaderData, uefi.map_cap, &uefi.map) != EFI_SUCCESS) {
			uefi.map = NULL, uefi.map_cap = 0;
			return false;
		}
	}
	return false;
}

/* The E820 view (docs/design.md §4), plus the framebuffer UEFI does not list. */
void uefi_map_to_info(struct pvboot_info *info)
{
	u32 dropped, n;

	n = efi_map_to_e820(uefi.map, uefi.map_size, uefi.desc_size, info->mmap, PVBOOT_MMAP_MAX,
			    &dropped);
	if (info->screen.kind == PVSCREEN_FRAMEBUFFER)
		e820_add_if_absent(info->mmap, &n, PVBOOT_MMAP_MAX, info->screen.fb_base,
				   info->screen.fb_size, E820_RESERVED);
	info->mmap_count = n;
}

void *uefi_alloc_below_4g(UINTN bytes, EFI_MEMORY_TYPE type)
{
	EFI_PHYSICAL_ADDRESS a = 0xffffffffull;

	if (uefi.bs->AllocatePages(AllocateMaxAddress, type, (bytes + 4095) / 4096, &a) != EFI_SUCCESS)
		return NULL;
	return (void *)(uintptr_t)a;
}

/* Who holds addr, for the error line. */
static u32 owner_type(u64 addr)
{
	if (!uefi_map_read())
		return ~0u;
	for (UINTN i = 0; i < uefi.map_size / uefi.desc_size; i++) {
		const struct efi_mdesc *d = (const void *)((u8 *)uefi.map + i * uefi.desc_size);

		if (d->phys <= addr && addr < d->phys + d->pages * EFI_PAGE)
			return d->type;
	}
	return ~0u;
}

/* AllocateAddress for a kernel segment; pages we already hold are skipped. */
int uefi_claim(u32 base, u32 size, char *why, size_t wl)
{
	u64 lo = base & ~0xfffull, hi = ((u64)base + size + 0xfff) & ~0xfffull;
	EFI_PHYSICAL_ADDRESS a;

	for (u32 i = 0; i < nclaimed; i++) {
		if (claimed[i].lo <= lo && lo < claimed[i].hi)
			lo = claimed[i].hi;
		if (claimed[i].lo < hi && hi <= claimed[i].hi)
			hi = claimed[i].lo;
	}
	if (lo >= hi)
		return 0;
	a = lo;
	if (uefi.bs->AllocatePages(AllocateAddress, EfiLoaderData, (hi - lo) / 4096, &a) != EFI_SUCCESS) {
		u32 t = owner_type(lo);

		pv_snprintf(why, wl, "memory %#llx-%#llx is not free (AllocateAddress refused; EFI memory type %d there)",
			    (unsigned long long)lo, (unsigned long long)hi, (int)t);
		return -1;
	}
	if (nclaimed < MAX_CLAIMS)
		claimed[nclaimed].lo = lo, claimed[nclaimed++].hi = hi;
	return 0;
}

static EFI_PHYSICAL_ADDRESS alloc_rom(const struct rom_place *p)
{
	EFI_PHYSICAL_ADDRESS a = p->addr;
	EFI_MEMORY_TYPE keep = (EFI_MEMORY_TYPE)EFIMEM_PVBOOT_KEEP;

	if (p->kind == ROM_AT_ADDRESS &&
	    uefi.bs->AllocatePages(AllocateAddress, keep, p->pages, &a) == EFI_SUCCESS)
		return a;
	a = 0xfffff;
	if (uefi.bs->AllocatePages(AllocateMaxAddress, keep, p->pages, &a) == EFI_SUCCESS)
		return a;
	a = 0xffffffffull;
	if (uefi.bs->AllocatePages(AllocateMaxAddress, keep, p->pages, &a) == EFI_SUCCESS)
		return a;
	return 0;
}

/* Place a validated VMI ROM (docs/design.md §5); *phys = 0 if no memory. */
void uefi_place_rom(const u8 *rom, u32 size, u32 *phys)
{
	struct rom_place p;
	EFI_PHYSICAL_ADDRESS a;

	*phys = 0;
	if (!uefi_map_read() || rom_place_choose(uefi.map, uefi.map_size, uefi.desc_size, size, &p))
		return;
	a = alloc_rom(&p);
	if (!a)
		return;
	memcpy((void *)(uintptr_t)a, rom, size);
	*phys = (u32)a;
	linfo("uefi: VMI ROM placed at %#x (%s)\n", *phys,
		a >= 0xc0000 && a < 0xe0000 ? "free RAM in the option-ROM window" :
		a < 0x100000 ? "reserved memory below 1 MiB" : "reserved memory below 4 GiB");
}

/*
 * Boot module 0 (host=lguest): LoaderData pages below the lguest switcher
 * hole.  They turn into E820 RAM after ExitBootServices; the kernel keeps
 * them anyway, because it reserves every mods[] range (kernel/mem.c).
 */
u32 uefi_alloc_module(u32 size, char *why, size_t wl)
{
	UINTN pages = ((UINTN)size + EFI_PAGE - 1) / EFI_PAGE;
	EFI_PHYSICAL_ADDRESS a = MOD_PLACE_LIMIT - 1;
	EFI_STATUS s = uefi.bs->AllocatePages(AllocateMaxAddress, EfiLoaderData, pages, &a);

	if (s == EFI_SUCCESS && a >= MOD_PLACE_MIN)
		return (u32)a;
	if (s == EFI_SUCCESS)
		uefi.bs->FreePages(a, pages);
	pv_snprintf(why, wl, "AllocatePages found no %u free pages between 1 MiB and %#x",
		    (u32)pages, MOD_PLACE_LIMIT);
	return 0;
}

/*
 * ExitBootServices with the map-key retry (UEFI 2.10 §7.4: a map that
 * changed since GetMemoryMap makes it fail; get the map again and retry),
 * then the trampoline: long mode off on x64, our GDT, the kernel.
 */
_Noreturn void uefi_enter(u32 entry, struct pvboot_info *info)
{
	UINTN len = (UINTN)(pv_tramp_end - pv_tramp_start);
	u8 *tramp = uefi_alloc_below_4g(len, EfiLoaderCode);
	void (*go)(u32, u32);

	if (!tramp)
		loader_fatal("uefi: no page below 4 GiB for the mode-switch trampoline");
	memcpy(tramp, pv_tramp_start, len);
	go = (void (*)(u32, u32))(uintptr_t)tramp;
	uefi_measure_handoff(info);     /* the final command line and backend, then the PCRs */
	for (int i = 0; i < EBS_TRIES; i++) {
		if (!uefi_map_read())
			break;
		uefi_map_to_info(info);
		if (uefi.bs->ExitBootServices(uefi.image, uefi.map_key) == EFI_SUCCESS) {
			__asm__ volatile("cli");
			go(entry, (u32)(uintptr_t)info);
		}
	}
	/* OVMF checks the key before tearing anything down: ConOut still works. */
	loader_fatal("uefi: ExitBootServices kept failing (the memory map changed %d times); cannot start the kernel",
		     EBS_TRIES);
}
