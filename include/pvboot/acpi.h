/*
 * Finding CPUs and interrupt controllers: ACPI (RSDP, RSDT/XSDT, MADT per
 * ACPI 6.x §5.2) with the Intel MultiProcessor Specification 1.4 tables as
 * the fallback.  Pure code over an injected physical-memory reader, so the
 * host tests feed it byte images.
 */
#ifndef PVBOOT_ACPI_H
#define PVBOOT_ACPI_H
#include "pvboot/types.h"
#include "pvboot/cmdline.h"     /* cmd_warn_fn */

/*
 * Copy len bytes of physical memory at phys into buf.  Returns false if any
 * part of the range is not readable (the parsers then report and skip).
 */
typedef bool (*phys_read_fn)(void *ctx, u64 phys, void *buf, u32 len);

/*
 * A byte image standing in for physical memory [base, base + len): how
 * madt_parse and mptable_parse_config read their buffers, and the reader
 * the host tests and fuzzers hand to the phys_read_fn users.
 */
struct phys_image {
	const u8 *data;
	u64 base;
	size_t len;
};
bool phys_image_read(void *ctx, u64 phys, void *buf, u32 len);

/* Sum len bytes at phys through rd (mod 256); false if unreadable. */
bool phys_checksum(phys_read_fn rd, void *ctx, u64 phys, u32 len, u8 *sum);

/*
 * Call found(arg, at) for each 16-byte boundary `at` in [start, start +
 * len) where a candidate of cand_len bytes fits and whose first siglen
 * (1..16) bytes are sig, in order, until found() returns true; returns
 * that `at`, or 0.  Reads the area a block at a time (one read per KiB,
 * not one per candidate); a block that cannot be read whole is probed
 * 16 bytes at a time, so the outcome is the same as probing each
 * boundary.
 */
u64 phys_scan16(phys_read_fn rd, void *ctx, u64 start, u32 len, u32 cand_len,
		const char *sig, u32 siglen, bool (*found)(void *arg, u64 at), void *arg);

/* Longest table the parsers accept (ACPI SDT, MP configuration table). */
#define ACPI_TABLE_MAX (64u * 1024)

#define SMP_MAX_CPUS 256
#define SMP_MAX_IOAPICS 8
#define SMP_MAX_OVERRIDES 24

struct smp_cpu {
	u8 apic_id;
	u8 acpi_id;             /* ACPI processor UID, or MP table index */
	u8 enabled;             /* usable: enabled, or online-capable */
	u8 bsp;                 /* MP table marks the BSP; ACPI leaves 0 */
};

struct smp_ioapic {
	u8 id;
	u32 addr;
	u32 gsi_base;
};

/* ISA IRQ -> GSI override, flags as in the MADT (polarity, trigger). */
struct smp_override {
	u8 bus;
	u8 src_irq;
	u32 gsi;
	u16 flags;
};

/* What the firmware told us; the same for ACPI and MP table sources. */
struct smp_config {
	u32 lapic_addr;
	u32 ncpus;              /* entries in cpu[], enabled or not */
	struct smp_cpu cpu[SMP_MAX_CPUS];
	u32 nioapic;
	struct smp_ioapic ioapic[SMP_MAX_IOAPICS];
	u32 noverride;
	struct smp_override ovr[SMP_MAX_OVERRIDES];
	bool pic_present;       /* MADT PCAT_COMPAT / MP IMCR: 8259s exist */
	u32 source;             /* SMP_SRC_* */
};

enum { SMP_SRC_NONE = 0, SMP_SRC_ACPI = 1, SMP_SRC_MPTABLE = 2,
       SMP_SRC_BACKEND = 3 };   /* the paravirt backend listed the CPUs (its host's vCPUs) */

/* Sum of bytes mod 256. */
u8 acpi_checksum(const void *p, size_t len);

/*
 * Find the RSDP: in the first KiB of the EBDA (segment at 0x40E), then in
 * 0xE0000-0xFFFFF, on 16-byte boundaries; signature, ACPI 1.0 checksum and,
 * for revision >= 2, length and extended checksum must hold.  Returns the
 * physical address or 0.
 */
u64 acpi_find_rsdp(phys_read_fn rd, void *ctx, cmd_warn_fn warn, void *wctx);

/*
 * From an RSDP address: validate RSDP, then XSDT (preferred, revision >= 2)
 * or RSDT, then find and parse the MADT ("APIC").  Every table's signature,
 * length (bounded, at least its header) and checksum is checked; a bad
 * table is reported through warn and skipped.  Returns 0 and fills *out on
 * success, -1 if no usable MADT was found.
 */
int acpi_parse_madt_from_rsdp(u64 rsdp, phys_read_fn rd, void *ctx,
			      struct smp_config *out, cmd_warn_fn warn,
			      void *wctx);

/*
 * Parse a complete MADT image (header included) of `len` bytes.  Entries
 * whose length is < 2 or runs past the table end stop the walk with a
 * warning; entries beyond the array limits are counted and reported.
 */
int madt_parse(const void *madt, size_t len, struct smp_config *out,
	       cmd_warn_fn warn, void *wctx);

/*
 * MP table: find the floating pointer ("_MP_", 16 bytes, checksum) in the
 * first KiB of the EBDA, the last KiB of base memory, or 0xF0000-0xFFFFF;
 * then parse its configuration table ("PCMP", base table checksum).
 * Default configurations (feature byte 1 != 0) yield two CPUs (APIC ids 0,
 * 1) and one IO-APIC at 0xFEC00000 per the spec.  0 on success, -1 if none.
 */
int mptable_find_and_parse(phys_read_fn rd, void *ctx, struct smp_config *out,
			   cmd_warn_fn warn, void *wctx);

/* Parse a configuration table image ("PCMP" header included). */
int mptable_parse_config(const void *tbl, size_t len, struct smp_config *out,
			 cmd_warn_fn warn, void *wctx);

#endif
