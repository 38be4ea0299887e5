/* The vmi backend's shared state and entry points (docs/vmi-rom.md). */
#ifndef BACKENDS_VMI_H
#define BACKENDS_VMI_H
#include "kernel.h"
#include "pvboot/vmi.h"

struct vmi_rom {
	u8 *base;               /* our RAM copy of the ROM */
	u32 len;                /* image length */
	u32 data_size;          /* writable bytes after the image */
	u32 phys;               /* where the firmware had it */
	u32 virtual_top;        /* the header's: va_hole_start once init succeeds */
	u32 *counters;          /* GetCounters, or NULL */
	bool counting;          /* asked VMI_Init for the counting entry points */
	u32 eip[VMI_NCALLS];    /* relocation info per call */
	u8 type[VMI_NCALLS];
};
extern struct vmi_rom vmi_rom;
extern struct paravirt_patch_template vmi_table;

const char *vmi_init(void);
unsigned vmi_patch(u8 type, u16 clobbers, void *insnbuf, unsigned long addr, unsigned len);
bool vmi_has(u32 call);
/* "VMI ROM <call>" for an address inside the ROM copy, for crash dumps. */
const char *vmi_addr_name(u32 addr, u32 *offset);
/* The address of a ROM routine, as a function pointer of the given type. */
#define VMI_FN(type, call) ((type)vmi_rom.eip[call])

/* Wrapped ops (vmi_ops.c) and clocks (vmi_time.c). */
void vmi_fill_wrappers(struct paravirt_patch_template *t);
bool vmi_fill_time(struct paravirt_patch_template *t);
bool vmi_in_rom(u32 addr);
u32 vmi_defer(u32 flags);       /* flags | DEFER while this CPU is in lazy MMU mode */
/* PAE entry ops (vmi_pae.c): NULL, or why the ROM cannot run PAE. */
const char *vmi_use_pae(struct paravirt_patch_template *t);

#endif
