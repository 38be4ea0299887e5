/*
 * Isolation self-tests of an lguest guest : each tries something
 * a ring-1 guest must not get — a mapping of host memory, a DPL-0
 * descriptor, a write to the switcher, privileged instructions — and
 * checks it was refused (or emulated harmlessly) and that the guest
 * survived to say so.  Faults are caught with exception fixups.
 */
#include "lguest_backend.h"
#include "report.h"
#include "mm.h"
#include "cpu.h"
#include "smp.h"

static bool active(void)
{
	return boot_info->backend_id == PV_LGUEST;
}

SELFTEST(lguest_map_host_page)
{
	u32 va = paging_free_slot(), pa = page_alloc();

	if (!active() || !va || !pa)
		return;
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	/* 1 GiB is far past the guest's memory: host memory, if anything. */
	long r = lguest_hcall(LHCALL_SET_PTE, (u32)pte, 0x40000000u | PTE_P | PTE_W, 0);
	int fault = TRY("movl (%1), %%eax", va);
	report(r == LG_EINVAL && pxe_get(pte) == 0 && fault == -14,
	       "lguest: a mapping of memory outside the guest is refused (%ld) and not usable", r);
	pte_clear(&init_mm, va, pte);
	page_free(pa);
}

SELFTEST(lguest_dpl0_descriptor)
{
	u32 idx = GDT_TLS0 + 2, ar = 0;

	if (!active())
		return;
	/* a flat data segment with DPL 0 */
	long r = lguest_hcall(LHCALL_LOAD_GDT_ENTRY, idx, 0x0000ffff, 0x00cf9200);
	asm volatile("lar %1, %0" : "=r"(ar) : "r"(idx << 3) : "cc");
	report(r == 0 && ((ar >> 13) & 3) == 1,
	       "lguest: a DPL-0 descriptor is loaded with DPL raised to 1 (access %#x)", (ar >> 8) & 0xff);
	lguest_hcall(LHCALL_LOAD_GDT_ENTRY, idx, 0, 0);
}

SELFTEST(lguest_switcher_write)
{
	if (!active())
		return;
	int code = TRY("movl $1, (%1)", LG_SWITCHER_ADDR);
	int data = TRY("movl $1, (%1)", LG_SWITCHER_ADDR + 0x2000);
	report(code == -14 && data == -14,
	       "lguest: writes to the switcher's code and data fault, and the guest goes on");
}

SELFTEST(lguest_privileged_insns)
{
	struct desc_ptr d = { 0, 0 };

	if (!active())
		return;
	int lgdt = TRY("lgdt (%1)", &d);
	int cr3 = TRY("movl %1, %%cr3", 0);
	int hlt_ok = TRY("wbinvd", 0);
	report(lgdt == -14 && cr3 == -14 && hlt_ok == -14,
	       "lguest: lgdt, mov to cr3 and wbinvd in ring 1 fault and the guest goes on");
	unsigned long f = save_fl();
	irq_enable();
	asm volatile("cli" ::: "memory");       /* the host emulates it: virtual IF */
	bool off = !(save_fl() & X86_EFLAGS_IF);
	restore_fl(f);
	report(off, "lguest: a raw cli is emulated by the host as the virtual IF");
}

extern u32 lguest_async_queued;

/* Lazy MMU mode: set_pte_at is queued in the shared ring, so the new
 * mappings are not there before the batch ends, and are after it, as
 * queued: a run of updates in one page table (the host takes such a run
 * on its short path), one of them cleared again and one remapped within
 * the batch; then a batch longer than the ring. */
SELFTEST(lguest_async_batch)
{
	u32 va = paging_free_slot(), pa[4];
	pxe_t *pte[3];

	for (u32 i = 0; i < 4; i++)
		pa[i] = page_alloc();
	if (!active() || !va || !pa[0] || !pa[1] || !pa[2] || !pa[3])
		return;
	map_page(&init_mm, va, pa[0], PTE_P | PTE_W);          /* makes the page table */
	for (u32 i = 0; i < 3; i++) {
		pte[i] = pgtable_pte(&init_mm, va + i * PAGE_SIZE);
		pte_clear(&init_mm, va + i * PAGE_SIZE, pte[i]);
	}
	for (u32 i = 0; i < 4; i++)
		*(volatile u32 *)pa[i] = 0x1a2b3c40 + i;
	u32 queued = lguest_async_queued;
	arch_enter_lazy_mmu_mode();
	for (u32 i = 0; i < 3; i++)
		set_pte_at(&init_mm, va + i * PAGE_SIZE, pte[i], make_pte(pa[i] | PTE_P | PTE_W));
	pte_clear(&init_mm, va + PAGE_SIZE, pte[1]);
	set_pte_at(&init_mm, va + 2 * PAGE_SIZE, pte[2], make_pte(pa[3] | PTE_P | PTE_W));
	int before = TRY("movl (%1), %%eax", va);   /* not applied yet: #PF */
	arch_leave_lazy_mmu_mode();                 /* FLUSH_ASYNC */
	int after = TRY("movl (%1), %%eax", va), cleared = TRY("movl (%1), %%eax", va + PAGE_SIZE);
	/* More updates than the ring has slots: the full ring is flushed
	 * on the way, and the last update is the one that holds. */
	arch_enter_lazy_mmu_mode();
	for (u32 i = 0; i < LG_ASYNC_SLOTS + 8; i++)
		set_pte_at(&init_mm, va, pte[0], make_pte(pa[i % 4] | PTE_P | PTE_W));
	arch_leave_lazy_mmu_mode();
	u32 last = *(volatile u32 *)va;                 /* update 71: pa[3] */
	report(lguest_async_queued - queued == 5 + LG_ASYNC_SLOTS + 8 && before == -14 && after == 0 &&
	       cleared == -14 && *(volatile u32 *)(va + 2 * PAGE_SIZE) == 0x1a2b3c43 && last == 0x1a2b3c43,
	       "lguest: lazy-MMU pte updates wait in the async ring until the batch ends, then apply in order");
	for (u32 i = 0; i < 3; i++)
		pte_clear(&init_mm, va + i * PAGE_SIZE, pte[i]);
	for (u32 i = 0; i < 4; i++)
		page_free(pa[i]);
}

/* vmcall (the KVM-style instruction) works as a hypercall, and the host
 * rewrites it in our text to the faster int $0x1f, as lguest did. */
static long __attribute__((noinline)) vmcall_notify(u8 **site)
{
	long r;

	asm volatile("1: vmcall\n movl $1b, %1"
		     : "=a"(r), "=r"(*site) : "a"(LHCALL_NOTIFY), "b"(0), "c"(0), "d"(0) : "memory");
	return r;
}

SELFTEST(lguest_vmcall)
{
	u8 *site;

	if (!active())
		return;
	long r = vmcall_notify(&site);
	report(r == 0 && site[0] == 0xcd && site[1] == LG_HCALL_VECTOR,
	       "lguest: vmcall is a hypercall and is rewritten to int $0x1f");
}

SELFTEST(lguest_rdmsr_tsc)
{
	u32 lo, hi;

	if (!active())
		return;
	u64 t0 = rdtsc();
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(MSR_IA32_TSC));   /* raw: #GP, emulated */
	report((((u64)hi << 32) | lo) >= t0, "lguest: a raw rdmsr of IA32_TSC is emulated by the host");
}

/*
 * What the host really does with the guest's control-register, descriptor
 * table, MSR and APIC ops: the ops answer from the guest's own shadows,
 * so these check the machine underneath instead.
 */

/* LHCALL_TS is applied: the next FPU instruction raises #NM in the guest. */
SELFTEST(lguest_ts_nm)
{
	if (!active())
		return;
	unsigned long cr0 = read_cr0();
	write_cr0(cr0 | X86_CR0_TS);
	int with = TRY("fnop", 0);
	int again = TRY("fnop", 0);     /* TS stays set until the guest clears it */
	clts();
	int without = TRY("fnop", 0);
	write_cr0(cr0);
	report(with == -14 && again == -14 && without == 0,
	       "lguest: CR0.TS set through the host makes fnop raise #NM (%d, again %d); after clts it runs (%d)",
	       with, again, without);
}

/* The CPU's own registers are the host's: reading them in ring 1 faults,
 * so the shadows are the guest's only view. */
SELFTEST(lguest_real_control_registers)
{
	if (!active())
		return;
	int cr0 = TRY("movl %%cr0, %%eax", 0);
	int cr4 = TRY("movl %%cr4, %%eax", 0);
	int cr4w = TRY("movl %1, %%cr4", 0);
	int dr7 = TRY("movl %%dr7, %%eax", 0);
	u32 lo, hi;
	int sysenter_cs;
	asm volatile("1: rdmsr\n xorl %2, %2\n2:\n"
		     ".pushsection .fixup, \"ax\"\n3: movl $-14, %2\n jmp 2b\n.popsection\n"
		     ".pushsection __ex_table, \"a\"\n .long 1b, 3b\n .popsection\n"
		     : "=a"(lo), "=d"(hi), "=r"(sysenter_cs) : "c"(MSR_IA32_SYSENTER_CS) : "memory");
	report(cr0 == -14 && cr4 == -14 && cr4w == -14 && dr7 == -14 && sysenter_cs == -14,
	       "lguest: ring 1 cannot touch cr0 (%d), cr4 (%d/%d), dr7 (%d) or SYSENTER_CS (%d): only the host can",
	       cr0, cr4, cr4w, dr7, sysenter_cs);
}

/* With a ring-1 stack set (as the kernel sets its own after a task), the
 * CPU's gate for int $0x80 goes straight to lguest_syscall_entry (a DPL-3
 * trap gate, no exit: docs/lguest.md "Direct traps") and the CPU's TSS
 * holds that stack; what is wrong, or NULL. */
static const char *direct_syscall_problem(const struct desc_ptr *gdt, const struct desc_ptr *idt, u16 tr)
{
	struct thread_struct kthread = { .esp0 = this_cpu()->stack_top };
	const struct desc_struct *g = (const struct desc_struct *)idt->address + VEC_SYSCALL;
	const struct desc_struct *t = (const struct desc_struct *)gdt->address + (tr >> 3);
	const struct tss_struct *tss = (const struct tss_struct *)((t->a >> 16) | ((t->b & 0xff) << 16) |
								   (t->b & 0xff000000));
	u32 entry = (u32)lguest_syscall_entry;

	load_esp0(&this_cpu()->tss, &kthread);
	if (g->a != ((entry & 0xffff) | ((SEL_KCODE | LG_GUEST_RPL) << 16)) ||
	    (g->b & 0xffffff00) != ((entry & 0xffff0000) | 0xef00))
		return "the int $0x80 gate is not a direct one to lguest_syscall_entry";
	if (tss->ss1 != ((GDT_KDATA << 3) | LG_GUEST_RPL) || tss->esp1 != kthread.esp0)
		return "the TSS's ring-1 stack is not the one set";
	return NULL;
}

/* The tables the CPU uses are the host's guest-mode GDT/IDT/TSS in the
 * switcher, and each descriptor the guest wrote is installed there (DPL
 * raised to 1, limit ending below the switcher), the system call's gate
 * as a direct one. */
SELFTEST(lguest_real_descriptor_tables)
{
	struct desc_ptr gdt, idt;
	u16 tr;

	if (!active())
		return;
	asm volatile("sgdt %0\n sidt %1\n str %2" : "=m"(gdt), "=m"(idt), "=r"(tr));
	report(gdt.address >= LG_SWITCHER_ADDR && idt.address >= LG_SWITCHER_ADDR && gdt.size == 16 * 8 - 1 &&
	       idt.size == 256 * 8 - 1 && tr == 14 * 8,
	       "lguest: the CPU runs on the host's tables: GDT %#x/%u, IDT %#x/%u, TR %#x", gdt.address,
	       gdt.size, idt.address, idt.size, tr);
	const struct desc_struct *mine = this_cpu()->gdt;
	static const u32 slots[] = { GDT_KCODE, GDT_KDATA, GDT_UCODE, GDT_UDATA, GDT_PERCPU };
	u32 bad = 0;
	for (u32 k = 0; k < ARRAY_SIZE(slots); k++) {
		u32 i = slots[k], want = (mine[i].b >> 8) & 0x9f, dpl = (mine[i].b >> 13) & 3, ar, limit;
		u8 ok, ok2;
		/* from ring 1 with RPL 1, lar/lsl see every descriptor of DPL >= 1 */
		asm volatile("lar %2, %0\n setz %1" : "=r"(ar), "=q"(ok) : "r"((i << 3) | 1) : "cc");
		asm volatile("lsl %2, %0\n setz %1" : "=r"(limit), "=q"(ok2) : "r"((i << 3) | 1) : "cc");
		u32 got = (ar >> 8) & 0x9f, gdpl = (ar >> 13) & 3;
		if (!ok || !ok2 || (got & ~1u) != (want & ~1u) || gdpl != (dpl ? dpl : 1) || limit >= LG_SWITCHER_ADDR) {
			kprintf("lguest: GDT slot %u: host has access %#x DPL %u limit %#x, ours %#x DPL %u\n",
				i, got, gdpl, limit, want, dpl);
			bad++;
		}
	}
	const char *direct = direct_syscall_problem(&gdt, &idt, tr);
	if (direct)
		kprintf("lguest: %s\n", direct);
	report(bad == 0 && !direct, "lguest: every descriptor the guest wrote is the host's, DPL >= 1, below the "
	       "switcher; int $0x80 is a direct trap");
}

/* No APIC: the page is not mapped for the guest, whatever its tables say. */
SELFTEST(lguest_no_apic_page)
{
	if (!active())
		return;
	int r = TRY("movl (%1), %%eax", 0xfee00030u);
	report(r == -14, "lguest: the local APIC page faults in the guest (%d): there is no APIC to stub out", r);
}

/*
 * The host runs vCPUs at the same time, not in turns: two vCPUs count,
 * and each must see the other's count move while its own exit count
 * (which the host writes before every entry) stays put, that is while it
 * never left the guest.  A host that ran one vCPU at a time could only
 * let the other count during an exit, and the test would not pass.
 */
struct lguest_race {
	volatile u32 count[2], seen[2], done;
};

#define RACE_TRIES 20000

static void race_side(struct lguest_race *r, u32 me)
{
	u32 other = 1 - me;

	for (u32 t = 0; t < RACE_TRIES && !(r->seen[0] && r->seen[1]); t++) {
		u32 exits = READ_ONCE(lg_vcpu->exits), c0 = r->count[other];
		for (u32 i = 0; i < 10000 && r->count[other] == c0; i++)
			r->count[me]++;
		if (r->count[other] != c0 && READ_ONCE(lg_vcpu->exits) == exits)
			r->seen[me] = 1;
	}
}

static void race_ap(void *arg)
{
	race_side(arg, 1);
	__atomic_store_n(&((struct lguest_race *)arg)->done, 1, __ATOMIC_RELEASE);
}

SELFTEST(lguest_vcpus_in_parallel)
{
	static struct lguest_race r;

	if (!active())
		return;
	if (ncpus_online < 2) {
		report_skip("lguest: vCPUs in parallel: only one vCPU");
		return;
	}
	memset((void *)&r, 0, sizeof(r));
	if (!smp_post(1, race_ap, &r)) {
		report(false, "lguest: vCPUs in parallel: vCPU 1 cannot take work");
		return;
	}
	race_side(&r, 0);
	bool ended = wait_flag(&r.done, 10000);
	report(ended && r.seen[0] && r.seen[1],
	       "lguest: vCPUs 0 and 1 each saw the other count while never leaving the guest (%u, %u counted)",
	       r.count[0], r.count[1]);
}
