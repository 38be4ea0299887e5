/*
 * The lguest host (host=lguest, docs/lguest.md): after the kernel's
 * own bring-up, load the guest image (boot module 0) into guest memory,
 * build its pvboot_info with the lguest boot signature, and run it in
 * ring 1 through the switcher until it shuts down or has to be stopped;
 * then print the host's result line with the guest's status.
 */
#include "lghost.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "report.h"
#include "kparavirt.h"
#include "kdetect.h"
#include "smp.h"
#include "apic.h"
#include "pvboot/multiboot.h"
#include "pvboot/elf32.h"

struct lghost_guest lghost;

extern u8 lghost_switcher_start[], lghost_switcher_end[];
extern const u32 lghost_enter_offset;

void lghost_kill(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pv_vsnprintf(lghost.reason, sizeof(lghost.reason), fmt, ap);
	va_end(ap);
	kprintf("host: guest stopped at eip %#x: %s (vCPU %u)\n", lghost_cur()->regs->eip, lghost.reason, lghost_cur()->id);
	lghost.status = LGHOST_CRASH;
	lghost.done = true;
}

/* Copy through the guest's page tables (page by page, checked). */
static bool copy_va(u32 va, void *buf, u32 len, bool write)
{
	for (u32 done = 0; done < len;) {
		u32 gpa, n = PAGE_SIZE - ((va + done) & 0xfff);
		if (n > len - done)
			n = len - done;
		if (!lghost_va_to_gpa(va + done, &gpa, write) || !lghost_gpa_ok(gpa, n))
			return false;
		if (write)
			memcpy(lghost_hva(gpa), (u8 *)buf + done, n);
		else
			memcpy((u8 *)buf + done, lghost_hva(gpa), n);
		done += n;
	}
	return true;
}

bool lghost_read_va(u32 va, void *buf, u32 len) { return copy_va(va, buf, len, false); }
bool lghost_write_va(u32 va, const void *buf, u32 len) { return copy_va(va, (void *)buf, len, true); }

/* ---- loading the guest ------------------------------------------------- */

/* Every PT_LOAD into guest memory at its physical address (the plan is
 * checked in lib/lguest_check.c); entry or 0 with one line saying why. */
static u32 load_elf(const u8 *img, u32 len)
{
	struct lgc_load seg[LGC_MAX_LOADS];
	u32 n, entry;
	const char *why = lgc_elf_plan(img, len, lghost.size, seg, &n, &entry);

	if (why) {
		kprintf("host: boot module 0 (%u bytes) is not a loadable i386 ELF kernel: %s\n", len, why);
		return 0;
	}
	for (u32 i = 0; i < n; i++) {
		memcpy(lghost_hva(seg[i].paddr), img + seg[i].offset, seg[i].filesz);
		memset(lghost_hva(seg[i].paddr + seg[i].filesz), 0, seg[i].memsz - seg[i].filesz);
	}
	return entry;
}

static bool key_is(const struct cmd_token *t, const char *k)
{
	return t->key_len == strlen(k) && !memcmp(t->key, k, t->key_len);
}

/* The lguest guest backend's own options keep their guest. prefix (the
 * kernel's option parser skips guest.* keys; backends/lguest reads them). */
static bool backend_option(const struct cmd_token *t)
{
	return key_is(t, "guest.hostile") || key_is(t, "guest.fuzz_iters") || key_is(t, "guest.fuzz_seed");
}

/* The host's command line for the guest: without host-only options, with
 * guest.X=Y handed down as X=Y.  What the host expects of the guest
 * (guest.crash=, guest.hostile=) is decided here, from the host's own
 * copy: nothing the guest later writes into its copy changes it. */
static void guest_cmdline(char *out, u32 size)
{
	const char *p = boot_info->cmdline, *end = p + strnlen(p, PVBOOT_CMDLINE_MAX);
	struct cmd_token t;
	const char *err;
	u32 n = 0;

	while (cmd_next(&p, end, &t, &err) > 0) {
		if ((t.key_len == 4 && !memcmp(t.key, "host", 4)) ||
		    (t.key_len == 8 && !memcmp(t.key, "guestmem", 8)))
			continue;
		const char *k = t.key;
		u32 kl = t.key_len;
		if (key_is(&t, "guest.crash"))
			lghost.want_crash = true;
		if (key_is(&t, "guest.smp") && !(t.val && cmd_parse_u32(t.val, t.val_len, &lghost.nr_vcpus)))
			lghost.nr_vcpus = 0;
		if (key_is(&t, "guest.hostile") && t.val)
			lghost_hostile_from_cmdline(t.val, t.val_len);
		if (kl > 6 && !memcmp(k, "guest.", 6) && !backend_option(&t))
			k += 6, kl -= 6;
		n += pv_snprintf(out + n, size - n, "%s%.*s%s%.*s", n ? " " : "", (int)kl, k,
				 t.val ? "=" : "", t.val ? (int)t.val_len : 0, t.val ? t.val : "");
		if (n >= size)
			break;
	}
}

static void build_boot_info(void)
{
	struct pvboot_info *gi = lghost_hva(LG_INFO_GPA);

	memset(gi, 0, sizeof(*gi));
	gi->magic = PVBOOT_INFO_MAGIC;
	gi->version = PVBOOT_INFO_VERSION;
	gi->size = sizeof(*gi);
	gi->firmware = PVFW_LGUEST;
	pv_snprintf(gi->loader_name, sizeof(gi->loader_name), "pvboot lguest host");
	guest_cmdline(gi->cmdline, sizeof(gi->cmdline));
	gi->optsrc_count = 0;
	gi->mmap_count = 2;
	gi->mmap[0] = (struct pvboot_mmap_entry){ 0, 0x9f000, E820_RAM, 0 };
	gi->mmap[1] = (struct pvboot_mmap_entry){ 0x100000, lghost.size - 0x100000, E820_RAM, 0 };
	gi->screen.kind = PVSCREEN_NONE;
	gi->env = PVENV_LGUEST;
	gi->hardware_subarch = PVBOOT_SUBARCH_LGUEST;
	gi->tsc_loader_entry = gi->tsc_handoff = rdtsc();
	pvboot_set_optsrc_all(gi, PVSRC_HOST);
}

/*
 * How many vCPUs: guest.smp=N, else one per host CPU online.  Each runs
 * on the host CPU of its number, all at once, so there are never more
 * vCPUs than host CPUs: the host has no scheduler to share a CPU between
 * two (docs/lguest.md, "SMP guests").
 */
static void size_guest(u32 asked)
{
	u32 n = asked ? asked : ncpus_online;

	if (n > ncpus_online)
		kprintf("host: guest.smp=%u: more vCPUs than the %u host CPUs online, and each vCPU needs one "
			"of its own; the guest gets %u (boot the host with more CPUs, e.g. -smp %u)\n",
			asked, ncpus_online, ncpus_online, asked);
	if (n > ncpus_online)
		n = ncpus_online;
	if (n > LGHOST_MAX_VCPUS) {
		kprintf("host: %u vCPUs asked for; this host runs at most %u\n", n, LGHOST_MAX_VCPUS);
		n = LGHOST_MAX_VCPUS;
	}
	for (u32 k = 1; k < n; k++)
		if (!cpus[k].online) {
			kprintf("host: host CPU %u is not online: the guest gets %u vCPUs\n", k, k);
			n = k;
		}
	lghost.nr_vcpus = n;
}

static bool setup_guest(void)
{
	u32 mb = kopts.guestmem_mb ? kopts.guestmem_mb : 64;

	this_cpu()->host_vcpu = &lghost.vcpu[0];        /* lghost_kill's, until bound */

	if (!boot_info->mod_count) {
		kprintf("host: no guest image: pass pvkernel.elf as boot module 0 (Multiboot: -initrd build/pvkernel.elf)\n");
		return false;
	}
	lghost.size = mb << 20;
	lghost.base = pages_alloc(lghost.size / PAGE_SIZE);
	if (!lghost.base) {
		kprintf("host: cannot reserve %u MiB of guest memory; try a smaller guestmem=\n", mb);
		return false;
	}
	u32 entry = load_elf((const u8 *)boot_info->mods[0].start,
			     boot_info->mods[0].end - boot_info->mods[0].start);
	if (!entry)
		return false;
	build_boot_info();     /* reads guest.smp= */
	size_guest(lghost.nr_vcpus);
	if (!lghost_setup_cpu_tables() || !lghost_shadow_init()) {
		kprintf("host: no memory for the switcher and shadow pages of %u vCPUs\n", lghost.nr_vcpus);
		return false;
	}
	struct trapframe *r = lghost.vcpu[0].regs;
	r->eip = entry;
	r->eax = PVBOOT_ENTRY_MAGIC;
	r->ebx = LG_INFO_GPA;
	kprintf("host: guest of %u MiB at host %#x, entry %#x, %u vCPU%s, running in ring %u\n",
		mb, lghost.base, entry, lghost.nr_vcpus, lghost.nr_vcpus == 1 ? "" : "s", LG_GUEST_RPL);
	return true;
}

/* ---- running ----------------------------------------------------------- */

void sysenter_entry(void);     /* kernel/task.c's ring-3 system call entry */
static u8 sysenter_stack[256] __attribute__((aligned(16)));

/* guest.hostile=sysenter: the SYSENTER MSRs set as a host that has run a
 * ring-3 task (kernel/task.c) leaves them, so the guest tries them live. */
static void arm_sysenter_msrs(void)
{
	wrmsr_safe(MSR_IA32_SYSENTER_CS, SEL_KCODE);
	wrmsr_safe(MSR_IA32_SYSENTER_ESP, (u32)sysenter_stack + sizeof(sysenter_stack));
	wrmsr_safe(MSR_IA32_SYSENTER_EIP, (u32)sysenter_entry);
	kprintf("host: SYSENTER MSRs set (cs %#x, eip %#x) as a ring-3 task leaves them\n",
		SEL_KCODE, (u32)sysenter_entry);
}

/* The switcher faulted at ring 0 (its iret or a segment load): the frame
 * at the exit esp is the CPU's, shorter than a guest exit's; the guest's
 * registers are lost, so it is stopped. */
static bool switcher_fault(struct lghost_vcpu *v)
{
	u32 esp = *(volatile u32 *)(v->sw + SW_EXIT_ESP);

	if (esp == SW_REGS_ADDR)
		return false;
	if (esp < LGHOST_SW_SAVE || esp > LGHOST_SW_SAVE + PAGE_SIZE - sizeof(struct trapframe))
		esp = SW_REGS_ADDR;     /* cannot happen: the pushes stay in the save page */
	const struct trapframe *f = (const struct trapframe *)(v->sw + PAGE_SIZE + (esp - LGHOST_SW_SAVE));
	lghost_defend(LGHOST_D_SWITCHER_FAULT, "vector %u (error %#x) at eip %#x inside the switcher", f->vector, f->err, f->eip);
	lghost_kill("the switcher faulted (vector %u) returning to the guest", f->vector);
	return true;
}

/*
 * One entry: with interrupts off, SYSENTER_CS parked at 0 (a guest
 * sysenter then takes #GP instead of landing in ring 0 on its own page
 * tables) and CR0.TS as the guest set it (its next FPU instruction raises
 * #NM, which is reflected to it); both are the host's again on exit.
 */
static void enter_guest(void (*enter)(void))
{
	int err;
	u64 sysenter_cs = rdmsr_safe(MSR_IA32_SYSENTER_CS, &err);
	bool park = !err && sysenter_cs;
	unsigned long cr0 = read_cr0();

	if (park)
		wrmsr_safe(MSR_IA32_SYSENTER_CS, 0);
	if (lghost_cur()->cr0_ts)
		write_cr0(cr0 | X86_CR0_TS);
	enter();
	if (lghost_cur()->cr0_ts)
		write_cr0(cr0);
	if (park)
		wrmsr_safe(MSR_IA32_SYSENTER_CS, sysenter_cs);
}

/* ---- vCPUs in parallel --------------------------------------------------- */

/* Make v's host CPU take an interrupt: out of the guest, or out of HALT. */
void lghost_kick(struct lghost_vcpu *v)
{
	if (v->id != this_cpu()->id)
		send_ipi(cpus[v->id].apic_id, VEC_WAKE);
}

#define STOP_WAIT_MS 10000      /* a vCPU kicked out of the guest exits at once */

/*
 * With the host's lock held: every other vCPU in the guest exits once
 * (which reloads its cr3, so no TLB entry of a changed shadow survives)
 * and cannot enter again until the lock is let go.  exit_seq is read
 * before in_guest: a vCPU bumps it before clearing in_guest, so one seen
 * in the guest either bumps it later or has already.
 */
void lghost_stop_others(void)
{
	u32 seq[LGHOST_MAX_VCPUS];
	u32 waiting = 0;

	lghost.flush_others = false;
	if (lghost.nr_vcpus == 1)
		return;

	for (u32 n = 0; n < lghost.nr_vcpus; n++) {
		struct lghost_vcpu *v = &lghost.vcpu[n];
		seq[n] = __atomic_load_n(&v->exit_seq, __ATOMIC_ACQUIRE);
		if (v != lghost_cur() && __atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE)) {
			waiting |= 1u << n;
			lghost_kick(v);
		}
	}
	if (!waiting)
		return;
	u64 deadline = rdtsc() + (u64)STOP_WAIT_MS * tsc_khz;
	for (u32 n = 0; n < lghost.nr_vcpus; n++)
		while ((waiting & (1u << n)) && __atomic_load_n(&lghost.vcpu[n].exit_seq, __ATOMIC_ACQUIRE) == seq[n]) {
			if (rdtsc() > deadline) {
				lghost_kill("vCPU %u did not leave the guest within %u ms of an IPI", n, STOP_WAIT_MS);
				return;
			}
			cpu_relax();
		}
}

/* Let the lock go; first, other vCPUs drop what changed under them. */
static void host_unlock(void)
{
	if (lghost.flush_others)
		lghost_stop_others();
	spin_unlock(&lghost.lock);
}

/* HALT: sleep (interrupts on only inside safe_halt) until an interrupt is
 * due for this vCPU or the guest has ended. */
static void halt_wait(void)
{
	for (;;) {
		spin_lock(&lghost.lock);
		bool due = lghost.done || lghost_interrupt_due();
		spin_unlock(&lghost.lock);
		if (due)
			return;
		safe_halt();            /* sti; hlt: a kick cannot slip in between */
		irq_disable();
	}
}

/* One vCPU until the guest ends, on its own host CPU, interrupts off. */
static void run_vcpu(struct lghost_vcpu *v)
{
	void (*enter)(void) = (void *)(LG_SWITCHER_ADDR + lghost_enter_offset);

	irq_disable();
	spin_lock(&lghost.lock);
	while (!lghost.done) {
		if (v->halting) {
			v->halting = false;
			host_unlock();
			halt_wait();
			spin_lock(&lghost.lock);
			continue;
		}
		lghost_inject_pending();
		if (lghost.done || !lghost_prepare_entry())
			break;
		__atomic_store_n(&v->in_guest, 1, __ATOMIC_RELEASE);
		host_unlock();
		enter_guest(enter);
		__atomic_fetch_add(&v->exit_seq, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&v->in_guest, 0, __ATOMIC_RELEASE);
		spin_lock(&lghost.lock);
		lghost.exits++;
		if (!switcher_fault(v))
			lghost_handle_exit(v->regs->vector);
	}
	host_unlock();
	for (u32 n = 0; n < lghost.nr_vcpus; n++)       /* the others see the end */
		lghost_kick(&lghost.vcpu[n]);
	irq_enable();
}

/* Host CPU n: wait for VCPU_START (or the guest's end), run vCPU n. */
static void vcpu_thread(void *arg)
{
	struct lghost_vcpu *v = arg;

	lghost_bind_host_cpu(v);
	irq_disable();
	while (__atomic_load_n(&v->state, __ATOMIC_ACQUIRE) == LGHOST_VCPU_OFF && !lghost.done) {
		safe_halt();
		irq_disable();
	}
	irq_enable();
	if (v->state == LGHOST_VCPU_RUN)
		run_vcpu(v);
	__atomic_store_n(&v->state, LGHOST_VCPU_STOPPED, __ATOMIC_RELEASE);
	lghost_kick(&lghost.vcpu[0]);
}

/* vCPU 0 here; the others on their host CPUs, waiting for VCPU_START.
 * The guest's result is read only once every vCPU has stopped. */
static void run_guest(void)
{
	for (u32 n = 1; n < lghost.nr_vcpus; n++)
		if (!smp_post(n, vcpu_thread, &lghost.vcpu[n]))
			panic("host: host CPU %u cannot take vCPU %u", n, n);
	lghost_bind_host_cpu(&lghost.vcpu[0]);
	lghost.vcpu[0].state = LGHOST_VCPU_RUN;
	run_vcpu(&lghost.vcpu[0]);
	u64 deadline = rdtsc() + (u64)STOP_WAIT_MS * tsc_khz;
	for (u32 n = 1; n < lghost.nr_vcpus; n++)
		while (__atomic_load_n(&lghost.vcpu[n].state, __ATOMIC_ACQUIRE) != LGHOST_VCPU_STOPPED) {
			if (rdtsc() > deadline)
				panic("host: vCPU %u did not stop within %u ms of the guest's end", n, STOP_WAIT_MS);
			cpu_relax();
		}
}

static bool strstr_bounded(const char *s, const char *w, u32 max)
{
	u32 n = strlen(w);

	for (u32 i = 0; i + n <= max && s[i]; i++)
		if (!memcmp(s + i, w, n))
			return true;
	return false;
}

/* Report (never decide by) a guest that rewrote its copy of the command
 * line to claim a crash was asked for. */
static void note_forged_expectation(void)
{
	char cl[PVBOOT_CMDLINE_MAX + 1];

	memcpy(cl, ((struct pvboot_info *)lghost_hva(LG_INFO_GPA))->cmdline, PVBOOT_CMDLINE_MAX);
	cl[PVBOOT_CMDLINE_MAX] = '\0';
	if (!lghost.want_crash && strstr_bounded(cl, "crash=", PVBOOT_CMDLINE_MAX))
		lghost_defend(LGHOST_D_FORGED_EXPECT, "the guest's copy of its command line names crash=, the host's "
			  "asks for none: the guest's %s is judged as such",
			  lghost.status == LGHOST_CRASH ? "crash" : "end");
}

/* host_ok: the host's own self-tests passed (or did not run). */
static _Noreturn void host_result(bool host_ok)
{
	const char *g = lghost.status == 0 ? "pass" : lghost.status == LGHOST_CRASH ? "crash" :
			lghost.status == LGHOST_NONE ? "none" : "fail";
	/* A guest told to crash (guest.crash=) passes the host's check by
	 * crashing; the host's own command line says so, not the guest. */
	bool ok = lghost.want_crash ? lghost.status == LGHOST_CRASH : lghost.status == 0;
	char role[128];

	if (lghost.started) {
		note_forged_expectation();
		lghost_sums_take(&lghost.after);
	}
	bool intact = !lghost.started || lghost_intact();
	u32 n = pv_snprintf(role, sizeof(role), " role=host guest=%s", g);
	if (lghost_hostile_name()) {
		/* A hostile guest's own status says nothing: the host passes when
		 * it is intact and the case's defence was seen to work. */
		ok = lghost_attack_failed();
		n += pv_snprintf(role + n, sizeof(role) - n, " hostile=%s attack=%s", lghost_hostile_name(),
				 ok ? "failed" : "unseen");
	}
	pv_snprintf(role + n, sizeof(role) - n, " intact=%s", intact ? "yes" : "no");
	ok = ok && intact && host_ok;
	kprintf("host: guest ended (%s): %u exits, %u hypercalls (+%u queued), %u traps reflected, %u instructions emulated\n",
		g, lghost.exits, lghost.hcalls, lghost.async_calls, lghost.reflected, lghost.emulated);
	lghost_defence_summary();
	if (lghost.started)
		kprintf("host: integrity %s: text %08x/%08x rodata %08x/%08x page tables %08x/%08x switcher %08x/%08x\n",
			intact ? "intact" : "CHANGED", lghost.before.text, lghost.after.text, lghost.before.rodata,
			lghost.after.rodata, lghost.before.ptables, lghost.after.ptables, lghost.before.switcher, lghost.after.switcher);
	result_line_role(role, ok ? "pass" : "fail");
	qemu_exit(ok ? 0 : 1);
}

_Noreturn void lghost_host_run(bool host_ok)
{
	lghost.hostile = -1;
	if (setup_guest()) {
		if (lghost_hostile_name() && !strcmp(lghost_hostile_name(), "sysenter"))
			arm_sysenter_msrs();
		lghost_sums_take(&lghost.before);
		lghost.started = true;
		run_guest();
	} else
		lghost.status = LGHOST_NONE;
	host_result(host_ok);
}

PV_HOST(lguest_host, .id = PV_LGUEST, .va_hole_start = LG_SWITCHER_ADDR,
	.pae_refusal = "host=lguest runs 2-level: its switcher and the guest's shadow page tables are 2-level",
	.no_global_pages = true, .run = lghost_host_run);
