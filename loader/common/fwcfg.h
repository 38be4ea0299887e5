/* QEMU fw_cfg client (QEMU docs/specs/fw_cfg.rst): signature, file directory, named files; over injected port accessors. */
#ifndef LOADER_FWCFG_H
#define LOADER_FWCFG_H
#include "pvboot/types.h"

#define FWCFG_PORT_SEL  0x510
#define FWCFG_PORT_DATA 0x511
#define FWCFG_PORT_DMA  0x514   /* 64-bit big-endian DMA address register */
#define FWCFG_SIGNATURE 0x0000
#define FWCFG_FILE_DIR  0x0019
#define FWCFG_DIR_MAX   4096    /* more entries than QEMU ever lists: refuse */
#define FWCFG_NAME_LEN  56

/* The port operations; the host tests fake them. */
struct fwcfg_io {
	void (*select)(void *ctx, u16 key);
	u8 (*read8)(void *ctx);
	void *ctx;
	/*
	 * Optional 32-bit port access for the DMA interface (the register at
	 * FWCFG_PORT_DMA, two halves); NULL means byte-wise reads only.  DMA
	 * needs pointers to be physical addresses, as in stage 2 and UEFI.
	 */
	u32 (*in32)(void *ctx, u16 port);
	void (*out32)(void *ctx, u16 port, u32 v);
};

/*
 * The real device, through the I/O ports (include/pvboot/io.h), for both
 * loaders: stage 2 runs with paging off and UEFI boot services
 * identity-map memory, so on either a pointer is the physical address DMA
 * needs.  Not in the host build, which fakes the device.
 */
extern const struct fwcfg_io fwcfg_ports;

/* "QEMU" at selector 0: false when there is no fw_cfg (ports read 0xff). */
bool fwcfg_present(const struct fwcfg_io *io);

/* Look name up in the file directory: 0 with its selector and size, or -1. */
int fwcfg_find(const struct fwcfg_io *io, const char *name, u16 *select, u32 *size);

/*
 * Read up to max bytes of the named file into buf.  Returns the bytes
 * read and the file's full size in *size, or -1 if fw_cfg or the file is
 * absent.
 */
long fwcfg_read_file(const struct fwcfg_io *io, const char *name, void *buf, u32 max,
		     u32 *size);

/*
 * Call fn for every file in the directory (name NUL-terminated, its
 * selector and size); fn returns false to stop.  Returns -1 without fw_cfg.
 * Read the files afterwards: reading one moves the directory's cursor.
 */
typedef bool (*fwcfg_fn)(void *ctx, const char *name, u16 select, u32 size);
int fwcfg_foreach(const struct fwcfg_io *io, fwcfg_fn fn, void *ctx);

/* Read max bytes of the item at select into buf. */
void fwcfg_read_select(const struct fwcfg_io *io, u16 select, void *buf, u32 max);

#endif
