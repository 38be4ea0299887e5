/* The lguest host's state (docs/lguest.md). One guest, one vCPU. */
#ifndef LGUEST_HOST_H
#define LGUEST_HOST_H
#include "kernel.h"
#include "trap.h"
#include "pvboot/lguest.h"
#include "switcher.h"

#include "pvboot/lguest_check.h"

/*
 * One virtual CPU: its registers (in the switcher's save page), the ring-1
 * stack for traps from ring 3, TS and its timer.  Guest-wide state (memory,
 * page tables, gates, the shared page) is in struct lg_guest, so an SMP
 * guest adds vCPUs, each entered through its own switcher save page.
 */
#define LG_MAX_VCPUS 1

struct lg_vcpu {
	struct trapframe *regs;
	u32 ss1, esp1;          /* SET_STACK */
	u32 cr0_ts;
	u64 timer_period, timer_next;   /* SET_CLOCKEVENT, TSC ticks */
};

struct lg_guest {
	struct lg_vcpu vcpu[LG_MAX_VCPUS];
	struct lg_vcpu *cur;    /* the vCPU running or last run */
	u32 base, size;         /* guest-physical memory: host block */
	u32 sw_phys;            /* the switcher's pages (LG_SW_PAGES) */
	u32 pgd_gpa;            /* the guest's page directory, 0 = initial map */
	u32 shadow;             /* shadow page directory (host physical) */
	u32 shadow_pts[1024];   /* shadow page table per pde, 0 = none */
	u32 guest_pts[1024];    /* the guest page table it mirrors (gpa) */
	u32 lgdata_gpa;         /* struct lguest_data, 0 before LGUEST_INIT */
	struct lgc_gate idt[256];        /* the guest's handlers */
	char line[160];         /* console line being assembled */
	u32 line_len;
	bool done;
	u32 status;             /* SHUTDOWN's status; LG_CRASH if killed */
	char reason[96];
	u32 hcalls, exits, reflected, emulated;
};
#define LG_CRASH 0xdead
#define LG_NONE  0xdeaf         /* no guest ran: no image, no memory */

extern struct lg_guest lg;

/* host.c */
_Noreturn void lg_host_run(bool tested, bool host_ok);
void lg_kill(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool lg_gpa_ok(u32 gpa, u32 len);
void *lg_hva(u32 gpa);
bool lg_read_va(u32 va, void *buf, u32 len);
bool lg_write_va(u32 va, const void *buf, u32 len);
/* pgtable.c */
bool lg_shadow_init(void);
void lg_shadow_rebuild(u32 pgd_gpa);
int lg_set_pte(u32 pte_gpa, u32 val);
int lg_set_pmd(u32 pde_gpa, u32 val);
bool lg_va_to_gpa(u32 va, u32 *gpa, bool write);
/* traps.c */
void lg_setup_cpu_tables(void);
bool lg_prepare_entry(void);
int lg_load_gdt_entry(u32 index, u32 lo, u32 hi);
int lg_load_idt_entry(u32 vector, u32 lo, u32 hi);
void lg_handle_exit(u32 vector);
bool lg_reflect(u32 vector, bool has_err, u32 err);
void lg_console_char(char c);
/* hypercall.c */
void lg_hypercall(void);
void lg_inject_pending(void);

#endif
