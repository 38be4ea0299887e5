/* Layout of the switcher region shared by switcher.S and the host code. */
#ifndef LGHOST_SWITCHER_H
#define LGHOST_SWITCHER_H
#include "pvboot/lguest.h"

/*
 * Pages of the region, all at LG_SWITCHER_ADDR: code (2) and data (1),
 * read-only in the guest's address space, and the save page (1) the CPU
 * pushes the guest's registers into, writable there.  The code is one
 * copy; each vCPU has its own data and save page, mapped at these same
 * addresses in its own view of the region (its shadow directories and
 * its host CPU's copy of the host's directory).  QEMU's TCG does not
 * enforce segment limits, so read-only pages (CR0.WP) are what keeps a
 * ring-1 guest from rewriting the switcher; nothing the host trusts lives
 * in the save page.
 */
#define LGHOST_SW_CODE_PAGES 2
#define LGHOST_SW_PAGES      4
#define LGHOST_SW_DATA      (LG_SWITCHER_ADDR + LGHOST_SW_CODE_PAGES * 4096)
#define LGHOST_SW_SAVE      (LGHOST_SW_DATA + 4096)

/* Offsets in the data page. */
#define SW_HOST_ESP      0x000
#define SW_HOST_CR3      0x004
#define SW_HOST_GDTR     0x008          /* 6 bytes */
#define SW_HOST_IDTR     0x010
#define SW_GUEST_CR3     0x018
#define SW_GUEST_GDTR    0x020
#define SW_GUEST_IDTR    0x028
#define SW_HOST_TSS_DESC 0x030          /* address of the host's TSS descriptor */
#define SW_EXIT_ESP      0x034          /* esp after the exit's pushes: SW_REGS_ADDR
					 * unless the switcher itself faulted */
/* The guest's registers: struct trapframe, 19 words, in the save page. */
#define SW_REGS_ADDR     (LGHOST_SW_SAVE + 0x100)
#define SW_REGS_END_ADDR (SW_REGS_ADDR + 19 * 4)
/* The vCPU's struct lguest_vcpu, further up the same page: the CPU's
 * pushes on an exit (even a fault inside the switcher) stay below 0x100. */
#define SW_VCPU_OFF      0x400
#if LGHOST_SW_SAVE + SW_VCPU_OFF != LG_VCPU_ADDR
#error "LG_VCPU_ADDR (include/pvboot/lguest.h) must be the save page's struct lguest_vcpu"
#endif
#define SW_GDT           0x200          /* LGHOST_GDT_ENTRIES descriptors */
#define SW_TSS           0x300
#define SW_IDT           0x400          /* 256 gates, to 0xC00 */

/* The guest-mode GDT: the guest's own entries 0..10, then the switcher's. */
#define LGHOST_GDT_ENTRIES   16
#define LGHOST_CS_INDEX      12
#define LGHOST_DS_INDEX      13
#define LGHOST_TSS_INDEX     14
#define LGHOST_CS_SEL        (LGHOST_CS_INDEX << 3)
#define LGHOST_DS_SEL        (LGHOST_DS_INDEX << 3)
#define LGHOST_TSS_SEL       (LGHOST_TSS_INDEX << 3)

#endif
