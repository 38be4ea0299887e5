/* Host tool: bind SHA-256 hashes of the kernel, config and VMI ROMs into an unsigned UEFI loader before sbsign (loader/uefi/pvbind.h, docs/secure-boot.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvbind.h"

static const u8 magic[16] = { PVBIND_MAGIC_BYTES };

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "bindhash: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(1);
}

static u8 *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	u8 *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		die("%s: %s", path, strerror(errno));
	do {
		if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 65536)))
			die("%s: %s", path, "out of memory");
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	if (ferror(f))
		die("%s: %s", path, "read error");
	fclose(f);
	*size = n;
	return buf;
}

/* The one table in the image; more or fewer than one is an error. */
static struct pvbind *find_table(u8 *img, size_t size, const char *path)
{
	struct pvbind *t = NULL;

	for (size_t i = 0; i + sizeof(*t) <= size; i++) {
		if (memcmp(img + i, magic, sizeof(magic)))
			continue;
		if (t)
			die("%s: the binding magic occurs more than once%s", path, "");
		t = (struct pvbind *)(img + i);
	}
	if (!t)
		die("%s: no binding table (not a pvboot UEFI loader?)%s", path, "");
	if (t->version != PVBIND_VERSION)
		die("%s: binding table version differs from this tool's%s", path, "");
	return t;
}

static u32 parse_kind(const char *s, size_t n, const char *arg)
{
	if (n == 6 && !memcmp(s, "kernel", 6))
		return PVBIND_KERNEL;
	if (n == 6 && !memcmp(s, "config", 6))
		return PVBIND_CONFIG;
	if (n == 3 && !memcmp(s, "rom", 3))
		return PVBIND_ROM;
	die("%s: kind must be kernel, config or rom%s", arg, "");
	return 0;
}

/* KIND:NAME=FILE → one entry. */
static void add_entry(struct pvbind *t, const char *arg)
{
	const char *colon = strchr(arg, ':'), *eq = colon ? strchr(colon, '=') : NULL;
	struct pvbind_entry *e;
	size_t size;
	u8 *data;

	if (!colon || !eq || eq == colon + 1)
		die("%s: want KIND:NAME=FILE%s", arg, "");
	if (t->count >= PVBIND_MAX)
		die("%s: more than the table's entries%s", arg, "");
	if ((size_t)(eq - colon - 1) >= PVBIND_NAME_LEN)
		die("%s: name longer than the table allows%s", arg, "");
	e = &t->e[t->count++];
	memset(e, 0, sizeof(*e));
	e->kind = parse_kind(arg, (size_t)(colon - arg), arg);
	memcpy(e->name, colon + 1, (size_t)(eq - colon - 1));
	data = slurp(eq + 1, &size);
	sha256(data, size, e->sha256);
	free(data);
}

/* The PE optional header's CheckSum (16-bit one's-complement-style sum plus the length). */
static void fix_checksum(u8 *img, size_t size, const char *path)
{
	u32 pe, at, sum = 0;

	if (size < 0x40 || img[0] != 'M' || img[1] != 'Z')
		die("%s: not a PE file%s", path, "");
	pe = img[0x3c] | img[0x3d] << 8 | img[0x3e] << 16 | (u32)img[0x3f] << 24;
	if ((size_t)pe + 24 + 68 > size || memcmp(img + pe, "PE\0\0", 4))
		die("%s: no PE header%s", path, "");
	at = pe + 24 + 64;
	memset(img + at, 0, 4);
	for (size_t i = 0; i < size; i += 2) {
		sum += img[i] | (i + 1 < size ? img[i + 1] << 8 : 0);
		sum = (sum & 0xffff) + (sum >> 16);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum += (u32)size;
	for (int i = 0; i < 4; i++)
		img[at + i] = (u8)(sum >> (8 * i));
}

static void list(const struct pvbind *t)
{
	static const char *const kinds[] = { "?", "kernel", "config", "rom" };
	char hex[SHA256_HEX_LEN];

	for (u32 i = 0; i < t->count && i < PVBIND_MAX; i++) {
		sha256_hex(t->e[i].sha256, hex);
		printf("%s:%.*s sha256 %s\n", kinds[t->e[i].kind <= 3 ? t->e[i].kind : 0],
		       PVBIND_NAME_LEN, t->e[i].name, hex);
	}
}

int main(int argc, char **argv)
{
	size_t size;
	u8 *img;
	struct pvbind *t;
	FILE *f;

	if (argc == 3 && !strcmp(argv[1], "--list")) {
		img = slurp(argv[2], &size);
		list(find_table(img, size, argv[2]));
		return 0;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: bindhash IN.efi OUT.efi KIND:NAME=FILE...   (KIND: kernel, config, rom)\n"
				"       bindhash --list FILE.efi\n");
		return 2;
	}
	img = slurp(argv[1], &size);
	t = find_table(img, size, argv[1]);
	if (t->count)
		die("%s: already bound%s", argv[1], "");
	for (int i = 3; i < argc; i++)
		add_entry(t, argv[i]);
	fix_checksum(img, size, argv[1]);
	if (!(f = fopen(argv[2], "wb")) || fwrite(img, 1, size, f) != size || fclose(f))
		die("%s: %s", argv[2], strerror(errno));
	free(img);
	return 0;
}
