/* Unit tests for loader/common/tpm2.c: TPM2_PCR_Read marshalling and response parsing, and the TCG2 event-log walk, with hostile responses and logs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../loader/common/tpm2.h"

static void test_cmd_bytes(void **state)
{
	/* Part 3 §22.4.2, PCR 8 and 9 of the SHA-256 bank. */
	static const u8 want[] = { 0x80, 0x01, 0, 0, 0, 20, 0, 0, 0x01, 0x7e, 0, 0, 0, 1,
				   0x00, 0x0b, 3, 0x00, 0x03, 0x00 };
	u8 cmd[TPM2_PCR_READ_CMD_LEN];

	tpm2_pcr_read_cmd(cmd, 1u << 8 | 1u << 9);
	assert_memory_equal(cmd, want, sizeof(want));
}

/* A response for the PCRs in sel, with ndig digests (byte value = PCR number). */
static size_t response(u8 *r, u32 rc, u32 sel, u32 ndig, u16 dsize)
{
	size_t n = 0;

	r[n++] = 0x80, r[n++] = 0x01;
	n += 4;                                 /* size, filled below */
	r[n++] = (u8)(rc >> 24), r[n++] = (u8)(rc >> 16), r[n++] = (u8)(rc >> 8), r[n++] = (u8)rc;
	memset(r + n, 0, 4), n += 4;            /* pcrUpdateCounter */
	memcpy(r + n, "\0\0\0\1\0\x0b\3", 7), n += 7;
	r[n++] = (u8)sel, r[n++] = (u8)(sel >> 8), r[n++] = (u8)(sel >> 16);
	r[n++] = 0, r[n++] = 0, r[n++] = 0, r[n++] = (u8)ndig;
	for (u32 b = 0, i = 0; i < ndig; i++, b++) {
		while (b < 24 && !(sel & (1u << b)))
			b++;
		r[n++] = (u8)(dsize >> 8), r[n++] = (u8)dsize;
		memset(r + n, (int)b, dsize), n += dsize;
	}
	r[2] = (u8)(n >> 24), r[3] = (u8)(n >> 16), r[4] = (u8)(n >> 8), r[5] = (u8)n;
	return n;
}

static void test_parse_ok(void **state)
{
	u8 r[256], out[24][32], nine[32];
	char why[100];
	u32 got;
	size_t n = response(r, 0, 1u << 8 | 1u << 9, 2, 32);

	assert_int_equal(tpm2_pcr_read_parse(r, n, out, &got, why, sizeof(why)), 0);
	assert_int_equal(got, 1u << 8 | 1u << 9);
	memset(nine, 9, sizeof(nine));
	assert_memory_equal(out[9], nine, 32);
	assert_int_equal(out[8][31], 8);
	/* Trailing bytes past the stated size are not ours to read: still fine. */
	assert_int_equal(tpm2_pcr_read_parse(r, sizeof(r), out, &got, why, sizeof(why)), 0);
}

static void test_parse_hostile(void **state)
{
	u8 r[256], out[24][32];
	char why[100];
	u32 got;
	size_t n;

	n = response(r, 0x184, 1u << 8, 1, 32);
	assert_int_equal(tpm2_pcr_read_parse(r, n, out, &got, why, sizeof(why)), -1);
	assert_string_equal(why, "TPM response code 0x184");

	n = response(r, 0, 1u << 8 | 1u << 9, 2, 32);
	for (size_t cut = 0; cut < n; cut++) {          /* every truncation is refused */
		r[2] = 0, r[3] = 0, r[4] = 0, r[5] = (u8)n;
		assert_int_equal(tpm2_pcr_read_parse(r, cut, out, &got, why, sizeof(why)), -1);
	}
	n = response(r, 0, 1u << 8, 2, 32);             /* more digests than selected */
	assert_int_equal(tpm2_pcr_read_parse(r, n, out, &got, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "more digests than PCRs selected"));
	n = response(r, 0, 1u << 8, 1, 20);             /* SHA-1-sized digest */
	assert_int_equal(tpm2_pcr_read_parse(r, n, out, &got, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not 32 bytes"));
	n = response(r, 0, 1u << 8, 1, 32);             /* size field beyond the buffer */
	r[5] = (u8)(n + 1);
	assert_int_equal(tpm2_pcr_read_parse(r, n, out, &got, why, sizeof(why)), -1);
}

/* ---- event log ------------------------------------------------------------ */

static size_t put_le32(u8 *p, u32 v)
{
	p[0] = (u8)v, p[1] = (u8)(v >> 8), p[2] = (u8)(v >> 16), p[3] = (u8)(v >> 24);
	return 4;
}

/* The Spec ID header: SHA-1 (20) and SHA-256 (32). */
static size_t log_header(u8 *l)
{
	size_t n = 0;

	n += put_le32(l + n, 0), n += put_le32(l + n, 3);       /* PCR 0, EV_NO_ACTION */
	memset(l + n, 0, 20), n += 20;
	n += put_le32(l + n, 24 + 4 + 8 + 1);
	memcpy(l + n, "Spec ID Event03", 16), n += 16;
	memset(l + n, 0, 8), n += 8;
	n += put_le32(l + n, 2);
	l[n++] = 0x04, l[n++] = 0, l[n++] = 20, l[n++] = 0;
	l[n++] = 0x0b, l[n++] = 0, l[n++] = 32, l[n++] = 0;
	l[n++] = 0;                                             /* vendorInfoSize */
	return n;
}

static size_t log_event(u8 *l, u32 pcr, const char *text)
{
	size_t n = 0, len = strlen(text);

	n += put_le32(l + n, pcr), n += put_le32(l + n, 0xd), n += put_le32(l + n, 2);
	l[n++] = 0x04, l[n++] = 0, memset(l + n, 0x11, 20), n += 20;
	l[n++] = 0x0b, l[n++] = 0, memset(l + n, (int)pcr, 32), n += 32;
	n += put_le32(l + n, (u32)len);
	memcpy(l + n, text, len);
	return n + len;
}

struct seen {
	int n;
	u32 pcr[4];
	char text[4][32];
};

static void collect(void *ctx, const struct tcg_event *e)
{
	struct seen *s = ctx;

	assert_true(s->n < 4);
	assert_non_null(e->sha256);
	assert_int_equal(e->sha256[0], e->pcr);
	s->pcr[s->n] = e->pcr;
	memcpy(s->text[s->n], e->data, e->data_len);
	s->text[s->n++][e->data_len] = '\0';
}

static void test_log_walk(void **state)
{
	u8 l[512];
	struct seen s = { 0 };
	char why[100];
	size_t n = log_header(l), last;

	n += log_event(l + n, 8, "config");
	last = n;
	n += log_event(l + n, 9, "kernel");
	memset(l + n, 0xff, sizeof(l) - n);                     /* the area past the last entry */
	assert_int_equal(tcglog_walk(l, sizeof(l), last, collect, &s, why, sizeof(why)), 2);
	assert_int_equal(s.pcr[0], 8);
	assert_string_equal(s.text[1], "kernel");
}

static void nothing(void *ctx, const struct tcg_event *e)
{
}

static void test_log_hostile(void **state)
{
	u8 l[512];
	char why[100];
	size_t h = log_header(l), n, last;

	n = h + log_event(l + h, 8, "config");
	for (size_t cut = 0; cut < n; cut++)            /* any truncation: an error, no over-read */
		assert_int_equal(tcglog_walk(l, cut, h, nothing, NULL, why, sizeof(why)), -1);
	last = h;
	put_le32(l + h + 8, 3);                         /* three digests where two exist */
	assert_int_equal(tcglog_walk(l, n, last, nothing, NULL, why, sizeof(why)), -1);
	n = log_header(l);
	l[32 + 24] = 9;                                 /* nine algorithms listed */
	assert_int_equal(tcglog_walk(l, n, n, nothing, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "9 algorithms"));
	n = log_header(l);
	l[32] = 'X';                                    /* not a crypto-agile log */
	assert_int_equal(tcglog_walk(l, n, n, nothing, NULL, why, sizeof(why)), -1);
	n = log_header(l);
	l[n] = 0, put_le32(l + n + 8, 1);
	l[n + 12] = 0x0c, l[n + 13] = 0;                /* SHA-384, not in the header */
	assert_int_equal(tcglog_walk(l, n + 100, n, nothing, NULL, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "unknown algorithm 0xc"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_bytes),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_log_walk),
		cmocka_unit_test(test_log_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
