/* Unit tests for the VMI ROM's host checks (backends/vmi/rom/romcheck.c, docs/vmi-rom.md "Image"): header, PCIR, PnP and checksum checks, relocation table, and each broken test ROM as lib/detect.c sees it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/detect.h"
#include "../../backends/vmi/rom/romcheck.c"

#define LEN     4096u
#define PCIR    0x100
#define PNP     0x120
#define LIC     0x140
#define MFG     0x148
#define PROD    0x150
#define CODE    0x200           /* where the fake routines are */
#define TABLE   0x400           /* reloc_off; reloc_type at TABLE + 512 */

static u8 rom[ROMCHECK_TOO_LONG];

static void put16(u32 off, u32 v) { rom[off] = (u8)v; rom[off + 1] = (u8)(v >> 8); }
static void put32(u32 off, u32 v) { put16(off, v & 0xffff); put16(off + 2, v >> 16); }

static void slot(u32 off, u32 target)
{
	rom[off] = 0xe9;
	put32(off + 1, target - (off + 5));
}

/* A well-formed image like build/vmi.rom, made by hand, checksums fixed. */
static void make_rom(void)
{
	memset(rom, 0, sizeof(rom));
	rom[0] = 0x55, rom[1] = 0xaa, rom[2] = LEN / 512;
	rom[3] = 0x31, rom[4] = 0xc0, rom[5] = 0xcb;
	memcpy(rom + 8, "cVmi", 4);
	rom[13] = 3, rom[14] = 2;
	put16(22, LIC), put16(24, PCIR), put16(26, PNP);
	memcpy(rom + 32, "pvbx", 4);
	put32(36, 1), put32(40, 0x9000);
	slot(128, CODE), slot(136, CODE + 0x10);
	memcpy(rom + PCIR, "PCIR", 4);
	put16(PCIR + 4, 0x15ad), put16(PCIR + 6, 0x0801), put16(PCIR + 16, LEN / 512);
	memcpy(rom + PNP, "$PnP", 4);
	put16(PNP + 14, MFG), put16(PNP + 16, PROD);
	strcpy((char *)rom + LIC, "GPL v2");
	strcpy((char *)rom + MFG, "pvboot");
	strcpy((char *)rom + PROD, "pvboot VMI ROM");
	assert_null(romcheck_fix(rom, LEN));
}

static const char *check(size_t len)
{
	struct romcheck_info info;

	return romcheck_image(rom, len, &info);
}

/* Break one thing, make the checksum right again, expect this reason. */
static void expect_after(const char *why, size_t len)
{
	const char *got;

	rom[len - 1] -= romcheck_sum(rom, len);
	got = check(len);
	assert_non_null(got);
	if (!strstr(got, why))
		fail_msg("want \"%s\", got \"%s\"", why, got);
}

static void good_rom(void **state)
{
	struct romcheck_info info;

	make_rom();
	assert_null(romcheck_image(rom, LEN, &info));
	assert_int_equal(info.size, LEN);
	assert_int_equal(info.data_size, 0x9000);
	assert_int_equal(romcheck_sum(rom, LEN), 0);
	assert_int_equal(romcheck_sum(rom + PNP, 32), 0);
}

static void size_and_signature(void **state)
{
	make_rom();
	rom[0] = 0x54;
	expect_after("55 AA", LEN);
	make_rom();
	rom[2] = 4;
	expect_after("length byte", LEN);
	make_rom();
	assert_non_null(check(LEN - 1));
	assert_non_null(check(ROMCHECK_MAX + 512));
	make_rom();
	rom[LEN - 2] ^= 1;
	assert_string_equal(check(LEN), "checksum: the bytes do not sum to 0 mod 256");
}

static void vmi_header(void **state)
{
	make_rom();
	rom[11] = 'X';
	expect_after("cVmi", LEN);
	make_rom();
	rom[13] = 4;
	expect_after("major is not 3", LEN);
	make_rom();
	rom[14] = 1;
	expect_after("two jump slots", LEN);
	make_rom();
	rom[32] = 'P';
	expect_after("extension block", LEN);
	make_rom();
	put32(40, 0x1800);
	expect_after("data_size", LEN);
	make_rom();
	put32(40, 0);
	expect_after("data_size", LEN);
}

static void jump_slots(void **state)
{
	make_rom();
	rom[128] = 0xeb;
	expect_after("VMI_Init jump slot", LEN);
	make_rom();
	slot(136, LEN);                 /* one past the end */
	expect_after("GetRelocationInfo jump slot", LEN);
	make_rom();
	slot(136, 0x10);                /* into the header */
	expect_after("GetRelocationInfo jump slot", LEN);
	make_rom();
	slot(136, LEN - 1);             /* last byte: inside */
	rom[LEN - 1] -= romcheck_sum(rom, LEN);
	assert_null(check(LEN));
}

static void license_pci_pnp(void **state)
{
	make_rom();
	strcpy((char *)rom + LIC, "BSD");
	expect_after("license", LEN);
	make_rom();
	put16(22, LEN);
	expect_after("license", LEN);
	make_rom();
	put16(24, LEN - 8);
	expect_after("PCI data structure", LEN);
	make_rom();
	put16(24, PCIR + 2);            /* not dword aligned */
	expect_after("PCI data structure", LEN);
	make_rom();
	put16(PCIR + 6, 0x0802);
	expect_after("15ad:0801", LEN);
	make_rom();
	put16(PCIR + 16, 1);
	expect_after("PCI image length", LEN);
	make_rom();
	rom[PNP + 20] = 1;              /* PnP sum now 1; image sum made right */
	expect_after("PnP header checksum", LEN);
	make_rom();
	put16(26, 0);
	expect_after("PnP header", LEN);
	make_rom();
	put16(PNP + 16, LEN + 4);
	rom[PNP + 9] -= romcheck_sum(rom + PNP, 32);
	expect_after("manufacturer/product", LEN);
}

/* Fake relocation table: calls 0 and 33 (CALL_REL, JUMP_REL), anchor CODE. */
static void make_table(struct romcheck_table *t)
{
	make_rom();
	*t = (struct romcheck_table){ TABLE, TABLE + 4 * VMI_NCALLS, CODE };
	put32(TABLE + 4 * 0, 0x20);
	rom[t->type + 0] = VMI_RELOCATION_CALL_REL;
	put32(TABLE + 4 * 33, (u32)-0x40);     /* before the anchor is fine */
	rom[t->type + 33] = VMI_RELOCATION_JUMP_REL;
	rom[t->type + 99] = VMI_RELOCATION_NOP; /* NOP needs no address */
}

static void relocation_table(void **state)
{
	struct romcheck_table t;
	struct romcheck_info info;

	make_table(&t);
	assert_null(romcheck_table(rom, LEN, &t, &info));
	assert_int_equal(info.ncalls, 3);
	assert_int_equal(info.call_rel, 1);
	assert_int_equal(info.jump_rel, 1);
	assert_int_equal(info.nop, 1);
	put32(TABLE + 4 * 33, LEN);             /* CODE + LEN: outside */
	assert_non_null(strstr(romcheck_table(rom, LEN, &t, &info), "outside the image"));
	make_table(&t);
	put32(TABLE, (u32)-CODE);               /* offset 0: the header */
	assert_non_null(romcheck_table(rom, LEN, &t, &info));
	make_table(&t);
	rom[t.type + 5] = 4;
	assert_non_null(strstr(romcheck_table(rom, LEN, &t, &info), "type out of range"));
	make_table(&t);
	t.type = LEN - 64;
	assert_non_null(strstr(romcheck_table(rom, LEN, &t, &info), "table outside"));
}

/* What the kernel's detection (lib/detect.c) says about a test ROM at 0xCB000. */
static const char *detect_says(size_t len)
{
	static u8 mem[VMI_SCAN_END - VMI_SCAN_START];
	static char why[160];
	struct phys_image img = { mem, VMI_SCAN_START, sizeof(mem) };
	u32 at = 0xb000, size;

	memset(mem, 0, sizeof(mem));
	memcpy(mem + at, rom, len < sizeof(mem) - at ? len : sizeof(mem) - at);
	if (!vmi_rom_validate(phys_image_read, &img, VMI_SCAN_START + at, &size, why, sizeof(why)))
		return NULL;
	return why;
}

static void variant(const char *name, size_t *len)
{
	struct romcheck_syms syms = { CODE + 0x20, CODE + 0x30, CODE + 0x40 };

	make_rom();
	*len = LEN;
	assert_null(romcheck_variant(rom, len, name, &syms));
}

static void expect_detect(const char *name, const char *why)
{
	size_t len;
	const char *got;

	variant(name, &len);
	got = detect_says(len);
	assert_non_null(got);
	if (!strstr(got, why))
		fail_msg("%s: want \"%s\", got \"%s\"", name, why, got);
}

static void variants_detected(void **state)
{
	expect_detect("bad-signature", "no \"cVmi\" at +8");
	expect_detect("api2", "VMI API 2.0, need major 3");
	expect_detect("too-long", "length 98304 runs past 0xe0000");
	expect_detect("license-outside", "license offset 0x1000 outside the ROM");
	expect_detect("pci-outside", "PCI header offset 0xff8 outside the ROM");
}

static void variants_runtime(void **state)
{
	size_t len;

	/* bad-checksum: loads clean, its init entry jumps to the breaker */
	variant("bad-checksum", &len);
	assert_int_equal(romcheck_sum(rom, len), 0);
	assert_int_equal(rom[3], 0xe9);
	assert_int_equal((u16)(rom[4] | rom[5] << 8), CODE + 0x30 - 6);
	assert_null(detect_says(len));
	/* what the breaker does at init: +0x5a on the last byte */
	rom[len - 1] += 0x5a;
	assert_non_null(strstr(detect_says(len), "checksum is 0x5a, not 0"));

	/* reloc-outside: passes detection, slot +136 points to the bad routine */
	variant("reloc-outside", &len);
	assert_null(check(len));
	assert_null(detect_says(len));
	assert_int_equal(rom[136], 0xe9);
	assert_int_equal((u32)(rom[137] | rom[138] << 8), CODE + 0x20 - 141);

	/* too-long: 96 KiB, checksummed over all of it, beyond romcheck's 64 KiB */
	variant("too-long", &len);
	assert_int_equal(len, ROMCHECK_TOO_LONG);
	assert_int_equal(rom[2], 192);
	assert_int_equal(romcheck_sum(rom, len), 0);
	assert_non_null(check(len));
}

/* trap-*: headers stay valid (detection accepts them), one int3 where the kernel enters. */
static void variants_trap(void **state)
{
	static const struct { const char *name; u32 at; } v[] = {
		{ "trap-init", VMI_INIT_SLOT_OFF }, { "trap-reloc", VMI_RELOC_SLOT_OFF }, { "trap-hot", CODE + 0x40 },
	};
	size_t len;

	for (u32 i = 0; i < 3; i++) {
		variant(v[i].name, &len);
		assert_int_equal(len, LEN);
		assert_int_equal(romcheck_sum(rom, len), 0);
		assert_null(detect_says(len));
		assert_int_equal(rom[v[i].at], 0xcc);
	}
}

static void variant_errors(void **state)
{
	struct romcheck_syms none = { 0, 0, 0 };
	size_t len = LEN;

	make_rom();
	assert_non_null(romcheck_variant(rom, &len, "no-such", &none));
	assert_non_null(romcheck_variant(rom, &len, "reloc-outside", &none));
	assert_non_null(romcheck_variant(rom, &len, "bad-checksum", &none));
	assert_non_null(romcheck_variant(rom, &len, "trap-hot", &none));
	assert_null(check(LEN));        /* refused variants leave the image alone */
}

static void fix_refuses_junk(void **state)
{
	make_rom();
	rom[2] = 3;
	assert_non_null(romcheck_fix(rom, LEN));
	make_rom();
	assert_non_null(romcheck_fix(rom, LEN + 100));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_rom),
		cmocka_unit_test(size_and_signature),
		cmocka_unit_test(vmi_header),
		cmocka_unit_test(jump_slots),
		cmocka_unit_test(license_pci_pnp),
		cmocka_unit_test(relocation_table),
		cmocka_unit_test(variants_detected),
		cmocka_unit_test(variants_runtime),
		cmocka_unit_test(variants_trap),
		cmocka_unit_test(variant_errors),
		cmocka_unit_test(fix_refuses_junk),
	};
	return cmocka_run_group_tests_name("vmirom", tests, NULL, NULL);
}
