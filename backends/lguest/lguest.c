/*
 * The lguest guest backend (docs/lguest.md): the kernel runs in
 * ring 1 under pvboot's host, so every privileged op becomes a hypercall
 * or a word in shared memory: the virtual IF and cr2 live in this vCPU's
 * struct lguest_vcpu, the clock in lguest_data; descriptors, the kernel stack, page tables and cr3 go
 * to the host, which checks them; what ring 1 cannot have (I/O ports, MSRs,
 * debug registers, an APIC, sysenter) answers as absent.  vCPUs start
 * and interrupt each other by hypercall (VCPU_START, SEND_IPI).
 */
#include "lguest_backend.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "trap.h"
#include "kparavirt.h"
#include "apic.h"
#include "paravirt_native.h"
#include "smp.h"
#include "pvboot/patch.h"

struct lguest_data lguest_data __attribute__((aligned(4096)));
struct paravirt_patch_template lguest_table;

/* What each vCPU keeps of the CPU state the host does not hold for it. */
struct lguest_cpu {
	u32 cr0, cr3, cr4, debugregs[8];
	struct desc_ptr gdt, idt;
	bool lazy_mmu;
	u32 icr_dest;           /* APIC ICR high word's destination, for SEND_IPI */
};
static struct lguest_cpu lg_cpus[LG_MAX_VCPUS];

/* This vCPU's: the host wrote its number into its struct lguest_vcpu. */
static struct lguest_cpu *me(void)
{
	return &lg_cpus[lg_vcpu->id % LG_MAX_VCPUS];
}

/* ---- irq: the virtual IF ---------------------------------------------------- */

static void deliver_pending(void)
{
	for (u32 w = 0; w < 8; w++)
		if (lg_vcpu->irq_pending[w] & ~lg_vcpu->blocked_interrupts[w]) {
			lguest_hcall(LHCALL_SEND_INTERRUPTS, 0, 0, 0);
			return;
		}
}

static unsigned long lguest_save_fl(void) { return lg_vcpu->irq_enabled; }
static void lguest_irq_disable(void) { lg_vcpu->irq_enabled = 0; }
static void lguest_irq_enable(void) { lg_vcpu->irq_enabled = X86_EFLAGS_IF; deliver_pending(); }
static void lguest_restore_fl(unsigned long f)
{
	lg_vcpu->irq_enabled = f & X86_EFLAGS_IF;
	if (f & X86_EFLAGS_IF)
		deliver_pending();
}
static void lguest_halt(void) { lguest_hcall(LHCALL_HALT, 0, 0, 0); }
static void lguest_safe_halt(void) { lg_vcpu->irq_enabled = X86_EFLAGS_IF; lguest_halt(); }

/* ---- cpu ------------------------------------------------------------------- */

/* cpuid runs natively in ring 1; hide what the guest cannot use. */
static void lguest_cpuid(unsigned *a, unsigned *b, unsigned *c, unsigned *d)
{
	unsigned leaf = *a;

	asm volatile("cpuid" : "+a"(*a), "=b"(*b), "+c"(*c), "=d"(*d));
	if (leaf == 1) {
		*d &= ~((1u << 9) | (1u << 11) | (1u << 22));   /* APIC, SEP, ACPI */
		*c &= ~(1u << 5);                               /* VMX */
		*b = (*b & 0x00ffffffu) | lg_vcpu->id << 24;    /* the vCPU, not the host CPU */
	}
}

static unsigned long lguest_read_cr0(void) { return me()->cr0; }
static void lguest_write_cr0(unsigned long v)
{
	if ((v ^ me()->cr0) & X86_CR0_TS)
		lguest_hcall(LHCALL_TS, !!(v & X86_CR0_TS), 0, 0);
	me()->cr0 = v;
}
static void lguest_clts(void) { lguest_write_cr0(me()->cr0 & ~X86_CR0_TS); }
static unsigned long lguest_read_cr2(void) { return lg_vcpu->cr2; }
static void lguest_write_cr2(unsigned long v) { lg_vcpu->cr2 = v; }
static unsigned long lguest_read_cr3(void) { return me()->cr3; }
static void lguest_write_cr3(unsigned long v)
{
	me()->cr3 = v;
	lguest_hcall(LHCALL_NEW_PGTABLE, v, 0, 0);
}
static unsigned long lguest_read_cr4(void) { return me()->cr4; }
static void lguest_write_cr4(unsigned long v) { me()->cr4 = v; }
static unsigned long lguest_get_debugreg(int r) { return me()->debugregs[r & 7]; }
static void lguest_set_debugreg(int r, unsigned long v) { me()->debugregs[r & 7] = v; }

/* MSRs are the host's: every access answers "no such MSR". */
static u64 lguest_read_msr(unsigned msr, int *err) { *err = -14; return 0; }
static int lguest_write_msr(unsigned msr, u64 v) { return -14; }
static u64 lguest_read_tsc(void) { u32 lo, hi; asm volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((u64)hi << 32) | lo; }
static u64 lguest_read_pmc(void) { return 0; }

static void lguest_load_gdt(const struct desc_ptr *d) { me()->gdt = *d; }
static void lguest_load_idt(const struct desc_ptr *d) { me()->idt = *d; }
static void lguest_store_gdt(struct desc_ptr *d) { *d = me()->gdt; }
static void lguest_store_idt(struct desc_ptr *d) { *d = me()->idt; }
static unsigned long lguest_store_tr(void) { return SEL_TSS; }
static void lguest_set_ldt(const void *desc, unsigned n) { }       /* no LDT in ring 1 */

/* LOAD_GDT_ENTRY writes the calling vCPU's GDT: only an entry of this
 * vCPU's own table goes to the host (the boot CPU also fills the tables
 * of the APs it is about to start; each AP loads its own). */
static void lguest_write_gdt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi)
{
	dt[e].a = lo;
	dt[e].b = hi;
	if (dt == cpu_gdt(lg_vcpu->id % MAX_CPUS))
		lguest_hcall(LHCALL_LOAD_GDT_ENTRY, e, lo, hi);
}

static void lguest_write_ldt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi)
{
	dt[e].a = lo;
	dt[e].b = hi;
}

/*
 * The system call's gate: the kernel makes it an interrupt gate (the
 * handler runs with IF off).  The host can hand int $0x80 from ring 3
 * straight to ring 1 only through a trap gate (docs/lguest.md "Direct
 * traps"), so the host is given a trap gate into lguest_syscall_entry,
 * which turns the virtual IF off itself before the kernel's handler.
 * The kernel's own IDT keeps what the kernel wrote.
 */
u32 lguest_syscall_handler;

static void syscall_gate(u32 *lo, u32 *hi)
{
	u32 entry = (u32)lguest_syscall_entry;

	if ((*hi & 0x9f00) != 0x8e00)           /* present 32-bit interrupt gate only */
		return;
	lguest_syscall_handler = (*lo & 0xffff) | (*hi & 0xffff0000);
	*lo = (*lo & 0xffff0000) | (entry & 0xffff);
	*hi = (entry & 0xffff0000) | (*hi & 0xe000) | 0x8f00;
}

static void lguest_write_idt_entry(struct desc_struct *dt, int e, u32 lo, u32 hi)
{
	dt[e].a = lo;
	dt[e].b = hi;
	if (e == VEC_SYSCALL)
		syscall_gate(&lo, &hi);
	lguest_hcall(LHCALL_LOAD_IDT_ENTRY, e, lo, hi);
}

static void lguest_load_tls(struct thread_struct *t, unsigned cpu)
{
	lguest_hcall(LHCALL_LOAD_TLS, (u32)t->tls, 0, 0);
}

u32 lguest_esp0;                /* the last SET_STACK, for the fuzzer to restore */

static void lguest_load_esp0(struct tss_struct *tss, struct thread_struct *t)
{
	tss->esp0 = t->esp0;
	lguest_esp0 = t->esp0;
	lguest_hcall(LHCALL_SET_STACK, (GDT_KDATA << 3) | LG_GUEST_RPL, t->esp0, 0);
}

static void lguest_load_tr_desc(void) { }
static void lguest_set_iopl_mask(unsigned mask) { }         /* no ports for the guest */
static void lguest_io_delay(void) { }
static void lguest_wbinvd(void) { }

/* ---- apic: there is none; IPIs and vCPU start are hypercalls ------------ */

/*
 * The kernel's send_ipi() writes the ICR's high word (destination) and
 * then its low word: a fixed-delivery IPI becomes SEND_IPI to that vCPU
 * (vCPU number = APIC id here).  INIT and STARTUP have nothing to do: the
 * vCPU was started by startup_ipi_hook.  Reads answer an idle ICR and
 * this vCPU's number as its APIC id.
 */
static void lguest_apic_write(unsigned long reg, unsigned long v)
{
	if (reg == APIC_ICR_HI)
		me()->icr_dest = v >> 24;
	else if (reg == APIC_ICR_LO && !(v & APIC_ICR_MODE))
		lguest_hcall(LHCALL_SEND_IPI, me()->icr_dest, v & 0xff, 0);
}
static unsigned long lguest_apic_read(unsigned long reg) { return reg == APIC_ID ? lg_vcpu->id << 24 : 0; }
static void lguest_init_IRQ(void) { }

/*
 * The seed's reason for startup_ipi_hook: the vCPU starts straight in
 * the kernel, in ring 1 on its stack and on this vCPU's page tables, at
 * lguest_ap_start (ap_entry), with the virtual IF off as an AP after
 * STARTUP; the real-mode trampoline page is never used.
 */
static void lguest_startup_ipi_hook(int apicid, unsigned long eip, unsigned long esp)
{
	u32 n = (u32)apicid;

	if (n >= LG_MAX_VCPUS) {
		kprintf("smp: APIC id %u is no vCPU of this host; not started\n", n);
		return;
	}
	lg_cpus[n] = *me();
	lg_cpus[n].lazy_mmu = false;
	smp_backend_trampoline = true;
	long r = lguest_hcall(LHCALL_VCPU_START, n, (u32)lguest_ap_start, esp);
	if (r)
		kprintf("smp: the host refused to start vCPU %u (%ld)\n", n, r);
}

/* The host's vCPUs as the CPU list, numbered as their APIC ids. */
static void lguest_list_cpus(void)
{
	u32 n = lguest_data.nr_vcpus;

	if (n < 1 || n > LG_MAX_VCPUS || n > SMP_MAX_CPUS) {
		kprintf("smp: the host says %u vCPUs; using 1\n", n);
		n = 1;
	}
	memset(&smp_cfg, 0, sizeof(smp_cfg));
	smp_cfg.source = SMP_SRC_BACKEND;
	smp_cfg.ncpus = n;
	for (u32 i = 0; i < n; i++) {
		smp_cfg.cpu[i].apic_id = i;
		smp_cfg.cpu[i].enabled = 1;
	}
}

/* ---- clocks ------------------------------------------------------------- */

static void lguest_time_init(void)
{
	tsc_khz = lguest_data.tsc_khz;
	kprintf("time: TSC %u.%03u MHz from the host\n", tsc_khz / 1000, tsc_khz % 1000);
}
static unsigned long lguest_get_wallclock(void) { return lguest_data.time_sec; }
static int lguest_set_wallclock(unsigned long t) { return -1; }  /* refused: the host owns the RTC */
static unsigned long lguest_cpu_khz(void) { return tsc_khz; }
/* Console input the host queued in the shared page. */
static void lguest_console_irq(struct trapframe *tf)
{
	while (lguest_data.input_tail != __atomic_load_n(&lguest_data.input_head, __ATOMIC_ACQUIRE)) {
		console_input(lguest_data.input[lguest_data.input_tail % sizeof(lguest_data.input)]);
		lguest_data.input_tail++;
	}
}

static void lguest_setup_clock(void)
{
	trap_set_handler(LG_CONSOLE_VECTOR, lguest_console_irq);
	timer_install_handler();
	lguest_hcall(LHCALL_SET_CLOCKEVENT, 1000000000u / TIMER_HZ, 0, 0);
}

/* ---- mmu: the guest writes its tables, the host shadows them -------------- */

/*
 * Lazy MMU mode batches page-table hypercalls in the shared page's ring:
 * the host runs queued calls, in order, before any synchronous one; the
 * batch ends with FLUSH_ASYNC.  A full ring is flushed first.
 */
u32 lguest_async_queued;        /* for the self-test and bench */

/* The call into the next slot, which the caller found free. */
static inline void async_put(u32 call, u32 a1, u32 a2)
{
	u32 i = lg_vcpu->async_next;

	lg_vcpu->hcalls[i].call = call;
	lg_vcpu->hcalls[i].arg1 = a1;
	lg_vcpu->hcalls[i].arg2 = a2;
	__atomic_store_n(&lg_vcpu->hcall_status[i], 0, __ATOMIC_RELEASE);
	lg_vcpu->async_next = (i + 1) % LG_ASYNC_SLOTS;
	lguest_async_queued++;
}

/* The ring is full: the host runs (and frees) what is queued first. */
static void __attribute__((noinline)) async_full(u32 call, u32 a1, u32 a2)
{
	lguest_hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0);
	async_put(call, a1, a2);
}

/* The full ring's hypercall is out of line, so a queued update is a
 * check and the stores (fewer registers to save around them). */
static inline void async_call(u32 call, u32 a1, u32 a2)
{
	if (lg_vcpu->hcall_status[lg_vcpu->async_next] != 0xff)
		async_full(call, a1, a2);
	else
		async_put(call, a1, a2);
}

/* Inline in each page-table op: with async_call inside, gcc would make it
 * a call, one more instruction on every unbatched update. */
static inline __attribute__((always_inline)) void pt_call(u32 call, u32 a1, u32 a2)
{
	if (me()->lazy_mmu)
		async_call(call, a1, a2);
	else
		lguest_hcall(call, a1, a2, 0);
}

static void lguest_set_lazy_mode(enum paravirt_lazy_mode m)
{
	if (m == PARAVIRT_LAZY_CPU)
		return;                 /* nothing cpu-side is batched */
	if (me()->lazy_mmu && m != PARAVIRT_LAZY_MMU)
		lguest_hcall(LHCALL_FLUSH_ASYNC, 0, 0, 0);
	if (m != PARAVIRT_LAZY_FLUSH)
		me()->lazy_mmu = m == PARAVIRT_LAZY_MMU;
}

/* 2-level only: entries are 32 bits (lguest_use_pae says why). */
static void lguest_set_pte(pxe_t *p, pte_t v) { *(u32 *)p = (u32)v; pt_call(LHCALL_SET_PTE, (u32)p, (u32)v); }
static void lguest_set_pte_at(struct mm_struct *mm, unsigned long a, pxe_t *p, pte_t v) { lguest_set_pte(p, v); }
static void lguest_set_pmd(pxe_t *p, pmd_t v) { *(u32 *)p = (u32)v; pt_call(LHCALL_SET_PMD, (u32)p, (u32)v); }
static void lguest_pte_clear(struct mm_struct *mm, unsigned long a, pxe_t *p) { lguest_set_pte(p, 0); }
static void lguest_pmd_clear(pxe_t *p) { lguest_set_pmd(p, 0); }
static pte_t lguest_ptep_get_and_clear(pxe_t *p) { pte_t old = *(u32 *)p; lguest_set_pte(p, 0); return old; }
/* A plain write changed *p: the host's shadow must re-read it
 * (Linux's lguest_pte_update did the same). */
static void lguest_pte_update(struct mm_struct *mm, unsigned long a, pxe_t *p) { pt_call(LHCALL_SET_PTE, (u32)p, *(u32 *)p); }

/* A page becomes a page table or directory, or stops being one: the
 * kernel fills or reuses it with plain stores, so the host must drop any
 * shadow it built from the page's old contents (it caches them). */
static void lguest_forget_page(u32 pfn) { pt_call(LHCALL_FORGET_PAGE, pfn << PAGE_SHIFT, 0); }

/* The host's hypercalls (LHCALL_SET_PTE/SET_PMD) carry one 32-bit entry,
 * and it shadows 2-level tables, as lguest did (it was non-PAE). */
const char *lguest_use_pae(struct paravirt_patch_template *t)
{
	return "the lguest guest is 2-level: the host's page-table hypercalls carry 32-bit entries and it shadows 2-level tables";
}
static void lguest_flush_user(void) { lguest_hcall(LHCALL_FLUSH_TLB, 0, 0, 0); }
static void lguest_flush_kernel(void) { lguest_hcall(LHCALL_FLUSH_TLB, 1, 0, 0); }
static void lguest_flush_single(unsigned long a) { lguest_hcall(LHCALL_FLUSH_TLB, 0, 0, 0); }

static void lguest_banner(void)
{
	kprintf("paravirt: lguest backend: ring %u under pvboot's host, shared page at %#x\n",
		LG_GUEST_RPL, (u32)&lguest_data);
}

static char *lguest_memory_setup(void) { return "lguest host"; }

/*
 * The shared-page irq ops inline (lguest did the same): irq_disable is
 * `movl $0, irq_enabled` (10 bytes: why hot sites are 10 long), save_fl
 * `movl irq_enabled, %eax`.  irq_enable and restore_fl must look for
 * pending interrupts, so they stay calls.  Everything else: direct calls
 * (no native template may run in ring 1).
 */
static unsigned lguest_patch(u8 type, u16 clobbers, void *buf, unsigned long addr, unsigned len)
{
	u8 *b = buf;
	u32 a = (u32)&lg_vcpu->irq_enabled, zero = 0;

	if (type == PV_TYPE(irq.irq_disable) && len >= 10) {
		b[0] = 0xc7;
		b[1] = 0x05;
		memcpy(b + 2, &a, 4);
		memcpy(b + 6, &zero, 4);
		return 10;
	}
	if (type == PV_TYPE(irq.save_fl) && len >= 5) {
		b[0] = 0xa1;
		memcpy(b + 1, &a, 4);
		return 5;
	}
	return pv_patch_default((const u32 *)&pv_ops, (u32)paravirt_nop,
				(u32)paravirt_ident_32, type, clobbers, buf, addr, len);
}

static void fill_cpu(struct paravirt_patch_template *t)
{
	t->cpu.cpuid = lguest_cpuid;
	t->cpu.get_debugreg = lguest_get_debugreg;
	t->cpu.set_debugreg = lguest_set_debugreg;
	t->cpu.clts = lguest_clts;
	t->cpu.read_cr0 = lguest_read_cr0;
	t->cpu.write_cr0 = lguest_write_cr0;
	t->cpu.read_cr2 = lguest_read_cr2;
	t->cpu.write_cr2 = lguest_write_cr2;
	t->cpu.read_cr3 = lguest_read_cr3;
	t->cpu.write_cr3 = lguest_write_cr3;
	t->cpu.read_cr4_safe = lguest_read_cr4;
	t->cpu.read_cr4 = lguest_read_cr4;
	t->cpu.write_cr4 = lguest_write_cr4;
	t->cpu.wbinvd = lguest_wbinvd;
	t->cpu.read_msr = lguest_read_msr;
	t->cpu.write_msr = lguest_write_msr;
	t->cpu.read_tsc = lguest_read_tsc;
	t->cpu.read_pmc = lguest_read_pmc;
	t->cpu.load_tr_desc = lguest_load_tr_desc;
	t->cpu.load_gdt = lguest_load_gdt;
	t->cpu.load_idt = lguest_load_idt;
	t->cpu.store_gdt = lguest_store_gdt;
	t->cpu.store_idt = lguest_store_idt;
	t->cpu.set_ldt = lguest_set_ldt;
	t->cpu.store_tr = lguest_store_tr;
	t->cpu.load_tls = lguest_load_tls;
	t->cpu.write_ldt_entry = lguest_write_ldt_entry;
	t->cpu.write_gdt_entry = lguest_write_gdt_entry;
	t->cpu.write_idt_entry = lguest_write_idt_entry;
	t->cpu.load_esp0 = lguest_load_esp0;
	t->cpu.set_iopl_mask = lguest_set_iopl_mask;
	t->cpu.io_delay = lguest_io_delay;
	t->cpu.irq_enable_sysexit = lguest_sysexit;
	t->cpu.iret = lguest_iret;
}

static void fill_rest(struct paravirt_patch_template *t)
{
	t->init.patch = lguest_patch;
	t->init.banner = lguest_banner;
	t->init.memory_setup = lguest_memory_setup;
	t->time.time_init = lguest_time_init;
	t->time.get_wallclock = lguest_get_wallclock;
	t->time.set_wallclock = lguest_set_wallclock;
	t->time.get_scheduled_cycles = lguest_read_tsc;
	t->time.get_cpu_khz = lguest_cpu_khz;
	t->irq.init_IRQ = lguest_init_IRQ;
	t->irq.save_fl = lguest_save_fl;
	t->irq.restore_fl = lguest_restore_fl;
	t->irq.irq_disable = lguest_irq_disable;
	t->irq.irq_enable = lguest_irq_enable;
	t->irq.safe_halt = lguest_safe_halt;
	t->irq.halt = lguest_halt;
	t->apic.apic_write = lguest_apic_write;
	t->apic.apic_write_atomic = lguest_apic_write;
	t->apic.apic_read = lguest_apic_read;
	t->apic.setup_boot_clock = lguest_setup_clock;
	t->apic.setup_secondary_clock = lguest_setup_clock;
	t->smp.startup_ipi_hook = lguest_startup_ipi_hook;
	t->mmu.flush_tlb_user = lguest_flush_user;
	t->mmu.flush_tlb_kernel = lguest_flush_kernel;
	t->mmu.flush_tlb_single = lguest_flush_single;
	t->mmu.set_pte = lguest_set_pte;
	t->mmu.set_pte_at = lguest_set_pte_at;
	t->mmu.set_pmd = lguest_set_pmd;
	t->mmu.set_pud = lguest_set_pmd;
	t->mmu.set_pte_atomic = lguest_set_pte;
	t->mmu.set_pte_present = lguest_set_pte_at;
	t->mmu.pte_clear = lguest_pte_clear;
	t->mmu.pmd_clear = lguest_pmd_clear;
	t->mmu.ptep_get_and_clear = lguest_ptep_get_and_clear;
	t->mmu.pte_update = lguest_pte_update;
	t->mmu.pte_update_defer = lguest_pte_update;
	t->mmu.alloc_pt = lguest_forget_page;
	t->mmu.alloc_pd = lguest_forget_page;
	t->mmu.release_pt = lguest_forget_page;
	t->mmu.release_pd = lguest_forget_page;
	t->lazy.set_lazy_mode = lguest_set_lazy_mode;
}

static void lguest_shutdown(int code)
{
	static const char reason[] = "qemu_exit";

	lguest_hcall(LHCALL_SHUTDOWN, (u32)code, (u32)reason, 0);
}

/* Console output goes to the host a whole buffer at a time. */
static void lguest_console(const char *s, size_t n)
{
	lguest_hcall(LHCALL_CONSOLE_WRITE, (u32)s, (u32)n, 0);
}

const char *lguest_init(void)
{
	lguest_table = native_table;
	lguest_table.info.kernel_rpl = LG_GUEST_RPL;
	lguest_table.info.paravirt_enabled = 1;
	lguest_table.info.name = "lguest";
	fill_cpu(&lguest_table);
	fill_rest(&lguest_table);
	for (u32 i = 0; i < LG_MAX_VCPUS; i++)
		lg_cpus[i].cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	lguest_data.noirq_start = (u32)lguest_noirq_start;
	lguest_data.noirq_end = (u32)lguest_noirq_end;
	if (lguest_hcall(LHCALL_LGUEST_INIT, (u32)&lguest_data, 0, 0))
		return "the host refused LGUEST_INIT";
	lguest_list_cpus();
	console_set_hook(lguest_console);
	power_set_exit_hook(lguest_shutdown);
	apic_base = 0;          /* no local APIC here: nothing to map */
	return NULL;
}

PV_BACKEND(lguest_backend, PV_LGUEST, "lguest", lguest_table,
	   .init = lguest_init, .use_pae = lguest_use_pae,
	   .bench_rows = lguest_bench_rows);
