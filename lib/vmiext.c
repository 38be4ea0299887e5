/* Checks of a VMI ROM's pvboot extension block and relocation info (pvboot/vmiext.h, docs/vmi-rom.md). */
#include "pvboot/vmiext.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

const char *vmi_ext_parse(const u8 *rom, u32 len, u32 copy_max, struct vmi_ext *out,
			  char *why, u32 wl)
{
	if (!len || len > 0x10000)
		return "ROM size is not between 1 byte and 64 KiB";
	if (len < VMI_EXT_DATA_SIZE_OFF + 4 || rd32(rom + VMI_EXT_MAGIC_OFF) != VMI_EXT_MAGIC ||
	    rd32(rom + VMI_EXT_VERSION_OFF) != VMI_EXT_VERSION)
		return "ROM lacks the pvboot extension block (\"pvbx\" v1 at +32), so it cannot say how much writable memory it needs";
	out->data_size = rd32(rom + VMI_EXT_DATA_SIZE_OFF);
	if (len > copy_max || out->data_size > copy_max - len)
		return "ROM asks for more writable memory than the kernel sets aside (192 KiB with the image)";
	/* virtual_top: the ROM/hypervisor owns [virtual_top, 4 GiB); the
	 * kernel maps nothing there, which only works above the APIC MMIO. */
	out->virtual_top = rd32(rom + VMI_VIRTUAL_TOP_OFF);
	if (out->virtual_top && out->virtual_top < 0xff000000u) {
		pv_snprintf(why, wl, "ROM's virtual_top %#x would take the APIC MMIO range", out->virtual_top);
		return why;
	}
	return NULL;
}

const u8 vmi_required_calls[] = {
	VMI_CALL_IRET, VMI_CALL_SYSEXIT, VMI_CALL_SetPxE, VMI_CALL_SetInitialAPState,
	VMI_CALL_APICWrite, VMI_CALL_APICRead, VMI_CALL_SetLazyMode,
};
const u32 vmi_nrequired_calls = sizeof(vmi_required_calls);

const char *vmi_reloc_check(const u64 info[VMI_NCALLS], u32 base, u32 len,
			    u32 eip[VMI_NCALLS], u8 type[VMI_NCALLS], char *why, u32 wl)
{
	for (u32 c = 0; c < VMI_NCALLS; c++) {
		u64 t = info[c] >> 32;
		eip[c] = (u32)info[c];
		type[c] = t > 0xff ? 0xff : (u8)t;
		if (type[c] == VMI_RELOCATION_NONE && t == 0)
			continue;
		/* written so that no sum wraps: eip and len are the ROM's word */
		bool inside = eip[c] >= base && eip[c] - base < len;
		if (t > VMI_RELOCATION_NOP || (t != VMI_RELOCATION_NOP && !inside)) {
			pv_snprintf(why, wl, "GetRelocationInfo(%u) gave type %u at %#x, outside the ROM",
				    c, (u32)t, eip[c]);
			return why;
		}
	}
	for (u32 i = 0; i < vmi_nrequired_calls; i++)
		if (type[vmi_required_calls[i]] == VMI_RELOCATION_NONE) {
			pv_snprintf(why, wl, "ROM does not implement call %u, which the kernel needs",
				    vmi_required_calls[i]);
			return why;
		}
	/* The return paths are jumped to: a ROM that wants them called (or
	 * NOPed) cannot work, and native iret/sysexit must never stand in
	 * for them under VMI (Linux poisoned these slots for that reason). */
	if (type[VMI_CALL_IRET] != VMI_RELOCATION_JUMP_REL ||
	    type[VMI_CALL_SYSEXIT] != VMI_RELOCATION_JUMP_REL)
		return "ROM's IRET/SYSEXIT are not JUMP_REL relocations";
	return NULL;
}
