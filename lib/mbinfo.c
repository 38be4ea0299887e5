/* Multiboot (v1, spec 0.6.96) information -> struct pvboot_info (docs/design.md §4, pvboot/multiboot.h). */
#include "pvboot/multiboot.h"
#include "pvboot/cmdline.h"
#include "pvboot/string.h"

/* More than this is not a memory map but garbage: bounds the walk. */
#define MB_MMAP_LEN_MAX (64u * 1024)
#define MB_MMAP_ENTRY_MIN 20    /* addr, len, type after the size field */
#define STR_CHUNK 64

enum str_status { STR_OK, STR_TRUNCATED, STR_UNREADABLE };

/*
 * Copy the NUL-terminated string at phys into dst[size], always
 * terminated.  Reads in chunks, byte by byte where a chunk fails, so a
 * string that ends just before unreadable memory is still found.
 */
static enum str_status read_str(phys_read_fn rd, void *ctx, u64 phys,
				char *dst, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size) {
		size_t want = size - 1 - n < STR_CHUNK ? size - 1 - n : STR_CHUNK;
		size_t got = want;

		if (!rd(ctx, phys + n, dst + n, (u32)want))
			for (got = 0; got < want; got++)
				if (!rd(ctx, phys + n + got, dst + n + got, 1))
					break;
		for (size_t i = 0; i < got; i++)
			if (!dst[n + i])
				return STR_OK;
		n += got;
		if (got < want) {
			dst[n] = '\0';
			return STR_UNREADABLE;
		}
	}
	dst[n] = '\0';
	/* Exactly size - 1 characters is still a whole string. */
	return rd(ctx, phys + n, &c, 1) && !c ? STR_OK : STR_TRUNCATED;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * QEMU and GRUB put the kernel's file name first ("build/pvkernel.elf
 * test").  Drop a first word that has no '=' but a '/' or '.', which no
 * option of ours looks like (guest.X always carries '=').
 */
void mb_strip_image_name(char *s)
{
	size_t i = 0, w;
	bool path = false;

	while (is_blank(s[i]))
		i++;
	for (w = i; s[w] && !is_blank(s[w]); w++) {
		if (s[w] == '=')
			return;
		path |= s[w] == '/' || s[w] == '.';
	}
	if (!path)
		return;
	while (is_blank(s[w]))
		w++;
	memmove(s, s + w, strlen(s + w) + 1);
}

static void mb_cmdline(const struct mb_info *mb, phys_read_fn rd, void *ctx,
		       struct pvboot_info *out, cmd_warn_fn warn, void *wctx)
{
	switch (read_str(rd, ctx, mb->cmdline, out->cmdline,
			 sizeof(out->cmdline))) {
	case STR_UNREADABLE:
		pv_warnf(warn, wctx, "multiboot: cmdline at 0x%x unreadable, "
			 "ignored", mb->cmdline);
		out->cmdline[0] = '\0';
		return;
	case STR_TRUNCATED:
		pv_warnf(warn, wctx, "multiboot: cmdline longer than %u bytes, "
			 "truncated", PVBOOT_CMDLINE_MAX - 1);
		break;
	case STR_OK:
		break;
	}
	mb_strip_image_name(out->cmdline);
	pvboot_set_optsrc_all(out, PVSRC_MULTIBOOT);
}

u32 mb_e820_type(u32 mb_type)
{
	/* Multiboot numbers 1..5 like E820; anything else is reserved. */
	return mb_type >= E820_RAM && mb_type <= E820_UNUSABLE ?
	       mb_type : E820_RESERVED;
}

/* Insert keeping the map sorted by base (the pvboot_info contract). */
void mb_mmap_add(struct pvboot_info *out, u64 base, u64 len, u32 type)
{
	u32 i = out->mmap_count++;

	/* Clamp a range that would wrap past 2^64. */
	if (base + len < base)
		len = 0 - base;
	for (; i > 0 && out->mmap[i - 1].base > base; i--)
		out->mmap[i] = out->mmap[i - 1];
	out->mmap[i].base = base;
	out->mmap[i].length = len;
	out->mmap[i].type = type;
	out->mmap[i].attr = 0;
}

/* Walk the mmap_* buffer; every entry's own size field says where the next starts. */
static void mb_mmap(const struct mb_info *mb, phys_read_fn rd, void *ctx,
		    struct pvboot_info *out, cmd_warn_fn warn, void *wctx)
{
	u32 len = mb->mmap_length, off = 0;
	u8 e[4 + MB_MMAP_ENTRY_MIN];

	if (len > MB_MMAP_LEN_MAX) {
		pv_warnf(warn, wctx, "multiboot: mmap_length %u absurd, using "
			 "the first %u bytes", len, MB_MMAP_LEN_MAX);
		len = MB_MMAP_LEN_MAX;
	}
	while (len - off >= sizeof(e)) {
		if (!rd(ctx, (u64)mb->mmap_addr + off, e, sizeof(e))) {
			pv_warnf(warn, wctx, "multiboot: mmap entry at 0x%llx "
				 "unreadable, map cut short",
				 (unsigned long long)mb->mmap_addr + off);
			return;
		}
		u32 size;
		memcpy(&size, e, 4);
		/* A size of 0 would make us read the same entry forever. */
		if (size < MB_MMAP_ENTRY_MIN) {
			pv_warnf(warn, wctx, "multiboot: mmap entry at +%u has "
				 "size %u, map cut short", off, size);
			return;
		}
		if (out->mmap_count == PVBOOT_MMAP_MAX) {
			pv_warnf(warn, wctx, "multiboot: more than %u mmap "
				 "entries, rest dropped", PVBOOT_MMAP_MAX);
			return;
		}
		struct mb_mmap_entry me;
		memcpy(&me, e, sizeof(me));
		if (me.len)
			mb_mmap_add(out, me.addr, me.len, mb_e820_type(me.type));
		if (size > len - off - 4)
			break;
		off += 4 + size;
	}
}

/* No map: mem_lower KiB at 0 and mem_upper KiB at 1 MiB are RAM. */
void mb_meminfo_add(struct pvboot_info *out, u32 lower, u32 upper,
		    cmd_warn_fn warn, void *wctx)
{
	if (lower > 640) {
		pv_warnf(warn, wctx, "multiboot: mem_lower %u KiB above 640, "
			 "using 640", lower);
		lower = 640;
	}
	if (lower)
		mb_mmap_add(out, 0, (u64)lower * 1024, E820_RAM);
	if (upper)
		mb_mmap_add(out, 0x100000, (u64)upper * 1024, E820_RAM);
}

static void mb_mods(const struct mb_info *mb, phys_read_fn rd, void *ctx,
		    struct pvboot_info *out, cmd_warn_fn warn, void *wctx)
{
	u32 n = mb->mods_count;
	struct mb_module m;

	if (n > PVBOOT_MODS_MAX) {
		pv_warnf(warn, wctx, "multiboot: %u modules, only the first %u "
			 "used", n, PVBOOT_MODS_MAX);
		n = PVBOOT_MODS_MAX;
	}
	for (u32 i = 0; i < n; i++) {
		if (!rd(ctx, (u64)mb->mods_addr + i * sizeof(m), &m, sizeof(m))) {
			pv_warnf(warn, wctx, "multiboot: module %u unreadable, "
				 "skipped", i);
			continue;
		}
		if (m.mod_end < m.mod_start) {
			pv_warnf(warn, wctx, "multiboot: module %u ends (0x%x) "
				 "before it starts (0x%x), skipped", i,
				 m.mod_end, m.mod_start);
			continue;
		}
		struct pvboot_module *pm = &out->mods[out->mod_count++];
		pm->start = m.mod_start;
		pm->end = m.mod_end;
		if (m.string && read_str(rd, ctx, m.string, pm->cmdline,
					 sizeof(pm->cmdline)) == STR_UNREADABLE)
			pm->cmdline[0] = '\0';
	}
}

int mb_to_pvboot(u32 mbi_addr, phys_read_fn rd, void *ctx,
		 struct pvboot_info *out, cmd_warn_fn warn, void *wctx)
{
	struct mb_info mb;

	mb_info_init(out, PVFW_MULTIBOOT);
	if (!rd(ctx, mbi_addr, &mb, sizeof(mb))) {
		pv_warnf(warn, wctx, "multiboot: info at 0x%x unreadable",
			 mbi_addr);
		return -1;
	}
	if (mb.flags & MBI_CMDLINE)
		mb_cmdline(&mb, rd, ctx, out, warn, wctx);
	if ((mb.flags & MBI_LOADER_NAME) &&
	    read_str(rd, ctx, mb.boot_loader_name, out->loader_name,
		     sizeof(out->loader_name)) == STR_UNREADABLE)
		out->loader_name[0] = '\0';
	if (mb.flags & MBI_MMAP)
		mb_mmap(&mb, rd, ctx, out, warn, wctx);
	if (out->mmap_count == 0 && (mb.flags & MBI_MEMORY))
		mb_meminfo_add(out, mb.mem_lower, mb.mem_upper, warn, wctx);
	if (mb.flags & MBI_MODS)
		mb_mods(&mb, rd, ctx, out, warn, wctx);
	/* Multiboot v1 without a video request leaves VGA text mode on. */
	mb_screen_vga_text(out);
	return 0;
}

void mb_info_init(struct pvboot_info *out, u32 firmware)
{
	memset(out, 0, sizeof(*out));
	out->magic = PVBOOT_INFO_MAGIC;
	out->version = PVBOOT_INFO_VERSION;
	out->size = sizeof(*out);
	out->firmware = firmware;
	out->backend_requested = PV_AUTO;
}

void mb_screen_vga_text(struct pvboot_info *out)
{
	out->screen.kind = PVSCREEN_VGA_TEXT;
	out->screen.fb_base = 0xb8000;
	out->screen.width = 80;
	out->screen.height = 25;
	out->screen.pitch = 160;
}

/* Store key (NUL-padded, cut to fit) -> source, replacing a repeat. */
static void optsrc_set(struct pvboot_info *info, const char *key, size_t len,
		       u8 source)
{
	struct pvboot_optsrc *o = info->optsrc;
	size_t n = len < sizeof(o->key) - 1 ? len : sizeof(o->key) - 1;
	u32 i;

	for (i = 0; i < info->optsrc_count; i++)
		if (memcmp(o[i].key, key, n) == 0 && o[i].key[n] == '\0')
			break;
	if (i == info->optsrc_count) {
		if (i >= PVBOOT_OPTSRC_MAX)
			return;
		memset(o[i].key, 0, sizeof(o[i].key));
		memcpy(o[i].key, key, n);
		info->optsrc_count++;
	}
	o[i].source = source;
}

void pvboot_set_optsrc_all(struct pvboot_info *info, u8 source)
{
	const char *p = info->cmdline;
	const char *end = p + strnlen(p, sizeof(info->cmdline));
	struct cmd_token t;
	const char *err;
	int r;

	info->optsrc_count = 0;
	while ((r = cmd_next(&p, end, &t, &err)) != 0)
		if (r > 0)
			optsrc_set(info, t.key, t.key_len, source);
}
