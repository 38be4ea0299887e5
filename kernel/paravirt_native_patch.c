/* native_patch(): inline the privileged instruction itself where the
 * docs/design.md §6 list says so, else the default rules (direct call, NOPs). */
#include "kernel.h"
#include "pvboot/patch.h"
#include "paravirt_native.h"
#include "apic.h"

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

/*
 * first: length of the template's first instruction, which takes the
 * padding prefixes; 0 for the return paths, which are branches (never
 * prefixed) and whose trailing NOPs never run anyway.
 */
struct native_template {
	u8 type;
	u8 first;
	const u8 *start, *end;
};

#define T(op, name, first) { PV_TYPE(op), first, start_##name, end_##name }
static const struct native_template templates[] = {
	T(irq.irq_disable, irq_disable, 1),
	T(irq.irq_enable, irq_enable, 1),
	T(irq.save_fl, save_fl, 1),
	T(irq.restore_fl, restore_fl, 1),
	T(cpu.read_cr2, read_cr2, 3),
	T(cpu.read_cr3, read_cr3, 3),
	T(cpu.write_cr3, write_cr3, 3),
	T(cpu.clts, clts, 2),
	T(cpu.read_tsc, read_tsc, 2),
	T(cpu.iret, iret, 0),
	T(cpu.irq_enable_sysexit, irq_enable_sysexit, 0),
};

/*
 * Local APIC access inlined as one instruction with the APIC base (known
 * by now: smp_config_init ran before apply_paravirt) as displacement:
 *   apic_read:  mov apic_base(%eax), %eax      8b 80 <disp32>
 *   apic_write: mov %edx, apic_base(%eax)      89 90 <disp32>
 * The register offset arrives in %eax and the value in %edx, as the
 * regparm call would have passed them.
 */
static unsigned native_patch_apic(u8 type, u8 *buf, unsigned len)
{
	if (len < 6)
		return len;
	buf[0] = type == PV_TYPE(apic.apic_read) ? 0x8b : 0x89;
	buf[1] = type == PV_TYPE(apic.apic_read) ? 0x80 : 0x90;
	memcpy(buf + 2, &apic_base, 4);
	return 6;
}

unsigned native_patch(u8 type, u16 clobbers, void *insnbuf,
		      unsigned long addr, unsigned len)
{
	if (type == PV_TYPE(apic.apic_read) || type == PV_TYPE(apic.apic_write))
		return native_patch_apic(type, insnbuf, len);
	for (unsigned i = 0; i < ARRAY_SIZE(templates); i++) {
		const struct native_template *t = &templates[i];
		if (t->type != type)
			continue;
		if (!t->first)
			return pv_patch_insns(insnbuf, len, t->start, t->end);
		return pv_patch_insns_prefixed(insnbuf, len, t->start, t->end, t->first);
	}
	return pv_patch_default((const u32 *)&pv_ops, (u32)paravirt_nop,
				(u32)paravirt_ident_32, type, clobbers,
				insnbuf, addr, len);
}
