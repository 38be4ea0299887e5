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

int fwcfg_foreach(const struct fwcfg_io *io,
		  bool (*fn)(void *ctx, const char *name, u16 select, u32 size), void *ctx)
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
		if (!fn(ctx, (const char *)ent + 8, (u16)(ent[4] << 8 | ent[5]), be32(ent)))
			break;
	}
	return 0;
}

struct find_ctx {
	const char *name;
	u16 select;
	u32 size;
	bool found;
};

static bool find_one(void *ctx, const char *name, u16 select, u32 size)
{
	struct find_ctx *f = ctx;

	if (strcmp(name, f->name))
		return true;
	f->select = select, f->size = size, f->found = true;
	return false;
}

int fwcfg_find(const struct fwcfg_io *io, const char *name, u16 *select, u32 *size)
{
	struct find_ctx f = { name, 0, 0, false };

	if (fwcfg_foreach(io, find_one, &f) || !f.found)
		return -1;
	*select = f.select;
	*size = f.size;
	return 0;
}

void fwcfg_read_select(const struct fwcfg_io *io, u16 select, void *buf, u32 max)
{
	io->select(io->ctx, select);
	read_bytes(io, buf, max);
}

long fwcfg_read_file(const struct fwcfg_io *io, const char *name, void *buf, u32 max,
		     u32 *size)
{
	u16 sel;
	u32 n;

	if (fwcfg_find(io, name, &sel, size))
		return -1;
	n = *size < max ? *size : max;
	fwcfg_read_select(io, sel, buf, n);
	return n;
}
