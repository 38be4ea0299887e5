/* Helpers over the injected physical-memory reader (pvboot/acpi.h phys_read_fn). */
#include "pvboot/acpi.h"
#include "pvboot/string.h"

bool phys_image_read(void *ctx, u64 phys, void *buf, u32 len)
{
	const struct phys_image *img = ctx;

	/* Written so that no sum can wrap: phys is untrusted. */
	if (phys < img->base)
		return false;
	u64 off = phys - img->base;
	if (off > img->len || len > img->len - off)
		return false;
	if (len)
		memcpy(buf, img->data + off, len);
	return true;
}

bool phys_checksum(phys_read_fn rd, void *ctx, u64 phys, u32 len, u8 *sum)
{
	u8 chunk[64];
	u8 s = 0;

	while (len) {
		u32 n = len < sizeof(chunk) ? len : sizeof(chunk);

		if (!rd(ctx, phys, chunk, n))
			return false;
		for (u32 i = 0; i < n; i++)
			s += chunk[i];
		phys += n;
		len -= n;
	}
	*sum = s;
	return true;
}

/* Small enough for any caller's stack (the loaders' included). */
#define SCAN_BLOCK 256

/* The unreadable-block path: probe each boundary on its own. */
static u64 scan_probing(phys_read_fn rd, void *ctx, u64 at, u32 n, u32 room, u32 cand_len,
			const char *sig, u32 siglen, bool (*found)(void *arg, u64 at), void *arg)
{
	u8 probe[16];

	for (u32 off = 0; off < n && room - off >= cand_len; off += 16)
		if (rd(ctx, at + off, probe, siglen) && memcmp(probe, sig, siglen) == 0 &&
		    found(arg, at + off))
			return at + off;
	return 0;
}

/* One block read whole: memchr finds the signature's first byte, so the
 * cost is per candidate byte, not per boundary (a fuzzer's memory full of
 * input bytes is scanned thousands of times a second). */
static u64 scan_block(phys_read_fn rd, void *ctx, const u8 *block, u64 at, u32 n, u32 room,
		      u32 cand_len, const char *sig, u32 siglen,
		      bool (*found)(void *arg, u64 at), void *arg)
{
	const u8 *p = block;

	while (p < block + n && (p = memchr(p, (u8)sig[0], (size_t)(block + n - p)))) {
		u32 off = (u32)(p - block);
		if (off % 16) {                         /* not on a boundary */
			p = block + (off | 15) + 1;
			continue;
		}
		if (room - off < cand_len)
			break;
		bool match = n - off >= siglen ? memcmp(p, sig, siglen) == 0 :
			     scan_probing(rd, ctx, at + off, 1, room - off, cand_len, sig, siglen,
					  found, arg) != 0;
		if (match && (n - off < siglen || found(arg, at + off)))
			return at + off;
		p += 16;
	}
	return 0;
}

u64 phys_scan16(phys_read_fn rd, void *ctx, u64 start, u32 len, u32 cand_len,
		const char *sig, u32 siglen, bool (*found)(void *arg, u64 at), void *arg)
{
	u8 block[SCAN_BLOCK];
	u64 r;

	if (siglen == 0 || siglen > 16 || cand_len < siglen)
		return 0;
	for (u32 b = 0; b < len && len - b >= cand_len; b += SCAN_BLOCK) {
		u32 n = len - b < SCAN_BLOCK ? len - b : SCAN_BLOCK;

		if (rd(ctx, start + b, block, n))
			r = scan_block(rd, ctx, block, start + b, n, len - b, cand_len, sig, siglen, found, arg);
		else
			r = scan_probing(rd, ctx, start + b, n, len - b, cand_len, sig, siglen, found, arg);
		if (r)
			return r;
	}
	return 0;
}
