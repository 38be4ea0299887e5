#!/usr/bin/env bash
# Enrol PK/KEK/db into a fresh copy of Debian's ia32 OVMF variable store by booting the enrol app once (loader/uefi/enrolapp.c).
# usage: scripts/ovmf-enrol.sh ENROL-IMAGE OUT-VARS      env: OVMF_DIR
set -euo pipefail

img=$1 out=$2
dir=${OVMF_DIR:-/usr/share/OVMF}
tmp=$out.tmp
log=$out.log
cp "$dir/OVMF32_VARS_4M.fd" "$tmp"
rc=0
# The Secure Boot build needs SMM and a secure flash; in Setup Mode it runs our unsigned app.
timeout --kill-after=5 300 qemu-system-i386 -machine q35,smm=on -accel tcg -m 256 -display none \
	-nic none -serial stdio -monitor none -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-global driver=cfi.pflash01,property=secure,value=on \
	-drive "if=pflash,format=raw,unit=0,readonly=on,file=$dir/OVMF32_CODE_4M.secboot.fd" \
	-drive "if=pflash,format=raw,unit=1,file=$tmp" \
	-drive "file=$img,format=raw,snapshot=on" </dev/null >"$log" 2>&1 || rc=$?
# isa-debug-exit: the app's 0 arrives as 1.
if ((rc != 1)) || ! grep -q 'enrol: PK: enrolled' "$log"; then
	echo "ovmf-enrol: enrolling the keys failed (QEMU exit $rc, log: $log):" >&2
	tr -d '\r' <"$log" | grep -a 'enrol:' >&2 || true
	rm -f "$tmp"
	exit 1
fi
mv "$tmp" "$out"
