#!/usr/bin/env bash
# Run cmocka unit-test binaries, one PASS/FAIL line each, and total their test counts.
# usage: scripts/run-unit.sh BIN...        env: O (logs in $O/test-logs/unit/)
set -euo pipefail

O=${O:-build}
logs=$O/test-logs/unit
mkdir -p "$logs"
export CMOCKA_MESSAGE_OUTPUT=stdout
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Sum the N of every cmocka summary line "[  TAG  ] N test(s)..." in $1.
count() {
	sed -nE "s/^\[ *$2 *\] ([0-9]+) test\(s\).*/\1/p" "$1" | awk '{ n += $1 } END { print n + 0 }'
}

pass=0 fail=0 skip=0
for bin in "$@"; do
	name=$(basename "$bin")
	log=$logs/$name.log
	rc=0
	timeout --kill-after=5 "${UNIT_TIMEOUT:-120}" "$bin" >"$log" 2>&1 </dev/null || rc=$?
	p=$(count "$log" PASSED) f=$(count "$log" FAILED) s=$(count "$log" SKIPPED)
	why=
	if ((f)); then
		why="$f of $((p + f + s)) failed: $(sed -nE 's/^\[  FAILED  \] ([A-Za-z_][A-Za-z0-9_]*)$/\1/p' "$log" | sort -u | paste -sd' ')"
	elif ((rc == 124 || rc == 137)); then
		why="timed out"; f=1
	elif ((rc)); then
		why="exit status $rc, in test $(sed -nE 's/^\[ RUN +\] //p' "$log" | tail -n 1)"; f=1
	elif ((p + s == 0)); then
		why="no cmocka summary in its output"; f=1
	fi
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	if [[ -n $why ]]; then
		echo "FAIL: unit/$name: $why (log: $log)"
		# A sanitizer report is more use from its start; else the log's end.
		if grep -qE '==ERROR:|runtime error:' "$log"; then
			sed -nE '/==ERROR:|runtime error:/,$p' "$log" | head -n 20
		else
			tail -n 30 "$log"
		fi | sed 's/^/    | /'
	else
		echo "PASS: unit/$name ($p tests${s:+, $s skipped})" | sed 's/, 0 skipped//'
	fi
done
summary="unit: $pass passed, $fail failed"
((skip)) && summary+=", $skip skipped"
echo "$summary"
((fail == 0))
