/* Descriptor tables: one GDT and TSS per CPU, one shared IDT (Intel SDM
 * vol. 3 ch. 3, 6, 7).  Every load and entry write goes through the table. */
#include "cpu.h"
#include "trap.h"

bool percpu_ready;
static struct desc_struct idt[256] __attribute__((aligned(8)));

/* Base/limit/access/flags -> the two words of a segment descriptor. */
static void make_seg(u32 base, u32 limit, u8 access, u8 flags, u32 *lo, u32 *hi)
{
	*lo = (limit & 0xffff) | (base << 16);
	*hi = ((base >> 16) & 0xff) | ((u32)access << 8) |
	      (limit & 0xf0000) | ((u32)(flags & 0xf) << 20) | (base & 0xff000000);
}

static void gdt_set(struct desc_struct *gdt, int n, u32 base, u32 limit, u8 access, u8 flags)
{
	u32 lo, hi;
	make_seg(base, limit, access, flags, &lo, &hi);
	write_gdt_entry(gdt, n, lo, hi);
}

struct desc_struct *cpu_gdt(unsigned cpu)
{
	return cpus[cpu].gdt;
}

/* Fill c's GDT and TSS; the boot CPU does it for APs a backend starts
 * directly in protected mode on them. */
void gdt_build(struct cpu *c)
{
	struct desc_struct *g = c->gdt;

	c->self = c;
	gdt_set(g, GDT_NULL, 0, 0, 0, 0);
	gdt_set(g, GDT_KCODE, 0, 0xfffff, 0x9a, 0xc);
	gdt_set(g, GDT_KDATA, 0, 0xfffff, 0x92, 0xc);
	gdt_set(g, GDT_UCODE, 0, 0xfffff, 0xfa, 0xc);
	gdt_set(g, GDT_UDATA, 0, 0xfffff, 0xf2, 0xc);
	gdt_set(g, GDT_TSS, (u32)&c->tss, sizeof(c->tss) - 1, 0x89, 0x0);
	gdt_set(g, GDT_PERCPU, (u32)c, sizeof(*c) - 1, 0x92, 0x4);
	c->tss.ss0 = SEL_KDATA;
	c->tss.esp0 = c->stack_top;
	c->tss.iomap_base = sizeof(c->tss);     /* no I/O bitmap: IOPL decides */
}

/* Build this CPU's GDT and TSS, load them, and point %fs at struct cpu. */
void gdt_init_cpu(struct cpu *c)
{
	struct desc_ptr d = { sizeof(c->gdt) - 1, (u32)c->gdt };

	gdt_build(c);
	u32 rpl = pv_kernel_rpl();      /* 1 for a ring-1 guest: ss must match */

	load_gdt(&d);
	asm volatile("ljmp %0, $1f\n1:\n"
		     "movw %w1, %%ds\n movw %w1, %%es\n movw %w1, %%ss\n"
		     "movw %w2, %%fs\n movw %w3, %%gs\n"
		     :: "i"(SEL_KCODE), "r"(SEL_KDATA | rpl), "r"(SEL_PERCPU | rpl), "r"(0) : "memory");
	load_tr_desc();
	set_ldt(NULL, 0);
	percpu_ready = true;
}

void set_gate(int vec, u32 handler, int dpl, bool trap)
{
	u32 lo = (handler & 0xffff) | ((u32)SEL_KCODE << 16);
	u32 hi = (handler & 0xffff0000) | 0x8000 | ((u32)(dpl & 3) << 13) |
		 (trap ? 0xf00 : 0xe00);
	write_idt_entry(idt, vec, lo, hi);
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate(v, trap_stubs[v], v == VEC_SYSCALL ? 3 : 0, false);
}

void idt_load(void)
{
	struct desc_ptr d = { sizeof(idt) - 1, (u32)idt };
	load_idt(&d);
}
