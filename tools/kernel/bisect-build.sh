#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build arch/powerpc/kvm/ of Debian's linux-source-V with W=1, pristine and
# then after each patch of kernel-patch/V/ in turn, so that every patch is
# known to build on its own (a bisect check); or, with --modular, the whole
# series with KVM_BOOK3S_64_HV=m, checking that every symbol kvm-hv.o takes
# from the kernel's built-in KVM code is exported.
#
# One line per step on stdout:
#   step N NAME ok|FAIL warnings=W new=M dir=DIR [cached]
# N = 0 is the pristine tree, NAME the patch (or "pristine", "modular");
# W the distinct W=1 warnings, M those the pristine tree does not have;
# DIR keeps the build log, the warnings and the objects the off-cost check
# reads (tools/kernel/hfault-offcost.py).  Exit status 1 if a step failed.
#
# Each step's result is cached in $KVMSLB_CACHE/checks/ under a key hashing
# the source version, the patches up to that step, the config fragment,
# this script and the compiler's version: an unchanged series costs nothing.
#
# Usage: tools/kernel/bisect-build.sh --version 6.1|6.12 [--modular]
# Environment: KVMSLB_CACHE, JOBS (default nproc).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF="$ROOT/tools/kernel/bisect-build.sh"
BK="$ROOT/tools/kernel/build-kernel.sh"
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
FRAGMENT="$ROOT/kernel-patch/powernv-test-kernel.config"
JOBS=${JOBS:-$(nproc)}
CROSS=powerpc64le-linux-gnu-
OBJS="book3s_hv_rmhandlers.o book3s_64_entry.o book3s_hv_builtin.o"

version='' modular=0
die() { echo "bisect-build: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--version) version=${2:-}; shift ;;
	--modular) modular=1 ;;
	-h|--help) sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) echo "bisect-build: unknown option '$1'" >&2; exit 2 ;;
	esac
	shift
done
case $version in
6.1|6.12) ;;
*) echo "bisect-build: --version 6.1|6.12 is required" >&2; exit 2 ;;
esac

mapfile -t patches < <(find "$ROOT/kernel-patch/$version" -maxdepth 1 -name '*.patch' | sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in kernel-patch/$version"
src=$("$BK" --version "$version" --source-only 2>/dev/null | tail -n1) ||
	die "cannot fetch or verify linux-source-$version (tools/kernel/build-kernel.sh --source-only)"
export ARCH=powerpc CROSS_COMPILE=$CROSS CCACHE_DIR="$CACHE/ccache"
CC_ARG="ccache ${CROSS}gcc"
command -v ccache >/dev/null || CC_ARG="${CROSS}gcc"
ccver=$("${CROSS}gcc" --version | head -n1)

mkdir -p "$CACHE/checks" "$CACHE/build"
tree="$CACHE/build/bisect-$version-tree"
out="$CACHE/build/bisect-$version-out"
[ $modular = 1 ] && out="$CACHE/build/bisect-$version-mod"

# step_key N: hash of what step N's result depends on
step_key() {
	{
		echo "${src##*/} modular=$modular $ccver"
		local i
		for ((i = 0; i < $1; i++)); do echo "${patches[i]##*/}"; cat "${patches[i]}"; done
		cat "$FRAGMENT" "$SELF"
	} | sha256sum | cut -c1-16
}

# configure DIR: allnoconfig plus the fragment (and =m for --modular)
configure() {
	local frag=$FRAGMENT
	if [ $modular = 1 ]; then
		frag="$out.fragment"
		sed 's/^CONFIG_KVM_BOOK3S_64=y/CONFIG_KVM_BOOK3S_64=m/;
		     s/^CONFIG_KVM_BOOK3S_64_HV=y/CONFIG_KVM_BOOK3S_64_HV=m/' "$FRAGMENT" > "$frag"
	fi
	make -s -C "$tree" O="$out" CC="$CC_ARG" allnoconfig KCONFIG_ALLCONFIG="$frag" \
		> "$1/log" 2>&1
	if [ $modular = 1 ]; then
		grep -qx CONFIG_KVM_BOOK3S_64_HV=m "$out/.config" ||
			{ echo "KVM_BOOK3S_64_HV=m did not survive the configuration" >> "$1/log"; return 1; }
	fi
}

# build DIR: W=1 arch/powerpc/kvm/ into $out; warnings, objects into DIR
build() {
	local d=$1
	configure "$d" || return 1
	# recompile everything under arch/powerpc/kvm so that ccache replays
	# the warnings of objects make would otherwise keep
	find "$out/arch/powerpc/kvm" -name '*.o' -delete 2>/dev/null || true
	make -C "$tree" O="$out" CC="$CC_ARG" W=1 -j"$JOBS" arch/powerpc/kvm/ >> "$d/log" 2>&1 ||
		return 1
	{ grep -iE ': warning: ' "$d/log" || true; } |
		sed -E 's#^.*/(arch|virt|include)/#\1/#; s/:[0-9]+(:[0-9]+)?: [Ww]arning: /: /' |
		sort -u > "$d/warnings"
	local o
	for o in $OBJS; do cp "$out/arch/powerpc/kvm/$o" "$d/"; done
	if [ $modular = 1 ]; then
		exports_check "$d" >> "$d/log" 2>&1 || return 1
	fi
}

# The symbols kvm-hv.o takes from the built-in objects of arch/powerpc/kvm
# must be exported (what modpost would say, without linking vmlinux).
exports_check() {
	local kvm="$out/arch/powerpc/kvm" undef missing='' s
	[ -f "$kvm/kvm-hv.o" ] || { echo "no kvm-hv.o: KVM_BOOK3S_64_HV is not modular"; return 1; }
	undef=$("${CROSS}nm" -u "$kvm/kvm-hv.o" | awk '{print $2}' | sort -u)
	for s in $("${CROSS}nm" --defined-only "$kvm/built-in.a" 2>/dev/null |
		   awk '$2 ~ /[TDBR]/ {print $3}' | sort -u | comm -12 - <(echo "$undef")); do
		# __ksymtab_ up to 6.4, __export_symbol_ since
		"${CROSS}nm" "$kvm/built-in.a" | grep -qwE "__ksymtab_$s|__export_symbol_$s" ||
			missing="$missing $s"
	done
	[ -z "$missing" ] || { echo "not exported to kvm-hv.ko:$missing"; return 1; }
	echo "exports: every built-in symbol kvm-hv.o uses is exported"
}

# One build at a time per version: the tree and build dirs are shared.
exec 9>"$CACHE/build/.bisect-$version.lock"
flock 9

fail=0
# run_step N NAME
run_step() {
	local n=$1 name=$2 key d tmp status
	key=$(step_key "$n")
	d="$CACHE/checks/kvm-$version-$key"
	if [ -f "$d/status" ]; then
		status=$(cat "$d/status")
		echo "step $n $name $status warnings=$(wc -l < "$d/warnings") new=$(new_warnings "$d" | wc -l) dir=$d cached"
		[ "$status" = ok ] || fail=1
		return
	fi
	# The tree: the pristine source with the patches up to this step.
	# From the previous step, apply one patch; else start over (the
	# files rsync rewrites get a new mtime, so that make sees them).
	local i=0
	if [ $n -gt 0 ] && [ "$(cat "$tree/.bisect-step" 2>/dev/null)" = "$(step_key $((n - 1)))" ]; then
		i=$((n - 1))
	else
		rm -f "$tree/.bisect-step"
		rsync -rlpgoD -c --delete --exclude=.kvmslb-unpacked "$src/" "$tree/"
	fi
	for (( ; i < n; i++)); do
		patch -d "$tree" -p1 -F0 -s --forward --no-backup-if-mismatch < "${patches[i]}" > /dev/null ||
			die "${patches[i]##*/} does not apply"
	done
	echo "$key" > "$tree/.bisect-step"
	tmp=$(mktemp -d "$CACHE/checks/.tmp.XXXXXX")
	status=ok
	if ! build "$tmp"; then
		status=FAIL
		touch "$tmp/warnings"
	fi
	echo "$status" > "$tmp/status"
	rm -rf "$d"
	mv "$tmp" "$d"
	echo "step $n $name $status warnings=$(wc -l < "$d/warnings") new=$(new_warnings "$d" | wc -l) dir=$d"
	[ "$status" = ok ] || fail=1
}
new_warnings() { comm -13 "$base/warnings" "$1/warnings"; }

if [ $modular = 1 ]; then
	base=/dev/null
	run_step ${#patches[@]} modular
	exit $fail
fi
run_step 0 pristine
base="$CACHE/checks/kvm-$version-$(step_key 0)"
for ((k = 1; k <= ${#patches[@]}; k++)); do
	run_step "$k" "${patches[k - 1]##*/}"
done
exit $fail
