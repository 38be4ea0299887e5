/* Host tool: write the MBR, its partition table (one FAT partition at 1 MiB) and stage 2 into the gap of a raw disk image; no root, no loop devices. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include "../loader/bios/layout.h"

#define SECTOR 512
#define MBR_CODE_MAX 440        /* then the disk signature and the table */

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkimage: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static size_t slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		die("cannot open", path);
	n = fread(buf, 1, max, f);
	if (!feof(f) && fgetc(f) != EOF)
		die("file too large", path);
	fclose(f);
	return n;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v, p[1] = v >> 8;
}

/* Sector count and checksum into the stage 2 header (layout.h S2H_*). */
static size_t seal_stage2(uint8_t *s2, size_t len)
{
	size_t sectors = (len + SECTOR - 1) / SECTOR;
	uint16_t sum = 0;

	if (len < 16 || s2[0] != 'P' || s2[1] != 'V' || s2[2] != 'B' || s2[3] != '2')
		die("stage 2 does not start with the PVB2 header", NULL);
	if (sectors > STAGE2_MAX_SECTORS || STAGE2_LBA + sectors > PART_START_LBA)
		die("stage 2 is larger than the MBR loads", NULL);
	put16(s2 + S2H_SECTORS, (uint16_t)sectors);
	put16(s2 + S2H_CHECKSUM, 0);
	for (size_t i = 0; i < sectors * SECTOR; i += 2)
		sum += s2[i] | s2[i + 1] << 8;
	put16(s2 + S2H_CHECKSUM, (uint16_t)-sum);
	return sectors;
}

int main(int argc, char **argv)
{
	static uint8_t mbr[SECTOR], code[SECTOR], s2[STAGE2_MAX_SECTORS * SECTOR];
	unsigned long mib;
	size_t n, sectors;
	FILE *out;

	if (argc != 5 || (mib = strtoul(argv[4], NULL, 10)) < 8 || mib > 4096)
		die("usage: mkimage OUT.img MBR.bin STAGE2.bin SIZE_MIB (8..4096)", NULL);
	if ((n = slurp(argv[2], code, sizeof(code))) > MBR_CODE_MAX)
		die("MBR code is longer than 440 bytes", argv[2]);
	memcpy(mbr, code, n);
	put32(mbr + 440, 0x50564254);                  /* disk signature "TBVP" */
	uint8_t *pe = mbr + 446;
	uint32_t part_sectors = (uint32_t)(mib * 2048 - PART_START_LBA);
	pe[0] = 0x80;                                   /* active */
	memcpy(pe + 1, "\xfe\xff\xff", 3);              /* CHS: use LBA */
	pe[4] = 0x0e;                                   /* FAT16, LBA */
	memcpy(pe + 5, "\xfe\xff\xff", 3);
	put32(pe + 8, PART_START_LBA);
	put32(pe + 12, part_sectors);
	mbr[510] = 0x55, mbr[511] = 0xaa;
	sectors = seal_stage2(s2, slurp(argv[3], s2, sizeof(s2)));

	if (!(out = fopen(argv[1], "wb")))
		die("cannot create", argv[1]);
	if (fwrite(mbr, SECTOR, 1, out) != 1 || fwrite(s2, SECTOR, sectors, out) != sectors ||
	    fseek(out, (long)(mib << 20) - 1, SEEK_SET) || fputc(0, out) == EOF || fclose(out))
		die("cannot write", argv[1]);
	printf("mkimage: %s: %lu MiB, stage 2 %zu sectors (%zu bytes), FAT partition at LBA %u, %u sectors\n",
	       argv[1], mib, sectors, sectors * SECTOR, PART_START_LBA, part_sectors);
	return 0;
}
