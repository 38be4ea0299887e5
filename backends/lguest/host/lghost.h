/* The lguest host's state (docs/lguest.md). One guest, one vCPU. */
#ifndef LGHOST_H
#define LGHOST_H
#include "kernel.h"
#include "trap.h"
#include "pvboot/lguest.h"
#include "lghost_switcher.h"

#include "pvboot/lguest_check.h"
#include "pvboot/lguest_shadow.h"

/*
 * One virtual CPU: its registers (in the switcher's save page), the ring-1
 * stack for traps from ring 3, TS, its timer and the console input ring
 * position it owns.  Guest-wide state (memory, page tables, gates, the
 * shared page) is in struct lghost_guest, so an SMP guest adds vCPUs, each
 * entered through its own switcher save page.  Nothing here lives in guest
 * memory: every decision is taken from these host-owned copies.
 */
#define LGHOST_MAX_VCPUS 1

/* The selectors of the last entry that passed every check, and the GDT
 * generation they were checked against (lghost_prepare_entry). */
struct lghost_entry_ok {
	u32 gdt_gen;            /* 0: nothing checked yet */
	u32 cs, ss, data[4];    /* as in the frame: ds, es, fs, gs */
	u32 cs_a, cs_b;         /* cs's descriptor, for the eip limit check */
};

struct lghost_vcpu {
	struct trapframe *regs;
	u32 ss1, esp1;          /* SET_STACK */
	u32 cr0_ts;             /* LHCALL_TS: CR0.TS while this vCPU runs */
	u64 timer_period, timer_next;   /* SET_CLOCKEVENT, TSC ticks */
	u32 input_head;         /* console ring: the host's write position */
	bool poll_console;      /* a host interrupt came: look at COM1 before the next entry */
	struct lghost_entry_ok entry_ok;        /* last selectors lghost_prepare_entry passed */
	struct lgc_ring async;  /* where its async ring is (guest memory), set by LGUEST_INIT */
};

/* The host's defences: each refusal is counted and reported by kind, so a
 * hostile guest's attempt is seen to fail (defence.c). */
enum lghost_defence {
	LGHOST_D_USER_HCALL,         /* hypercall attempted from ring 3 */
	LGHOST_D_HOST_SEGS,          /* host ran with its own segments over a guest's */
	LGHOST_D_STACK_SEG,          /* cs/ss that an iret could not load */
	LGHOST_D_SEGMENT,            /* descriptor refused or clamped below the switcher */
	LGHOST_D_SANITISED,          /* guest text with control bytes, made printable */
	LGHOST_D_FORGED_EXPECT,      /* guest memory claims what the host did not ask */
	LGHOST_D_SYSENTER,           /* sysenter with the host's MSRs parked */
	LGHOST_D_HALT_NOWAKE,        /* halt that nothing can ever end */
	LGHOST_D_GATE,               /* interrupt gate refused */
	LGHOST_D_PTE,                /* page-table entry outside guest memory/at the switcher */
	LGHOST_D_HCALL,              /* bad hypercall number or argument */
	LGHOST_D_SWITCHER_FAULT,     /* the switcher itself faulted entering the guest */
	LGHOST_D_FUZZ_DONE,          /* a fuzz campaign ended with every call accounted for */
	LGHOST_D_SHADOW,             /* a page the live address space uses was forgotten */
	LGHOST_D_COUNT
};

/* One cached shadow directory (lghost_pgtable.c). */
struct lghost_dir {
	u32 shadow;             /* its page (host physical), kept for the guest's life */
	u32 gpt[1023];          /* per pde below the switcher: the guest page table it
				 * mirrors, LGS_IDMAP (a private identity table), 0 = none */
};

struct lghost_sums {
	u32 text, rodata, ptables, switcher;
};

struct lghost_guest {
	struct lghost_vcpu vcpu[LGHOST_MAX_VCPUS];
	struct lghost_vcpu *cur;    /* the vCPU running or last run */
	u32 base, size;         /* guest-physical memory: host block */
	u32 sw_phys;            /* the switcher's pages (LGHOST_SW_PAGES) */
	u32 sw_pt;              /* the shadow page table mapping the switcher */
	struct lghost_dir dirs[LGS_DIRS];       /* the cached shadows */
	int live;               /* the one the guest runs on */
	struct lgs_cache shadows;       /* their keys and the shared page tables */
	u32 lgdata_gpa;         /* struct lguest_data, 0 before LGUEST_INIT */
	u32 gdt_gen;            /* bumped on every change to a guest GDT slot; starts at 1 */
	struct lgc_gate idt[256];        /* the guest's handlers */
	char line[400];         /* console line being assembled (a result line is ~200) */
	u32 line_len;
	bool done;
	u32 status;             /* SHUTDOWN's status; LGHOST_CRASH if killed */
	char reason[96];
	u32 hcalls, async_calls, exits, reflected, emulated;
	/* What the host itself asked for (its own command line). */
	bool want_crash;        /* guest.crash=: a crash is the pass */
	int hostile;            /* guest.hostile= case index, -1 = none */
	u32 defended[LGHOST_D_COUNT];
	/* guest.hostile=fuzz: hypercalls between the guest's two markers. */
	bool fuzzing;
	u32 fuzz_sync, fuzz_async;
	struct lghost_sums before, after;
};
#define LGHOST_CRASH 0xdead
#define LGHOST_NONE  0xdeaf         /* no guest ran: no image, no memory */

extern struct lghost_guest lghost;

/* host.c */
_Noreturn void lghost_host_run(bool host_ok);
void lghost_kill(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Inline: every page-table hypercall uses them. */
static inline bool lghost_gpa_ok(u32 gpa, u32 len)
{
	return lgc_gpa_ok(lghost.size, gpa, len);
}
static inline void *lghost_hva(u32 gpa)
{
	return (void *)(lghost.base + gpa);
}
bool lghost_read_va(u32 va, void *buf, u32 len);
bool lghost_write_va(u32 va, const void *buf, u32 len);
/* defence.c */
void lghost_defend(enum lghost_defence d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lghost_hostile_from_cmdline(const char *name, u32 len);
void lghost_sums_take(struct lghost_sums *s);
bool lghost_intact(void);
const char *lghost_hostile_name(void);
bool lghost_attack_failed(void);
void lghost_defence_summary(void);
/* pgtable.c */
bool lghost_shadow_init(void);
void lghost_shadow_switch(u32 pgd_gpa);
int lghost_set_pte(u32 pte_gpa, u32 val);
u32 lghost_set_ptes(const struct lgc_async *c, u32 n);
int lghost_set_pmd(u32 pde_gpa, u32 val);
int lghost_forget_page(u32 gpa);
bool lghost_shadow_audit(void);
bool lghost_va_to_gpa(u32 va, u32 *gpa, bool write);
/* traps.c */
void lghost_setup_cpu_tables(void);
bool lghost_prepare_entry(void);
int lghost_load_gdt_entry(u32 index, u32 lo, u32 hi);
int lghost_load_idt_entry(u32 vector, u32 lo, u32 hi);
int lghost_set_stack(u32 ss, u32 esp);
void lghost_handle_exit(u32 vector);
bool lghost_reflect(u32 vector, bool has_err, u32 err);
void lghost_console_char(char c);
void lghost_switcher_sum(u32 *sum);
/* hypercall.c */
void lghost_hypercall(void);
void lghost_inject_pending(void);

#endif
