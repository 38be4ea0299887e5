/* i386 architectural constants: Intel SDM vol. 3 (EFLAGS, CR bits, MSRs,
 * descriptor types) and the local/IO APIC register maps. Asm-safe. */
#ifndef PVBOOT_X86_H
#define PVBOOT_X86_H

/* EFLAGS */
#define X86_EFLAGS_CF   0x00000001
#define X86_EFLAGS_IF   0x00000200
#define X86_EFLAGS_IOPL 0x00003000
#define X86_EFLAGS_NT   0x00004000
#define X86_EFLAGS_ID   0x00200000

/* Control registers */
#define X86_CR0_PE 0x00000001
#define X86_CR0_MP 0x00000002
#define X86_CR0_TS 0x00000008
#define X86_CR0_ET 0x00000010
#define X86_CR0_NE 0x00000020
#define X86_CR0_WP 0x00010000
#define X86_CR0_AM 0x00040000
#define X86_CR0_PG 0x80000000
#define X86_CR4_PSE 0x00000010
#define X86_CR4_PAE 0x00000020
#define X86_CR4_PGE 0x00000080

/* MSRs */
#define MSR_IA32_APICBASE 0x1b
#define MSR_IA32_APICBASE_BSP (1 << 8)
#define MSR_IA32_APICBASE_ENABLE (1 << 11)
#define MSR_IA32_SYSENTER_CS  0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_TSC 0x10
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)       /* long mode enable (the x64 UEFI loader clears it) */
#define EFER_NXE (1 << 11)      /* PAE entries' bit 63 is execute-disable */

/* GDT layout, the same on every CPU (each CPU has its own copy). */
#define GDT_NULL     0
#define GDT_KCODE    1
#define GDT_KDATA    2
#define GDT_UCODE    3
#define GDT_UDATA    4
#define GDT_TSS      5
#define GDT_PERCPU   6          /* %fs: base = this CPU's struct cpu */
#define GDT_TLS0     7          /* three TLS slots for load_tls */
#define GDT_LDT      10         /* the LDT descriptor set_ldt loads */
#define GDT_ENTRIES  11
#define SEL_KCODE   (GDT_KCODE << 3)
#define SEL_KDATA   (GDT_KDATA << 3)
#define SEL_UCODE   ((GDT_UCODE << 3) | 3)
#define SEL_UDATA   ((GDT_UDATA << 3) | 3)
#define SEL_TSS     (GDT_TSS << 3)
#define SEL_PERCPU  (GDT_PERCPU << 3)

/* Page tables (2-level) */
#define PAGE_SIZE 4096
#define PAGE_SHIFT 12
#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_U   0x004
#define PTE_PWT 0x008
#define PTE_PCD 0x010
#define PTE_A   0x020
#define PTE_D   0x040
#define PTE_PS  0x080
#define PTE_G   0x100

/* Local APIC registers (offsets from the base) */
#define APIC_DEFAULT_BASE 0xFEE00000
#define APIC_ID      0x020
#define APIC_VERSION 0x030
#define APIC_TPR     0x080
#define APIC_EOI     0x0B0
#define APIC_LDR     0x0D0
#define APIC_DFR     0x0E0
#define APIC_SVR     0x0F0
#define APIC_ESR     0x280
#define APIC_ICR_LO  0x300
#define APIC_ICR_HI  0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3E0
#define APIC_TIMER_DIV_16 0x3   /* APIC_TIMER_DIV value: bus clock / 16 */
#define APIC_SVR_ENABLE 0x100
#define APIC_LVT_MASKED 0x10000
#define APIC_TIMER_PERIODIC 0x20000
#define APIC_ICR_MODE     0x00700      /* delivery mode field (INIT, STARTUP) */
#define APIC_ICR_INIT     0x00500
#define APIC_ICR_STARTUP  0x00600
#define APIC_ICR_LEVEL    0x08000
#define APIC_ICR_ASSERT   0x04000
#define APIC_ICR_BUSY     0x01000
#define APIC_ICR_SHORTHAND 0xC0000     /* destination shorthand field (0: the ICR_HI APIC id) */
#define APIC_ICR_ALL_BUT_SELF 0xC0000

/* IO-APIC */
#define IOAPIC_DEFAULT_BASE 0xFEC00000
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN    0x10
#define IOAPIC_VER    0x01
#define IOAPIC_REDTBL(n) (0x10 + 2 * (n))

/* Interrupt vectors */
#define VEC_IRQ_BASE   0x30     /* IO-APIC pins 0.. */
#define VEC_TIMER      0xF0     /* local APIC timer */
#define VEC_IPI_CALL   0xF1     /* run a function on another CPU */
#define VEC_WAKE       0xF2     /* wake a halted CPU, nothing else */
#define VEC_APIC_ERROR 0xFE
#define VEC_SPURIOUS   0xFF
#define VEC_SYSCALL    0x80

#endif
