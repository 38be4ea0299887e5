/* Layout of the VMI ROM's writable data area (docs/vmi-rom.md "Building and layout"), shared by the ROM's C and assembler. */
#ifndef VMI_ROMDATA_H
#define VMI_ROMDATA_H
#include "pvboot/vmi.h"

/*
 * The data area starts at image base + image length (the kernel zeroes it).
 * Offsets are fixed here so assembler routines and C agree without a
 * generated header.
 */
#define RD_COUNTERS     0x000   /* u32[VMI_NCALLS]: the GetCounters array */
#define RD_APIC_BASE    0x200   /* u32: local APIC MMIO base (MSR 0x1B) */
#define RD_TSC_HZ       0x208   /* u64: calibrated cycle frequency */
#define RD_APIC_HZ      0x210   /* u32: APIC timer counts/s at divide 16 */
#define RD_APIC_MULT    0x214   /* u32: APIC counts per cycle, 0.32 fixed point */
#define RD_LAZY_MODE    0x218   /* u32: last SetLazyMode mode (0..2) */
#define RD_QLEN         0x21c   /* u32: queued page-table updates */
#define RD_QLOCK        0x220   /* u32: spinlock over the queue */
#define RD_CMOS_LOCK    0x224   /* u32: spinlock over the RTC index port */
#define RD_PMC_OK       0x228   /* u32: rdpmc is usable (perfmon v1+) */
#define RD_AP_STORED    0x22c   /* u32: APIC ids with a stored start state */
#define RD_COUNTING     0x230   /* u32: 1 = GetRelocationInfo gives the counting entries */
#define RD_QUEUE        0x400   /* struct rom_qent[RD_QMAX] */
#define RD_QMAX         64
#define RD_QENT_SIZE    16
#define RD_AP_SLOTS     0x1000  /* struct rom_ap_slot[256], indexed by APIC id */
#define RD_AP_SLOT_SHIFT 7      /* 128-byte slots */
#define RD_NSLOTS       256
#define RD_SIZE         (RD_AP_SLOTS + (RD_NSLOTS << RD_AP_SLOT_SHIFT))

/* A slot: the kernel's 92-byte vmi_ap_state, then what the AP path needs. */
#define AP_CR0          0
#define AP_CR2          4
#define AP_CR3          8
#define AP_CR4          12
#define AP_EFER         16
#define AP_EIP          24
#define AP_EFLAGS       28
#define AP_EAX          32
#define AP_EBX          36
#define AP_ECX          40
#define AP_EDX          44
#define AP_ESP          48
#define AP_EBP          52
#define AP_ESI          56
#define AP_EDI          60
#define AP_CS           64
#define AP_SS           66
#define AP_DS           68
#define AP_ES           70
#define AP_FS           72
#define AP_GS           74
#define AP_LDTR         76
#define AP_GDTR         78      /* u16 limit + u32 base: an lgdt operand as is */
#define AP_VALID        92      /* u32: 1 once SetInitialAPState stored it */
#define AP_IDTR         96      /* u16 limit + u32 base, rebuilt for lidt */
#define AP_FAR          104     /* u32 eip + u16 cs: ljmp to ap_paged on state.cs */

/* The real-mode trampoline copied into the SIPI page: patched fields. */
#define TR_CODE_SEL     0x08
#define TR_DATA_SEL     0x10

#ifndef __ASSEMBLER__
struct rom_qent {
	volatile u32 *ptr;      /* NULL: an UpdatePxE(Long) (nothing to store) */
	u32 val;                /* the value, or its low half */
	u32 hi;                 /* the high half of a SetPxELong value */
	u32 wide;               /* 1: an 8-byte PAE entry (SetPxELong) */
};

struct rom_ap_slot {
	struct vmi_ap_state s;
	u32 valid;
	u16 idt_limit;
	u32 idt_base;
	u16 pad0;
	u32 far_eip;
	u16 far_cs;
	u8 pad1[128 - 110];
} PACKED;

struct rom_data {
	u32 counters[VMI_NCALLS];
	u32 apic_base;
	u32 pad0;
	u64 tsc_hz;
	u32 apic_hz;
	u32 apic_mult;
	u32 lazy_mode;
	u32 qlen;
	u32 qlock;
	u32 cmos_lock;
	u32 pmc_ok;
	u32 ap_stored;
	u32 counting;
	u8 pad1[RD_QUEUE - RD_COUNTING - 4];
	struct rom_qent queue[RD_QMAX];
	u8 pad2[RD_AP_SLOTS - RD_QUEUE - RD_QMAX * RD_QENT_SIZE];
	struct rom_ap_slot ap[RD_NSLOTS];
};

#define RD_CHECK(f, off) STATIC_ASSERT(__builtin_offsetof(struct rom_data, f) == (off), #f)
RD_CHECK(apic_base, RD_APIC_BASE);
RD_CHECK(tsc_hz, RD_TSC_HZ);
RD_CHECK(apic_hz, RD_APIC_HZ);
RD_CHECK(apic_mult, RD_APIC_MULT);
RD_CHECK(lazy_mode, RD_LAZY_MODE);
RD_CHECK(qlen, RD_QLEN);
RD_CHECK(qlock, RD_QLOCK);
RD_CHECK(cmos_lock, RD_CMOS_LOCK);
RD_CHECK(pmc_ok, RD_PMC_OK);
RD_CHECK(ap_stored, RD_AP_STORED);
RD_CHECK(counting, RD_COUNTING);
RD_CHECK(queue, RD_QUEUE);
RD_CHECK(ap, RD_AP_SLOTS);
STATIC_ASSERT(sizeof(struct rom_qent) == RD_QENT_SIZE, "queue entry");
STATIC_ASSERT(sizeof(struct rom_data) == RD_SIZE, "data area size");
STATIC_ASSERT(sizeof(struct rom_ap_slot) == 1 << RD_AP_SLOT_SHIFT, "AP slot");
STATIC_ASSERT(__builtin_offsetof(struct rom_ap_slot, valid) == AP_VALID, "slot valid");
STATIC_ASSERT(__builtin_offsetof(struct rom_ap_slot, idt_limit) == AP_IDTR, "slot idtr");
STATIC_ASSERT(__builtin_offsetof(struct rom_ap_slot, far_eip) == AP_FAR, "slot far");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, ldtr) == AP_LDTR, "ap ldtr");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, ebx) == AP_EBX, "ap ebx");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, gs) == AP_GS, "ap gs");

extern struct rom_data rom_data;
#endif
#endif
