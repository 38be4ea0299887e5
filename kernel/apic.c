/*
 * Interrupt controllers: the firmware's CPU/IO-APIC list (ACPI MADT, MP
 * table fallback), the 8259 PICs masked, the local APIC enabled on every
 * CPU and every IO-APIC pin masked.  Local APIC access goes through the
 * table's apic ops; the IO-APIC is not in the table and is reached by MMIO.
 */
#include "apic.h"
#include "cpu.h"
#include "mm.h"
#include "trap.h"
#include "time.h"
#include "paravirt_native.h"

u32 apic_base = APIC_DEFAULT_BASE;
struct smp_config smp_cfg;

/*
 * Every PC BIOS stores the base memory size (KiB, what INT 12h returns) in
 * its data area at 0x413; UEFI without a compatibility module leaves the
 * area zero.
 */
static bool legacy_bios_ran(void)
{
	u16 base_kib = 0;

	return phys_read(NULL, 0x413, &base_kib, 2) && base_kib != 0;
}

/* A machine with no tables: just us, on the default APIC; say why. */
static void config_single_cpu(bool have_rsdp)
{
	unsigned a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	memset(&smp_cfg, 0, sizeof(smp_cfg));
	smp_cfg.lapic_addr = APIC_DEFAULT_BASE;
	smp_cfg.ncpus = 1;
	smp_cfg.cpu[0].apic_id = b >> 24;
	smp_cfg.cpu[0].enabled = 1;
	smp_cfg.pic_present = true;
	if (!have_rsdp && boot_info->firmware == PVFW_MULTIBOOT && !legacy_bios_ran())
		kprintf("smp: Multiboot 1 under UEFI carries no ACPI RSDP; boot with multiboot2 for all CPUs "
			"(no BIOS data area, so no BIOS tables: running on the boot CPU only)\n");
	else
		kprintf("smp: no ACPI MADT and no MP table; running on the boot CPU only\n");
}

static void print_config(void)
{
	u32 enabled = 0;

	for (u32 i = 0; i < smp_cfg.ncpus; i++)
		enabled += smp_cfg.cpu[i].enabled;
	kprintf("smp: %s lists %u CPUs (%u enabled), %u IO-APIC(s), %u override(s), local APIC at %#x\n",
		smp_cfg.source == SMP_SRC_ACPI ? "ACPI MADT" : "MP table",
		smp_cfg.ncpus, enabled, smp_cfg.nioapic, smp_cfg.noverride,
		smp_cfg.lapic_addr);
}

/*
 * The RSDP, first source that has one: the address a pvboot loader found
 * (UEFI configuration table, or its own BIOS-area scan), the copy a
 * Multiboot 2 loader handed over (in boot_info, so identity-mapped kernel
 * memory), else our scan of the EBDA and BIOS ROM area.  Logs the source.
 */
static u64 find_rsdp(void)
{
	u64 rsdp = boot_info->acpi_rsdp;
	const char *from = "handed over by the loader";

	if (boot_info->acpi_rsdp_copy_len > PVBOOT_RSDP_COPY_MAX) {
		kprintf("acpi: the loader's RSDP copy claims %u bytes, more than the %u it has room for; ignored\n",
			boot_info->acpi_rsdp_copy_len, PVBOOT_RSDP_COPY_MAX);
		boot_info->acpi_rsdp_copy_len = 0;
	}
	if (!rsdp && boot_info->acpi_rsdp_copy_len) {
		rsdp = (u32)boot_info->acpi_rsdp_copy;
		from = boot_info->acpi_rsdp_copy_len > 20 ?
		       "the loader's copy from the Multiboot 2 ACPI 2.0 tag" :
		       "the loader's copy from the Multiboot 2 ACPI 1.0 tag";
	}
	if (!rsdp) {
		rsdp = acpi_find_rsdp(phys_read, NULL, console_warn_cb, NULL);
		from = "found in the BIOS area";
	}
	if (rsdp)
		kprintf("acpi: RSDP at %#llx (%s)\n", rsdp, from);
	else
		kprintf("acpi: no RSDP: the loader handed none over and the BIOS area has none\n");
	return rsdp;
}

static void smp_config_from_firmware(void)
{
	u64 rsdp = find_rsdp();

	boot_info->acpi_rsdp = rsdp;
	if (!(rsdp && acpi_parse_madt_from_rsdp(rsdp, phys_read, NULL, &smp_cfg,
						 console_warn_cb, NULL) == 0) &&
	    mptable_find_and_parse(phys_read, NULL, &smp_cfg, console_warn_cb, NULL) != 0)
		config_single_cpu(rsdp != 0);
	else
		print_config();
}

static void map_apic(void)
{
	/* The backend set apic_base before patching (native: from the APIC
	 * base MSR, which is what the CPU decodes); the tables only confirm.
	 * 0: the backend has no local APIC, so there is no page to map. */
	if (!apic_base) {
		kprintf("apic: the %s backend has no local APIC; none mapped\n", pv_name());
		return;
	}
	if (smp_cfg.lapic_addr && smp_cfg.lapic_addr != apic_base)
		kprintf("apic: firmware tables say the local APIC is at %#x, the CPU says %#x; using %#x\n",
			smp_cfg.lapic_addr, apic_base, apic_base);
	map_mmio(apic_base, PAGE_SIZE);
	for (u32 i = 0; i < smp_cfg.nioapic; i++)
		map_mmio(smp_cfg.ioapic[i].addr, PAGE_SIZE);
}

void smp_config_init(void)
{
	if (smp_cfg.source == SMP_SRC_BACKEND) {
		kprintf("smp: the %s backend lists %u CPUs (its host's vCPUs); no firmware tables read\n",
			pv_name(), smp_cfg.ncpus);
	} else
		smp_config_from_firmware();
	map_apic();
}

/* ---- 8259 ---------------------------------------------------------------- */

static void pic_mask_all(void)
{
	/* ICW1-4: remap to 0x20/0x28 so a stray IRQ is not taken as an
	 * exception, then mask every line: all interrupts come via APICs. */
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, 0x20); outb(0xa1, 0x28);
	outb(0x21, 0x04); outb(0xa1, 0x02);
	outb(0x21, 0x01); outb(0xa1, 0x01);
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

/* ---- IO-APIC ------------------------------------------------------------- */

static u32 ioapic_read(unsigned idx, u32 reg)
{
	volatile u32 *base = (volatile u32 *)smp_cfg.ioapic[idx].addr;
	base[IOAPIC_REGSEL / 4] = reg;
	return base[IOAPIC_WIN / 4];
}

static void ioapic_write(unsigned idx, u32 reg, u32 v)
{
	volatile u32 *base = (volatile u32 *)smp_cfg.ioapic[idx].addr;
	base[IOAPIC_REGSEL / 4] = reg;
	base[IOAPIC_WIN / 4] = v;
}

u32 ioapic_pins(unsigned idx)
{
	return ((ioapic_read(idx, IOAPIC_VER) >> 16) & 0xff) + 1;
}

static void ioapic_init(void)
{
	for (u32 i = 0; i < smp_cfg.nioapic; i++) {
		u32 pins = ioapic_pins(i);
		for (u32 p = 0; p < pins; p++) {
			u32 gsi = smp_cfg.ioapic[i].gsi_base + p;
			ioapic_write(i, IOAPIC_REDTBL(p), APIC_LVT_MASKED | ((VEC_IRQ_BASE + gsi) & 0xff));
			ioapic_write(i, IOAPIC_REDTBL(p) + 1, 0);
		}
		kprintf("ioapic: id %u at %#x, GSI %u-%u, all pins masked\n",
			smp_cfg.ioapic[i].id, smp_cfg.ioapic[i].addr,
			smp_cfg.ioapic[i].gsi_base, smp_cfg.ioapic[i].gsi_base + pins - 1);
	}
}

/* ---- local APIC ---------------------------------------------------------- */

static void apic_error(struct trapframe *tf)
{
	apic_write(APIC_ESR, 0);
	kprintf("apic: cpu %u error, ESR %#lx\n", this_cpu()->id, apic_read(APIC_ESR));
	lapic_eoi();
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

u32 lapic_id(void)
{
	return apic_read(APIC_ID) >> 24;
}

void lapic_init(bool bsp)
{
	apic_write(APIC_SVR, APIC_SVR_ENABLE | VEC_SPURIOUS);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_ERROR, VEC_APIC_ERROR);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, bsp ? 0x400 : APIC_LVT_MASKED);  /* NMI */
	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED);
	apic_write(APIC_ESR, 0);
	apic_write(APIC_ESR, 0);
	lapic_eoi();
}

bool send_ipi(u32 apicid, u32 icr_low)
{
	for (u32 i = 0; apic_read(APIC_ICR_LO) & APIC_ICR_BUSY; i++) {
		if (i > 1000000)
			return false;
		cpu_relax();
	}
	apic_write(APIC_ICR_HI, apicid << 24);
	apic_write(APIC_ICR_LO, icr_low);
	return true;
}

void native_init_IRQ(void)
{
	pic_mask_all();
	trap_set_handler(VEC_APIC_ERROR, apic_error);
	lapic_init(true);
	ioapic_init();
	kprintf("apic: boot CPU APIC id %u, version %#lx\n", lapic_id(),
		apic_read(APIC_VERSION) & 0xff);
}
