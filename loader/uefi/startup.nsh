@echo -off
# Boot catalogue image uefishell.img (loader/uefi/uefi.mk): start the loader from the UEFI shell with load options.
# No /EFI/BOOT/ app on this image, so OVMF falls through to its shell, which runs this file.
fs0:
\EFI\pvboot\BOOTX64.EFI test pv=native smp=1
\EFI\pvboot\BOOTIA32.EFI test pv=native smp=1
