/* Unit tests for loader/common/fat.c against FAT16 and FAT32 images made by mtools (mformat/mcopy) at test time. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <cmocka.h>
#include "../../loader/common/fat.h"

static char dir[64];
static int reads;

static int file_read(void *ctx, u64 lba, u32 count, void *buf)
{
	int fd = *(int *)ctx;

	reads++;
	return pread(fd, buf, (size_t)count * 512, (off_t)(lba * 512)) == (ssize_t)count * 512 ? 0 : -1;
}

static void sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

static u8 pattern(u32 i, u32 seed)
{
	return (u8)(i * 7 + (i >> 9) + seed);
}

/* A host file of n pattern bytes. */
static void make_file(const char *name, u32 n, u32 seed)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	for (u32 i = 0; i < n; i++)
		fputc(pattern(i, seed), f);
	fclose(f);
}

/*
 * FAT16 (32 MiB, 2 KiB clusters) and FAT32 (68 MiB, 512-byte clusters)
 * images holding: /boot/pvkernel.elf, a deep path with a long name, and a
 * fragmented file (a hole left by a deleted file, then a larger file).
 */
static void build(const char *img, bool fat32)
{
	sh("rm -f %s/%s && mformat -C -i %s/%s %s -h 64 -s 32 -v TEST ::",
	   dir, img, dir, img, fat32 ? "-F -T 139264 -c 1" : "-T 65536 -c 4");
	make_file("k.bin", 100000, 1);
	make_file("small.bin", 5000, 2);
	make_file("big.bin", 300000, 3);
	make_file("deep.txt", 777, 4);
	sh("cd %s && export MTOOLS_SKIP_CHECK=1 && mmd -i %s ::/boot ::/a ::/a/b ::/a/b/c ::/a/b/c/d && "
	   "mcopy -i %s k.bin ::/boot/pvkernel.elf && "
	   "mcopy -i %s small.bin ::/hole1 && mcopy -i %s small.bin ::/keep && "
	   "mdel -i %s ::/hole1 && mcopy -i %s big.bin ::/fragmented.bin && "
	   "mcopy -i %s deep.txt '::/a/b/c/d/A Long File Name, deep.txt'",
	   dir, img, img, img, img, img, img, img);
}

static int group_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/pvboot-fat-XXXXXX");
	if (!mkdtemp(dir) || system("command -v mformat >/dev/null") != 0)
		return -1;
	build("fat16.img", false);
	build("fat32.img", true);
	return 0;
}

static int group_teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

static int open_img(const char *img, int flags)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, img);
	return open(path, flags);
}

static void mount(struct fat_vol *v, int *fd, const char *img, int want_type)
{
	*fd = open_img(img, O_RDONLY);
	assert_true(*fd >= 0);
	assert_int_equal(fat_mount(v, file_read, fd, 0, 1u << 30), FAT_OK);
	assert_int_equal(v->type, want_type);
}

static void check_content(struct fat_vol *v, const char *path, u32 size, u32 seed)
{
	static u8 buf[400000];
	struct fat_file f;

	assert_int_equal(fat_open(v, path, &f), FAT_OK);
	assert_int_equal(f.size, size);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(fat_read(v, &f, 0, buf, size + 100), size);     /* short at EOF */
	for (u32 i = 0; i < size; i++)
		if (buf[i] != pattern(i, seed))
			fail_msg("%s: byte %u is %#x, want %#x", path, i, buf[i], pattern(i, seed));
	/* Unaligned pieces, backwards and forwards (the chain walk restarts). */
	for (u32 off = size - 1; off > 0; off = off * 2 / 3) {
		u8 b[3] = { 0 };
		u32 n = size - off < 3 ? size - off : 3;
		assert_int_equal(fat_read(v, &f, off, b, 3), n);
		assert_int_equal(b[0], pattern(off, seed));
	}
}

static void files_of(const char *img, int type)
{
	struct fat_vol v;
	struct fat_file f;
	int fd;

	mount(&v, &fd, img, type);
	check_content(&v, "/boot/pvkernel.elf", 100000, 1);
	check_content(&v, "/BOOT/PVKERNEL.ELF", 100000, 1);            /* case-insensitive */
	check_content(&v, "/fragmented.bin", 300000, 3);
	check_content(&v, "/a/b/c/d/a long file name, deep.txt", 777, 4);
	check_content(&v, "//a/b//c/d/A Long File Name, deep.txt", 777, 4);
	assert_int_equal(fat_open(&v, "/boot/missing.elf", &f), FAT_ENOENT);
	assert_int_equal(fat_open(&v, "/nodir/x", &f), FAT_ENOENT);
	assert_int_equal(fat_open(&v, "/keep/x", &f), FAT_ENOTDIR);
	assert_int_equal(fat_open(&v, "/boot", &f), FAT_EISDIR);
	assert_int_equal(fat_open(&v, "/a/b/c/d/A Long File Name, deep.tx", &f), FAT_ENOENT);
	close(fd);
}

static void test_fat16(void **state)
{
	files_of("fat16.img", 16);
}

static void test_fat32(void **state)
{
	files_of("fat32.img", 32);
}

/* A big file is read with few device calls: contiguous clusters go together. */
static void test_runs_coalesced(void **state)
{
	static u8 buf[100000];
	struct fat_vol v;
	struct fat_file f;
	int fd;

	mount(&v, &fd, "fat32.img", 32);
	assert_int_equal(fat_open(&v, "/boot/pvkernel.elf", &f), FAT_OK);
	reads = 0;
	assert_int_equal(fat_read(&v, &f, 0, buf, sizeof(buf)), sizeof(buf));
	assert_true(reads < 20);                /* 196 clusters of 512 bytes */
	close(fd);
}

/* Copy an image and patch bytes at off. */
static void corrupt_copy(const char *from, const char *to, long off, const void *bytes, size_t n)
{
	int fd;

	sh("cp %s/%s %s/%s", dir, from, dir, to);
	fd = open_img(to, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, off), (ssize_t)n);
	close(fd);
}

static void expect_mount_error(const char *img, long off, const void *bytes, size_t n, const char *why)
{
	struct fat_vol v;
	int fd;

	corrupt_copy(img, "bad.img", off, bytes, n);
	fd = open_img("bad.img", O_RDONLY);
	assert_int_equal(fat_mount(&v, file_read, &fd, 0, 1u << 30), FAT_ECORRUPT);
	if (!strstr(v.err, why))
		fail_msg("error \"%s\", want \"%s\"", v.err, why);
	close(fd);
}

static void test_bad_bpb(void **state)
{
	struct fat_vol v;
	int fd;

	expect_mount_error("fat16.img", 11, "\x00\x01", 2, "not 512");
	expect_mount_error("fat16.img", 13, "\x03", 1, "power of two");
	expect_mount_error("fat16.img", 16, "\x00", 1, "FAT count");
	expect_mount_error("fat16.img", 510, "\x00\x00", 2, "55 AA");
	expect_mount_error("fat16.img", 22, "\x01\x00", 2, "FAT is too small");
	expect_mount_error("fat16.img", 14, "\xff\xff", 2, "do not fit");
	expect_mount_error("fat32.img", 44, "\xff\xff\xff\x0f", 4, "root directory cluster");
	/* The file system must fit its partition. */
	fd = open_img("fat16.img", O_RDONLY);
	assert_int_equal(fat_mount(&v, file_read, &fd, 0, 1000), FAT_ECORRUPT);
	close(fd);
}

/* Point the kernel's first FAT entry at a bad cluster / outside the volume. */
static void test_bad_fat(void **state)
{
	static u8 buf[100000];
	struct fat_vol v;
	struct fat_file f;
	int fd;

	mount(&v, &fd, "fat16.img", 16);
	assert_int_equal(fat_open(&v, "/boot/pvkernel.elf", &f), FAT_OK);
	long at = (long)v.fat_lba * 512 + f.first_cluster * 2;
	close(fd);
	corrupt_copy("fat16.img", "badfat.img", at, "\xf7\xff", 2);
	fd = open_img("badfat.img", O_RDONLY);
	assert_int_equal(fat_mount(&v, file_read, &fd, 0, 1u << 30), FAT_OK);
	assert_int_equal(fat_open(&v, "/boot/pvkernel.elf", &f), FAT_OK);
	assert_int_equal(fat_read(&v, &f, 0, buf, sizeof(buf)), FAT_ECORRUPT);
	assert_non_null(strstr(v.err, "outside the volume"));
	close(fd);
	/* End of chain too early: the file claims more than its clusters. */
	corrupt_copy("fat16.img", "short.img", at, "\xff\xff", 2);
	fd = open_img("short.img", O_RDONLY);
	assert_int_equal(fat_mount(&v, file_read, &fd, 0, 1u << 30), FAT_OK);
	assert_int_equal(fat_open(&v, "/boot/pvkernel.elf", &f), FAT_OK);
	assert_int_equal(fat_read(&v, &f, 0, buf, sizeof(buf)), FAT_ECORRUPT);
	assert_non_null(strstr(v.err, "shorter than the file size"));
	close(fd);
}

static int failing_read(void *ctx, u64 lba, u32 count, void *buf)
{
	return -1;
}

static void test_io_error(void **state)
{
	struct fat_vol v;

	assert_int_equal(fat_mount(&v, failing_read, NULL, 0, 1u << 30), FAT_EIO);
	assert_string_equal(fat_strerror(FAT_EIO), "disk read error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fat16),
		cmocka_unit_test(test_fat32),
		cmocka_unit_test(test_runs_coalesced),
		cmocka_unit_test(test_bad_bpb),
		cmocka_unit_test(test_bad_fat),
		cmocka_unit_test(test_io_error),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
