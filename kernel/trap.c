/*
 * Trap dispatch and the crash dump.  Exceptions in the kernel first look
 * for a fixup (__ex_table: faulting rdmsr and friends); anything else is a
 * crash: registers, symbolised EIP, a frame-pointer stack trace, then the
 * result line with status=crash (docs/design.md §9).
 */
#include "trap.h"
#include "cpu.h"
#include "report.h"
#include "task.h"

struct ex_entry {
	u32 insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

static irq_handler_t handlers[256];
bool (*kernel_pf_hook)(u32 cr2);
static volatile u32 crashing;

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *(*crash_addr_name)(u32 addr, u32 *offset);
void guard_resume(void);

const char *exception_name(u32 vector)
{
	return vector < 32 && exc_names[vector] ? exc_names[vector] : "interrupt";
}

void trap_set_handler(int vector, irq_handler_t h)
{
	handlers[vector] = h;
}

static bool try_fixup(struct trapframe *tf)
{
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
		if (e->insn == tf->eip) {
			tf->eip = e->fixup;
			return true;
		}
	}
	return false;
}

void trap(struct trapframe *tf)
{
	u32 v = tf->vector;

	if (handlers[v]) {
		handlers[v](tf);
		return;
	}
	if (v < 32 && (tf->cs & 3) == 3 && user_fault(tf))
		return;
	if (v == 14 && (tf->cs & 3) != 3 && kernel_pf_hook && kernel_pf_hook(read_cr2()))
		return;
	if (v < 32 && try_fixup(tf))
		return;
	if (v < 32 && active_guard && (tf->cs & 3) != 3) {
		/* A guarded call faulted: back to guard_call's caller. */
		active_guard->faulted = 1;
		active_guard->vector = v;
		active_guard->eip = tf->eip;
		tf->eip = (u32)guard_resume;
		tf->eflags = 0x2;       /* bit 1 is always set; IF, DF off */
		return;
	}
	if (v == VEC_SPURIOUS)
		return;
	crash(tf, v < 32 ? exception_name(v) : "unexpected interrupt");
}

/* ---- symbols ------------------------------------------------------------ */

struct ksym {
	u32 addr;
	const char *name;
};
extern const u32 ksyms_count;
extern const struct ksym ksyms_table[];

const char *ksym_lookup(u32 addr, u32 *offset)
{
	u32 lo = 0, hi = ksyms_count;

	if (!hi || addr < ksyms_table[0].addr || addr >= (u32)__text_end)
		return NULL;
	while (hi - lo > 1) {           /* last symbol <= addr */
		u32 mid = (lo + hi) / 2;
		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_table[lo].addr;
	return ksyms_table[lo].name;
}

static void print_addr(const char *prefix, u32 addr)
{
	u32 off;
	const char *name = ksym_lookup(addr, &off);

	if (!name && crash_addr_name)
		name = crash_addr_name(addr, &off);

	if (name)
		kprintf("%s%08x <%s+%#x>\n", prefix, addr, name, off);
	else
		kprintf("%s%08x <?>\n", prefix, addr);
}

/* Walk saved frame pointers while they stay inside [lo, hi). */
void print_stack_trace(u32 ebp, u32 lo, u32 hi)
{
	kprintf("Stack trace:\n");
	for (int depth = 0; depth < 16; depth++) {
		if (ebp < lo || ebp + 8 > hi || (ebp & 3))
			break;
		u32 ret = ((u32 *)ebp)[1];
		if (!ret)
			break;
		print_addr("  ", ret);
		ebp = ((u32 *)ebp)[0];
	}
}

static void dump_regs(const struct trapframe *tf)
{
	bool user = (tf->cs & 3) == 3;
	u32 esp = user ? tf->user_esp : (u32)&tf->user_esp;

	print_addr("EIP: ", tf->eip);
	kprintf("EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n", tf->eax, tf->ebx, tf->ecx, tf->edx);
	kprintf("ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n", tf->esi, tf->edi, tf->ebp, esp);
	kprintf("CS=%04x DS=%04x ES=%04x FS=%04x GS=%04x EFLAGS=%08x ERR=%08x\n",
		tf->cs & 0xffff, tf->ds & 0xffff, tf->es & 0xffff, tf->fs & 0xffff,
		tf->gs & 0xffff, tf->eflags, tf->err);
	kprintf("CR0=%08lx CR2=%08lx CR3=%08lx CR4=%08lx\n", read_cr0(), read_cr2(),
		read_cr3(), read_cr4());
}

/* The stack the frame lives on: this CPU's, or the boot stack. */
static void stack_bounds(u32 sp, u32 *lo, u32 *hi)
{
	for (u32 i = 0; i < MAX_CPUS; i++) {
		u32 top = cpus[i].stack_top;
		if (top && sp <= top && sp >= top - KSTACK_SIZE) {
			*lo = top - KSTACK_SIZE;
			*hi = top;
			return;
		}
	}
	*lo = (u32)boot_stack_bottom;
	*hi = (u32)boot_stack_top;
}

void console_break_lock(void);

_Noreturn void crash(struct trapframe *tf, const char *why)
{
	u32 lo, hi;

	irq_disable();
	if (__atomic_fetch_add(&crashing, 1, __ATOMIC_SEQ_CST)) {
		/* Another CPU is already reporting, or we faulted while dumping. */
		for (;;)
			halt();
	}
	console_break_lock();
	kprintf("\n*** CRASH on cpu %u: %s (vector %u, error %#x)\n",
		current_cpu_id(), why, tf->vector, tf->err);
	dump_regs(tf);
	stack_bounds(tf->ebp, &lo, &hi);
	print_stack_trace(tf->ebp, lo, hi);
	result_line("crash");
	qemu_exit(EXIT_CRASH);
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;
	u32 ebp, lo, hi;

	irq_disable();
	if (__atomic_fetch_add(&crashing, 1, __ATOMIC_SEQ_CST))
		for (;;)
			halt();
	console_break_lock();
	kprintf("\n*** PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	asm volatile("movl %%ebp, %0" : "=r"(ebp));
	stack_bounds(ebp, &lo, &hi);
	print_stack_trace(ebp, lo, hi);
	result_line("crash");
	qemu_exit(EXIT_CRASH);
}
