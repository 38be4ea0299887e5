/* libFuzzer target: the fw_cfg client (loader/common/fwcfg.c) against a fake device whose file directory, feature bits and DMA behaviour come from the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fwcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The device: item 0 is the signature, 1 the feature bitmap, 0x19 the
 * directory (the input after its flags byte), any other item the input. */
struct dev {
	const uint8_t *in;
	size_t len;
	uint8_t flags;          /* bit 0 DMA offered, 1 DMA fails every other time, 2 bad signature */
	const uint8_t *item;
	size_t item_len, pos;
	uint32_t dma_hi;
	unsigned dma_count;
	uint8_t sig[4], id[4];
};

static void dev_select(void *ctx, uint16_t key)
{
	struct dev *d = ctx;

	d->pos = 0;
	if (key == FWCFG_SIGNATURE) {
		d->item = d->sig;
		d->item_len = 4;
	} else if (key == 0x0001) {
		d->item = d->id;
		d->item_len = 4;
	} else {
		d->item = d->in;
		d->item_len = d->len;
	}
}

static uint8_t dev_read8(void *ctx)
{
	struct dev *d = ctx;

	return d->pos < d->item_len ? d->item[d->pos++] : 0;   /* QEMU reads 0 past the end */
}

static uint32_t dev_in32(void *ctx, uint16_t port)
{
	/* "QEMU CFG" as the register reads, big-endian halves */
	return port == FWCFG_PORT_DMA ? __builtin_bswap32(0x51454d55u) : __builtin_bswap32(0x20434647u);
}

/* The low half's write runs the transfer the descriptor describes. */
static void dev_out32(void *ctx, uint16_t port, uint32_t v)
{
	struct dev *d = ctx;

	if (port == FWCFG_PORT_DMA) {
		d->dma_hi = __builtin_bswap32(v);
		return;
	}
	volatile uint32_t *desc = (volatile uint32_t *)(uintptr_t)((uint64_t)d->dma_hi << 32 | __builtin_bswap32(v));
	uint32_t control = __builtin_bswap32(desc[0]), length = __builtin_bswap32(desc[1]);
	uint64_t addr = __builtin_bswap64(*(volatile uint64_t *)(desc + 2));
	if (control != 0x02 || ((d->flags & 2) && d->dma_count++ % 2)) {
		desc[0] = __builtin_bswap32(0x01);      /* error */
		return;
	}
	uint8_t *buf = (uint8_t *)(uintptr_t)addr;
	size_t have = d->pos < d->item_len ? d->item_len - d->pos : 0, n = have < length ? have : length;
	memcpy(buf, d->item + d->pos, n);              /* exactly length bytes, as QEMU writes */
	memset(buf + n, 0, length - n);
	d->pos += n;
	desc[0] = 0;
}

static bool each(void *ctx, const char *name, uint16_t select, uint32_t size)
{
	size_t n = strnlen(name, FWCFG_NAME_LEN);

	if (n >= FWCFG_NAME_LEN)
		abort();
	++*(unsigned *)ctx;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dev d = { 0 };
	struct fwcfg_io io = { dev_select, dev_read8, &d, NULL, NULL };
	unsigned n = 0;
	uint8_t buf[64];
	uint32_t fsize;
	uint16_t sel;

	if (size < 1)
		return 0;
	d.flags = data[0];
	d.in = data + 1;
	d.len = size - 1;
	memcpy(d.sig, d.flags & 4 ? "QEMV" : "QEMU", 4);
	d.id[0] = d.flags & 1 ? 0x03 : 0x01;
	if (d.flags & 1) {
		io.in32 = dev_in32;
		io.out32 = dev_out32;
	}
	bool present = fwcfg_present(&io);
	if (present == !!(d.flags & 4))
		abort();
	int r = fwcfg_foreach(&io, each, &n);
	if (!present && r != -1)
		abort();
	if (n > FWCFG_DIR_MAX)
		abort();
	if (fwcfg_find(&io, "opt/pvboot/cmdline", &sel, &fsize) == 0 && !present)
		abort();
	long got = fwcfg_read_file(&io, "opt/pvboot/cmdline", buf, sizeof(buf), &fsize);
	if (got > (long)sizeof(buf) || (got >= 0 && (uint32_t)got > fsize))
		abort();
	return 0;
}
