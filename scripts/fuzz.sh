#!/usr/bin/env bash
# Run each libFuzzer target for SECONDS (seeded from tests/fuzz/corpus/<name>/) and report crash / no crash.
# usage: scripts/fuzz.sh SECONDS BIN...     env: O, FUZZ_JOBS (targets run at once, default 2)
set -euo pipefail

(($# >= 1)) || { echo "usage: scripts/fuzz.sh SECONDS BIN..." >&2; exit 2; }
export O=${O:-build}
seeds=$(dirname "$0")/../tests/fuzz/corpus
logs=$O/test-logs/fuzz

# One target; prints its PASS/FAIL block in one write and leaves NAME.state.
one() {
	local secs=$1 bin=$2 name corpus log rc=0
	name=$(basename "$bin")
	corpus=$O/fuzz-corpus/$name log=$logs/$name.log
	mkdir -p "$corpus"
	# Seeds are copied so the fuzzer's additions stay out of the source tree.
	if [[ -d $seeds/$name ]]; then
		cp -rn "$seeds/$name"/. "$corpus"/
	fi
	timeout --kill-after=10 $((secs + 60)) "$bin" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$O/fuzz-artifacts/$name-" "$corpus" >"$log" 2>&1 </dev/null || rc=$?
	local runs
	runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
	local out
	if ((rc == 0)); then
		out="PASS: fuzz/$name (no crash in ${runs:-?} runs, ${secs}s)"
		echo PASS > "$logs/$name.state"
	else
		local art
		art=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
		out="FAIL: fuzz/$name: exit $rc${art:+, reproduce with: $bin $art} (log: $log)"
		out+=$'\n'$(grep -E -m1 -A12 '==ERROR:|runtime error:|deadly signal|timeout after|out-of-memory' "$log" | sed 's/^/    | /')
		echo FAIL > "$logs/$name.state"
	fi
	flock "$logs/.lock" echo "$out"
}

if [[ $1 == --one ]]; then
	one "$2" "$3"
	exit 0
fi

secs=$1; shift
mkdir -p "$logs" "$O/fuzz-corpus" "$O/fuzz-artifacts"
: > "$logs/.lock"
for bin in "$@"; do rm -f "$logs/$(basename "$bin").state"; done
printf '%s\n' "$@" | xargs -d '\n' -n 1 -P "${FUZZ_JOBS:-2}" "$0" --one "$secs" || true

pass=0 fail=0
for bin in "$@"; do
	if [[ $(cat "$logs/$(basename "$bin").state" 2>/dev/null) == PASS ]]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
done
echo "fuzz: $pass passed, $fail failed"
((fail == 0))
