# Sourced (not run): builds the QEMU command line for one boot, shared by run.sh, tests/boot/run.sh and the benches.
# shellcheck shell=bash disable=SC2034,SC2054
#
# qemu_cmd FW ACCEL SMP MEM CMDLINE VARS [EXTRA...]
#   FW       multiboot | bios | uefi64 | uefi32 | uefi64-sb (x64 OVMF with
#            Debian's snakeoil keys enrolled: Secure Boot enforced) | uefi32-sb
#            (ia32 OVMF with the signing certificate enrolled by make ovmf32-keys)
#            | iso-bios | iso-uefi64 | iso-uefi32
#            iso-*: the same firmware booting the CD in EXTRA's -cdrom FILE
#            instead of $IMAGE (a GRUB ISO, tools/grub-iso.mk); CMDLINE
#            must be empty, the ISO's grub.cfg holds the command line
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
	local fwcfg=() iso=
	[[ -n $cmdline ]] && fwcfg=(-fw_cfg "name=opt/pvboot/cmdline,string=${cmdline//,/,,}")
	if [[ $fw == iso-* ]]; then
		qemu_iso_check "$fw" "$cmdline" "$@" || return 2
		fw=${fw#iso-} iso=1
	fi
	case $fw in
	multiboot)
		[[ -f $KERNEL ]] || { QEMU_ERR="$KERNEL does not exist (run make)"; return 2; }
		QEMU_CMD=(qemu-system-i386 "${common[@]}" -no-reboot
			-kernel "$KERNEL" -append "$cmdline") ;;
	bios|uefi64|uefi32|uefi64-sb|uefi32-sb)
		# EXTRA may bring its own disk (-drive file=...): then it replaces $IMAGE.
		local disk=(-drive "file=$IMAGE,format=raw,snapshot=on") a f
		[[ -n $iso ]] && disk=()
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
	uefi64|uefi32|uefi64-sb|uefi32-sb)
		[[ ${#disk[@]} == 0 || -f $IMAGE ]] || { QEMU_ERR="$IMAGE does not exist yet (the UEFI loader is not built)"; return 2; }
		local qemu=qemu-system-x86_64 machine=q35 code=OVMF_CODE_4M.fd vars_src=OVMF_VARS_4M.fd secure=()
		local vars_dir=$OVMF_DIR
		if [[ $fw == uefi32 || $fw == uefi32-sb ]]; then
			# The only ia32 OVMF Debian ships is the Secure Boot build: it needs SMM.
			qemu=qemu-system-i386 machine=q35,smm=on
			code=OVMF32_CODE_4M.secboot.fd vars_src=OVMF32_VARS_4M.fd
			secure=(-global driver=cfi.pflash01,property=secure,value=on)
			if [[ $fw == uefi32-sb ]]; then
				# Its store ships without keys (Setup Mode): make ovmf32-keys enrols ours.
				vars_dir=$O/ovmf vars_src=OVMF32_VARS_4M.enrolled.fd
				[[ -f $vars_dir/$vars_src ]] || { QEMU_ERR="$vars_dir/$vars_src does not exist (make ovmf32-keys)"; return 2; }
			fi
		elif [[ $fw == uefi64-sb ]]; then
			# Secure Boot build (needs SMM) with the snakeoil PK/KEK/db enrolled (docs/secure-boot.md).
			machine=q35,smm=on
			code=OVMF_CODE_4M.snakeoil.fd vars_src=OVMF_VARS_4M.snakeoil.fd
			secure=(-global driver=cfi.pflash01,property=secure,value=on)
		fi
		[[ -f $OVMF_DIR/$code && -f $vars_dir/$vars_src ]] ||
			{ QEMU_ERR="$OVMF_DIR/$code or $vars_src missing (install ovmf / ovmf-ia32, or fix OVMF_DIR)"; return 3; }
		mkdir -p "$(dirname "$vars")"
		cp "$vars_dir/$vars_src" "$vars"
		QEMU_CMD=("$qemu" -machine "$machine" "${common[@]}" "${secure[@]}"
			-drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_DIR/$code"
			-drive "if=pflash,format=raw,unit=1,file=$vars"
			"${disk[@]}" "${fwcfg[@]}") ;;
	*)
		QEMU_ERR="unknown firmware '$fw' (multiboot, bios, uefi64, uefi32, uefi64-sb, uefi32-sb, iso-bios, iso-uefi64, iso-uefi32)"; return 3 ;;
	esac
	QEMU_CMD+=("$@")
}

# iso-FW: EXTRA must name an existing -cdrom FILE, and CMDLINE stay empty.
qemu_iso_check() {
	local fw=$1 cmdline=$2 iso=
	shift 2
	case ${fw#iso-} in
	bios|uefi64|uefi32) ;;
	*) QEMU_ERR="unknown firmware '$fw' (iso-bios, iso-uefi64, iso-uefi32)"; return 2 ;;
	esac
	[[ -z $cmdline ]] || { QEMU_ERR="$fw: the command line is in the ISO's grub.cfg, not '$cmdline'"; return 2; }
	while (($#)); do
		[[ $1 == -cdrom ]] && iso=${2:-}
		shift
	done
	[[ -n $iso ]] || { QEMU_ERR="$fw needs -cdrom FILE among the extra QEMU arguments"; return 2; }
	[[ -f $iso ]] || { QEMU_ERR="$iso does not exist (make grub-isos)"; return 2; }
}
