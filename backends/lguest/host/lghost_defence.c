/*
 * The host's account of a hostile guest (docs/lguest.md, "Threat model"):
 * every refusal is counted by kind and reported (the first few of each
 * kind in full), guest.hostile= names the case the host is told to
 * expect, and checksums of the host's text, read-only data, page tables
 * and switcher taken before the guest runs and after it ends say whether
 * the host is intact.
 */
#include "lghost.h"
#include "mm.h"

extern const u8 __selftests_end[];       /* the end of the read-only sections (kernel/kernel.ld) */
extern u8 lghost_switcher_start[], lghost_switcher_end[];

#define REPORT_FIRST 4          /* lines per kind before they are only counted */

static const char *const kind_name[LGHOST_D_COUNT] = {
	[LGHOST_D_USER_HCALL] = "ring-3 hypercall",
	[LGHOST_D_HOST_SEGS] = "guest segment registers",
	[LGHOST_D_STACK_SEG] = "unloadable cs/ss",
	[LGHOST_D_SEGMENT] = "descriptor",
	[LGHOST_D_SANITISED] = "control bytes in guest text",
	[LGHOST_D_FORGED_EXPECT] = "forged expectation",
	[LGHOST_D_SYSENTER] = "sysenter",
	[LGHOST_D_HALT_NOWAKE] = "halt nothing can end",
	[LGHOST_D_GATE] = "interrupt gate",
	[LGHOST_D_PTE] = "page-table entry",
	[LGHOST_D_HCALL] = "hypercall argument",
	[LGHOST_D_SWITCHER_FAULT] = "switcher fault",
	[LGHOST_D_FUZZ_DONE] = "fuzz campaign accounted",
	[LGHOST_D_SHADOW] = "shadow cache",
	[LGHOST_D_DIRECT] = "direct trap",
};

void lghost_defend(enum lghost_defence d, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (lghost.defended[d]++ >= REPORT_FIRST)
		return;
	va_start(ap, fmt);
	pv_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("host: refused (%s): %s%s\n", kind_name[d], msg,
		lghost.defended[d] == REPORT_FIRST ? " (further ones only counted)" : "");
}

/* guest.hostile=NAME: the case, and the defence whose firing shows the
 * guest's attempt failed.  Cases whose attempt is to crash or hang the
 * host need the host to have met the situation and still be intact. */
static const struct {
	const char *name;
	enum lghost_defence proof;
} cases[] = {
	{ "usercall", LGHOST_D_USER_HCALL },
	{ "segleak", LGHOST_D_HOST_SEGS },
	{ "badseg", LGHOST_D_STACK_SEG },
	{ "segwrap", LGHOST_D_SEGMENT },
	{ "forge", LGHOST_D_SANITISED },
	{ "crashforge", LGHOST_D_FORGED_EXPECT },
	{ "sysenter", LGHOST_D_SYSENTER },
	{ "haltoff", LGHOST_D_HALT_NOWAKE },
	{ "gate", LGHOST_D_GATE },
	{ "pte", LGHOST_D_PTE },
	{ "fuzz", LGHOST_D_FUZZ_DONE },
	{ "shadows", LGHOST_D_SHADOW },
	{ "vcpus", LGHOST_D_HCALL },
	{ "direct", LGHOST_D_DIRECT },
	{ "directstack", LGHOST_D_DIRECT },
	{ "directro", LGHOST_D_DIRECT },
};

void lghost_hostile_from_cmdline(const char *name, u32 len)
{
	for (u32 i = 0; i < ARRAY_SIZE(cases); i++)
		if (strlen(cases[i].name) == len && !memcmp(cases[i].name, name, len)) {
			lghost.hostile = (int)i;
			return;
		}
	kprintf("host: guest.hostile=%.*s: no such case; running the guest as an ordinary one\n",
		(int)(len > 32 ? 32 : len), name);
}

const char *lghost_hostile_name(void)
{
	return lghost.hostile >= 0 ? cases[lghost.hostile].name : NULL;
}

bool lghost_attack_failed(void)
{
	return lghost.hostile >= 0 && lghost.defended[cases[lghost.hostile].proof] > 0 && lghost_intact();
}

void lghost_defence_summary(void)
{
	for (u32 d = 0; d < LGHOST_D_COUNT; d++)
		if (lghost.defended[d])
			kprintf("host: defence %s: %u time%s\n", kind_name[d], lghost.defended[d],
				lghost.defended[d] == 1 ? "" : "s");
}

/* ---- integrity ---------------------------------------------------------- */

/* FNV-1a over 32-bit words. */
static u32 sum_words(u32 h, const u32 *w, u32 n)
{
	for (u32 i = 0; i < n; i++)
		h = (h ^ w[i]) * 16777619u;
	return h;
}

static u32 sum_range(const void *from, const void *to)
{
	return sum_words(2166136261u, from, ((u32)to - (u32)from) / 4);
}

/* Page-table words without the accessed and dirty bits the CPU sets. */
static u32 sum_entries(u32 h, const u32 *e)
{
	for (u32 i = 0; i < 1024; i++)
		h = (h ^ (e[i] & ~(u32)(PTE_A | PTE_D))) * 16777619u;
	return h;
}

/* The host's own page directory and every page table it points to. */
static u32 sum_page_tables(void)
{
	const u32 *pgd = (const u32 *)init_mm.pgd;
	u32 h = sum_entries(2166136261u, pgd);

	for (u32 i = 0; i < 1024; i++)
		if ((pgd[i] & PTE_P) && !(pgd[i] & PTE_PS))
			h = sum_entries(h, (const u32 *)(pgd[i] & ~0xfffu));
	return h;
}

void lghost_sums_take(struct lghost_sums *s)
{
	s->text = sum_range(__kernel_start, __text_end);
	s->rodata = sum_range(__text_end, __selftests_end);
	s->ptables = sum_page_tables();
	s->switcher = 2166136261u;
	lghost_switcher_sum(&s->switcher);
}

bool lghost_intact(void)
{
	return lghost.before.text == lghost.after.text && lghost.before.rodata == lghost.after.rodata &&
	       lghost.before.ptables == lghost.after.ptables && lghost.before.switcher == lghost.after.switcher &&
	       lghost_shadow_audit();
}
