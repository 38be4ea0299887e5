/*
 * Environment detection for kernels entered without a pvboot loader:
 * CPUID.1:ECX[31] says a hypervisor is present, CPUID 0x40000000 names it.
 * The order of DESIGN §5 (lguest signature, VMI ROM, native) applies; this
 * kernel has only the native backend, so every environment maps to it.
 */
#include "detect.h"

static char env_buf[24];

bool hypervisor_present(void)
{
	unsigned a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & (1u << 31);
}

static void read_signature(char sig[13])
{
	unsigned a, regs[3];

	cpuid(0x40000000, &a, &regs[0], &regs[1], &regs[2]);
	memcpy(sig, regs, 12);
	sig[12] = '\0';
}

void detect_environment(void)
{
	struct pvboot_info *bi = boot_info;

	if (bi->firmware != PVFW_MULTIBOOT)
		return;                 /* a pvboot loader already detected */
	bi->env = PVENV_BARE;
	bi->hv_signature[0] = '\0';
	if (bi->hardware_subarch == PVBOOT_SUBARCH_LGUEST)
		bi->env = PVENV_LGUEST;
	else if (hypervisor_present()) {
		read_signature(bi->hv_signature);
		if (!strcmp(bi->hv_signature, "TCGTCGTCGTCG"))
			bi->env = PVENV_TCG;
		else if (!memcmp(bi->hv_signature, "KVMKVMKVM", 10))
			bi->env = PVENV_KVM;
		else
			bi->env = PVENV_HV_OTHER;
	}
	kprintf("detect: cpuid hypervisor %s%s%s -> env=%s\n",
		bi->hv_signature[0] ? "signature \"" : "bit clear",
		bi->hv_signature, bi->hv_signature[0] ? "\"" : "", env_string());
}

u32 detect_backend(void)
{
	/* Hardware virtualisation runs native correctly (DESIGN §5). */
	return PV_NATIVE;
}

const char *env_string(void)
{
	if (boot_info->env == PVENV_HV_OTHER) {
		pv_snprintf(env_buf, sizeof(env_buf), "hv:%s", boot_info->hv_signature);
		return env_buf;
	}
	return pv_env_name(boot_info->env);
}
