/*
 * The vmi ops whose contract differs from the ROM call's, wrapped as Linux
 * did (arch/i386/kernel/vmi.c): cpuid, TR/LDT/TLS loads, the kernel stack,
 * TLB flushes, every page-table write and page-table page, the lazy
 * modes, and the AP start state.  MSR accesses stay native: a faulting
 * rdmsr must land on the kernel's fixup, which cannot cover ROM code.
 */
#include "vmi_backend.h"
#include "cpu.h"
#include "mm.h"
#include "smp.h"
#include "spinlock.h"

/* ROM routines that return nothing, by how many 32-bit arguments they take
 * (regparm(3): eax, edx, ecx, then the stack). */
typedef void (*rom_void_1arg)(u32);
typedef void (*rom_void_2args)(u32, u32);
typedef void (*rom_void_3args)(u32, u32, u32);
typedef void (*rom_void_4args)(u32, u32, u32, u32);
typedef void (*rom_void_5args)(u32, u32, u32, u32, u32);

static void vmi_cpuid(unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	u32 fn = vmi_rom.eip[VMI_CALL_CPUID];
	asm volatile("call *%4" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d) : "r"(fn) : "memory");
}

static void vmi_load_tr_desc(void)
{
	VMI_FN(rom_void_1arg, VMI_CALL_SetTR)(SEL_TSS);
}

/* The LDT descriptor goes into this CPU's GDT through the ROM. */
static void vmi_set_ldt(const void *desc, unsigned entries)
{
	u32 sel = 0;

	if (desc && entries) {
		u32 base = (u32)desc, limit = entries * 8 - 1;
		u32 lo = (limit & 0xffff) | (base << 16);
		u32 hi = ((base >> 16) & 0xff) | 0x8200 | (base & 0xff000000);
		VMI_FN(rom_void_4args, VMI_CALL_WriteGDTEntry)((u32)this_cpu()->gdt, GDT_LDT, lo, hi);
		sel = GDT_LDT << 3;
	}
	VMI_FN(rom_void_1arg, VMI_CALL_SetLDT)(sel);
}

static void vmi_load_tls(struct thread_struct *t, unsigned cpu)
{
	for (int i = 0; i < 3; i++)
		VMI_FN(rom_void_4args, VMI_CALL_WriteGDTEntry)((u32)cpu_gdt(cpu), GDT_TLS0 + i,
						   t->tls[i].a, t->tls[i].b);
}

/* UpdateKernelStack sets esp0; the sysenter MSRs stay native (no ROM call). */
static void vmi_load_esp0(struct tss_struct *tss, struct thread_struct *t)
{
	tss->ss0 = SEL_KDATA;
	VMI_FN(rom_void_2args, VMI_CALL_UpdateKernelStack)((u32)tss, t->esp0);
	if (t->sysenter_cs) {
		wrmsr_safe(MSR_IA32_SYSENTER_CS, t->sysenter_cs);
		wrmsr_safe(MSR_IA32_SYSENTER_ESP, t->esp0);
	}
}

static void vmi_flush_tlb_user(void) { VMI_FN(rom_void_1arg, VMI_CALL_FlushTLB)(VMI_FLUSH_TLB); }
static void vmi_flush_tlb_kernel(void) { VMI_FN(rom_void_1arg, VMI_CALL_FlushTLB)(VMI_FLUSH_TLB | VMI_FLUSH_GLOBAL); }

/* ---- lazy modes ------------------------------------------------------------ */

/*
 * The ROM keeps one queue, so one CPU at a time batches page-table
 * updates: entering lazy MMU mode takes a lock, leaving releases it.
 */
static struct spinlock lazy_mmu_lock;
static u8 lazy_mode[MAX_CPUS];

static bool in_lazy_mmu(void)
{
	return percpu_ready && lazy_mode[this_cpu()->id] == PARAVIRT_LAZY_MMU;
}

static void vmi_set_lazy_mode(enum paravirt_lazy_mode m)
{
	u8 *cur = &lazy_mode[current_cpu_id()];

	if (m == PARAVIRT_LAZY_MMU && *cur != PARAVIRT_LAZY_MMU)
		spin_lock(&lazy_mmu_lock);
	VMI_FN(rom_void_1arg, VMI_CALL_SetLazyMode)(m);
	if (m == PARAVIRT_LAZY_FLUSH)
		return;
	if (*cur == PARAVIRT_LAZY_MMU && m != PARAVIRT_LAZY_MMU)
		spin_unlock(&lazy_mmu_lock);
	*cur = m;
}

/* ---- page tables -------------------------------------------------------- */

static void set_pxe(pxe_t *p, pte_t v, u32 flags)
{
	VMI_FN(rom_void_3args, VMI_CALL_SetPxE)((u32)v, (u32)p, flags);
}

u32 vmi_defer(u32 flags)
{
	return in_lazy_mmu() ? flags | VMI_PAGE_DEFER : flags;
}

static void vmi_set_pte(pxe_t *p, pte_t v) { set_pxe(p, v, VMI_PAGE_PT); }
static void vmi_set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { set_pxe(p, v, vmi_defer(VMI_PAGE_PT)); }
static void vmi_set_pmd(pxe_t *p, pmd_t v) { set_pxe(p, v, VMI_PAGE_PD); }
static void vmi_pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { set_pxe(p, 0, vmi_defer(VMI_PAGE_PT)); }
static void vmi_pmd_clear(pxe_t *p) { set_pxe(p, 0, VMI_PAGE_PD); }

static pte_t vmi_ptep_get_and_clear(pxe_t *p)
{
	pte_t old = __atomic_load_n((u32 *)p, __ATOMIC_SEQ_CST);
	set_pxe(p, 0, VMI_PAGE_PT);
	return old;
}

static void vmi_pte_update(struct mm_struct *mm, unsigned long a, pxe_t *p)
{
	VMI_FN(rom_void_2args, VMI_CALL_UpdatePxE)((u32)p, VMI_PAGE_PT);
}

static void vmi_pte_update_defer(struct mm_struct *mm, unsigned long a, pxe_t *p)
{
	VMI_FN(rom_void_2args, VMI_CALL_UpdatePxE)((u32)p, vmi_defer(VMI_PAGE_PT));
}

static void vmi_alloc_pt(u32 pfn) { VMI_FN(rom_void_5args, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PT | VMI_PAGE_ZEROED, 0, 0, 0); }
static void vmi_alloc_pd(u32 pfn) { VMI_FN(rom_void_5args, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PD | VMI_PAGE_ZEROED, 0, 0, 0); }
static void vmi_alloc_pd_clone(u32 pfn, u32 clone, u32 start, u32 count)
{
	VMI_FN(rom_void_5args, VMI_CALL_AllocatePage)(pfn, VMI_PAGE_PD | VMI_PAGE_CLONE, clone, start, count);
}
static void vmi_release_pt(u32 pfn) { VMI_FN(rom_void_2args, VMI_CALL_ReleasePage)(pfn, VMI_PAGE_PT); }
static void vmi_release_pd(u32 pfn) { VMI_FN(rom_void_2args, VMI_CALL_ReleasePage)(pfn, VMI_PAGE_PD); }

static void vmi_map_pt_hook(int type, pxe_t *va, u32 pfn)
{
	VMI_FN(rom_void_4args, VMI_CALL_SetLinearMapping)((u32)type, (u32)va, 1, pfn);
}

/* ---- starting APs --------------------------------------------------------- */

extern u8 ap_start32[];

/*
 * SetInitialAPState (Linux's vmi_startup_ipi_hook): the AP will start in
 * paged protected mode on its own GDT, which the boot CPU built for it,
 * at the kernel's 32-bit AP entry with its stack; the SIPI the kernel
 * sends next goes through the ROM, which starts the AP on this state.
 */
static void vmi_startup_ipi_hook(int apicid, unsigned long eip, unsigned long esp)
{
	struct cpu *c = cpu_of_apic((u32)apicid);
	struct desc_ptr idt;
	struct vmi_ap_state s;

	memset(&s, 0, sizeof(s));
	store_idt(&idt);
	s.cr0 = read_cr0();
	s.cr3 = read_cr3();
	s.cr4 = read_cr4();
	if (nx_enabled) {       /* NX entries are reserved-bit faults without it */
		int err;
		s.efer = rdmsr_safe(MSR_EFER, &err);
	}
	s.eip = (u32)ap_start32;
	s.eflags = 0x2;
	s.esp = esp;
	s.cs = SEL_KCODE;
	s.ss = s.ds = s.es = SEL_KDATA;
	s.fs = SEL_PERCPU;
	s.gdtr_limit = sizeof(c->gdt) - 1;
	s.gdtr_base = (u32)c->gdt;
	s.idtr_base = idt.address;
	s.idtr_limit = idt.size;
	VMI_FN(rom_void_2args, VMI_CALL_SetInitialAPState)((u32)&s, (u32)apicid);
	smp_backend_trampoline = true;  /* the ROM fills the SIPI page */
}

void vmi_fill_wrappers(struct paravirt_patch_template *t)
{
	t->cpu.cpuid = vmi_cpuid;
	t->cpu.load_tr_desc = vmi_load_tr_desc;
	t->cpu.set_ldt = vmi_set_ldt;
	t->cpu.load_tls = vmi_load_tls;
	t->cpu.load_esp0 = vmi_load_esp0;
	t->mmu.flush_tlb_user = vmi_flush_tlb_user;
	t->mmu.flush_tlb_kernel = vmi_flush_tlb_kernel;
	t->mmu.set_pte = vmi_set_pte;
	t->mmu.set_pte_at = vmi_set_pte_at;
	t->mmu.set_pmd = vmi_set_pmd;
	t->mmu.set_pud = vmi_set_pmd;
	t->mmu.set_pte_atomic = vmi_set_pte;
	t->mmu.set_pte_present = vmi_set_pte_at;
	t->mmu.pte_clear = vmi_pte_clear;
	t->mmu.pmd_clear = vmi_pmd_clear;
	t->mmu.ptep_get_and_clear = vmi_ptep_get_and_clear;
	t->mmu.pte_update = vmi_pte_update;
	t->mmu.pte_update_defer = vmi_pte_update_defer;
	t->mmu.alloc_pt = vmi_alloc_pt;
	t->mmu.alloc_pd = vmi_alloc_pd;
	t->mmu.alloc_pd_clone = vmi_alloc_pd_clone;
	t->mmu.release_pt = vmi_release_pt;
	t->mmu.release_pd = vmi_release_pd;
	t->mmu.map_pt_hook = vmi_map_pt_hook;
	t->lazy.set_lazy_mode = vmi_set_lazy_mode;
	t->smp.startup_ipi_hook = vmi_startup_ipi_hook;
}
