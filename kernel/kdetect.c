/*
 * Environment detection and the backend decision, kernel side
 * (docs/design.md §5).  A pvboot loader has already done both and says so
 * in boot_info; for Multiboot boots the kernel runs the same shared code
 * (lib/detect.c) itself, against the real CPUID and physical memory
 * (paging is still off, so addresses are physical), and decides once.
 */
#include "kdetect.h"
#include "pvboot/detect.h"
#include "kparavirt.h"

static char env_buf[24];
static struct detect_result detected;

bool hypervisor_present(void)
{
	unsigned a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return c & (1u << 31);
}

static void kernel_cpuid(void *ctx, u32 leaf, u32 out[4])
{
	cpuid(leaf, &out[0], &out[1], &out[2], &out[3]);
}

/* Before paging_init() the option-ROM area reads as it is. */
static bool kernel_phys_read(void *ctx, u64 phys, void *buf, u32 len)
{
	if (phys >= 0x100000 || phys + len > 0x100000)
		return false;
	memcpy(buf, (const void *)(u32)phys, len);
	return true;
}

static void log_line(void *ctx, const char *line)
{
	kprintf("%s\n", line);
}

void detect_environment(void)
{
	struct pvboot_info *bi = boot_info;
	struct detect_io io = {
		.cpuid = kernel_cpuid, .read = kernel_phys_read, .log = log_line,
		.hardware_subarch = bi->hardware_subarch,
	};

	if (bi->firmware != PVFW_MULTIBOOT && bi->firmware != PVFW_MULTIBOOT2) {
		kprintf("detect: done by the loader: env=%s, VMI ROM at %#x\n", env_string(),
			bi->vmi_rom_phys);
		detected.env = bi->env;
		memcpy(detected.hv_signature, bi->hv_signature, sizeof(detected.hv_signature));
		detected.hv_signature[sizeof(detected.hv_signature) - 1] = '\0';
		detected.vmi_rom_phys = bi->vmi_rom_phys;
		detected.vmi_rom_size = bi->vmi_rom_size;
		detected.hc_flavour = bi->hc_flavour;
		return;
	}
	detect_probe(&io, &detected);
	bi->env = detected.env;
	memcpy(bi->hv_signature, detected.hv_signature, sizeof(bi->hv_signature));
	bi->vmi_rom_phys = detected.vmi_rom_phys;
	bi->vmi_rom_size = detected.vmi_rom_size;
	bi->hc_flavour = detected.hc_flavour;
}

u32 detect_decide(u32 requested, u32 available)
{
	struct pvboot_info *bi = boot_info;
	struct backend_choice c;

	detect_choose(&detected, requested, available, &c, log_line, NULL);
	bi->backend_requested = c.requested;
	bi->backend_forced = c.forced;
	pv_snprintf(bi->fallback_reason, sizeof(bi->fallback_reason), "%s",
		    c.fallback ? c.reason : "");
	return c.backend;
}

const char *env_string(void)
{
	detect_env_string(boot_info->env, boot_info->hv_signature, env_buf, sizeof(env_buf));
	return env_buf;
}
