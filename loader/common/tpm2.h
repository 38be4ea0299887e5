/* Pure TPM 2.0 helpers for measured boot (docs/secure-boot.md): the TPM2_PCR_Read command and response, and a walk over the firmware's crypto-agile event log. */
#ifndef LOADER_TPM2_H
#define LOADER_TPM2_H
#include "pvboot/types.h"

#define TPM2_ALG_SHA1 0x0004
#define TPM2_ALG_SHA256 0x000b
#define TPM2_PCR_READ_CMD_LEN 20

/*
 * TPM2_PCR_Read (TPM 2.0 Part 3 §22.4) of the SHA-256 bank for the PCRs
 * in mask (0-23) into cmd (TPM2_PCR_READ_CMD_LEN bytes, big-endian).
 */
void tpm2_pcr_read_cmd(u8 cmd[TPM2_PCR_READ_CMD_LEN], u32 mask);

/*
 * Parse the response to that command (len bytes, from the TPM: hostile).
 * Each SHA-256 digest returned goes to out[pcr]; *got gets the mask of
 * PCRs returned.  0, or -1 with why ("response code 0x…", "truncated at
 * …", …).
 */
int tpm2_pcr_read_parse(const u8 *rsp, size_t len, u8 out[24][32], u32 *got, char *why, size_t wl);

/* One event of the log, as the walk hands it over. */
struct tcg_event {
	u32 pcr, type;
	const u8 *sha256;       /* NULL if the event has no SHA-256 digest */
	const u8 *data;
	u32 data_len;
};

typedef void (*tcg_event_fn)(void *ctx, const struct tcg_event *e);

/*
 * Walk a TCG2 crypto-agile event log (TCG PC Client Platform Firmware
 * Profile 1.05 §10.2): a TCG_PCR_EVENT header whose Spec ID event lists
 * the digest sizes, then TCG_PCR_EVENT2 entries.  len bytes are
 * readable; last_off is where the firmware says the last entry starts
 * (the walk stops after it).  Every entry after the header goes to fn.
 * Returns the number of entries, or -1 with why on a malformed log (the
 * entries before the fault have been handed over).
 */
int tcglog_walk(const u8 *log, size_t len, size_t last_off, tcg_event_fn fn, void *ctx,
		char *why, size_t wl);

#endif
