#!/usr/bin/env bash
# Build a pvboot disk image: MBR + stage 2 (tools/mkimage), then the FAT partition at 1 MiB filled with mtools.
# usage: tools/mkdisk.sh OUT.img MKIMAGE MBR.bin STAGE2.bin KERNEL|- CONFIG|- [SIZE_MIB [EFI_APP...]]
#   EFI_APP: BOOTX64.EFI / BOOTIA32.EFI, copied to /EFI/BOOT/ (the removable-media path UEFI boots)
set -euo pipefail
out=$1 mkimage=$2 mbr=$3 stage2=$4 kernel=$5 config=$6 mib=${7:-33}
shift $(($# < 7 ? $# : 7))
tmp=$out.tmp
rm -f "$tmp"
"$mkimage" "$tmp" "$mbr" "$stage2" "$mib" >/dev/null
part="$tmp@@1M"
export MTOOLS_SKIP_CHECK=1 MTOOLS_NO_VFAT=0
# FAT16, 2 KiB clusters; the partition size comes from the MBR entry mkimage wrote.
mformat -i "$part" -T $(((mib - 1) * 2048)) -h 64 -s 32 -H 2048 -c 4 -v PVBOOT ::
mmd -i "$part" ::/EFI ::/EFI/BOOT ::/boot
[[ $kernel == - ]] || mcopy -i "$part" "$kernel" ::/boot/pvkernel.elf
[[ $config == - ]] || mcopy -i "$part" "$config" ::/boot/pvboot.cfg
for app; do mcopy -i "$part" "$app" "::/EFI/BOOT/$(basename "$app")"; done
mv "$tmp" "$out"
