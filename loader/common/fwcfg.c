/* QEMU fw_cfg client (docs/specs/fw_cfg.rst): the directory at 0x19 is big-endian {u32 size; u16 select; u16 reserved; char name[56]}; DMA when offered, else byte-wise; and the I/O-port device both loaders read it through. */
#include "fwcfg.h"
#include "pvboot/string.h"

#define FWCFG_ID          0x0001        /* feature bitmap, little-endian u32 */
#define FWCFG_ID_DMA      0x02
#define FWCFG_DMA_SIG_HI  0x51454d55u   /* "QEMU CFG", read from the DMA register */
#define FWCFG_DMA_SIG_LO  0x20434647u
#define DMA_CTL_ERROR     0x01
#define DMA_CTL_READ      0x02
#define DMA_POLLS         1000000       /* QEMU finishes inside the port write */
#define DIR_CHUNK         8             /* directory entries per DMA read */

enum { FW_NONE, FW_PIO, FW_DMA };

/* The DMA descriptor the device reads from RAM, every field big-endian. */
struct fwcfg_dma {
	u32 control;
	u32 length;
	u64 address;
};

static void pio_read(const struct fwcfg_io *io, void *buf, u32 n)
{
	u8 *p = buf;

	while (n--)
		*p++ = io->read8(io->ctx);
}

/*
 * One DMA read of n bytes at the current offset.  The descriptor's own
 * address goes into the register high half first; the write of the low
 * half starts the transfer.  False on the error bit or no completion.
 */
static bool dma_read(const struct fwcfg_io *io, void *buf, u32 n)
{
	volatile struct fwcfg_dma d;
	u64 a = (uintptr_t)&d;
	u32 c;

	d.control = __builtin_bswap32(DMA_CTL_READ);
	d.length = __builtin_bswap32(n);
	d.address = __builtin_bswap64((uintptr_t)buf);
	__asm__ volatile("" : : : "memory");    /* the descriptor is in RAM before the write */
	io->out32(io->ctx, FWCFG_PORT_DMA, __builtin_bswap32((u32)(a >> 32)));
	io->out32(io->ctx, FWCFG_PORT_DMA + 4, __builtin_bswap32((u32)a));
	for (u32 i = 0; i < DMA_POLLS; i++) {
		c = __builtin_bswap32(d.control);
		if (!(c & ~DMA_CTL_ERROR)) {
			__asm__ volatile("" : : : "memory");
			return !c;
		}
	}
	return false;
}

/* n bytes of the selected item: false only if a DMA transfer failed. */
static bool read_data(const struct fwcfg_io *io, int mode, void *buf, u32 n)
{
	if (mode == FW_DMA)
		return dma_read(io, buf, n);
	pio_read(io, buf, n);
	return true;
}

static u32 be32(const u8 *p)
{
	return (u32)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* DMA needs bit 1 of the feature bitmap and the register's signature. */
static bool dma_offered(const struct fwcfg_io *io)
{
	u8 id[4];

	if (!io->in32 || !io->out32)
		return false;
	io->select(io->ctx, FWCFG_ID);
	pio_read(io, id, 4);
	if (!(id[0] & FWCFG_ID_DMA))
		return false;
	return __builtin_bswap32(io->in32(io->ctx, FWCFG_PORT_DMA)) == FWCFG_DMA_SIG_HI &&
	       __builtin_bswap32(io->in32(io->ctx, FWCFG_PORT_DMA + 4)) == FWCFG_DMA_SIG_LO;
}

/* Probed on every call: a handful of port accesses, and io stays const. */
static int probe(const struct fwcfg_io *io)
{
	u8 sig[4];

	io->select(io->ctx, FWCFG_SIGNATURE);
	pio_read(io, sig, 4);
	if (memcmp(sig, "QEMU", 4))
		return FW_NONE;
	return dma_offered(io) ? FW_DMA : FW_PIO;
}

bool fwcfg_present(const struct fwcfg_io *io)
{
	return probe(io) != FW_NONE;
}

/*
 * Hand entries to fn, skipping the first *seen (a byte-wise retry after a
 * failed DMA read must not repeat them); false if fn stopped the walk.
 */
static bool each_entry(const u8 *ent, u32 first, u32 n, u32 *seen, fwcfg_fn fn, void *ctx)
{
	for (u32 i = first; i < first + n; i++, ent += 8 + FWCFG_NAME_LEN) {
		if (i < *seen)
			continue;
		++*seen;
		/* A name without its NUL inside the 56 bytes is not a name. */
		if (strnlen((const char *)ent + 8, FWCFG_NAME_LEN) == FWCFG_NAME_LEN)
			continue;
		if (!fn(ctx, (const char *)ent + 8, (u16)(ent[4] << 8 | ent[5]), be32(ent)))
			return false;
	}
	return true;
}

/* The directory in chunks: 0, -1 if it is absurd, 1 if a DMA read failed. */
static int walk(const struct fwcfg_io *io, int mode, u32 *seen, fwcfg_fn fn, void *ctx)
{
	u8 ent[DIR_CHUNK * (8 + FWCFG_NAME_LEN)];
	u32 n;

	io->select(io->ctx, FWCFG_FILE_DIR);
	if (!read_data(io, mode, ent, 4))
		return 1;
	n = be32(ent);
	if (n > FWCFG_DIR_MAX)
		return -1;
	for (u32 i = 0; i < n; i += DIR_CHUNK) {
		u32 k = n - i < DIR_CHUNK ? n - i : DIR_CHUNK;

		if (!read_data(io, mode, ent, k * (8 + FWCFG_NAME_LEN)))
			return 1;
		if (!each_entry(ent, i, k, seen, fn, ctx))
			break;
	}
	return 0;
}

int fwcfg_foreach(const struct fwcfg_io *io, fwcfg_fn fn, void *ctx)
{
	int mode = probe(io), r;
	u32 seen = 0;

	if (mode == FW_NONE)
		return -1;
	r = walk(io, mode, &seen, fn, ctx);
	if (r == 1)
		r = walk(io, FW_PIO, &seen, fn, ctx);
	return r ? -1 : 0;
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
	int mode = probe(io);

	io->select(io->ctx, select);
	if (mode == FW_DMA && dma_read(io, buf, max))
		return;
	io->select(io->ctx, select);    /* byte-wise, also after a failed DMA read */
	pio_read(io, buf, max);
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

/* ---- the device behind the I/O ports (fwcfg.h) -------------------------- */
#ifndef PVBOOT_HOST
#include "pvboot/io.h"

static void port_select(void *ctx, u16 key)
{
	outw(FWCFG_PORT_SEL, key);
}

static u8 port_read8(void *ctx)
{
	return inb(FWCFG_PORT_DATA);
}

static u32 port_in32(void *ctx, u16 port)
{
	return inl(port);
}

static void port_out32(void *ctx, u16 port, u32 v)
{
	outl(port, v);
}

const struct fwcfg_io fwcfg_ports = { port_select, port_read8, NULL, port_in32, port_out32 };
#endif
