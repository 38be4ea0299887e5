/* The lguest guest backend's entry points (docs/lguest.md). */
#ifndef BACKENDS_LGUEST_H
#define BACKENDS_LGUEST_H
#include "kernel.h"
#include "pvboot/lguest.h"

extern struct paravirt_patch_template lguest_table;
extern struct lguest_data lguest_data;
/* This vCPU's own part of the shared state (include/pvboot/lguest.h). */
#define lg_vcpu ((struct lguest_vcpu *)LG_VCPU_ADDR)

const char *lguest_init(void);
const char *lguest_use_pae(struct paravirt_patch_template *t);
struct bench_extra;
const struct bench_extra *lguest_bench_rows(void);     /* lguest_bench.c */

/* A hypercall: int $0x1f with eax = number, ebx/ecx/edx = arguments. */
static inline long lguest_hcall(u32 nr, u32 a1, u32 a2, u32 a3)
{
	long r;
	asm volatile("int $0x1f" : "=a"(r) : "a"(nr), "b"(a1), "c"(a2), "d"(a3) : "memory");
	return r;
}

/* Run one instruction with operand %1 = arg; -14 if it faulted (the
 * fault was reflected to us and our fixup resumed after it). */
#define TRY(insn, arg) ({						\
	int __r = 0;							\
	asm volatile("1: " insn "\n2:\n"				\
		     ".pushsection .fixup, \"ax\"\n"			\
		     "3: movl $-14, %0\n jmp 2b\n"			\
		     ".popsection\n"					\
		     ".pushsection __ex_table, \"a\"\n .long 1b, 3b\n .popsection\n" \
		     : "+r"(__r) : "r"(arg) : "eax", "memory");		\
	__r; })

/* guest.hostile= (lguest_hostile.c) and its fuzzer (lguest_fuzz.c) */
extern u32 lguest_esp0;
extern u32 lguest_async_queued;
void lguest_fuzz(u32 iters, u32 seed);

/* Assembly (lguest_entry.S) */
void lguest_iret(void);
void lguest_sysexit(void);
void lguest_ap_start(void);
void lguest_syscall_entry(void);
extern u32 lguest_syscall_handler;     /* where lguest_syscall_entry goes on */
extern u8 lguest_noirq_start[], lguest_noirq_end[];

#endif
