#!/usr/bin/env bash
# make bench: boot the kernel with "bench" under -icount shift=0 and write its table to $O/bench.txt.
set -euo pipefail

export O=${O:-build}
. "$(dirname "$0")/qemu-cmd.sh"
mkdir -p "$O/test-logs"
out=$O/bench.txt

# Each configuration: name|firmware|smp|extra QEMU args ({O} = build dir)|command line.
# The kernel's table covers patched and unpatched sites and the raw
# instruction for the backend it runs on; other backends get a line each
# (e.g. "vmi|multiboot|2|-option-rom {O}/vmi.rom|bench pv=vmi").
# -icount shift=0: one TSC tick per guest instruction, so figures are
# exact instruction counts (see docs/design.md §11).
configs=(
	"native|multiboot|${SMP:-2}||bench"
	"native-nopatch|multiboot|${SMP:-2}||bench nopatch"
	"vmi|multiboot|${SMP:-2}|-option-rom {O}/vmi.rom|bench"
	"vmi-nopatch|multiboot|${SMP:-2}|-option-rom {O}/vmi.rom|bench nopatch"
	"native-pae|multiboot|${SMP:-2}||bench paging=pae"
	"native-pae-nopatch|multiboot|${SMP:-2}||bench paging=pae nopatch"
	"vmi-pae|multiboot|${SMP:-2}|-option-rom {O}/vmi.rom|bench paging=pae"
	"vmi-pae-nopatch|multiboot|${SMP:-2}|-option-rom {O}/vmi.rom|bench paging=pae nopatch"
	"lguest|multiboot|${SMP:-2}|-initrd {O}/pvkernel.elf|host=lguest bench"
	"lguest-nopatch|multiboot|${SMP:-2}|-initrd {O}/pvkernel.elf|host=lguest bench guest.nopatch"
)

tmp=$out.tmp
{
	echo "# pvboot benchmark, $(date -u +%Y-%m-%dT%H:%MZ), $(git -C "$(dirname "$0")/.." describe --always --dirty 2>/dev/null || echo unknown)"
	echo "# QEMU TCG with -icount shift=0: figures are guest instruction counts"
} > "$tmp"
for c in "${configs[@]}"; do
	IFS='|' read -r name fw smp args cmdline <<<"$c"
	log=$O/test-logs/bench-$name.log
	read -r -a extra <<<"${args//\{O\}/$O}"
	qemu_cmd "$fw" tcg "$smp" "${MEM:-256}" "$cmdline" "$O/bench-vars.fd" -icount shift=0 "${extra[@]}" ||
		{ echo "bench: $name: $QEMU_ERR" >&2; exit 1; }
	echo "bench: $name ($fw, -smp $smp, '$cmdline')"
	# The kernel may idle after the table: stop QEMU once the table (or a
	# result line, or the idle message) is out.
	"${QEMU_CMD[@]}" </dev/null >"$log" 2>&1 &
	pid=$!
	for ((t = 0; t < ${BENCH_TIMEOUT:-300} * 10; t++)); do
		kill -0 "$pid" 2>/dev/null || break
		grep -qE '^(BENCH END|PVBOOT RESULT)|idling' "$log" && { sleep 0.2; break; }
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	# A guest's table arrives prefixed "guest: " through its host.
	table=$(tr -d '\r' <"$log" | sed 's/^guest: //' | sed -n '/^BENCH BEGIN/,/^BENCH END/p')
	if ! grep -q '^BENCH END' <<<"$table"; then
		echo "bench: $name: no 'BENCH BEGIN' ... 'BENCH END' table in the serial log (QEMU exit $rc; log: $log)" >&2
		tail -n 10 "$log" | sed 's/^/    | /' >&2
		exit 1
	fi
	{ echo; echo "## $name: $fw -smp $smp, command line '$cmdline'"; sed '1d;$d' <<<"$table"; } >> "$tmp"
done
# One table per backend: the op rows of a patched boot already hold all
# three variants; the path rows (system calls, page fault, IPI) take their
# patched figure from the patched boot and their nopatch figure from the
# nopatch boot.
merge() {
	awk -v name="$1" '
	function ratio(a, r) { return (a == "-" || r == "-" || r == 0) ? "-" : sprintf("%.2fx", a / r) }
	FNR == 1 { file++ }
	/^[a-zA-Z]/ && !/^op / && !/^BENCH/ {
		n = substr($0, 1, 24); sub(/ +$/, "", n)
		split(substr($0, 25), f, " ")
		if (file == 1) { order[++rows] = n; p[n] = f[1]; w[n] = f[3]; o[n] = f[6] }
		else { q[n] = f[2]; if (f[6] > o[n]) o[n] = f[6] }
	}
	END {
		printf "\n## %s: patched and nopatch boots merged\n", name
		printf "%-24s %9s %9s %9s %12s %12s %9s\n", "op", "patched", "nopatch", "raw", "patched/raw", "nopatch/raw", "outliers"
		for (i = 1; i <= rows; i++) {
			n = order[i]
			printf "%-24s %9s %9s %9s %12s %12s %9s\n", n, p[n], q[n], w[n], ratio(p[n], w[n]), ratio(q[n], w[n]), o[n]
		}
	}' "$2" "$3"
}
table() { tr -d '\r' <"$O/test-logs/bench-$1.log" | sed 's/^guest: //' | sed -n '/^BENCH BEGIN/,/^BENCH END/p'; }
for b in native native-pae vmi vmi-pae lguest; do
	merge "$b" <(table "$b") <(table "$b-nopatch") >>"$tmp"
done
# Kernel entry to all CPUs up, as each kernel's "boot:" line says: the
# native boot, and the lguest guest (as many vCPUs as the native boot has
# CPUs) in the same kind of run.  Under -icount shift=0, 1 us is 1000
# instructions.
boot_us() { tr -d '\r' <"$O/test-logs/bench-$1.log" | sed -n "s/^$2boot: \([0-9]*\) us from kernel entry to all CPUs up.*/\1/p" | head -n 1; }
nb=$(boot_us native "") gb=$(boot_us lguest "guest: ")
{
	printf '\n## boot: kernel entry to all CPUs up, -smp %s (virtual us; 1 us = 1000 instructions)\n' "${SMP:-2}"
	printf '%-24s %9s %9s %14s\n' op native lguest lguest/native
	printf '%-24s %9s %9s %14s\n' "entry to all CPUs up" "${nb:--}" "${gb:--}" \
		"$(awk -v a="${gb:-0}" -v b="${nb:-0}" 'BEGIN { print (a && b) ? sprintf("%.2fx", a / b) : "-" }')"
} >>"$tmp"
mv "$tmp" "$out"
cat "$out"
echo "bench: wrote $out"
