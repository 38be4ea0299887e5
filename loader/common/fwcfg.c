/* QEMU fw_cfg client (docs/specs/fw_cfg.rst): the directory at 0x19 is big-endian {u32 size; u16 select; u16 reserved; char name[56]}. */
#include "fwcfg.h"
#include "pvboot/string.h"

static void read_bytes(const struct fwcfg_io *io, void *buf, u32 n)
{
	u8 *p = buf;

	while (n--)
		*p++ = io->read8(io->ctx);
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

bool fwcfg_present(const struct fwcfg_io *io)
{
	u8 sig[4];

	io->select(io->ctx, FWCFG_SIGNATURE);
	read_bytes(io, sig, 4);
	return !memcmp(sig, "QEMU", 4);
}

int fwcfg_find(const struct fwcfg_io *io, const char *name, u16 *select, u32 *size)
{
	u8 ent[8 + FWCFG_NAME_LEN];
	u8 cnt[4];
	u32 n;

	if (!fwcfg_present(io))
		return -1;
	io->select(io->ctx, FWCFG_FILE_DIR);
	read_bytes(io, cnt, 4);
	n = be32(cnt);
	if (n > FWCFG_DIR_MAX)
		return -1;
	for (u32 i = 0; i < n; i++) {
		read_bytes(io, ent, sizeof(ent));
		/* A name without its NUL inside the 56 bytes is not a name. */
		if (strnlen((const char *)ent + 8, FWCFG_NAME_LEN) == FWCFG_NAME_LEN)
			continue;
		if (!strcmp((const char *)ent + 8, name)) {
			*size = be32(ent);
			*select = (u16)(ent[4] << 8 | ent[5]);
			return 0;
		}
	}
	return -1;
}

long fwcfg_read_file(const struct fwcfg_io *io, const char *name, void *buf, u32 max,
		     u32 *size)
{
	u16 sel;
	u32 n;

	if (fwcfg_find(io, name, &sel, size))
		return -1;
	n = *size < max ? *size : max;
	io->select(io->ctx, sel);
	read_bytes(io, buf, n);
	return n;
}
