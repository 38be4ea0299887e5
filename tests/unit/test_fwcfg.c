/* Unit tests for loader/common/fwcfg.c against a fake QEMU fw_cfg device (docs/specs/fw_cfg.rst: signature, big-endian file directory). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/fwcfg.h"

/* The fake: each selector is a byte string read from its start. */
struct fake {
	bool present;
	u8 dir[4 + 64 * 8];
	u32 dir_len;
	const char *file;
	u16 sel;
	u32 pos;
};

static void fk_select(void *ctx, u16 key)
{
	struct fake *f = ctx;

	f->sel = key;
	f->pos = 0;
}

static u8 fk_read8(void *ctx)
{
	struct fake *f = ctx;
	u32 i = f->pos++;

	if (!f->present)
		return 0xff;                    /* nothing decodes the ports */
	if (f->sel == FWCFG_SIGNATURE)
		return i < 4 ? (u8)"QEMU"[i] : 0;
	if (f->sel == FWCFG_FILE_DIR)
		return i < f->dir_len ? f->dir[i] : 0;
	if (f->sel == 0x25 && f->file)
		return i < strlen(f->file) ? (u8)f->file[i] : 0;
	return 0;
}

static void be32(u8 *p, u32 v)
{
	p[0] = v >> 24, p[1] = v >> 16, p[2] = v >> 8, p[3] = v;
}

static void add(struct fake *f, const char *name, u32 size, u16 sel)
{
	u32 n;
	u8 *e;

	be32(f->dir, 0);
	n = (f->dir_len ? f->dir_len - 4 : 0) / 64;
	e = f->dir + 4 + n * 64;
	memset(e, 0, 64);
	be32(e, size);
	e[4] = sel >> 8, e[5] = (u8)sel;
	strncpy((char *)e + 8, name, 56);
	f->dir_len = 4 + (n + 1) * 64;
	be32(f->dir, n + 1);
}

static void test_read_cmdline(void **state)
{
	struct fake f = { .present = true, .file = "test pv=native" };
	struct fwcfg_io io = { fk_select, fk_read8, &f };
	char buf[64] = "";
	u32 size = 0;
	u16 sel;

	add(&f, "etc/boot-fail-wait", 4, 0x20);
	add(&f, "opt/pvboot/cmdline", (u32)strlen(f.file), 0x25);
	assert_true(fwcfg_present(&io));
	assert_int_equal(fwcfg_find(&io, "opt/pvboot/cmdline", &sel, &size), 0);
	assert_int_equal(sel, 0x25);
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), 14);
	assert_int_equal(size, 14);
	assert_memory_equal(buf, "test pv=native", 14);
	/* Truncated to the caller's buffer, full size reported. */
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, 4, &size), 4);
	assert_int_equal(size, 14);
	assert_int_equal(fwcfg_find(&io, "opt/pvboot/other", &sel, &size), -1);
}

static void test_absent(void **state)
{
	struct fake f = { .present = false };
	struct fwcfg_io io = { fk_select, fk_read8, &f };
	char buf[8];
	u32 size;

	assert_false(fwcfg_present(&io));
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), -1);
}

static void test_bad_directory(void **state)
{
	struct fake f = { .present = true, .file = "x" };
	struct fwcfg_io io = { fk_select, fk_read8, &f };
	u32 size;
	u16 sel;

	add(&f, "opt/pvboot/cmdline", 1, 0x25);
	memset(f.dir + 4 + 8, 'a', 56);         /* name without its NUL: skipped */
	assert_int_equal(fwcfg_find(&io, "opt/pvboot/cmdline", &sel, &size), -1);
	add(&f, "opt/pvboot/cmdline", 1, 0x25); /* a good second entry is found */
	assert_int_equal(fwcfg_find(&io, "opt/pvboot/cmdline", &sel, &size), 0);
	be32(f.dir, FWCFG_DIR_MAX + 1);         /* absurd count: refused, no long walk */
	assert_int_equal(fwcfg_find(&io, "opt/pvboot/cmdline", &sel, &size), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_cmdline),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_bad_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
