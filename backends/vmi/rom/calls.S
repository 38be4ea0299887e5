/* The VMI ROM's call routines, their counting entries, VMI_Init and GetRelocationInfo: 32-bit, position independent, regparm(3), every register but the outputs preserved (docs/vmi-rom.md "Calls"). */
#include "romdata.h"
#include "pvboot/io.h"
#include "pvboot/x86.h"

	.text
	.code32

/* A routine reachable through the relocation table. */
.macro ROUTINE name
	.p2align 2
\name:
.endm

/* reg = the data area: PC-relative (call/pop), as i386 has no rip-relative
 * data access.  Costs one stack slot while it runs. */
.macro GETDATA reg
	call .Lpc\@
.Lpc\@:
	pop \reg
	add $(rom_data - .Lpc\@), \reg
.endm

/*
 * The counting entry of call n: counters[n]++, then on into the routine.
 * GetRelocationInfo hands these out only in counting mode (VMI_Init saw
 * VMI_EXT_INIT_COUNT), so the routines themselves never pay for it.
 * Registers survive; lock incl changes the arithmetic flags, which no call
 * promises to keep (IF, the one that matters, is untouched).
 */
.macro COUNTED n, fn, type
	.p2align 2
count_\fn:
	push %eax
	call .Lc\@
.Lc\@:
	pop %eax
	lock incl (rom_data + RD_COUNTERS + 4 * (\n) - .Lc\@)(%eax)
	pop %eax
	jmp \fn
.endm

/* Apply the lazy MMU queue first when it holds anything, so a TLB flush
 * or a CR3 load never overtakes a queued page-table store. */
.macro FLUSH_QUEUE
	push %eax
	GETDATA %eax
	cmpl $0, RD_QLEN(%eax)
	je .Lq\@
	push %ecx
	push %edx
	call rom_lazy_flush
	pop %edx
	pop %ecx
.Lq\@:
	pop %eax
.endm

/* counters[VMI_COUNT_PAE_PAGES]++ when the page-type flags in edx have PAE.
 * Not through the counting entries: AllocatePage and ReleasePage are cold,
 * and the PAE self-test compares this count with theirs. */
.macro COUNT_PAE_PAGE
	testl $VMI_PAGE_PAE, %edx
	jz .Lnp\@
	push %eax
	GETDATA %eax
	lock incl (RD_COUNTERS + 4 * VMI_COUNT_PAE_PAGES)(%eax)
	pop %eax
.Lnp\@:
.endm

/* A call done in C (regparm(3) clobbers eax, ecx, edx): keep all three. */
.macro CVOID n, name, cfn
ROUTINE \name
	push %eax
	push %ecx
	push %edx
	call \cfn
	pop %edx
	pop %ecx
	pop %eax
	ret
.endm

/* ---- cpu ---------------------------------------------------------------- */

ROUTINE r_cpuid                 /* eax, ecx in; eax, ebx, ecx, edx out */
	cpuid
	ret

ROUTINE r_set_gdt
	lgdtl (%eax)
	ret

ROUTINE r_set_ldt
	lldt %ax
	ret

ROUTINE r_set_idt
	lidtl (%eax)
	ret

ROUTINE r_set_tr
	ltr %ax
	ret

ROUTINE r_get_gdt
	sgdtl (%eax)
	ret

ROUTINE r_get_ldt               /* the upper half of eax is defined: 0 */
	xorl %eax, %eax
	sldt %ax
	ret

ROUTINE r_get_idt
	sidtl (%eax)
	ret

ROUTINE r_get_tr
	xorl %eax, %eax
	str %ax
	ret

/* eax = table, edx = index, ecx = low word, 4(%esp) = high word. */
.macro WRITE_ENTRY n, name
ROUTINE \name
	push %ebx
	movl 8(%esp), %ebx
	movl %ecx, (%eax,%edx,8)
	movl %ebx, 4(%eax,%edx,8)
	pop %ebx
	ret
.endm
WRITE_ENTRY VMI_CALL_WriteGDTEntry, r_write_gdt_entry
WRITE_ENTRY VMI_CALL_WriteLDTEntry, r_write_ldt_entry
WRITE_ENTRY VMI_CALL_WriteIDTEntry, r_write_idt_entry

ROUTINE r_update_kernel_stack   /* eax = TSS, edx = esp0 */
	movl %edx, 4(%eax)
	ret

.macro SET_CR n, name, cr
ROUTINE \name
	movl %eax, \cr
	ret
.endm
.macro GET_CR n, name, cr
ROUTINE \name
	movl \cr, %eax
	ret
.endm
SET_CR VMI_CALL_SetCR0, r_set_cr0, %cr0
SET_CR VMI_CALL_SetCR2, r_set_cr2, %cr2
SET_CR VMI_CALL_SetCR4, r_set_cr4, %cr4
GET_CR VMI_CALL_GetCR0, r_get_cr0, %cr0
GET_CR VMI_CALL_GetCR2, r_get_cr2, %cr2
GET_CR VMI_CALL_GetCR3, r_get_cr3, %cr3
GET_CR VMI_CALL_GetCR4, r_get_cr4, %cr4

ROUTINE r_set_cr3               /* a new address space: queued stores first */
	FLUSH_QUEUE
	movl %eax, %cr3
	ret

ROUTINE r_wbinvd
	wbinvd
	ret

ROUTINE r_set_dr                /* eax = 0-3, 6, 7; edx = value */
	cmpl $0, %eax; jne 1f; movl %edx, %db0; ret
1:	cmpl $1, %eax; jne 1f; movl %edx, %db1; ret
1:	cmpl $2, %eax; jne 1f; movl %edx, %db2; ret
1:	cmpl $3, %eax; jne 1f; movl %edx, %db3; ret
1:	cmpl $6, %eax; jne 1f; movl %edx, %db6; ret
1:	cmpl $7, %eax; jne 1f; movl %edx, %db7
1:	ret

ROUTINE r_get_dr                /* eax = 0-3, 6, 7 -> eax; others give 0 */
	cmpl $0, %eax; jne 1f; movl %db0, %eax; ret
1:	cmpl $1, %eax; jne 1f; movl %db1, %eax; ret
1:	cmpl $2, %eax; jne 1f; movl %db2, %eax; ret
1:	cmpl $3, %eax; jne 1f; movl %db3, %eax; ret
1:	cmpl $6, %eax; jne 1f; movl %db6, %eax; ret
1:	cmpl $7, %eax; jne 1f; movl %db7, %eax; ret
1:	xorl %eax, %eax
	ret

ROUTINE r_rdpmc                 /* ecx = counter -> edx:eax, 0 without perfmon */
	GETDATA %eax
	cmpl $0, RD_PMC_OK(%eax)
	je 1f
	rdpmc
	ret
1:	xorl %eax, %eax
	xorl %edx, %edx
	ret

ROUTINE r_rdtsc
	rdtsc
	ret

ROUTINE r_clts
	clts
	ret

/* ---- interrupts ------------------------------------------------------- */

ROUTINE r_sti
	sti
	ret

ROUTINE r_cli
	cli
	ret

ROUTINE r_get_if                /* -> eax = EFLAGS */
	pushfl
	popl %eax
	ret

ROUTINE r_set_if                /* eax = EFLAGS as GetInterruptMask gave: loaded whole, as native popf */
	push %eax
	popfl
	ret

ROUTINE r_iret                  /* jumped to, with an iret frame on the stack */
	iret

ROUTINE r_sysexit               /* jumped to: edx = user eip, ecx = user esp */
	sti
	sysexit

ROUTINE r_halt                  /* safe halt: sti's shadow covers hlt */
	sti
	hlt
	ret

ROUTINE r_reboot                /* keyboard controller reset pulse */
	movb $0xfe, %al
	outb %al, $0x64
1:	hlt
	jmp 1b

ROUTINE r_shutdown              /* ACPI S5 on QEMU (pvboot/io.h) */
	movw $PM1_CNT_S5, %ax
	movw $QEMU_PM1A_CNT_Q35, %dx
	outw %ax, %dx
	movw $QEMU_PM1A_CNT_PIIX, %dx
	outw %ax, %dx
1:	cli
	hlt
	jmp 1b

ROUTINE r_set_iopl              /* eax = IOPL bits (0x3000) into EFLAGS */
	pushfl
	push %eax
	andl $0x3000, %eax
	andl $~0x3000, 4(%esp)
	orl %eax, 4(%esp)
	pop %eax
	popfl
	ret

ROUTINE r_io_delay
	outb %al, $IO_DELAY_PORT
	ret

/* ---- mmu ---------------------------------------------------------------- */

CVOID VMI_CALL_SetPxE, r_set_pxe, rom_set_pxe
CVOID VMI_CALL_UpdatePxE, r_update_pxe, rom_update_pxe
CVOID VMI_CALL_SetLazyMode, r_set_lazy_mode, rom_set_lazy_mode

/* Nothing to pin or map without a hypervisor (counted by their counting entries; pages with
 * the PAE page-type flag, edx, once more in their own counter). */
ROUTINE r_allocate_page
	COUNT_PAE_PAGE
	ret
ROUTINE r_release_page
	COUNT_PAE_PAGE
	ret
ROUTINE r_set_linear_mapping
	ret

ROUTINE r_inval_page            /* eax = virtual address */
	FLUSH_QUEUE
	invlpg (%eax)
	ret

ROUTINE r_flush_tlb             /* eax = flags: GLOBAL toggles CR4.PGE */
	FLUSH_QUEUE
	push %eax
	testl $VMI_FLUSH_GLOBAL, %eax
	jz 1f
	movl %cr4, %eax
	testl $0x80, %eax
	jz 1f
	xorl $0x80, %eax
	movl %eax, %cr4
	orl $0x80, %eax
	movl %eax, %cr4
	pop %eax
	ret
1:	movl %cr3, %eax
	movl %eax, %cr3
	pop %eax
	ret

/* ---- PAE: 8-byte entries ------------------------------------------------ */

/* eax = value low, edx = value high, ecx = entry, 4(%esp) = flags. */
ROUTINE r_set_pxe_long
	push %eax
	push %ecx
	push %edx
	pushl 16(%esp)                  /* flags: the C helper's 4th argument */
	call rom_set_pxe_long
	addl $4, %esp
	pop %edx
	pop %ecx
	pop %eax
	ret

/* eax = entry, edx = flags: as UpdatePxE, the width does not matter. */
CVOID VMI_CALL_UpdatePxELong, r_update_pxe_long, rom_update_pxe

/* ---- smp and apic ------------------------------------------------------- */

CVOID VMI_CALL_SetInitialAPState, r_set_ap_state, rom_set_ap_state

/* The APIC page's address is an immediate in these two routines (no
 * register to find the data area with, and no memory read for it):
 * VMI_Init writes the MSR's base over the 0 below (rom.c). */
	.globl apic_disp_read, apic_disp_write
	.hidden apic_disp_read, apic_disp_write

ROUTINE r_apic_write            /* eax = register, edx = value */
	cmpl $APIC_ICR_LO, %eax
	je 2f
1:	{disp32} movl %edx, 0(%eax)
	.set apic_disp_write, . - 4
	ret
2:	push %eax                       /* ICR low: maybe a SIPI to redirect */
	push %ecx
	push %edx
	movl %edx, %eax
	call rom_icr_low
	pop %edx
	pop %ecx
	pop %eax
	jmp 1b

ROUTINE r_apic_read             /* eax = register -> eax */
	{disp32} movl 0(%eax), %eax
	.set apic_disp_read, . - 4
	ret

/* ---- time --------------------------------------------------------------- */

ROUTINE r_cycle_frequency       /* -> edx:eax = Hz */
	GETDATA %eax
	movl RD_TSC_HZ + 4(%eax), %edx
	movl RD_TSC_HZ(%eax), %eax
	ret

ROUTINE r_cycle_counter         /* eax = REAL/AVAILABLE/STOLEN -> edx:eax */
	cmpl $VMI_CYCLES_STOLEN, %eax
	je 1f
	rdtsc
	ret
1:	xorl %eax, %eax
	xorl %edx, %edx
	ret

/* eax = flags, edx = expiry low, ecx = expiry high, 4/8(%esp) = period. */
ROUTINE r_set_alarm
	push %eax
	push %ecx
	push %edx
	pushl 20(%esp)                  /* period high */
	pushl 20(%esp)                  /* period low */
	call rom_set_alarm
	addl $8, %esp
	pop %edx
	pop %ecx
	pop %eax
	ret

ROUTINE r_cancel_alarm          /* -> eax = 0 */
	push %ecx
	push %edx
	call rom_cancel_alarm
	pop %edx
	pop %ecx
	xorl %eax, %eax
	ret

ROUTINE r_wallclock             /* -> edx:eax = ns since 1970 */
	push %ecx
	call rom_wallclock
	pop %ecx
	ret

ROUTINE r_wallclock_updated     /* the RTC stays the firmware's: -> 0 */
	xorl %eax, %eax
	ret

ROUTINE r_get_counters          /* extension: -> eax = u32 counters[128] */
	GETDATA %eax
	addl $RD_COUNTERS, %eax
	ret

/* ---- the two jump-slot entries --------------------------------------- */

	.globl vmi_init_entry, vmi_reloc_entry, vmi_reloc_outside, reloc_anchor, reloc_off, reloc_type
	.hidden vmi_init_entry, vmi_reloc_entry, vmi_reloc_outside, reloc_anchor, reloc_off, reloc_type

	.p2align 2
vmi_init_entry:                 /* -> eax = 0 */
	push %ecx
	push %edx
	call rom_init
	pop %edx
	pop %ecx
	ret

/* eax = call -> eax = routine (its counting entry in counting mode),
 * dl = type (edx = type); NONE gives 0:0. */
	.p2align 2
vmi_reloc_entry:
	push %ecx
	call reloc_anchor
reloc_anchor:
	pop %ecx
	cmpl $VMI_NCALLS, %eax
	jae 1f
	movzbl (reloc_type - reloc_anchor)(%ecx,%eax), %edx
	testl %edx, %edx
	jz 1f
	cmpl $0, (rom_data + RD_COUNTING - reloc_anchor)(%ecx)
	jne 2f
	movl (reloc_off - reloc_anchor)(%ecx,%eax,4), %eax
	addl %ecx, %eax
	pop %ecx
	ret
2:	movl (reloc_count - reloc_anchor)(%ecx,%eax,4), %eax
	addl %ecx, %eax
	pop %ecx
	ret
1:	xorl %eax, %eax
	xorl %edx, %edx
	pop %ecx
	ret

/* Only for the test ROM reloc-outside.rom (romfix points slot +136 here):
 * every routine reported 1 MiB past its place, outside any ROM. */
	.p2align 2
vmi_reloc_outside:
	call vmi_reloc_entry
	testb %dl, %dl
	jz 1f
	addl $0x100000, %eax
1:	ret

/* ---- relocation table ---------------------------------------------------
 * One list, expanded twice: offsets from reloc_anchor and types, by call. */
#define CALL VMI_RELOCATION_CALL_REL
#define JUMP VMI_RELOCATION_JUMP_REL
.macro CALLS m
	\m VMI_CALL_CPUID, r_cpuid, CALL
	\m VMI_CALL_SetGDT, r_set_gdt, CALL
	\m VMI_CALL_SetLDT, r_set_ldt, CALL
	\m VMI_CALL_SetIDT, r_set_idt, CALL
	\m VMI_CALL_SetTR, r_set_tr, CALL
	\m VMI_CALL_GetGDT, r_get_gdt, CALL
	\m VMI_CALL_GetLDT, r_get_ldt, CALL
	\m VMI_CALL_GetIDT, r_get_idt, CALL
	\m VMI_CALL_GetTR, r_get_tr, CALL
	\m VMI_CALL_WriteGDTEntry, r_write_gdt_entry, CALL
	\m VMI_CALL_WriteLDTEntry, r_write_ldt_entry, CALL
	\m VMI_CALL_WriteIDTEntry, r_write_idt_entry, CALL
	\m VMI_CALL_UpdateKernelStack, r_update_kernel_stack, CALL
	\m VMI_CALL_SetCR0, r_set_cr0, CALL
	\m VMI_CALL_SetCR2, r_set_cr2, CALL
	\m VMI_CALL_SetCR3, r_set_cr3, CALL
	\m VMI_CALL_SetCR4, r_set_cr4, CALL
	\m VMI_CALL_GetCR0, r_get_cr0, CALL
	\m VMI_CALL_GetCR2, r_get_cr2, CALL
	\m VMI_CALL_GetCR3, r_get_cr3, CALL
	\m VMI_CALL_GetCR4, r_get_cr4, CALL
	\m VMI_CALL_WBINVD, r_wbinvd, CALL
	\m VMI_CALL_SetDR, r_set_dr, CALL
	\m VMI_CALL_GetDR, r_get_dr, CALL
	\m VMI_CALL_RDPMC, r_rdpmc, CALL
	\m VMI_CALL_RDTSC, r_rdtsc, CALL
	\m VMI_CALL_CLTS, r_clts, CALL
	\m VMI_CALL_EnableInterrupts, r_sti, CALL
	\m VMI_CALL_DisableInterrupts, r_cli, CALL
	\m VMI_CALL_GetInterruptMask, r_get_if, CALL
	\m VMI_CALL_SetInterruptMask, r_set_if, CALL
	\m VMI_CALL_IRET, r_iret, JUMP
	\m VMI_CALL_SYSEXIT, r_sysexit, JUMP
	\m VMI_CALL_Halt, r_halt, CALL
	\m VMI_CALL_Reboot, r_reboot, CALL
	\m VMI_CALL_Shutdown, r_shutdown, CALL
	\m VMI_CALL_SetPxE, r_set_pxe, CALL
	\m VMI_CALL_SetPxELong, r_set_pxe_long, CALL
	\m VMI_CALL_UpdatePxE, r_update_pxe, CALL
	\m VMI_CALL_UpdatePxELong, r_update_pxe_long, CALL
	\m VMI_CALL_AllocatePage, r_allocate_page, CALL
	\m VMI_CALL_ReleasePage, r_release_page, CALL
	\m VMI_CALL_InvalPage, r_inval_page, CALL
	\m VMI_CALL_FlushTLB, r_flush_tlb, CALL
	\m VMI_CALL_SetLinearMapping, r_set_linear_mapping, CALL
	\m VMI_CALL_SetIOPLMask, r_set_iopl, CALL
	\m VMI_CALL_SetInitialAPState, r_set_ap_state, CALL
	\m VMI_CALL_APICWrite, r_apic_write, CALL
	\m VMI_CALL_APICRead, r_apic_read, CALL
	\m VMI_CALL_IODelay, r_io_delay, CALL
	\m VMI_CALL_GetCycleFrequency, r_cycle_frequency, CALL
	\m VMI_CALL_GetCycleCounter, r_cycle_counter, CALL
	\m VMI_CALL_SetAlarm, r_set_alarm, CALL
	\m VMI_CALL_CancelAlarm, r_cancel_alarm, CALL
	\m VMI_CALL_GetWallclockTime, r_wallclock, CALL
	\m VMI_CALL_WallclockUpdated, r_wallclock_updated, CALL
	\m VMI_CALL_SetLazyMode, r_set_lazy_mode, CALL
	\m VMI_CALL_GetCounters, r_get_counters, CALL
.endm

.macro OFF n, fn, type
	.org reloc_off + 4 * (\n), 0
	.long \fn - reloc_anchor
.endm
.macro TYPE n, fn, type
	.org reloc_type + (\n), 0
	.byte \type
.endm
.macro COUNT_OFF n, fn, type
	.org reloc_count + 4 * (\n), 0
	.long count_\fn - reloc_anchor
.endm

	.p2align 2
reloc_off:
	CALLS OFF
	.org reloc_off + 4 * VMI_NCALLS, 0
reloc_type:
	CALLS TYPE
	.org reloc_type + VMI_NCALLS, 0

/* The counting entries, and their offsets in the same order. */
	CALLS COUNTED
	.p2align 2
reloc_count:
	CALLS COUNT_OFF
	.org reloc_count + 4 * VMI_NCALLS, 0
