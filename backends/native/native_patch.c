/* native_patch(): inline the privileged instruction itself where the
 * DESIGN §6 list says so, else the default rules (direct call, NOPs). */
#include "kernel.h"
#include "pvboot/patch.h"
#include "native.h"

#define DECLARE_TEMPLATE(name) extern const u8 start_##name[], end_##name[]
DECLARE_TEMPLATE(irq_disable);
DECLARE_TEMPLATE(irq_enable);
DECLARE_TEMPLATE(save_fl);
DECLARE_TEMPLATE(restore_fl);
DECLARE_TEMPLATE(read_cr2);
DECLARE_TEMPLATE(read_cr3);
DECLARE_TEMPLATE(write_cr3);
DECLARE_TEMPLATE(clts);
DECLARE_TEMPLATE(read_tsc);
DECLARE_TEMPLATE(iret);
DECLARE_TEMPLATE(irq_enable_sysexit);

struct native_template {
	u8 type;
	const u8 *start, *end;
};

#define T(op, name) { PV_TYPE(op), start_##name, end_##name }
static const struct native_template templates[] = {
	T(irq.irq_disable, irq_disable),
	T(irq.irq_enable, irq_enable),
	T(irq.save_fl, save_fl),
	T(irq.restore_fl, restore_fl),
	T(cpu.read_cr2, read_cr2),
	T(cpu.read_cr3, read_cr3),
	T(cpu.write_cr3, write_cr3),
	T(cpu.clts, clts),
	T(cpu.read_tsc, read_tsc),
	T(cpu.iret, iret),
	T(cpu.irq_enable_sysexit, irq_enable_sysexit),
};

unsigned native_patch(u8 type, u16 clobbers, void *insnbuf,
		      unsigned long addr, unsigned len)
{
	for (unsigned i = 0; i < ARRAY_SIZE(templates); i++)
		if (templates[i].type == type)
			return pv_patch_insns(insnbuf, len, templates[i].start,
					      templates[i].end);
	return pv_patch_default((const u32 *)&pv_ops, (u32)paravirt_nop,
				(u32)paravirt_ident_32, type, clobbers,
				insnbuf, addr, len);
}
