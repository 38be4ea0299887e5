/*
 * The VMI 3.x ROM ABI (docs/abi-vmi.md, from Linux 2.6.21-36
 * arch/i386/kernel/vmi.c and include/asm-i386/vmi.h) plus pvboot's
 * documented extensions, shared by the ROM (backends/vmi/rom/) and the
 * kernel's vmi backend (backends/vmi/).  The full contract, including the
 * calling convention of every call, is docs/vmi-rom.md.
 */
#ifndef PVBOOT_VMI_H
#define PVBOOT_VMI_H

/* Header offsets (struct vrom_header, 144 bytes). */
#define VMI_ROM_SIGNATURE_OFF   0       /* 0xAA55 */
#define VMI_ROM_LENGTH_OFF      2       /* 512-byte units */
#define VMI_ROM_ENTRY_OFF       3       /* 16-bit init entry (4 bytes) */
#define VMI_SIGNATURE_OFF       8       /* "cVmi" = 0x696d5663 */
#define VMI_API_MIN_OFF         12
#define VMI_API_MAJ_OFF         13
#define VMI_JUMP_SLOTS_OFF      14
#define VMI_VIRTUAL_TOP_OFF     16
#define VMI_LICENSE_OFF         22
#define VMI_PCI_HEADER_OFF      24
#define VMI_PNP_HEADER_OFF      26
#define VMI_EXT_OFF             32      /* pvboot extension block (reserved area) */
#define VMI_INIT_SLOT_OFF       128     /* u32 regparm(1) VMI_Init(void) */
#define VMI_RELOC_SLOT_OFF      136     /* u64 regparm(2) GetRelocationInfo(call) */
#define VMI_HEADER_SIZE         144

#define VMI_SIGNATURE           0x696d5663u
#define VMI_API_MAJOR           3

/* pvboot extension block at VMI_EXT_OFF (in the header's reserved bytes). */
#define VMI_EXT_MAGIC           0x78627670u     /* "pvbx" */
#define VMI_EXT_MAGIC_OFF       (VMI_EXT_OFF + 0)
#define VMI_EXT_VERSION_OFF     (VMI_EXT_OFF + 4)   /* u32, 1 */
#define VMI_EXT_DATA_SIZE_OFF   (VMI_EXT_OFF + 8)   /* u32: RW bytes after the image */
/* u32 the kernel writes into its RAM copy before VMI_Init (0 in the image):
 * VMI_EXT_INIT_COUNT asks for the counting entry points, so that
 * counters[call] moves on every call; without it calls count nothing. */
#define VMI_EXT_INIT_FLAGS_OFF  (VMI_EXT_OFF + 12)
#define VMI_EXT_INIT_COUNT      0x1
#define VMI_EXT_VERSION         1

/* Relocation types returned by GetRelocationInfo. */
#define VMI_RELOCATION_NONE     0       /* not implemented: keep native code */
#define VMI_RELOCATION_CALL_REL 1       /* call this ROM address */
#define VMI_RELOCATION_JUMP_REL 2       /* jump to it (iret, sysexit) */
#define VMI_RELOCATION_NOP      3       /* the op does nothing: NOP the site */

/* Call numbers. */
#define VMI_CALL_CPUID                  0
#define VMI_CALL_WRMSR                  1
#define VMI_CALL_RDMSR                  2
#define VMI_CALL_SetGDT                 3
#define VMI_CALL_SetLDT                 4
#define VMI_CALL_SetIDT                 5
#define VMI_CALL_SetTR                  6
#define VMI_CALL_GetGDT                 7
#define VMI_CALL_GetLDT                 8
#define VMI_CALL_GetIDT                 9
#define VMI_CALL_GetTR                  10
#define VMI_CALL_WriteGDTEntry          11
#define VMI_CALL_WriteLDTEntry          12
#define VMI_CALL_WriteIDTEntry          13
#define VMI_CALL_UpdateKernelStack      14
#define VMI_CALL_SetCR0                 15
#define VMI_CALL_SetCR2                 16
#define VMI_CALL_SetCR3                 17
#define VMI_CALL_SetCR4                 18
#define VMI_CALL_GetCR0                 19
#define VMI_CALL_GetCR2                 20
#define VMI_CALL_GetCR3                 21
#define VMI_CALL_GetCR4                 22
#define VMI_CALL_WBINVD                 23
#define VMI_CALL_SetDR                  24
#define VMI_CALL_GetDR                  25
#define VMI_CALL_RDPMC                  26
#define VMI_CALL_RDTSC                  27
#define VMI_CALL_CLTS                   28
#define VMI_CALL_EnableInterrupts       29
#define VMI_CALL_DisableInterrupts      30
#define VMI_CALL_GetInterruptMask       31
#define VMI_CALL_SetInterruptMask       32
#define VMI_CALL_IRET                   33
#define VMI_CALL_SYSEXIT                34
#define VMI_CALL_Halt                   35
#define VMI_CALL_Reboot                 36
#define VMI_CALL_Shutdown               37
#define VMI_CALL_SetPxE                 38
#define VMI_CALL_SetPxELong             39
#define VMI_CALL_UpdatePxE              40
#define VMI_CALL_UpdatePxELong          41
#define VMI_CALL_MachineToPhysical      42
#define VMI_CALL_PhysicalToMachine      43
#define VMI_CALL_AllocatePage           44
#define VMI_CALL_ReleasePage            45
#define VMI_CALL_InvalPage              46
#define VMI_CALL_FlushTLB               47
#define VMI_CALL_SetLinearMapping       48
#define VMI_CALL_SetIOPLMask            61
#define VMI_CALL_SetInitialAPState      62
#define VMI_CALL_APICWrite              63
#define VMI_CALL_APICRead               64
#define VMI_CALL_IODelay                65
#define VMI_CALL_GetCycleFrequency      66
#define VMI_CALL_GetCycleCounter        67
#define VMI_CALL_SetAlarm               68
#define VMI_CALL_CancelAlarm            69
#define VMI_CALL_GetWallclockTime       70
#define VMI_CALL_WallclockUpdated       71
#define VMI_CALL_SetLazyMode            73
/* pvboot extensions (beyond VMI 3.x) */
#define VMI_CALL_GetCounters            100     /* returns u32 *counters */
#define VMI_NCALLS                      128     /* counter slots */

/* Extra counters, in the counter array after the call numbers' slots. */
#define VMI_COUNT_AP_STARTED            120     /* APs started on the ROM trampoline */
#define VMI_COUNT_LAZY_QUEUED           121     /* PTE updates queued in lazy MMU mode */
#define VMI_COUNT_LAZY_APPLIED          122     /* queued updates applied at flush */
#define VMI_COUNT_ALARM_PERIODIC        123     /* SetAlarm calls that armed periodic mode */
#define VMI_COUNT_TRAMP_WRITES          124     /* times the ROM wrote a SIPI page */
#define VMI_COUNT_PAE_PAGES             125     /* AllocatePage/ReleasePage calls flagged PAE (always counted: cold calls) */

/* Page-table flags (SetPxE / UpdatePxE / AllocatePage / ReleasePage). */
#define VMI_PAGE_PT             0x01
#define VMI_PAGE_PD             0x02
#define VMI_PAGE_PDP            0x04
#define VMI_PAGE_PML4           0x08
#define VMI_PAGE_PAE            0x10
#define VMI_PAGE_CLONE          0x20
#define VMI_PAGE_ZEROED         0x40
#define VMI_PAGE_CURRENT_AS     0x10
#define VMI_PAGE_DEFER          0x20
#define VMI_PAGE_VA_MASK        0xfffff000u
#define VMI_FLUSH_TLB           0x01
#define VMI_FLUSH_GLOBAL        0x02

/* Timer */
#define VMI_CYCLES_REAL         0
#define VMI_CYCLES_AVAILABLE    1
#define VMI_CYCLES_STOLEN       2
#define VMI_ALARM_WIRED_IRQ0    0x00000
#define VMI_ALARM_WIRED_LVTT    0x10000
#define VMI_ALARM_IS_ONESHOT    0x000
#define VMI_ALARM_IS_PERIODIC   0x100

#ifndef __ASSEMBLER__
#include "pvboot/types.h"

/* GetRelocationInfo's result in edx:eax. */
struct vmi_relocation_info {
	u32 eip;
	u8 type;
	u8 reserved[3];
} PACKED;

/* SetInitialAPState's argument: 92 bytes, naturally aligned.  The AP
 * enters the kernel with exactly these registers, having written its eip
 * and eflags in the 8 bytes below esp; ds must be a flat data segment
 * (docs/vmi-rom.md "Starting APs"). */
struct vmi_ap_state {
	u32 cr0, cr2, cr3, cr4;
	u64 efer;
	u32 eip, eflags;
	u32 eax, ebx, ecx, edx, esp, ebp, esi, edi;
	u16 cs, ss, ds, es, fs, gs, ldtr;
	u16 gdtr_limit;
	u32 gdtr_base;
	u32 idtr_base;
	u16 idtr_limit;
	u16 pad;
} PACKED;

STATIC_ASSERT(sizeof(struct vmi_ap_state) == 92, "vmi_ap_state is 92 bytes");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, eip) == 24, "ap eip");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, cs) == 64, "ap cs");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, gdtr_limit) == 78, "ap gdtr");
STATIC_ASSERT(__builtin_offsetof(struct vmi_ap_state, idtr_limit) == 88, "ap idtr");
#endif

#endif
