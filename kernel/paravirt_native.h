/*
 * The native defaults the core owns (as Linux's paravirt.c did): the table
 * every backend starts from, its patcher, and the native ops other parts
 * of the core define.  Backends include this to copy the table and to
 * fall back to native_patch for the ops they leave native.
 */
#ifndef KERNEL_PARAVIRT_NATIVE_H
#define KERNEL_PARAVIRT_NATIVE_H
#include "pvboot/paravirt.h"

extern const struct paravirt_patch_template native_table;

const char *native_init(void);
const char *native_use_pae(struct paravirt_patch_template *t);  /* native_pae.c */
unsigned native_patch(u8 type, u16 clobbers, void *insnbuf,
		      unsigned long addr, unsigned len);

/* Return paths (native_entry.S): jumped to, never called. */
void native_iret(void);
void native_irq_enable_sysexit(void);

/* Interrupt controllers and clocks (kernel/apic.c, kernel/time.c). */
void native_init_IRQ(void);
void native_time_init(void);
unsigned long native_get_wallclock(void);
int native_set_wallclock(unsigned long t);
unsigned long native_get_cpu_khz(void);
void native_setup_boot_clock(void);
void native_setup_secondary_clock(void);

#endif
