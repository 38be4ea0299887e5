/* Environment detection and backend choice (docs/design.md §5) over injected CPUID and memory probes; VMI header checks per docs/abi-vmi.md. */
#include "pvboot/detect.h"
#include "pvboot/fmt.h"
#include "pvboot/string.h"

/* VMI 3.x ROM header offsets (struct vrom_header, packed). */
#define VROM_LENGTH     2       /* u8, 512-byte units */
#define VROM_SIGNATURE  8       /* "cVmi" */
#define VROM_API_MINOR  12
#define VROM_API_MAJOR  13
#define VROM_JUMP_SLOTS 14
#define VROM_LICENSE    22      /* u16 offset of a NUL-terminated string */
#define VROM_PCI        24      /* u16 offset of the PCI data structure */
#define VROM_SLOT_INIT  128     /* VMI_Init jump slot, 8 bytes */
#define VROM_SLOT_RELOC 136     /* VMI_GetRelocationInfo jump slot */
#define VROM_SLOT_SIZE  8
#define PCIR_LEN        24      /* PCI Firmware Spec 3.0 data structure */
#define LICENSE_MAX     64

static u16 get16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

static bool slot_empty(const u8 *s)
{
	bool zero = true, ones = true;

	for (int i = 0; i < VROM_SLOT_SIZE; i++) {
		zero &= s[i] == 0x00;
		ones &= s[i] == 0xff;
	}
	return zero || ones;
}

/* The license string: in bounds, printable and terminated in the ROM. */
static const char *check_license(phys_read_fn rd, void *ctx, u64 phys,
				 u32 off, u32 size)
{
	char s[LICENSE_MAX];
	u32 n = size - off < LICENSE_MAX ? size - off : LICENSE_MAX;

	if (!rd(ctx, phys + off, s, n))
		return "license string unreadable";
	for (u32 i = 0; i < n; i++) {
		if (!s[i])
			return i ? NULL : "license string is empty";
		if (s[i] < 0x20 || s[i] > 0x7e)
			return "license string holds non-printable bytes";
	}
	return "license string not terminated inside the ROM";
}

/* Checks after length and checksum: the VMI-specific fields. */
static int check_vmi_fields(phys_read_fn rd, void *ctx, u64 phys, const u8 *h,
			    u32 size, char *why, size_t wl)
{
	u32 pci = get16(h + VROM_PCI), lic = get16(h + VROM_LICENSE);
	u32 slots = h[VROM_JUMP_SLOTS];
	u8 pcir[4];
	const char *msg;

	if (memcmp(h + VROM_SIGNATURE, "cVmi", 4))
		return pv_snprintf(why, wl, "no \"cVmi\" at +8 (an ordinary option ROM)"), -1;
	if (h[VROM_API_MAJOR] != 3)
		return pv_snprintf(why, wl, "VMI API %u.%u, need major 3",
				   h[VROM_API_MAJOR], h[VROM_API_MINOR]), -1;
	if (!pci || pci + PCIR_LEN > size)
		return pv_snprintf(why, wl, "PCI header offset %#x outside the ROM's %u bytes", pci, size), -1;
	if (!rd(ctx, phys + pci, pcir, 4) || memcmp(pcir, "PCIR", 4))
		return pv_snprintf(why, wl, "no \"PCIR\" at PCI header offset %#x", pci), -1;
	if (!lic || lic >= size)
		return pv_snprintf(why, wl, "license offset %#x outside the ROM's %u bytes", lic, size), -1;
	if ((msg = check_license(rd, ctx, phys, lic, size)))
		return pv_snprintf(why, wl, "%s (offset %#x)", msg, lic), -1;
	if (slots && VROM_SLOT_INIT + slots * VROM_SLOT_SIZE > size)
		return pv_snprintf(why, wl, "%u jump slots run past the ROM's end", slots), -1;
	if (slot_empty(h + VROM_SLOT_INIT) || slot_empty(h + VROM_SLOT_RELOC))
		return pv_snprintf(why, wl, "VMI_Init or GetRelocationInfo jump slot is empty"), -1;
	return 0;
}

int vmi_rom_validate(phys_read_fn rd, void *ctx, u64 phys, u32 *size,
		     char *why, size_t wl)
{
	u8 h[VMI_HEADER_LEN];
	u8 sum;

	if (!rd(ctx, phys, h, 2))
		return pv_snprintf(why, wl, "unreadable"), -1;
	if (h[0] != 0x55 || h[1] != 0xaa)
		return pv_snprintf(why, wl, "no 55 AA option-ROM signature"), -1;
	if (!rd(ctx, phys, h, 3))
		return pv_snprintf(why, wl, "unreadable"), -1;
	*size = h[VROM_LENGTH] * 512u;
	if (*size < VMI_HEADER_LEN)
		return pv_snprintf(why, wl, "length %u bytes is shorter than the %u-byte VMI header",
				   *size, VMI_HEADER_LEN), -1;
	if (phys + *size > VMI_SCAN_END)
		return pv_snprintf(why, wl, "length %u runs past %#x", *size, VMI_SCAN_END), -1;
	if (!rd(ctx, phys, h, VMI_HEADER_LEN) || !phys_checksum(rd, ctx, phys, *size, &sum))
		return pv_snprintf(why, wl, "unreadable"), -1;
	if (sum)
		return pv_snprintf(why, wl, "checksum is %#x, not 0", sum), -1;
	return check_vmi_fields(rd, ctx, phys, h, *size, why, wl);
}

static void dlog(const struct detect_io *io, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void dlog(const struct detect_io *io, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	if (!io->log)
		return;
	va_start(ap, fmt);
	pv_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	io->log(io->log_ctx, line);
}

/* Walk 0xC0000-0xDFFFF; the first valid VMI ROM wins. */
static void scan_roms(const struct detect_io *io, struct detect_result *r)
{
	char why[96];
	u8 sig[3];

	for (u32 a = VMI_SCAN_START; a < VMI_SCAN_END; a += VMI_SCAN_STEP) {
		u32 size = 0;

		if (!io->read(io->read_ctx, a, sig, 3) || sig[0] != 0x55 || sig[1] != 0xaa)
			continue;
		if (!vmi_rom_validate(io->read, io->read_ctx, a, &size, why, sizeof(why))) {
			r->vmi_rom_phys = a;
			r->vmi_rom_size = size;
			dlog(io, "detect: VMI ROM at %#x, %u bytes: valid", a, size);
			return;
		}
		r->roms_rejected++;
		dlog(io, "detect: ROM at %#x rejected: %s", a, why);
		/* Skip the rest of a plausible ROM: its body is not a candidate. */
		if (sig[2] && a + sig[2] * 512u <= VMI_SCAN_END)
			a += (sig[2] * 512u - 1) / VMI_SCAN_STEP * VMI_SCAN_STEP;
	}
}

static void read_hypervisor(const struct detect_io *io, struct detect_result *r)
{
	u32 regs[4];

	io->cpuid(io->cpuid_ctx, 1, regs);
	if (!(regs[2] & (1u << 31))) {
		dlog(io, "detect: cpuid hypervisor bit clear");
		return;
	}
	io->cpuid(io->cpuid_ctx, 0x40000000, regs);
	memcpy(r->hv_signature, &regs[1], 12);
	r->hv_signature[12] = '\0';
	for (int i = 0; i < 12; i++)            /* shown in logs: keep it text */
		if (r->hv_signature[i] && (r->hv_signature[i] < 0x20 || r->hv_signature[i] > 0x7e))
			r->hv_signature[i] = '?';
	dlog(io, "detect: cpuid hypervisor signature \"%s\"", r->hv_signature);
}

static u32 env_of_signature(const char *sig)
{
	if (!sig[0])
		return PVENV_BARE;
	if (!strcmp(sig, "TCGTCGTCGTCG"))
		return PVENV_TCG;
	if (!strcmp(sig, "KVMKVMKVM"))
		return PVENV_KVM;
	return PVENV_HV_OTHER;
}

void detect_probe(const struct detect_io *io, struct detect_result *r)
{
	char env[24];

	memset(r, 0, sizeof(*r));
	read_hypervisor(io, r);
	if (io->read)
		scan_roms(io, r);
	if (io->hardware_subarch == PVBOOT_SUBARCH_LGUEST) {
		r->env = PVENV_LGUEST;
		r->hc_flavour = 1;
	} else if (r->vmi_rom_phys) {
		r->env = PVENV_VMI;
	} else {
		r->env = env_of_signature(r->hv_signature);
	}
	detect_env_string(r->env, r->hv_signature, env, sizeof(env));
	dlog(io, "detect: env=%s%s", env,
	     io->hardware_subarch == PVBOOT_SUBARCH_LGUEST ? " (lguest boot signature)" : "");
}

void detect_env_string(u32 env, const char *sig, char *buf, size_t len)
{
	if (env == PVENV_HV_OTHER)
		pv_snprintf(buf, len, "hv:%s", sig);
	else
		pv_snprintf(buf, len, "%s", pv_env_name(env));
}

/*
 * Why backend id cannot run here, or NULL if it can: what was looked for
 * and not found, and in *todo what would make it run.  The one wording of
 * every pv= refusal, for the loaders and the kernel alike.  The image is
 * asked first: attaching a ROM cannot help a kernel without the backend.
 */
static const char *refusal(const struct detect_result *r, u32 id, u32 available,
			   const char **todo)
{
	if (id >= PV_BACKEND_MAX) {
		*todo = "name native, vmi, lguest or auto";
		return "no backend has that id";
	}
	if (!(available & (1u << id))) {
		*todo = "boot a kernel image built with it";
		return "this kernel image has no such backend";
	}
	if (id == PV_VMI && !r->vmi_rom_phys) {
		*todo = "attach one (-option-rom build/vmi.rom)";
		return "looked for a VMI ROM (55 AA + \"cVmi\") in 0xC0000-0xDFFFF: none valid";
	}
	if (id == PV_LGUEST && r->env != PVENV_LGUEST) {
		*todo = "boot it as the guest of host=lguest";
		return "looked for the lguest boot signature (hardware_subarch): not set";
	}
	return NULL;
}

/* What detection alone picks, with the reason; an environment this
 * kernel image cannot use is said through log. */
static void choose_auto(const struct detect_result *r, u32 available,
			struct backend_choice *c, cmd_warn_fn log, void *ctx)
{
	u32 want = r->env == PVENV_LGUEST ? PV_LGUEST : r->env == PVENV_VMI ? PV_VMI : PV_NATIVE;

	c->backend = PV_NATIVE;
	if (want == PV_NATIVE) {
		pv_snprintf(c->reason, sizeof(c->reason), "no paravirtual interface we speak: native");
	} else if (available & (1u << want)) {
		c->backend = want;
		pv_snprintf(c->reason, sizeof(c->reason), "%s environment detected", pv_backend_name(want));
	} else {
		c->fallback = 1;
		pv_snprintf(c->reason, sizeof(c->reason),
			    "%s environment detected but the kernel has no %s backend: native",
			    pv_backend_name(want), pv_backend_name(want));
		pv_warnf(log, ctx, "pv: %s; to use it, boot a kernel built with it", c->reason);
	}
}

void detect_choose(const struct detect_result *r, u32 requested, u32 available,
		   struct backend_choice *c, cmd_warn_fn log, void *ctx)
{
	const char *why, *todo = NULL;
	char name[16];

	memset(c, 0, sizeof(*c));
	c->requested = requested;
	if (requested == PV_AUTO) {
		choose_auto(r, available, c, log, ctx);
		return;
	}
	why = refusal(r, requested, available, &todo);
	if (!why) {
		c->backend = requested;
		c->forced = 1;
		pv_snprintf(c->reason, sizeof(c->reason), "forced by pv=%s", pv_backend_name(requested));
		return;
	}
	if (requested < PV_BACKEND_MAX)
		pv_snprintf(name, sizeof(name), "%s", pv_backend_name(requested));
	else
		pv_snprintf(name, sizeof(name), "%u", requested);
	pv_warnf(log, ctx, "pv: pv=%s refused: %s; %s; detection decides", name, why, todo);
	choose_auto(r, available, c, log, ctx);
	c->fallback = 1;
	pv_snprintf(c->reason, sizeof(c->reason), "pv=%s refused: %s", name, why);
}

u32 backend_list_mask(const struct pvboot_backend_list *l, char *why, size_t wl)
{
	u32 mask = 0;

	if (l->magic != PVBOOT_BACKENDS_MAGIC || l->version != 1)
		return pv_snprintf(why, wl, "backend list has a bad magic or version"), 0;
	if (!l->count || l->count > PVBOOT_BACKENDS_MAX)
		return pv_snprintf(why, wl, "backend list count %u not in 1..%u", l->count,
				   PVBOOT_BACKENDS_MAX), 0;
	for (u32 i = 0; i < l->count; i++) {
		const struct pvboot_backend_entry *e = &l->entry[i];

		if (e->id == PV_AUTO || e->id >= PV_BACKEND_MAX || !e->table ||
		    strnlen(e->name, sizeof(e->name)) == sizeof(e->name))
			return pv_snprintf(why, wl, "backend list entry %u is malformed", i), 0;
		mask |= 1u << e->id;
	}
	return mask;
}

u32 backend_list_table(const struct pvboot_backend_list *l, u32 id)
{
	for (u32 i = 0; i < l->count && i < PVBOOT_BACKENDS_MAX; i++)
		if (l->entry[i].id == id)
			return l->entry[i].table;
	return 0;
}
