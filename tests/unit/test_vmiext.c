/* Unit tests: the vmi backend's checks of a ROM's extension block and relocation info (lib/vmiext.c), with hostile ROMs. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/vmiext.h"

#define COPY_MAX (192 * 1024)

static uint8_t *rom_with_ext(uint32_t len, uint32_t data_size, uint32_t top)
{
	uint8_t *r = calloc(1, len);
	uint32_t v;

	if (len >= VMI_EXT_DATA_SIZE_OFF + 4) {
		v = VMI_EXT_MAGIC;
		memcpy(r + VMI_EXT_MAGIC_OFF, &v, 4);
		v = VMI_EXT_VERSION;
		memcpy(r + VMI_EXT_VERSION_OFF, &v, 4);
		memcpy(r + VMI_EXT_DATA_SIZE_OFF, &data_size, 4);
		memcpy(r + VMI_VIRTUAL_TOP_OFF, &top, 4);
	}
	return r;
}

static void test_ext_valid(void **state)
{
	char why[96];
	struct vmi_ext e;
	uint8_t *r = rom_with_ext(4096, 36864, 0);

	assert_null(vmi_ext_parse(r, 4096, COPY_MAX, &e, why, sizeof(why)));
	assert_int_equal(e.data_size, 36864);
	assert_int_equal(e.virtual_top, 0);
	free(r);
}

/* A ROM shorter than the block: refused without reading past its end
 * (the image is allocated to its exact length: ASan would see it). */
static void test_ext_short_rom(void **state)
{
	char why[96];
	struct vmi_ext e;
	uint8_t *r = calloc(1, 40);

	memcpy(r + VMI_EXT_MAGIC_OFF, "pvbx", 4);
	assert_non_null(strstr(vmi_ext_parse(r, 40, COPY_MAX, &e, why, sizeof(why)), "lacks the pvboot extension block"));
	assert_non_null(strstr(vmi_ext_parse(r, 0, COPY_MAX, &e, why, sizeof(why)), "size"));
	free(r);
}

static void test_ext_hostile_sizes(void **state)
{
	char why[96];
	struct vmi_ext e;
	uint8_t *r = rom_with_ext(4096, 0xffffffffu, 0);

	assert_non_null(strstr(vmi_ext_parse(r, 4096, COPY_MAX, &e, why, sizeof(why)), "more writable memory"));
	free(r);
	r = rom_with_ext(4096, COPY_MAX - 4096 + 1, 0);        /* one byte too many */
	assert_non_null(vmi_ext_parse(r, 4096, COPY_MAX, &e, why, sizeof(why)));
	free(r);
	r = rom_with_ext(4096, 0, 0xfee00000u);                 /* over the APIC */
	assert_non_null(strstr(vmi_ext_parse(r, 4096, COPY_MAX, &e, why, sizeof(why)), "0xfee00000"));
	free(r);
	r = rom_with_ext(0x10001, 0, 0);                        /* 64 KiB + 1 */
	assert_non_null(vmi_ext_parse(r, 0x10001, COPY_MAX, &e, why, sizeof(why)));
	free(r);
}

/* Every required call CALL_REL at base + 16, IRET/SYSEXIT JUMP_REL. */
static void good_info(uint64_t *info, uint32_t base)
{
	memset(info, 0, VMI_NCALLS * 8);
	for (uint32_t i = 0; i < vmi_nrequired_calls; i++)
		info[vmi_required_calls[i]] = (uint64_t)VMI_RELOCATION_CALL_REL << 32 | (base + 16);
	info[VMI_CALL_IRET] = (uint64_t)VMI_RELOCATION_JUMP_REL << 32 | (base + 32);
	info[VMI_CALL_SYSEXIT] = (uint64_t)VMI_RELOCATION_JUMP_REL << 32 | (base + 48);
}

static void test_reloc(void **state)
{
	static uint64_t info[VMI_NCALLS];
	static uint32_t eip[VMI_NCALLS];
	static uint8_t type[VMI_NCALLS];
	char why[96];
	uint32_t base = 0x200000, len = 4096;

	good_info(info, base);
	assert_null(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)));
	assert_int_equal(type[VMI_CALL_IRET], VMI_RELOCATION_JUMP_REL);
	assert_int_equal(eip[VMI_CALL_IRET], base + 32);

	info[5] = (uint64_t)VMI_RELOCATION_CALL_REL << 32 | (base + len);      /* one past the end */
	assert_non_null(strstr(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)), "outside the ROM"));
	info[5] = (uint64_t)VMI_RELOCATION_CALL_REL << 32 | (base - 1);
	assert_non_null(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)));
	info[5] = (uint64_t)VMI_RELOCATION_NOP << 32 | 0xdeadbeef;             /* NOP: any address */
	assert_null(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)));
	info[5] = (uint64_t)4 << 32 | (base + 16);                             /* unknown type */
	assert_non_null(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)));
	info[5] = (uint64_t)0x100 << 32 | (base + 16);                         /* must not truncate to NONE */
	assert_non_null(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)));

	good_info(info, base);
	info[VMI_CALL_SetPxE] = 0;                                              /* required, missing */
	assert_non_null(strstr(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)), "needs"));
	good_info(info, base);
	info[VMI_CALL_IRET] = (uint64_t)VMI_RELOCATION_CALL_REL << 32 | (base + 32);
	assert_non_null(strstr(vmi_reloc_check(info, base, len, eip, type, why, sizeof(why)), "JUMP_REL"));
	/* A ROM at the top of the address space: base + len wraps. */
	good_info(info, 0xfffff000u);
	assert_null(vmi_reloc_check(info, 0xfffff000u, 0x1000, eip, type, why, sizeof(why)));
	info[5] = (uint64_t)VMI_RELOCATION_CALL_REL << 32 | 0x10;
	assert_non_null(vmi_reloc_check(info, 0xfffff000u, 0x1000, eip, type, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ext_valid),
		cmocka_unit_test(test_ext_short_rom),
		cmocka_unit_test(test_ext_hostile_sizes),
		cmocka_unit_test(test_reloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
