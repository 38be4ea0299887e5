/* Unit tests for lib/mptable.c: MP spec 1.4 floating pointer, configuration table and default configurations. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "pvboot/acpi.h"

#include "warn_capture.h"
#include "image_build.h"

static void mpc_begin(struct buf *t)
{
	uint8_t h[44] = { 'P', 'C', 'M', 'P' };

	h[6] = 4;
	memcpy(h + 8, "PVBOOT  ", 8);
	put32(h + 36, 0xfee00000u);
	t->len = 0;
	put(t, h, 44);
	t->count = 0;
}

static void mpc_finish(struct buf *t)
{
	t->b[4] = t->len & 0xff;
	t->b[5] = t->len >> 8;
	memcpy(t->b + 34, &t->count, 2);
	t->b[7] = 0;
	t->b[7] = (uint8_t)-acpi_checksum(t->b, t->len);
}

static void cpu(struct buf *t, uint8_t id, uint8_t flags)
{
	uint8_t e[20] = { 0, id, 0x14, flags };

	put32(e + 4, 0x600);
	put(t, e, 20);
}

static void bus(struct buf *t, uint8_t id, const char *type)
{
	uint8_t e[8] = { 1, id };

	memcpy(e + 2, type, 6);
	put(t, e, 8);
}

static void ioapic(struct buf *t, uint8_t id, uint8_t flags, uint32_t addr)
{
	uint8_t e[8] = { 2, id, 0x11, flags };

	put32(e + 4, addr);
	put(t, e, 8);
}

static void ioint(struct buf *t, uint8_t bus_id, uint8_t irq, uint8_t apic,
		  uint8_t pin, uint16_t flags)
{
	uint8_t e[8] = { 3, 0, 0, 0, bus_id, irq, apic, pin };

	memcpy(e + 2, &flags, 2);
	put(t, e, 8);
}

/* 4 processors (id 0 BSP, id 2 disabled), ISA + PCI bus, one IO-APIC. */
static void valid_mpc(struct buf *t)
{
	static const uint8_t lint[8] = { 4, 3, 0, 0, 0, 0, 0xff, 0 };

	mpc_begin(t);
	cpu(t, 0, 3);
	cpu(t, 1, 1);
	cpu(t, 2, 0);
	cpu(t, 3, 1);
	bus(t, 0, "PCI   ");
	bus(t, 1, "ISA   ");
	ioapic(t, 4, 1, 0xfec00000u);
	ioapic(t, 5, 0, 0xfec01000u);   /* disabled: left out */
	ioint(t, 1, 0, 4, 2, 0);        /* IRQ0 -> pin 2: override */
	ioint(t, 1, 1, 4, 1, 0);        /* identity: no override */
	ioint(t, 1, 9, 4, 9, 0xf);      /* level, active low: override */
	ioint(t, 0, 0x10, 4, 16, 0xf);  /* PCI: not an ISA override */
	put(t, lint, 8);
	mpc_finish(t);
}

static void test_config_valid(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_mpc(&t);
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.source, SMP_SRC_MPTABLE);
	assert_int_equal(c.lapic_addr, 0xfee00000u);
	assert_int_equal(c.ncpus, 4);
	assert_int_equal(c.cpu[0].bsp, 1);
	assert_int_equal(c.cpu[1].bsp, 0);
	assert_int_equal(c.cpu[2].enabled, 0);
	assert_int_equal(c.cpu[3].enabled, 1);
	assert_int_equal(c.cpu[3].acpi_id, 3);
	assert_int_equal(c.nioapic, 1);
	assert_int_equal(c.ioapic[0].id, 4);
	assert_int_equal(c.noverride, 2);
	assert_int_equal(c.ovr[0].src_irq, 0);
	assert_int_equal(c.ovr[0].gsi, 2);
	assert_int_equal(c.ovr[1].src_irq, 9);
	assert_int_equal(c.ovr[1].flags, 0xf);
	assert_true(c.pic_present);
}

static void test_config_bad_checksum(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_mpc(&t);
	t.b[7] += 0x21;
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), -1);
	assert_string_equal(warns[0], "mptable: configuration table checksum "
			    "bad (sum 0x21), skipped");
	assert_int_equal(c.ncpus, 0);
}

static void test_config_truncated(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_mpc(&t);
	for (uint32_t n = 0; n < t.len; n++) {
		uint8_t *p = malloc(n ? n : 1);

		memcpy(p, t.b, n);
		nwarn = 0;
		assert_int_equal(mptable_parse_config(p, n, &c, rec_warn, NULL), -1);
		assert_int_equal(nwarn, 1);
		free(p);
	}
	assert_true(saw("truncated"));
}

static void test_config_bad_entries(void **state)
{
	static struct buf t;
	static struct smp_config c;
	static const uint8_t weird[8] = { 0x80, 0, 0, 0 };

	/* An unknown entry type ends the walk (its size is unknowable). */
	mpc_begin(&t);
	cpu(&t, 0, 3);
	put(&t, weird, 8);
	cpu(&t, 1, 1);
	mpc_finish(&t);
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 1);
	assert_true(saw("has an unknown type, walk stopped"));

	/* A processor entry cut short by the base table length. */
	mpc_begin(&t);
	cpu(&t, 0, 3);
	cpu(&t, 1, 1);
	t.len -= 4;
	mpc_finish(&t);
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 1);
	assert_true(saw("runs past the table end"));

	/* The entry count claims more than the table holds. */
	mpc_begin(&t);
	cpu(&t, 0, 3);
	t.count = 65535;
	mpc_finish(&t);
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_true(saw("header lists 65535 entries, table holds 1"));
}

static void test_config_absurd_counts(void **state)
{
	static struct buf t;
	static struct smp_config c;

	mpc_begin(&t);
	for (int i = 0; i < 150; i++)   /* 150 * 20 bytes: ids 0..149 */
		cpu(&t, (uint8_t)i, 1);
	for (int i = 0; i < 12; i++)
		ioapic(&t, (uint8_t)(200 + i), 1, 0xfec00000u);
	mpc_finish(&t);
	nwarn = 0;
	assert_int_equal(mptable_parse_config(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 150);
	assert_int_equal(c.nioapic, SMP_MAX_IOAPICS);
	assert_true(saw("4 IO-APICs beyond the 8 supported ignored"));
}

/* ---- floating pointer search over a memory image -------------------------- */

static void put_mpf(struct mem *m, uint32_t at, uint32_t cfg, uint8_t feature1)
{
	uint8_t *f = m->m + at;

	memset(f, 0, 16);
	memcpy(f, "_MP_", 4);
	put32(f + 4, cfg);
	f[8] = 1;
	f[9] = 4;
	f[11] = feature1;
	f[10] = (uint8_t)-acpi_checksum(f, 16);
}

static void test_find_valid(void **state)
{
	static struct buf t;
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	valid_mpc(&t);
	memcpy(m.m + 0x9fd00, t.b, t.len);
	put_mpf(&m, 0xf6a40, 0x9fd00, 0);
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.ncpus, 4);
	assert_int_equal(c.cpu[0].bsp, 1);
	free(m.m);
}

static void test_find_in_ebda_and_base_memory(void **state)
{
	static struct buf t;
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	valid_mpc(&t);
	memcpy(m.m + 0x90000, t.b, t.len);
	/* Base memory says 512 KiB: its last KiB is 0x7fc00. */
	m.m[0x413] = 0x00;
	m.m[0x414] = 0x02;
	put_mpf(&m, 0x7fc10, 0x90000, 0);
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						NULL, NULL), 0);
	/* The EBDA (segment at 0x40E) is searched first. */
	m.m[0x40e] = 0x00;
	m.m[0x40f] = 0x98;
	put_mpf(&m, 0x98000, 0, 6);
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						NULL, NULL), 0);
	assert_int_equal(c.ncpus, 2);   /* the default configuration won */
	free(m.m);
}

static void test_find_bad_checksum(void **state)
{
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	put_mpf(&m, 0xf0000, 0x9fd00, 0);
	m.m[0xf000a] += 0x55;
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), -1);
	assert_true(saw("floating pointer at 0xf0000: length 1, checksum 0x55"));
	free(m.m);
}

static void test_find_warnings_bounded(void **state)
{
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	for (uint32_t a = 0xf0000; a < 0x100000; a += 16)
		memcpy(m.m + a, "_MP_", 4);
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), -1);
	assert_int_equal(nwarn, 5);
	assert_true(saw("mptable: 4092 more bad floating pointers not shown"));
	free(m.m);
}

static void test_find_default_config(void **state)
{
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	put_mpf(&m, 0xfffe0, 0, 5);
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(c.cpu[0].apic_id, 0);
	assert_int_equal(c.cpu[0].bsp, 1);
	assert_int_equal(c.cpu[1].apic_id, 1);
	assert_int_equal(c.nioapic, 1);
	assert_int_equal(c.ioapic[0].addr, 0xfec00000u);
	assert_int_equal(c.lapic_addr, 0xfee00000u);
	assert_int_equal(c.noverride, 1);
	put_mpf(&m, 0xfffe0, 0, 9);
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), -1);
	assert_true(saw("default configuration 9 undefined"));
	free(m.m);
}

static void test_find_config_unreadable_or_truncated(void **state)
{
	static struct buf t;
	static struct smp_config c;
	struct mem m;

	mem_init(&m);
	put_mpf(&m, 0xf0000, 0xfee00000u, 0);   /* outside the image */
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), -1);
	assert_true(saw("unreadable"));
	/* A table running past the end of readable memory. */
	valid_mpc(&t);
	memcpy(m.m + MEM_SIZE - 100, t.b, 100);
	put_mpf(&m, 0xf0000, MEM_SIZE - 100, 0);
	nwarn = 0;
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						rec_warn, NULL), -1);
	assert_true(saw("unreadable"));
	put_mpf(&m, 0xf0000, 0, 0);
	assert_int_equal(mptable_find_and_parse(phys_image_read, &m.img, &c,
						NULL, NULL), -1);
	assert_int_equal(mptable_find_and_parse(fail_read, NULL, &c, NULL, NULL), -1);
	free(m.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_valid),
		cmocka_unit_test(test_config_bad_checksum),
		cmocka_unit_test(test_config_truncated),
		cmocka_unit_test(test_config_bad_entries),
		cmocka_unit_test(test_config_absurd_counts),
		cmocka_unit_test(test_find_valid),
		cmocka_unit_test(test_find_in_ebda_and_base_memory),
		cmocka_unit_test(test_find_bad_checksum),
		cmocka_unit_test(test_find_warnings_bounded),
		cmocka_unit_test(test_find_default_config),
		cmocka_unit_test(test_find_config_unreadable_or_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
