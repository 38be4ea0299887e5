/* SHA-256 (FIPS 180-4 §6.2), used by the UEFI loader to check and measure what it boots (docs/secure-boot.md). */
#ifndef PVBOOT_SHA256_H
#define PVBOOT_SHA256_H
#include "pvboot/types.h"

#define SHA256_LEN 32
#define SHA256_HEX_LEN 65       /* 64 hex digits and a NUL */

struct sha256_ctx {
	u32 h[8];               /* the hash value H(i) */
	u64 bytes;              /* message length so far */
	u8 block[64];           /* a partial block waiting for more input */
	u32 fill;               /* bytes in block */
};

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t n);
void sha256_final(struct sha256_ctx *c, u8 out[SHA256_LEN]);

/* The digest of one buffer. */
void sha256(const void *data, size_t n, u8 out[SHA256_LEN]);

/* Lower-case hex, NUL-terminated. */
void sha256_hex(const u8 d[SHA256_LEN], char out[SHA256_HEX_LEN]);

#endif
