/* Baseline for boot-time measurements (docs/design.md §11): a UEFI app (UEFI 2.10 §4.1) that only ends QEMU through isa-debug-exit, so "OVMF to its first app" can be timed. */
#include <efi.h>
#include "pvboot/io.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	/* 0 → QEMU exits with 1, as a passing kernel's `exit` does. */
	outl(QEMU_EXIT_PORT, 0);
	return EFI_SUCCESS;
}
