/* Intel MultiProcessor Specification 1.4 tables: floating pointer, configuration table, default configurations (pvboot/acpi.h). */
#include "smpcfg.h"
#include "pvboot/string.h"

#define MPF_LEN 16
#define MPC_HDR_LEN 44
#define MPF_WARN_MAX 4          /* bad floating pointers reported per search */
#define MP_DEFAULT_LAPIC 0xfee00000u
#define MP_DEFAULT_IOAPIC 0xfec00000u
/*
 * The MP table does not give IO-APIC pin counts; assume the usual 24 so
 * GSIs can be numbered.  The kernel may renumber from the version register.
 */
#define MP_IOAPIC_PINS 24

/* Base table entry types (MP spec 1.4 Table 4-3). */
enum { MPE_CPU = 0, MPE_BUS = 1, MPE_IOAPIC = 2, MPE_IOINT = 3, MPE_LINT = 4 };

struct mp_state {
	struct smp_builder b;
	u32 isa[256 / 32];              /* bus ids whose type is "ISA" */
	u32 ncpu_entries;
};

static bool is_isa(const struct mp_state *s, u8 bus)
{
	return s->isa[bus / 32] & (1u << (bus % 32));
}

/* An ISA IRQ routed to a different pin, or with explicit polarity/trigger. */
static void mp_ioint(struct mp_state *s, const u8 *e)
{
	struct smp_config *c = s->b.cfg;
	u8 bus = e[4], irq = e[5], dst = e[6], pin = e[7];
	u16 flags = le16(e + 2);

	if (e[1] != 0 || !is_isa(s, bus) || irq >= 16)
		return;         /* only vectored INTs from ISA matter here */
	for (u32 i = 0; i < c->nioapic; i++) {
		if (c->ioapic[i].id != dst)
			continue;
		u32 gsi = c->ioapic[i].gsi_base + pin;
		if (gsi != irq || flags)
			smp_add_override(&s->b, 0, irq, gsi, flags);
		return;
	}
}

static void mp_entry(struct mp_state *s, const u8 *e)
{
	struct smp_config *c = s->b.cfg;

	switch (e[0]) {
	case MPE_CPU:
		/* Flags bit 0: usable (EN); bit 1: the bootstrap processor. */
		smp_add_cpu(&s->b, e[1], s->ncpu_entries++, e[3] & 1, e[3] & 2);
		break;
	case MPE_BUS:
		if (memcmp(e + 2, "ISA   ", 6) == 0)
			s->isa[e[1] / 32] |= 1u << (e[1] % 32);
		break;
	case MPE_IOAPIC:
		if (e[3] & 1)   /* EN: unusable IO-APICs are left out */
			smp_add_ioapic(&s->b, e[1], le32(e + 4),
				       (c->nioapic + s->b.drop_ioapic) *
				       MP_IOAPIC_PINS);
		break;
	case MPE_IOINT:
		mp_ioint(s, e);
		break;
	default:
		break;
	}
}

/* Walk `count` base entries of a checked table of len bytes at phys. */
static void mp_walk(phys_read_fn rd, void *ctx, u64 phys, u32 len, u32 count,
		    struct mp_state *s)
{
	u32 off = MPC_HDR_LEN, i;
	u8 e[20];

	for (i = 0; i < count && off < len; i++) {
		if (!rd(ctx, phys + off, e, 1)) {
			smp_warn(&s->b, "entry at +%u unreadable", off);
			return;
		}
		/* Entry sizes are implied by type: an unknown one ends the walk. */
		u32 size = e[0] == MPE_CPU ? 20 : e[0] <= MPE_LINT ? 8 : 0;
		if (!size || size > len - off) {
			smp_warn(&s->b, "entry at +%u (type %u) %s, walk stopped",
				 off, e[0], size ? "runs past the table end" :
				 "has an unknown type");
			return;
		}
		if (!rd(ctx, phys + off, e, size)) {
			smp_warn(&s->b, "entry at +%u unreadable", off);
			return;
		}
		mp_entry(s, e);
		off += size;
	}
	if (i < count)
		smp_warn(&s->b, "header lists %u entries, table holds %u",
			 count, i);
}

/* Check and parse a configuration table at phys of which avail bytes exist. */
static int mp_parse_at(phys_read_fn rd, void *ctx, u64 phys, u64 avail,
		       struct smp_config *out, cmd_warn_fn warn, void *wctx)
{
	struct mp_state s;
	u8 h[MPC_HDR_LEN], sum;

	memset(out, 0, sizeof(*out));
	if (avail < MPC_HDR_LEN || !rd(ctx, phys, h, sizeof(h))) {
		pv_warnf(warn, wctx, "mptable: configuration table at 0x%llx "
			 "unreadable, skipped", (unsigned long long)phys);
		return -1;
	}
	u32 len = le16(h + 4);
	if (memcmp(h, "PCMP", 4) != 0 || len < MPC_HDR_LEN) {
		pv_warnf(warn, wctx, "mptable: configuration table at 0x%llx: "
			 "bad signature or length %u, skipped",
			 (unsigned long long)phys, len);
		return -1;
	}
	if (len > avail) {
		pv_warnf(warn, wctx, "mptable: configuration table truncated "
			 "(%llu of %u bytes), skipped",
			 (unsigned long long)avail, len);
		return -1;
	}
	if (!phys_checksum(rd, ctx, phys, len, &sum)) {
		pv_warnf(warn, wctx, "mptable: configuration table at 0x%llx "
			 "unreadable, skipped", (unsigned long long)phys);
		return -1;
	}
	if (sum) {
		pv_warnf(warn, wctx, "mptable: configuration table checksum bad "
			 "(sum 0x%02x), skipped", sum);
		return -1;
	}
	memset(&s, 0, sizeof(s));
	smp_begin(&s.b, out, SMP_SRC_MPTABLE, "mptable", warn, wctx);
	out->lapic_addr = le32(h + 36);
	out->pic_present = true;        /* MP systems are PC/AT compatible */
	mp_walk(rd, ctx, phys, len, le16(h + 34), &s);
	return smp_finish(&s.b);
}

int mptable_parse_config(const void *tbl, size_t len, struct smp_config *out,
			 cmd_warn_fn warn, void *wctx)
{
	struct phys_image img = { tbl, 0, len };

	return mp_parse_at(phys_image_read, &img, 0, len, out, warn, wctx);
}

/* MP spec chapter 5: two CPUs, one IO-APIC, IRQ0 on pin 2. */
static int mp_default(u8 type, struct smp_config *out, cmd_warn_fn warn,
		      void *wctx)
{
	struct smp_builder b;

	if (type > 7) {
		pv_warnf(warn, wctx, "mptable: default configuration %u "
			 "undefined, ignored", type);
		return -1;
	}
	smp_begin(&b, out, SMP_SRC_MPTABLE, "mptable", warn, wctx);
	out->lapic_addr = MP_DEFAULT_LAPIC;
	out->pic_present = true;
	smp_add_cpu(&b, 0, 0, true, true);
	smp_add_cpu(&b, 1, 1, true, false);
	smp_add_ioapic(&b, 2, MP_DEFAULT_IOAPIC, 0);
	/* Type 2 (EISA) does not wire IRQ0 to the IO-APIC at all. */
	if (type != 2)
		smp_add_override(&b, 0, 0, 2, 0);
	return smp_finish(&b);
}

/*
 * Look for a valid floating pointer on 16-byte boundaries.  Only the
 * first few bad candidates are reported (*bad counts them all).
 */
struct mpf_scan_state {
	phys_read_fn rd;
	void *ctx;
	u8 *mpf;
	u32 *bad;
	cmd_warn_fn warn;
	void *wctx;
};

static bool mpf_candidate(void *arg, u64 at)
{
	struct mpf_scan_state *sc = arg;
	u8 *mpf = sc->mpf;

	if (!sc->rd(sc->ctx, at, mpf, MPF_LEN))
		return false;
	u8 sum = acpi_checksum(mpf, MPF_LEN);
	if (mpf[8] == 1 && sum == 0)
		return true;
	if ((*sc->bad)++ < MPF_WARN_MAX)
		pv_warnf(sc->warn, sc->wctx, "mptable: floating pointer at "
			 "0x%llx: length %u, checksum 0x%02x; skipped",
			 (unsigned long long)at, mpf[8], sum);
	return false;
}

static u64 mpf_scan(phys_read_fn rd, void *ctx, u64 start, u32 len, u8 *mpf,
		    u32 *bad, cmd_warn_fn warn, void *wctx)
{
	struct mpf_scan_state sc = { rd, ctx, mpf, bad, warn, wctx };

	return phys_scan16(rd, ctx, start, len, MPF_LEN, "_MP_", 4, mpf_candidate, &sc);
}

static u64 mpf_find(phys_read_fn rd, void *ctx, u8 *mpf, cmd_warn_fn warn,
		    void *wctx)
{
	u8 w[2];
	u64 p = 0, base_end = 0xa0000;
	u32 bad = 0;

	/* BIOS data area: EBDA segment at 0x40E, base memory KiB at 0x413. */
	if (rd(ctx, 0x40e, w, 2)) {
		u64 ebda = (u64)le16(w) << 4;

		if (ebda >= 0x400 && ebda < 0xa0000)
			p = mpf_scan(rd, ctx, ebda, 1024, mpf, &bad, warn, wctx);
	}
	if (!p && rd(ctx, 0x413, w, 2) && le16(w) >= 1 && le16(w) <= 640)
		base_end = (u64)le16(w) * 1024;
	if (!p)
		p = mpf_scan(rd, ctx, base_end - 1024, 1024, mpf, &bad, warn,
			     wctx);
	if (!p)
		p = mpf_scan(rd, ctx, 0xf0000, 0x10000, mpf, &bad, warn, wctx);
	if (bad > MPF_WARN_MAX)
		pv_warnf(warn, wctx, "mptable: %u more bad floating pointers "
			 "not shown", bad - MPF_WARN_MAX);
	return p;
}

int mptable_find_and_parse(phys_read_fn rd, void *ctx, struct smp_config *out,
			   cmd_warn_fn warn, void *wctx)
{
	u8 mpf[MPF_LEN];

	memset(out, 0, sizeof(*out));
	if (!mpf_find(rd, ctx, mpf, warn, wctx))
		return -1;
	if (mpf[11])
		return mp_default(mpf[11], out, warn, wctx);
	if (!le32(mpf + 4)) {
		pv_warnf(warn, wctx, "mptable: floating pointer names no "
			 "configuration table");
		return -1;
	}
	/* The base table length is a u16: 64 KiB bounds the read. */
	return mp_parse_at(rd, ctx, le32(mpf + 4), 0x10000, out, warn, wctx);
}
