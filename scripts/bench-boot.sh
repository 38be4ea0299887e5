#!/usr/bin/env bash
# make bench-boot: median whole-process wall time of QEMU boots to the "exit" result (hyperfine, or a loop).
set -euo pipefail

export O=${O:-build}
. "$(dirname "$0")/qemu-cmd.sh"
runs=${RUNS:-7}
out=$O/bench-boot.txt
mkdir -p "$O/test-logs"

# name|firmware|smp|disk  (the docs/design.md §11 target rows; image rows need build/pvboot.img).
# disk "exit-app": $O/test-images/efi-exit.img (make uefi-bench-image), whose
# EFI app only exits QEMU: OVMF's own time to its first app, the baseline.
configs=(
	"multiboot-smp4|multiboot|4|"
	"multiboot-smp64|multiboot|64|"
	"bios-q35-smp4|bios|4|"
	"uefi64-exit-app|uefi64|1|exit-app"
	"uefi64-smp1|uefi64|1|"
	"uefi32-exit-app|uefi32|1|exit-app"
	"uefi32-smp1|uefi32|1|"
)

# median SECONDS...: the middle value (mean of the two middle ones if even).
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# checked LOG RC DISK: did the untimed first boot pass?  The exit app
# prints nothing; it only ends QEMU the way a passing kernel does (exit 1).
checked() {
	local result rc=$2
	result=$(tr -d '\r' <"$1" | grep -E '^PVBOOT RESULT' | tail -n 1 || true)
	[[ $3 == exit-app ]] && { ((rc == 1)); return; }
	((rc == 1)) && [[ $result == *" status=pass"* ]]
}

results=()
declare -A med_of
for c in "${configs[@]}"; do
	IFS='|' read -r name fw smp disk <<<"$c"
	vars=$O/bench-boot-vars.fd
	extra=()
	[[ $disk == exit-app ]] && extra=(-drive "file=$O/test-images/efi-exit.img,format=raw,snapshot=on")
	if ! qemu_cmd "$fw" tcg "$smp" "${MEM:-256}" exit "$vars" "${extra[@]}"; then
		[[ $disk == exit-app ]] && QEMU_ERR+="; make uefi-bench-image builds it"
		echo "bench-boot: $name: skipped, $QEMU_ERR"
		continue
	fi
	# One checked boot first: the timing means nothing if the boot fails.
	log=$O/test-logs/bench-boot-$name.log rc=0
	timeout 120 "${QEMU_CMD[@]}" </dev/null >"$log" 2>&1 || rc=$?
	result=$(tr -d '\r' <"$log" | grep -E '^PVBOOT RESULT' | tail -n 1 || true)
	if ! checked "$log" "$rc" "$disk"; then
		echo "bench-boot: $name: the boot did not pass (QEMU exit $rc${result:+, $result}; log: $log); not timed" >&2
		results+=("$(printf '%-18s %8s   boot did not pass, see %s' "$name" "-" "$log")")
		continue
	fi
	cmd=$(printf '%q ' "${QEMU_CMD[@]}")
	prep=:
	# OVMF wants a fresh variable store each boot: re-copy it before each run.
	[[ $fw == uefi64 ]] && prep="cp $OVMF_DIR/OVMF_VARS_4M.fd $(printf '%q' "$vars")"
	[[ $fw == uefi32 ]] && prep="cp $OVMF_DIR/OVMF32_VARS_4M.fd $(printf '%q' "$vars")"
	echo "bench-boot: $name: $runs runs of: $cmd"
	if command -v hyperfine >/dev/null; then
		json=$O/test-logs/bench-boot-$name.json
		hyperfine --shell=bash --style=none -i --warmup 1 --runs "$runs" \
			--prepare "$prep" --export-json "$json" "$cmd </dev/null" >/dev/null 2>&1 ||
			{ echo "bench-boot: $name: hyperfine failed" >&2; exit 1; }
		med=$(python3 -c 'import json,sys; print("%.3f" % json.load(open(sys.argv[1]))["results"][0]["median"])' "$json")
	else
		times=()
		for ((i = 0; i < runs; i++)); do
			eval "$prep"
			t0=$(date +%s%N)
			"${QEMU_CMD[@]}" </dev/null >/dev/null 2>&1 || true
			t1=$(date +%s%N)
			times+=("$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.3f", d / 1e9 }')")
		done
		med=$(median "${times[@]}")
	fi
	med_of[$name]=$med
	what=$(grep -oE 'cpus=[0-9/]+' <<<"$result" || echo cpus=?)
	[[ $disk == exit-app ]] && what="OVMF to a trivial app"
	results+=("$(printf '%-18s %6s s   %s, median of %s runs, TCG' "$name" "$med" "$what" "$runs")")
done
# docs/design.md §11: what pvboot and the kernel add to OVMF's own time (target <= 0.1 s).
for fw in uefi64 uefi32; do
	[[ -n ${med_of[$fw-exit-app]:-} && -n ${med_of[$fw-smp1]:-} ]] || continue
	results+=("$(awk -v a="${med_of[$fw-smp1]}" -v b="${med_of[$fw-exit-app]}" -v f="$fw" \
		'BEGIN { printf "%-18s %+6.3f s   pvboot + kernel over OVMF alone (medians; run-to-run noise is larger)", f "-added", a - b }')")
done
rm -f "$O/bench-boot-vars.fd"
{ echo "# whole QEMU process wall time, launch to exit, 'exit' on the command line"; printf '%s\n' "${results[@]}"; } | tee "$out"
