/* TPM2_PCR_Read marshalling (TPM 2.0 Part 3 §22.4, Part 2 §10.6 / §10.9) and the TCG2 event-log walk (PC Client PFP 1.05 §10.2): pure and bounds-checked, the data comes from the TPM and the firmware. */
#include "tpm2.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

#define TPM_ST_NO_SESSIONS 0x8001
#define TPM_CC_PCR_READ 0x0000017e

static void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8), p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, (u16)(v >> 16)), put16(p + 2, (u16)v); }
static u16 get16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 get32(const u8 *p) { return (u32)get16(p) << 16 | get16(p + 2); }
static u16 le16(const u8 *p) { return (u16)(p[0] | p[1] << 8); }
static u32 le32(const u8 *p) { return (u32)le16(p) | (u32)le16(p + 2) << 16; }

/* Part 3 §22.4.2: tag, size, code, TPML_PCR_SELECTION { count 1, { SHA256, 3, bitmap } }. */
void tpm2_pcr_read_cmd(u8 cmd[TPM2_PCR_READ_CMD_LEN], u32 mask)
{
	put16(cmd, TPM_ST_NO_SESSIONS);
	put32(cmd + 2, TPM2_PCR_READ_CMD_LEN);
	put32(cmd + 6, TPM_CC_PCR_READ);
	put32(cmd + 10, 1);
	put16(cmd + 14, TPM2_ALG_SHA256);
	cmd[16] = 3;                            /* sizeofSelect: PCR 0-23 */
	cmd[17] = (u8)mask, cmd[18] = (u8)(mask >> 8), cmd[19] = (u8)(mask >> 16);
}

/* A cursor over hostile bytes: every take checks the remaining length. */
struct cur {
	const u8 *p;
	size_t left;
	bool bad;
};

static const u8 *take(struct cur *c, size_t n)
{
	const u8 *p = c->p;

	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	c->p += n, c->left -= n;
	return p;
}

static u32 take32(struct cur *c) { const u8 *p = take(c, 4); return p ? get32(p) : 0; }
static u16 take16(struct cur *c) { const u8 *p = take(c, 2); return p ? get16(p) : 0; }

/*
 * Part 3 §22.4.2 response: tag, size, responseCode, pcrUpdateCounter,
 * pcrSelectionOut (TPML_PCR_SELECTION), pcrValues (TPML_DIGEST).  The
 * digests belong to the selected PCRs in ascending order (Part 1 §17.6).
 */
int tpm2_pcr_read_parse(const u8 *rsp, size_t len, u8 out[24][32], u32 *got, char *why, size_t wl)
{
	struct cur c = { rsp, len, false };
	u32 size, rc, nsel, ndig, sel = 0;

	*got = 0;
	take16(&c);
	size = take32(&c);
	rc = take32(&c);
	if (c.bad)
		return pv_snprintf(why, wl, "response of %u bytes is shorter than its header", (u32)len), -1;
	if (rc)
		return pv_snprintf(why, wl, "TPM response code %#x", rc), -1;
	if (size > len || size < 10)
		return pv_snprintf(why, wl, "response says %u bytes, got %u", size, (u32)len), -1;
	c.left = size - 10;
	take32(&c);                             /* pcrUpdateCounter */
	nsel = take32(&c);
	for (u32 i = 0; i < nsel && !c.bad; i++) {
		u16 alg = take16(&c);
		const u8 *n = take(&c, 1);
		const u8 *bits = n ? take(&c, *n) : NULL;

		for (u32 b = 0; bits && alg == TPM2_ALG_SHA256 && b < *n * 8u && b < 24; b++)
			if (bits[b / 8] & (1u << (b % 8)))
				sel |= 1u << b;
	}
	ndig = take32(&c);
	for (u32 b = 0, i = 0; i < ndig && !c.bad; i++) {
		u16 dsize = take16(&c);
		const u8 *d = take(&c, dsize);

		while (b < 24 && !(sel & (1u << b)))
			b++;
		if (!d || b >= 24 || dsize != 32)
			return pv_snprintf(why, wl, "digest %u: %s", i, !d ? "truncated" :
					   b >= 24 ? "more digests than PCRs selected" : "not 32 bytes"), -1;
		memcpy(out[b], d, 32);
		*got |= 1u << b++;
	}
	if (c.bad)
		return pv_snprintf(why, wl, "response truncated (%u bytes)", size), -1;
	return 0;
}

#define SPEC_ID_SIG "Spec ID Event03"       /* 16 bytes with the NUL */
#define ALGS_MAX 8

struct algsizes {
	u32 n;
	u16 id[ALGS_MAX], size[ALGS_MAX];
};

/*
 * The first entry: TCG_PCR_EVENT with a SHA-1-sized digest, whose event is
 * TCG_EfiSpecIdEventStruct: signature[16], platformClass, versions and
 * uintnSize (4 bytes), numberOfAlgorithms, { algorithmId, digestSize }[].
 */
static int spec_id(struct cur *c, struct algsizes *a, char *why, size_t wl)
{
	const u8 *h = take(c, 8 + 20 + 4);      /* PCRIndex, EventType, SHA-1 digest, EventSize */
	u32 evsize = h ? le32(h + 28) : 0;
	const u8 *ev = take(c, evsize);
	struct cur e;

	if (!ev || evsize < 28 || memcmp(ev, SPEC_ID_SIG, 16))
		return pv_snprintf(why, wl, "no Spec ID event at the start (not a crypto-agile log)"), -1;
	e = (struct cur){ ev + 24, evsize - 24, false };
	a->n = le32(take(&e, 4));
	if (a->n == 0 || a->n > ALGS_MAX)
		return pv_snprintf(why, wl, "Spec ID event lists %u algorithms", a->n), -1;
	for (u32 i = 0; i < a->n; i++) {
		const u8 *p = take(&e, 4);

		if (!p)
			return pv_snprintf(why, wl, "Spec ID event truncated"), -1;
		a->id[i] = le16(p), a->size[i] = le16(p + 2);
		if (a->size[i] == 0 || a->size[i] > 64)
			return pv_snprintf(why, wl, "algorithm %#x has digest size %u", a->id[i], a->size[i]), -1;
	}
	return 0;
}

/* TCG_PCR_EVENT2: PCRIndex, EventType, TPML_DIGEST_VALUES { count, { alg, digest } }, EventSize, Event. */
static int one_event(struct cur *c, const struct algsizes *a, struct tcg_event *ev, char *why, size_t wl)
{
	const u8 *h = take(c, 12);
	u32 n;

	if (!h)
		return pv_snprintf(why, wl, "entry header truncated"), -1;
	ev->pcr = le32(h), ev->type = le32(h + 4), n = le32(h + 8);
	ev->sha256 = NULL;
	for (u32 i = 0; i < n && !c->bad; i++) {
		const u8 *p = take(c, 2);
		u16 alg = p ? le16(p) : 0;
		u32 j = 0;

		while (j < a->n && a->id[j] != alg)
			j++;
		if (!p || j == a->n)
			return pv_snprintf(why, wl, "digest of unknown algorithm %#x", alg), -1;
		p = take(c, a->size[j]);
		if (p && alg == TPM2_ALG_SHA256 && a->size[j] == 32)
			ev->sha256 = p;
	}
	h = take(c, 4);
	ev->data_len = h ? le32(h) : 0;
	ev->data = take(c, ev->data_len);
	if (c->bad)
		return pv_snprintf(why, wl, "entry truncated"), -1;
	return 0;
}

int tcglog_walk(const u8 *log, size_t len, size_t last_off, tcg_event_fn fn, void *ctx,
		char *why, size_t wl)
{
	struct cur c = { log, len, false };
	struct algsizes a;
	struct tcg_event ev;
	char inner[64];
	int count = 0;

	if (spec_id(&c, &a, why, wl))
		return -1;
	while (c.left && (size_t)(c.p - log) <= last_off) {
		size_t at = (size_t)(c.p - log);

		if (one_event(&c, &a, &ev, inner, sizeof(inner)))
			return pv_snprintf(why, wl, "entry %d at offset %u: %s", count + 1, (u32)at, inner), -1;
		fn(ctx, &ev);
		count++;
	}
	if ((size_t)(c.p - log) <= last_off)
		return pv_snprintf(why, wl, "the log ends at offset %u, before its last entry at %u",
				   (u32)(c.p - log), (u32)last_off), -1;
	return count;
}
