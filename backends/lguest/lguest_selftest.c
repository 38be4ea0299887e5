/*
 * Isolation self-tests of an lguest guest (issue 7): each tries something
 * a ring-1 guest must not get — a mapping of host memory, a DPL-0
 * descriptor, a write to the switcher, privileged instructions — and
 * checks it was refused (or emulated harmlessly) and that the guest
 * survived to say so.  Faults are caught with exception fixups.
 */
#include "lguest.h"
#include "report.h"
#include "mm.h"

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
	pte_t *pte = lookup_pte(&init_mm, va);
	/* 1 GiB is far past the guest's memory: host memory, if anything. */
	long r = lg_hcall(LHCALL_SET_PTE, (u32)pte, 0x40000000u | PTE_P | PTE_W, 0);
	int fault = TRY("movl (%1), %%eax", va);
	report(r == LG_EINVAL && *pte == 0 && fault == -14,
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
	long r = lg_hcall(LHCALL_LOAD_GDT_ENTRY, idx, 0x0000ffff, 0x00cf9200);
	asm volatile("lar %1, %0" : "=r"(ar) : "r"(idx << 3) : "cc");
	report(r == 0 && ((ar >> 13) & 3) == 1,
	       "lguest: a DPL-0 descriptor is loaded with DPL raised to 1 (access %#x)", (ar >> 8) & 0xff);
	lg_hcall(LHCALL_LOAD_GDT_ENTRY, idx, 0, 0);
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
 * mapping is not there before the batch ends, and is after it. */
SELFTEST(lguest_async_batch)
{
	u32 va = paging_free_slot(), pa = page_alloc();

	if (!active() || !va || !pa)
		return;
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pte_t *pte = lookup_pte(&init_mm, va);
	pte_clear(&init_mm, va, pte);
	*(volatile u32 *)pa = 0x1a2b3c4d;
	u32 queued = lguest_async_queued;
	arch_enter_lazy_mmu_mode();
	set_pte_at(&init_mm, va, pte, make_pte(pa | PTE_P | PTE_W));
	int before = TRY("movl (%1), %%eax", va);   /* not applied yet: #PF */
	arch_leave_lazy_mmu_mode();                 /* FLUSH_ASYNC */
	int after = TRY("movl (%1), %%eax", va);
	report(lguest_async_queued > queued && before == -14 && after == 0 &&
	       *(volatile u32 *)va == 0x1a2b3c4d,
	       "lguest: a lazy-MMU pte update waits in the async ring until the batch ends");
	pte_clear(&init_mm, va, pte);
	page_free(pa);
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
