/* UEFI entry of the loader (UEFI 2.10 §4.1 image entry, §12.3/§12.4 ConIn/ConOut): platform setup, then the shared loader_main() (docs/design.md §1). */
#include "uefi.h"
#include "pvboot/efiutil.h"
#include "pvboot/string.h"
#include "pvboot/io.h"

struct uefi uefi;
static struct pvboot_info *info;
static char load_opts[PVBOOT_CMDLINE_MAX];

#define LOG_SIZE 4096           /* linfo() lines kept until loader=verbose is known */

/* ---- console: ConOut, which OVMF mirrors to the serial port ---------- */

void uefi_puts(const char *s)
{
	CHAR16 buf[128];
	UINTN n = 0;

	for (; *s; s++) {
		if (*s == '\n')
			buf[n++] = L'\r';
		buf[n++] = (CHAR16)(u8)*s;
		if (n >= ARRAY_SIZE(buf) - 3) {
			buf[n] = 0;
			uefi.st->ConOut->OutputString(uefi.st->ConOut, buf);
			n = 0;
		}
	}
	buf[n] = 0;
	if (n)
		uefi.st->ConOut->OutputString(uefi.st->ConOut, buf);
}

/* EFI scan codes (UEFI 2.10 Table 12-3) to the editor's keys. */
static int scan_key(UINT16 scan)
{
	switch (scan) {
	case 0x03: return KEY_RIGHT;
	case 0x04: return KEY_LEFT;
	case 0x05: return KEY_HOME;
	case 0x06: return KEY_END;
	case 0x08: return KEY_DELETE;
	case 0x17: return KEY_ESC;
	}
	return KEY_NONE;
}

static int uefi_getkey(void)
{
	EFI_INPUT_KEY k;

	if (uefi.st->ConIn->ReadKeyStroke(uefi.st->ConIn, &k) != EFI_SUCCESS)
		return KEY_NONE;
	if (!k.UnicodeChar)
		return scan_key(k.ScanCode);
	if (k.UnicodeChar == CHAR_CARRIAGE_RETURN || k.UnicodeChar == CHAR_LINEFEED)
		return KEY_ENTER;
	if (k.UnicodeChar == CHAR_BACKSPACE)
		return KEY_BACKSPACE;
	return k.UnicodeChar < 0x80 ? k.UnicodeChar : KEY_NONE;
}

static void uefi_sleep_ms(u32 ms)
{
	uefi.bs->Stall((UINTN)ms * 1000);
}

static u64 uefi_rdtsc(void)
{
	u32 lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

void uefi_qemu_exit(u32 code)
{
	outl(QEMU_EXIT_PORT, code);
}

/* "Reboot" in the core's sense: give up and return to the firmware. */
__attribute__((noreturn)) static void uefi_give_up(void)
{
	uefi.bs->Exit(uefi.image, EFI_LOAD_ERROR, 0, NULL);
	for (;;)
		__asm__ volatile("hlt");
}

/* docs/design.md §3 source 3: the image's load options, if they are text. */
static const char *read_load_options(void)
{
	char why[120];

	if (efi_load_options(uefi.li->LoadOptions, uefi.li->LoadOptionsSize, load_opts,
			     sizeof(load_opts), why, sizeof(why)) < 0) {
		uefi_puts("uefi: ");
		uefi_puts(why);
		uefi_puts("; ignored\n");
		return NULL;
	}
	return load_opts;
}

/* A line and back to the firmware, for errors before the core runs. */
static EFI_STATUS early_fail(const char *msg)
{
	uefi_puts(msg);
	uefi_puts("\n");
	uefi_qemu_exit(1);              /* nobody answers outside QEMU tests: harmless */
	return EFI_LOAD_ERROR;
}

static struct loader_platform plat = {
	.name = UEFI_LOADER_NAME, .puts = uefi_puts, .getkey = uefi_getkey,
	.sleep_ms = uefi_sleep_ms, .rdtsc = uefi_rdtsc, .cpuid = uefi_cpuid,
	.phys_read = uefi_phys_read, .qemu_exit = uefi_qemu_exit, .reboot = uefi_give_up,
	.enter = uefi_enter, .file_open = uefi_file_open, .file_read = uefi_file_read,
	.claim = uefi_claim, .mod_alloc = uefi_alloc_module,
};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID li_guid = LOADED_IMAGE_PROTOCOL;
	u64 tsc = uefi_rdtsc();

	uefi.image = image, uefi.st = st, uefi.bs = st->BootServices;
	uefi.bs->SetWatchdogTimer(0, 0, 0, NULL);       /* no 5-minute reset under the prompt */
	if (uefi.bs->HandleProtocol(image, &li_guid, (void **)&uefi.li) != EFI_SUCCESS)
		return early_fail("uefi: no loaded-image protocol on our own image; cannot find the boot device");
	info = uefi_alloc_below_4g(sizeof(*info), EfiLoaderData);
	if (!info || !uefi_map_read())
		return early_fail("uefi: cannot allocate memory below 4 GiB or read the memory map");
	memset(info, 0, sizeof(*info));
	info->tsc_loader_entry = tsc;
	info->firmware = UEFI_FIRMWARE;
	uefi_map_to_info(info);
	if (!uefi_fs_init())
		return early_fail("uefi: the device we were loaded from has no readable file system");
	plat.fwcfg = fwcfg_ports;
	/* Pool, not .bss: gnu-efi stores .bss in the file, and the app must stay ≤ 64 KiB. */
	if (uefi.bs->AllocatePool(EfiLoaderData, LOG_SIZE, (void **)&plat.log) == EFI_SUCCESS)
		plat.log_size = LOG_SIZE;
	plat.load_options = read_load_options();
	loader_set_platform(&plat);
	uefi_secure_init(&plat, info);  /* before any file or ROM is read */
	uefi_tpm_init();
	uefi_find_rsdp(info);
	uefi_find_gop(info);
	uefi_find_vmi_rom(&plat);
	loader_main(&plat, info);
}
