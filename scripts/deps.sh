#!/usr/bin/env bash
# Check the Debian packages pvboot needs and install the missing ones (fast no-op once satisfied).
set -euo pipefail

PKGS=(gcc gcc-multilib binutils make qemu-system-x86 seabios ovmf ovmf-ia32 gnu-efi
      mtools libcmocka-dev clang libclang-rt-14-dev python3 hyperfine qemu-user
      grub-common grub-pc-bin grub-efi-amd64-bin grub-efi-ia32-bin xorriso sbsigntool openssl)
# Installed when possible, not required: without them the TPM boot cases are
# skipped with the reason (docs/secure-boot.md).
OPT_PKGS=(swtpm swtpm-tools tpm2-tools)

O=${O:-build}
self=$(sha1sum "$0" | cut -c1-12)
stamp=$O/.deps-$self
[[ -f $stamp ]] && exit 0

# Packages dpkg does not list as installed.
missing_pkgs() {
	command -v dpkg-query >/dev/null || { printf '%s\n' "${PKGS[@]}"; return; }
	local ok
	ok=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PKGS[@]}" 2>/dev/null |
		awk '$2 == "ii" { print $1 }') || true
	local p
	for p in "${PKGS[@]}"; do
		grep -qx -- "$p" <<<"$ok" || echo "$p"
	done
}

# What the packages are for, checked by use: -m32 compiles and libFuzzer links.
probe() {
	local t
	t=$(mktemp -d)
	trap 'rm -rf "$t"' RETURN
	echo 'int main(void){return 0;}' > "$t/m.c"
	gcc -m32 "$t/m.c" -o "$t/m" 2>/dev/null || { echo "gcc -m32 (gcc-multilib)"; return; }
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' > "$t/f.c"
	clang -fsanitize=fuzzer "$t/f.c" -o "$t/f" 2>/dev/null || { echo "clang -fsanitize=fuzzer (libclang-rt-14-dev)"; return; }
	local c
	for c in qemu-system-i386 qemu-system-x86_64 qemu-i386 mcopy python3 hyperfine grub-mkrescue xorriso sbsign sbverify openssl; do
		command -v "$c" >/dev/null || { echo "$c"; return; }
	done
}

# The optional ones: one attempt as root, then the build goes on either way.
mapfile -t opt_missing < <(PKGS=("${OPT_PKGS[@]}"); missing_pkgs)
if ((${#opt_missing[@]})) && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
	echo "deps: installing optional ${opt_missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${opt_missing[@]}" \
		>"${TMPDIR:-/tmp}/pvboot-deps-opt.log" 2>&1 ||
		echo "deps: could not install ${opt_missing[*]} (log: ${TMPDIR:-/tmp}/pvboot-deps-opt.log); the TPM cases will be skipped"
fi

mapfile -t missing < <(missing_pkgs)
if ((${#missing[@]})); then
	install="apt-get update && apt-get install -y ${missing[*]}"
	if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "deps: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >"${TMPDIR:-/tmp}/pvboot-deps.log" 2>&1; then
			echo "deps: apt-get failed (log: ${TMPDIR:-/tmp}/pvboot-deps.log); missing: ${missing[*]}; run: sudo sh -c '$install'" >&2
			exit 1
		fi
	else
		echo "deps: missing Debian packages: ${missing[*]}; run: sudo sh -c '$install'" >&2
		exit 1
	fi
fi

bad=$(probe)
if [[ -n $bad ]]; then
	echo "deps: packages look installed but $bad does not work; run: sudo apt-get install --reinstall ${PKGS[*]}" >&2
	exit 1
fi
mkdir -p "$O"
rm -f "$O"/.deps-*
touch "$stamp"
