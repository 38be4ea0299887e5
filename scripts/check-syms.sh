#!/usr/bin/env bash
# Verify the second link pass moved no symbol that the table describes.
set -euo pipefail
a=$(nm -n "$1" | awk '$2 ~ /^[tTwW]$/ {print $1, $3}')
b=$(nm -n "$2" | awk '$2 ~ /^[tTwW]$/ {print $1, $3}')
if [ "$a" != "$b" ]; then
	echo "check-syms: text symbols moved between link passes ($1 vs $2)" >&2
	exit 1
fi
