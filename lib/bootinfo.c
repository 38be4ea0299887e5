/* Names for the boot protocol's enums (pvboot/boot.h, docs/design.md §4 and §9's result line). */
#include "pvboot/boot.h"

/* Look up an enum value in a dense name table; "unknown" outside it. */
static const char *name_of(const char *const *names, u32 n, u32 v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

const char *pvboot_firmware_name(u32 fw)
{
	static const char *const names[] = {
		[PVFW_BIOS] = "bios", [PVFW_UEFI64] = "uefi64",
		[PVFW_UEFI32] = "uefi32", [PVFW_MULTIBOOT] = "multiboot",
		[PVFW_LGUEST] = "lguest", [PVFW_MULTIBOOT2] = "multiboot2",
	};

	return name_of(names, ARRAY_SIZE(names), fw);
}

/* The result line's secureboot= value. */
const char *pvboot_secureboot_name(u32 sb)
{
	return sb == PVSB_VERIFIED ? "verified" : "off";
}

const char *pv_backend_name(u32 id)
{
	static const char *const names[] = {
		[PV_AUTO] = "auto", [PV_NATIVE] = "native",
		[PV_VMI] = "vmi", [PV_LGUEST] = "lguest",
	};

	return name_of(names, ARRAY_SIZE(names), id);
}

/* For PVENV_HV_OTHER the caller appends ":<signature>" (result line env=). */
const char *pv_env_name(u32 env)
{
	static const char *const names[] = {
		[PVENV_BARE] = "bare", [PVENV_TCG] = "tcg", [PVENV_VMI] = "vmi",
		[PVENV_KVM] = "kvm", [PVENV_LGUEST] = "lguest",
		[PVENV_HV_OTHER] = "hv",
	};

	return name_of(names, ARRAY_SIZE(names), env);
}

const char *pv_source_name(u32 src)
{
	static const char *const names[] = {
		[PVSRC_DEFAULT] = "default", [PVSRC_CONFIG] = "config",
		[PVSRC_FWCFG] = "fw_cfg", [PVSRC_UEFI] = "uefi",
		[PVSRC_PROMPT] = "prompt", [PVSRC_MULTIBOOT] = "multiboot",
		[PVSRC_HOST] = "host",
	};

	return name_of(names, ARRAY_SIZE(names), src);
}
