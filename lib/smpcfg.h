/* lib-internal: building a struct smp_config from MADT or MP table entries (pvboot/acpi.h). */
#ifndef PVBOOT_LIB_SMPCFG_H
#define PVBOOT_LIB_SMPCFG_H
#include "pvboot/acpi.h"

/* Firmware tables are little-endian and unaligned: decode bytewise. */
static inline u16 le16(const u8 *p)
{
	return (u16)(p[0] | p[1] << 8);
}

static inline u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static inline u64 le64(const u8 *p)
{
	return (u64)le32(p) | (u64)le32(p + 4) << 32;
}

/* Most warnings one parse prints; the rest are counted (hostile tables). */
#define SMP_WARN_MAX 12

struct smp_builder {
	struct smp_config *cfg;
	const char *who;                /* "acpi" or "mptable", message prefix */
	cmd_warn_fn warn;
	void *wctx;
	u32 seen[256 / 32];             /* APIC ids already listed */
	u32 nwarn;
	u32 drop_ioapic, drop_ovr;
};

void smp_begin(struct smp_builder *b, struct smp_config *cfg, u32 source,
	       const char *who, cmd_warn_fn warn, void *wctx);
void smp_warn(struct smp_builder *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void smp_add_cpu(struct smp_builder *b, u32 apic_id, u32 uid, bool enabled,
		 bool bsp);
void smp_add_ioapic(struct smp_builder *b, u8 id, u32 addr, u32 gsi_base);
void smp_add_override(struct smp_builder *b, u8 bus, u8 irq, u32 gsi,
		      u16 flags);
/* Summarise what was dropped; 0 if a usable CPU was found, else -1 and *cfg cleared. */
int smp_finish(struct smp_builder *b);

#endif
