#!/usr/bin/env bash
# Turn `nm -n` output (file or - for stdin) into the kernel's sorted symbol
# table (.ksyms: count, then {addr, name offset} pairs, then the names).
set -euo pipefail
in=${1:--}
awk '
$2 ~ /^[tTwW]$/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 4"
	print "\t.globl ksyms_count"
	print "ksyms_count:\t.long " n
	print "\t.globl ksyms_table"
	print "ksyms_table:"
	for (i = 0; i < n; i++) printf "\t.long 0x%s, ksym_name_%d\n", addr[i], i
	for (i = 0; i < n; i++) printf "ksym_name_%d:\t.asciz \"%s\"\n", i, name[i]
}' "$( [ "$in" = - ] && echo /dev/stdin || echo "$in")"
