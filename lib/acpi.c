/* ACPI RSDP / RSDT / XSDT / MADT parsing per ACPI 6.x §5.2 (pvboot/acpi.h); all memory via phys_read_fn. */
#include "smpcfg.h"
#include "pvboot/string.h"

#define SDT_HDR_LEN 36
#define MADT_HDR_LEN 44         /* SDT header + local APIC address + flags */
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 1024       /* generous; the spec's is 36 */
#define MADT_TRY_MAX 4          /* APIC tables tried before giving up */
#define SCAN_WARN_MAX 4         /* bad RSDP candidates reported per search */

/* MADT entry types we act on (ACPI 6.5 Table 5.21). */
enum {
	MADT_LAPIC = 0, MADT_IOAPIC = 1, MADT_ISO = 2, MADT_NMI = 4,
	MADT_LAPIC_ADDR = 5, MADT_X2APIC = 9,
};

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 s = 0;

	while (len--)
		s += *b++;
	return s;
}

static void awarn(cmd_warn_fn warn, void *wctx, const char *what, u64 phys,
		  const char *why)
{
	pv_warnf(warn, wctx, "acpi: %s at 0x%llx: %s, skipped", what,
		 (unsigned long long)phys, why);
}

/* Tables are named by signature in messages, except "APIC", known as MADT. */
static const char *tname(const char *sig)
{
	return memcmp(sig, "APIC", 4) == 0 ? "MADT" : sig;
}

struct rsdp_info {
	u8 rev;
	u32 rsdt;
	u64 xsdt;
};

/* Validate the RSDP at phys (signature already seen or not). */
static bool rsdp_check(phys_read_fn rd, void *ctx, u64 phys,
		       struct rsdp_info *r, cmd_warn_fn warn, void *wctx)
{
	u8 b[RSDP_V2_LEN], sum;

	if (!rd(ctx, phys, b, RSDP_V1_LEN)) {
		awarn(warn, wctx, "RSDP", phys, "unreadable");
		return false;
	}
	if (memcmp(b, "RSD PTR ", 8) != 0) {
		awarn(warn, wctx, "RSDP", phys, "signature bad");
		return false;
	}
	sum = acpi_checksum(b, RSDP_V1_LEN);
	if (sum) {
		pv_warnf(warn, wctx, "acpi: RSDP at 0x%llx: checksum bad (sum "
			 "0x%02x), skipped", (unsigned long long)phys, sum);
		return false;
	}
	r->rev = b[15];
	r->rsdt = le32(b + 16);
	r->xsdt = 0;
	if (r->rev < 2)
		return true;
	/* ACPI 2.0+: the length and extended checksum cover the XSDT field. */
	if (!rd(ctx, phys, b, RSDP_V2_LEN)) {
		awarn(warn, wctx, "RSDP", phys, "unreadable");
		return false;
	}
	u32 len = le32(b + 20);
	if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
		awarn(warn, wctx, "RSDP", phys, "length out of range");
		return false;
	}
	if (!phys_checksum(rd, ctx, phys, len, &sum) || sum) {
		awarn(warn, wctx, "RSDP", phys, "extended checksum bad");
		return false;
	}
	r->xsdt = le64(b + 24);
	return true;
}

/*
 * Look for a valid RSDP on 16-byte boundaries in [start, start + len).
 * Only the first few bad candidates are reported: memory full of
 * signatures must not flood the console.
 */
struct rsdp_scan {
	phys_read_fn rd;
	void *ctx;
	u32 *bad;
	cmd_warn_fn warn;
	void *wctx;
};

static bool rsdp_candidate(void *arg, u64 at)
{
	struct rsdp_scan *sc = arg;
	struct rsdp_info r;

	if (rsdp_check(sc->rd, sc->ctx, at, &r, *sc->bad < SCAN_WARN_MAX ? sc->warn : NULL,
		       sc->wctx))
		return true;
	++*sc->bad;
	return false;
}

static u64 rsdp_scan(phys_read_fn rd, void *ctx, u64 start, u32 len,
		     u32 *bad, cmd_warn_fn warn, void *wctx)
{
	struct rsdp_scan sc = { rd, ctx, bad, warn, wctx };

	return phys_scan16(rd, ctx, start, len, RSDP_V1_LEN, "RSD PTR ", 8, rsdp_candidate, &sc);
}

u64 acpi_find_rsdp(phys_read_fn rd, void *ctx, cmd_warn_fn warn, void *wctx)
{
	u8 seg[2];
	u64 found;
	u32 bad = 0;

	/* The BIOS data area keeps the EBDA's real-mode segment at 0x40E. */
	if (rd(ctx, 0x40e, seg, 2)) {
		u64 ebda = (u64)le16(seg) << 4;

		if (ebda >= 0x400 && ebda < 0xa0000) {
			found = rsdp_scan(rd, ctx, ebda, 1024, &bad, warn,
					  wctx);
			if (found)
				return found;
		}
	}
	found = rsdp_scan(rd, ctx, 0xe0000, 0x20000, &bad, warn, wctx);
	if (bad > SCAN_WARN_MAX)
		pv_warnf(warn, wctx, "acpi: %u more bad RSDP candidates not "
			 "shown", bad - SCAN_WARN_MAX);
	return found;
}

/*
 * Check an SDT header at phys: signature, length within [min_len,
 * ACPI_TABLE_MAX] and the whole-table checksum.  Returns the length or 0.
 */
static u32 sdt_check(phys_read_fn rd, void *ctx, u64 phys, const char *sig,
		     u32 min_len, cmd_warn_fn warn, void *wctx)
{
	u8 h[SDT_HDR_LEN], sum;
	u32 len;

	if (!rd(ctx, phys, h, sizeof(h))) {
		awarn(warn, wctx, tname(sig), phys, "unreadable");
		return 0;
	}
	if (memcmp(h, sig, 4) != 0) {
		awarn(warn, wctx, tname(sig), phys, "signature bad");
		return 0;
	}
	len = le32(h + 4);
	if (len < min_len || len > ACPI_TABLE_MAX) {
		pv_warnf(warn, wctx, "acpi: %s at 0x%llx: length %u out of range "
			 "%u..%u, table skipped", tname(sig), (unsigned long long)phys,
			 len, min_len, ACPI_TABLE_MAX);
		return 0;
	}
	if (!phys_checksum(rd, ctx, phys, len, &sum)) {
		awarn(warn, wctx, tname(sig), phys, "table unreadable");
		return 0;
	}
	if (sum) {
		pv_warnf(warn, wctx, "acpi: %s checksum bad (sum 0x%02x), table "
			 "skipped", tname(sig), sum);
		return 0;
	}
	return len;
}

/* Act on one MADT entry; e holds min(elen, 16) bytes of it. */
static void madt_entry(struct smp_builder *b, const u8 *e, u32 elen, u32 off)
{
	static const u8 need[] = {
		[MADT_LAPIC] = 8, [MADT_IOAPIC] = 12, [MADT_ISO] = 10,
		[MADT_NMI] = 6, [MADT_LAPIC_ADDR] = 12, [MADT_X2APIC] = 16,
	};
	u8 type = e[0];

	if (type < sizeof(need) && elen < need[type]) {
		smp_warn(b, "MADT entry at +%u (type %u) too short (%u bytes), "
			 "skipped", off, type, elen);
		return;
	}
	switch (type) {
	case MADT_LAPIC:
		/* Flags bit 0: enabled; bit 1: online capable (ACPI 6.3). */
		smp_add_cpu(b, e[3], e[2], (le32(e + 4) & 3) != 0, false);
		break;
	case MADT_IOAPIC:
		smp_add_ioapic(b, e[2], le32(e + 4), le32(e + 8));
		break;
	case MADT_ISO:
		smp_add_override(b, e[2], e[3], le32(e + 4), le16(e + 8));
		break;
	case MADT_LAPIC_ADDR: {
		u64 a = le64(e + 4);

		if (a >> 32)
			smp_warn(b, "local APIC address 0x%llx above 4 GiB "
				 "ignored", (unsigned long long)a);
		else
			b->cfg->lapic_addr = (u32)a;
		break;
	}
	case MADT_X2APIC:
		smp_add_cpu(b, le32(e + 4), le32(e + 12),
			    (le32(e + 8) & 3) != 0, false);
		break;
	default:
		/* NMI sources and everything newer: not needed to boot. */
		break;
	}
}

/* Walk the entries of a checked MADT of len bytes at phys. */
static void madt_walk(phys_read_fn rd, void *ctx, u64 phys, u32 len,
		      struct smp_builder *b)
{
	u8 e[16];

	for (u32 off = MADT_HDR_LEN; off < len;) {
		if (len - off < 2) {
			smp_warn(b, "MADT entry at +%u: truncated header, walk "
				 "stopped", off);
			return;
		}
		if (!rd(ctx, phys + off, e, 2)) {
			smp_warn(b, "MADT entry at +%u unreadable", off);
			return;
		}
		u32 elen = e[1];
		if (elen < 2 || elen > len - off) {
			smp_warn(b, "MADT entry at +%u (type %u) has length %u "
				 "of %u left, walk stopped", off, e[0], elen,
				 len - off);
			return;
		}
		if (!rd(ctx, phys + off, e, elen < sizeof(e) ? elen : sizeof(e))) {
			smp_warn(b, "MADT entry at +%u unreadable", off);
			return;
		}
		madt_entry(b, e, elen, off);
		off += elen;
	}
}

/* Check and parse a MADT at phys of which at most avail bytes exist. */
static int madt_parse_at(phys_read_fn rd, void *ctx, u64 phys, u64 avail,
			 struct smp_config *out, cmd_warn_fn warn, void *wctx)
{
	struct smp_builder b;
	u8 h[MADT_HDR_LEN];
	u32 len;

	memset(out, 0, sizeof(*out));
	if (avail < MADT_HDR_LEN) {
		pv_warnf(warn, wctx, "acpi: MADT shorter than its %u-byte "
			 "header, table skipped", MADT_HDR_LEN);
		return -1;
	}
	if (!rd(ctx, phys, h, sizeof(h))) {
		awarn(warn, wctx, "MADT", phys, "unreadable");
		return -1;
	}
	len = le32(h + 4);
	if (memcmp(h, "APIC", 4) == 0 && len >= MADT_HDR_LEN && len > avail) {
		pv_warnf(warn, wctx, "acpi: MADT truncated (%llu of %u bytes), "
			 "table skipped", (unsigned long long)avail, len);
		return -1;
	}
	if (!sdt_check(rd, ctx, phys, "APIC", MADT_HDR_LEN, warn, wctx))
		return -1;
	smp_begin(&b, out, SMP_SRC_ACPI, "acpi", warn, wctx);
	out->lapic_addr = le32(h + 36);
	out->pic_present = le32(h + 40) & 1;    /* PCAT_COMPAT */
	madt_walk(rd, ctx, phys, len, &b);
	return smp_finish(&b);
}

int madt_parse(const void *madt, size_t len, struct smp_config *out,
	       cmd_warn_fn warn, void *wctx)
{
	struct phys_image img = { madt, 0, len };

	return madt_parse_at(phys_image_read, &img, 0, len, out, warn, wctx);
}

/*
 * Walk an RSDT (esize 4) or XSDT (esize 8) for "APIC" tables; the first
 * one that parses wins.  0 on success, -1 otherwise.
 */
static int sdt_find_madt(phys_read_fn rd, void *ctx, u64 phys,
			 const char *sig, u32 esize, struct smp_config *out,
			 cmd_warn_fn warn, void *wctx)
{
	u32 len = sdt_check(rd, ctx, phys, sig, SDT_HDR_LEN, warn, wctx);
	u32 tries = 0;
	u8 a[8];
	char tsig[4];

	if (!len)
		return -1;
	for (u32 off = SDT_HDR_LEN; len - off >= esize; off += esize) {
		if (!rd(ctx, phys + off, a, esize))
			return -1;
		u64 t = esize == 8 ? le64(a) : le32(a);
		if (!t || !rd(ctx, t, tsig, 4) || memcmp(tsig, "APIC", 4) != 0)
			continue;
		if (madt_parse_at(rd, ctx, t, ACPI_TABLE_MAX, out, warn, wctx) == 0)
			return 0;
		/* Each bad candidate costs a full checksum pass: bound them. */
		if (++tries >= MADT_TRY_MAX)
			break;
	}
	return -1;
}

int acpi_parse_madt_from_rsdp(u64 rsdp, phys_read_fn rd, void *ctx,
			      struct smp_config *out, cmd_warn_fn warn,
			      void *wctx)
{
	struct rsdp_info r;

	memset(out, 0, sizeof(*out));
	if (!rsdp_check(rd, ctx, rsdp, &r, warn, wctx))
		return -1;
	/* ACPI 2.0+ firmware must use the XSDT when it provides one. */
	if (r.rev >= 2 && r.xsdt &&
	    sdt_find_madt(rd, ctx, r.xsdt, "XSDT", 8, out, warn, wctx) == 0)
		return 0;
	if (r.rsdt &&
	    sdt_find_madt(rd, ctx, r.rsdt, "RSDT", 4, out, warn, wctx) == 0)
		return 0;
	pv_warnf(warn, wctx, "acpi: no usable MADT found");
	memset(out, 0, sizeof(*out));
	return -1;
}
