/* The lguest host's state (docs/lguest.md). One guest, one vCPU per host CPU. */
#ifndef LGHOST_H
#define LGHOST_H
#include "kernel.h"
#include "cpu.h"
#include "trap.h"
#include "spinlock.h"
#include "pvboot/lguest.h"
#include "lghost_switcher.h"

#include "pvboot/lguest_check.h"
#include "pvboot/lguest_shadow.h"

/*
 * One virtual CPU, run by the host CPU of the same number: its registers
 * and its struct lguest_vcpu (both in its own switcher save page), its
 * guest-mode GDT, IDT and TSS (its switcher data page), the ring-1 stack
 * for traps from ring 3, TS, its timer and its shadow directories.
 * Guest-wide state (memory, the cached page tables, gates, the shared
 * page) is in struct lghost_guest.  Nothing the host decides by lives in
 * guest memory or in the save page: every decision is taken from
 * host-owned copies.
 */
#define LGHOST_MAX_VCPUS LG_MAX_VCPUS
#define LGHOST_VCPU_DIRS (LGS_DIRS / LGHOST_MAX_VCPUS)  /* cached shadow directories per vCPU */

/* The selectors of the last entry that passed every check, and the GDT
 * generation they were checked against (lghost_prepare_entry). */
struct lghost_entry_ok {
	u32 gdt_gen;            /* 0: nothing checked yet */
	u32 cs, ss, data[4];    /* as in the frame: ds, es, fs, gs */
	u32 cs_a, cs_b;         /* cs's descriptor, for the eip limit check */
};

enum lghost_vcpu_state { LGHOST_VCPU_OFF, LGHOST_VCPU_RUN, LGHOST_VCPU_STOPPED };

struct lghost_vcpu {
	u32 id;
	u32 sw;                 /* its switcher data page (host address); the save page follows */
	struct trapframe *regs;         /* in its save page */
	struct lguest_vcpu *shared;     /* in its save page: LG_VCPU_ADDR in its view */
	u32 sw_pt;              /* its view of the switcher region, in each of its shadows */
	u32 host_pgd;           /* the host's directory with its pages at the switcher */
	int live;               /* the shadow directory slot it runs on */
	u32 gdt_gen;            /* bumped on every change to its guest-mode GDT; starts at 1 */
	volatile u32 state;     /* enum lghost_vcpu_state */
	volatile u32 in_guest;  /* set (under the lock) just before entering, cleared on exit */
	volatile u32 exit_seq;  /* exits so far, counted before the lock is taken */
	bool halting;           /* HALT accepted: wait outside the lock */
	u32 ss1, esp1;          /* SET_STACK */
	u32 cr0_ts;             /* LHCALL_TS: CR0.TS while this vCPU runs */
	u64 timer_period, timer_next;   /* SET_CLOCKEVENT, TSC ticks */
	u32 input_head;         /* console ring: the host's write position */
	bool poll_console;      /* a host interrupt came: look at COM1 before the next entry */
	struct lghost_entry_ok entry_ok;        /* last selectors lghost_prepare_entry passed */
	struct lgc_ring async;  /* its async ring (in *shared), set with its tables */
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
	LGHOST_D_DIRECT,             /* a direct system-call trap made unsafe, or undeliverable */
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
	u32 nr_vcpus;
	/* Held by a host CPU from a guest exit to the next entry (except while
	 * it waits in HALT): the host's handling of exits is one at a time;
	 * the vCPUs themselves run in parallel. */
	struct spinlock lock;
	bool flush_others;      /* a shadow entry other vCPUs may hold changed */
	u32 live_slots;         /* the directory slots vCPUs run on */
	u32 base, size;         /* guest-physical memory: host block */
	u32 sw_code;            /* the switcher's code pages (LGHOST_SW_CODE_PAGES) */
	struct lghost_dir *dirs;        /* [LGS_DIRS], the cached shadows; vCPU n owns
						 * LGHOST_VCPU_DIRS slots from n * LGHOST_VCPU_DIRS */
	struct lgs_cache *shadows;      /* their keys and the shared page tables */
	u16 (*audit_count)[LGS_DIRS];   /* [LGS_MAX_PTS], lghost_shadow_audit's tally
					 * (these three from pages_alloc: only a host
					 * needs them, so no kernel carries them in BSS) */
	bool started;           /* the guest was set up and ran: its sums exist */
	u32 lgdata_gpa;         /* struct lguest_data, 0 before LGUEST_INIT */
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
	u32 fuzz_vcpu, fuzz_sync, fuzz_async;
	struct lghost_sums before, after;
};
#define LGHOST_CRASH 0xdead
#define LGHOST_NONE  0xdeaf         /* no guest ran: no image, no memory */

extern struct lghost_guest lghost;

/* The vCPU this host CPU runs (host CPU n runs vCPU n; lghost_bind_host_cpu
 * sets it): one %fs-relative load, on every path of every exit. */
static inline struct lghost_vcpu *lghost_cur(void)
{
	struct lghost_vcpu *v;

	asm("movl %%fs:%c1, %0" : "=r"(v) : "i"(__builtin_offsetof(struct cpu, host_vcpu)));
	return v;
}

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
void lghost_kick(struct lghost_vcpu *v);
void lghost_stop_others(void);
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
bool lghost_shadow_vcpu_init(struct lghost_vcpu *v);
void lghost_shadow_switch(u32 pgd_gpa);
void lghost_shadow_start(struct lghost_vcpu *v, const struct lghost_vcpu *from);
int lghost_set_pte(u32 pte_gpa, u32 val);
u32 lghost_set_ptes(const struct lgc_async *c, u32 n);
int lghost_set_pmd(u32 pde_gpa, u32 val);
int lghost_forget_page(u32 gpa);
bool lghost_shadow_audit(void);
bool lghost_va_to_gpa(u32 va, u32 *gpa, bool write);
/* traps.c */
bool lghost_setup_cpu_tables(void);
void lghost_vcpu_regs(struct lghost_vcpu *v, u32 eip, u32 esp);
void lghost_bind_host_cpu(struct lghost_vcpu *v);
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
bool lghost_interrupt_due(void);

#endif
