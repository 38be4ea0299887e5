/* Kernel ELF checks (ELF 1.2 header, program and section headers, i386): nothing is trusted before it is bounds-checked. */
#include "elf.h"
#include "pvboot/detect.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"
#include "pvboot/elf32.h"

#define EHDR_SIZE ELF32_EHDR_SIZE
#define PHDR_SIZE ELF32_PHDR_SIZE
#define SHDR_SIZE ELF32_SHDR_SIZE
#define PT_LOAD ELF_PT_LOAD
#define PF_X ELF_PF_X
#define MAX_PHDRS 16
#define MAX_SHDRS 256

#define FAIL(...) (pv_snprintf(why, wl, __VA_ARGS__), -1)

static bool in_file(u32 off, u64 len, u32 file_size)
{
	return off <= file_size && len <= file_size - off;
}

static int check_ehdr(const struct elf32_ehdr *e, u32 fsz, char *why, size_t wl)
{
	if (memcmp(e->ident, "\x7f" "ELF", 4))
		return FAIL("not an ELF file (no \\x7fELF magic)");
	if (e->ident[4] != 1)
		return FAIL("ELF class %u, need 32-bit (1)", e->ident[4]);
	if (e->ident[5] != 1 || e->ident[6] != 1 || e->version != 1)
		return FAIL("not little-endian ELF version 1");
	if (e->type != 2)
		return FAIL("ELF type %u is not an executable (2)", e->type);
	if (e->machine != 3)
		return FAIL("ELF machine %u is not i386 (3)", e->machine);
	if (e->phentsize != PHDR_SIZE || !e->phnum || e->phnum > MAX_PHDRS)
		return FAIL("program header table malformed (%u entries of %u bytes)",
			    e->phnum, e->phentsize);
	if (!in_file(e->phoff, (u64)e->phnum * PHDR_SIZE, fsz))
		return FAIL("program headers run past the end of the file");
	return 0;
}

/* Is [lo, hi) covered by RAM entries of the memory map? */
static bool in_ram(const struct elf_limits *lim, u64 lo, u64 hi)
{
	for (u32 pass = 0; pass <= lim->mmap_count && lo < hi; pass++) {
		u64 next = lo;

		for (u32 i = 0; i < lim->mmap_count; i++) {
			const struct pvboot_mmap_entry *m = &lim->mmap[i];
			if (m->type == E820_RAM && m->base <= lo && m->base + m->length > next)
				next = m->base + m->length;
		}
		if (next == lo)
			return false;
		lo = next;
	}
	return lo >= hi;
}

static bool overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

static int check_load(const struct elf32_phdr *ph, u32 i, u32 fsz, const struct elf_limits *lim,
		      const struct elf_plan *p, char *why, size_t wl)
{
	if (ph->filesz > ph->memsz || ph->memsz > ELF_MAX_SEG_SIZE)
		return FAIL("segment %u sizes insane (file %#x, memory %#x)", i, ph->filesz, ph->memsz);
	if (!in_file(ph->offset, ph->filesz, fsz))
		return FAIL("segment %u runs past the end of the file (%#x+%#x > %#x)", i,
			    ph->offset, ph->filesz, fsz);
	if ((u64)ph->paddr + ph->memsz > 0x100000000ull)
		return FAIL("segment %u wraps past 4 GiB", i);
	if (!in_ram(lim, ph->paddr, (u64)ph->paddr + ph->memsz))
		return FAIL("segment %u at %#x+%#x is not in RAM per the memory map", i,
			    ph->paddr, ph->memsz);
	if (overlaps(ph->paddr, ph->memsz, lim->avoid_lo, lim->avoid_hi - lim->avoid_lo))
		return FAIL("segment %u at %#x+%#x overlaps the loader (%#x-%#x)", i,
			    ph->paddr, ph->memsz, lim->avoid_lo, lim->avoid_hi);
	for (u32 j = 0; j < p->nseg; j++)
		if (overlaps(ph->paddr, ph->memsz, p->seg[j].paddr, p->seg[j].memsz))
			return FAIL("segment %u at %#x overlaps an earlier one at %#x", i,
				    ph->paddr, p->seg[j].paddr);
	if (p->nseg == ELF_MAX_SEGS)
		return FAIL("more than %u loadable segments", ELF_MAX_SEGS);
	return 0;
}

/* Walk the program headers; the entry point must be in an executable one. */
static int check_phdrs(file_read_fn rd, void *ctx, const struct elf32_ehdr *e, u32 fsz,
		       const struct elf_limits *lim, struct elf_plan *p, char *why, size_t wl)
{
	struct elf32_phdr ph;
	bool entry_ok = false;

	for (u32 i = 0; i < e->phnum; i++) {
		if (rd(ctx, e->phoff + i * PHDR_SIZE, &ph, PHDR_SIZE))
			return FAIL("cannot read program header %u", i);
		if (ph.type != PT_LOAD || !ph.memsz)
			continue;
		if (check_load(&ph, i, fsz, lim, p, why, wl))
			return -1;
		if ((ph.flags & PF_X) && e->entry >= ph.vaddr && e->entry - ph.vaddr < ph.filesz) {
			p->entry = ph.paddr + (e->entry - ph.vaddr);
			entry_ok = true;
		}
		p->seg[p->nseg++] = (struct elf_seg){ ph.paddr, ph.memsz, ph.offset, ph.filesz };
		p->lo = p->nseg == 1 || ph.paddr < p->lo ? ph.paddr : p->lo;
		p->hi = ph.paddr + ph.memsz > p->hi ? ph.paddr + ph.memsz : p->hi;
	}
	if (!p->nseg)
		return FAIL("no loadable segment");
	if (!entry_ok)
		return FAIL("entry point %#x is not inside an executable segment", e->entry);
	return 0;
}

/* Is the section named ".pvbackends"? Names are read with bounds. */
static bool section_is_backends(file_read_fn rd, void *ctx, const struct elf32_shdr *strtab,
				u32 name, u32 fsz)
{
	static const char want[] = ".pvbackends";
	char buf[sizeof(want)];

	if (name >= strtab->size || strtab->size - name < sizeof(want) ||
	    !in_file(strtab->offset, strtab->size, fsz))
		return false;
	return !rd(ctx, strtab->offset + name, buf, sizeof(buf)) && !memcmp(buf, want, sizeof(want));
}

/* Every listed table must be inside the image's loaded memory. */
static int read_backends(file_read_fn rd, void *ctx, const struct elf32_shdr *sh, u32 fsz,
			 struct elf_plan *p, char *why, size_t wl)
{
	u32 n = sh->size < sizeof(p->backends) ? sh->size : sizeof(p->backends);

	if (sh->size < 16 || !in_file(sh->offset, sh->size, fsz) ||
	    rd(ctx, sh->offset, &p->backends, n))
		return FAIL(".pvbackends section out of bounds");
	p->backend_mask = backend_list_mask(&p->backends, why, wl);
	if (!p->backend_mask)
		return -1;
	if (sizeof(p->backends) > n && 16 + p->backends.count * sizeof(p->backends.entry[0]) > n)
		return FAIL(".pvbackends section shorter than its count");
	for (u32 i = 0; i < p->backends.count; i++)
		if (p->backends.entry[i].table < p->lo || p->backends.entry[i].table >= p->hi)
			return FAIL("backend %u's table %#x is outside the image", i,
				    p->backends.entry[i].table);
	p->has_backends = true;
	return 0;
}

static int find_backends(file_read_fn rd, void *ctx, const struct elf32_ehdr *e, u32 fsz,
			 struct elf_plan *p, char *why, size_t wl)
{
	struct elf32_shdr strtab, sh;

	if (!e->shoff || e->shentsize != SHDR_SIZE || e->shnum > MAX_SHDRS ||
	    e->shstrndx >= e->shnum || !in_file(e->shoff, (u64)e->shnum * SHDR_SIZE, fsz))
		return FAIL("no usable section headers, so no backend list");
	if (rd(ctx, e->shoff + e->shstrndx * SHDR_SIZE, &strtab, SHDR_SIZE))
		return FAIL("cannot read the section name table");
	for (u32 i = 1; i < e->shnum; i++) {
		if (rd(ctx, e->shoff + i * SHDR_SIZE, &sh, SHDR_SIZE))
			return FAIL("cannot read section header %u", i);
		if (section_is_backends(rd, ctx, &strtab, sh.name, fsz))
			return read_backends(rd, ctx, &sh, fsz, p, why, wl);
	}
	return FAIL("no .pvbackends section (a kernel without a backend list)");
}

int elf_check(file_read_fn rd, void *ctx, u32 file_size, const struct elf_limits *lim,
	      struct elf_plan *p, char *why, size_t wl)
{
	struct elf32_ehdr e;

	memset(p, 0, sizeof(*p));
	if (file_size < EHDR_SIZE)
		return FAIL("file is %u bytes, shorter than an ELF header", file_size);
	if (rd(ctx, 0, &e, EHDR_SIZE))
		return FAIL("cannot read the ELF header");
	if (check_ehdr(&e, file_size, why, wl) ||
	    check_phdrs(rd, ctx, &e, file_size, lim, p, why, wl))
		return -1;
	if (find_backends(rd, ctx, &e, file_size, p, why, wl))
		p->has_backends = false;        /* why says so; not fatal */
	else
		why[0] = '\0';
	return 0;
}
