#!/usr/bin/env bash
# Run the QEMU boot catalogue (tests/boot/catalogue) in parallel and check each PVBOOT RESULT line.
# usage: tests/boot/run.sh [--repeat N] [NAME-GLOB...]      env: O JOBS TIMEOUT TIMEOUT_SCALE CATALOGUE KERNEL IMAGE
#   TIMEOUT_SCALE=K   multiply every case's time limit by K (a machine given other work:
#                     the limits are hang guards sized for an idle 2-core machine)
#   --repeat N   boot every selected case N times and report each as "k/N passed"
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
export O=${O:-build} JOBS=${JOBS:-2} TIMEOUT=${TIMEOUT:-60} TIMEOUT_SCALE=${TIMEOUT_SCALE:-1}
export CATALOGUE=${CATALOGUE:-$here/catalogue}
logs=$O/test-logs

# ---- one case (run by xargs in a child): $1 is the catalogue line, $2 the
# run number under --repeat (its files then go to $logs/repeat/<name>.<run>.*)
run_case() {
	local line=$1 run=${2:-} cols
	mapfile -t cols < <(xargs printf '%s\n' <<<"$line")
	local name=${cols[0]} fw=${cols[1]} accel=${cols[2]} smp=${cols[3]} mem=${cols[4]}
	local qargs=${cols[5]} cmdline=${cols[6]} expect=("${cols[@]:7}")
	[[ $qargs == - ]] && qargs=
	[[ $cmdline == - ]] && cmdline=
	local base=$logs/$name label=boot/$name
	if [[ -n $run ]]; then
		base=$logs/repeat/$name.$run label="boot/$name (run $run)"
	fi
	local log=$base.log out=$base.out t0=${EPOCHREALTIME//[.,]/}
	local why='' state=FAIL
	rm -f "$log"    # a case that fails before QEMU runs must not show an old log

	finish() {
		state=$1 why=${2:-}
		{
			case $state in
			PASS) echo "PASS: $label" ;;
			SKIP) echo "SKIP: $label: $why" ;;
			FAIL) echo "FAIL: $label: $why (log: $log)"
			      [[ -f $log ]] && tail -n 20 "$log" | tr -d '\r' | sed 's/^/    | /' ;;
			esac
		} > "$out"
		# state, seconds taken, reason: the repeat summary reads them back
		local us=$((${EPOCHREALTIME//[.,]/} - t0))
		printf '%s %d.%d %s\n' "$state" $((us / 1000000)) $((us / 100000 % 10)) "$why" > "$base.state"
		flock "$logs/.lock" cat "$out"
	}

	local extra=() rc_want='' limit=$TIMEOUT e input='' stop='' tpm=0
	read -r -a extra <<<"${qargs//\{O\}/$O}"
	for e in "${expect[@]}"; do
		case $e in
		@rc=*) rc_want=${e#@rc=} ;;
		@timeout=*) limit=${e#@timeout=} ;;
		@stdin=*) input=${e#@stdin=} ;;
		@stop~*) stop=${e#@stop~} ;;
		@tpm) tpm=1 ;;
		status=pass) : "${rc_want:=1}" ;;
		status=*) : "${rc_want:=3}" ;;
		esac
	done
	: "${rc_want:=1}"
	[[ $TIMEOUT_SCALE =~ ^[1-9][0-9]?$ ]] || { finish FAIL "TIMEOUT_SCALE=$TIMEOUT_SCALE: want a whole number 1-99"; return; }
	limit=$((limit * TIMEOUT_SCALE))
	for ((i = 0; i < ${#extra[@]}; i++)); do
		if [[ ${extra[i]} == -option-rom && ! -f ${extra[i+1]:-} ]]; then
			finish SKIP "not built: ${extra[i+1]:-option ROM}"; return
		fi
		# a build artifact named by file= (fw_cfg blobs, test images)
		if [[ ${extra[i]} =~ (^|,)file=($O/[^,]*) && ! -f ${BASH_REMATCH[2]} ]]; then
			finish SKIP "not built: ${BASH_REMATCH[2]} (make test-images)"; return
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
	qemu_cmd "$fw" "$accel" "$smp" "$mem" "$cmdline" "$base.vars.fd" "${extra[@]}" || qrc=$?
	# 2: a build artifact is missing (a documented skip); anything else
	# (firmware not installed, bad column) is a failure.
	if ((qrc == 2)); then
		tpm_stop; finish SKIP "not built: $QEMU_ERR"; return
	elif ((qrc)); then
		tpm_stop; finish FAIL "$QEMU_ERR"; return
	fi

	local rc=0
	{ printf '# '; printf '%q ' "${QEMU_CMD[@]}"; echo; } > "$log"
	if [[ -n $stop ]]; then         # ended by us once the log shows the expected end
		run_until "$limit" "$stop" || rc=$?
	elif [[ -n $input ]]; then        # typed once the kernel waits for it
		run_typing "$limit" "$input" || rc=$?
	else
		timeout --kill-after=5 "$limit" "${QEMU_CMD[@]}" </dev/null >>"$log" 2>&1 || rc=$?
	fi
	rm -f "$base.vars.fd"
	tpm_stop

	local text results
	text=$(tr -d '\r' <"$log")
	results=$(grep -E '^PVBOOT RESULT( |$)' <<<"$text" || true)
	local nres
	nres=$(grep -c . <<<"$results" || true)
	if ((rc == 124 || rc == 137)); then
		# How far it got, and how much CPU QEMU had: a hung guest burns its
		# share, a starved one (a busy machine) had little.
		local last cpu
		times > "$base.cpu"     # a builtin in this shell: a subshell would see none
		cpu=$(child_cpu <"$base.cpu")
		rm -f "$base.cpu"
		last=$(sed -e 's/\x1b\[[0-9;=]*[A-Za-z]//g' -e '/^#/d' -e '/^qemu-system-[a-z0-9_]*: terminating/d' -e '/^[[:space:]]*$/d' <<<"$text" | tail -n 1 | cut -c1-80)
		finish FAIL "timed out after ${limit}s${stop:+ without a log line matching '$stop'}, QEMU had ${cpu}s of CPU; last line: ${last:-(none)}"; return
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

# @stdin=TEXT: run QEMU with its serial input on a FIFO and type TEXT once
# the kernel logs that it waits for a line.  Typing after a fixed delay
# raced the boot: a loaded host can take longer than any delay to get
# there.  Returns QEMU's status (124 if the limit passed).
run_typing() {
	local limit=$1 text=$2 fifo=$base.stdin qpid fd rc=0
	rm -f "$fifo"
	mkfifo "$fifo"
	timeout --kill-after=5 "$limit" "${QEMU_CMD[@]}" <"$fifo" >>"$log" 2>&1 &
	qpid=$!
	exec {fd}>"$fifo"               # held open: QEMU sees no end of input
	while kill -0 "$qpid" 2>/dev/null; do
		if tr -d '\r' <"$log" | grep -Eq 'console: waiting [0-9]+ ms for a line'; then
			printf '%s\n' "$text" >&"$fd"
			break
		fi
		sleep 0.2
	done
	wait "$qpid" || rc=$?
	exec {fd}>&-
	rm -f "$fifo"
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
	# The guest's own result line expected to pass (guest.status=pass): pin its count too.
	if [[ " $cmdline " == *" host=lguest "* ]] && ((!guest_pins)) && [[ " $* " == *" guest.status=pass "* ]]; then
		echo "a host=lguest 'test' row whose guest passes must pin guest.tests=P/R or guest.tests>=N"; return 1
	fi
	return 0
}

# CPU seconds (user + system) of the waited-for children, from the output
# of bash's `times` on stdin (second line: "XmY.YYYs XmY.YYYs").
child_cpu() {
	local u s
	read -r _ && read -r u s
	awk -v u="$u" -v s="$s" 'function sec(t) { split(t, a, "m"); return a[1] * 60 + a[2] }
		BEGIN { printf "%.0f", sec(u) + sec(s) }'
}

# The value of KEY in a result line, or '(missing)'.
field() {
	local w
	for w in $1; do
		[[ $w == "$2="* ]] && { echo "${w#*=}"; return; }
	done
	echo "(missing)"
}

# --repeat N: every selected case N times, run k of every case before run
# k+1 of any (so a busy spell on the machine is spread over the cases), JOBS
# at a time.  Prints each failed run as it happens, then one line per case:
# "k/N passed" with the median and longest time; a case passes only N/N.
repeat_cases() {
	local tasks=$logs/.repeat-tasks line name k
	mkdir -p "$logs/repeat"
	: > "$tasks"
	for ((k = 1; k <= repeat; k++)); do
		while IFS= read -r line; do
			read -r name _ <<<"$line"
			rm -f "$logs/repeat/$name.$k".{log,state,out}
			printf '%s\0%s\0' "$line" "$k" >> "$tasks"
		done < "$selected"
	done
	# Only failures are printed per run: N passing lines per case say nothing.
	xargs -0 -a "$tasks" -n 2 -P "$JOBS" "$0" --case | grep -v '^PASS: ' || true

	local pass=0 fail=0 skip=0 ok st secs times why
	echo "repeat: $repeat runs per case (JOBS=$JOBS)"
	while IFS= read -r line; do
		read -r name _ <<<"$line"
		ok=0 st=PASS times=() why=
		for ((k = 1; k <= repeat; k++)); do
			local f=$logs/repeat/$name.$k.state s r
			s=$(state_of "$f")
			[[ -f $f ]] && read -r _ secs r <"$f" || { secs=0 r="the case runner died"; }
			times+=("$secs")
			case $s in
			PASS) ok=$((ok + 1)) ;;
			SKIP) st=SKIP why=$r ;;
			*) st=FAIL; [[ -n $why ]] || why="run $k: $r" ;;
			esac
		done
		if [[ $st == SKIP ]]; then
			printf '  %-24s skipped: %s\n' "$name" "$why"
			skip=$((skip + 1))
			continue
		fi
		local sorted median max
		mapfile -t sorted < <(printf '%s\n' "${times[@]}" | sort -n)
		median=${sorted[$(((repeat - 1) / 2))]} max=${sorted[$((repeat - 1))]}
		printf '  %-24s %d/%d passed   median %ss, longest %ss%s\n' "$name" "$ok" "$repeat" \
			"$median" "$max" "${why:+   (first failure: $why)}"
		if ((ok == repeat)); then pass=$((pass + 1)); else fail=$((fail + 1)); fi
	done < "$selected"
	local summary="boot: $pass passed, $fail failed"
	((skip)) && summary+=", $skip skipped"
	echo "$summary (a case passes only if all $repeat runs passed; logs: $logs/repeat/)"
	((fail == 0))
}

if [[ ${1:-} == --case ]]; then
	run_case "$2" "${3:-}"
	exit 0
fi

repeat=0
if [[ ${1:-} == --repeat ]]; then
	repeat=${2:-}
	[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --repeat wants a run count of 1 or more, not '${2:-}'" >&2; exit 2; }
	shift 2
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

# The case's state file: "STATE SECONDS REASON" (the first word only, if
# the runner died before writing it: FAIL).
state_of() {
	local f=$1
	[[ -f $f ]] && read -r REPLY _ <"$f" || REPLY=FAIL
	echo "$REPLY"
}

if ((repeat)); then
	repeat_cases
	exit $?
fi

xargs -a "$selected" -d '\n' -n 1 -P "$JOBS" "$0" --case || true

pass=0 fail=0 skip=0
while IFS= read -r line; do
	read -r name _ <<<"$line"
	state=$(state_of "$logs/$name.state")
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
