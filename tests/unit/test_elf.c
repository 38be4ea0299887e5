/* Unit tests for loader/common/elf.c: kernel ELF checks (ELF 1.2, i386) and the .pvbackends list on built images. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/elf.h"

#define FILE_SIZE 0x5000
static u8 img[FILE_SIZE];
static u32 img_size;

static int mem_read(void *ctx, u32 off, void *buf, u32 len)
{
	if (off > img_size || len > img_size - off)
		return -1;
	memcpy(buf, img + off, len);
	return 0;
}

static const struct pvboot_mmap_entry mmap[] = {
	{ 0, 0x9fc00, E820_RAM, 0 },
	{ 0x9fc00, 0x400, E820_RESERVED, 0 },
	{ 0xf0000, 0x10000, E820_RESERVED, 0 },
	{ 0x100000, 0x100000, E820_RAM, 0 },    /* two adjacent RAM entries */
	{ 0x200000, 0x7e00000, E820_RAM, 0 },
};
static const struct elf_limits lim = { mmap, 5, 0, 0x70000 };

static void put16(u32 off, u16 v) { memcpy(img + off, &v, 2); }
static void put32(u32 off, u32 v) { memcpy(img + off, &v, 4); }

#define PH(i, field) (52 + (i) * 32 + (field))
enum { P_TYPE = 0, P_OFF = 4, P_VADDR = 8, P_PADDR = 12, P_FILESZ = 16, P_MEMSZ = 20, P_FLAGS = 24 };

static void phdr(int i, u32 off, u32 addr, u32 filesz, u32 memsz, u32 flags)
{
	put32(PH(i, P_TYPE), 1);
	put32(PH(i, P_OFF), off);
	put32(PH(i, P_VADDR), addr);
	put32(PH(i, P_PADDR), addr);
	put32(PH(i, P_FILESZ), filesz);
	put32(PH(i, P_MEMSZ), memsz);
	put32(PH(i, P_FLAGS), flags);
}

static void shdr(int i, u32 name, u32 off, u32 size)
{
	u32 base = 0x4000 + i * 40;

	put32(base, name);
	put32(base + 4, 1);
	put32(base + 16, off);
	put32(base + 20, size);
}

/* Text at 0x100000 (file 0x1000), data+bss at 0x103000, backend list in it. */
static int build(void **state)
{
	static const char strtab[] = "\0.shstrtab\0.pvbackends";
	struct pvboot_backend_list l = { PVBOOT_BACKENDS_MAGIC, 1, 1, 0,
		{ { PV_NATIVE, "native", 0x103080 } } };

	memset(img, 0, sizeof(img));
	img_size = FILE_SIZE;
	memcpy(img, "\x7f" "ELF\x01\x01\x01", 7);
	put16(16, 2);                   /* ET_EXEC */
	put16(18, 3);                   /* EM_386 */
	put32(20, 1);
	put32(24, 0x10000c);            /* entry */
	put32(28, 52);                  /* phoff */
	put32(32, 0x4000);              /* shoff */
	put16(42, 32);
	put16(44, 3);                   /* phnum: two loads and a GNU_STACK */
	put16(46, 40);
	put16(48, 3);                   /* shnum */
	put16(50, 1);                   /* shstrndx */
	phdr(0, 0x1000, 0x100000, 0x2000, 0x2000, 5);
	phdr(1, 0x3000, 0x103000, 0x200, 0x5000, 6);
	put32(PH(2, P_TYPE), 0x6474e551);
	memcpy(img + 0x3100, &l, sizeof(l));
	memcpy(img + 0x3200, strtab, sizeof(strtab));
	shdr(1, 1, 0x3200, sizeof(strtab));
	shdr(2, 11, 0x3100, sizeof(l));
	return 0;
}

static int check(struct elf_plan *p, char *why)
{
	return elf_check(mem_read, NULL, img_size, &lim, p, why, 120);
}

static void expect_fail(const char *want)
{
	struct elf_plan p;
	char why[120] = "";

	assert_int_equal(check(&p, why), -1);
	if (!strstr(why, want))
		fail_msg("reason \"%s\", want \"%s\"", why, want);
}

static void test_valid(void **state)
{
	struct elf_plan p;
	char why[120];

	assert_int_equal(check(&p, why), 0);
	assert_int_equal(p.entry, 0x10000c);
	assert_int_equal(p.nseg, 2);
	assert_int_equal(p.seg[1].memsz, 0x5000);
	assert_int_equal(p.lo, 0x100000);
	assert_int_equal(p.hi, 0x108000);
	assert_true(p.has_backends);
	assert_int_equal(p.backend_mask, 1u << PV_NATIVE);
	assert_int_equal(p.backends.entry[0].table, 0x103080);
	assert_string_equal(why, "");
}

static void test_header(void **state)
{
	img[4] = 2;
	expect_fail("ELF class 2");
	build(state);
	img[5] = 2;
	expect_fail("little-endian");
	build(state);
	put16(18, 62);
	expect_fail("machine 62 is not i386");
	build(state);
	put16(16, 3);
	expect_fail("type 3 is not an executable");
	build(state);
	img[1] = 'X';
	expect_fail("not an ELF file");
	build(state);
	put16(44, 0);
	expect_fail("program header table malformed");
	build(state);
	put32(28, FILE_SIZE - 40);
	expect_fail("program headers run past");
}

static void test_truncated(void **state)
{
	img_size = 0x2000;
	expect_fail("segment 0 runs past the end of the file");
	img_size = 40;
	expect_fail("shorter than an ELF header");
}

static void test_segments(void **state)
{
	phdr(1, 0x3000, 0x101000, 0x200, 0x5000, 6);
	expect_fail("overlaps an earlier one");
	build(state);
	phdr(1, 0x3000, 0x9000000, 0x200, 0x5000, 6);
	expect_fail("not in RAM");
	build(state);
	phdr(1, 0x3000, 0x9f000, 0x200, 0x5000, 6);     /* into the EBDA */
	expect_fail("not in RAM");
	build(state);
	phdr(1, 0x3000, 0x20000, 0x200, 0x1000, 6);
	expect_fail("overlaps the loader");
	build(state);
	phdr(1, 0x3000, 0x103000, 0x6000, 0x5000, 6);
	expect_fail("sizes insane");
	build(state);
	phdr(1, 0x3000, 0x103000, 0x200, 0x20000000, 6);
	expect_fail("sizes insane");
	build(state);
	phdr(1, 0x3000, 0xfffff000, 0x200, 0x2000, 6);
	expect_fail("wraps past 4 GiB");
	build(state);
	phdr(1, 0xfffffff0, 0x103000, 0x200, 0x2000, 6);
	expect_fail("runs past the end of the file");
	build(state);
	put32(24, 0x103000);            /* entry in the non-executable segment */
	expect_fail("entry point 0x103000");
	build(state);
	put32(PH(0, P_TYPE), 4);
	put32(PH(1, P_TYPE), 4);
	expect_fail("no loadable segment");
}

static void no_backends(const char *want)
{
	struct elf_plan p;
	char why[120] = "";

	assert_int_equal(check(&p, why), 0);      /* not fatal */
	assert_false(p.has_backends);
	if (!strstr(why, want))
		fail_msg("reason \"%s\", want \"%s\"", why, want);
}

static void test_backends(void **state)
{
	put32(0x3100, 0x12345678);
	no_backends("bad magic");
	build(state);
	put32(0x3100 + 16 + 16, 0x900000);      /* table outside the image */
	no_backends("outside the image");
	build(state);
	memcpy(img + 0x3200 + 11, ".pvbackendX", 11);
	no_backends("no .pvbackends section");
	build(state);
	put16(50, 7);                           /* shstrndx out of range */
	no_backends("no usable section headers");
	build(state);
	shdr(2, 11, 0x4ff0, 96);                /* list past the end of the file */
	no_backends("out of bounds");
	build(state);
	shdr(1, 1, 0x3200, 0xffffffff);         /* name table size absurd */
	no_backends("no .pvbackends section");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid, build),
		cmocka_unit_test_setup(test_header, build),
		cmocka_unit_test_setup(test_truncated, build),
		cmocka_unit_test_setup(test_segments, build),
		cmocka_unit_test_setup(test_backends, build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
