/* User-mode harness for build/vmi.rom (docs/vmi-rom.md): runs the ROM's unprivileged routines from a RAM copy at an odd address and checks outputs, register preservation, counters and stack depth; 32-bit host, cmocka-style summary for scripts/run-unit.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cpuid.h>
#include <signal.h>
#include "romdata.h"

enum { EAX, EBX, ECX, EDX, ESI, EDI, EBP, ESP, EFL };
extern u32 h_in[9], h_out[9], h_esp;
void hcall(void *fn, u32 s0, u32 s1);

static u8 *base;                /* the RAM copy */
static u32 len;
static struct rom_data *rd;
static u32 apic[1024] __attribute__((aligned(4096)));
static int failed, run, skipped;
static u32 max_depth;
static const char *test = "";

#define CHECK(c, ...) do { if (!(c)) { failed++; printf("FAIL: %s: ", test); \
	printf(__VA_ARGS__); printf("\n"); } } while (0)

static const u32 pattern[7] = { 0x1111a0a0, 0x2222b1b1, 0x3333c2c2, 0x4444d3d3,
				0x5555e4e4, 0x6666f5f5, 0x77770606 };

/* Call `fn` with eax, edx, ecx (others patterned); every register not in
 * `outs` must come back unchanged, esp too, and DF clear. */
static void call(void *fn, u32 eax, u32 edx, u32 ecx, u32 s0, u32 s1, unsigned outs)
{
	const char *names[7] = { "eax", "ebx", "ecx", "edx", "esi", "edi", "ebp" };
	u32 depth = 0;

	memcpy(h_in, pattern, sizeof(pattern));
	h_in[EAX] = eax, h_in[EDX] = edx, h_in[ECX] = ecx;
	hcall(fn, s0, s1);
	run++;
	/* the depth first: printing a failure would paint over the area */
	for (u32 *p = (u32 *)(h_esp - 1024); p < (u32 *)h_esp && !depth; p++)
		if (*p != 0xa5a5a5a5)
			depth = h_esp - (u32)p;
	CHECK(depth <= 256, "used %u bytes of stack", depth);
	if (depth > max_depth)
		max_depth = depth;
	for (int r = 0; r < 7; r++)
		CHECK((outs & 1u << r) || h_out[r] == h_in[r], "%s changed: %#x -> %#x",
		      names[r], h_in[r], h_out[r]);
	CHECK(h_out[ESP] == h_esp, "esp %#x, want %#x", h_out[ESP], h_esp);
	CHECK(!(h_out[EFL] & 0x400), "DF set on return");
}
#define OUT(r) (1u << (r))

static u64 reloc(u32 n, u8 *type)
{
	call(base + VMI_RELOC_SLOT_OFF, n, 0, 0, 0, 0, OUT(EAX) | OUT(EDX));
	*type = (u8)h_out[EDX];
	return h_out[EAX];
}

static u8 *fn(u32 n)
{
	u8 type;
	u32 eip = (u32)reloc(n, &type);

	if (type != VMI_RELOCATION_CALL_REL)
		return NULL;
	return (u8 *)eip;
}

/* One call by number; checks that its counter moved by exactly one. */
static void vcall(u32 n, u32 eax, u32 edx, u32 ecx, u32 s0, u32 s1, unsigned outs)
{
	u32 before = rd->counters[n];
	u8 *f = fn(n);

	CHECK(f, "call %u is not CALL_REL", n);
	if (!f)
		return;
	call(f, eax, edx, ecx, s0, s1, outs);
	CHECK(rd->counters[n] == before + 1, "call %u counted %u times", n, rd->counters[n] - before);
}

static void t_relocations(void)
{
	static const u8 none[] = { 1, 2, 42, 43 };
	u32 n = 0;
	u8 type;

	test = "relocations";
	for (u32 c = 0; c < VMI_NCALLS + 4; c++) {
		u32 eip = (u32)reloc(c, &type);
		bool want_none = c > 100 || (c > 48 && c < 61) || c == 72 || (c > 73 && c != 100) ||
				 memchr(none, (int)c, sizeof(none));
		if (type == VMI_RELOCATION_NONE) {
			CHECK(want_none && eip == 0, "call %u: NONE with eip %#x", c, eip);
			continue;
		}
		n++;
		CHECK(!want_none, "call %u implemented", c);
		CHECK(eip >= (u32)base + VMI_HEADER_SIZE && eip < (u32)base + len, "call %u at %#x outside", c, eip);
		CHECK(type == ((c == 33 || c == 34) ? VMI_RELOCATION_JUMP_REL : VMI_RELOCATION_CALL_REL),
		      "call %u type %u", c, type);
	}
	CHECK(n == 58, "%u relocations, want 58", n);
}

static void t_cpu(void)
{
	u32 a, b, c, d, gdt[16] = { 0 }, tss[26] = { 0 };

	test = "cpu";
	__cpuid_count(1, 0, a, b, c, d);
	vcall(VMI_CALL_CPUID, 1, 0, 0, 0, 0, OUT(EAX) | OUT(EBX) | OUT(ECX) | OUT(EDX));
	CHECK(h_out[EAX] == a && h_out[ECX] == c && h_out[EDX] == d, "cpuid 1 differs");
	vcall(VMI_CALL_WriteGDTEntry, (u32)gdt, 5, 0xaaaa5555, 0xdead0001, 0, 0);
	CHECK(gdt[10] == 0xaaaa5555 && gdt[11] == 0xdead0001, "GDT entry %#x %#x", gdt[10], gdt[11]);
	vcall(VMI_CALL_WriteIDTEntry, (u32)gdt, 1, 1, 2, 0, 0);
	CHECK(gdt[2] == 1 && gdt[3] == 2, "IDT entry");
	vcall(VMI_CALL_UpdateKernelStack, (u32)tss, 0xc0ffee00, 0, 0, 0, 0);
	CHECK(tss[1] == 0xc0ffee00, "esp0 %#x", tss[1]);
	vcall(VMI_CALL_GetInterruptMask, 0, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] & 0x200 && h_out[EAX] & 2, "eflags %#x", h_out[EAX]);
	vcall(VMI_CALL_RDTSC, 0, 0, 0, 0, 0, OUT(EAX) | OUT(EDX));
	rd->pmc_ok = 0;
	vcall(VMI_CALL_RDPMC, 0, 0, 0, 0, 0, OUT(EAX) | OUT(EDX));
	CHECK(h_out[EAX] == 0 && h_out[EDX] == 0, "rdpmc without perfmon");
	vcall(VMI_CALL_AllocatePage, 7, 1, 0, 0, 1, 0);
	vcall(VMI_CALL_ReleasePage, 7, 1, 0, 0, 0, 0);
	vcall(VMI_CALL_SetLinearMapping, 0, 0x1000, 1, 7, 0, 0);
}

static void t_lazy(void)
{
	u32 pte[70] = { 0 };

	test = "lazy";
	vcall(VMI_CALL_SetPxE, 0x1003, (u32)&pte[0], VMI_PAGE_PT, 0, 0, 0);
	CHECK(pte[0] == 0x1003, "immediate store");
	vcall(VMI_CALL_SetLazyMode, 1, 0, 0, 0, 0, 0);
	vcall(VMI_CALL_SetPxE, 0x2003, (u32)&pte[0], VMI_PAGE_PT | VMI_PAGE_DEFER, 0, 0, 0);
	vcall(VMI_CALL_UpdatePxE, (u32)&pte[0], VMI_PAGE_PT | VMI_PAGE_DEFER, 0, 0, 0, 0);
	CHECK(pte[0] == 0x1003 && rd->qlen == 2, "queued: pte %#x, %u queued", pte[0], rd->qlen);
	vcall(VMI_CALL_SetPxE, 0x3003, (u32)&pte[1], VMI_PAGE_PT, 0, 0, 0);
	CHECK(pte[0] == 0x2003 && pte[1] == 0x3003 && rd->qlen == 0, "non-DEFER store applies the queue first");
	for (u32 i = 0; i < 65; i++)
		vcall(VMI_CALL_SetPxE, i, (u32)&pte[i + 2], VMI_PAGE_DEFER, 0, 0, 0);
	CHECK(pte[2] == 0 && pte[65] == 63 && rd->qlen == 1, "full queue applied: qlen %u", rd->qlen);
	pte[2] = 99;
	vcall(VMI_CALL_SetLazyMode, 0, 0, 0, 0, 0, 0);
	CHECK(pte[66] == 64 && rd->qlen == 0 && pte[2] == 99, "leaving MMU mode applies");
	CHECK(rd->counters[VMI_COUNT_LAZY_QUEUED] == 67 && rd->counters[VMI_COUNT_LAZY_APPLIED] == 67,
	      "queued %u applied %u", rd->counters[VMI_COUNT_LAZY_QUEUED], rd->counters[VMI_COUNT_LAZY_APPLIED]);
	vcall(VMI_CALL_SetPxE, 5, (u32)&pte[3], VMI_PAGE_DEFER, 0, 0, 0);
	CHECK(pte[3] == 5, "DEFER outside MMU mode is immediate");
}

/* 8-byte entries: SetPxELong stores both halves, now or at the end of
 * the batch; UpdatePxELong queues like UpdatePxE; PAE pages counted. */
static void t_pae(void)
{
	u32 e[4] = { 0 };
	u32 pages = rd->counters[VMI_COUNT_PAE_PAGES];

	test = "pae";
	vcall(VMI_CALL_SetPxELong, 0x23456003, 0x8000000f, (u32)&e[0], VMI_PAGE_PT, 0, 0);
	CHECK(e[0] == 0x23456003 && e[1] == 0x8000000f, "immediate 8-byte store: %#x %#x", e[1], e[0]);
	vcall(VMI_CALL_SetLazyMode, 1, 0, 0, 0, 0, 0);
	vcall(VMI_CALL_SetPxELong, 0x5003, 0x2, (u32)&e[2], VMI_PAGE_PT | VMI_PAGE_DEFER, 0, 0);
	vcall(VMI_CALL_UpdatePxELong, (u32)&e[2], VMI_PAGE_PT | VMI_PAGE_DEFER, 0, 0, 0, 0);
	vcall(VMI_CALL_SetPxELong, 0, 0, (u32)&e[0], VMI_PAGE_PT | VMI_PAGE_DEFER, 0, 0);
	CHECK(e[2] == 0 && e[3] == 0 && e[0] == 0x23456003 && rd->qlen == 3, "queued: %u", rd->qlen);
	vcall(VMI_CALL_SetLazyMode, 0, 0, 0, 0, 0, 0);
	CHECK(e[2] == 0x5003 && e[3] == 0x2 && e[0] == 0 && e[1] == 0 && rd->qlen == 0,
	      "applied in order: %#x %#x, cleared %#x %#x", e[3], e[2], e[1], e[0]);
	vcall(VMI_CALL_AllocatePage, 7, VMI_PAGE_PT | VMI_PAGE_PAE | VMI_PAGE_ZEROED, 0, 0, 0, 0);
	vcall(VMI_CALL_ReleasePage, 7, VMI_PAGE_PT | VMI_PAGE_PAE, 0, 0, 0, 0);
	vcall(VMI_CALL_AllocatePage, 8, VMI_PAGE_PT | VMI_PAGE_ZEROED, 0, 0, 0, 0);
	CHECK(rd->counters[VMI_COUNT_PAE_PAGES] == pages + 2, "PAE pages counted %u times",
	      rd->counters[VMI_COUNT_PAE_PAGES] - pages);
}

static void t_apic_and_time(void)
{
	test = "apic/time";
	apic[0x30 / 4] = 0x50014;
	vcall(VMI_CALL_APICRead, 0x30, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] == 0x50014, "APIC read %#x", h_out[EAX]);
	vcall(VMI_CALL_APICWrite, 0x280, 0x1234, 0, 0, 0, 0);
	CHECK(apic[0x280 / 4] == 0x1234, "APIC write");
	apic[0x310 / 4] = 9u << 24;     /* a SIPI to APIC id 9, which has no state */
	vcall(VMI_CALL_APICWrite, 0x300, 0x4610, 0, 0, 0, 0);
	CHECK(apic[0x300 / 4] == 0x4610, "ICR write");
	rd->tsc_hz = 2000000000ull;
	rd->apic_mult = 0x08000000;     /* 1/32 count per cycle */
	vcall(VMI_CALL_GetCycleFrequency, 0, 0, 0, 0, 0, OUT(EAX) | OUT(EDX));
	CHECK(h_out[EAX] == 2000000000u && h_out[EDX] == 0, "frequency");
	vcall(VMI_CALL_GetCycleCounter, VMI_CYCLES_STOLEN, 0, 0, 0, 0, OUT(EAX) | OUT(EDX));
	CHECK(h_out[EAX] == 0 && h_out[EDX] == 0, "stolen");
	apic[0x320 / 4] = 0x100ef;
	vcall(VMI_CALL_SetAlarm, VMI_ALARM_WIRED_LVTT | VMI_ALARM_IS_PERIODIC, 0, 0, 3200000, 1, 0);
	CHECK(apic[0x320 / 4] == (0xef | 1u << 17) && apic[0x3e0 / 4] == 3 &&
	      apic[0x380 / 4] == (u32)((3200000 + (1ull << 32)) >> 5), "periodic: lvtt %#x count %u",
	      apic[0x320 / 4], apic[0x380 / 4]);
	vcall(VMI_CALL_SetAlarm, VMI_ALARM_WIRED_LVTT, 0, 0, 0, 0, 0);
	CHECK(apic[0x320 / 4] == 0xef && apic[0x380 / 4] == 1, "one-shot in the past: count %u", apic[0x380 / 4]);
	vcall(VMI_CALL_CancelAlarm, VMI_ALARM_WIRED_LVTT, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] == 0 && apic[0x320 / 4] == 0x100ef && apic[0x380 / 4] == 0, "cancel");
	vcall(VMI_CALL_WallclockUpdated, 0, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] == 0, "WallclockUpdated");
	vcall(VMI_CALL_GetCounters, 0, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] == (u32)rd->counters, "counters at %#x", h_out[EAX]);
	CHECK(rd->counters[VMI_COUNT_ALARM_PERIODIC] == 1, "periodic alarms counted");
}

static void t_ap_state(void)
{
	struct vmi_ap_state s;

	test = "ap state";
	memset(&s, 0x5c, sizeof(s));
	s.cs = 0x10, s.idtr_base = 0x12345678, s.idtr_limit = 0x7ff;
	vcall(VMI_CALL_SetInitialAPState, (u32)&s, 3, 0, 0, 0, 0);
	CHECK(!memcmp(&rd->ap[3].s, &s, sizeof(s)) && rd->ap[3].valid == 1, "slot 3");
	CHECK(rd->ap[3].idt_base == 0x12345678 && rd->ap[3].idt_limit == 0x7ff, "lidt operand");
	CHECK(rd->ap[3].far_cs == 0x10 && rd->ap[3].far_eip > (u32)base && rd->ap[3].far_eip < (u32)base + len,
	      "ljmp operand");
	vcall(VMI_CALL_SetInitialAPState, (u32)&s, 3, 0, 0, 0, 0);
	vcall(VMI_CALL_SetInitialAPState, (u32)&s, 300, 0, 0, 0, 0);
	CHECK(rd->ap_stored == 1, "%u states stored", rd->ap_stored);
}

/* Writes to the SIPI page once it is read-only: counted, then allowed. */
static u8 *sipi_page;
static volatile int page_writes;

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	if (!sipi_page || (u8 *)si->si_addr < sipi_page || (u8 *)si->si_addr >= sipi_page + 4096)
		abort();
	page_writes++;
	mprotect(sipi_page, 4096, PROT_READ | PROT_WRITE);
}

/* A page below 1 MiB for the SIPI vector, as the kernel would reserve. */
static u32 map_sipi_page(void)
{
	for (u32 v = 0x9f; v >= 0x10; v--) {
		void *p = mmap((void *)(v << 12), 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == (void *)(v << 12)) {
			sipi_page = p;
			return v;
		}
		if (p != MAP_FAILED)
			munmap(p, 4096);
	}
	return 0;
}

/* The lgdt operand the trampoline's real-mode code reads (66 0F 01 16 disp16). */
static bool gdt_pointer_ok(const u8 *page, u32 base)
{
	for (u32 i = 0; i + 6 <= 32; i++) {
		if (memcmp(page + i, "\x66\x0f\x01\x16", 4))
			continue;
		u16 off, limit;
		u32 gdt;
		memcpy(&off, page + i + 4, 2);
		memcpy(&limit, page + off, 2);
		memcpy(&gdt, page + off + 2, 4);
		/* flat code and data, accessed bits set: the CPU never writes them */
		static const u8 descs[16] = { 0xff, 0xff, 0, 0, 0, 0x9b, 0xcf, 0,
					      0xff, 0xff, 0, 0, 0, 0x93, 0xcf, 0 };
		return limit == 0x17 && gdt >= base && gdt + 24 <= base + 4096 &&
		       !memcmp((u8 *)(uintptr_t)gdt + 8, descs, 16);
	}
	return false;
}

/*
 * A STARTUP IPI installs the trampoline in the SIPI page, complete (its
 * GDT pointer holds the page base); the second round of SIPIs, sent while
 * APs may be running the page, must not write it at all.
 */
static void t_sipi(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO | SA_ONSTACK };
	static u8 altstack[16384];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	u32 v = map_sipi_page(), sipi = 0x4600, writes = rd->counters[VMI_COUNT_TRAMP_WRITES];

	test = "sipi";
	if (!v) {
		printf("SKIP: sipi: no page below 1 MiB could be mapped for the SIPI vector\n");
		skipped++;
		return;
	}
	sigaltstack(&ss, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	memset(sipi_page, 0xcc, 4096);
	apic[0x310 / 4] = 3u << 24;     /* APIC id 3 has a state (t_ap_state) */
	vcall(VMI_CALL_APICWrite, 0x300, 0xc500, 0, 0, 0, 0);  /* an INIT */
	CHECK(sipi_page[0] == 0xcc, "INIT wrote the page");
	vcall(VMI_CALL_APICWrite, 0x300, sipi | v, 0, 0, 0, 0);
	CHECK(apic[0x300 / 4] == (sipi | v), "ICR %#x", apic[0x300 / 4]);
	CHECK(sipi_page[0] == 0xfa && gdt_pointer_ok(sipi_page, v << 12),
	      "trampoline at %#x not installed with the page's GDT", v << 12);
	CHECK(rd->counters[VMI_COUNT_TRAMP_WRITES] == writes + 1, "page written %u times",
	      rd->counters[VMI_COUNT_TRAMP_WRITES] - writes);

	/* The second round, as the kernel sends it to APs not yet in C. */
	mprotect(sipi_page, 4096, PROT_READ);
	vcall(VMI_CALL_APICWrite, 0x300, sipi | v, 0, 0, 0, 0);
	vcall(VMI_CALL_APICWrite, 0x300, sipi | v | 3u << 18, 0, 0, 0, 0);     /* all but self */
	CHECK(page_writes == 0, "a second SIPI wrote the page %d time(s)", page_writes);
	CHECK(rd->counters[VMI_COUNT_TRAMP_WRITES] == writes + 1, "second SIPI counted a write");

	/* A page someone else changed is put right again. */
	mprotect(sipi_page, 4096, PROT_READ | PROT_WRITE);
	sipi_page[0x20] ^= 0xff;
	vcall(VMI_CALL_APICWrite, 0x300, sipi | v, 0, 0, 0, 0);
	CHECK(gdt_pointer_ok(sipi_page, v << 12) && rd->counters[VMI_COUNT_TRAMP_WRITES] == writes + 2,
	      "a changed page was not reinstalled");
	/* A SIPI to an APIC id without a state leaves the page alone. */
	memset(sipi_page, 0xcc, 4096);
	apic[0x310 / 4] = 9u << 24;
	vcall(VMI_CALL_APICWrite, 0x300, sipi | v, 0, 0, 0, 0);
	CHECK(sipi_page[0] == 0xcc, "SIPI for an APIC id without a state wrote the page");
	signal(SIGSEGV, SIG_DFL);
	munmap(sipi_page, 4096);
	sipi_page = NULL;
}

/* The disp32 of the first `op ModRM=0x80|reg<<3 disp32(%eax)` in the first
 * 16 bytes of f: where APICRead/APICWrite keep the APIC page's address. */
static u8 *apic_disp(const u8 *f, u8 op, u8 modrm)
{
	for (int i = 0; f && i < 16; i++)
		if (f[i] == op && f[i + 1] == modrm)
			return (u8 *)f + i + 2;
	return NULL;
}


/* What VMI_Init (privileged: rdmsr) does with the APIC base: the data
 * area's copy, and the immediate of APICRead and APICWrite. */
static void set_apic(u32 *page)
{
	u32 a = (u32)page;
	u8 *r, *w;

	rd->apic_base = a;
	r = apic_disp(fn(VMI_CALL_APICRead), 0x8b, 0x80);       /* mov disp32(%eax), %eax */
	w = apic_disp(fn(VMI_CALL_APICWrite), 0x89, 0x90);      /* mov %edx, disp32(%eax) */
	if (!r || !w) {
		printf("harness: APICRead/APICWrite have no disp32 access to the APIC page\n");
		exit(1);
	}
	memcpy(r, &a, 4);
	memcpy(w, &a, 4);
}

/*
 * Without counting mode, GetRelocationInfo gives routines that count
 * nothing and are the raw instruction plus ret: the whole cost of a
 * patched hot op is call + instruction + ret.
 */
static void t_fast(void)
{
	static const struct { u32 call; u8 len; u8 code[8]; } raw[] = {
		{ VMI_CALL_DisableInterrupts, 2, { 0xfa, 0xc3 } },
		{ VMI_CALL_EnableInterrupts, 2, { 0xfb, 0xc3 } },
		{ VMI_CALL_GetInterruptMask, 3, { 0x9c, 0x58, 0xc3 } },
		{ VMI_CALL_SetInterruptMask, 3, { 0x50, 0x9d, 0xc3 } },
		{ VMI_CALL_GetCR2, 4, { 0x0f, 0x20, 0xd0, 0xc3 } },
		{ VMI_CALL_GetCR3, 4, { 0x0f, 0x20, 0xd8, 0xc3 } },
		{ VMI_CALL_RDTSC, 3, { 0x0f, 0x31, 0xc3 } },
		{ VMI_CALL_APICRead, 7, { 0x8b, 0x80, 0, 0, 0, 0, 0xc3 } },
	};
	u32 before[VMI_NCALLS];

	test = "fast";
	rd->counting = 0;
	memcpy(before, rd->counters, sizeof(before));
	for (u32 i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		u8 *f = fn(raw[i].call), code[8];
		memcpy(code, raw[i].code, sizeof(code));
		if (raw[i].call == VMI_CALL_APICRead)
			memcpy(code + 2, &(u32){ (u32)apic }, 4);
		CHECK(f && !memcmp(f, code, raw[i].len), "call %u is not its raw instruction and ret", raw[i].call);
	}
	apic[0x30 / 4] = 0x50014;
	call(fn(VMI_CALL_APICRead), 0x30, 0, 0, 0, 0, OUT(EAX));
	CHECK(h_out[EAX] == 0x50014, "APIC read %#x", h_out[EAX]);
	call(fn(VMI_CALL_GetInterruptMask), 0, 0, 0, 0, 0, OUT(EAX));
	call(fn(VMI_CALL_SetInterruptMask), h_out[EAX], 0, 0, 0, 0, 0);
	call(fn(VMI_CALL_CPUID), 0, 0, 0, 0, 0, OUT(EAX) | OUT(EBX) | OUT(ECX) | OUT(EDX));
	call(fn(VMI_CALL_APICWrite), 0x280, 7, 0, 0, 0, 0);
	CHECK(apic[0x280 / 4] == 7, "APIC write");
	CHECK(!memcmp(before, rd->counters, sizeof(before)), "a call counted without counting mode");
	rd->counting = 1;
	u8 *counted = fn(VMI_CALL_APICRead);
	rd->counting = 0;
	CHECK(counted != fn(VMI_CALL_APICRead), "counting and fast mode give the same APICRead");
	rd->counting = 1;
}

static void load(const char *file)
{
	static u8 img[0x10000];
	FILE *f = fopen(file, "rb");
	u32 n = f ? (u32)fread(img, 1, sizeof(img), f) : 0, data;
	u8 *map;

	if (f)
		fclose(f);
	if (n < 512 || img[2] * 512u != n) {
		printf("harness: %s: not a built ROM\n", file);
		exit(1);
	}
	len = n;
	memcpy(&data, img + VMI_EXT_DATA_SIZE_OFF, 4);
	map = mmap(NULL, 0x40000, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED || data < sizeof(struct rom_data)) {
		printf("harness: no memory, or data_size %u too small\n", data);
		exit(1);
	}
	base = map + 0x800;             /* 2 KiB aligned, not 4: any copy must work */
	memcpy(base, img, len);
	rd = (struct rom_data *)(base + len);
	set_apic(apic);
	rd->counting = 1;               /* as VMI_Init does for VMI_EXT_INIT_COUNT */
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--probe")) {
		puts("harness: probe ok");      /* harness-run.sh: this host runs us */
		return 0;
	}
	load(argc > 1 ? argv[1] : "build/vmi.rom");
	printf("[==========] vmirom_calls: running the ROM at %p\n", (void *)base);
	t_relocations();
	t_cpu();
	t_lazy();
	t_pae();
	t_apic_and_time();
	t_ap_state();
	t_sipi();
	t_fast();
	printf("harness: deepest stack use %u bytes (limit 256)\n", max_depth);
	printf("[==========] %d test(s) run.\n", run);
	if (failed) {
		printf("[  FAILED  ] %d test(s), listed above:\n[  FAILED  ] harness\n", failed);
		return 1;
	}
	printf("[  PASSED  ] %d test(s).\n", run);
	if (skipped)
		printf("[  SKIPPED ] %d test(s)\n", skipped);
	return 0;
}
