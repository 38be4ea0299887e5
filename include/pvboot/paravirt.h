/*
 * The paravirt operations table (the 2007 Linux table's struct paravirt_ops, Linux
 * 2.6.22 include/asm-i386/paravirt.h) split by concern as later Linux did,
 * the typed inline wrappers every caller uses, and the patch-site record.
 *
 * Calling convention: the whole kernel is built with -mregparm=3, so every
 * op takes its first three 32-bit arguments in %eax, %edx, %ecx (a u64
 * argument takes two registers, low word first), further arguments on the
 * stack, and returns in %eax or %edx:%eax.  %eax, %ecx and %edx are
 * clobbered unless a site says otherwise.
 *
 * Patch types: all sub-tables are laid end to end in one template
 * (struct paravirt_patch_template) whose members are all 4 bytes wide, so
 * an op's patch type is its offset in the template / 4, and the type is
 * also the index of its slot: an unpatched site is `call *(pv_ops+type*4)`.
 */
#ifndef PVBOOT_PARAVIRT_H
#define PVBOOT_PARAVIRT_H

/* Register clobber masks of a site (what the code there may destroy). */
#define CLBR_NONE 0x0
#define CLBR_EAX  0x1
#define CLBR_ECX  0x2
#define CLBR_EDX  0x4
#define CLBR_ANY  0x7

/* Patch types used by assembly code; kernel/kparavirt.c checks them
 * against PV_TYPE() at compile time. */
#define PV_TYPE_IRQ_ENABLE_SYSEXIT 47
#define PV_TYPE_IRET 48
#define PV_NSLOTS 92              /* 4-byte slots in the template */

#ifdef __ASSEMBLER__
/* A patchable jump through the table from assembly (the return paths);
 * the record is the one _PVSITE writes from C. */
.macro PV_JMP_SITE type
771:	jmp *(pv_ops + \type * 4)
772:
	.pushsection .parainstructions, "a"
	.long 771b
	.byte \type
	.byte 772b - 771b
	.short CLBR_ANY
	.popsection
.endm
#endif

#ifndef __ASSEMBLER__
#include "pvboot/types.h"

/*
 * Entry values, in whichever format the kernel chose at boot
 * (pvboot/pgtable.h): 2-level entries are 32 bits, zero-extended here;
 * PAE entries are 64 bits.  Under 2-level paging the pud and pmd levels
 * fold into the pgd.
 */
typedef u64 pte_t;
typedef u64 pmd_t;
typedef u64 pud_t;
typedef u64 pgd_t;

/* An entry in memory: 4 bytes under 2-level paging, 8 under PAE.  An
 * incomplete type, so no code can dereference one with the wrong size;
 * the kernel reads entries with pxe_get() (kernel/mm.h). */
typedef struct pxe pxe_t;

struct desc_ptr {               /* the 2007 Linux table's Xgt_desc_struct: lgdt/lidt operand */
	u16 size;
	u32 address;
} PACKED;

struct desc_struct {            /* one 8-byte segment or gate descriptor */
	u32 a, b;
};

struct tss_struct;              /* hardware TSS (kernel/x86.h) */
struct thread_struct;           /* kernel stack top, TLS, I/O privilege */
struct mm_struct;               /* an address space (kernel/mm.h) */

/* Lazy modes: while in one, a backend may batch the matching updates. */
enum paravirt_lazy_mode {
	PARAVIRT_LAZY_NONE = 0,
	PARAVIRT_LAZY_MMU = 1,  /* page-table updates may be deferred */
	PARAVIRT_LAZY_CPU = 2,  /* cpu state (esp0, TLS, iopl) may be deferred */
	PARAVIRT_LAZY_FLUSH = 3, /* apply everything queued, stay in the mode */
};

/* Facts about the backend, not operations. */
struct pv_info {
	unsigned int kernel_rpl;        /* ring the kernel runs in (1 under lguest) */
	int shared_kernel_pmd;          /* kernel pmds may be shared between pgds */
	int paravirt_enabled;           /* 0 only on native */
	const char *name;
};

/* Setup and the patcher. */
struct pv_init_ops {
	/*
	 * Write the replacement for one site into insnbuf (a copy of the site,
	 * len bytes; addr is where it will live, for relative jumps).  Return
	 * how many bytes were used (<= len); the caller NOP-pads the rest.
	 * Differs from the 2007 Linux table: the 2007 Linux table patched in place with no addr; a
	 * separate buffer lets the caller check invariants before writing
	 * and lets host tests drive patchers on byte buffers.
	 */
	unsigned (*patch)(u8 type, u16 clobbers, void *insnbuf,
			  unsigned long addr, unsigned len);
	void (*arch_setup)(void);
	char *(*memory_setup)(void);    /* returns who provided the memory map */
	void (*banner)(void);
	/* Before/after the kernel page tables are built; setup_start may
	 * reset cr3 and pre-install mappings, which setup must preserve. */
	void (*pagetable_setup_start)(pxe_t *pgd_base);
	void (*pagetable_setup_done)(pxe_t *pgd_base);
};

/* Clocks (docs/design.md §8). */
struct pv_time_ops {
	void (*time_init)(void);
	unsigned long (*get_wallclock)(void);   /* seconds since 1970 */
	int (*set_wallclock)(unsigned long);    /* 0 or -1 */
	u64 (*get_scheduled_cycles)(void);      /* cycles this CPU ran us */
	unsigned long (*get_cpu_khz)(void);
};

/* Privileged CPU state. */
struct pv_cpu_ops {
	/* cpuid emulation, mostly so that capability bits can be hidden */
	void (*cpuid)(unsigned int *eax, unsigned int *ebx,
		      unsigned int *ecx, unsigned int *edx);
	unsigned long (*get_debugreg)(int regno);
	void (*set_debugreg)(int regno, unsigned long value);
	void (*clts)(void);
	unsigned long (*read_cr0)(void);
	void (*write_cr0)(unsigned long);
	unsigned long (*read_cr2)(void);
	void (*write_cr2)(unsigned long);
	unsigned long (*read_cr3)(void);
	void (*write_cr3)(unsigned long);
	unsigned long (*read_cr4_safe)(void);   /* 0 instead of #UD without CR4 */
	unsigned long (*read_cr4)(void);
	void (*write_cr4)(unsigned long);
	void (*wbinvd)(void);
	/* A missing MSR sets *err = -14 (-EFAULT) and returns 0 instead of
	 * raising #GP; write_msr returns 0 or -14 the same way. */
	u64 (*read_msr)(unsigned int msr, int *err);
	int (*write_msr)(unsigned int msr, u64 val);
	u64 (*read_tsc)(void);
	u64 (*read_pmc)(void);                  /* counter number in ecx: 0 */
	/* Descriptor tables */
	void (*load_tr_desc)(void);
	void (*load_gdt)(const struct desc_ptr *);
	void (*load_idt)(const struct desc_ptr *);
	void (*store_gdt)(struct desc_ptr *);
	void (*store_idt)(struct desc_ptr *);
	void (*set_ldt)(const void *desc, unsigned entries);
	unsigned long (*store_tr)(void);
	void (*load_tls)(struct thread_struct *t, unsigned int cpu);
	void (*write_ldt_entry)(struct desc_struct *ldt, int entry, u32 low, u32 high);
	void (*write_gdt_entry)(struct desc_struct *gdt, int entry, u32 low, u32 high);
	void (*write_idt_entry)(struct desc_struct *idt, int entry, u32 low, u32 high);
	void (*load_esp0)(struct tss_struct *tss, struct thread_struct *t);
	void (*set_iopl_mask)(unsigned mask);   /* mask is EFLAGS' IOPL bits */
	void (*io_delay)(void);
	/* Jumped to, never called: the last instruction of a return path.
	 * irq_enable_sysexit enables interrupts and does sysexit (edx = eip,
	 * ecx = esp); iret pops eip, cs, eflags (and esp, ss) from the stack. */
	void (*irq_enable_sysexit)(void);
	void (*iret)(void);
};

/* The interrupt flag.  save_fl/restore_fl only promise EFLAGS.IF (0x200):
 * other bits returned are undefined and restore_fl may ignore them. */
struct pv_irq_ops {
	void (*init_IRQ)(void);
	unsigned long (*save_fl)(void);
	void (*restore_fl)(unsigned long);
	void (*irq_disable)(void);
	void (*irq_enable)(void);
	void (*safe_halt)(void);        /* enable interrupts and halt, atomically */
	void (*halt)(void);
};

/* The local APIC.  Registers are byte offsets from the APIC base. */
struct pv_apic_ops {
	void (*apic_write)(unsigned long reg, unsigned long v);
	void (*apic_write_atomic)(unsigned long reg, unsigned long v);
	unsigned long (*apic_read)(unsigned long reg);
	void (*setup_boot_clock)(void);         /* BSP's local timer */
	void (*setup_secondary_clock)(void);    /* each AP's local timer */
};

/* Starting other CPUs. */
struct pv_smp_ops {
	/* Called before INIT/SIPI of each AP: start_eip is the real-mode
	 * trampoline, start_esp the AP's stack top.  Native does nothing. */
	void (*startup_ipi_hook)(int phys_apicid, unsigned long start_eip,
				 unsigned long start_esp);
};

/* Address spaces, TLB and page tables. */
struct pv_mmu_ops {
	void (*activate_mm)(struct mm_struct *prev, struct mm_struct *next);
	void (*dup_mmap)(struct mm_struct *oldmm, struct mm_struct *mm);
	void (*exit_mmap)(struct mm_struct *mm);
	void (*flush_tlb_user)(void);           /* non-global entries */
	void (*flush_tlb_kernel)(void);         /* everything */
	void (*flush_tlb_single)(unsigned long addr);
	/* A page-table page at pfn is about to be mapped at va (type 0 = pt). */
	void (*map_pt_hook)(int type, pxe_t *va, u32 pfn);
	/* Page-table pages being put into, or taken out of, service. */
	void (*alloc_pt)(u32 pfn);
	void (*alloc_pd)(u32 pfn);
	void (*alloc_pd_clone)(u32 pfn, u32 clonepfn, u32 start, u32 count);
	void (*release_pt)(u32 pfn);
	void (*release_pd)(u32 pfn);
	/*
	 * Entry writes.  A 64-bit value takes two registers (edx low, ecx
	 * high) after one pointer argument, or two stack words (low first)
	 * after three.  Under PAE an entry is written as two halves unless
	 * the op says atomic: set_pte, set_pte_at, set_pte_present,
	 * pte_clear and pmd_clear order them so that the hardware never sees
	 * a present entry made of two different values (pvboot/pgtable.h).
	 */
	void (*set_pte)(pxe_t *ptep, pte_t pteval);
	void (*set_pte_at)(struct mm_struct *mm, unsigned long addr,
			   pxe_t *ptep, pte_t pteval);
	void (*set_pmd)(pxe_t *pmdp, pmd_t pmdval);         /* atomic */
	/* The pte at addr changed by direct write (accessed/dirty cleared). */
	void (*pte_update)(struct mm_struct *mm, unsigned long addr, pxe_t *ptep);
	/* The same, but the caller flushes the TLB soon: may be batched. */
	void (*pte_update_defer)(struct mm_struct *mm, unsigned long addr,
				 pxe_t *ptep);
	pte_t (*ptep_get_and_clear)(pxe_t *ptep);          /* atomic */
	/* PAE-only in the 2007 Linux table.  Under 2-level paging they take 32-bit
	 * entries and keep their contracts (set_pud folds into set_pmd). */
	void (*set_pte_atomic)(pxe_t *ptep, pte_t pteval);  /* one 8-byte store */
	/* May replace a present entry (through not-present under PAE). */
	void (*set_pte_present)(struct mm_struct *mm, unsigned long addr,
				pxe_t *ptep, pte_t pte);
	void (*set_pud)(pxe_t *pudp, pud_t pudval);         /* atomic */
	void (*pte_clear)(struct mm_struct *mm, unsigned long addr, pxe_t *ptep);
	void (*pmd_clear)(pxe_t *pmdp);
	/* Entry <-> value conversions (machine <-> physical frames), 64-bit
	 * in and out: in %eax:%edx, out in %edx:%eax, so an identity is a
	 * NOP at the call site. */
	u64 (*pte_val)(pte_t);
	u64 (*pmd_val)(pmd_t);
	u64 (*pgd_val)(pgd_t);
	pte_t (*make_pte)(u64 pte);
	pmd_t (*make_pmd)(u64 pmd);
	pgd_t (*make_pgd)(u64 pgd);
};

/* Batching. */
struct pv_lazy_ops {
	void (*set_lazy_mode)(enum paravirt_lazy_mode mode);
};

/* One backend's complete table; also the layout that defines patch types. */
struct paravirt_patch_template {
	struct pv_info info;
	struct pv_init_ops init;
	struct pv_time_ops time;
	struct pv_cpu_ops cpu;
	struct pv_irq_ops irq;
	struct pv_apic_ops apic;
	struct pv_smp_ops smp;
	struct pv_mmu_ops mmu;
	struct pv_lazy_ops lazy;
};

#define PV_TYPE(op) (__builtin_offsetof(struct paravirt_patch_template, op) / 4)

/* The table in use: a copy of the chosen backend's, made at boot. */
extern struct paravirt_patch_template pv_ops;

/* One patchable site, in section .parainstructions (docs/design.md §6). */
struct paravirt_patch_site {
	u32 addr;               /* first byte of the site */
	u8 type;                /* PV_TYPE of the op */
	u8 len;                 /* bytes available */
	u16 clobbers;           /* CLBR_* the site may destroy */
} PACKED;

extern struct paravirt_patch_site __parainstructions[], __parainstructions_end[];

/* Shared no-op targets, recognised by the patcher (NOP-out the site). */
void paravirt_nop(void);
unsigned long paravirt_ident_32(unsigned long x);  /* eax in -> eax out */
u64 paravirt_ident_64(u64 x);                      /* edx:eax in -> out */

/* Name of an op for listings ("cpu.read_cr3"), NULL if out of range. */
const char *paravirt_op_name(unsigned type);

/*
 * Everything below exists only in the i386 kernel: host tools and tests
 * (64-bit) include this header for the table layout and constants only.
 */
#if defined(__i386__)

/* ---- call sites (private to this header) ----------------------------- */

/* Where site records go; the benchmark builds a copy of its samplers
 * with records elsewhere, so that those sites stay unpatched. */
#ifndef PV_SITE_SECTION
#define PV_SITE_SECTION ".parainstructions"
#endif

#define _PVSITE(insn, type, clobber)					\
	"771:\n\t" insn "\n772:\n"					\
	".pushsection " PV_SITE_SECTION ",\"a\"\n"			\
	" .long 771b\n"							\
	" .byte " type "\n"						\
	" .byte 772b-771b\n"						\
	" .short " clobber "\n"						\
	".popsection\n"

#define _PVCALL_INSN "call *(pv_ops+%c[pv_type]*4)"
#define _PVSITE_ANY _PVSITE(_PVCALL_INSN, "%c[pv_type]", "%c[pv_clob]")
#define _PVOPS(op) [pv_type] "i"(PV_TYPE(op)), [pv_clob] "i"(CLBR_ANY)

/* 0..3 register arguments; every result is taken as edx:eax. */
#define _PVOP_CALL0(op) ({						\
	u32 __a, __d, __c;						\
	asm volatile(_PVSITE_ANY : "=a"(__a), "=d"(__d), "=c"(__c)	\
		     : _PVOPS(op) : "memory", "cc");			\
	((u64)__d << 32) | __a; })

#define _PVOP_CALL1(op, a1) ({						\
	u32 __a = (u32)(a1), __d, __c;					\
	asm volatile(_PVSITE_ANY : "+a"(__a), "=d"(__d), "=c"(__c)	\
		     : _PVOPS(op) : "memory", "cc");			\
	((u64)__d << 32) | __a; })

#define _PVOP_CALL2(op, a1, a2) ({					\
	u32 __a = (u32)(a1), __d = (u32)(a2), __c;			\
	asm volatile(_PVSITE_ANY : "+a"(__a), "+d"(__d), "=c"(__c)	\
		     : _PVOPS(op) : "memory", "cc");			\
	((u64)__d << 32) | __a; })

#define _PVOP_CALL3(op, a1, a2, a3) ({					\
	u32 __a = (u32)(a1), __d = (u32)(a2), __c = (u32)(a3);		\
	asm volatile(_PVSITE_ANY : "+a"(__a), "+d"(__d), "+c"(__c)	\
		     : _PVOPS(op) : "memory", "cc");			\
	((u64)__d << 32) | __a; })

/* Fourth argument on the stack: the push and pop stay outside the site. */
#define _PVOP_CALL4(op, a1, a2, a3, a4) ({				\
	u32 __a = (u32)(a1), __d = (u32)(a2), __c = (u32)(a3);		\
	asm volatile("pushl %[pv_a4]\n\t" _PVSITE_ANY "\n\taddl $4, %%esp"	\
		     : "+a"(__a), "+d"(__d), "+c"(__c)			\
		     : [pv_a4] "g"((u32)(a4)), _PVOPS(op) : "memory", "cc");	\
	((u64)__d << 32) | __a; })

/* A 64-bit last argument after three: two stack words, low first. */
#define _PVOP_CALL5(op, a1, a2, a3, a4, a5) ({				\
	u32 __a = (u32)(a1), __d = (u32)(a2), __c = (u32)(a3);		\
	asm volatile("pushl %[pv_a5]\n\tpushl %[pv_a4]\n\t" _PVSITE_ANY	\
		     "\n\taddl $8, %%esp"					\
		     : "+a"(__a), "+d"(__d), "+c"(__c)			\
		     : [pv_a4] "g"((u32)(a4)), [pv_a5] "g"((u32)(a5)),	\
		       _PVOPS(op) : "memory", "cc");			\
	((u64)__d << 32) | __a; })

/* The two halves of a 64-bit argument. */
#define _PV_LO(v) ((u32)(u64)(v))
#define _PV_HI(v) ((u32)((u64)(v) >> 32))

/*
 * Hot sites (interrupt flag): only %eax is clobbered, so the site itself
 * saves %ecx/%edx around the call.  Ten bytes long (push, push, 6-byte
 * call, pop, pop), enough for a hypercall backend's inline store.
 */
#define _PVSITE_HOT _PVSITE("pushl %%ecx; pushl %%edx; " _PVCALL_INSN	\
			    "; popl %%edx; popl %%ecx", "%c[pv_type]",	\
			    "%c[pv_clob]")
#define _PVOPS_HOT(op) [pv_type] "i"(PV_TYPE(op)), [pv_clob] "i"(CLBR_EAX)

/* ---- typed wrappers: the only way the kernel reaches an op ----------- */

/* info */
static inline unsigned pv_kernel_rpl(void) { return pv_ops.info.kernel_rpl; }
static inline const char *pv_name(void) { return pv_ops.info.name; }

/* init */
static inline void arch_setup(void) { _PVOP_CALL0(init.arch_setup); }
static inline char *memory_setup(void) { return (char *)(u32)_PVOP_CALL0(init.memory_setup); }
static inline void paravirt_banner(void) { _PVOP_CALL0(init.banner); }
static inline void paravirt_pagetable_setup_start(pxe_t *base) { _PVOP_CALL1(init.pagetable_setup_start, base); }
static inline void paravirt_pagetable_setup_done(pxe_t *base) { _PVOP_CALL1(init.pagetable_setup_done, base); }

/* time */
static inline void time_init(void) { _PVOP_CALL0(time.time_init); }
static inline unsigned long get_wallclock(void) { return (u32)_PVOP_CALL0(time.get_wallclock); }
static inline int set_wallclock(unsigned long t) { return (int)_PVOP_CALL1(time.set_wallclock, t); }
static inline u64 get_scheduled_cycles(void) { return _PVOP_CALL0(time.get_scheduled_cycles); }
static inline unsigned long get_cpu_khz(void) { return (u32)_PVOP_CALL0(time.get_cpu_khz); }

/* cpu */
static inline void cpuid_raw(unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	_PVOP_CALL4(cpu.cpuid, a, b, c, d);
}
static inline void cpuid(unsigned leaf, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	*a = leaf;
	*c = 0;
	cpuid_raw(a, b, c, d);
}
static inline void cpuid_count(unsigned leaf, unsigned sub, unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	*a = leaf;
	*c = sub;
	cpuid_raw(a, b, c, d);
}
static inline unsigned long get_debugreg(int reg) { return (u32)_PVOP_CALL1(cpu.get_debugreg, reg); }
static inline void set_debugreg(int reg, unsigned long v) { _PVOP_CALL2(cpu.set_debugreg, reg, v); }
static inline void clts(void) { _PVOP_CALL0(cpu.clts); }
static inline unsigned long read_cr0(void) { return (u32)_PVOP_CALL0(cpu.read_cr0); }
static inline void write_cr0(unsigned long v) { _PVOP_CALL1(cpu.write_cr0, v); }
static inline unsigned long read_cr2(void) { return (u32)_PVOP_CALL0(cpu.read_cr2); }
static inline void write_cr2(unsigned long v) { _PVOP_CALL1(cpu.write_cr2, v); }
static inline unsigned long read_cr3(void) { return (u32)_PVOP_CALL0(cpu.read_cr3); }
static inline void write_cr3(unsigned long v) { _PVOP_CALL1(cpu.write_cr3, v); }
static inline unsigned long read_cr4_safe(void) { return (u32)_PVOP_CALL0(cpu.read_cr4_safe); }
static inline unsigned long read_cr4(void) { return (u32)_PVOP_CALL0(cpu.read_cr4); }
static inline void write_cr4(unsigned long v) { _PVOP_CALL1(cpu.write_cr4, v); }
static inline void wbinvd(void) { _PVOP_CALL0(cpu.wbinvd); }
static inline u64 rdmsr_safe(unsigned msr, int *err) { return _PVOP_CALL2(cpu.read_msr, msr, err); }
static inline int wrmsr_safe(unsigned msr, u64 v) { return (int)_PVOP_CALL3(cpu.write_msr, msr, (u32)v, (u32)(v >> 32)); }
static inline u64 rdtsc(void) { return _PVOP_CALL0(cpu.read_tsc); }
static inline u64 rdpmc(unsigned counter) { return _PVOP_CALL3(cpu.read_pmc, 0, 0, counter); }
static inline void load_tr_desc(void) { _PVOP_CALL0(cpu.load_tr_desc); }
static inline void load_gdt(const struct desc_ptr *d) { _PVOP_CALL1(cpu.load_gdt, d); }
static inline void load_idt(const struct desc_ptr *d) { _PVOP_CALL1(cpu.load_idt, d); }
static inline void store_gdt(struct desc_ptr *d) { _PVOP_CALL1(cpu.store_gdt, d); }
static inline void store_idt(struct desc_ptr *d) { _PVOP_CALL1(cpu.store_idt, d); }
static inline void set_ldt(const void *desc, unsigned n) { _PVOP_CALL2(cpu.set_ldt, desc, n); }
static inline unsigned long store_tr(void) { return (u32)_PVOP_CALL0(cpu.store_tr); }
static inline void load_tls(struct thread_struct *t, unsigned cpu) { _PVOP_CALL2(cpu.load_tls, t, cpu); }
static inline void write_ldt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi) { _PVOP_CALL4(cpu.write_ldt_entry, dt, e, lo, hi); }
static inline void write_gdt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi) { _PVOP_CALL4(cpu.write_gdt_entry, dt, e, lo, hi); }
static inline void write_idt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi) { _PVOP_CALL4(cpu.write_idt_entry, dt, e, lo, hi); }
static inline void load_esp0(struct tss_struct *tss, struct thread_struct *t) { _PVOP_CALL2(cpu.load_esp0, tss, t); }
static inline void set_iopl_mask(unsigned mask) { _PVOP_CALL1(cpu.set_iopl_mask, mask); }
static inline void io_delay(void) { _PVOP_CALL0(cpu.io_delay); }

/* irq: hot sites */
static inline unsigned long save_fl(void)
{
	u32 f;
	asm volatile(_PVSITE_HOT : "=a"(f) : _PVOPS_HOT(irq.save_fl) : "memory", "cc");
	return f;
}
static inline void restore_fl(unsigned long f)
{
	asm volatile(_PVSITE_HOT : "+a"(f) : _PVOPS_HOT(irq.restore_fl) : "memory", "cc");
}
static inline void irq_disable(void)
{
	u32 a;
	asm volatile(_PVSITE_HOT : "=a"(a) : _PVOPS_HOT(irq.irq_disable) : "memory", "cc");
}
static inline void irq_enable(void)
{
	u32 a;
	asm volatile(_PVSITE_HOT : "=a"(a) : _PVOPS_HOT(irq.irq_enable) : "memory", "cc");
}
static inline unsigned long irq_save(void)
{
	unsigned long f = save_fl();
	irq_disable();
	return f;
}
static inline void init_IRQ(void) { _PVOP_CALL0(irq.init_IRQ); }
static inline void safe_halt(void) { _PVOP_CALL0(irq.safe_halt); }
static inline void halt(void) { _PVOP_CALL0(irq.halt); }

/* apic */
static inline void apic_write(unsigned long reg, unsigned long v) { _PVOP_CALL2(apic.apic_write, reg, v); }
static inline void apic_write_atomic(unsigned long reg, unsigned long v) { _PVOP_CALL2(apic.apic_write_atomic, reg, v); }
static inline unsigned long apic_read(unsigned long reg) { return (u32)_PVOP_CALL1(apic.apic_read, reg); }
static inline void setup_boot_clock(void) { _PVOP_CALL0(apic.setup_boot_clock); }
static inline void setup_secondary_clock(void) { _PVOP_CALL0(apic.setup_secondary_clock); }

/* smp */
static inline void startup_ipi_hook(int apicid, unsigned long eip, unsigned long esp)
{
	_PVOP_CALL3(smp.startup_ipi_hook, apicid, eip, esp);
}

/* mmu */
static inline void activate_mm(struct mm_struct *prev, struct mm_struct *next) { _PVOP_CALL2(mmu.activate_mm, prev, next); }
static inline void arch_dup_mmap(struct mm_struct *old, struct mm_struct *mm) { _PVOP_CALL2(mmu.dup_mmap, old, mm); }
static inline void arch_exit_mmap(struct mm_struct *mm) { _PVOP_CALL1(mmu.exit_mmap, mm); }
static inline void flush_tlb_user(void) { _PVOP_CALL0(mmu.flush_tlb_user); }
static inline void flush_tlb_kernel(void) { _PVOP_CALL0(mmu.flush_tlb_kernel); }
static inline void flush_tlb_single(unsigned long addr) { _PVOP_CALL1(mmu.flush_tlb_single, addr); }
static inline void map_pt_hook(int type, pxe_t *va, u32 pfn) { _PVOP_CALL3(mmu.map_pt_hook, type, va, pfn); }
static inline void paravirt_alloc_pt(u32 pfn) { _PVOP_CALL1(mmu.alloc_pt, pfn); }
static inline void paravirt_alloc_pd(u32 pfn) { _PVOP_CALL1(mmu.alloc_pd, pfn); }
static inline void paravirt_alloc_pd_clone(u32 pfn, u32 clone, u32 start, u32 count) { _PVOP_CALL4(mmu.alloc_pd_clone, pfn, clone, start, count); }
static inline void paravirt_release_pt(u32 pfn) { _PVOP_CALL1(mmu.release_pt, pfn); }
static inline void paravirt_release_pd(u32 pfn) { _PVOP_CALL1(mmu.release_pd, pfn); }
static inline void set_pte(pxe_t *p, pte_t v) { _PVOP_CALL3(mmu.set_pte, p, _PV_LO(v), _PV_HI(v)); }
static inline void set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { _PVOP_CALL5(mmu.set_pte_at, mm, a, p, _PV_LO(v), _PV_HI(v)); }
static inline void set_pmd(pxe_t *p, pmd_t v) { _PVOP_CALL3(mmu.set_pmd, p, _PV_LO(v), _PV_HI(v)); }
static inline void pte_update(struct mm_struct *mm, unsigned long a, pxe_t *p) { _PVOP_CALL3(mmu.pte_update, mm, a, p); }
static inline void pte_update_defer(struct mm_struct *mm, unsigned long a, pxe_t *p) { _PVOP_CALL3(mmu.pte_update_defer, mm, a, p); }
static inline pte_t ptep_get_and_clear(pxe_t *p) { return _PVOP_CALL1(mmu.ptep_get_and_clear, p); }
static inline void set_pte_atomic(pxe_t *p, pte_t v) { _PVOP_CALL3(mmu.set_pte_atomic, p, _PV_LO(v), _PV_HI(v)); }
static inline void set_pte_present(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { _PVOP_CALL5(mmu.set_pte_present, mm, a, p, _PV_LO(v), _PV_HI(v)); }
static inline void set_pud(pxe_t *p, pud_t v) { _PVOP_CALL3(mmu.set_pud, p, _PV_LO(v), _PV_HI(v)); }
static inline void pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { _PVOP_CALL3(mmu.pte_clear, mm, a, p); }
static inline void pmd_clear(pxe_t *p) { _PVOP_CALL1(mmu.pmd_clear, p); }
static inline u64 pte_val(pte_t v) { return _PVOP_CALL2(mmu.pte_val, _PV_LO(v), _PV_HI(v)); }
static inline u64 pmd_val(pmd_t v) { return _PVOP_CALL2(mmu.pmd_val, _PV_LO(v), _PV_HI(v)); }
static inline u64 pgd_val(pgd_t v) { return _PVOP_CALL2(mmu.pgd_val, _PV_LO(v), _PV_HI(v)); }
static inline pte_t make_pte(u64 v) { return _PVOP_CALL2(mmu.make_pte, _PV_LO(v), _PV_HI(v)); }
static inline pmd_t make_pmd(u64 v) { return _PVOP_CALL2(mmu.make_pmd, _PV_LO(v), _PV_HI(v)); }
static inline pgd_t make_pgd(u64 v) { return _PVOP_CALL2(mmu.make_pgd, _PV_LO(v), _PV_HI(v)); }

/* lazy */
static inline void set_lazy_mode(enum paravirt_lazy_mode m) { _PVOP_CALL1(lazy.set_lazy_mode, m); }
static inline void arch_enter_lazy_mmu_mode(void) { set_lazy_mode(PARAVIRT_LAZY_MMU); }
static inline void arch_leave_lazy_mmu_mode(void) { set_lazy_mode(PARAVIRT_LAZY_NONE); }
static inline void arch_enter_lazy_cpu_mode(void) { set_lazy_mode(PARAVIRT_LAZY_CPU); }
static inline void arch_leave_lazy_cpu_mode(void) { set_lazy_mode(PARAVIRT_LAZY_NONE); }
static inline void arch_flush_lazy_mode(void) { set_lazy_mode(PARAVIRT_LAZY_FLUSH); }

/* Make sure as little as possible of the call machinery escapes. */
#undef _PVOP_CALL0
#undef _PVOP_CALL1
#undef _PVOP_CALL2
#undef _PVOP_CALL3
#undef _PVOP_CALL4
#undef _PVOP_CALL5
#undef _PV_LO
#undef _PV_HI
#undef _PVSITE_HOT
#undef _PVSITE_ANY
#undef _PVOPS
#undef _PVOPS_HOT

#endif /* __i386__ */
#endif /* __ASSEMBLER__ */
#endif
