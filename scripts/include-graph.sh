#!/usr/bin/env bash
# Count the #include arrows between the parts of the tree (folder -> folder), from the real sources.
# usage: scripts/include-graph.sh [--edges]    (run from the top of a checkout; reads git's file list)
#
# Each quoted #include is resolved the way the compiler does it: first beside
# the including file, then along the include paths the Makefile passes that
# part (-Iinclude, -Ikernel, -Iloader/common, -Iloader/bios, -Iloader/uefi,
# -Itests/unit, the ROM's own folder).  An arrow "A -> B" means some file in
# folder A includes a file in folder B; arrows inside one folder are not counted.
# --edges lists every file-level arrow that crosses folders instead.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"

search_path() {	# the -I list a file is compiled with, by where it lives
	case $1 in
	kernel/*|backends/vmi/[!r]*|backends/lguest/*|lib/*) echo "include kernel" ;;
	backends/vmi/rom/*) echo "include backends/vmi/rom" ;;
	loader/bios/*) echo "include loader/bios loader/common" ;;
	loader/uefi/*) echo "include loader/common loader/uefi" ;;
	loader/common/*) echo "include loader/common loader/bios" ;;
	tests/*) echo "include tests/unit loader/common loader/uefi kernel" ;;
	*) echo "include" ;;
	esac
}

resolve() {	# $1 including file, $2 quoted name -> repository path or nothing
	local dir=${1%/*} cand
	cand=$(realpath -m --relative-to=. "$dir/$2")
	[[ -f $cand ]] && { echo "$cand"; return; }
	for d in $(search_path "$1"); do
		[[ -f $d/$2 ]] && { echo "$d/$2"; return; }
	done
}

edges=$(git ls-files '*.c' '*.h' '*.S' | while read -r f; do
	grep -oE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[^"]+"' "$f" |
		sed -E 's/.*"([^"]+)"/\1/' | while read -r inc; do
		t=$(resolve "$f" "$inc")
		[[ -n $t ]] || continue
		[[ ${f%/*} == "${t%/*}" ]] && continue
		echo "$f $t"
	done
done)

if [[ ${1:-} == --edges ]]; then
	echo "$edges"
	exit 0
fi
[[ -n $edges ]] || { echo "no arrows between folders"; exit 0; }
echo "$edges" | awk '{ a = $1; b = $2; sub(/\/[^\/]*$/, "", a); sub(/\/[^\/]*$/, "", b); n[a " -> " b]++ }
	END { for (k in n) printf "%4d  %s\n", n[k], k }' | sort -k2
