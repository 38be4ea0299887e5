/*
 * Self-test of the patched call sites, decoded independently of the
 * patcher: each site's live bytes are read as x86 instructions and
 * checked against what its op needs on this backend (the instruction
 * bytes below are written from the Intel SDM, not taken from the
 * backends' templates).
 */
#include "report.h"
#include "cpu.h"
#include "apic.h"
#include "kparavirt.h"
#include "pvboot/lguest.h"

/* An op the native backend inlines: the instruction bytes (SDM vol. 2). */
struct inline_insn {
	u8 type, len;
	u8 bytes[3];
};

#define I(op, n, ...) { PV_TYPE(op), n, { __VA_ARGS__ } }
static const struct inline_insn native_inline[] = {
	I(irq.irq_disable, 1, 0xfa),                    /* cli */
	I(irq.irq_enable, 1, 0xfb),                     /* sti */
	I(irq.save_fl, 2, 0x9c, 0x58),                  /* pushf; pop %eax */
	I(irq.restore_fl, 2, 0x50, 0x9d),               /* push %eax; popf */
	I(cpu.read_cr2, 3, 0x0f, 0x20, 0xd0),           /* mov %cr2, %eax */
	I(cpu.read_cr3, 3, 0x0f, 0x20, 0xd8),           /* mov %cr3, %eax */
	I(cpu.write_cr3, 3, 0x0f, 0x22, 0xd8),          /* mov %eax, %cr3 */
	I(cpu.clts, 2, 0x0f, 0x06),                     /* clts */
	I(cpu.read_tsc, 2, 0x0f, 0x31),                 /* rdtsc */
	I(cpu.iret, 1, 0xcf),                           /* iret */
	I(cpu.irq_enable_sysexit, 3, 0xfb, 0x0f, 0x35), /* sti; sysexit */
};

static const u32 *slots(void)
{
	return (const u32 *)&pv_ops;
}

static const u32 *native_slots(void)
{
	const struct pv_backend *nat = pv_backend_by_id(PV_NATIVE);
	if (nat)
		return (const u32 *)nat->table;
	return NULL;
}

/* Length of the SDM-recommended NOP (or a lone DS prefix run) at p, or 0. */
static u32 nop_len(const u8 *p, u32 left)
{
	static const u8 forms[][9] = {
		{ 0x90 }, { 0x66, 0x90 }, { 0x0f, 0x1f, 0x00 }, { 0x0f, 0x1f, 0x40, 0x00 },
		{ 0x0f, 0x1f, 0x44, 0x00, 0x00 }, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 },
		{ 0x0f, 0x1f, 0x80, 0, 0, 0, 0 }, { 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 },
		{ 0x66, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0 },
	};
	for (u32 n = 9; n >= 1; n--)
		if (n <= left && !memcmp(p, forms[n - 1], n))
			return n;
	return 0;
}

static bool all_nops(const u8 *p, u32 len)
{
	while (len) {
		u32 n = nop_len(p, len);
		if (!n)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

static u32 rel_target(const u8 *insn)
{
	u32 rel;

	memcpy(&rel, insn + 1, 4);
	return (u32)insn + 5 + rel;
}

/*
 * jmp rel32 to the op's function, or call rel32 to it: the call may carry
 * CS-override prefixes (2EH, which a relative call ignores) filling the
 * site, and may be wrapped in push %ecx; push %edx ... pop %edx; pop %ecx;
 * NOPs after.
 */
static bool direct_branch(const u8 *p, u32 len, u32 type)
{
	u32 want = slots()[type], i = 0;
	bool jump = type == PV_TYPE_IRET || type == PV_TYPE_IRQ_ENABLE_SYSEXIT;
	bool wrapped = len >= 9 && p[0] == 0x51 && p[1] == 0x52;

	if (jump)
		return len >= 5 && p[0] == 0xe9 && rel_target(p) == want;
	if (wrapped)
		i = 2;
	while (i < len && p[i] == 0x2e)
		i++;
	if (i + 5 > len || i + 5 > 15 + (wrapped ? 2 : 0) || p[i] != 0xe8 || rel_target(p + i) != want)
		return false;
	i += 5;
	if (wrapped) {
		if (i + 2 > len || p[i] != 0x5a || p[i + 1] != 0x59)
			return false;
		i += 2;
	}
	return all_nops(p + i, len - i);
}

/* The SDM's bytes for a native-inlined op, after DS prefixes, then NOPs. */
static bool native_inline_ok(const u8 *p, u32 len, u32 type)
{
	const u32 *nat = native_slots();

	if (!nat || slots()[type] != nat[type])
		return false;   /* only an op the backend took from native */
	while (len && *p == 0x3e) {
		p++;
		len--;
	}
	if (type == PV_TYPE(apic.apic_read) || type == PV_TYPE(apic.apic_write)) {
		u8 op = type == PV_TYPE(apic.apic_read) ? 0x8b : 0x89;   /* mov r/m32 */
		u8 modrm = type == PV_TYPE(apic.apic_read) ? 0x80 : 0x90; /* [eax+disp32], eax or edx */
		u32 disp;
		if (len < 6 || p[0] != op || p[1] != modrm)
			return false;
		memcpy(&disp, p + 2, 4);
		return disp == apic_base && all_nops(p + 6, len - 6);
	}
	for (u32 i = 0; i < ARRAY_SIZE(native_inline); i++) {
		const struct inline_insn *n = &native_inline[i];
		if (n->type != type)
			continue;
		if (len < n->len || memcmp(p, n->bytes, n->len))
			return false;
		/* after iret/sysexit nothing runs: any padding is fine */
		return n->type == PV_TYPE_IRET || n->type == PV_TYPE_IRQ_ENABLE_SYSEXIT ||
		       all_nops(p + n->len, len - n->len);
	}
	return false;
}

/*
 * lguest's inlined irq ops (docs/lguest.md): irq_disable stores 0 to the
 * running vCPU's interrupt flag, save_fl loads it.  Both must name its
 * fixed address (the first word at LG_VCPU_ADDR, include/pvboot/lguest.h);
 * *flag_addr collects it.
 */
static bool lguest_inline_ok(const u8 *p, u32 len, u32 type, u32 *flag_addr)
{
	u32 a, v;

	if (boot_info->backend_id != PV_LGUEST)
		return false;
	if (type == PV_TYPE(irq.irq_disable) && len >= 10 && p[0] == 0xc7 && p[1] == 0x05) {
		memcpy(&a, p + 2, 4);
		memcpy(&v, p + 6, 4);
		if (v != 0 || !all_nops(p + 10, len - 10))
			return false;
	} else if (type == PV_TYPE(irq.save_fl) && len >= 5 && p[0] == 0xa1) {
		memcpy(&a, p + 1, 4);
		if (!all_nops(p + 5, len - 5))
			return false;
	} else {
		return false;
	}
	if (!*flag_addr)
		*flag_addr = a;
	return a == *flag_addr && a == LG_VCPU_ADDR;
}

/* call *pv_ops[type] (jmp for the return paths), as the compiler left it. */
static bool indirect_ok(const u8 *p, u32 len, u32 type)
{
	u32 disp;
	bool jump = type == PV_TYPE_IRET || type == PV_TYPE_IRQ_ENABLE_SYSEXIT;

	if (len >= 8 && p[0] == 0x51 && p[1] == 0x52)   /* the hot sites' pushes */
		p += 2, len -= 2;
	if (len < 6 || p[0] != 0xff || p[1] != (jump ? 0x25 : 0x15))
		return false;
	memcpy(&disp, p + 2, 4);
	return disp == (u32)&slots()[type];
}

static bool site_ok(const struct paravirt_patch_site *s, bool unpatched, u32 *flag_addr)
{
	const u8 *p = (const u8 *)s->addr;
	u32 fn = slots()[s->type];

	if (unpatched)
		return indirect_ok(p, s->len, s->type);
	if (direct_branch(p, s->len, s->type))
		return true;
	if (all_nops(p, s->len))        /* a no-op, or eax in -> eax out */
		return fn == (u32)paravirt_nop || fn == (u32)paravirt_ident_32;
	return native_inline_ok(p, s->len, s->type) || lguest_inline_ok(p, s->len, s->type, flag_addr);
}

SELFTEST(patched_sites)
{
	bool unpatched = kopts.nopatch || pvtrace_active();
	u32 checked = 0, bad = 0, flag_addr = 0;

	for (const struct paravirt_patch_site *s = __parainstructions; s < __parainstructions_end; s++) {
		checked++;
		if (site_ok(s, unpatched, &flag_addr))
			continue;
		if (bad++ < 5)
			kprintf("patch: site %#x (%s, %u bytes) holds %02x %02x %02x %02x %02x %02x\n",
				s->addr, paravirt_op_name(s->type), s->len, ((u8 *)s->addr)[0],
				((u8 *)s->addr)[1], ((u8 *)s->addr)[2], ((u8 *)s->addr)[3],
				((u8 *)s->addr)[4], ((u8 *)s->addr)[5]);
	}
	report(checked > 0 && bad == 0, "%u call sites decode as what their op needs on %s%s (%u wrong)",
	       checked, pv_name(), unpatched ? ", all left as indirect calls" : "", bad);
}
