#!/usr/bin/env bash
# The make check driver: unit tests, fuzz smoke, QEMU boot catalogue; ends with one "N passed, N failed" line.
set -euo pipefail

export O=${O:-build}
root=$(dirname "$0")/..
mkdir -p "$O/test-logs"
pass=0 fail=0 skip=0

# part NAME CMD...: run one part, echo its lines, add up its "NAME: N passed, N failed[, N skipped]".
part() {
	local name=$1 out=$O/test-logs/$1.out; shift
	echo "== $name"
	"$@" 2>&1 | tee "$out" || true
	local sum
	sum=$(grep -E "^$name: [0-9]+ passed, [0-9]+ failed" "$out" | tail -n 1 || true)
	if [[ -z $sum ]]; then
		echo "FAIL: $name: the runner stopped without a summary"
		fail=$((fail + 1)); return
	fi
	local n
	n=$(sed -E 's/.* ([0-9]+) passed.*/\1/' <<<"$sum"); pass=$((pass + n))
	n=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$sum"); fail=$((fail + n))
	if [[ $sum == *skipped* ]]; then
		n=$(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$sum"); skip=$((skip + n))
	fi
}

shopt -s nullglob
units=("$O"/unit/test_*)
fuzzers=("$O"/fuzz/fuzz_*)
# Only the executables (the build also leaves .d dependency files there).
runnable() { local f; for f; do [[ -f $f && -x $f ]] && echo "$f"; done; true; }
mapfile -t units < <(runnable "${units[@]}")
mapfile -t fuzzers < <(runnable "${fuzzers[@]}")

if ((${#units[@]})); then part unit "$root/scripts/run-unit.sh" "${units[@]}"
else echo "== unit: no test binaries in $O/unit"; fi
if ((${#fuzzers[@]})); then part fuzz "$root/scripts/fuzz.sh" "${FUZZ_SMOKE_SECONDS:-10}" "${fuzzers[@]}"
else echo "== fuzz: no fuzz targets in $O/fuzz"; fi
part boot "$root/tests/boot/run.sh"

summary="$pass passed, $fail failed"
((skip)) && summary+=", $skip skipped"
echo "$summary"
((fail == 0))
