/* libFuzzer target: TPM2_PCR_Read responses and TCG2 event logs (loader/common/tpm2.c), both from outside the loader. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "tpm2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct bounds {
	const uint8_t *lo, *hi;
};

/* Every event the walk hands over lies inside the input. */
static void check_event(void *ctx, const struct tcg_event *e)
{
	const struct bounds *b = ctx;

	if (e->data_len && (e->data < b->lo || e->data + e->data_len > b->hi))
		abort();
	if (e->sha256 && (e->sha256 < b->lo || e->sha256 + 32 > b->hi))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static u8 out[24][32];
	struct bounds b = { data, data + size };
	char why[100];
	u32 got = 0;

	if (tpm2_pcr_read_parse(data, size, out, &got, why, sizeof(why)) == 0 && got >> 24)
		abort();
	if (tpm2_pcr_read_parse(data, size, out, &got, why, sizeof(why)) && strlen(why) >= sizeof(why))
		abort();
	/* The first two bytes pick where the "last entry" starts. */
	size_t last = size >= 2 ? (size_t)(data[0] | data[1] << 8) : 0;
	tcglog_walk(data, size, last, check_event, &b, why, sizeof(why));
	return 0;
}
