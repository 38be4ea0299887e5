# Sourced (not run): builds the QEMU command line for one boot, shared by run.sh, tests/boot/run.sh and the benches.
# shellcheck shell=bash disable=SC2034,SC2054
#
# qemu_cmd FW ACCEL SMP MEM CMDLINE VARS [EXTRA...]
#   FW       multiboot | bios | uefi64 | uefi32
#   ACCEL    tcg | kvm
#   CMDLINE  kernel command line ('' for none): -append for multiboot,
#            fw_cfg file opt/pvboot/cmdline for the image firmwares
#   VARS     where to put the fresh copy of the OVMF variable store (uefi*)
#   EXTRA    further QEMU arguments, appended last
# Sets the array QEMU_CMD.  Returns 2 with a message in QEMU_ERR when a
# build artifact (kernel, image, test image) is missing, 3 when the
# firmware itself (OVMF) is not installed or FW is unknown.  Uses $KERNEL and $IMAGE
# (defaults build/pvkernel.elf and build/pvboot.img under $O).

: "${O:=build}"
: "${KERNEL:=$O/pvkernel.elf}"
: "${IMAGE:=$O/pvboot.img}"
OVMF_DIR=${OVMF_DIR:-/usr/share/OVMF}

qemu_cmd() {
	local fw=$1 accel=$2 smp=$3 mem=$4 cmdline=$5 vars=$6
	shift 6
	QEMU_CMD=() QEMU_ERR=
	local common=(-accel "$accel" -smp "$smp" -m "$mem"
		-serial "${QEMU_SERIAL:-stdio}" -display none -nic none
		-device isa-debug-exit,iobase=0xf4,iosize=4)
	# fw_cfg strings use ',' as separator: a literal comma is written ',,'.
	[[ ${QEMU_SERIAL:-stdio} == stdio ]] && common+=(-monitor none)
	local fwcfg=()
	[[ -n $cmdline ]] && fwcfg=(-fw_cfg "name=opt/pvboot/cmdline,string=${cmdline//,/,,}")
	case $fw in
	multiboot)
		[[ -f $KERNEL ]] || { QEMU_ERR="$KERNEL does not exist (run make)"; return 2; }
		QEMU_CMD=(qemu-system-i386 "${common[@]}" -no-reboot
			-kernel "$KERNEL" -append "$cmdline") ;;
	bios|uefi64|uefi32)
		# EXTRA may bring its own disk (-drive file=...): then it replaces $IMAGE.
		local disk=(-drive "file=$IMAGE,format=raw,snapshot=on") a f
		for a in "$@"; do
			[[ $a == file=* ]] || continue
			f=${a#file=}; f=${f%%,*}
			[[ -f $f ]] || { QEMU_ERR="$f does not exist (make test-images)"; return 2; }
			disk=()
		done ;;&
	bios)
		[[ ${#disk[@]} == 0 || -f $IMAGE ]] || { QEMU_ERR="$IMAGE does not exist yet (the BIOS loader is not built)"; return 2; }
		QEMU_CMD=(qemu-system-i386 -machine q35 "${common[@]}" -no-reboot
			"${disk[@]}" "${fwcfg[@]}") ;;
	uefi64|uefi32)
		[[ ${#disk[@]} == 0 || -f $IMAGE ]] || { QEMU_ERR="$IMAGE does not exist yet (the UEFI loader is not built)"; return 2; }
		local qemu=qemu-system-x86_64 machine=q35 code=OVMF_CODE_4M.fd vars_src=OVMF_VARS_4M.fd secure=()
		if [[ $fw == uefi32 ]]; then
			# The only ia32 OVMF Debian ships is the Secure Boot build: it needs SMM.
			qemu=qemu-system-i386 machine=q35,smm=on
			code=OVMF32_CODE_4M.secboot.fd vars_src=OVMF32_VARS_4M.fd
			secure=(-global driver=cfi.pflash01,property=secure,value=on)
		fi
		[[ -f $OVMF_DIR/$code && -f $OVMF_DIR/$vars_src ]] ||
			{ QEMU_ERR="$OVMF_DIR/$code or $vars_src missing (install ovmf / ovmf-ia32, or fix OVMF_DIR)"; return 3; }
		mkdir -p "$(dirname "$vars")"
		cp "$OVMF_DIR/$vars_src" "$vars"
		QEMU_CMD=("$qemu" -machine "$machine" "${common[@]}" "${secure[@]}"
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_DIR/$code"
			-drive "if=pflash,format=raw,unit=1,file=$vars"
			"${disk[@]}" "${fwcfg[@]}") ;;
	*)
		QEMU_ERR="unknown firmware '$fw' (multiboot, bios, uefi64, uefi32)"; return 3 ;;
	esac
	QEMU_CMD+=("$@")
}
