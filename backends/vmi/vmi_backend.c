/*
 * The vmi backend (docs/design.md §5–6, docs/abi-vmi.md): find the
 * ROM detection validated, copy it to writable RAM with its data area
 * (docs/vmi-rom.md), run VMI_Init, read the relocation info of every call
 * and fill the whole table from it: direct ROM routines where the ROM's
 * ABI equals the op's, wrappers (vmi_ops.c) where Linux needed them,
 * native code only where the ROM says NONE.
 */
#include "vmi_backend.h"
#include "cpu.h"
#include "kparavirt.h"
#include "trap.h"
#include "mm.h"
#include "pvboot/patch.h"
#include "pvboot/vmiext.h"
#include "paravirt_native.h"

#define VMI_COPY_MAX (192 * 1024)

struct vmi_rom vmi_rom;  /* the ROM in use: our RAM copy and its relocation info */
struct paravirt_patch_template vmi_table;
static u8 rom_copy[VMI_COPY_MAX] __attribute__((aligned(4096)));
static char why[96];

/* Ops whose contract is exactly the ROM call's: the slot holds the ROM
 * routine itself and a patched site calls (or jumps to) it directly. */
static const struct { u8 type; u8 call; u8 clobbers; } direct[] = {
	{ PV_TYPE(cpu.clts), VMI_CALL_CLTS, CLBR_NONE },
	{ PV_TYPE(cpu.get_debugreg), VMI_CALL_GetDR, CLBR_EAX },
	{ PV_TYPE(cpu.set_debugreg), VMI_CALL_SetDR, CLBR_NONE },
	{ PV_TYPE(cpu.read_cr0), VMI_CALL_GetCR0, CLBR_EAX },
	{ PV_TYPE(cpu.read_cr2), VMI_CALL_GetCR2, CLBR_EAX },
	{ PV_TYPE(cpu.read_cr3), VMI_CALL_GetCR3, CLBR_EAX },
	{ PV_TYPE(cpu.read_cr4), VMI_CALL_GetCR4, CLBR_EAX },
	{ PV_TYPE(cpu.read_cr4_safe), VMI_CALL_GetCR4, CLBR_EAX },
	{ PV_TYPE(cpu.write_cr0), VMI_CALL_SetCR0, CLBR_NONE },
	{ PV_TYPE(cpu.write_cr2), VMI_CALL_SetCR2, CLBR_NONE },
	{ PV_TYPE(cpu.write_cr3), VMI_CALL_SetCR3, CLBR_NONE },
	{ PV_TYPE(cpu.write_cr4), VMI_CALL_SetCR4, CLBR_NONE },
	{ PV_TYPE(cpu.wbinvd), VMI_CALL_WBINVD, CLBR_NONE },
	{ PV_TYPE(cpu.read_tsc), VMI_CALL_RDTSC, CLBR_EAX | CLBR_EDX },
	{ PV_TYPE(cpu.read_pmc), VMI_CALL_RDPMC, CLBR_EAX | CLBR_EDX },
	{ PV_TYPE(cpu.load_gdt), VMI_CALL_SetGDT, CLBR_NONE },
	{ PV_TYPE(cpu.load_idt), VMI_CALL_SetIDT, CLBR_NONE },
	{ PV_TYPE(cpu.store_gdt), VMI_CALL_GetGDT, CLBR_NONE },
	{ PV_TYPE(cpu.store_idt), VMI_CALL_GetIDT, CLBR_NONE },
	{ PV_TYPE(cpu.store_tr), VMI_CALL_GetTR, CLBR_EAX },
	{ PV_TYPE(cpu.write_ldt_entry), VMI_CALL_WriteLDTEntry, CLBR_NONE },
	{ PV_TYPE(cpu.write_gdt_entry), VMI_CALL_WriteGDTEntry, CLBR_NONE },
	{ PV_TYPE(cpu.write_idt_entry), VMI_CALL_WriteIDTEntry, CLBR_NONE },
	{ PV_TYPE(cpu.set_iopl_mask), VMI_CALL_SetIOPLMask, CLBR_NONE },
	{ PV_TYPE(cpu.io_delay), VMI_CALL_IODelay, CLBR_NONE },
	{ PV_TYPE(cpu.iret), VMI_CALL_IRET, CLBR_NONE },
	{ PV_TYPE(cpu.irq_enable_sysexit), VMI_CALL_SYSEXIT, CLBR_NONE },
	{ PV_TYPE(irq.save_fl), VMI_CALL_GetInterruptMask, CLBR_EAX },
	{ PV_TYPE(irq.restore_fl), VMI_CALL_SetInterruptMask, CLBR_NONE },
	{ PV_TYPE(irq.irq_disable), VMI_CALL_DisableInterrupts, CLBR_NONE },
	{ PV_TYPE(irq.irq_enable), VMI_CALL_EnableInterrupts, CLBR_NONE },
	{ PV_TYPE(irq.safe_halt), VMI_CALL_Halt, CLBR_NONE },
	{ PV_TYPE(apic.apic_write), VMI_CALL_APICWrite, CLBR_NONE },
	{ PV_TYPE(apic.apic_write_atomic), VMI_CALL_APICWrite, CLBR_NONE },
	{ PV_TYPE(apic.apic_read), VMI_CALL_APICRead, CLBR_EAX },
	{ PV_TYPE(mmu.flush_tlb_single), VMI_CALL_InvalPage, CLBR_NONE },
};

bool vmi_has(u32 call)
{
	return call < VMI_NCALLS && vmi_rom.type[call] != VMI_RELOCATION_NONE;
}

bool vmi_in_rom(u32 addr)
{
	return addr >= (u32)vmi_rom.base && addr < (u32)vmi_rom.base + vmi_rom.len;
}

/* Copy the ROM and its data area into rom_copy. */
static const char *copy_rom(void)
{
	const u8 *src = (const u8 *)boot_info->vmi_rom_phys;
	struct vmi_ext ext;
	const char *err;

	vmi_rom.phys = boot_info->vmi_rom_phys;
	vmi_rom.len = boot_info->vmi_rom_size;
	err = vmi_ext_parse(src, vmi_rom.len, VMI_COPY_MAX, &ext, why, sizeof(why));
	if (err)
		return err;
	vmi_rom.data_size = ext.data_size;
	vmi_rom.virtual_top = ext.virtual_top;      /* taken over only once init succeeds */
	memcpy(rom_copy, src, vmi_rom.len);
	paging_allow_exec((u32)rom_copy, vmi_rom.len);     /* the ROM's code stays executable under NX */
	memset(rom_copy + vmi_rom.len, 0, vmi_rom.data_size);
	/* Per-call counters are the self-tests' proof that ops reach the ROM;
	 * every other boot takes the entry points that count nothing. */
	vmi_rom.counting = kopts.test;
	u32 flags = vmi_rom.counting ? VMI_EXT_INIT_COUNT : 0;
	memcpy(rom_copy + VMI_EXT_INIT_FLAGS_OFF, &flags, 4);
	vmi_rom.base = rom_copy;
	return NULL;
}

typedef u32 (*vmi_init_fn)(void);
typedef u64 (*vmi_reloc_fn)(u32 call);

/* VMI_Init, then the relocation info of every call; all inside the ROM. */
static const char *read_relocations(void)
{
	static u64 info[VMI_NCALLS];
	vmi_reloc_fn reloc = (vmi_reloc_fn)(vmi_rom.base + VMI_RELOC_SLOT_OFF);
	u32 r;

	pv_init_step("the ROM", "VMI_Init");    /* a fault there falls back */
	r = ((vmi_init_fn)(vmi_rom.base + VMI_INIT_SLOT_OFF))();
	pv_init_step("the ROM", "GetRelocationInfo");
	if (r != 0) {
		pv_snprintf(why, sizeof(why), "VMI_Init returned %#x, not 0", r);
		return why;
	}
	for (u32 c = 0; c < VMI_NCALLS; c++)
		info[c] = reloc(c);
	pv_init_step(NULL, NULL);
	return vmi_reloc_check(info, (u32)vmi_rom.base, vmi_rom.len, vmi_rom.eip, vmi_rom.type, why, sizeof(why));
}

/* Direct ROM routines, NOPs where the ROM says so, native where NONE. */
static void fill_direct(struct paravirt_patch_template *t)
{
	u32 *slot = (u32 *)t;

	for (u32 i = 0; i < ARRAY_SIZE(direct); i++) {
		u8 c = direct[i].call;
		if (vmi_rom.type[c] == VMI_RELOCATION_NOP)
			slot[direct[i].type] = (u32)paravirt_nop;
		else if (vmi_rom.type[c] != VMI_RELOCATION_NONE)
			slot[direct[i].type] = vmi_rom.eip[c];
	}
}

static void vmi_banner(void)
{
	u32 n = 0;

	for (u32 c = 0; c < VMI_NCALLS; c++)
		n += vmi_has(c);
	kprintf("paravirt: vmi backend: ROM from %#x (%u bytes) running at %#x with %u bytes of data; %u calls implemented, %s\n",
		vmi_rom.phys, vmi_rom.len, (u32)vmi_rom.base, vmi_rom.data_size, n,
		vmi_rom.counting ? "counted (test)" : "not counted");
}

const char *vmi_init(void)
{
	const char *err = copy_rom();

	if (!err)
		err = read_relocations();
	if (err)
		return err;
	vmi_table = native_table;
	vmi_table.info.name = "vmi";
	vmi_table.info.paravirt_enabled = 1;
	vmi_table.init.patch = vmi_patch;
	vmi_table.init.banner = vmi_banner;
	fill_direct(&vmi_table);
	vmi_fill_wrappers(&vmi_table);
	pv_init_step("the ROM", "GetCycleFrequency");
	if (!vmi_fill_time(&vmi_table))
		kprintf("vmi: the ROM has no GetCycleFrequency: clocks stay native\n");
	pv_init_step("the ROM", "GetCounters");
	if (vmi_has(VMI_CALL_GetCounters))
		vmi_rom.counters = ((u32 *(*)(void))vmi_rom.eip[VMI_CALL_GetCounters])();
	pv_init_step(NULL, NULL);
	va_hole_start = vmi_rom.virtual_top;
	crash_addr_name = vmi_addr_name;        /* ROM routines in crash dumps */
	return NULL;
}

#define C(x) [VMI_CALL_##x] = "VMI ROM " #x
static const char *const call_names[VMI_NCALLS] = {
	C(CPUID), C(WRMSR), C(RDMSR), C(SetGDT), C(SetLDT), C(SetIDT), C(SetTR), C(GetGDT),
	C(GetLDT), C(GetIDT), C(GetTR), C(WriteGDTEntry), C(WriteLDTEntry), C(WriteIDTEntry),
	C(UpdateKernelStack), C(SetCR0), C(SetCR2), C(SetCR3), C(SetCR4), C(GetCR0), C(GetCR2),
	C(GetCR3), C(GetCR4), C(WBINVD), C(SetDR), C(GetDR), C(RDPMC), C(RDTSC), C(CLTS),
	C(EnableInterrupts), C(DisableInterrupts), C(GetInterruptMask), C(SetInterruptMask),
	C(IRET), C(SYSEXIT), C(Halt), C(Reboot), C(Shutdown), C(SetPxE), C(SetPxELong),
	C(UpdatePxE), C(UpdatePxELong), C(MachineToPhysical), C(PhysicalToMachine),
	C(AllocatePage), C(ReleasePage), C(InvalPage), C(FlushTLB), C(SetLinearMapping),
	C(SetIOPLMask), C(SetInitialAPState), C(APICWrite), C(APICRead), C(IODelay),
	C(GetCycleFrequency), C(GetCycleCounter), C(SetAlarm), C(CancelAlarm),
	C(GetWallclockTime), C(WallclockUpdated), C(SetLazyMode), C(GetCounters),
};
#undef C

/* The ROM call whose entry is at most 64 bytes below addr (the call
 * routines are short); else the offset into the ROM image, since a C
 * helper past the routines belongs to no one call.  For the crash dump. */
const char *vmi_addr_name(u32 addr, u32 *offset)
{
	const char *name = NULL;
	u32 best = 0;

	if (!vmi_in_rom(addr))
		return NULL;
	for (u32 c = 0; c < VMI_NCALLS; c++) {
		if (vmi_rom.type[c] != VMI_RELOCATION_CALL_REL && vmi_rom.type[c] != VMI_RELOCATION_JUMP_REL)
			continue;
		if (vmi_rom.eip[c] <= addr && vmi_rom.eip[c] >= best && call_names[c]) {
			best = vmi_rom.eip[c];
			name = call_names[c];
		}
	}
	if (!name || addr - best >= 64) {
		name = "VMI ROM image";
		best = (u32)vmi_rom.base;
	}
	*offset = addr - best;
	return name;
}

/* Direct calls/jumps into the ROM as its relocation info says. */
unsigned vmi_patch(u8 type, u16 clobbers, void *insnbuf, unsigned long addr, unsigned len)
{
	for (u32 i = 0; i < ARRAY_SIZE(direct); i++) {
		if (direct[i].type != type)
			continue;
		u8 c = direct[i].call;
		if (vmi_rom.type[c] == VMI_RELOCATION_NOP)
			return 0;
		if (vmi_rom.type[c] == VMI_RELOCATION_JUMP_REL)
			return pv_patch_jmp(insnbuf, addr, len, vmi_rom.eip[c]);
		if (vmi_rom.type[c] == VMI_RELOCATION_CALL_REL)
			return pv_patch_call(insnbuf, addr, len, vmi_rom.eip[c],
					     direct[i].clobbers, clobbers);
		break;          /* NONE: the slot holds native code */
	}
	/* Ops left native keep native's inline templates. */
	if (((const u32 *)&pv_ops)[type] == ((const u32 *)&native_table)[type])
		return native_patch(type, clobbers, insnbuf, addr, len);
	return pv_patch_default((const u32 *)&pv_ops, (u32)paravirt_nop,
				(u32)paravirt_ident_32, type, clobbers, insnbuf, addr, len);
}

PV_BACKEND(vmi_backend, PV_VMI, "vmi", vmi_table,
	   .init = vmi_init, .use_pae = vmi_use_pae);
