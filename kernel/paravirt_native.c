/*
 * The native backend: every op of the table executes the privileged
 * instruction itself (bare hardware, or a VM that virtualises the real
 * instructions).  Its table is complete: no slot is NULL.
 */
#include "kernel.h"
#include "cpu.h"
#include "kparavirt.h"
#include "paravirt_native.h"
#include "time.h"
#include "apic.h"

/* Exception fixups: a faulting rdmsr/wrmsr/cr4 read lands on its fixup. */
#define FIXUP(insn_label, fixup_label)		\
	".pushsection __ex_table, \"a\"\n"	\
	" .long " #insn_label ", " #fixup_label "\n" \
	".popsection\n"

static void native_cpuid(unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
		     : "0"(*a), "2"(*c));
}

static unsigned long native_get_debugreg(int reg)
{
	unsigned long v = 0;
	switch (reg) {
	case 0: asm volatile("mov %%db0, %0" : "=r"(v)); break;
	case 1: asm volatile("mov %%db1, %0" : "=r"(v)); break;
	case 2: asm volatile("mov %%db2, %0" : "=r"(v)); break;
	case 3: asm volatile("mov %%db3, %0" : "=r"(v)); break;
	case 6: asm volatile("mov %%db6, %0" : "=r"(v)); break;
	case 7: asm volatile("mov %%db7, %0" : "=r"(v)); break;
	}
	return v;
}

static void native_set_debugreg(int reg, unsigned long v)
{
	switch (reg) {
	case 0: asm volatile("mov %0, %%db0" :: "r"(v)); break;
	case 1: asm volatile("mov %0, %%db1" :: "r"(v)); break;
	case 2: asm volatile("mov %0, %%db2" :: "r"(v)); break;
	case 3: asm volatile("mov %0, %%db3" :: "r"(v)); break;
	case 6: asm volatile("mov %0, %%db6" :: "r"(v)); break;
	case 7: asm volatile("mov %0, %%db7" :: "r"(v)); break;
	}
}

static void native_clts(void) { asm volatile("clts"); }
static unsigned long native_read_cr0(void) { unsigned long v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static void native_write_cr0(unsigned long v) { asm volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static unsigned long native_read_cr2(void) { unsigned long v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static void native_write_cr2(unsigned long v) { asm volatile("mov %0, %%cr2" :: "r"(v)); }
static unsigned long native_read_cr3(void) { unsigned long v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static void native_write_cr3(unsigned long v) { asm volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }
static unsigned long native_read_cr4(void) { unsigned long v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static void native_write_cr4(unsigned long v) { asm volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }
static void native_wbinvd(void) { asm volatile("wbinvd" ::: "memory"); }

/* CPUs before the Pentium have no CR4: reading it raises #UD. */
static unsigned long native_read_cr4_safe(void)
{
	unsigned long v;
	asm volatile("1: mov %%cr4, %0\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: xorl %0, %0\n jmp 2b\n"
		     ".popsection\n" FIXUP(1b, 3b) : "=r"(v));
	return v;
}

static u64 native_read_msr(unsigned msr, int *err)
{
	u32 lo, hi;
	int e;
	asm volatile("1: rdmsr\n xorl %2, %2\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: movl $-14, %2\n xorl %0, %0\n xorl %1, %1\n jmp 2b\n"
		     ".popsection\n" FIXUP(1b, 3b)
		     : "=a"(lo), "=d"(hi), "=r"(e) : "c"(msr));
	*err = e;
	return ((u64)hi << 32) | lo;
}

static int native_write_msr(unsigned msr, u64 val)
{
	int e;
	asm volatile("1: wrmsr\n xorl %0, %0\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: movl $-14, %0\n jmp 2b\n"
		     ".popsection\n" FIXUP(1b, 3b)
		     : "=r"(e) : "c"(msr), "a"((u32)val), "d"((u32)(val >> 32))
		     : "memory");
	return e;
}

static u64 native_read_tsc(void)
{
	u32 lo, hi;
	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

/* The 2007 table's read_pmc takes the counter number in %ecx, the third
 * regparm register: spell that out as a third parameter.  A counter that
 * does not exist (or an emulator without rdpmc: QEMU's TCG raises #UD)
 * reads as 0 instead of faulting. */
static u64 native_read_pmc(u32 unused_eax, u32 unused_edx, u32 ctr)
{
	u32 lo, hi;
	asm volatile("1: rdpmc\n"
		     "2:\n"
		     ".pushsection .fixup, \"ax\"\n"
		     "3: xorl %0, %0\n xorl %1, %1\n jmp 2b\n"
		     ".popsection\n" FIXUP(1b, 3b)
		     : "=a"(lo), "=d"(hi) : "c"(ctr));
	return ((u64)hi << 32) | lo;
}

static void native_load_tr_desc(void) { asm volatile("ltr %w0" :: "r"(SEL_TSS)); }
static void native_load_gdt(const struct desc_ptr *d) { asm volatile("lgdt %0" :: "m"(*d)); }
static void native_load_idt(const struct desc_ptr *d) { asm volatile("lidt %0" :: "m"(*d)); }
static void native_store_gdt(struct desc_ptr *d) { asm volatile("sgdt %0" : "=m"(*d)); }
static void native_store_idt(struct desc_ptr *d) { asm volatile("sidt %0" : "=m"(*d)); }
static unsigned long native_store_tr(void) { unsigned long v = 0; asm volatile("str %w0" : "+r"(v)); return v; }

/* An LDT lives in memory; the GDT slot GDT_LDT of this CPU describes it. */
static void native_set_ldt(const void *desc, unsigned entries)
{
	u16 sel = 0;

	if (desc && entries) {
		u32 base = (u32)desc, limit = entries * 8 - 1;
		struct desc_struct *d = &this_cpu()->gdt[GDT_LDT];
		d->a = (limit & 0xffff) | (base << 16);
		d->b = ((base >> 16) & 0xff) | 0x8200 | (base & 0xff000000);
		sel = GDT_LDT << 3;
	}
	asm volatile("lldt %0" :: "r"(sel));
}

static void native_write_dt_entry(struct desc_struct *dt, int entry, u32 lo, u32 hi)
{
	dt[entry].a = lo;
	dt[entry].b = hi;
}

static void native_load_tls(struct thread_struct *t, unsigned cpu)
{
	struct desc_struct *gdt = cpu_gdt(cpu);
	for (int i = 0; i < 3; i++)
		gdt[GDT_TLS0 + i] = t->tls[i];
}

static void native_load_esp0(struct tss_struct *tss, struct thread_struct *t)
{
	tss->esp0 = t->esp0;
	tss->ss0 = SEL_KDATA;
	if (t->sysenter_cs) {
		native_write_msr(MSR_IA32_SYSENTER_CS, t->sysenter_cs);
		native_write_msr(MSR_IA32_SYSENTER_ESP, t->esp0);
	}
}

static void native_set_iopl_mask(unsigned mask)
{
	unsigned long f;
	asm volatile("pushfl; popl %0" : "=r"(f));
	f = (f & ~X86_EFLAGS_IOPL) | (mask & X86_EFLAGS_IOPL);
	asm volatile("pushl %0; popfl" :: "r"(f) : "cc");
}

static void native_io_delay(void) { io_wait(); }

/* irq: the C versions run only when unpatched (nopatch) */
static unsigned long native_save_fl(void) { unsigned long f; asm volatile("pushfl; popl %0" : "=r"(f)); return f; }
static void native_restore_fl(unsigned long f) { asm volatile("pushl %0; popfl" :: "r"(f) : "memory", "cc"); }
static void native_irq_disable(void) { asm volatile("cli" ::: "memory"); }
static void native_irq_enable(void) { asm volatile("sti" ::: "memory"); }
static void native_safe_halt(void) { asm volatile("sti; hlt" ::: "memory"); }
static void native_halt(void) { asm volatile("hlt" ::: "memory"); }

/* mmu */
static void native_flush_tlb_user(void) { native_write_cr3(native_read_cr3()); }
static void native_flush_tlb_kernel(void)
{
	unsigned long cr4 = native_read_cr4();
	if (cr4 & X86_CR4_PGE) {        /* toggling PGE drops global entries too */
		native_write_cr4(cr4 & ~X86_CR4_PGE);
		native_write_cr4(cr4);
	} else {
		native_write_cr3(native_read_cr3());
	}
}
static void native_flush_tlb_single(unsigned long addr) { asm volatile("invlpg (%0)" :: "r"(addr) : "memory"); }
/* 2-level entries: one 32-bit store is atomic by itself (values are
 * zero-extended 2-level entries, the high half is 0). */
static volatile u32 *pxe32(pxe_t *p) { return (volatile u32 *)p; }
static void native_set_pte(pxe_t *p, pte_t v) { *pxe32(p) = (u32)v; }
static void native_set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { *pxe32(p) = (u32)v; }
static void native_set_pmd(pxe_t *p, pmd_t v) { *pxe32(p) = (u32)v; }
static pte_t native_ptep_get_and_clear(pxe_t *p) { return __atomic_exchange_n((u32 *)p, 0, __ATOMIC_SEQ_CST); }
static void native_set_pte_atomic(pxe_t *p, pte_t v) { __atomic_store_n((u32 *)p, (u32)v, __ATOMIC_SEQ_CST); }
static void native_pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { *pxe32(p) = 0; }
static void native_pmd_clear(pxe_t *p) { *pxe32(p) = 0; }

/* apic: MMIO at the base the firmware tables gave (mapped uncached) */
static void native_apic_write(unsigned long reg, unsigned long v) { *(volatile u32 *)(apic_base + reg) = v; }
static void native_apic_write_atomic(unsigned long reg, unsigned long v)
{
	__atomic_exchange_n((volatile u32 *)(apic_base + reg), v, __ATOMIC_SEQ_CST);
}
static unsigned long native_apic_read(unsigned long reg) { return *(volatile u32 *)(apic_base + reg); }

/* Backend init, before patching: the APIC base the patched sites embed. */
const char *native_init(void)
{
	int err;
	u64 base = native_read_msr(MSR_IA32_APICBASE, &err);

	if (!err && (base & MSR_IA32_APICBASE_ENABLE))
		apic_base = (u32)base & 0xfffff000u;
	return NULL;
}

static char *native_memory_setup(void)
{
	return (char *)pvboot_firmware_name(boot_info->firmware);
}

static void native_banner(void)
{
	kprintf("paravirt: native backend: privileged instructions run directly\n");
}

const struct paravirt_patch_template native_table
	__attribute__((aligned(16))) = {
	.info = {
		.kernel_rpl = 0,
		.shared_kernel_pmd = 1,
		.paravirt_enabled = 0,
		.name = "native",
	},
	.init = {
		.patch = native_patch,
		.arch_setup = paravirt_nop,
		.memory_setup = native_memory_setup,
		.banner = native_banner,
		.pagetable_setup_start = (void *)paravirt_nop,
		.pagetable_setup_done = (void *)paravirt_nop,
	},
	.time = {
		.time_init = native_time_init,
		.get_wallclock = native_get_wallclock,
		.set_wallclock = native_set_wallclock,
		.get_scheduled_cycles = native_read_tsc,
		.get_cpu_khz = native_get_cpu_khz,
	},
	.cpu = {
		.cpuid = native_cpuid,
		.get_debugreg = native_get_debugreg,
		.set_debugreg = native_set_debugreg,
		.clts = native_clts,
		.read_cr0 = native_read_cr0,
		.write_cr0 = native_write_cr0,
		.read_cr2 = native_read_cr2,
		.write_cr2 = native_write_cr2,
		.read_cr3 = native_read_cr3,
		.write_cr3 = native_write_cr3,
		.read_cr4_safe = native_read_cr4_safe,
		.read_cr4 = native_read_cr4,
		.write_cr4 = native_write_cr4,
		.wbinvd = native_wbinvd,
		.read_msr = native_read_msr,
		.write_msr = native_write_msr,
		.read_tsc = native_read_tsc,
		.read_pmc = (void *)native_read_pmc,
		.load_tr_desc = native_load_tr_desc,
		.load_gdt = native_load_gdt,
		.load_idt = native_load_idt,
		.store_gdt = native_store_gdt,
		.store_idt = native_store_idt,
		.set_ldt = native_set_ldt,
		.store_tr = native_store_tr,
		.load_tls = native_load_tls,
		.write_ldt_entry = native_write_dt_entry,
		.write_gdt_entry = native_write_dt_entry,
		.write_idt_entry = native_write_dt_entry,
		.load_esp0 = native_load_esp0,
		.set_iopl_mask = native_set_iopl_mask,
		.io_delay = native_io_delay,
		.irq_enable_sysexit = native_irq_enable_sysexit,
		.iret = native_iret,
	},
	.irq = {
		.init_IRQ = native_init_IRQ,
		.save_fl = native_save_fl,
		.restore_fl = native_restore_fl,
		.irq_disable = native_irq_disable,
		.irq_enable = native_irq_enable,
		.safe_halt = native_safe_halt,
		.halt = native_halt,
	},
	.apic = {
		.apic_write = native_apic_write,
		.apic_write_atomic = native_apic_write_atomic,
		.apic_read = native_apic_read,
		.setup_boot_clock = native_setup_boot_clock,
		.setup_secondary_clock = native_setup_secondary_clock,
	},
	.smp = {
		.startup_ipi_hook = (void *)paravirt_nop,
	},
	.mmu = {
		.activate_mm = (void *)paravirt_nop,
		.dup_mmap = (void *)paravirt_nop,
		.exit_mmap = (void *)paravirt_nop,
		.flush_tlb_user = native_flush_tlb_user,
		.flush_tlb_kernel = native_flush_tlb_kernel,
		.flush_tlb_single = native_flush_tlb_single,
		.map_pt_hook = (void *)paravirt_nop,
		.alloc_pt = (void *)paravirt_nop,
		.alloc_pd = (void *)paravirt_nop,
		.alloc_pd_clone = (void *)paravirt_nop,
		.release_pt = (void *)paravirt_nop,
		.release_pd = (void *)paravirt_nop,
		.set_pte = native_set_pte,
		.set_pte_at = native_set_pte_at,
		.set_pmd = native_set_pmd,
		.pte_update = (void *)paravirt_nop,
		.pte_update_defer = (void *)paravirt_nop,
		.ptep_get_and_clear = native_ptep_get_and_clear,
		.set_pte_atomic = native_set_pte_atomic,
		.set_pte_present = native_set_pte_at,
		.set_pud = native_set_pmd,
		.pte_clear = native_pte_clear,
		.pmd_clear = native_pmd_clear,
		.pte_val = paravirt_ident_64,
		.pmd_val = paravirt_ident_64,
		.pgd_val = paravirt_ident_64,
		.make_pte = paravirt_ident_64,
		.make_pmd = paravirt_ident_64,
		.make_pgd = paravirt_ident_64,
	},
	.lazy = {
		.set_lazy_mode = (void *)paravirt_nop,
	},
};

PV_BACKEND(native_backend, PV_NATIVE, "native", native_table,
	   .init = native_init, .use_pae = native_use_pae);
