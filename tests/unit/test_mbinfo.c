/* Unit tests for lib/mbinfo.c (Multiboot 0.6.96 info -> pvboot_info) and lib/bootinfo.c names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/multiboot.h"

#include "warn_capture.h"

/* Guest memory: 64 KiB image at 0x10000; everything else unreadable. */
#define MEM_BASE 0x10000
#define MEM_SIZE 0x10000
#define MBI_AT   0x10000
#define CMD_AT   0x11000
#define MMAP_AT  0x12000
#define MODS_AT  0x13000
#define STR_AT   0x14000

struct mem {
	struct phys_image img;
	uint8_t *m;
	struct mb_info *mbi;
};

static void mem_init(struct mem *m)
{
	m->m = calloc(1, MEM_SIZE);
	m->img = (struct phys_image){ m->m, MEM_BASE, MEM_SIZE };
	m->mbi = (struct mb_info *)(m->m + (MBI_AT - MEM_BASE));
}

static uint8_t *at(struct mem *m, uint32_t phys)
{
	return m->m + (phys - MEM_BASE);
}

static int convert(struct mem *m, struct pvboot_info *out)
{
	nwarn = 0;
	return mb_to_pvboot(MBI_AT, phys_image_read, &m->img, out, rec_warn, NULL);
}

static void add_mmap(struct mem *m, int i, uint32_t size, uint64_t base,
		     uint64_t len, uint32_t type)
{
	struct mb_mmap_entry e = { size, base, len, type };

	memcpy(at(m, MMAP_AT + i * 24), &e, sizeof(e));
}

static void test_with_mmap(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_MEMORY | MBI_MMAP | MBI_CMDLINE | MBI_LOADER_NAME;
	m.mbi->mem_lower = 639;
	m.mbi->mem_upper = 1000;        /* ignored: the map wins */
	m.mbi->mmap_addr = MMAP_AT;
	m.mbi->mmap_length = 4 * 24;
	add_mmap(&m, 0, 20, 0x100000, 0x7ee0000, 1);
	add_mmap(&m, 1, 20, 0, 0x9fc00, 1);
	add_mmap(&m, 2, 20, 0x9fc00, 0, 2);     /* empty: skipped */
	add_mmap(&m, 3, 20, 0xfffc0000, 0x40000, 7);
	strcpy((char *)at(&m, CMD_AT), "build/pvkernel.elf pv=vmi  smp=2 test");
	m.mbi->cmdline = CMD_AT;
	strcpy((char *)at(&m, STR_AT), "qemu");
	m.mbi->boot_loader_name = STR_AT;
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(info.magic, PVBOOT_INFO_MAGIC);
	assert_int_equal(info.version, PVBOOT_INFO_VERSION);
	assert_int_equal(info.size, sizeof(info));
	assert_int_equal(info.firmware, PVFW_MULTIBOOT);
	assert_string_equal(info.cmdline, "pv=vmi  smp=2 test");
	assert_string_equal(info.loader_name, "qemu");
	assert_int_equal(info.mmap_count, 3);
	assert_int_equal(info.mmap[0].base, 0);     /* sorted */
	assert_int_equal(info.mmap[1].base, 0x100000);
	assert_int_equal(info.mmap[1].type, E820_RAM);
	assert_int_equal(info.mmap[2].type, E820_RESERVED);
	assert_int_equal(info.optsrc_count, 3);
	assert_string_equal(info.optsrc[0].key, "pv");
	assert_string_equal(info.optsrc[2].key, "test");
	assert_int_equal(info.optsrc[1].source, PVSRC_MULTIBOOT);
	assert_int_equal(info.screen.kind, PVSCREEN_VGA_TEXT);
	free(m.m);
}

static void test_without_mmap(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_MEMORY;
	m.mbi->mem_lower = 639;
	m.mbi->mem_upper = 127 * 1024;
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[0].length, 639 * 1024);
	assert_int_equal(info.mmap[1].base, 0x100000);
	assert_int_equal(info.mmap[1].length, 127ull << 20);
	assert_string_equal(info.cmdline, "");
	assert_int_equal(info.optsrc_count, 0);
	m.mbi->mem_lower = 5000;
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap[0].length, 640 * 1024);
	assert_true(saw("mem_lower 5000 KiB above 640"));
	free(m.m);
}

static void test_unreadable(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_CMDLINE | MBI_LOADER_NAME | MBI_MMAP | MBI_MODS;
	m.mbi->cmdline = 0xdead0000u;
	m.mbi->boot_loader_name = 0xfffffff0u;
	m.mbi->mmap_addr = 0x90000;
	m.mbi->mmap_length = 48;
	m.mbi->mods_addr = 0xffffffffu;
	m.mbi->mods_count = 1;
	assert_int_equal(convert(&m, &info), 0);
	assert_string_equal(info.cmdline, "");
	assert_string_equal(info.loader_name, "");
	assert_int_equal(info.mmap_count, 0);
	assert_int_equal(info.mod_count, 0);
	assert_true(saw("multiboot: cmdline at 0xdead0000 unreadable, ignored"));
	assert_true(saw("mmap entry at 0x90000 unreadable"));
	assert_true(saw("module 0 unreadable"));
	/* The MBI itself out of reach. */
	nwarn = 0;
	assert_int_equal(mb_to_pvboot(MEM_BASE + MEM_SIZE - 10, phys_image_read,
				      &m.img, &info, rec_warn, NULL), -1);
	assert_int_equal(info.magic, PVBOOT_INFO_MAGIC);
	assert_true(saw("unreadable"));
	free(m.m);
}

static void test_cmdline_at_memory_end(void **state)
{
	static struct pvboot_info info;
	struct mem m;
	uint32_t cmd = MEM_BASE + MEM_SIZE - 7;

	mem_init(&m);
	m.mbi->flags = MBI_CMDLINE;
	/* NUL-terminated right at the last readable byte: whole. */
	memcpy(at(&m, cmd), "smp=12", 7);
	m.mbi->cmdline = cmd;
	assert_int_equal(convert(&m, &info), 0);
	assert_string_equal(info.cmdline, "smp=12");
	/* Without the NUL it runs into unreadable memory: dropped. */
	*at(&m, cmd + 6) = 'x';
	assert_int_equal(convert(&m, &info), 0);
	assert_string_equal(info.cmdline, "");
	assert_true(saw("unreadable"));
	free(m.m);
}

static void test_cmdline_unterminated_long(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_CMDLINE;
	m.mbi->cmdline = CMD_AT;
	for (int i = 0; i < 4000; i += 5)
		memcpy(at(&m, CMD_AT + i), "test ", 5);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(strlen(info.cmdline), PVBOOT_CMDLINE_MAX - 1);
	assert_string_equal(warns[0], "multiboot: cmdline longer than 1023 "
			    "bytes, truncated");
	assert_int_equal(info.optsrc_count, 2);         /* "test" and the cut "tes" */
	/* Exactly 1023 characters then NUL: whole, no warning. */
	*at(&m, CMD_AT + 1023) = '\0';
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(nwarn, 0);
	free(m.m);
}

static void test_mmap_absurd_length(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_MMAP;
	m.mbi->mmap_addr = MMAP_AT;
	m.mbi->mmap_length = 0xffffffffu;
	for (int i = 0; i < 200; i++)
		add_mmap(&m, i, 20, (uint64_t)i << 20, 1 << 20, 1);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap_count, PVBOOT_MMAP_MAX);
	assert_true(saw("mmap_length 4294967295 absurd"));
	assert_true(saw("more than 128 mmap entries, rest dropped"));
	/* An entry wrapping past 2^64 is clamped. */
	m.mbi->mmap_length = 24;
	add_mmap(&m, 0, 20, 0xfffffffffffff000ull, 0x10000, 2);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap[0].length, 0x1000);
	free(m.m);
}

static void test_mmap_entry_size_zero(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_MMAP | MBI_MEMORY;
	m.mbi->mem_lower = 600;
	m.mbi->mmap_addr = MMAP_AT;
	m.mbi->mmap_length = 3 * 24;
	add_mmap(&m, 0, 20, 0, 0x9fc00, 1);
	add_mmap(&m, 1, 0, 0x100000, 0x1000000, 1);     /* size 0 */
	add_mmap(&m, 2, 20, 0x2000000, 0x1000000, 1);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap_count, 1);
	assert_true(saw("mmap entry at +24 has size 0, map cut short"));
	/* Size 0 first: no map at all, mem_lower is used instead. */
	add_mmap(&m, 0, 0, 0, 0x9fc00, 1);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap_count, 1);
	assert_int_equal(info.mmap[0].length, 600 * 1024);
	/* Bigger entries (size 28) are stepped over by their size. */
	m.mbi->mmap_length = 2 * 32;
	struct mb_mmap_entry e = { 28, 0x5000000, 0x1000, 3 };
	memcpy(at(&m, MMAP_AT), &e, sizeof(e));
	e.addr = 0x6000000;
	memcpy(at(&m, MMAP_AT + 32), &e, sizeof(e));
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mmap_count, 2);
	assert_int_equal(info.mmap[1].base, 0x6000000);
	assert_int_equal(info.mmap[1].type, E820_ACPI);
	free(m.m);
}

static void test_modules_capped(void **state)
{
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_MODS;
	m.mbi->mods_addr = MODS_AT;
	m.mbi->mods_count = 10;
	for (int i = 0; i < 10; i++) {
		struct mb_module mod = { 0x200000 + i * 0x10000,
					 0x200000 + i * 0x10000 + 100,
					 STR_AT + i * 0x100, 0 };
		memcpy(at(&m, MODS_AT + i * 16), &mod, 16);
		snprintf((char *)at(&m, STR_AT + i * 0x100), 0x100,
			 "guest.img %d smp=2 this string is longer than fifty-six "
			 "characters", i);
	}
	/* Module 1: end before start; module 2: name unreadable. */
	uint32_t bad_end = 5;
	memcpy(at(&m, MODS_AT + 16 + 4), &bad_end, 4);
	uint32_t bad_str = 0x90000;
	memcpy(at(&m, MODS_AT + 32 + 8), &bad_str, 4);
	assert_int_equal(convert(&m, &info), 0);
	assert_int_equal(info.mod_count, 3);
	assert_int_equal(info.mods[0].start, 0x200000);
	assert_int_equal(info.mods[0].end, 0x200064);
	assert_int_equal(strlen(info.mods[0].cmdline), 55);
	assert_memory_equal(info.mods[0].cmdline, "guest.img 0 smp=2", 17);
	assert_string_equal(info.mods[1].cmdline, "");
	assert_int_equal(info.mods[2].start, 0x230000);
	assert_true(saw("multiboot: 10 modules, only the first 4 used"));
	assert_true(saw("module 1 ends (0x5) before it starts"));
	free(m.m);
}

static void test_image_name_heuristic(void **state)
{
	static const char *const cases[][2] = {
		{ "pvkernel.elf test", "test" },
		{ "/boot/pvkernel   smp=1", "smp=1" },
		{ "test bench", "test bench" },
		{ "guest.smp=1 test", "guest.smp=1 test" },
		{ "  build/pvkernel.elf", "" },
		{ "", "" },
	};
	static struct pvboot_info info;
	struct mem m;

	mem_init(&m);
	m.mbi->flags = MBI_CMDLINE;
	m.mbi->cmdline = CMD_AT;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		strcpy((char *)at(&m, CMD_AT), cases[i][0]);
		assert_int_equal(convert(&m, &info), 0);
		assert_string_equal(info.cmdline, cases[i][1]);
	}
	free(m.m);
}

static void test_optsrc(void **state)
{
	static struct pvboot_info info;
	char *p = info.cmdline;

	memset(&info, 0, sizeof(info));
	strcpy(p, "smp=2 averyveryverylongoptionname=1 pv=vmi smp=4 =bad "
	       "x=\"unterminated");
	pvboot_set_optsrc_all(&info, PVSRC_FWCFG);
	assert_int_equal(info.optsrc_count, 3);
	assert_string_equal(info.optsrc[0].key, "smp");
	assert_string_equal(info.optsrc[1].key, "averyveryveryl");
	assert_int_equal(info.optsrc[2].source, PVSRC_FWCFG);
	/* Many distinct keys: capped. */
	p[0] = '\0';
	for (int i = 0; i < 60; i++)
		sprintf(p + strlen(p), "k%d ", i);
	pvboot_set_optsrc_all(&info, PVSRC_CONFIG);
	assert_int_equal(info.optsrc_count, PVBOOT_OPTSRC_MAX);
	/* cmdline filled to the brim without a NUL: bounded. */
	memset(p, 'a', sizeof(info.cmdline));
	pvboot_set_optsrc_all(&info, PVSRC_CONFIG);
	assert_int_equal(info.optsrc_count, 1);
}

static void test_names(void **state)
{
	assert_string_equal(pvboot_firmware_name(PVFW_BIOS), "bios");
	assert_string_equal(pvboot_firmware_name(PVFW_UEFI64), "uefi64");
	assert_string_equal(pvboot_firmware_name(PVFW_UEFI32), "uefi32");
	assert_string_equal(pvboot_firmware_name(PVFW_MULTIBOOT), "multiboot");
	assert_string_equal(pvboot_firmware_name(PVFW_LGUEST), "lguest");
	assert_string_equal(pvboot_firmware_name(PVFW_UNKNOWN), "unknown");
	assert_string_equal(pvboot_firmware_name(99), "unknown");
	assert_string_equal(pv_backend_name(PV_AUTO), "auto");
	assert_string_equal(pv_backend_name(PV_NATIVE), "native");
	assert_string_equal(pv_backend_name(PV_VMI), "vmi");
	assert_string_equal(pv_backend_name(PV_LGUEST), "lguest");
	assert_string_equal(pv_backend_name(PV_BACKEND_MAX), "unknown");
	assert_string_equal(pv_env_name(PVENV_BARE), "bare");
	assert_string_equal(pv_env_name(PVENV_TCG), "tcg");
	assert_string_equal(pv_env_name(PVENV_VMI), "vmi");
	assert_string_equal(pv_env_name(PVENV_KVM), "kvm");
	assert_string_equal(pv_env_name(PVENV_LGUEST), "lguest");
	assert_string_equal(pv_env_name(PVENV_HV_OTHER), "hv");
	assert_string_equal(pv_env_name(0xffffffffu), "unknown");
	static const char *const src[] = { "default", "config", "fw_cfg",
		"uefi", "prompt", "multiboot", "host" };
	for (uint32_t i = 0; i < 7; i++)
		assert_string_equal(pv_source_name(i), src[i]);
	assert_string_equal(pv_source_name(7), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_with_mmap),
		cmocka_unit_test(test_without_mmap),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_cmdline_at_memory_end),
		cmocka_unit_test(test_cmdline_unterminated_long),
		cmocka_unit_test(test_mmap_absurd_length),
		cmocka_unit_test(test_mmap_entry_size_zero),
		cmocka_unit_test(test_modules_capped),
		cmocka_unit_test(test_image_name_heuristic),
		cmocka_unit_test(test_optsrc),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
