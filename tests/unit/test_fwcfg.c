/* Unit tests for loader/common/fwcfg.c against a fake QEMU fw_cfg device (docs/specs/fw_cfg.rst: signature, big-endian file directory, DMA). */
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
	bool dma;                       /* feature bit 1 and the "QEMU CFG" register */
	bool dma_fails;                 /* every transfer ends with the error bit */
	u32 dma_ops, pio_reads;
	u32 dma_hi;
	u8 dir[4 + 64 * 20];
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

/* The byte at the cursor of the selected item. */
static u8 fk_byte(struct fake *f)
{
	u32 i = f->pos++;

	if (!f->present)
		return 0xff;                    /* nothing decodes the ports */
	if (f->sel == 0x0001)                   /* feature bitmap, little-endian */
		return i == 0 ? (f->dma ? 3 : 1) : 0;
	if (f->sel == FWCFG_SIGNATURE)
		return i < 4 ? (u8)"QEMU"[i] : 0;
	if (f->sel == FWCFG_FILE_DIR)
		return i < f->dir_len ? f->dir[i] : 0;
	if (f->sel == 0x25 && f->file)
		return i < strlen(f->file) ? (u8)f->file[i] : 0;
	return 0;
}

static u8 fk_read8(void *ctx)
{
	struct fake *f = ctx;

	f->pio_reads++;
	return fk_byte(f);
}

static u32 fk_in32(void *ctx, u16 port)
{
	struct fake *f = ctx;

	if (!f->dma)
		return 0;
	/* The register is big-endian: the first byte read is 'Q'. */
	return __builtin_bswap32(port == FWCFG_PORT_DMA ? 0x51454d55u : 0x20434647u);
}

/* The low half starts the transfer described at the (host) address. */
static void fk_out32(void *ctx, u16 port, u32 v)
{
	struct fake *f = ctx;
	u32 *d;
	u8 *dst;

	if (port == FWCFG_PORT_DMA) {
		f->dma_hi = __builtin_bswap32(v);
		return;
	}
	d = (u32 *)(uintptr_t)((u64)f->dma_hi << 32 | __builtin_bswap32(v));
	f->dma_ops++;
	if (f->dma_fails) {
		d[0] = __builtin_bswap32(1);
		return;
	}
	assert_int_equal(__builtin_bswap32(d[0]), 0x02);        /* read, no select */
	dst = (u8 *)(uintptr_t)__builtin_bswap64(*(u64 *)&d[2]);
	for (u32 n = __builtin_bswap32(d[1]); n; n--)
		*dst++ = fk_byte(f);
	d[0] = 0;
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
	struct fwcfg_io io = { fk_select, fk_read8, &f, NULL, NULL };
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
	struct fwcfg_io io = { fk_select, fk_read8, &f, NULL, NULL };
	char buf[8];
	u32 size;

	assert_false(fwcfg_present(&io));
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), -1);
}

static void test_bad_directory(void **state)
{
	struct fake f = { .present = true, .file = "x" };
	struct fwcfg_io io = { fk_select, fk_read8, &f, NULL, NULL };
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

/* Everything add() put in, as the DMA path must deliver it. */
static void fill(struct fake *f, u32 n)
{
	char name[56];

	for (u32 i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "etc/file%u", i);
		add(f, name, i, (u16)(0x30 + i));
	}
	add(f, "opt/pvboot/cmdline", (u32)strlen(f->file), 0x25);
}

static bool count_one(void *ctx, const char *name, u16 select, u32 size)
{
	++*(u32 *)ctx;
	return true;
}

static void test_dma(void **state)
{
	struct fake f = { .present = true, .dma = true, .file = "exit smp=2" };
	struct fwcfg_io io = { fk_select, fk_read8, &f, fk_in32, fk_out32 };
	char buf[64] = "";
	u32 size = 0, seen = 0;

	fill(&f, 17);                           /* 18 entries: three DMA chunks */
	assert_int_equal(fwcfg_foreach(&io, count_one, &seen), 0);
	assert_int_equal(seen, 18);
	assert_int_equal(f.dma_ops, 1 + 3);     /* the count, then the entries */
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), 10);
	assert_memory_equal(buf, "exit smp=2", 10);
	/* Byte-wise reads only for the signature and the feature bitmap. */
	assert_int_equal(f.pio_reads, 3 * 8);
}

/* No DMA offered (feature bit clear), or no 32-bit ports: byte-wise. */
static void test_no_dma(void **state)
{
	struct fake f = { .present = true, .dma = false, .file = "exit" };
	struct fwcfg_io io = { fk_select, fk_read8, &f, fk_in32, fk_out32 };
	char buf[8] = "";
	u32 size;

	fill(&f, 3);
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), 4);
	assert_memory_equal(buf, "exit", 4);
	assert_int_equal(f.dma_ops, 0);
	f.dma = true;
	io.in32 = NULL;
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), 4);
	assert_int_equal(f.dma_ops, 0);
}

/* A transfer with the error bit: byte-wise again, no entry twice. */
static void test_dma_error(void **state)
{
	struct fake f = { .present = true, .dma = true, .dma_fails = true, .file = "test" };
	struct fwcfg_io io = { fk_select, fk_read8, &f, fk_in32, fk_out32 };
	char buf[8] = "";
	u32 size = 0, seen = 0;

	fill(&f, 9);
	assert_int_equal(fwcfg_foreach(&io, count_one, &seen), 0);
	assert_int_equal(seen, 10);
	assert_int_equal(fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &size), 4);
	assert_memory_equal(buf, "test", 4);
	assert_true(f.dma_ops > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_cmdline),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_bad_directory),
		cmocka_unit_test(test_dma),
		cmocka_unit_test(test_no_dma),
		cmocka_unit_test(test_dma_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
