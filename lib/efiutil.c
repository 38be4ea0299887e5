/* Pure helpers of the UEFI loader: memory map → E820 (UEFI 2.10 §7.2, ACPI 6.5 Table 15.6), VMI ROM placement choice, load options (UEFI 2.10 §9.1). */
#include "pvboot/efiutil.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

#define ROM_WINDOW_LO 0xC0000u
#define ROM_WINDOW_HI 0xE0000u

u32 efi_type_to_e820(u32 t)
{
	switch (t) {
	case EFIMEM_LOADER_CODE:
	case EFIMEM_LOADER_DATA:
	case EFIMEM_BS_CODE:            /* the firmware's, until ExitBootServices */
	case EFIMEM_BS_DATA:
	case EFIMEM_CONVENTIONAL:
		return E820_RAM;
	case EFIMEM_ACPI_RECLAIM:
		return E820_ACPI;
	case EFIMEM_ACPI_NVS:
		return E820_NVS;
	case EFIMEM_UNUSABLE:
		return E820_UNUSABLE;
	default:                        /* runtime services, MMIO, ours, unknown */
		return E820_RESERVED;
	}
}

static const struct efi_mdesc *desc_at(const void *map, size_t i, size_t desc_size)
{
	return (const struct efi_mdesc *)((const u8 *)map + i * desc_size);
}

/* Join m[i] with m[i+1] if they touch and have the same type. */
static bool try_merge(struct pvboot_mmap_entry *m, u32 *count, u32 i)
{
	if (i + 1 >= *count || m[i].type != m[i + 1].type ||
	    m[i].base + m[i].length != m[i + 1].base)
		return false;
	m[i].length += m[i + 1].length;
	memmove(&m[i + 1], &m[i + 2], (*count - i - 2) * sizeof(*m));
	(*count)--;
	return true;
}

/* Insert sorted by base, merging with neighbours; false if it had to go. */
static bool insert_range(struct pvboot_mmap_entry *m, u32 *count, u32 max,
			 u64 base, u64 len, u32 type, u32 *dropped)
{
	u32 i = 0;

	while (i < *count && m[i].base < base)
		i++;
	if (i > 0 && m[i - 1].type == type && m[i - 1].base + m[i - 1].length == base) {
		m[i - 1].length += len;
		try_merge(m, count, i - 1);
		return true;
	}
	if (i < *count && m[i].type == type && base + len == m[i].base) {
		m[i].base = base, m[i].length += len;
		return true;
	}
	if (*count == max) {
		(*dropped)++;           /* keep the low ranges: the kernel lives there */
		if (i == max)
			return false;
		(*count)--;
	}
	memmove(&m[i + 1], &m[i], (*count - i) * sizeof(*m));
	m[i] = (struct pvboot_mmap_entry){ base, len, type, 0 };
	(*count)++;
	return true;
}

u32 efi_map_to_e820(const void *map, size_t size, size_t desc_size,
		    struct pvboot_mmap_entry *out, u32 max, u32 *dropped)
{
	u32 count = 0;

	*dropped = 0;
	if (desc_size < sizeof(struct efi_mdesc))
		return 0;
	for (size_t i = 0; i < size / desc_size; i++) {
		const struct efi_mdesc *d = desc_at(map, i, desc_size);

		if (!d->pages || d->pages > (~0ull >> 12))
			continue;
		insert_range(out, &count, max, d->phys, d->pages * EFI_PAGE,
			     efi_type_to_e820(d->type), dropped);
	}
	return count;
}

bool e820_add_if_absent(struct pvboot_mmap_entry *m, u32 *count, u32 max,
			u64 base, u64 len, u32 type)
{
	u32 dropped = 0;

	for (u32 i = 0; i < *count; i++)
		if (m[i].base < base + len && base < m[i].base + m[i].length)
			return true;
	return insert_range(m, count, max, base, len, type, &dropped) && !dropped;
}

/* Is [lo, hi) inside conventional memory (possibly several descriptors)? */
static bool all_free(const void *map, size_t n, size_t desc_size, u64 lo, u64 hi)
{
	u64 at = lo;
	bool progress = true;

	while (at < hi && progress) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			const struct efi_mdesc *d = desc_at(map, i, desc_size);
			u64 end = d->phys + d->pages * EFI_PAGE;

			if (d->type == EFIMEM_CONVENTIONAL && d->phys <= at && at < end) {
				at = end;
				progress = true;
			}
		}
	}
	return at >= hi;
}

int rom_place_choose(const void *map, size_t size, size_t desc_size, u32 rom_size,
		     struct rom_place *p)
{
	size_t n = desc_size >= sizeof(struct efi_mdesc) ? size / desc_size : 0;

	if (!rom_size || rom_size > ROM_WINDOW_HI - ROM_WINDOW_LO)
		return -1;
	p->pages = (rom_size + EFI_PAGE - 1) / EFI_PAGE;
	for (u32 a = ROM_WINDOW_LO; a + p->pages * EFI_PAGE <= ROM_WINDOW_HI; a += EFI_PAGE)
		if (all_free(map, n, desc_size, a, a + p->pages * EFI_PAGE)) {
			p->kind = ROM_AT_ADDRESS;
			p->addr = a;
			return 0;
		}
	p->kind = ROM_BELOW_1M;
	p->addr = 0;
	return 0;
}

static bool is_program_word(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] == '\\')
			return true;
	return n >= 4 && w[n - 4] == '.' && (w[n - 3] | 0x20) == 'e' &&
	       (w[n - 2] | 0x20) == 'f' && (w[n - 1] | 0x20) == 'i';
}

int efi_load_options(const u16 *opt, u32 bytes, char *out, size_t outsz,
		     char *why, size_t wl)
{
	size_t n = 0, start = 0, len;

	out[0] = '\0';
	if (!opt || bytes < 2)
		return 0;
	for (u32 i = 0; i < bytes / 2 && opt[i]; i++) {
		u16 c = opt[i];

		if (c != '\t' && (c < 0x20 || c > 0x7e))
			return pv_snprintf(why, wl, "load options hold non-text data (U+%04X at %u): not a command line",
					   c, i), -1;
		if (n + 1 >= outsz)
			return pv_snprintf(why, wl, "load options longer than %u characters", (u32)outsz - 1), -1;
		out[n++] = c == '\t' ? ' ' : (char)c;
	}
	out[n] = '\0';
	while (start < n && out[start] == ' ')
		start++;
	len = start;
	while (len < n && out[len] != ' ')
		len++;
	if (is_program_word(out + start, len - start))
		start = len;
	while (start < n && out[start] == ' ')
		start++;
	memmove(out, out + start, n - start + 1);
	return (int)(n - start);
}
