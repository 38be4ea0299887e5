/* Unit tests for lib/acpi.c: RSDP search, RSDT/XSDT and MADT parsing (ACPI 6.x §5.2) on built byte images. */
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

/* ---- image builders ------------------------------------------------------- */

static void sdt_header(struct buf *t, const char *sig)
{
	uint8_t h[36] = { 0 };

	memcpy(h, sig, 4);
	h[8] = 1;
	memcpy(h + 10, "PVBOOT", 6);
	t->len = 0;
	put(t, h, 36);
}

static void sdt_finish(struct buf *t)
{
	put32(t->b + 4, t->len);
	t->b[9] = 0;
	t->b[9] = (uint8_t)-acpi_checksum(t->b, t->len);
}

static void madt_begin(struct buf *t)
{
	uint8_t f[8] = { 0 };

	sdt_header(t, "APIC");
	put32(f, 0xfee00000u);
	put32(f + 4, 1);                /* PCAT_COMPAT */
	put(t, f, 8);
}

static void lapic(struct buf *t, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[8] = { 0, 8, uid, id };

	put32(e + 4, flags);
	put(t, e, 8);
}

static void ioapic(struct buf *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
	uint8_t e[12] = { 1, 12, id, 0 };

	put32(e + 4, addr);
	put32(e + 8, gsi);
	put(t, e, 12);
}

static void iso(struct buf *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
	uint8_t e[10] = { 2, 10, 0, irq };

	put32(e + 4, gsi);
	memcpy(e + 8, &flags, 2);
	put(t, e, 10);
}

static void x2apic(struct buf *t, uint32_t id, uint32_t flags, uint32_t uid)
{
	uint8_t e[16] = { 9, 16 };

	put32(e + 4, id);
	put32(e + 8, flags);
	put32(e + 12, uid);
	put(t, e, 16);
}

/* 4 CPUs (APIC id 2 disabled, id 3 online-capable), 1 IO-APIC, 2 overrides, 1 NMI. */
static void valid_madt(struct buf *t)
{
	static const uint8_t nmi[6] = { 4, 6, 0xff, 5, 0, 1 };

	madt_begin(t);
	lapic(t, 0, 0, 1);
	lapic(t, 1, 1, 1);
	lapic(t, 2, 2, 0);
	lapic(t, 3, 3, 2);
	ioapic(t, 4, 0xfec00000u, 0);
	iso(t, 0, 2, 0);
	iso(t, 9, 9, 0xd);
	put(t, nmi, 6);
	sdt_finish(t);
}

/* ---- madt_parse ----------------------------------------------------------- */

static void test_checksum(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 0xfa };

	assert_int_equal(acpi_checksum(b, 4), 0);
	assert_int_equal(acpi_checksum(b, 3), 6);
	assert_int_equal(acpi_checksum(b, 0), 0);
}

static void test_madt_valid(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_madt(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.source, SMP_SRC_ACPI);
	assert_int_equal(c.lapic_addr, 0xfee00000u);
	assert_true(c.pic_present);
	assert_int_equal(c.ncpus, 4);
	assert_int_equal(c.cpu[2].apic_id, 2);
	assert_int_equal(c.cpu[2].enabled, 0);
	assert_int_equal(c.cpu[3].enabled, 1);
	assert_int_equal(c.cpu[0].enabled, 1);
	assert_int_equal(c.nioapic, 1);
	assert_int_equal(c.ioapic[0].id, 4);
	assert_int_equal(c.ioapic[0].addr, 0xfec00000u);
	assert_int_equal(c.noverride, 2);
	assert_int_equal(c.ovr[0].src_irq, 0);
	assert_int_equal(c.ovr[0].gsi, 2);
	assert_int_equal(c.ovr[1].src_irq, 9);
	assert_int_equal(c.ovr[1].flags, 0xd);
}

static void test_madt_truncated(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_madt(&t);
	for (uint32_t n = 0; n < t.len; n++) {
		/* Exact-size heap copy so ASan sees any read past n. */
		uint8_t *p = malloc(n ? n : 1);

		memcpy(p, t.b, n);
		nwarn = 0;
		assert_int_equal(madt_parse(p, n, &c, rec_warn, NULL), -1);
		assert_int_equal(nwarn, 1);
		assert_int_equal(c.ncpus, 0);
		free(p);
	}
	assert_true(saw("MADT truncated (113 of 114 bytes), table skipped"));
}

static void test_madt_bad_entry_len(void **state)
{
	static struct buf t;
	static struct smp_config c;
	static const uint8_t zero[2] = { 0, 0 }, one[2] = { 1, 1 };

	for (int k = 0; k < 2; k++) {
		madt_begin(&t);
		lapic(&t, 0, 0, 1);
		put(&t, k ? one : zero, 2);     /* would loop forever if followed */
		lapic(&t, 1, 1, 1);
		sdt_finish(&t);
		nwarn = 0;
		assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
		assert_int_equal(c.ncpus, 1);
		assert_true(saw(k ? "has length 1" : "has length 0"));
		assert_true(saw("walk stopped"));
	}
}

static void test_madt_entry_past_end(void **state)
{
	static struct buf t;
	static struct smp_config c;
	static const uint8_t big[4] = { 1, 200, 0, 0 };

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	put(&t, big, 4);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.nioapic, 0);
	assert_true(saw("has length 200 of 4 left, walk stopped"));

	/* A single dangling byte after the last entry. */
	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	put(&t, big, 1);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_true(saw("truncated header"));
}

static void test_madt_short_entries(void **state)
{
	static struct buf t;
	static struct smp_config c;
	static const uint8_t short_lapic[4] = { 0, 4, 1, 1 };
	static const uint8_t short_x2[8] = { 9, 8 };

	madt_begin(&t);
	lapic(&t, 0, 0, 1);
	put(&t, short_lapic, 4);
	put(&t, short_x2, 8);
	lapic(&t, 2, 2, 1);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(nwarn, 2);
	assert_true(saw("(type 0) too short (4 bytes), skipped"));
}

static void test_madt_bad_checksum(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_madt(&t);
	t.b[9] += 0x3c;
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), -1);
	assert_int_equal(nwarn, 1);
	assert_string_equal(warns[0],
			    "acpi: MADT checksum bad (sum 0x3c), table skipped");
	assert_int_equal(c.ncpus, 0);
}

static void test_madt_bad_header(void **state)
{
	static struct buf t;
	static struct smp_config c;

	valid_madt(&t);
	t.b[0] = 'X';
	assert_int_equal(madt_parse(t.b, t.len, &c, NULL, NULL), -1);
	valid_madt(&t);
	put32(t.b + 4, 20);             /* length shorter than the header */
	assert_int_equal(madt_parse(t.b, t.len, &c, NULL, NULL), -1);
	valid_madt(&t);
	put32(t.b + 4, 0xffffffffu);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), -1);
	assert_int_equal(nwarn, 1);
}

static void test_madt_absurd_counts(void **state)
{
	static struct buf t;
	static struct smp_config c;

	madt_begin(&t);
	for (int i = 0; i < 300; i++)
		lapic(&t, (uint8_t)i, (uint8_t)i, 1);
	for (int i = 0; i < 20; i++)
		ioapic(&t, (uint8_t)i, 0xfec00000u + i * 0x1000, i * 24);
	for (int i = 0; i < 30; i++)
		iso(&t, (uint8_t)i, i, 0);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 255);         /* ids 0..254; 255 is broadcast */
	assert_int_equal(c.nioapic, SMP_MAX_IOAPICS);
	assert_int_equal(c.noverride, SMP_MAX_OVERRIDES);
	assert_true(nwarn <= 16);               /* rate-limited */
	assert_true(saw("12 IO-APICs beyond the 8 supported ignored"));
	assert_true(saw("6 interrupt overrides beyond"));
	assert_true(saw("more warnings suppressed"));
}

static void test_madt_x2apic_and_lapic_override(void **state)
{
	static struct buf t;
	static struct smp_config c;
	uint8_t ovr[12] = { 5, 12 };
	uint64_t a = 0xfee10000u;

	madt_begin(&t);
	x2apic(&t, 0, 1, 0);
	x2apic(&t, 7, 1, 7);
	x2apic(&t, 300, 1, 300);        /* not addressable without x2APIC mode */
	lapic(&t, 9, 7, 1);             /* duplicate of the x2APIC id 7 */
	memcpy(ovr + 4, &a, 8);
	put(&t, ovr, 12);
	a = 0x100000000ull;
	memcpy(ovr + 4, &a, 8);
	put(&t, ovr, 12);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(c.cpu[1].apic_id, 7);
	assert_int_equal(c.lapic_addr, 0xfee10000u);
	assert_true(saw("APIC id 300 not addressable"));
	assert_true(saw("APIC id 7 listed twice"));
	assert_true(saw("above 4 GiB ignored"));
}

static void test_madt_no_enabled_cpu(void **state)
{
	static struct buf t;
	static struct smp_config c;

	madt_begin(&t);
	lapic(&t, 0, 0, 0);
	sdt_finish(&t);
	nwarn = 0;
	assert_int_equal(madt_parse(t.b, t.len, &c, rec_warn, NULL), -1);
	assert_true(saw("no usable CPU"));
}

/* ---- memory images: RSDP search and the table chain ------------------------ */

#define EBDA 0x9fc00
#define RSDT_AT 0x80000
#define XSDT_AT 0x81000
#define MADT_AT 0x82000
#define MADT2_AT 0x84000

static void place(struct mem *m, uint32_t at, const struct buf *t)
{
	memcpy(m->m + at, t->b, t->len);
}

/* RSDP revision rev at `at`, pointing at RSDT_AT and (rev >= 2) XSDT_AT. */
static void put_rsdp(struct mem *m, uint32_t at, int rev)
{
	uint8_t *r = m->m + at;
	uint64_t x = XSDT_AT;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "PVBOOT", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, RSDT_AT);
	r[8] = (uint8_t)-acpi_checksum(r, 20);
	if (rev >= 2) {
		put32(r + 20, 36);
		memcpy(r + 24, &x, 8);
		r[32] = (uint8_t)-acpi_checksum(r, 36);
	}
}

/* An RSDT (esize 4) or XSDT (esize 8) listing the given tables. */
static void put_sdt(struct mem *m, uint32_t at, const char *sig, int esize,
		    const uint32_t *tables, int n)
{
	static struct buf t;

	sdt_header(&t, sig);
	for (int i = 0; i < n; i++) {
		uint64_t v = tables[i];

		put(&t, &v, esize);
	}
	sdt_finish(&t);
	place(m, at, &t);
}

static void put_fadt(struct mem *m, uint32_t at)
{
	static struct buf t;

	sdt_header(&t, "FACP");
	sdt_finish(&t);
	place(m, at, &t);
}

static void test_rsdp_in_ebda(void **state)
{
	struct mem m;

	mem_init(&m);
	m.m[0x40e] = EBDA >> 4 & 0xff;
	m.m[0x40f] = EBDA >> 12;
	put_rsdp(&m, EBDA + 0x30, 0);
	put_rsdp(&m, 0xf0000, 0);       /* the EBDA is searched first */
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), EBDA + 0x30);
	free(m.m);
}

static void test_rsdp_in_bios_area(void **state)
{
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xf5a50, 2);
	nwarn = 0;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, rec_warn, NULL), 0xf5a50);
	assert_int_equal(nwarn, 0);
	/* Not on a 16-byte boundary: not found. */
	memmove(m.m + 0xf5a58, m.m + 0xf5a50, 36);
	memset(m.m + 0xf5a50, 0, 8);
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), 0);
	free(m.m);
}

static void test_rsdp_bad_checksums(void **state)
{
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xe0000, 0);
	m.m[0xe0000 + 8] ^= 1;          /* v1 checksum */
	put_rsdp(&m, 0xe1000, 2);
	m.m[0xe1000 + 32] ^= 1;         /* v2 extended checksum only */
	put_rsdp(&m, 0xe2000, 2);
	put32(m.m + 0xe2000 + 20, 0x7fffffff);  /* absurd length */
	m.m[0xe2000 + 8] = 0;
	m.m[0xe2000 + 8] = (uint8_t)-acpi_checksum(m.m + 0xe2000, 20);
	put_rsdp(&m, 0xfff00, 2);       /* the good one, last */
	nwarn = 0;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, rec_warn, NULL), 0xfff00);
	assert_int_equal(nwarn, 3);
	assert_true(saw("RSDP at 0xe0000: checksum bad"));
	assert_true(saw("RSDP at 0xe1000: extended checksum bad, skipped"));
	assert_true(saw("RSDP at 0xe2000: length out of range"));
	free(m.m);
}

static void test_rsdp_scan_warnings_bounded(void **state)
{
	struct mem m;

	mem_init(&m);
	for (uint32_t a = 0xe0000; a < 0x100000; a += 16)
		memcpy(m.m + a, "RSD PTR ", 8);         /* all checksums bad */
	nwarn = 0;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, rec_warn, NULL), 0);
	assert_int_equal(nwarn, 5);
	assert_true(saw("acpi: 8187 more bad RSDP candidates not shown"));
	free(m.m);
}

static void test_rsdp_failing_reader(void **state)
{
	static struct smp_config c;

	assert_int_equal(acpi_find_rsdp(fail_read, NULL, NULL, NULL), 0);
	nwarn = 0;
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, fail_read, NULL, &c,
						   rec_warn, NULL), -1);
	assert_true(saw("unreadable"));
}

/* phys_scan16 reads blocks: a block that cannot be read whole (here one
 * 16-byte hole inside it) is probed boundary by boundary, so a valid RSDP
 * right after the hole, in the same block, is still found. */
static void test_rsdp_scan_unreadable_block(void **state)
{
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xe0110, 0);
	m.fail_lo = 0xe0100;
	m.fail_hi = 0xe0110;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), 0xe0110);
	/* The hole over the RSDP itself: not found, no crash. */
	m.fail_lo = 0xe0110;
	m.fail_hi = 0xe0111;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), 0);
	free(m.m);
}

/* Candidates at the last boundary of a block and of the area. */
static void test_rsdp_scan_block_edges(void **state)
{
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xe00f0, 0);       /* last boundary of the first 256-byte block */
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), 0xe00f0);
	memset(m.m + 0xe00f0, 0, 36);
	/* An RSDP (20 bytes) at 0xfffd0 fits; at 0xffff0 it would not. */
	put_rsdp(&m, 0xfffd0, 0);
	assert_int_equal(acpi_find_rsdp(mem_read, &m, NULL, NULL), 0xfffd0);
	memset(m.m + 0xfffd0, 0, 36);
	memcpy(m.m + 0xffff0, "RSD PTR ", 8);
	nwarn = 0;
	assert_int_equal(acpi_find_rsdp(mem_read, &m, rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);     /* not even looked at */
	free(m.m);
}

static void test_chain_rsdt(void **state)
{
	static struct buf t;
	static struct smp_config c;
	uint32_t tabs[] = { 0x83000, MADT_AT };
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xf0000, 0);
	put_fadt(&m, 0x83000);
	put_sdt(&m, RSDT_AT, "RSDT", 4, tabs, 2);
	valid_madt(&t);
	place(&m, MADT_AT, &t);
	nwarn = 0;
	uint64_t r = acpi_find_rsdp(mem_read, &m, rec_warn, NULL);
	assert_int_equal(r, 0xf0000);
	assert_int_equal(acpi_parse_madt_from_rsdp(r, mem_read, &m, &c,
						   rec_warn, NULL), 0);
	assert_int_equal(nwarn, 0);
	assert_int_equal(c.ncpus, 4);
	free(m.m);
}

static void test_chain_xsdt_preferred(void **state)
{
	static struct buf t;
	static struct smp_config c;
	uint32_t rt[] = { MADT_AT }, xt[] = { MADT2_AT };
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xf0000, 2);
	put_sdt(&m, RSDT_AT, "RSDT", 4, rt, 1);
	put_sdt(&m, XSDT_AT, "XSDT", 8, xt, 1);
	valid_madt(&t);                 /* 4 CPUs via the RSDT */
	place(&m, MADT_AT, &t);
	madt_begin(&t);                 /* 2 CPUs via the XSDT */
	lapic(&t, 0, 0, 1);
	lapic(&t, 1, 5, 1);
	sdt_finish(&t);
	place(&m, MADT2_AT, &t);
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, mem_read, &m, &c,
						   NULL, NULL), 0);
	assert_int_equal(c.ncpus, 2);
	assert_int_equal(c.cpu[1].apic_id, 5);

	/* A broken XSDT falls back to the RSDT, with a warning. */
	m.m[XSDT_AT + 9] ^= 0x10;
	nwarn = 0;
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, mem_read, &m, &c,
						   rec_warn, NULL), 0);
	assert_int_equal(c.ncpus, 4);
	assert_string_equal(warns[0], "acpi: XSDT checksum bad (sum 0x10), "
			    "table skipped");
	free(m.m);
}

static void test_chain_bad_madt(void **state)
{
	static struct buf t;
	static struct smp_config c;
	uint32_t tabs[] = { MADT_AT, 0, 0xfffffff0u };
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xf0000, 0);
	put_sdt(&m, RSDT_AT, "RSDT", 4, tabs, 3);
	valid_madt(&t);
	t.b[40] ^= 0x3c;
	place(&m, MADT_AT, &t);
	nwarn = 0;
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, mem_read, &m, &c,
						   rec_warn, NULL), -1);
	assert_true(saw("acpi: MADT checksum bad (sum 0x3c), table skipped"));
	assert_true(saw("no usable MADT"));
	assert_int_equal(c.ncpus, 0);

	/* The MADT is there but the reader cannot reach its body. */
	t.b[40] ^= 0x3c;
	place(&m, MADT_AT, &t);
	m.fail_lo = MADT_AT + 50;
	m.fail_hi = MADT_AT + 51;
	nwarn = 0;
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, mem_read, &m, &c,
						   rec_warn, NULL), -1);
	assert_true(saw("table unreadable"));
	free(m.m);
}

static void test_chain_rsdt_length_bounds(void **state)
{
	static struct smp_config c;
	uint32_t tabs[] = { MADT_AT };
	struct mem m;

	mem_init(&m);
	put_rsdp(&m, 0xf0000, 0);
	put_sdt(&m, RSDT_AT, "RSDT", 4, tabs, 1);
	put32(m.m + RSDT_AT + 4, 0x10000000);   /* claims 256 MiB */
	nwarn = 0;
	assert_int_equal(acpi_parse_madt_from_rsdp(0xf0000, mem_read, &m, &c,
						   rec_warn, NULL), -1);
	assert_true(saw("RSDT at 0x80000: length 268435456 out of range"));
	free(m.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_madt_valid),
		cmocka_unit_test(test_madt_truncated),
		cmocka_unit_test(test_madt_bad_entry_len),
		cmocka_unit_test(test_madt_entry_past_end),
		cmocka_unit_test(test_madt_short_entries),
		cmocka_unit_test(test_madt_bad_checksum),
		cmocka_unit_test(test_madt_bad_header),
		cmocka_unit_test(test_madt_absurd_counts),
		cmocka_unit_test(test_madt_x2apic_and_lapic_override),
		cmocka_unit_test(test_madt_no_enabled_cpu),
		cmocka_unit_test(test_rsdp_in_ebda),
		cmocka_unit_test(test_rsdp_in_bios_area),
		cmocka_unit_test(test_rsdp_bad_checksums),
		cmocka_unit_test(test_rsdp_scan_warnings_bounded),
		cmocka_unit_test(test_rsdp_failing_reader),
		cmocka_unit_test(test_rsdp_scan_unreadable_block),
		cmocka_unit_test(test_rsdp_scan_block_edges),
		cmocka_unit_test(test_chain_rsdt),
		cmocka_unit_test(test_chain_xsdt_preferred),
		cmocka_unit_test(test_chain_bad_madt),
		cmocka_unit_test(test_chain_rsdt_length_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
