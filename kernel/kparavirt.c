/*
 * The table in use, the backends in this image, backend selection and
 * apply_paravirt(): the patch loop of docs/design.md §6.
 */
#include "kparavirt.h"
#include "kdetect.h"
#include "trap.h"
#include "mm.h"
#include "paravirt_native.h"

STATIC_ASSERT(sizeof(struct paravirt_patch_template) == PV_NSLOTS * 4, "PV_NSLOTS");
STATIC_ASSERT(PV_TYPE(cpu.iret) == PV_TYPE_IRET, "PV_TYPE_IRET");
STATIC_ASSERT(PV_TYPE(cpu.irq_enable_sysexit) == PV_TYPE_IRQ_ENABLE_SYSEXIT, "sysexit type");
STATIC_ASSERT(sizeof(struct paravirt_patch_site) == 8, "site record");

struct paravirt_patch_template pv_ops;
struct patch_stats patch_stats;

void paravirt_nop(void)
{
}

/*
 * The identity of either width is a bare `ret` under regparm(3): a 32-bit
 * value arrives in %eax and leaves there, a 64-bit one arrives in
 * %eax (low) and %edx (high), which is also how it is returned.  One
 * address for both, so the patcher turns either into NOPs.
 */
asm(".text\n"
    ".globl paravirt_ident_32, paravirt_ident_64\n"
    ".type paravirt_ident_32, @function\n"
    "paravirt_ident_32:\n"
    "paravirt_ident_64:\n"
    "\tret\n"
    ".size paravirt_ident_32, 1\n");

extern const struct pv_backend *const __pvbackend_descs[], *const __pvbackend_descs_end[];
static const struct pv_backend *current_backend;

unsigned pv_backend_count(void)
{
	return __pvbackend_descs_end - __pvbackend_descs;
}

const struct pv_backend *pv_backend_at(unsigned i)
{
	return i < pv_backend_count() ? __pvbackend_descs[i] : NULL;
}

const struct pv_backend *pv_backend_by_id(u32 id)
{
	for (unsigned i = 0; i < pv_backend_count(); i++)
		if (__pvbackend_descs[i]->id == id)
			return __pvbackend_descs[i];
	return NULL;
}

extern const struct pv_host *const __pvhost_descs[], *const __pvhost_descs_end[];
static const struct pv_host *current_host;

const struct pv_host *pv_host_select(u32 id)
{
	current_host = NULL;
	if (id == PV_AUTO)
		return NULL;
	for (const struct pv_host *const *h = __pvhost_descs; h < __pvhost_descs_end; h++)
		if ((*h)->id == id)
			current_host = *h;
	if (!current_host)
		kprintf("host: host=%s: this kernel image has no such host role; booting without it\n",
			pv_backend_name(id));
	else
		va_hole_start = current_host->va_hole_start;
	return current_host;
}

const struct pv_host *pv_host_current(void)
{
	return current_host;
}

const struct pv_backend *pv_backend_current(void)
{
	return current_backend;
}

static const struct pv_backend *backend_by_table(u32 table)
{
	for (unsigned i = 0; i < pv_backend_count(); i++)
		if ((u32)__pvbackend_descs[i]->table == table)
			return __pvbackend_descs[i];
	return NULL;
}

static void set_fallback(const char *why)
{
	pv_snprintf(boot_info->fallback_reason, sizeof(boot_info->fallback_reason), "%s", why);
}

/* A table handed over by a pvboot loader: accepted only if it is ours. */
static const struct pv_backend *from_loader(void)
{
	u32 t = boot_info->backend_table;
	const struct pv_backend *b;

	if (!t)
		return NULL;
	b = backend_by_table(t);
	if (!b || b->id != boot_info->backend_id) {
		kprintf("pv: loader handed table %#x (backend %u), which is not one of this kernel's; choosing again\n",
			t, boot_info->backend_id);
		return NULL;
	}
	return b;
}

/* The backends this kernel has, as detect_decide() wants them. */
static u32 available_backends(void)
{
	u32 mask = 0;

	for (unsigned i = 0; i < pv_backend_count(); i++)
		mask |= 1u << __pvbackend_descs[i]->id;
	return mask;
}

/*
 * The loader's decision when it handed over one of our tables; otherwise
 * (Multiboot, or a loader that could not read our backend list) the shared
 * rule decides, once.  Either way boot_info says what pv= asked for.
 */
static const struct pv_backend *choose(void)
{
	const struct pv_backend *b = from_loader();

	return b ? b : pv_backend_by_id(detect_decide(kopts.pv, available_backends()));
}

/* What a backend's init is doing, for the line if it faults (see below). */
static const char *init_who, *init_step;

void pv_init_step(const char *who, const char *step)
{
	init_who = who;
	init_step = step;
}

/*
 * b->init() under a fault guard: a backend's init is the first to run
 * code the kernel did not build (a VMI ROM), so an exception there is a
 * reason to fall back, not a crash.  The backend names each foreign step
 * with pv_init_step(); a fault elsewhere is named by symbol.
 */
static const char *guarded_init(const struct pv_backend *b)
{
	static char line[128];
	struct fault_guard g = { 0 };
	const char *err, *exc, *sym;
	u32 off = 0;

	pv_init_step(NULL, NULL);
	err = guard_call(b->init, &g);
	if (!g.faulted)
		return err;
	exc = exception_name(g.vector);
	int exc_len = 0;                /* "#BP breakpoint" -> "#BP" */
	while (exc[exc_len] && exc[exc_len] != ' ')
		exc_len++;
	if (init_who) {
		pv_snprintf(line, sizeof(line), "%s faulted (%.*s at %#x) in %s",
			    init_who, exc_len, exc, g.eip, init_step);
	} else {
		sym = ksym_lookup(g.eip, &off);
		pv_snprintf(line, sizeof(line), "its init faulted (%.*s at %#x <%s+%#x>)",
			    exc_len, exc, g.eip, sym ? sym : "?", off);
	}
	pv_init_step(NULL, NULL);
	return line;
}

void select_backend(void)
{
	const struct pv_backend *b = choose();
	const char *err = NULL;

	if (!b)
		b = pv_backend_by_id(PV_NATIVE);
	if (b->init && (err = guarded_init(b))) {
		kprintf("%s: %s; falling back to native\n", b->name, err);
		set_fallback(err);
		boot_info->backend_forced = 0;
		b = pv_backend_by_id(PV_NATIVE);
		b->init();              /* native's init cannot fail */
	}
	current_backend = b;
	boot_info->backend_id = b->id;
	boot_info->backend_table = (u32)b->table;
	pv_ops = *b->table;
	paging_select(b->use_pae);      /* may switch the entry ops to PAE */
	if (kopts.pvtrace)
		pvtrace_install();
	kprintf("pv: backend %s (%s)\n", b->name,
		boot_info->backend_forced ? "forced by pv=" :
		boot_info->fallback_reason[0] ? "fallback" : "detected");
}

/* ---- patching ----------------------------------------------------------- */

static void check_site(const struct paravirt_patch_site *s)
{
	if (s->type >= PV_NSLOTS || s->len < 2 || s->len > PV_SITE_MAX ||
	    s->addr < (u32)__kernel_start || s->addr + s->len > (u32)__text_end)
		panic("patch: bad site record at %#x (type %u, len %u): kernel build is broken",
		      s->addr, s->type, s->len);
}

/* What the backend wants at site s, built into buf from orig. */
static enum pv_site_kind replacement(const struct paravirt_patch_site *s,
				     const u8 *orig, u8 *buf)
{
	unsigned used;

	memcpy(buf, orig, s->len);
	used = pv_ops.init.patch(s->type, s->clobbers, buf, s->addr, s->len);
	if (used > s->len)
		panic("patch: backend %s wrote %u bytes into a %u-byte site at %#x",
		      pv_name(), used, s->len, s->addr);
	if (used < s->len)
		pv_fill_nops(buf + used, s->len - used);
	return pv_classify(orig, buf, s->len, used);
}

/* Patch one site; returns what it became. */
static enum pv_site_kind patch_site(const struct paravirt_patch_site *s)
{
	u8 buf[PV_SITE_MAX];
	enum pv_site_kind k = replacement(s, (u8 *)s->addr, buf);

	memcpy((void *)s->addr, buf, s->len);
	return k;
}

/* Totals by outcome always; by op (one long line) with pvpatch=verbose. */
static void print_counts(bool verbose)
{
	char line[160];
	int n = pv_snprintf(line, sizeof(line), "patch: %u sites:", patch_stats.sites);

	/* n is what the line would need: stop adding once it no longer fits. */
	for (int k = 0; k < PVSITE_NKINDS && n < (int)sizeof(line); k++)
		n += pv_snprintf(line + n, sizeof(line) - n, " %s=%u",
				 pv_site_kind_name(k), patch_stats.kind[k]);
	kprintf("%s\n", line);
	if (!verbose)
		return;
	kprintf("patch: sites per op:");
	for (unsigned t = 0; t < PV_NSLOTS; t++)
		if (patch_stats.per_type[t])
			kprintf(" %s=%u", paravirt_op_name(t), patch_stats.per_type[t]);
	kprintf("\n");
}

void apply_paravirt(bool nopatch, bool verbose)
{
	struct paravirt_patch_site *s;

	for (s = __parainstructions; s < __parainstructions_end; s++) {
		check_site(s);
		enum pv_site_kind k = nopatch ? PVSITE_INDIRECT : patch_site(s);
		patch_stats.sites++;
		patch_stats.kind[k]++;
		patch_stats.per_type[s->type]++;
		if (verbose)
			kprintf("patch: %#x %-26s len %2u clobbers %x -> %s\n", s->addr,
				paravirt_op_name(s->type), s->len, s->clobbers,
				pv_site_kind_name(k));
	}
	/* Serialise so this CPU fetches the new bytes (SDM vol. 3 §8.1.3). */
	unsigned a = 0, b, c = 0, d;
	cpuid_raw(&a, &b, &c, &d);
	print_counts(verbose);
}

u32 patched_sites(void)
{
	return patch_stats.sites - patch_stats.kind[PVSITE_INDIRECT];
}

/* ---- op names ------------------------------------------------------------ */

#define N(op) [PV_TYPE(op)] = #op
static const char *const op_names[PV_NSLOTS] = {
	N(info.kernel_rpl), N(info.shared_kernel_pmd), N(info.paravirt_enabled), N(info.name),
	N(init.patch), N(init.arch_setup), N(init.memory_setup), N(init.banner),
	N(init.pagetable_setup_start), N(init.pagetable_setup_done),
	N(time.time_init), N(time.get_wallclock), N(time.set_wallclock),
	N(time.get_scheduled_cycles), N(time.get_cpu_khz),
	N(cpu.cpuid), N(cpu.get_debugreg), N(cpu.set_debugreg), N(cpu.clts),
	N(cpu.read_cr0), N(cpu.write_cr0), N(cpu.read_cr2), N(cpu.write_cr2),
	N(cpu.read_cr3), N(cpu.write_cr3), N(cpu.read_cr4_safe), N(cpu.read_cr4),
	N(cpu.write_cr4), N(cpu.wbinvd), N(cpu.read_msr), N(cpu.write_msr),
	N(cpu.read_tsc), N(cpu.read_pmc), N(cpu.load_tr_desc), N(cpu.load_gdt),
	N(cpu.load_idt), N(cpu.store_gdt), N(cpu.store_idt), N(cpu.set_ldt),
	N(cpu.store_tr), N(cpu.load_tls), N(cpu.write_ldt_entry),
	N(cpu.write_gdt_entry), N(cpu.write_idt_entry), N(cpu.load_esp0),
	N(cpu.set_iopl_mask), N(cpu.io_delay), N(cpu.irq_enable_sysexit), N(cpu.iret),
	N(irq.init_IRQ), N(irq.save_fl), N(irq.restore_fl), N(irq.irq_disable),
	N(irq.irq_enable), N(irq.safe_halt), N(irq.halt),
	N(apic.apic_write), N(apic.apic_write_atomic), N(apic.apic_read),
	N(apic.setup_boot_clock), N(apic.setup_secondary_clock),
	N(smp.startup_ipi_hook),
	N(mmu.activate_mm), N(mmu.dup_mmap), N(mmu.exit_mmap), N(mmu.flush_tlb_user),
	N(mmu.flush_tlb_kernel), N(mmu.flush_tlb_single), N(mmu.map_pt_hook),
	N(mmu.alloc_pt), N(mmu.alloc_pd), N(mmu.alloc_pd_clone), N(mmu.release_pt),
	N(mmu.release_pd), N(mmu.set_pte), N(mmu.set_pte_at), N(mmu.set_pmd),
	N(mmu.pte_update), N(mmu.pte_update_defer), N(mmu.ptep_get_and_clear),
	N(mmu.set_pte_atomic), N(mmu.set_pte_present), N(mmu.set_pud), N(mmu.pte_clear),
	N(mmu.pmd_clear), N(mmu.pte_val), N(mmu.pmd_val), N(mmu.pgd_val),
	N(mmu.make_pte), N(mmu.make_pmd), N(mmu.make_pgd),
	N(lazy.set_lazy_mode),
};

const char *paravirt_op_name(unsigned type)
{
	return type < PV_NSLOTS ? op_names[type] : NULL;
}
