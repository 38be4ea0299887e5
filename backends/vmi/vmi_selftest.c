/*
 * Self-tests that only apply under the vmi backend: the ROM's
 * counters prove each op family reaches the ROM, patched sites hold what
 * the relocation info said, APs came up on the ROM's trampoline, lazy MMU
 * mode batched page-table writes, and the ROM armed every CPU's timer.
 */
#include "vmi_backend.h"
#include "cpu.h"
#include "mm.h"
#include "smp.h"
#include "report.h"
#include "kparavirt.h"
#include "pvboot/patch.h"

/* True under the vmi backend; otherwise one SKIP line naming the test
 * and why, so a vmi test never passes by saying nothing. */
static bool active(const char *test)
{
	if (boot_info->backend_id != PV_VMI)
		report_skip("%s: the backend is %s, not vmi", test, pv_backend_name(boot_info->backend_id));
	else if (!vmi_rom.counters)
		report(false, "%s: the vmi ROM gave no counter area (GetCounters)", test);
	else
		return true;
	return false;
}

static u32 count(u32 call)
{
	return __atomic_load_n(&vmi_rom.counters[call], __ATOMIC_SEQ_CST);
}

/*
 * Defined first so it runs last (tests in a file run bottom-up): the ROM's
 * counters after everything else, as a record of what the ROM did.
 */
SELFTEST(vmi_counters)
{
	u32 total = 0, calls = 0, col = 0;

	if (!active("vmi_counters"))
		return;
	kprintf("vmi: ROM counters (calls per VMI call number):\n");
	for (u32 c = 0; c < VMI_NCALLS; c++) {
		if (!count(c))
			continue;
		if (c < VMI_COUNT_AP_STARTED) {
			total += count(c);
			calls++;
		}
		kprintf("%s%u=%u", col ? " " : "  ", c, count(c));
		if (++col == 10) {
			kprintf("\n");
			col = 0;
		}
	}
	kprintf("%svmi: %u ROM calls of %u different numbers; %u AP(s) started, %u lazy updates queued, %u applied\n",
		col ? "\n" : "", total, calls, count(VMI_COUNT_AP_STARTED),
		count(VMI_COUNT_LAZY_QUEUED), count(VMI_COUNT_LAZY_APPLIED));
	report(calls >= 40, "vmi: the ROM served %u different calls", calls);
}

/* Run op, expect the ROM's counter for call to have moved. */
#define REACHES(call, op, what) do {					\
	u32 __before = count(call);					\
	op;								\
	report(count(call) > __before, "vmi: %s reaches the ROM (%s)", what, #call); \
} while (0)

SELFTEST(vmi_op_families)
{
	struct desc_ptr d;
	unsigned a, b, c, e;

	if (!active("vmi_op_families"))
		return;
	REACHES(VMI_CALL_DisableInterrupts, { unsigned long f = irq_save(); restore_fl(f); }, "irq");
	REACHES(VMI_CALL_GetCR3, (void)read_cr3(), "cpu control registers");
	REACHES(VMI_CALL_GetGDT, store_gdt(&d), "cpu descriptor tables");
	REACHES(VMI_CALL_CPUID, cpuid(0, &a, &b, &c, &e), "cpuid");
	REACHES(VMI_CALL_RDTSC, (void)rdtsc(), "rdtsc");
	REACHES(VMI_CALL_InvalPage, flush_tlb_single((u32)&d), "mmu TLB");
	REACHES(VMI_CALL_FlushTLB, flush_tlb_user(), "mmu TLB flush");
	REACHES(VMI_CALL_APICRead, (void)apic_read(APIC_ID), "apic");
	REACHES(VMI_CALL_GetCycleCounter, (void)get_scheduled_cycles(), "time");
	REACHES(VMI_CALL_GetWallclockTime, (void)get_wallclock(), "wallclock");
	REACHES(VMI_CALL_SetLazyMode, { arch_enter_lazy_cpu_mode(); arch_leave_lazy_cpu_mode(); }, "lazy");
	u32 set = paging_pae ? VMI_CALL_SetPxELong : VMI_CALL_SetPxE;
	report(count(set) > 0 && count(VMI_CALL_AllocatePage) > 0,
	       "vmi: page-table writes and page-table pages went through the ROM (%u %s)",
	       count(set), paging_pae ? "SetPxELong" : "SetPxE");
}

/* Counter delta over one block, for exact per-call accounting. */
#define DELTA(call, block) ({ u32 __b = count(call); block; count(call) - __b; })

/*
 * Each page-table-page hook is exactly one ROM call of its number:
 * alloc_pd, alloc_pd_clone and alloc_pt one AllocatePage each,
 * map_pt_hook one SetLinearMapping, release_pt/pd one ReleasePage each,
 * pte_update and pte_update_defer one UpdatePxE each (the deferred one
 * queued while in lazy MMU mode).
 */
SELFTEST(vmi_page_hooks)
{
	if (!active("vmi_page_hooks"))
		return;
	u32 pd = page_alloc(), pt = page_alloc(), va = paging_free_slot(), pa = page_alloc();
	if (!pd || !pt || !va || !pa) {
		report(false, "vmi: page-hook test setup (3 pages and a free VA)");
		return;
	}
	u32 alloc = DELTA(VMI_CALL_AllocatePage, {
		paravirt_alloc_pd(pd >> PAGE_SHIFT);
		paravirt_alloc_pd_clone(pd >> PAGE_SHIFT, (u32)init_mm.pgd >> PAGE_SHIFT, 0, 1024);
		paravirt_alloc_pt(pt >> PAGE_SHIFT);
	});
	u32 lin = DELTA(VMI_CALL_SetLinearMapping, map_pt_hook(0, (pxe_t *)pt, pt >> PAGE_SHIFT));
	u32 rel = DELTA(VMI_CALL_ReleasePage, {
		paravirt_release_pt(pt >> PAGE_SHIFT);
		paravirt_release_pd(pd >> PAGE_SHIFT);
	});
	report(alloc == 3 && lin == 1 && rel == 2,
	       "vmi: 3 page allocations, 1 linear mapping, 2 releases are %u AllocatePage, %u SetLinearMapping, %u ReleasePage",
	       alloc, lin, rel);
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	u32 upd_call = paging_pae ? VMI_CALL_UpdatePxELong : VMI_CALL_UpdatePxE;
	u32 upd = DELTA(upd_call, pte_update(&init_mm, va, pte));
	u32 queued = count(VMI_COUNT_LAZY_QUEUED);
	arch_enter_lazy_mmu_mode();
	upd += DELTA(upd_call, pte_update_defer(&init_mm, va, pte));
	queued = count(VMI_COUNT_LAZY_QUEUED) - queued;
	arch_leave_lazy_mmu_mode();
	report(upd == 2 && queued == 1,
	       "vmi: pte_update and pte_update_defer are %u UpdatePxE%s, the deferred one queued (%u)",
	       upd, paging_pae ? "Long" : "", queued);
	pte_clear(&init_mm, va, pte);
	flush_tlb_single(va);
	page_free(pa);
	page_free(pt);
	page_free(pd);
}

/* A patched site of a direct op must call/jump into the ROM routine:
 * a jmp, or a call as pv_patch_call writes it (NOP padding after it
 * only on sites longer than a call can fill). */
static bool site_ok(const struct paravirt_patch_site *s, u32 target)
{
	const u8 *p = (const u8 *)s->addr;
	u32 to, rel;

	if (p[0] == 0xe9) {
		memcpy(&rel, p + 1, 4);
		return (u32)p + 5 + rel == target;
	}
	for (unsigned used = s->len; used >= 5; used--)
		if (pv_call_target(p, used, (u32)p, &to))
			return to == target;
	return false;
}

SELFTEST(vmi_patched_sites)
{
	u32 checked = 0, bad = 0;

	if (!active("vmi_patched_sites"))
		return;
	if (kopts.nopatch || pvtrace_active()) {
		report_skip("vmi_patched_sites: the sites are left unpatched (%s)", kopts.nopatch ? "nopatch" : "pvtrace");
		return;
	}
	for (const struct paravirt_patch_site *s = __parainstructions; s < __parainstructions_end; s++) {
		u32 target = ((const u32 *)&pv_ops)[s->type];
		if (!vmi_in_rom(target))
			continue;       /* wrapped or native op */
		checked++;
		bad += !site_ok(s, target);
	}
	report(checked > 0 && bad == 0, "vmi: %u patched sites call or jump into the ROM as relocated (%u wrong)",
	       checked, bad);
}

SELFTEST(vmi_ap_start)
{
	u32 aps = ncpus_online - 1;

	if (!active("vmi_ap_start"))
		return;
	if (!aps) {
		report_skip("vmi: AP start through the ROM needs a second CPU");
		return;
	}
	report(count(VMI_COUNT_AP_STARTED) == aps && tramp_started == 0,
	       "vmi: %u AP(s) started on the ROM's trampoline, %u on the kernel's",
	       count(VMI_COUNT_AP_STARTED), tramp_started);
	report(count(VMI_CALL_SetInitialAPState) >= aps, "vmi: SetInitialAPState for every AP");
	/* Both SIPI rounds went through the ROM; only the first may write
	 * the page (a rewrite could change code an AP is running). */
	report(count(VMI_COUNT_TRAMP_WRITES) == 1, "vmi: the ROM wrote the SIPI page once in the bring-up (%u times)",
	       count(VMI_COUNT_TRAMP_WRITES));
}

/* Deferred writes stay queued until the lazy MMU batch ends. */
SELFTEST(vmi_lazy_mmu)
{
	if (!active("vmi_lazy_mmu"))
		return;
	u32 va = paging_free_slot(), pa = page_alloc();
	if (!va || !pa) {
		report(false, "vmi: lazy-MMU test setup (a free VA and a page)");
		return;
	}
	map_page(&init_mm, va, pa, PTE_P | PTE_W);
	pxe_t *pte = lookup_pte(&init_mm, va);
	u32 queued = count(VMI_COUNT_LAZY_QUEUED), applied = count(VMI_COUNT_LAZY_APPLIED);
	arch_enter_lazy_mmu_mode();
	set_pte_at(&init_mm, va, pte, make_pte(pa | PTE_P));
	bool still_old = (pxe_get(pte) & PTE_W) != 0;
	arch_leave_lazy_mmu_mode();
	flush_tlb_single(va);
	report(still_old && !(pxe_get(pte) & PTE_W) && count(VMI_COUNT_LAZY_QUEUED) > queued &&
	       count(VMI_COUNT_LAZY_APPLIED) > applied,
	       "vmi: a lazy-MMU write is queued by the ROM and applied when the batch ends");
	pte_clear(&init_mm, va, pte);
	flush_tlb_single(va);
	page_free(pa);
}

SELFTEST(vmi_timer)
{
	if (!active("vmi_timer"))
		return;
	if (!vmi_has(VMI_CALL_SetAlarm)) {
		report_skip("vmi_timer: the ROM has no SetAlarm");
		return;
	}
	report(count(VMI_CALL_SetAlarm) >= ncpus_online && count(VMI_COUNT_ALARM_PERIODIC) >= ncpus_online,
	       "vmi: the ROM armed a periodic alarm on each of the %u CPUs", ncpus_online);
}
