/* Collecting CPUs, IO-APICs and overrides from ACPI MADT / MP tables into struct smp_config (pvboot/acpi.h). */
#include <stdarg.h>
#include "smpcfg.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

void smp_begin(struct smp_builder *b, struct smp_config *cfg, u32 source,
	       const char *who, cmd_warn_fn warn, void *wctx)
{
	memset(b, 0, sizeof(*b));
	memset(cfg, 0, sizeof(*cfg));
	cfg->source = source;
	b->cfg = cfg;
	b->who = who;
	b->warn = warn;
	b->wctx = wctx;
}

void smp_warn(struct smp_builder *b, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	int n;

	if (b->nwarn++ >= SMP_WARN_MAX || !b->warn)
		return;
	n = pv_snprintf(line, sizeof(line), "%s: ", b->who);
	if (n >= (int)sizeof(line))     /* the prefix alone filled it */
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	pv_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	b->warn(b->wctx, line);
}

void smp_add_cpu(struct smp_builder *b, u32 apic_id, u32 uid, bool enabled,
		 bool bsp)
{
	struct smp_config *c = b->cfg;

	/* 0xff is the xAPIC broadcast id: no CPU can be addressed by it. */
	if (apic_id >= 0xff) {
		smp_warn(b, "CPU with APIC id %u not addressable in xAPIC mode, "
			 "skipped", apic_id);
		return;
	}
	if (b->seen[apic_id / 32] & (1u << (apic_id % 32))) {
		smp_warn(b, "APIC id %u listed twice, duplicate ignored", apic_id);
		return;
	}
	b->seen[apic_id / 32] |= 1u << (apic_id % 32);
	/* Distinct ids 0..254 always fit in SMP_MAX_CPUS entries. */
	struct smp_cpu *cpu = &c->cpu[c->ncpus++];
	cpu->apic_id = (u8)apic_id;
	cpu->acpi_id = uid > 0xff ? 0xff : (u8)uid;
	cpu->enabled = enabled;
	cpu->bsp = bsp;
}

void smp_add_ioapic(struct smp_builder *b, u8 id, u32 addr, u32 gsi_base)
{
	struct smp_config *c = b->cfg;

	if (c->nioapic >= SMP_MAX_IOAPICS) {
		b->drop_ioapic++;
		return;
	}
	c->ioapic[c->nioapic].id = id;
	c->ioapic[c->nioapic].addr = addr;
	c->ioapic[c->nioapic].gsi_base = gsi_base;
	c->nioapic++;
}

void smp_add_override(struct smp_builder *b, u8 bus, u8 irq, u32 gsi,
		      u16 flags)
{
	struct smp_config *c = b->cfg;

	if (c->noverride >= SMP_MAX_OVERRIDES) {
		b->drop_ovr++;
		return;
	}
	c->ovr[c->noverride].bus = bus;
	c->ovr[c->noverride].src_irq = irq;
	c->ovr[c->noverride].gsi = gsi;
	c->ovr[c->noverride].flags = flags;
	c->noverride++;
}

static u32 enabled_cpus(const struct smp_config *c)
{
	u32 n = 0;

	for (u32 i = 0; i < c->ncpus; i++)
		n += c->cpu[i].enabled != 0;
	return n;
}

int smp_finish(struct smp_builder *b)
{
	u32 suppressed = b->nwarn > SMP_WARN_MAX ? b->nwarn - SMP_WARN_MAX : 0;

	/* These summaries bypass the limit: they are the ones that matter. */
	b->nwarn = 0;
	if (b->drop_ioapic)
		smp_warn(b, "%u IO-APICs beyond the %u supported ignored",
			 b->drop_ioapic, SMP_MAX_IOAPICS);
	if (b->drop_ovr)
		smp_warn(b, "%u interrupt overrides beyond the %u supported "
			 "ignored", b->drop_ovr, SMP_MAX_OVERRIDES);
	if (suppressed)
		smp_warn(b, "%u more warnings suppressed", suppressed);
	if (enabled_cpus(b->cfg) == 0) {
		smp_warn(b, "no usable CPU listed, table ignored");
		memset(b->cfg, 0, sizeof(*b->cfg));
		return -1;
	}
	return 0;
}
