/* Per-CPU state, the hardware TSS and the thread state the table's
 * descriptor ops work on.  %fs points at this CPU's struct cpu. */
#ifndef KERNEL_CPU_H
#define KERNEL_CPU_H
#include "kernel.h"
#include "pvboot/acpi.h"

#define MAX_CPUS SMP_MAX_CPUS
#define KSTACK_SIZE 16384

/* Intel SDM vol. 3 §7.2.1, 32-bit TSS, plus the I/O bitmap offset. */
struct tss_struct {
	u32 link;
	u32 esp0, ss0, esp1, ss1, esp2, ss2;
	u32 cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	u32 es, cs, ss, ds, fs, gs, ldt;
	u16 trap, iomap_base;
} PACKED;

/* What load_esp0 / load_tls / set_iopl_mask take from a task. */
struct thread_struct {
	u32 esp0;               /* kernel stack top for traps from ring 3 */
	u32 sysenter_cs;        /* 0 = sysenter not set up */
	struct desc_struct tls[3];
	u32 iopl;               /* EFLAGS.IOPL bits */
};

struct cpu {
	struct cpu *self;       /* %fs:0, so this_cpu() is one load */
	u32 id;                 /* logical number, 0 = boot CPU */
	u32 apic_id;
	volatile u32 online;
	volatile u32 ticks;     /* local timer interrupts taken */
	volatile u32 ipis;      /* call-function IPIs taken */
	u32 stack_top;
	u64 tsc_online;         /* rdtsc when it reported in */
	void *host_vcpu;        /* a host role's guest vCPU this CPU runs (%fs-relative: one load) */
	struct thread_struct thread;
	struct desc_struct gdt[GDT_ENTRIES] __attribute__((aligned(8)));
	struct tss_struct tss;
};

extern struct cpu cpus[MAX_CPUS];
extern u32 ncpus_present;       /* CPUs the firmware listed and enabled */
extern volatile u32 ncpus_online;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	asm volatile("movl %%fs:0, %0" : "=r"(c));
	return c;
}

extern bool percpu_ready;       /* %fs valid on the boot CPU */
static inline u32 current_cpu_id(void)
{
	return percpu_ready ? this_cpu()->id : 0;
}

/* Descriptor tables (kernel/desc.c) */
void gdt_build(struct cpu *c);          /* fill c's GDT and TSS (any CPU) */
void gdt_init_cpu(struct cpu *c);       /* build and load this CPU's GDT/TSS */
void idt_init(void);                    /* build the shared IDT once */
void idt_load(void);
struct desc_struct *cpu_gdt(unsigned cpu);
void set_gate(int vec, u32 handler, int dpl, bool trap);

#endif
