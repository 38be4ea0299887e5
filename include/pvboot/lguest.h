/*
 * The lguest-style hypercall ABI between pvboot's host (backends/lguest/
 * host/) and its ring-1 guest (backends/lguest/): hypercall numbers (the
 * Linux 2.6.3x lguest numbering where a call exists, docs/abi-lguest.md;
 * ours from 32), the shared page, and the address-space
 * layout.  docs/lguest.md explains the design.
 */
#ifndef PVBOOT_LGUEST_H
#define PVBOOT_LGUEST_H

#define LG_SWITCHER_ADDR   0xFFC00000u  /* top 4 MiB: the host's switcher */
#define LG_HCALL_VECTOR    0x1F         /* int $0x1f; vmcall/vmmcall are rewritten to it */
#define LG_GUEST_RPL       1
#define LG_CONSOLE_VECTOR  0x24         /* console input for the guest */
#define LG_INFO_GPA        0x9000       /* the host's pvboot_info for the guest (ebx at entry) */
#define LG_MAX_VCPUS       8
/* The running vCPU's own struct lguest_vcpu: the same address on every
 * vCPU, a different page behind it (each vCPU's switcher save page), so
 * the guest reaches its own without knowing which vCPU it is. */
#define LG_VCPU_ADDR       0xFFC03400u

/* Hypercalls: eax = number, ebx, ecx, edx, esi = arguments, eax = result. */
#define LHCALL_FLUSH_ASYNC      0
#define LHCALL_LGUEST_INIT      1       /* gpa of struct lguest_data */
#define LHCALL_SHUTDOWN         2       /* status (0 pass), gpa of a reason */
#define LHCALL_NEW_PGTABLE      4       /* gpa of the page directory */
#define LHCALL_FLUSH_TLB        5       /* 1 = also kernel (global) entries */
#define LHCALL_LOAD_IDT_ENTRY   6       /* vector, low, high */
#define LHCALL_SET_STACK        7       /* ss, esp: ring-1 stack for traps from ring 3 */
#define LHCALL_TS               8       /* 1 = set CR0.TS, 0 = clear */
#define LHCALL_SET_CLOCKEVENT   9       /* period in ns, 0 = off */
#define LHCALL_HALT             10      /* sleep until an interrupt is pending */
#define LHCALL_SET_PMD          13      /* gpa of the pde, value */
#define LHCALL_SET_PTE          14      /* gpa of the pte, value */
#define LHCALL_SET_PGD          15      /* gpa of the pgd entry, value */
#define LHCALL_LOAD_TLS         16      /* gpa of 3 descriptors */
#define LHCALL_NOTIFY           17      /* no effect; guest.hostile=fuzz brackets its campaign with it */
#define LHCALL_LOAD_GDT_ENTRY   18      /* index, low, high */
#define LHCALL_SEND_INTERRUPTS  19      /* deliver what irq_pending holds */
/* pvboot's own */
#define LHCALL_CONSOLE_WRITE    32      /* gpa, length */
/* 33 is kept for the guest's result. */
#define LHCALL_VCPU_START       34      /* vCPU number, eip, esp: start that vCPU (once) */
#define LHCALL_SEND_IPI         35      /* vCPU number, vector (32-255): raise it there */
#define LHCALL_FORGET_PAGE      36      /* gpa of a page the guest (re)uses as a page
					 * table or directory, or frees: the host drops
					 * every shadow built from it */
#define LHCALL_MAX              37

/* NOTIFY's first argument bracketing a guest.hostile=fuzz campaign; the
 * end marker carries the calls issued (a2) and queued (a3). */
#define LG_FUZZ_BEGIN 0x5a55465au
#define LG_FUZZ_END   0x444e4546u

#define LG_EINVAL   (-22)
#define LG_ENOSYS   (-38)

#define LG_ASYNC_SLOTS 64

#ifndef __ASSEMBLER__
#include "pvboot/types.h"

/* Per vCPU, at LG_VCPU_ADDR: the virtual IF, the interrupts waiting and
 * the asynchronous hypercall ring.  Guest-writable, so the host reads
 * each value once and trusts none. */
struct lguest_vcpu {
	u32 irq_enabled;                /* 0x200 = interrupts on (virtual IF) */
	u32 blocked_interrupts[8];      /* vectors the guest masks */
	u32 cr2;                        /* the host writes it on a page fault */
	u32 irq_pending[8];             /* vectors waiting for the guest */
	u32 id;                         /* this vCPU's number, 0 = the boot vCPU (host-written) */
	u32 exits;                      /* exits to the host so far (host-written before each entry) */
	u8 hcall_status[LG_ASYNC_SLOTS];        /* 0xFF free, 0 queued */
	struct {
		u32 call, arg1, arg2, arg3;
	} hcalls[LG_ASYNC_SLOTS];
	u32 async_next;                 /* the guest's next slot */
};

/* The page the guest shares with the host (registered by LGUEST_INIT). */
struct lguest_data {
	u32 time_sec, time_nsec;        /* wallclock, refreshed on each entry */
	u32 tsc_khz;
	u32 reserve_mem;                /* bytes at the top the guest must not map */
	u32 noirq_start, noirq_end;     /* no interrupt while eip is in here (iret) */
	u32 nr_vcpus;                   /* vCPUs the host gives the guest (host-written) */
	/* Console input, for vCPU 0: the host appends bytes and raises LG_CONSOLE_VECTOR. */
	u32 input_head, input_tail;     /* host writes head, guest tail */
	char input[64];
};
#endif

#endif
