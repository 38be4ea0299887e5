/* AP start of the VMI ROM: SetInitialAPState slots and the STARTUP IPI redirected to the ROM trampoline (docs/vmi-rom.md "Starting APs"). */
#include "romio.h"

extern u8 tramp_start[], tramp_end[], tramp_gdt[], tramp_gdtr[], tramp_far32[];
extern u8 tramp_pm32[], tramp_rom_entry[], tramp_data[], ap_entry32[], ap_paged[];

void rom_set_ap_state(const struct vmi_ap_state *s, u32 apic_id)
{
	struct rom_ap_slot *slot;

	if (apic_id >= RD_NSLOTS)
		return;
	slot = &rom_data.ap[apic_id];
	rom_copy(&slot->s, s, sizeof(*s));
	/* lidt wants {limit, base}; the state has them the other way round. */
	slot->idt_limit = s->idtr_limit;
	slot->idt_base = s->idtr_base;
	slot->far_eip = (u32)ap_paged;
	slot->far_cs = s->cs;
	if (!__atomic_exchange_n(&slot->valid, 1, __ATOMIC_RELEASE))
		__atomic_fetch_add(&rom_data.ap_stored, 1, __ATOMIC_RELAXED);
}

static void put32(u8 *img, const u8 *field, u32 v)
{
	*(u32 *)(img + (field - tramp_start)) = v;
}

#define TRAMP_LEN ((u32)(tramp_end - tramp_start))
#define TRAMP_MAX 128           /* romtrampoline.S keeps it under this */

/* The complete trampoline for the page at base: code plus the fields that
 * depend on where it is and where the ROM copy is. */
static void build_trampoline(u8 *img, u32 base)
{
	rom_copy(img, tramp_start, TRAMP_LEN);
	put32(img, tramp_gdtr + 2, base + (u32)(tramp_gdt - tramp_start));
	put32(img, tramp_far32, base + (u32)(tramp_pm32 - tramp_start));
	put32(img, tramp_rom_entry, (u32)ap_entry32);
	put32(img, tramp_data, (u32)&rom_data);
}

static bool same(const u8 *a, const u8 *b, u32 n)
{
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/*
 * Put the trampoline into the SIPI page unless it is already there.  The
 * kernel sends a second STARTUP IPI to every AP that has not reached its C
 * entry yet, and such an AP may be executing this page right now: writing
 * it again, even with the same final bytes, would pass through the
 * template's unpatched fields (a GDT pointer without the page base), and
 * an AP reading one of them faults its way to a triple fault.  So the page
 * is written once per bring-up, before the first SIPI, and complete: the
 * image is built aside and copied only when the page differs.
 */
static void install_trampoline(u32 vector)
{
	u8 img[TRAMP_MAX];
	u8 *page = (u8 *)(vector << 12);

	build_trampoline(img, (u32)page);
	if (same(page, img, TRAMP_LEN))
		return;
	rom_copy(page, img, TRAMP_LEN);
	count(VMI_COUNT_TRAMP_WRITES);
	asm volatile("" : : : "memory");
}

/* Called before every ICR low write: is it a SIPI for a CPU we start? */
void rom_icr_low(u32 icr)
{
	u32 shorthand = icr & APIC_ICR_SHORTHAND;
	bool ours;

	if ((icr & APIC_ICR_MODE) != APIC_ICR_STARTUP)
		return;
	if (!shorthand)
		ours = rom_data.ap[apic_read(APIC_ICR_HI) >> 24].valid;
	else
		ours = shorthand == APIC_ICR_ALL_BUT_SELF && rom_data.ap_stored;
	if (ours)
		install_trampoline(icr & 0xff);
}
