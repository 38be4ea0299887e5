#!/bin/sh
# Runs the ROM call harness (an i386 host program) natively where this host can execute 32-bit programs, else under qemu-i386 user-mode emulation; it is never skipped.
# usage: harness-run.sh HARNESS ROM [native|qemu|auto]   (the third word, else $HARNESS_EXEC, else auto)
harness=$1 rom=$2 how=${3:-${HARNESS_EXEC:-auto}}

qemu() {
	if ! command -v qemu-i386 >/dev/null 2>&1; then
		echo "harness: $1, and qemu-i386 is not installed (Debian package qemu-user; scripts/deps.sh installs it)"
		exit 1
	fi
	echo "harness: $1: running under qemu-i386 user-mode emulation"
	exec qemu-i386 "$harness" "$rom"
}

case $how in
native)
	exec "$harness" "$rom" ;;
qemu)
	qemu "qemu-i386 asked for" ;;
auto)
	# The probe answers with a known line only if the program really ran:
	# "Exec format error" (no ia32 emulation in the host kernel) prints
	# the shell's message and returns 126.
	probe=$("$harness" --probe 2>&1)
	if [ "$probe" = "harness: probe ok" ]; then
		echo "harness: this host executes i386 programs: running natively"
		exec "$harness" "$rom"
	fi
	qemu "this host cannot execute i386 programs ($(printf '%s' "$probe" | head -n 1))" ;;
*)
	echo "harness: unknown way to run it: '$how' (native, qemu or auto)"
	exit 1 ;;
esac
