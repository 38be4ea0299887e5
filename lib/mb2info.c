/* Multiboot 2 (spec 2.0) information -> struct pvboot_info (pvboot/multiboot2.h), bounds-checked tag by tag. */
#include "pvboot/multiboot2.h"
#include "pvboot/multiboot.h"
#include "pvboot/string.h"
#include "pvboot/efiutil.h"

#define TAG_HDR 8u
#define MMAP_ENTRY_MIN 24u      /* base, length, type, reserved */
#define RSDP_V1_LEN 20u         /* ACPI 6.5 §5.2.5.3: the ACPI 1.0 part */
#define RSDP_V2_LEN 36u         /* and with length, XSDT, extended checksum */

/*
 * The tags that feed one pvboot_info field from several candidates are
 * remembered during the walk and decided afterwards (memory map, RSDP), so
 * their order in the block does not matter.
 */
struct mb2_found {
	const u8 *mmap;                 /* tag 6 entries */
	u32 mmap_len, mmap_entry_size;
	const u8 *efi_mmap;             /* tag 17 descriptors */
	u32 efi_mmap_len, efi_descr_size;
	bool meminfo;
	u32 mem_lower, mem_upper;
	const u8 *rsdp_new, *rsdp_old;  /* payloads of tags 15 and 14 */
	bool framebuffer;
	cmd_warn_fn warn;
	void *wctx;
};

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * Copy the string in a tag's payload into dst[size]: it ends at the first
 * NUL or the payload's end.  Returns true if it had to be cut.
 */
static bool tag_str(const u8 *p, u32 plen, char *dst, size_t size)
{
	size_t n = strnlen((const char *)p, plen);
	bool cut = n > size - 1;

	if (cut)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return cut;
}

static void tag_cmdline(const u8 *p, u32 plen, struct pvboot_info *out,
			struct mb2_found *f)
{
	if (tag_str(p, plen, out->cmdline, sizeof(out->cmdline)))
		pv_warnf(f->warn, f->wctx, "multiboot2: cmdline longer than %u "
			 "bytes, truncated", PVBOOT_CMDLINE_MAX - 1);
	mb_strip_image_name(out->cmdline);
	pvboot_set_optsrc_all(out, PVSRC_MULTIBOOT);
}

static void tag_module(const u8 *p, u32 plen, struct pvboot_info *out,
		       struct mb2_found *f)
{
	u32 start, end;

	if (plen < 8) {
		pv_warnf(f->warn, f->wctx, "multiboot2: module tag of %u bytes, "
			 "too short, skipped", plen + TAG_HDR);
		return;
	}
	start = rd32(p);
	end = rd32(p + 4);
	if (end < start) {
		pv_warnf(f->warn, f->wctx, "multiboot2: module %u ends (0x%x) "
			 "before it starts (0x%x), skipped", out->mod_count,
			 end, start);
		return;
	}
	if (out->mod_count == PVBOOT_MODS_MAX) {
		pv_warnf(f->warn, f->wctx, "multiboot2: more than %u modules, "
			 "module at 0x%x dropped", PVBOOT_MODS_MAX, start);
		return;
	}
	struct pvboot_module *m = &out->mods[out->mod_count++];
	m->start = start;
	m->end = end;
	tag_str(p + 8, plen - 8, m->cmdline, sizeof(m->cmdline));
}

/* Fixed-size payloads: the tag must hold at least `need` bytes. */
static bool long_enough(u32 type, u32 plen, u32 need, struct mb2_found *f)
{
	if (plen >= need)
		return true;
	pv_warnf(f->warn, f->wctx, "multiboot2: tag %u is %u bytes, needs %u, "
		 "skipped", type, plen + TAG_HDR, need + TAG_HDR);
	return false;
}

/* Tags 6 and 17 start with (entry size, version); entries follow. */
static const u8 *table_tag(u32 type, const u8 *p, u32 plen, u32 min_entry,
			   u32 *entry_size, u32 *len, struct mb2_found *f)
{
	if (!long_enough(type, plen, 8, f))
		return NULL;
	*entry_size = rd32(p);
	/* Below the minimum we cannot read an entry; a stride that is not a
	 * multiple of 8 would leave the 64-bit fields misaligned. */
	if (*entry_size < min_entry || *entry_size % 8) {
		pv_warnf(f->warn, f->wctx, "multiboot2: tag %u has entries of "
			 "%u bytes (need a multiple of 8, >= %u), skipped",
			 type, *entry_size, min_entry);
		return NULL;
	}
	*len = plen - 8;
	return p + 8;
}

static void tag_rsdp(u32 type, const u8 *p, u32 plen, struct mb2_found *f)
{
	u32 need = type == MB2_TAG_ACPI_NEW ? RSDP_V2_LEN : RSDP_V1_LEN;

	if (!long_enough(type, plen, need, f))
		return;
	if (type == MB2_TAG_ACPI_NEW)
		f->rsdp_new = p;
	else
		f->rsdp_old = p;
}

/* 32 bpp with 8-bit fields at these bit positions: the console's two formats. */
static bool rgb_format(const struct mb2_fb_rgb *c, u32 *fmt)
{
	if (c->red_size != 8 || c->green_size != 8 || c->blue_size != 8 ||
	    c->green_pos != 8)
		return false;
	if (c->red_pos == 0 && c->blue_pos == 16)
		*fmt = 0;               /* RGBX, UEFI GOP numbering */
	else if (c->red_pos == 16 && c->blue_pos == 0)
		*fmt = 1;               /* BGRX */
	else
		return false;
	return true;
}

/* A direct-colour framebuffer the console can draw on, or a warning. */
static void fb_rgb(const struct mb2_tag_framebuffer *t, const u8 *colour,
		   u32 clen, struct pvboot_screen *s, struct mb2_found *f)
{
	struct mb2_fb_rgb c;
	u64 bytes = (u64)t->pitch * t->height;
	u32 fmt;

	if (clen < sizeof(c)) {
		pv_warnf(f->warn, f->wctx, "multiboot2: framebuffer tag lacks "
			 "its colour fields, no screen");
		return;
	}
	memcpy(&c, colour, sizeof(c));
	if (t->bpp != 32 || !rgb_format(&c, &fmt)) {
		pv_warnf(f->warn, f->wctx, "multiboot2: framebuffer %ux%u, %u bpp, "
			 "red at bit %u: the console draws only 32-bpp RGBX or "
			 "BGRX, no screen", t->width, t->height, t->bpp, c.red_pos);
		return;
	}
	if (!t->addr || t->pitch / 4 < t->width || t->addr >= 0x100000000ull ||
	    bytes > 0x100000000ull - t->addr) {
		pv_warnf(f->warn, f->wctx, "multiboot2: framebuffer at 0x%llx, "
			 "pitch %u for width %u: not below 4 GiB or too narrow, "
			 "no screen", (unsigned long long)t->addr, t->pitch,
			 t->width);
		return;
	}
	*s = (struct pvboot_screen){
		.fb_base = t->addr, .kind = PVSCREEN_FRAMEBUFFER,
		.width = t->width, .height = t->height, .pitch = t->pitch,
		.bpp = 32, .pixel_format = fmt, .fb_size = (u32)bytes,
	};
}

/* §3.6.12: EGA text the VGA console knows, or a 32-bpp RGB framebuffer. */
static void tag_framebuffer(const u8 *p, u32 plen, struct pvboot_info *out,
			    struct mb2_found *f)
{
	struct mb2_tag_framebuffer t;
	u32 fixed = sizeof(t) - TAG_HDR;

	f->framebuffer = true;
	out->screen.kind = PVSCREEN_NONE;
	if (!long_enough(MB2_TAG_FRAMEBUFFER, plen, fixed, f))
		return;
	memcpy(&t, p - TAG_HDR, sizeof(t));
	if (t.fb_type == MB2_FB_RGB) {
		fb_rgb(&t, p + fixed, plen - fixed, &out->screen, f);
	} else if (t.fb_type == MB2_FB_EGA_TEXT && t.addr == 0xb8000 &&
		   t.width == 80 && t.height == 25) {
		mb_screen_vga_text(out);
	} else {
		pv_warnf(f->warn, f->wctx, "multiboot2: framebuffer type %u, "
			 "%ux%u at 0x%llx: not one the console draws, no screen",
			 t.fb_type, t.width, t.height,
			 (unsigned long long)t.addr);
	}
}

/* One tag: the fixed-layout ones are applied, the rest remembered in *f. */
static void tag_one(u32 type, const u8 *p, u32 plen, struct pvboot_info *out,
		    struct mb2_found *f)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
		tag_cmdline(p, plen, out, f);
		break;
	case MB2_TAG_LOADER_NAME:
		tag_str(p, plen, out->loader_name, sizeof(out->loader_name));
		break;
	case MB2_TAG_MODULE:
		tag_module(p, plen, out, f);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		if (long_enough(type, plen, 8, f))
			f->meminfo = true, f->mem_lower = rd32(p),
			f->mem_upper = rd32(p + 4);
		break;
	case MB2_TAG_MMAP:
		f->mmap = table_tag(type, p, plen, MMAP_ENTRY_MIN,
				    &f->mmap_entry_size, &f->mmap_len, f);
		break;
	case MB2_TAG_EFI_MMAP:
		f->efi_mmap = table_tag(type, p, plen, sizeof(struct efi_mdesc),
					&f->efi_descr_size, &f->efi_mmap_len, f);
		break;
	case MB2_TAG_FRAMEBUFFER:
		tag_framebuffer(p, plen, out, f);
		break;
	case MB2_TAG_EFI32:
		if (long_enough(type, plen, 4, f))
			out->efi_systab32 = rd32(p);
		break;
	case MB2_TAG_EFI64:
		if (long_enough(type, plen, 8, f))
			memcpy(&out->efi_systab64, p, 8);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		tag_rsdp(type, p, plen, f);
		break;
	default:
		/* §3.6.2: tags the OS does not know are to be ignored. */
		break;
	}
}

/* Tag 6: base, length, type per entry; the spec's types are E820's. */
static void use_mmap(const struct mb2_found *f, struct pvboot_info *out)
{
	for (u32 off = 0; f->mmap_len - off >= f->mmap_entry_size;
	     off += f->mmap_entry_size) {
		struct mb2_mmap_entry e;

		if (out->mmap_count == PVBOOT_MMAP_MAX) {
			pv_warnf(f->warn, f->wctx, "multiboot2: more than %u "
				 "mmap entries, rest dropped", PVBOOT_MMAP_MAX);
			return;
		}
		memcpy(&e, f->mmap + off, sizeof(e));
		if (e.length)
			mb_mmap_add(out, e.base, e.length, mb_e820_type(e.type));
	}
}

/* Tag 17: converted exactly as the UEFI loader converts its own map. */
static void use_efi_mmap(const struct mb2_found *f, struct pvboot_info *out)
{
	u32 dropped;

	out->mmap_count = efi_map_to_e820(f->efi_mmap, f->efi_mmap_len,
					  f->efi_descr_size, out->mmap,
					  PVBOOT_MMAP_MAX, &dropped);
	if (dropped)
		pv_warnf(f->warn, f->wctx, "multiboot2: EFI memory map has more "
			 "than %u ranges, %u dropped", PVBOOT_MMAP_MAX, dropped);
}

/*
 * The richest map wins: the EFI map (the firmware's own types), else the
 * loader's E820-style map, else the two basic sizes.
 */
static void choose_mmap(const struct mb2_found *f, struct pvboot_info *out)
{
	if (f->efi_mmap)
		use_efi_mmap(f, out);
	if (!out->mmap_count && f->mmap)
		use_mmap(f, out);
	if (!out->mmap_count && f->meminfo)
		mb_meminfo_add(out, f->mem_lower, f->mem_upper, f->warn, f->wctx);
	/* Like the UEFI loader: a framebuffer no range lists gets one. */
	u32 n = out->mmap_count;
	if (out->screen.kind == PVSCREEN_FRAMEBUFFER &&
	    !e820_add_if_absent(out->mmap, &n, PVBOOT_MMAP_MAX,
				out->screen.fb_base, out->screen.fb_size,
				E820_RESERVED))
		pv_warnf(f->warn, f->wctx, "multiboot2: memory map full, the "
			 "framebuffer is not listed in it");
	out->mmap_count = n;
}

/* An RSDP copy is used only if its ACPI 1.0 (and 2.0) checksums hold. */
static bool rsdp_ok(const u8 *p, u32 need, const char *which,
		    struct mb2_found *f)
{
	u8 sum = acpi_checksum(p, RSDP_V1_LEN);

	if (memcmp(p, "RSD PTR ", 8) != 0)
		pv_warnf(f->warn, f->wctx, "multiboot2: %s RSDP tag: signature "
			 "bad, ignored", which);
	else if (sum)
		pv_warnf(f->warn, f->wctx, "multiboot2: %s RSDP tag: checksum "
			 "bad (sum 0x%02x), ignored", which, sum);
	else if (need == RSDP_V2_LEN && (rd32(p + 20) != RSDP_V2_LEN ||
					 acpi_checksum(p, RSDP_V2_LEN)))
		pv_warnf(f->warn, f->wctx, "multiboot2: %s RSDP tag: length %u "
			 "or extended checksum bad, ignored", which,
			 rd32(p + 20));
	else
		return true;
	return false;
}

/* ACPI 2.0+ copy preferred (it carries the XSDT), else the 1.0 one. */
static void choose_rsdp(struct mb2_found *f, struct pvboot_info *out)
{
	const u8 *p = NULL;
	u32 n = 0;

	if (f->rsdp_new && rsdp_ok(f->rsdp_new, RSDP_V2_LEN, "ACPI 2.0", f))
		p = f->rsdp_new, n = RSDP_V2_LEN;
	else if (f->rsdp_old && rsdp_ok(f->rsdp_old, RSDP_V1_LEN, "ACPI 1.0", f))
		p = f->rsdp_old, n = RSDP_V1_LEN;
	if (!p)
		return;
	memcpy(out->acpi_rsdp_copy, p, n);
	out->acpi_rsdp_copy_len = n;
}

/*
 * §3.6.2: tags follow the 8-byte header, each 8-byte aligned, until the
 * end tag (type 0, size 8).  Each tag's size must cover its header and
 * stay inside the block.
 */
static void walk_tags(const u8 *b, u32 len, struct pvboot_info *out,
		      struct mb2_found *f)
{
	u32 off = sizeof(struct mb2_info_head);

	while (len - off >= TAG_HDR) {
		u32 type = rd32(b + off), size = rd32(b + off + 4);

		if (size < TAG_HDR || size > len - off) {
			pv_warnf(f->warn, f->wctx, "multiboot2: tag %u at +%u has "
				 "size %u (%u bytes left), rest ignored", type,
				 off, size, len - off);
			return;
		}
		if (type == MB2_TAG_END)
			return;
		tag_one(type, b + off + TAG_HDR, size - TAG_HDR, out, f);
		/* size <= len - off <= MB2_INFO_MAX: no overflow. */
		off += (size + 7) & ~7u;
		if (off > len)
			break;
	}
	pv_warnf(f->warn, f->wctx, "multiboot2: no end tag within %u bytes", len);
}

int mb2_parse(const void *mbi, u32 len, struct pvboot_info *out,
	      cmd_warn_fn warn, void *wctx)
{
	struct mb2_found f = { .warn = warn, .wctx = wctx };

	mb_info_init(out, PVFW_MULTIBOOT2);
	if ((uintptr_t)mbi % 8 || len < sizeof(struct mb2_info_head) ||
	    len > MB2_INFO_MAX) {
		pv_warnf(warn, wctx, "multiboot2: info of %u bytes%s: need "
			 "8..%u bytes, 8-byte aligned; not used", len,
			 (uintptr_t)mbi % 8 ? ", misaligned" : "", MB2_INFO_MAX);
		return -1;
	}
	walk_tags(mbi, len, out, &f);
	choose_mmap(&f, out);
	choose_rsdp(&f, out);
	/* No framebuffer tag: VGA text exists only where a BIOS set it up. */
	if (!f.framebuffer && !out->efi_systab32 && !out->efi_systab64)
		mb_screen_vga_text(out);
	return 0;
}

int mb2_to_pvboot(u32 mbi_addr, phys_read_fn rd, void *ctx, void *buf,
		  u32 bufsize, struct pvboot_info *out, cmd_warn_fn warn,
		  void *wctx)
{
	struct mb2_info_head h;
	u32 len;

	if (mbi_addr % 8 || !rd(ctx, mbi_addr, &h, sizeof(h))) {
		mb_info_init(out, PVFW_MULTIBOOT2);
		pv_warnf(warn, wctx, "multiboot2: info at 0x%x %s", mbi_addr,
			 mbi_addr % 8 ? "not 8-byte aligned" : "unreadable");
		return -1;
	}
	len = h.total_size;
	if (bufsize > MB2_INFO_MAX)
		bufsize = MB2_INFO_MAX;
	if (len > bufsize) {
		pv_warnf(warn, wctx, "multiboot2: info is %u bytes, only the "
			 "first %u read", len, bufsize);
		len = bufsize;
	}
	if (len < sizeof(h) || !rd(ctx, mbi_addr, buf, len)) {
		mb_info_init(out, PVFW_MULTIBOOT2);
		pv_warnf(warn, wctx, "multiboot2: info at 0x%x, %u bytes: %s",
			 mbi_addr, len, len < sizeof(h) ? "too short" :
			 "unreadable");
		return -1;
	}
	return mb2_parse(buf, len, out, warn, wctx);
}
