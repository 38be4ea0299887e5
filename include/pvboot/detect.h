/* Environment detection and backend choice (docs/design.md §5), shared by the loaders and the kernel; VMI 3.x ROM header per docs/abi-vmi.md. */
#ifndef PVBOOT_DETECT_H
#define PVBOOT_DETECT_H
#include "pvboot/types.h"
#include "pvboot/boot.h"
#include "pvboot/acpi.h"        /* phys_read_fn */
#include "pvboot/cmdline.h"     /* cmd_warn_fn */

/* CPUID leaf (subleaf 0) into out[0..3] = eax, ebx, ecx, edx. */
typedef void (*cpuid_fn)(void *ctx, u32 leaf, u32 out[4]);

/* The probes detection runs against: real hardware or host-test fakes. */
struct detect_io {
	cpuid_fn cpuid;
	void *cpuid_ctx;
	phys_read_fn read;      /* NULL: no ROM scan (nothing below 1 MiB) */
	void *read_ctx;
	cmd_warn_fn log;        /* one line per finding; may be NULL */
	void *log_ctx;
	u32 hardware_subarch;   /* PVBOOT_SUBARCH_LGUEST when a host said so */
};

struct detect_result {
	u32 env;                /* enum pv_env */
	char hv_signature[13];  /* CPUID 0x40000000 ebx:ecx:edx, "" if none */
	u32 vmi_rom_phys;       /* 0: no valid VMI ROM */
	u32 vmi_rom_size;
	u32 hc_flavour;         /* hypercall host flavour (1 = lguest) */
	u32 roms_rejected;      /* 55AA candidates that were not a valid VMI ROM */
};

/* Where option ROMs live (docs/design.md §5) and the scan step of the VMI ABI. */
#define VMI_SCAN_START 0xC0000u
#define VMI_SCAN_END   0xE0000u
#define VMI_SCAN_STEP  0x800u
#define VMI_HEADER_LEN 144u

/*
 * Validate the VMI ROM header at phys through rd, in the order of the ABI:
 * 55AA, length (inside the ROM area, >= the header), checksum, "cVmi" at
 * +8, API major 3, PCI data structure in bounds ("PCIR"), license string in
 * bounds and terminated, jump slots present and in bounds.  Returns 0 and
 * the ROM's size in *size, or -1 with a one-line reason in why[whylen].
 */
int vmi_rom_validate(phys_read_fn rd, void *ctx, u64 phys, u32 *size,
		     char *why, size_t whylen);

/*
 * Run detection in docs/design.md §5 order (lguest signature, VMI ROM, CPUID
 * hypervisor, bare) and log the hypervisor signature, every rejected ROM
 * candidate with its reason and the resulting environment.
 */
void detect_probe(const struct detect_io *io, struct detect_result *r);

/* The backend choice and why it was made. */
struct backend_choice {
	u32 backend;            /* enum pv_backend_id */
	u32 forced;             /* pv= named it and it was honoured */
	u32 requested;          /* what pv= asked for, PV_AUTO if nothing */
	u32 fallback;           /* not what pv= or the environment asked for */
	char reason[96];        /* why, in particular why a request fell back */
};

/*
 * The one backend decision (docs/design.md §5), pure: both loaders make it,
 * and the kernel on boots no pvboot loader decided.  `requested` is pv=
 * (PV_AUTO if not given), `available` a mask of (1 << id) for the backends
 * the kernel image has.  A forced backend that cannot run is refused with
 * one line through log (what was looked for, what to do), then detection
 * decides; c->reason says why, and c->fallback that the choice is not what
 * pv= or the environment asked for.
 */
void detect_choose(const struct detect_result *r, u32 requested, u32 available,
		   struct backend_choice *c, cmd_warn_fn log, void *ctx);

/*
 * Check a backend list read from a kernel image (.pvbackends): magic,
 * version 1, 1 <= count <= PVBOOT_BACKENDS_MAX, known ids, NUL-terminated
 * names, nonzero tables.  Returns the mask of listed ids, 0 if invalid
 * (with why).
 */
u32 backend_list_mask(const struct pvboot_backend_list *l, char *why, size_t whylen);

/* The table address of backend id in the list, 0 if absent. */
u32 backend_list_table(const struct pvboot_backend_list *l, u32 id);

/* env= string of the result line: "tcg", "hv:<signature>", ... */
void detect_env_string(u32 env, const char *sig, char *buf, size_t len);

#endif
