/*
 * Minimal ring 3 for the self-tests : tasks with their own address
 * space, entered through iret, system calls through int 0x80 and sysenter,
 * demand paging of one region, and switching between two tasks on a CPU.
 * Not a scheduler: a CPU runs one "task group" at a time, cooperatively
 * (a task runs until it yields, exits or faults).
 */
#ifndef KERNEL_TASK_H
#define KERNEL_TASK_H
#include "cpu.h"
#include "mm.h"
#include "trap.h"

/* User address space: one 4 MiB slot (a free pde) per the layout below. */
#define USER_CODE_OFF   0x000000        /* the user program, read-only */
#define USER_DATA_OFF   0x001000        /* one private data page */
#define USER_DEMAND_OFF 0x100000        /* demand-zero region, 64 KiB */
#define USER_DEMAND_LEN 0x010000
#define USER_STACK_OFF  0x3ff000        /* one stack page, top at 4 MiB */
#define USER_SLOT_SIZE  0x400000        /* the user slot: 4 MiB */

/* System calls: number in eax, arguments in ebx, ecx(int 0x80 only). */
enum {
	SYS_EXIT = 0,           /* ebx = code */
	SYS_ECHO = 1,           /* returns ebx ^ ecx ^ edx ^ esi ^ edi (int 0x80) */
	SYS_NULL = 2,           /* returns 0: the round trip for bench */
	SYS_YIELD = 3,          /* switch to the other task of the group */
	SYS_GETCPU = 4,         /* returns the logical CPU id */
};

/* How a task ended. */
enum task_state { TASK_NEW, TASK_RUNNABLE, TASK_EXITED, TASK_FAULTED };

struct task {
	struct mm_struct mm;
	struct thread_struct thread;
	u32 kstack;             /* kernel stack page (traps from ring 3) */
	u32 kesp;               /* saved kernel esp while switched out */
	u32 state;
	u32 exit_code;
	u32 fault_vector, fault_addr;
	u32 entry_eax, entry_ebx, entry_ecx;  /* registers at first entry */
	u32 tls_value;          /* what %gs:0 reads in this task */
	struct task *other;     /* the other task of a pair, or NULL */
};

/* The user slot's base (same in every task), set by task_init(). */
extern u32 user_base;

void task_init(void);
/* A new task: copy of the template address space (dup_mmap style). */
struct task *task_create(u32 prog_id, u32 arg, u32 iopl);
void task_destroy(struct task *t);
/* Copy len bytes at slot offset off out of t's address space. */
bool task_read(struct task *t, u32 off, void *buf, u32 len);
/* Run t (and t->other, if set) on this CPU until both have ended. */
void task_run(struct task *t);
/* Syscall and fault entry points used by trap dispatch. */
void syscall_trap(struct trapframe *tf);
bool user_fault(struct trapframe *tf);
u32 sysenter_dispatch(u32 nr, u32 arg, struct trapframe *tf);
/* Why ring 3 cannot use sysenter here (ring-1 kernel, no SEP), or NULL. */
const char *sysenter_unavailable(void);

#endif
