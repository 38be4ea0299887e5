/* Local APIC and IO-APIC (Intel SDM vol. 3 ch. 10; 82093AA datasheet). */
#ifndef KERNEL_APIC_H
#define KERNEL_APIC_H
#include "kernel.h"
#include "pvboot/acpi.h"

extern u32 apic_base;                   /* MMIO base, identity mapped */
extern struct smp_config smp_cfg;       /* from the MADT or MP table */

void smp_config_init(void);             /* find CPUs and IO-APICs */
void lapic_init(bool bsp);              /* this CPU's local APIC */
void lapic_eoi(void);
u32 lapic_id(void);
/* Send a fixed IPI; false if the ICR stayed busy (bounded wait). */
bool send_ipi(u32 apicid, u32 icr_low);
u32 ioapic_pins(unsigned idx);

#endif
