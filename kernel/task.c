/*
 * Minimal ring 3 (see task.h): address spaces copied from a template the
 * way dup_mmap copies a parent, torn down the way exit_mmap does, and a
 * cooperative switch between the two tasks of a pair.  Every privileged
 * step goes through the table: alloc/release of page-table pages,
 * set_pte_at, activate_mm, load_esp0, load_tls, set_iopl_mask, lazy CPU
 * mode around the switch, write_cr3 for the TLB flush, iret and sysexit.
 */
#include "task.h"
#include "spinlock.h"
#include "cpufeature.h"

extern u8 user_prog_start[], user_prog_end[];
void task_switch(u32 *save_esp, u32 new_esp);
void task_first_entry(void);
void sysenter_entry(void);

#define KSTACK_PAGES 2
#define TLS_AREA 0x800                  /* in the data page */

u32 user_base;
static struct mm_struct template_mm;    /* code, data and stack pages */

/* One free 4 MiB slot for the user pages, searched from the top. */
static u32 find_user_slot(void)
{
	for (u32 va = 0xf0000000; va >= 0xc0000000; va -= 0x400000)
		if (pgtable_range_free(&init_mm, va, USER_SLOT_SIZE))
			return va;
	return 0;
}

/* The pte of the user page at off in mm (page tables made on first use
 * when create), or NULL. */
static pxe_t *user_pte(struct mm_struct *mm, u32 off, bool create)
{
	if (off >= USER_SLOT_SIZE)
		return NULL;
	return create ? pgtable_pte(mm, user_base + off) : lookup_pte(mm, user_base + off);
}

/* The present entry of the user page at off, else 0. */
static u64 user_entry(struct mm_struct *mm, u32 off)
{
	pxe_t *e = user_pte(mm, off, false);
	u64 v = e ? pte_val(pxe_get(e)) : 0;

	return v & PTE_P ? v : 0;
}

/*
 * The tasks' own pages come from above 4 GiB when PAE put RAM there: the
 * CPU reaches them through the user mapping, the kernel through kmap.
 * Below 4 GiB they are identity mapped as ever.
 */
#define FOUR_GIB 0x100000000ull

/* Copy n bytes into (buf NULL: zero) or out of the user page at pa. */
static void user_page_io(u64 pa, u32 off, void *buf, u32 n, bool to_page)
{
	unsigned long f = irq_save();
	u8 *p = pa < FOUR_GIB ? (u8 *)(u32)pa : kmap(pa);

	if (to_page && buf)
		memcpy(p + off, buf, n);
	else if (to_page)
		memset(p + off, 0, n);
	else
		memcpy(buf, p + off, n);
	if (pa >= FOUR_GIB)
		kunmap(p);
	restore_fl(f);
}

/* A zeroed page for a task, 0 if none. */
static u64 user_page_alloc(void)
{
	u64 pa = page_alloc_high();

	if (!pa)
		return page_alloc();
	user_page_io(pa, 0, NULL, PAGE_SIZE, true);
	return pa;
}

static void user_page_free(u64 pa)
{
	if (pa >= FOUR_GIB)
		page_free_high(pa);
	else
		page_free((u32)pa);
}

static bool map_user(struct mm_struct *mm, u32 off, u64 pa, u32 flags)
{
	pxe_t *pte = user_pte(mm, off, true);

	set_pte_at(mm, user_base + off, pte, make_pte(pa | flags));
	return true;
}

void task_init(void)
{
	trap_set_handler(VEC_SYSCALL, syscall_trap);
	u32 code = page_alloc(), data = page_alloc(), stack = page_alloc();

	user_base = find_user_slot();
	template_mm.pgd = pgd_alloc_kernel();
	if (!user_base || !template_mm.pgd || !code || !data || !stack)
		panic("task: no room for the ring-3 template (slot %#x)", user_base);
	memcpy((void *)code, user_prog_start, user_prog_end - user_prog_start);
	map_user(&template_mm, USER_CODE_OFF, code, PTE_P | PTE_U);
	map_user(&template_mm, USER_DATA_OFF, data, PTE_P | PTE_W | PTE_U);
	map_user(&template_mm, USER_STACK_OFF, stack, PTE_P | PTE_W | PTE_U);
	kprintf("task: ring-3 slot at %#x (4 MiB), template of %u bytes of user code\n",
		user_base, (u32)(user_prog_end - user_prog_start));
}

/* Copy the template's user pages into mm (no sharing, no copy-on-write). */
static bool dup_user_pages(struct mm_struct *mm)
{
	for (u32 off = 0; off < USER_SLOT_SIZE; off += PAGE_SIZE) {
		u64 e = user_entry(&template_mm, off);
		if (!e)
			continue;
		u64 pa = user_page_alloc();     /* the template's pages are below 4 GiB */
		if (!pa)
			return false;
		user_page_io(pa, 0, (void *)(u32)pt_entry_addr(pt_fmt, e), PAGE_SIZE, true);
		if (!map_user(mm, off, pa, (u32)e & 0xfff))
			return false;
	}
	arch_dup_mmap(&template_mm, mm);
	return true;
}

/* The first-entry stack: a trapframe for iret under a task_switch frame. */
static void build_first_frame(struct task *t, u32 iopl)
{
	u32 top = t->kstack + KSTACK_PAGES * PAGE_SIZE;
	struct trapframe *tf = (struct trapframe *)(top - sizeof(*tf));
	u32 *sw = (u32 *)tf - 5;

	memset(tf, 0, sizeof(*tf));
	tf->ds = tf->es = SEL_UDATA;
	tf->eax = t->entry_eax;
	tf->ebx = t->entry_ebx;
	tf->ecx = user_base;
	tf->eip = user_base + USER_CODE_OFF;
	tf->cs = SEL_UCODE;
	tf->eflags = X86_EFLAGS_IF | 0x2 | (iopl << 12);
	tf->user_esp = user_base + USER_STACK_OFF + PAGE_SIZE;
	tf->user_ss = SEL_UDATA;
	memset(sw, 0, 4 * sizeof(u32));         /* edi esi ebx ebp */
	sw[4] = (u32)task_first_entry;
	t->kesp = (u32)sw;
	t->thread.esp0 = top;
	t->thread.sysenter_cs = sysenter_unavailable() ? 0 : SEL_KCODE;
	t->thread.iopl = iopl << 12;
}

/* A TLS data segment (DPL 3, 4 KiB byte-granular) at base. */
static void make_tls(struct desc_struct *d, u32 base)
{
	d->a = 0x0fff | (base << 16);
	d->b = ((base >> 16) & 0xff) | 0xf200 | (base & 0xff000000);
}

struct task *task_create(u32 prog, u32 arg, u32 iopl)
{
	static u32 serial;
	struct task *t = (struct task *)page_alloc();

	if (!t)
		return NULL;
	t->kstack = pages_alloc(KSTACK_PAGES);
	t->mm.pgd = pgd_alloc_kernel();
	if (!t->kstack || !t->mm.pgd || !dup_user_pages(&t->mm)) {
		task_destroy(t);
		return NULL;
	}
	t->entry_eax = prog;
	t->entry_ebx = arg;
	t->state = TASK_RUNNABLE;
	build_first_frame(t, iopl);
	/* Each task's TLS segment points at a different word of its data page. */
	u32 slot = __atomic_fetch_add(&serial, 1, __ATOMIC_SEQ_CST) % 64;
	t->tls_value = 0x7150000 + slot;
	user_page_io(pt_entry_addr(pt_fmt, user_entry(&t->mm, USER_DATA_OFF)),
		     TLS_AREA + 4 * slot, &t->tls_value, 4, true);
	make_tls(&t->thread.tls[0], user_base + USER_DATA_OFF + TLS_AREA + 4 * slot);
	return t;
}

/* exit_mmap: the backend hook, then every user page and table page. */
static void free_user_pages(struct mm_struct *mm)
{
	arch_exit_mmap(mm);
	for (u32 off = 0; off < USER_SLOT_SIZE; off += PAGE_SIZE) {
		pxe_t *pte = user_pte(mm, off, false);
		if (!pte)
			continue;
		pte_t e = ptep_get_and_clear(pte);
		if (pte_val(e) & PTE_P)
			user_page_free(pt_entry_addr(pt_fmt, pte_val(e)));
	}
	pgtable_free_tables(mm, user_base, USER_SLOT_SIZE);
}

bool task_read(struct task *t, u32 off, void *buf, u32 len)
{
	for (u32 done = 0; done < len;) {
		u32 o = off + done, n = PAGE_SIZE - (o & 0xfff);
		if (n > len - done)
			n = len - done;
		u64 e = o < USER_SLOT_SIZE ? user_entry(&t->mm, o & ~0xfffu) : 0;
		if (!e)
			return false;
		user_page_io(pt_entry_addr(pt_fmt, e), o & 0xfff, (u8 *)buf + done, n, false);
		done += n;
	}
	return true;
}

void task_destroy(struct task *t)
{
	if (t->mm.pgd) {
		free_user_pages(&t->mm);
		pgd_free(t->mm.pgd);
	}
	for (u32 i = 0; t->kstack && i < KSTACK_PAGES; i++)
		page_free(t->kstack + i * PAGE_SIZE);
	page_free((u32)t);
}

/* ---- switching ----------------------------------------------------------- */

struct cpu_sched {
	u32 esp;                /* the caller of task_run */
	struct task *current;
	struct mm_struct *mm;   /* address space loaded now */
};
static struct cpu_sched sched[MAX_CPUS];

/* Load next's CPU state and address space; prev may be NULL (kernel). */
static void switch_state(struct mm_struct *prev, struct task *next)
{
	struct cpu *c = this_cpu();
	struct cpu_sched *s = &sched[c->id];
	struct mm_struct *mm = next ? &next->mm : &init_mm;
	struct thread_struct kthread = { .esp0 = c->stack_top };
	struct thread_struct *th = next ? &next->thread : &kthread;

	arch_enter_lazy_cpu_mode();
	load_esp0(&c->tss, th);
	load_tls(th, c->id);
	set_iopl_mask(th->iopl);
	arch_leave_lazy_cpu_mode();
	if (prev != mm) {
		activate_mm(prev, mm);
		write_cr3((u32)mm->pgd);        /* also flushes the user TLB */
	}
	s->mm = mm;
	s->current = next;
}

/* Why ring 3 cannot use sysenter in this boot, or NULL: decided here only. */
const char *sysenter_unavailable(void)
{
	if (pv_kernel_rpl())
		return "a ring-1 kernel has no sysenter (the host owns its MSRs)";
	if (!cpu_has(CPUID1_EDX_SEP))
		return "this CPU has no sysenter (CPUID.1:EDX bit 11, SEP, is clear)";
	return NULL;
}

void task_run(struct task *t)
{
	struct cpu_sched *s = &sched[this_cpu()->id];
	unsigned long flags = irq_save();

	if (!sysenter_unavailable())
		wrmsr_safe(MSR_IA32_SYSENTER_EIP, (u32)sysenter_entry);
	switch_state(&init_mm, t);
	task_switch(&s->esp, t->kesp);
	switch_state(s->mm, NULL);
	/* A task may have left a TLS selector in %gs that load_tls just
	 * emptied; the kernel itself uses none. */
	asm volatile("movl %0, %%gs" :: "r"(0));
	restore_fl(flags);
}

/* Leave the current task for the other one of its pair, or the caller. */
static void task_leave(struct task *me, bool yield)
{
	struct cpu_sched *s = &sched[this_cpu()->id];
	struct task *o = me->other;

	if (o && o->state == TASK_RUNNABLE) {
		switch_state(&me->mm, o);
		task_switch(&me->kesp, o->kesp);
		/* resumed: the other task yielded back */
		switch_state(s->mm, me);
		return;
	}
	if (yield)
		return;                 /* nobody to yield to: keep running */
	task_switch(&me->kesp, s->esp);
}

static _Noreturn void task_end(struct task *me, u32 state)
{
	me->state = state;
	task_leave(me, false);
	panic("task: an ended task was resumed");
}

/* ---- system calls and faults --------------------------------------------- */

static u32 do_syscall(u32 nr, u32 a1, struct trapframe *tf)
{
	struct task *me = sched[this_cpu()->id].current;

	if (!me)
		panic("task: system call %u with no current task", nr);
	switch (nr) {
	case SYS_EXIT:
		me->exit_code = a1;
		task_end(me, TASK_EXITED);
	case SYS_ECHO:
		return tf->ebx ^ tf->ecx ^ tf->edx ^ tf->esi ^ tf->edi;
	case SYS_NULL:
		return 0;
	case SYS_YIELD:
		task_leave(me, true);
		return 0;
	case SYS_GETCPU:
		return this_cpu()->id;
	}
	return (u32)-38;                /* -ENOSYS */
}

void syscall_trap(struct trapframe *tf)
{
	tf->eax = do_syscall(tf->eax, tf->ebx, tf);
}

u32 sysenter_dispatch(u32 nr, u32 arg, struct trapframe *tf)
{
	return do_syscall(nr, arg, tf);
}

/* Map a zeroed page for a first touch of the demand region. */
static bool demand_page(struct task *me, u32 addr, u32 err)
{
	u32 off = addr - user_base;
	u64 pa;

	if (err & 1 || off < USER_DEMAND_OFF || off >= USER_DEMAND_OFF + USER_DEMAND_LEN)
		return false;
	if (!(pa = user_page_alloc()))
		return false;
	set_pte_at(&me->mm, addr & ~0xfffu, user_pte(&me->mm, off & ~0xfffu, true),
		   make_pte(pa | PTE_P | PTE_W | PTE_U));
	flush_tlb_single(addr & ~0xfffu);
	return true;
}

/* An exception in ring 3: resolve it, or end the task (never the kernel). */
bool user_fault(struct trapframe *tf)
{
	struct task *me = sched[this_cpu()->id].current;
	u32 cr2 = tf->vector == 14 ? read_cr2() : 0;

	if (!me)
		return false;
	if (tf->vector == 14 && demand_page(me, cr2, tf->err))
		return true;
	me->fault_vector = tf->vector;
	me->fault_addr = cr2;
	kprintf("task: cpu %u: ring-3 exception %u at eip %#x (addr %#x, err %#x): task ended\n",
		this_cpu()->id, tf->vector, tf->eip, cr2, tf->err);
	task_end(me, TASK_FAULTED);
}
