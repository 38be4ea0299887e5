/* romfix: the VMI ROM's host build tool — fixes the PnP and image checksums, checks the image and its relocation table, prints size and call count, and makes the broken test ROMs (docs/vmi-rom.md "Building and layout"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "romcheck.h"

static uint8_t img[ROMCHECK_TOO_LONG];

static void die(const char *file, const char *why)
{
	fprintf(stderr, "romfix: %s: %s\n", file, why);
	exit(1);
}

static size_t load(const char *file)
{
	FILE *f = fopen(file, "rb");
	size_t n;

	if (!f)
		die(file, "cannot open");
	n = fread(img, 1, ROMCHECK_MAX, f);
	if (n == ROMCHECK_MAX && fgetc(f) != EOF)
		die(file, "larger than 64 KiB");
	fclose(f);
	return n;
}

static void save(const char *file, size_t n)
{
	FILE *f = fopen(file, "wb");

	if (!f || fwrite(img, 1, n, f) != n || fclose(f))
		die(file, "cannot write");
}

static void usage(void)
{
	fprintf(stderr, "usage: romfix [--reloc OFF:TYPE:ANCHOR] IN OUT   fix checksums, check, report\n"
			"       romfix --variant NAME [--reloc-outside OFF] [--break-checksum OFF] [--trap-hot OFF] IN OUT\n"
			"              a broken test ROM: bad-checksum bad-signature api2 too-long\n"
			"              license-outside pci-outside reloc-outside trap-init trap-reloc trap-hot\n");
	exit(2);
}

/* The real ROM: fix, then check everything a kernel or SeaBIOS will. */
static void build(const char *in, const char *out, const char *reloc)
{
	size_t n = load(in);
	struct romcheck_table t;
	struct romcheck_info info;
	const char *why;

	if ((why = romcheck_fix(img, n)) || (why = romcheck_image(img, n, &info)))
		die(in, why);
	if (!reloc || sscanf(reloc, "%i:%i:%i", &t.off, &t.type, &t.anchor) != 3)
		die(in, "--reloc OFF:TYPE:ANCHOR is needed to check the relocation table");
	if ((why = romcheck_table(img, n, &t, &info)))
		die(in, why);
	save(out, n);
	printf("  ROM     %s: %u bytes (%u blocks), data area %u bytes, %u calls implemented "
	       "(%u CALL_REL, %u JUMP_REL, %u NOP)\n", out, info.size, info.size / 512,
	       info.data_size, info.ncalls, info.call_rel, info.jump_rel, info.nop);
}

static void variant(const char *in, const char *out, const char *name,
		    const struct romcheck_syms *syms)
{
	size_t n = load(in);
	struct romcheck_info info;
	const char *why;

	if ((why = romcheck_image(img, n, &info)))
		die(in, why);
	if ((why = romcheck_variant(img, &n, name, syms)))
		die(name, why);
	save(out, n);
}

int main(int argc, char **argv)
{
	const char *reloc = NULL, *name = NULL;
	struct romcheck_syms syms = { 0, 0, 0 };
	int i = 1;

	for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
		if (!strcmp(argv[i], "--reloc"))
			reloc = argv[i + 1];
		else if (!strcmp(argv[i], "--variant"))
			name = argv[i + 1];
		else if (!strcmp(argv[i], "--reloc-outside"))
			syms.reloc_outside = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--break-checksum"))
			syms.break_checksum = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--trap-hot"))
			syms.trap_hot = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else
			usage();
	}
	if (argc - i != 2)
		usage();
	if (name)
		variant(argv[i], argv[i + 1], name, &syms);
	else
		build(argv[i], argv[i + 1], reloc);
	return 0;
}
