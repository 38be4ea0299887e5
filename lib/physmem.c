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
