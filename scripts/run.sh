#!/usr/bin/env bash
# Boot pvboot once in QEMU with the serial console on this terminal (make run / make gdb).
set -euo pipefail

usage() {
	cat <<USAGE
usage: scripts/run.sh [--fw multiboot|bios|uefi64|uefi32] [--pv auto|native|vmi|lguest]
                      [--smp N] [--accel tcg|kvm] [--rom] [--append 'OPTS'] [--kernel ELF] [--gdb]
                      [--secureboot]   (uefi64/uefi32: OVMF with keys enrolled, Secure Boot enforced)
       MEM=256 (MiB), O=build; extra QEMU arguments after --
       Ctrl-A x quits QEMU.
USAGE
}

fw=multiboot pv=auto smp=4 accel=tcg rom=0 append="" gdb=0 sb=0 extra=()
[[ ${ROM:-0} == 1 ]] && rom=1
while (($#)); do
	case $1 in
	--fw) fw=$2; shift ;;
	--pv) pv=$2; shift ;;
	--smp) smp=$2; shift ;;
	--accel) accel=$2; shift ;;
	--rom) rom=1 ;;
	--append) append=$2; shift ;;
	--kernel) KERNEL=$2; shift ;;
	--gdb) gdb=1 ;;
	--secureboot) sb=1 ;;
	-h|--help) usage; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	*) echo "run.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
	esac
	shift
done

case $pv in
auto|"") ;;
native|vmi|lguest) append="pv=$pv${append:+ $append}" ;;
*) echo "run.sh: --pv must be auto, native, vmi or lguest (got '$pv')" >&2; exit 2 ;;
esac

if ((sb)); then
	# docs/secure-boot.md: x64 uses Debian's snakeoil store, ia32 the one make ovmf32-keys enrols.
	[[ $fw == uefi64 || $fw == uefi32 ]] || { echo "run.sh: --secureboot needs --fw uefi64 or uefi32 (got '$fw')" >&2; exit 2; }
	fw=$fw-sb
fi

O=${O:-build}
. "$(dirname "$0")/qemu-cmd.sh"

if ((rom)); then
	[[ -f $O/vmi.rom ]] || { echo "run.sh: $O/vmi.rom does not exist yet (the VMI ROM is not built)" >&2; exit 1; }
	extra=(-option-rom "$O/vmi.rom" "${extra[@]}")
fi
((gdb)) && extra+=(-s -S)

# shellcheck disable=SC2034 # read by qemu_cmd
QEMU_SERIAL=mon:stdio
qemu_cmd "$fw" "$accel" "$smp" "${MEM:-256}" "$append" "$O/run-vars-$fw.fd" "${extra[@]}" ||
	{ echo "run.sh: $QEMU_ERR" >&2; exit 1; }

if ((gdb)); then
	echo "QEMU waits for GDB on :1234. In another terminal:"
	echo "  gdb $KERNEL -ex 'target remote :1234'"
fi
[[ ${V:-0} == 1 ]] && printf '%q ' "${QEMU_CMD[@]}" && echo
rc=0
"${QEMU_CMD[@]}" || rc=$?
# isa-debug-exit: the guest's 0 (pass) arrives as 1, its 1 (fail) as 3.
case $rc in
1) exit 0 ;;
3) echo "run.sh: the guest reported failure" >&2; exit 1 ;;
*) exit "$rc" ;;
esac
