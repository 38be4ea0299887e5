/* The lguest host's checks on what a guest hands it, as pure functions
 * (lib/lguest_check.c) so the host unit tests and fuzz targets can drive
 * them.  Every function works on host-owned copies: the caller reads each
 * guest value once, then checks and uses that copy. */
#ifndef PVBOOT_LGUEST_CHECK_H
#define PVBOOT_LGUEST_CHECK_H
#include "pvboot/types.h"
#include "pvboot/lguest.h"
#include "pvboot/x86.h"

/* [gpa, gpa+len) lies inside guest memory of `size` bytes. */
static inline bool lgc_gpa_ok(u32 size, u32 gpa, u32 len)
{
	return gpa < size && len <= size - gpa;
}

/*
 * A guest pte → the shadow pte: host-physical (base + gpa), only P, W,
 * U, PWT, PCD, A, D kept (never G); 0 and *refused set when the page is
 * outside guest memory.  Inline: it runs for every pte the host shadows.
 */
static inline u32 lgc_translate_pte(u32 base, u32 size, u32 gpte, bool *refused)
{
	u32 keep = PTE_P | PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_A | PTE_D;
	u32 gpa = gpte & ~0xfffu;

	if (!(gpte & PTE_P))
		return 0;
	if (!lgc_gpa_ok(size, gpa, PAGE_SIZE)) {
		*refused = true;
		return 0;
	}
	return (base + gpa) | (gpte & keep);
}

/*
 * The linear addresses a code/data descriptor lets a program touch
 * (Intel SDM vol. 3 §3.4.5 and §5.3): expand-up [base, base + limit],
 * expand-down [base + limit + 1, base + 0xFFFF or 0xFFFFFFFF by the B
 * flag], the limit scaled by G.  As 64-bit numbers: a range that runs
 * past 4 GiB wraps to 0 on the CPU.  False if no offset is valid.
 */
bool lgc_desc_reach(u32 lo, u32 hi, u64 *first, u64 *last);

/*
 * A GDT entry the guest asks for, made safe in place: slot 0, the LDT
 * slot and slots >= nslots refused; the TSS slot and a not-present slot 0
 * ignored (returns 1);
 * system descriptors refused; DPL 0 raised to 1; an expand-up segment
 * reaching `hole` (or wrapping past 4 GiB) clamped below it (refused if
 * its base is inside); an expand-down segment refused unless all it
 * reaches lies below the hole; accessed bit set on present descriptors.
 * 0 = accept, 1 = ignore, -1 = refuse; *why says what was wrong.
 */
int lgc_check_descriptor(u32 index, u32 *lo, u32 *hi, u32 nslots,
			 u32 tss_slot, u32 ldt_slot, u32 hole, const char **why);

/* What a selector is about to be loaded as (by the switcher's iret). */
enum lgc_role { LGC_CS, LGC_SS, LGC_DATA };

/*
 * Would the CPU accept selector `sel` with descriptor (lo, hi) as `role`
 * when returning to privilege `cpl` (SDM vol. 2 IRET, "return to outer
 * privilege level")?  cs: code, present, RPL = cpl, DPL = RPL
 * (conforming: DPL <= RPL); ss: writable data, present, RPL = DPL = cpl;
 * data: data or readable code, present, non-conforming DPL >= max(cpl,
 * RPL).  The null selector and the LDT bit are the caller's business.
 * NULL if fine, else what is wrong.
 */
const char *lgc_selector_check(u32 sel, u32 lo, u32 hi, u32 cpl, enum lgc_role role);

/* Is offset `off` inside the code segment (lo, hi)? (expand-up only) */
bool lgc_code_offset_ok(u32 lo, u32 hi, u32 off);

/* A guest IDT entry: handler (0 if not present), selector, DPL, trap gate. */
struct lgc_gate {
	u32 handler;
	u16 sel;
	u8 dpl;
	u8 trap;
};
struct lgc_gate lgc_decode_gate(u32 lo, u32 hi);

/*
 * A gate the guest registers: not present is fine (clears the vector);
 * else a 32-bit interrupt or trap gate whose selector, as a ring-`cpl`
 * code segment (cs_lo, cs_hi: its descriptor in the guest-mode GDT),
 * passes lgc_selector_check and whose handler lies inside that segment.
 */
const char *lgc_gate_check(u32 lo, u32 hi, u32 cs_lo, u32 cs_hi, u32 cpl);

/*
 * Direct traps (docs/lguest.md "Direct traps"): the guest-mode IDT gate
 * for VEC_SYSCALL may point straight at the guest's ring-1 handler, so
 * int $0x80 from ring 3 reaches ring 1 with no exit, the CPU pushing its
 * frame at ss1:esp1 from the guest-mode TSS.  What that rests on, as the
 * host holds it now: its copy of the guest's gate, the descriptor the
 * gate's selector names, and the SET_STACK stack (ss1 0: none yet) with
 * the descriptor ss1 names (0, 0 where a selector names no guest slot).
 */
struct lgc_direct {
	struct lgc_gate gate;
	u32 cs_lo, cs_hi;
	u32 ss1, esp1, ss_lo, ss_hi;
};

/* The frame a trap from ring 3 pushes on the ring-1 stack: ss, esp,
 * eflags, cs, eip (no vector the host delivers directly has an error code). */
#define LGC_RING1_FRAME 20

/*
 * May the CPU push that frame below esp on stack segment (ss_lo, ss_hi)
 * unaided?  The bytes [base + esp - 20, base + esp) must lie below `hole`
 * without wrapping (linear addresses, whatever the limit says: QEMU's TCG
 * does not enforce data segment limits).
 */
bool lgc_ring1_stack_ok(u32 ss_lo, u32 ss_hi, u32 esp, u32 hole);

/*
 * NULL if `vector`'s gate may be direct, else why not: only VEC_SYSCALL;
 * a present 32-bit trap gate (an interrupt gate must clear the virtual
 * IF, which the CPU cannot do) of DPL 3; its selector a non-conforming
 * ring-1 code segment (a conforming one would run the handler in ring 3)
 * reaching nothing at or above `hole`, the handler inside its limit; a
 * SET_STACK done, ss1 a ring-1 stack segment and the frame below the hole.
 */
const char *lgc_direct_trap_check(u32 vector, const struct lgc_direct *d, u32 hole);

/* Highest vector set in pending and clear in blocked (256-bit maps), or
 * -1: a local APIC's order ("the higher the vector, the higher the
 * priority", SDM vol. 3 §11.8.3), so the kernel's IPIs (0xf1, 0xf2) go
 * before its timer (0xf0).  The host injects one vector per entry; the
 * other order let a timer due at every host tick starve an IPI to a vCPU
 * spinning without exits. */
int lgc_pending_vector(const u32 pending[8], const u32 blocked[8]);

/*
 * Can a vCPU that asks to halt ever be woken?  Only a virtual interrupt
 * wakes it, and only with its virtual IF on: something unblocked already
 * pending, an armed timer whose vector is unblocked, or the console
 * vector unblocked (input may arrive).
 */
bool lgc_halt_can_wake(u32 irq_enabled, const u32 pending[8], const u32 blocked[8],
		       bool timer_armed, u32 timer_vec, u32 console_vec);

/*
 * Guest text for a host log line: printable ASCII (0x20..0x7e) kept,
 * every other byte becomes '?', so a guest can neither start a line nor
 * hide characters.  dst gets at most size-1 bytes and a NUL; returns how
 * many bytes were replaced.
 */
u32 lgc_sanitise(char *dst, u32 size, const char *src, u32 n);
char lgc_printable(char c);

/*
 * Arguments of a synchronous or queued hypercall that can be checked
 * without host state: gpa ranges inside guest memory of `size` bytes,
 * alignment, vector and length bounds, the ring of SET_STACK's ss.
 * NULL = fine (stateful checks follow in the host), else the reason.
 * Unknown numbers return "unknown hypercall".
 */
const char *lgc_hcall_args(u32 nr, u32 a1, u32 a2, u32 a3, u32 size);

/* One queued call of the async ring, as the host copied it: the slot's
 * layout, so a run of slots is copied as one block. */
struct lgc_async {
	u32 call, arg1, arg2, arg3;
};
_Static_assert(sizeof(struct lgc_async) == 16, "an async slot is four words");

/*
 * Where one async ring lives: its status bytes (0xFF free, 0 queued,
 * anything else neither; 4-byte aligned), its slots (call, arg1, arg2,
 * arg3 each) and the guest's next slot.  All three are guest memory; the
 * ring may sit in any shared structure (today each vCPU's struct
 * lguest_vcpu).
 */
struct lgc_ring {
	u8 *status;
	const u32 *slots;
	const u32 *next;
};

/*
 * Take the queued calls (status 0) of ring r: copied once into out[]
 * (host memory), in ring order from *next (taken modulo the ring size),
 * and freed (status 0xFF) once copied; every other status byte is left
 * as it is.  Returns how many were queued.
 */
u32 lgc_async_take(const struct lgc_ring *r, struct lgc_async out[LG_ASYNC_SLOTS]);

/* The guest kernel image: what to copy where (guest-physical). */
struct lgc_load {
	u32 offset, paddr, filesz, memsz;
};
#define LGC_MAX_LOADS 8

/*
 * Plan loading an i386 ELF image of len bytes into guest memory of
 * guest_size bytes: every PT_LOAD inside the file and inside guest memory
 * at or above 1 MiB (below it the host keeps the boot info), at most
 * LGC_MAX_LOADS of them, and the entry inside a loaded segment.  NULL and
 * the plan, or what is wrong.
 */
const char *lgc_elf_plan(const u8 *img, u32 len, u32 guest_size,
			 struct lgc_load *out, u32 *n, u32 *entry);

#endif
