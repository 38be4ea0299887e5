#!/usr/bin/env bash
# Run the QEMU boot catalogue (tests/boot/catalogue) in parallel and check each PVBOOT RESULT line.
# usage: tests/boot/run.sh [NAME-GLOB...]      env: O JOBS TIMEOUT CATALOGUE KERNEL IMAGE
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export O=${O:-build} JOBS=${JOBS:-2} TIMEOUT=${TIMEOUT:-60}
export CATALOGUE=${CATALOGUE:-$here/catalogue}
logs=$O/test-logs

# ---- one case (run by xargs in a child): $2 is the catalogue line --------
run_case() {
	local line=$1 cols
	mapfile -t cols < <(xargs printf '%s\n' <<<"$line")
	local name=${cols[0]} fw=${cols[1]} accel=${cols[2]} smp=${cols[3]} mem=${cols[4]}
	local qargs=${cols[5]} cmdline=${cols[6]} expect=("${cols[@]:7}")
	[[ $qargs == - ]] && qargs=
	[[ $cmdline == - ]] && cmdline=
	local log=$logs/$name.log out=$logs/$name.out
	local why='' state=FAIL
	rm -f "$log"    # a case that fails before QEMU runs must not show an old log

	finish() {
		state=$1 why=${2:-}
		{
			case $state in
			PASS) echo "PASS: boot/$name" ;;
			SKIP) echo "SKIP: boot/$name: $why" ;;
			FAIL) echo "FAIL: boot/$name: $why (log: $log)"
			      [[ -f $log ]] && tail -n 20 "$log" | tr -d '\r' | sed 's/^/    | /' ;;
			esac
		} > "$out"
		echo "$state" > "$logs/$name.state"
		flock "$logs/.lock" cat "$out"
	}

	local extra=() rc_want='' limit=$TIMEOUT e input='' retries=0 stop='' tpm=0
	read -r -a extra <<<"${qargs//\{O\}/$O}"
	for e in "${expect[@]}"; do
		case $e in
		@rc=*) rc_want=${e#@rc=} ;;
		@timeout=*) limit=${e#@timeout=} ;;
		@stdin=*) input=${e#@stdin=} ;;
		@retry=*) retries=${e#@retry=} ;;
		@stop~*) stop=${e#@stop~} ;;
		@tpm) tpm=1 ;;
		status=pass) : "${rc_want:=1}" ;;
		status=*) : "${rc_want:=3}" ;;
		esac
	done
	: "${rc_want:=1}"
	for ((i = 0; i < ${#extra[@]}; i++)); do
		if [[ ${extra[i]} == -option-rom && ! -f ${extra[i+1]:-} ]]; then
			finish SKIP "not built: ${extra[i+1]:-option ROM}"; return
		fi
	done

	local lint
	lint=$(lint_row "$cmdline" "${expect[@]}") || { finish FAIL "catalogue row: $lint"; return; }

	local tpmdir='' tpmpid=''
	if ((tpm)); then
		command -v swtpm >/dev/null || { finish SKIP "no TPM emulator: swtpm is not installed (apt-get install swtpm swtpm-tools)"; return; }
		tpm_start || { finish FAIL "swtpm did not create its socket (log: $tpmdir/swtpm.log)"; return; }
		extra+=(-chardev "socket,id=tpmchr,path=$tpmdir/sock" -tpmdev emulator,id=tpm0,chardev=tpmchr
			-device tpm-tis,tpmdev=tpm0)
	fi

	. "$here/../../scripts/qemu-cmd.sh"
	local qrc=0
	qemu_cmd "$fw" "$accel" "$smp" "$mem" "$cmdline" "$logs/$name.vars.fd" "${extra[@]}" || qrc=$?
	# 2: a build artifact is missing (a documented skip); anything else
	# (firmware not installed, bad column) is a failure.
	if ((qrc == 2)); then
		tpm_stop; finish SKIP "not built: $QEMU_ERR"; return
	elif ((qrc)); then
		tpm_stop; finish FAIL "$QEMU_ERR"; return
	fi

	local rc=0 attempt=0
	while :; do
		rc=0
		{ printf '# '; printf '%q ' "${QEMU_CMD[@]}"; echo; } > "$log"
		if [[ -n $stop ]]; then         # ended by us once the log shows the expected end
			run_until "$limit" "$stop" || rc=$?
		elif [[ -n $input ]]; then        # typed on the serial console after 3 s
			{ sleep 3; printf '%s\n' "$input"; sleep "$limit"; } |
				timeout --kill-after=5 "$limit" "${QEMU_CMD[@]}" >>"$log" 2>&1 || rc=$?
		else
			timeout --kill-after=5 "$limit" "${QEMU_CMD[@]}" </dev/null >>"$log" 2>&1 || rc=$?
		fi
		# @retry=N: a known-flaky case (see the catalogue) gets N more tries
		# when it produced no result line; each retry is announced and the
		# failed attempt's log kept.
		if ((attempt < retries)) && ! tr -d '\r' <"$log" | grep -q '^PVBOOT RESULT'; then
			attempt=$((attempt + 1))
			cp "$log" "$logs/$name.try$attempt.log"
			flock "$logs/.lock" echo "RETRY: boot/$name: no result line (QEMU exit $rc); log kept as $logs/$name.try$attempt.log"
			continue
		fi
		break
	done
	rm -f "$logs/$name.vars.fd"
	tpm_stop

	local text results
	text=$(tr -d '\r' <"$log")
	results=$(grep -E '^PVBOOT RESULT( |$)' <<<"$text" || true)
	local nres
	nres=$(grep -c . <<<"$results" || true)
	if ((rc == 124 || rc == 137)); then
		finish FAIL "timed out after ${limit}s${stop:+ without a log line matching '$stop'}"; return
	fi
	if [[ -n $stop ]]; then
		# An expected stop (rc 200): no result line may exist, the rest of the expectations apply.
		((nres == 0)) || { finish FAIL "$nres 'PVBOOT RESULT' lines, want none (@stop)"; return; }
		rc_want=200
	elif ((nres != 1)); then
		finish FAIL "$nres 'PVBOOT RESULT' lines, want 1 (QEMU exit $rc)"; return
	fi
	local guest
	guest=$(grep -E '^guest: PVBOOT RESULT( |$)' <<<"$text" | tail -n 1 || true)

	local bad=() key
	for e in "${expect[@]}"; do
		case $e in
		@*) ;;
		'!log~'*) grep -Eiq -- "${e#!log~}" <<<"$text" && bad+=("log matches '${e#!log~}'") ;;
		log~*) grep -Eiq -- "${e#log~}" <<<"$text" || bad+=("no log line matches '${e#log~}'") ;;
		tests\>=*) count_at_least "$results" "${e#tests>=}" || bad+=("tests=$(field "$results" tests), want all passed and at least ${e#tests>=}") ;;
		guest.tests\>=*) count_at_least "$guest" "${e#guest.tests>=}" || bad+=("guest tests=$(field "$guest" tests), want all passed and at least ${e#guest.tests>=}") ;;
		guest.*=*)
			key=${e#guest.}
			[[ " $guest " == *" $key "* ]] || bad+=("guest ${key%%=*}=$(field "$guest" "${key%%=*}"), want ${key#*=}") ;;
		*=*)
			[[ " $results " == *" $e "* ]] || bad+=("${e%%=*}=$(field "$results" "${e%%=*}"), want ${e#*=}") ;;
		*) bad+=("bad expectation '$e' in the catalogue") ;;
		esac
	done
	((rc == rc_want)) || bad+=("QEMU exit $rc, want $rc_want")
	if ((tpm)) && ! replay=$(pcr_replay 2>&1); then
		bad+=("${replay//$'\n'/; }")
	fi
	if ((${#bad[@]})); then
		local msg
		msg=$(printf '%s; ' "${bad[@]}")
		finish FAIL "${msg%; }"
	else
		finish PASS
	fi
}

# @stop~RE: run QEMU, end it as soon as a log line matches RE.  Returns 200
# for that expected stop, 124 if the limit passed first, else QEMU's status.
run_until() {
	local limit=$1 re=$2 qpid rc=0 t=0
	timeout --kill-after=5 "$limit" "${QEMU_CMD[@]}" </dev/null >>"$log" 2>&1 &
	qpid=$!
	while kill -0 "$qpid" 2>/dev/null; do
		if tr -d '\r' <"$log" | grep -Eiq -- "$re"; then
			kill "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null || true
			return 200
		fi
		sleep 0.5
	done
	wait "$qpid" || rc=$?
	return "$rc"
}

# @tpm: a fresh swtpm (TPM 2.0) per case, its control socket for QEMU.
tpm_start() {
	local i
	tpmdir=$(mktemp -d "${TMPDIR:-/tmp}/pvboot-tpm.XXXXXX")
	swtpm socket --tpm2 --tpmstate "dir=$tpmdir" --ctrl "type=unixio,path=$tpmdir/sock" \
		--log "file=$tpmdir/swtpm.log" >/dev/null 2>&1 &
	tpmpid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -S $tpmdir/sock ]] && return 0
		sleep 0.1
	done
	return 1
}

tpm_stop() {
	[[ -n $tpmpid ]] && { kill "$tpmpid" 2>/dev/null; wait "$tpmpid" 2>/dev/null || true; }
	[[ -n $tpmdir ]] && rm -rf "$tpmdir"
	tpmpid='' tpmdir=''
}

# @tpm: PCR 8 and 9 recomputed on the host from the files the image holds,
# the kernel's command line and the logged events (scripts/pcr-replay.py).
pcr_replay() {
	local rom=() i
	for ((i = 0; i < ${#extra[@]}; i++)); do
		[[ ${extra[i]} == -option-rom ]] && rom=(--rom "${extra[i+1]}")
	done
	python3 "$here/../../scripts/pcr-replay.py" "$log" --kernel "${KERNEL:-$O/pvkernel.elf}" \
		--config "$here/../../loader/pvboot.cfg" "${rom[@]}" >>"$log" 2>&1 || {
		grep '^pcr-replay: ' "$log" | grep -v 'matches the recomputation'; return 1; }
}

# tests>=N: the line's tests=PASSED/RAN has PASSED == RAN >= N.
count_at_least() {
	local t
	t=$(field "$1" tests)
	[[ $t =~ ^([0-9]+)/([0-9]+)$ ]] || return 1
	((BASH_REMATCH[1] == BASH_REMATCH[2] && BASH_REMATCH[2] >= $2))
}

# A row that runs the self-tests (`test` on its command line) and expects
# them to pass must say how many: tests=P/R or tests>=N (guest.… for the
# lguest guest).  Otherwise a kernel whose self-tests silently stopped
# running could still pass the row.  Prints what is wrong, or nothing.
lint_row() {
	local cmdline=$1 e pins=0 guest_pins=0 pass=0; shift
	for e; do
		case $e in
		tests=*|tests\>=*) pins=1 ;;
		guest.tests=*|guest.tests\>=*) guest_pins=1 ;;
		status=pass) pass=1 ;;
		esac
	done
	[[ " $cmdline " == *" test "* ]] && ((pass)) || return 0
	if ((!pins)); then
		echo "a passing 'test' row must pin tests=P/R or tests>=N"; return 1
	fi
	if [[ " $cmdline " == *" host=lguest "* ]] && ((!guest_pins)) && [[ " $* " == *" guest=pass "* ]]; then
		echo "a passing host=lguest 'test' row must pin guest.tests=P/R or guest.tests>=N"; return 1
	fi
	return 0
}

# The value of KEY in a result line, or '(missing)'.
field() {
	local w
	for w in $1; do
		[[ $w == "$2="* ]] && { echo "${w#*=}"; return; }
	done
	echo "(missing)"
}

if [[ ${1:-} == --case ]]; then
	run_case "$2"
	exit 0
fi

# ---- driver ------------------------------------------------------------------
mkdir -p "$logs"
: > "$logs/.lock"
selected=$logs/.boot-cases
: > "$selected"
declare -A seen=()
while IFS= read -r line || [[ -n $line ]]; do
	[[ $line =~ ^[[:space:]]*(#|$) ]] && continue
	read -r name _ <<<"$line"
	[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || { echo "catalogue: bad case name '$name'" >&2; exit 2; }
	[[ -z ${seen[$name]:-} ]] || { echo "catalogue: duplicate case '$name'" >&2; exit 2; }
	seen[$name]=1
	if (($#)); then
		match=0
		for g in "$@"; do
			# shellcheck disable=SC2053
			[[ $name == $g ]] && match=1
		done
		((match)) || continue
	fi
	rm -f "$logs/$name.state"
	printf '%s\n' "$line" >> "$selected"
done < "$CATALOGUE"

total=$(grep -c . "$selected" || true)
if ((total == 0)); then
	echo "boot: no catalogue case matches '$*'" >&2
	echo "boot: 0 passed, 0 failed"
	exit 1
fi

xargs -a "$selected" -d '\n' -n 1 -P "$JOBS" "$0" --case || true

pass=0 fail=0 skip=0
while IFS= read -r line; do
	read -r name _ <<<"$line"
	state=$(cat "$logs/$name.state" 2>/dev/null || echo FAIL)
	case $state in
	PASS) pass=$((pass + 1)) ;;
	SKIP) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)); [[ -f $logs/$name.state ]] || echo "FAIL: boot/$name: the case runner died" ;;
	esac
done < "$selected"
summary="boot: $pass passed, $fail failed"
((skip)) && summary+=", $skip skipped"
echo "$summary"
((fail == 0))
