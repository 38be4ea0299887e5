/* AP start of the VMI ROM: SetInitialAPState slots and the STARTUP IPI redirected to the ROM trampoline (docs/vmi-rom.md "Starting APs"). */
#include "romio.h"

extern u8 tramp_start[], tramp_end[], tramp_gdt[], tramp_gdtr[], tramp_far32[];
extern u8 tramp_pm32[], tramp_rom_entry[], tramp_data[], ap_entry32[], ap_paged[];

#define ICR_DELIVERY(icr)       (((icr) >> 8) & 7)
#define ICR_STARTUP             6
#define ICR_SHORTHAND(icr)      (((icr) >> 18) & 3)
#define ICR_ALL_BUT_SELF        3

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

static void put32(u8 *page, const u8 *field, u32 v)
{
	*(u32 *)(page + (field - tramp_start)) = v;
}

/* The trampoline into the SIPI page, with where it is and where we are. */
static void install_trampoline(u32 vector)
{
	u8 *page = (u8 *)(vector << 12);
	u32 base = (u32)page;

	rom_copy(page, tramp_start, (u32)(tramp_end - tramp_start));
	put32(page, tramp_gdtr + 2, base + (u32)(tramp_gdt - tramp_start));
	put32(page, tramp_far32, base + (u32)(tramp_pm32 - tramp_start));
	put32(page, tramp_rom_entry, (u32)ap_entry32);
	put32(page, tramp_data, (u32)&rom_data);
	asm volatile("" : : : "memory");
}

/* Called before every ICR low write: is it a SIPI for a CPU we start? */
void rom_icr_low(u32 icr)
{
	bool ours;

	if (ICR_DELIVERY(icr) != ICR_STARTUP)
		return;
	if (ICR_SHORTHAND(icr) == 0)
		ours = rom_data.ap[apic_read(APIC_ICR_HIGH) >> 24].valid;
	else
		ours = ICR_SHORTHAND(icr) == ICR_ALL_BUT_SELF && rom_data.ap_stored;
	if (ours)
		install_trampoline(icr & 0xff);
}
