/* Unit tests for lib/mb2info.c (Multiboot 2 information -> pvboot_info), mostly with broken and hostile blocks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/multiboot2.h"
#include "pvboot/multiboot.h"
#include "pvboot/efiutil.h"

#include "warn_capture.h"

/* A block being built: tags appended 8-byte aligned, then the end tag. */
struct mbi {
	_Alignas(8) uint8_t b[16384];
	uint32_t len;
};

static void mbi_start(struct mbi *m)
{
	memset(m, 0, sizeof(*m));
	m->len = 8;
}

/* Append a tag whose size field says `size` (normally 8 + plen). */
static void tag_sized(struct mbi *m, uint32_t type, uint32_t size,
		      const void *payload, uint32_t plen)
{
	memcpy(m->b + m->len, &type, 4);
	memcpy(m->b + m->len + 4, &size, 4);
	if (plen)
		memcpy(m->b + m->len + 8, payload, plen);
	m->len += (8 + plen + 7) & ~7u;
}

static void tag(struct mbi *m, uint32_t type, const void *payload, uint32_t plen)
{
	tag_sized(m, type, 8 + plen, payload, plen);
}

static void mbi_end(struct mbi *m)
{
	tag(m, MB2_TAG_END, NULL, 0);
	memcpy(m->b, &m->len, 4);
}

static int parse(struct mbi *m, struct pvboot_info *out)
{
	nwarn = 0;
	return mb2_parse(m->b, m->len, out, rec_warn, NULL);
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/* An RSDP copy: revision 2 and 36 bytes, or the 20-byte ACPI 1.0 form. */
static void make_rsdp(uint8_t *r, int v2, uint32_t rsdt)
{
	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "PVTEST", 6);
	r[15] = v2 ? 2 : 0;
	put32(r + 16, rsdt);
	r[8] = (uint8_t)-acpi_checksum(r, 20);
	if (v2) {
		put32(r + 20, 36);
		r[32] = (uint8_t)-acpi_checksum(r, 36);
	}
}

static void add_module(struct mbi *m, uint32_t start, uint32_t end, const char *s)
{
	uint8_t p[256];

	put32(p, start);
	put32(p + 4, end);
	strcpy((char *)p + 8, s);
	tag(m, MB2_TAG_MODULE, p, 8 + strlen(s) + 1);
}

static void add_mmap(struct mbi *m, uint32_t entry_size, int n,
		     const struct mb2_mmap_entry *e)
{
	uint8_t p[8 + 200 * 32];

	memset(p, 0, sizeof(p));
	put32(p, entry_size);
	for (int i = 0; i < n; i++)
		memcpy(p + 8 + i * entry_size, &e[i], sizeof(e[i]));
	tag(m, MB2_TAG_MMAP, p, 8 + n * entry_size);
}

/* framebuffer tag: common part, then the 6 RGB colour bytes (pos, size). */
static void add_fb(struct mbi *m, uint64_t addr, uint32_t w, uint32_t h,
		   uint8_t bpp, uint8_t type, int red_pos, int blue_pos)
{
	uint8_t p[32];
	struct mb2_tag_framebuffer t = { .addr = addr, .pitch = w * (bpp / 8),
		.width = w, .height = h, .bpp = bpp, .fb_type = type };

	memcpy(p, (uint8_t *)&t + 8, sizeof(t) - 8);
	uint8_t c[6] = { red_pos, 8, 8, 8, blue_pos, 8 };
	memcpy(p + sizeof(t) - 8, c, 6);
	tag(m, MB2_TAG_FRAMEBUFFER, p, sizeof(t) - 8 + 6);
}

/* What GRUB on x86_64 UEFI hands over, tags in its order. */
static void test_grub_like(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	uint8_t rsdp1[36], rsdp2[36], p[8];
	struct mb2_mmap_entry e[3] = {
		{ 0x100000, 0x7ee0000, 1, 0 }, { 0, 0x9fc00, 1, 0 },
		{ 0xfeffc000, 0x4000, 2, 0 },
	};

	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "test smp=2", 11);
	tag(&m, MB2_TAG_LOADER_NAME, "GRUB 2.06-13+deb12u2", 21);
	add_module(&m, 0x200000, 0x230000, "/boot/pvkernel.elf");
	put32(p, 639);
	put32(p + 4, 129920);
	tag(&m, MB2_TAG_BASIC_MEMINFO, p, 8);
	add_mmap(&m, 24, 3, e);
	add_fb(&m, 0x80000000, 1024, 768, 32, MB2_FB_RGB, 16, 0);
	uint64_t systab = 0x7fbee018;
	tag(&m, MB2_TAG_EFI64, &systab, 8);
	make_rsdp(rsdp1, 0, 0x7fbfa000);
	tag(&m, MB2_TAG_ACPI_OLD, rsdp1, 20);
	make_rsdp(rsdp2, 1, 0x7fbfa000);
	tag(&m, MB2_TAG_ACPI_NEW, rsdp2, 36);
	tag(&m, MB2_TAG_ELF_SECTIONS, "ignored!", 8);     /* unknown to us: skipped */
	tag(&m, 0x1234, "x", 1);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(info.magic, PVBOOT_INFO_MAGIC);
	assert_int_equal(info.size, sizeof(info));
	assert_int_equal(info.firmware, PVFW_MULTIBOOT2);
	assert_string_equal(pvboot_firmware_name(info.firmware), "multiboot2");
	assert_string_equal(info.cmdline, "test smp=2");
	assert_int_equal(info.optsrc_count, 2);
	assert_int_equal(info.optsrc[1].source, PVSRC_MULTIBOOT);
	assert_string_equal(info.loader_name, "GRUB 2.06-13+deb12u2");
	assert_int_equal(info.mod_count, 1);
	assert_int_equal(info.mods[0].start, 0x200000);
	assert_int_equal(info.mods[0].end, 0x230000);
	assert_string_equal(info.mods[0].cmdline, "/boot/pvkernel.elf");
	/* The full map wins over the basic sizes; sorted; the framebuffer added. */
	assert_int_equal(info.mmap_count, 4);
	assert_int_equal(info.mmap[0].base, 0);
	assert_int_equal(info.mmap[1].base, 0x100000);
	assert_int_equal(info.mmap[2].base, 0x80000000);
	assert_int_equal(info.mmap[2].type, E820_RESERVED);
	assert_int_equal(info.mmap[2].length, 1024 * 4 * 768);
	assert_int_equal(info.mmap[3].type, E820_RESERVED);
	assert_int_equal(info.screen.kind, PVSCREEN_FRAMEBUFFER);
	assert_int_equal(info.screen.pixel_format, 1);
	assert_int_equal(info.screen.width, 1024);
	assert_int_equal(info.screen.fb_size, 1024 * 4 * 768);
	assert_int_equal(info.efi_systab64, 0x7fbee018);
	assert_int_equal(info.efi_systab32, 0);
	/* The ACPI 2.0 copy, byte for byte; no address (it is a copy). */
	assert_int_equal(info.acpi_rsdp, 0);
	assert_int_equal(info.acpi_rsdp_copy_len, 36);
	assert_memory_equal(info.acpi_rsdp_copy, rsdp2, 36);
}

/* The EFI map is preferred and converted as the UEFI loader converts it. */
static void test_efi_mmap_preferred(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	struct mb2_mmap_entry e = { 0, 0x1000, 1, 0 };
	uint8_t p[8 + 3 * 48];
	struct efi_mdesc d[3] = {
		{ .type = EFIMEM_CONVENTIONAL, .phys = 0, .pages = 0x9f },
		{ .type = EFIMEM_BS_DATA, .phys = 0x9f000, .pages = 1 },
		{ .type = EFIMEM_RT_DATA, .phys = 0x100000, .pages = 16 },
	};

	memset(p, 0, sizeof(p));
	put32(p, 48);
	put32(p + 4, 1);
	for (int i = 0; i < 3; i++)
		memcpy(p + 8 + 48 * i, &d[i], sizeof(d[i]));
	mbi_start(&m);
	add_mmap(&m, 24, 1, &e);
	tag(&m, MB2_TAG_EFI_MMAP, p, sizeof(p));
	uint32_t st32 = 0x7fbee000;
	tag(&m, MB2_TAG_EFI32, &st32, 4);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	/* Conventional + boot-services data merge into one RAM range. */
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[0].length, 0xa0000);
	assert_int_equal(info.mmap[0].type, E820_RAM);
	assert_int_equal(info.mmap[1].type, E820_RESERVED);
	assert_int_equal(info.efi_systab32, 0x7fbee000);
	/* UEFI without a framebuffer tag: no VGA text to write to. */
	assert_int_equal(info.screen.kind, PVSCREEN_NONE);
}

/* Broken EFI map: reported, and the loader's own map is used instead. */
static void test_efi_mmap_bad_descr_size(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	struct mb2_mmap_entry e = { 0x100000, 0x100000, 1, 0 };
	uint8_t p[8 + 64];
	static const uint32_t bad[] = { 0, 24, 44 };

	for (size_t i = 0; i < 3; i++) {
		memset(p, 0xff, sizeof(p));
		put32(p, bad[i]);
		mbi_start(&m);
		tag(&m, MB2_TAG_EFI_MMAP, p, sizeof(p));
		add_mmap(&m, 24, 1, &e);
		mbi_end(&m);
		assert_int_equal(parse(&m, &info), 0);
		assert_int_equal(nwarn, 1);
		assert_true(saw("tag 17 has entries of"));
		assert_int_equal(info.mmap_count, 1);
		assert_int_equal(info.mmap[0].base, 0x100000);
	}
}

/* Only the basic sizes: two RAM ranges, mem_lower capped at 640 KiB. */
static void test_basic_meminfo(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	uint8_t p[8];

	put32(p, 4000);
	put32(p + 4, 1024);
	mbi_start(&m);
	tag(&m, MB2_TAG_BASIC_MEMINFO, p, 8);
	tag(&m, MB2_TAG_BASIC_MEMINFO, p, 4);   /* too short: reported */
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 2);
	assert_true(saw("mem_lower 4000 KiB above 640"));
	assert_true(saw("tag 4 is 12 bytes, needs 16"));
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[0].length, 640 * 1024);
	assert_int_equal(info.mmap[1].base, 0x100000);
	/* BIOS: no framebuffer tag, no EFI: VGA text. */
	assert_int_equal(info.screen.kind, PVSCREEN_VGA_TEXT);
}

/* Hostile memory maps: bad entry sizes, zero and wrapping ranges, too many. */
static void test_mmap_hostile(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	static struct mb2_mmap_entry e[200];
	static const uint32_t bad[] = { 0, 8, 20, 28 };

	for (size_t i = 0; i < 4; i++) {
		mbi_start(&m);
		add_mmap(&m, bad[i], 1, e);
		mbi_end(&m);
		assert_int_equal(parse(&m, &info), 0);
		assert_true(saw("tag 6 has entries of"));
		assert_int_equal(info.mmap_count, 0);
	}
	/* Larger entries (a newer version) are fine: 32-byte stride. */
	for (int i = 0; i < 200; i++)
		e[i] = (struct mb2_mmap_entry){ (uint64_t)(199 - i) << 20, 1 << 20, 1, 0 };
	e[5].length = 0;
	e[6] = (struct mb2_mmap_entry){ ~0ull - 0xfff, 0x10000, 9, 0 };
	mbi_start(&m);
	add_mmap(&m, 32, 200, e);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("more than 128 mmap entries"));
	assert_int_equal(info.mmap_count, PVBOOT_MMAP_MAX);
	for (uint32_t i = 1; i < info.mmap_count; i++)
		assert_true(info.mmap[i - 1].base <= info.mmap[i].base);
	/* The wrapping range is clamped at 2^64 and unknown type 9 reserved. */
	struct pvboot_mmap_entry *last = &info.mmap[info.mmap_count - 1];
	assert_int_equal(last->base + last->length, 0);
	assert_int_equal(last->type, E820_RESERVED);
	/* A tag too short for its own header fields. */
	mbi_start(&m);
	tag(&m, MB2_TAG_MMAP, "abc", 3);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("tag 6 is 11 bytes, needs 16"));
}

/* RSDP copies: checked, the 2.0 one preferred, bad ones reported. */
static void test_rsdp_choice(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	uint8_t v1[36], v2[36];

	make_rsdp(v1, 0, 0xe0000);
	make_rsdp(v2, 1, 0xe0000);
	v2[30] ^= 1;                    /* extended checksum now bad */
	mbi_start(&m);
	tag(&m, MB2_TAG_ACPI_NEW, v2, 36);
	tag(&m, MB2_TAG_ACPI_OLD, v1, 20);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 1);
	assert_true(saw("ACPI 2.0 RSDP tag: length 36 or extended checksum bad"));
	assert_int_equal(info.acpi_rsdp_copy_len, 20);
	assert_memory_equal(info.acpi_rsdp_copy, v1, 20);

	/* Both bad (signature, checksum): none, two lines. */
	v1[0] = 'X';
	make_rsdp(v2, 1, 0xe0000);
	v2[16] ^= 1;
	mbi_start(&m);
	tag(&m, MB2_TAG_ACPI_OLD, v1, 20);
	tag(&m, MB2_TAG_ACPI_NEW, v2, 36);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 2);
	assert_true(saw("ACPI 1.0 RSDP tag: signature bad"));
	assert_true(saw("ACPI 2.0 RSDP tag: checksum bad"));
	assert_int_equal(info.acpi_rsdp_copy_len, 0);

	/* A length field claiming more than the 36 bytes the copy holds. */
	make_rsdp(v2, 1, 0xe0000);
	put32(v2 + 20, 4096);
	v2[32] = 0;
	v2[32] = (uint8_t)-acpi_checksum(v2, 36);
	mbi_start(&m);
	tag(&m, MB2_TAG_ACPI_NEW, v2, 36);
	tag(&m, MB2_TAG_ACPI_NEW, v2, 19);      /* too short */
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("length 4096"));
	assert_true(saw("tag 15 is 27 bytes, needs 44"));
	assert_int_equal(info.acpi_rsdp_copy_len, 0);
}

/* Tag sizes that lie: below the header, past the block; no end tag. */
static void test_walk_hostile(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;

	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "smp=1", 6);
	tag_sized(&m, MB2_TAG_LOADER_NAME, 4, "x", 1);
	tag(&m, MB2_TAG_CMDLINE, "smp=3", 6);   /* behind the bad tag: not reached */
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 1);
	assert_true(saw("tag 2 at +24 has size 4"));
	assert_string_equal(info.cmdline, "smp=1");

	mbi_start(&m);
	tag_sized(&m, MB2_TAG_CMDLINE, 0xfffffff0u, "smp=1", 6);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("has size 4294967280"));
	assert_string_equal(info.cmdline, "");

	/* No end tag: everything read, then one line. */
	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "smp=2", 6);
	memcpy(m.b, &m.len, 4);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 1);
	assert_true(saw("no end tag within 24 bytes"));
	assert_string_equal(info.cmdline, "smp=2");

	/* A last tag whose padding would run past the block's end. */
	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "smp=2", 6);
	m.len -= 2;
	memcpy(m.b, &m.len, 4);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("no end tag"));

	/* Misaligned or absurd blocks are refused. */
	assert_int_equal(mb2_parse(m.b + 4, 64, &info, rec_warn, NULL), -1);
	assert_int_equal(mb2_parse(m.b, 4, &info, rec_warn, NULL), -1);
	assert_int_equal(mb2_parse(m.b, MB2_INFO_MAX + 8, &info, rec_warn, NULL), -1);
}

/* Strings without their NUL, longer than the fields, image names. */
static void test_strings_hostile(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	static char big[2000];

	memset(big, 'a', sizeof(big));
	memcpy(big, "x=", 2);
	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, big, sizeof(big));     /* no NUL at all */
	tag(&m, MB2_TAG_LOADER_NAME, "a loader with a very long name indeed", 20);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 1);
	assert_true(saw("cmdline longer than 1023 bytes, truncated"));
	assert_int_equal(strlen(info.cmdline), PVBOOT_CMDLINE_MAX - 1);
	assert_string_equal(info.loader_name, "a loader with a very");

	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "/boot/pvkernel.elf test", 24);
	tag(&m, MB2_TAG_LOADER_NAME, "", 0);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	assert_string_equal(info.cmdline, "test");
	assert_string_equal(info.loader_name, "");
}

/* Modules: too many, backwards, too short, long strings. */
static void test_modules_hostile(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	char longname[200];

	memset(longname, 'm', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	mbi_start(&m);
	add_module(&m, 0x300000, 0x200000, "backwards");
	tag(&m, MB2_TAG_MODULE, "abcd", 4);
	for (int i = 0; i < 5; i++)
		add_module(&m, 0x400000 + i * 0x1000, 0x401000 + i * 0x1000,
			   i == 0 ? longname : "");
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 3);
	assert_true(saw("module 0 ends (0x200000) before it starts (0x300000)"));
	assert_true(saw("module tag of 12 bytes, too short"));
	assert_true(saw("more than 4 modules, module at 0x404000 dropped"));
	assert_int_equal(info.mod_count, PVBOOT_MODS_MAX);
	assert_int_equal(info.mods[0].start, 0x400000);
	assert_int_equal(strlen(info.mods[0].cmdline), sizeof(info.mods[0].cmdline) - 1);
	assert_string_equal(info.mods[3].cmdline, "");
}

/* Framebuffers the console cannot draw are refused with the reason. */
static void test_framebuffer(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;

	struct { uint64_t addr; uint8_t bpp, type; int red, blue; uint32_t w;
		 const char *why; } bad[] = {
		{ 0xfd000000, 24, MB2_FB_RGB, 16, 0, 800, "24 bpp" },
		{ 0xfd000000, 32, MB2_FB_RGB, 8, 0, 800, "red at bit 8" },
		{ 0xfd000000, 8, MB2_FB_INDEXED, 0, 0, 800, "type 0" },
		{ 0x1fd000000ull, 32, MB2_FB_RGB, 0, 16, 800, "not below 4 GiB" },
		{ ~0ull - 0xfff, 32, MB2_FB_RGB, 0, 16, 800, "not below 4 GiB" },
		{ 0xb8000, 16, MB2_FB_EGA_TEXT, 0, 0, 132, "type 2, 132x25" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mbi_start(&m);
		add_fb(&m, bad[i].addr, bad[i].w, bad[i].type == MB2_FB_EGA_TEXT ? 25 : 600,
		       bad[i].bpp, bad[i].type, bad[i].red, bad[i].blue);
		mbi_end(&m);
		assert_int_equal(parse(&m, &info), 0);
		assert_int_equal(nwarn, 1);
		assert_true(saw(bad[i].why));
		assert_int_equal(info.screen.kind, PVSCREEN_NONE);
	}
	/* EGA text 80x25 at 0xB8000 is the VGA console. */
	mbi_start(&m);
	add_fb(&m, 0xb8000, 80, 25, 16, MB2_FB_EGA_TEXT, 0, 0);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(info.screen.kind, PVSCREEN_VGA_TEXT);
	/* RGB without its colour bytes. */
	struct mb2_tag_framebuffer t = { .addr = 0xfd000000, .pitch = 3200,
		.width = 800, .height = 600, .bpp = 32, .fb_type = MB2_FB_RGB };
	mbi_start(&m);
	tag(&m, MB2_TAG_FRAMEBUFFER, (uint8_t *)&t + 8, sizeof(t) - 8);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_true(saw("lacks its colour fields"));
	assert_int_equal(info.screen.kind, PVSCREEN_NONE);
	/* RGBX: pixel format 0, and the range is listed as reserved. */
	mbi_start(&m);
	add_fb(&m, 0xfd000000, 800, 600, 32, MB2_FB_RGB, 0, 16);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(info.screen.pixel_format, 0);
	assert_int_equal(info.mmap_count, 1);
	assert_int_equal(info.mmap[0].base, 0xfd000000);
}

/* Short EFI pointer tags are reported, not half-read. */
static void test_efi_pointers_short(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;

	mbi_start(&m);
	tag(&m, MB2_TAG_EFI32, "ab", 2);
	tag(&m, MB2_TAG_EFI64, "abcd", 4);
	mbi_end(&m);
	assert_int_equal(parse(&m, &info), 0);
	assert_int_equal(nwarn, 2);
	assert_true(saw("tag 11 is 10 bytes, needs 12"));
	assert_true(saw("tag 12 is 12 bytes, needs 16"));
	assert_int_equal(info.efi_systab32, 0);
	assert_int_equal(info.efi_systab64, 0);
	assert_int_equal(info.screen.kind, PVSCREEN_VGA_TEXT);
}

/* Through the physical-memory reader: alignment, unreadable, cut to the buffer. */
static void test_from_memory(void **state)
{
	static struct mbi m;
	static struct pvboot_info info;
	static _Alignas(8) uint8_t buf[64];
	struct phys_image img = { m.b, 0x10000, sizeof(m.b) };

	mbi_start(&m);
	tag(&m, MB2_TAG_CMDLINE, "smp=2", 6);
	tag(&m, MB2_TAG_LOADER_NAME, "GRUB", 5);
	tag(&m, MB2_TAG_CMDLINE, "a somewhat longer command line", 31);
	mbi_end(&m);
	nwarn = 0;
	assert_int_equal(mb2_to_pvboot(0x10000, phys_image_read, &img, buf,
				       sizeof(buf), &info, rec_warn, NULL), 0);
	/* 64 bytes hold the first two tags; the third runs past: reported. */
	assert_true(saw("info is 88 bytes, only the first 64 read"));
	assert_true(saw("tag 1 at +40 has size 39"));
	assert_string_equal(info.cmdline, "smp=2");
	assert_string_equal(info.loader_name, "GRUB");

	nwarn = 0;
	assert_int_equal(mb2_to_pvboot(0x10004, phys_image_read, &img, buf,
				       sizeof(buf), &info, rec_warn, NULL), -1);
	assert_true(saw("not 8-byte aligned"));
	assert_int_equal(mb2_to_pvboot(0x8000, phys_image_read, &img, buf,
				       sizeof(buf), &info, rec_warn, NULL), -1);
	assert_true(saw("info at 0x8000 unreadable"));
	/* total_size below the header itself. */
	put32(m.b, 4);
	assert_int_equal(mb2_to_pvboot(0x10000, phys_image_read, &img, buf,
				       sizeof(buf), &info, rec_warn, NULL), -1);
	assert_true(saw("4 bytes: too short"));
	/* total_size past readable memory. */
	put32(m.b, sizeof(m.b) + 8);
	static _Alignas(8) uint8_t big[MB2_INFO_MAX];
	assert_int_equal(mb2_to_pvboot(0x10000, phys_image_read, &img, big,
				       sizeof(big), &info, rec_warn, NULL), -1);
	assert_true(saw("unreadable"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grub_like),
		cmocka_unit_test(test_efi_mmap_preferred),
		cmocka_unit_test(test_efi_mmap_bad_descr_size),
		cmocka_unit_test(test_basic_meminfo),
		cmocka_unit_test(test_mmap_hostile),
		cmocka_unit_test(test_rsdp_choice),
		cmocka_unit_test(test_walk_hostile),
		cmocka_unit_test(test_strings_hostile),
		cmocka_unit_test(test_modules_hostile),
		cmocka_unit_test(test_framebuffer),
		cmocka_unit_test(test_efi_pointers_short),
		cmocka_unit_test(test_from_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
