/* Unit tests for lib/detect.c: docs/design.md §5 detection order and backend choice, and the VMI 3.x ROM header checks (docs/abi-vmi.md) on fake CPUs and ROM images. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/detect.h"

#include "warn_capture.h"

/* ---- fakes ---------------------------------------------------------------- */

struct fake_cpu {
	bool hv;
	char sig[13];
};

static void fake_cpuid(void *ctx, u32 leaf, u32 out[4])
{
	const struct fake_cpu *c = ctx;

	memset(out, 0, 16);
	if (leaf == 1)
		out[2] = c->hv ? 1u << 31 : 0;
	if (leaf == 0x40000000 && c->hv)
		memcpy(&out[1], c->sig, 12);
}

static u8 rom_area[VMI_SCAN_END - VMI_SCAN_START + 4096];     /* slack: test ROMs may overhang */
static struct phys_image area = { rom_area, VMI_SCAN_START, VMI_SCAN_END - VMI_SCAN_START };

static void fix_sum(u8 *rom, u32 size)
{
	u8 s = 0;

	rom[size - 1] = 0;
	for (u32 i = 0; i < size; i++)
		s += rom[i];
	rom[size - 1] = (u8)-s;
}

/* A valid 4 KiB VMI ROM at phys (header, PCIR at 0x100, license at 0x120). */
static u8 *put_vmi_rom(u32 phys)
{
	u8 *r = rom_area + (phys - VMI_SCAN_START);

	memset(r, 0, 4096);
	r[0] = 0x55, r[1] = 0xaa, r[2] = 8;
	memcpy(r + 8, "cVmi", 4);
	r[13] = 3;                      /* API 3.0 */
	r[14] = 2;                      /* jump slots */
	r[22] = 0x20, r[23] = 0x01;     /* license at 0x120 */
	r[24] = 0x00, r[25] = 0x01;     /* PCIR at 0x100 */
	memcpy(r + 0x100, "PCIR", 4);
	strcpy((char *)r + 0x120, "GPL v2");
	memcpy(r + 128, "\xe9\x00\x01\x00\x00\x90\x90\x90", 8);
	memcpy(r + 136, "\xe9\x00\x02\x00\x00\x90\x90\x90", 8);
	fix_sum(r, 4096);
	return r;
}

/* An ordinary option ROM (a VGA BIOS stand-in): valid, but not VMI. */
static void put_plain_rom(u32 phys, u32 blocks)
{
	u8 *r = rom_area + (phys - VMI_SCAN_START);

	memset(r, 0x11, blocks * 512);
	r[0] = 0x55, r[1] = 0xaa, r[2] = (u8)blocks;
	fix_sum(r, blocks * 512);
}

static int setup(void **state)
{
	(void)state;
	memset(rom_area, 0xff, sizeof(rom_area));
	nwarn = 0;
	return 0;
}

static struct detect_result probe(struct fake_cpu *cpu, u32 subarch)
{
	struct detect_io io = { fake_cpuid, cpu, phys_image_read, &area, rec_warn, NULL, subarch };
	struct detect_result r;

	detect_probe(&io, &r);
	return r;
}

/* ---- VMI header validation -------------------------------------------------- */

static int validate(u32 phys, char *why)
{
	u32 size = 0;

	return vmi_rom_validate(phys_image_read, &area, phys, &size, why, 96);
}

static void test_vmi_valid(void **state)
{
	char why[96];
	u32 size = 0;

	put_vmi_rom(0xc8000);
	assert_int_equal(vmi_rom_validate(phys_image_read, &area, 0xc8000, &size, why, sizeof(why)), 0);
	assert_int_equal(size, 4096);
}

/* Break one field (then fix the checksum unless told not to) and expect why. */
static void expect_reject(void (*breakit)(u8 *), bool resum, const char *want)
{
	char why[96] = "";
	u8 *r = put_vmi_rom(0xc8000);

	breakit(r);
	if (resum)
		fix_sum(r, r[2] ? r[2] * 512u : 4096);
	assert_int_equal(validate(0xc8000, why), -1);
	if (!strstr(why, want))
		fail_msg("reason \"%s\", want \"%s\"", why, want);
}

static void no_55aa(u8 *r) { r[0] = 0; }
static void zero_len(u8 *r) { r[2] = 0; }
static void past_end(u8 *r) { r[2] = 0xff; }
static void bad_sum(u8 *r) { r[200] ^= 1; }
static void no_cvmi(u8 *r) { r[9] = 'X'; }
static void api2(u8 *r) { r[13] = 2; }
static void pci_zero(u8 *r) { r[24] = r[25] = 0; }
static void pci_out(u8 *r) { r[24] = 0xf0, r[25] = 0x0f; }
static void pci_nosig(u8 *r) { r[0x100] = 'X'; }
static void lic_out(u8 *r) { r[22] = 0x00, r[23] = 0x20; }
static void lic_unterminated(u8 *r) { memset(r + 0x120, 'A', 4096 - 0x120); }
static void lic_binary(u8 *r) { r[0x121] = 1; }
static void slots_out(u8 *r) { r[14] = 0xff; r[2] = 1; }
static void slot_empty(u8 *r) { memset(r + 128, 0, 8); }

static void test_vmi_rejections(void **state)
{
	expect_reject(no_55aa, true, "55 AA");
	expect_reject(zero_len, false, "shorter than the 144-byte");
	expect_reject(bad_sum, false, "checksum");
	expect_reject(no_cvmi, true, "cVmi");
	expect_reject(api2, true, "VMI API 2.0, need major 3");
	expect_reject(pci_zero, true, "PCI header offset 0");
	expect_reject(pci_out, true, "PCI header offset 0xff0");
	expect_reject(pci_nosig, true, "PCIR");
	expect_reject(lic_out, true, "license offset");
	expect_reject(lic_unterminated, true, "not terminated");
	expect_reject(lic_binary, true, "non-printable");
	expect_reject(slot_empty, true, "jump slot is empty");
}

static void test_vmi_bounds(void **state)
{
	char why[96];
	u8 *r = put_vmi_rom(0xdf800);   /* 4 KiB from 0xDF800 runs past 0xE0000 */

	(void)r;
	assert_int_equal(validate(0xdf800, why), -1);
	assert_non_null(strstr(why, "runs past"));
	put_vmi_rom(0xc8000);
	past_end(rom_area + 0x8000);
	assert_int_equal(validate(0xc8000, why), -1);   /* 127.5 KiB from 0xC8000 */
	expect_reject(slots_out, true, "255 jump slots run past");     /* 512-byte ROM */
}

/* ---- detection ---------------------------------------------------------------- */

static void test_bare(void **state)
{
	struct fake_cpu cpu = { false, "" };
	struct detect_result r = probe(&cpu, 0);

	assert_int_equal(r.env, PVENV_BARE);
	assert_string_equal(r.hv_signature, "");
	assert_true(saw("hypervisor bit clear"));
	assert_true(saw("env=bare"));
}

static void test_signatures(void **state)
{
	struct fake_cpu tcg = { true, "TCGTCGTCGTCG" }, kvm = { true, "KVMKVMKVM\0\0\0" },
			vmw = { true, "VMwareVMware" };
	char env[24];

	assert_int_equal(probe(&tcg, 0).env, PVENV_TCG);
	assert_true(saw("signature \"TCGTCGTCGTCG\""));
	assert_int_equal(probe(&kvm, 0).env, PVENV_KVM);
	struct detect_result r = probe(&vmw, 0);
	assert_int_equal(r.env, PVENV_HV_OTHER);
	detect_env_string(r.env, r.hv_signature, env, sizeof(env));
	assert_string_equal(env, "hv:VMwareVMware");
}

static void test_rom_scan(void **state)
{
	struct fake_cpu cpu = { true, "TCGTCGTCGTCG" };
	struct detect_result r;

	put_plain_rom(0xc0000, 64);     /* 32 KiB "VGA BIOS" */
	put_vmi_rom(0xc9000);
	r = probe(&cpu, 0);
	assert_int_equal(r.env, PVENV_VMI);
	assert_int_equal(r.vmi_rom_phys, 0xc9000);
	assert_int_equal(r.vmi_rom_size, 4096);
	assert_int_equal(r.roms_rejected, 1);
	assert_true(saw("ROM at 0xc0000 rejected: no \"cVmi\""));
	assert_true(saw("VMI ROM at 0xc9000"));
}

static void test_rom_scan_bad_vmi(void **state)
{
	struct fake_cpu cpu = { true, "TCGTCGTCGTCG" };
	u8 *rom = put_vmi_rom(0xd0000);
	struct detect_result r;

	rom[13] = 4;                    /* API 4: checksum now wrong too, checked first */
	r = probe(&cpu, 0);
	assert_int_equal(r.env, PVENV_TCG);
	assert_int_equal(r.vmi_rom_phys, 0);
	assert_true(saw("ROM at 0xd0000 rejected: checksum"));
}

static void test_lguest_wins(void **state)
{
	struct fake_cpu cpu = { false, "" };
	struct detect_result r;

	put_vmi_rom(0xc8000);
	r = probe(&cpu, PVBOOT_SUBARCH_LGUEST);
	assert_int_equal(r.env, PVENV_LGUEST);
	assert_int_equal(r.hc_flavour, 1);
}

/* ---- backend choice ------------------------------------------------------------ */

static const u32 NATIVE = 1u << PV_NATIVE, VMI = 1u << PV_VMI, LGUEST = 1u << PV_LGUEST;
static const struct detect_result TCG_ENV = { .env = PVENV_TCG };
static const struct detect_result VMI_ENV = { .env = PVENV_VMI, .vmi_rom_phys = 0xc8000 };
static const struct detect_result LGUEST_ENV = { .env = PVENV_LGUEST, .hc_flavour = 1 };

/* The last line logged is a whole refusal: not cut, and it says what to do next. */
static void assert_whole_refusal(const char *what, const char *todo)
{
	const char *l = warns[nwarn - 1], *end = "; detection decides";

	assert_true(nwarn >= 1 && nwarn <= 32);
	assert_non_null(strstr(l, what));
	assert_non_null(strstr(l, todo));
	assert_true(strlen(l) > strlen(end));
	assert_string_equal(l + strlen(l) - strlen(end), end);
}

/* pv=auto: detection alone decides, and says why in c.reason. */
static void test_choose_auto(void **state)
{
	struct detect_result both = LGUEST_ENV;
	struct backend_choice c;

	detect_choose(&TCG_ENV, PV_AUTO, NATIVE | VMI | LGUEST, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_int_equal(c.requested, PV_AUTO);
	assert_int_equal(c.forced + c.fallback, 0);
	assert_string_equal(c.reason, "no paravirtual interface we speak: native");
	detect_choose(&VMI_ENV, PV_AUTO, NATIVE | VMI, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_VMI);
	assert_int_equal(c.forced + c.fallback, 0);
	both.vmi_rom_phys = 0xc8000;    /* a ROM under a host: lguest still wins */
	detect_choose(&both, PV_AUTO, NATIVE | VMI | LGUEST, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_LGUEST);
	assert_int_equal(nwarn, 0);
}

/* pv=auto on a VMI ROM with a kernel image without the vmi backend. */
static void test_choose_auto_not_in_image(void **state)
{
	struct backend_choice c;

	detect_choose(&VMI_ENV, PV_AUTO, NATIVE, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_int_equal(c.forced, 0);
	assert_int_equal(c.fallback, 1);
	assert_non_null(strstr(c.reason, "no vmi backend"));
	assert_int_equal(nwarn, 1);
	assert_true(saw("pv: vmi environment detected but the kernel has no vmi backend"));
}

/* pv= naming a backend that can run is honoured, silently. */
static void test_choose_forced(void **state)
{
	struct backend_choice c;

	detect_choose(&TCG_ENV, PV_NATIVE, NATIVE, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_int_equal(c.forced, 1);
	assert_int_equal(c.fallback, 0);
	assert_string_equal(c.reason, "forced by pv=native");
	detect_choose(&VMI_ENV, PV_NATIVE, NATIVE | VMI, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);     /* over a ROM detection would take */
	assert_int_equal(c.forced, 1);
	detect_choose(&VMI_ENV, PV_VMI, NATIVE | VMI, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_VMI);
	assert_int_equal(c.forced, 1);
	detect_choose(&LGUEST_ENV, PV_LGUEST, NATIVE | LGUEST, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_LGUEST);
	assert_int_equal(c.forced, 1);
	assert_int_equal(nwarn, 0);
}

/* pv= naming a backend whose environment is missing: one line, then detection. */
static void test_choose_forced_missing(void **state)
{
	struct backend_choice c;

	detect_choose(&TCG_ENV, PV_VMI, NATIVE | VMI, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_int_equal(c.forced, 0);
	assert_int_equal(c.requested, PV_VMI);
	assert_int_equal(c.fallback, 1);
	assert_int_equal(nwarn, 1);
	assert_string_equal(c.reason,
		"pv=vmi refused: looked for a VMI ROM (55 AA + \"cVmi\") in 0xC0000-0xDFFFF: none valid");
	assert_whole_refusal("pv: pv=vmi refused: looked for a VMI ROM", "-option-rom build/vmi.rom");
	/* Detection decides after a refusal: here the host's signature wins. */
	detect_choose(&LGUEST_ENV, PV_VMI, NATIVE | VMI | LGUEST, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_LGUEST);
	assert_int_equal(c.fallback, 1);
	assert_int_equal(nwarn, 2);
	detect_choose(&VMI_ENV, PV_LGUEST, NATIVE | VMI | LGUEST, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_VMI);
	assert_int_equal(c.requested, PV_LGUEST);
	assert_int_equal(c.fallback, 1);
	assert_whole_refusal("pv: pv=lguest refused: looked for the lguest boot signature", "host=lguest");
	assert_non_null(strstr(c.reason, "pv=lguest refused: looked for the lguest boot signature"));
}

/* pv= naming a backend the kernel image was built without. */
static void test_choose_not_in_image(void **state)
{
	struct backend_choice c;

	detect_choose(&TCG_ENV, PV_VMI, NATIVE, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_int_equal(c.fallback, 1);
	assert_string_equal(c.reason, "pv=vmi refused: this kernel image has no such backend");
	assert_whole_refusal("pv: pv=vmi refused: this kernel image has no such backend",
			     "boot a kernel image built with it");
	/* With the ROM there as well: the image is the reason, not the ROM. */
	detect_choose(&VMI_ENV, PV_VMI, NATIVE, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_true(saw("pv: pv=vmi refused: this kernel image has no such backend"));
	assert_true(saw("pv: vmi environment detected but the kernel has no vmi backend"));
	assert_string_equal(c.reason, "pv=vmi refused: this kernel image has no such backend");
}

/* An id no backend has (the parser never makes one; a handed-over value might). */
static void test_choose_unknown(void **state)
{
	struct backend_choice c;

	detect_choose(&VMI_ENV, PV_BACKEND_MAX, NATIVE | VMI, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_VMI);
	assert_int_equal(c.forced, 0);
	assert_int_equal(c.fallback, 1);
	assert_int_equal(c.requested, PV_BACKEND_MAX);
	assert_whole_refusal("pv: pv=4 refused: no backend has that id", "name native, vmi, lguest or auto");
	detect_choose(&TCG_ENV, 0xffffffffu, ~0u, &c, rec_warn, NULL);
	assert_int_equal(c.backend, PV_NATIVE);
	assert_whole_refusal("pv: pv=4294967295 refused: no backend has that id", "auto");
}

static void test_backend_list(void **state)
{
	struct pvboot_backend_list l = { PVBOOT_BACKENDS_MAGIC, 1, 2, 0,
		{ { PV_NATIVE, "native", 0x101000 }, { PV_VMI, "vmi", 0x102000 } } };
	char why[96];

	assert_int_equal(backend_list_mask(&l, why, sizeof(why)), NATIVE | VMI);
	assert_int_equal(backend_list_table(&l, PV_VMI), 0x102000);
	assert_int_equal(backend_list_table(&l, PV_LGUEST), 0);
	l.count = 5;
	assert_int_equal(backend_list_mask(&l, why, sizeof(why)), 0);
	l.count = 2;
	memset(l.entry[1].name, 'x', sizeof(l.entry[1].name));
	assert_int_equal(backend_list_mask(&l, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "entry 1"));
	l.magic = 0;
	assert_int_equal(backend_list_mask(&l, why, sizeof(why)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_vmi_valid, setup),
		cmocka_unit_test_setup(test_vmi_rejections, setup),
		cmocka_unit_test_setup(test_vmi_bounds, setup),
		cmocka_unit_test_setup(test_bare, setup),
		cmocka_unit_test_setup(test_signatures, setup),
		cmocka_unit_test_setup(test_rom_scan, setup),
		cmocka_unit_test_setup(test_rom_scan_bad_vmi, setup),
		cmocka_unit_test_setup(test_lguest_wins, setup),
		cmocka_unit_test_setup(test_choose_auto, setup),
		cmocka_unit_test_setup(test_choose_auto_not_in_image, setup),
		cmocka_unit_test_setup(test_choose_forced, setup),
		cmocka_unit_test_setup(test_choose_forced_missing, setup),
		cmocka_unit_test_setup(test_choose_not_in_image, setup),
		cmocka_unit_test_setup(test_choose_unknown, setup),
		cmocka_unit_test_setup(test_backend_list, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
