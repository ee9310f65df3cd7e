#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the kvmslb test kernel: Debian's linux-source-6.1 with the series in
# kernel-patch/ applied, configured from kernel-patch/powernv-test-kernel.config,
# cross-compiled for ppc64le (powernv, KVM HV built in, BTF).
#
# The stripped vmlinux lands in $KVMSLB_CACHE/kernel/<key>/vmlinux, where key
# hashes the source version, the series, the config fragment and this script;
# an unchanged rebuild is an output cache hit.  Its path is the last line of
# stdout.  Progress goes to stderr.
#
# Usage: tools/kernel/build-kernel.sh [options]
#   (no option)        build (or reuse) the patched 6.1 kernel, print the path
#   --print-path       print the path of the cached kernel; exit 1 if not built
#   --version V        kernel series: 6.1 (default) or 6.12
#   --source-only      fetch, unpack and verify the pristine tree; print its path
#   --tree-only        also make the patched tree (series applied); print its path
#   --config-only DIR  configure the tree (patched, or pristine with --unpatched)
#                      into build dir DIR; print DIR
#   --unpatched        with --tree-only/--config-only: use the pristine tree
#   -v                 show the kernel build's own output
#   -h, --help         this text
#
# Environment: KVMSLB_CACHE (default ~/.cache/kvmslb), V=1 (same as -v),
# JOBS (default nproc), KVMSLB_SRC_61 / KVMSLB_SRC_612 (Debian version pins).
#
# Needs: apt-get, dpkg-deb, xz-utils, gcc-powerpc64le-linux-gnu (binutils
# included), make, bc, bison, flex, libssl-dev, libelf-dev, dwarves (pahole),
# ccache, rsync, patch, python3, coreutils, util-linux (flock).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SELF="$ROOT/tools/kernel/build-kernel.sh"
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
FRAGMENT="$ROOT/kernel-patch/powernv-test-kernel.config"
PIN_61=${KVMSLB_SRC_61:-6.1.176-1}
PIN_612=${KVMSLB_SRC_612:-6.12.117-1~deb12u1}
JOBS=${JOBS:-$(nproc)}
CROSS=powerpc64le-linux-gnu-

mode=build
version=6.1
unpatched=0
verbose=${V:-0}
config_dir=

die() { echo "build-kernel: $*" >&2; exit 1; }
usage_die() { echo "build-kernel: $*" >&2; echo "Try '$0 --help'." >&2; exit 2; }
stage() { echo "==> $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--print-path)	mode=print ;;
	--source-only)	mode=source ;;
	--tree-only)	mode=tree ;;
	--config-only)	mode=config; config_dir=${2:-}; shift
			[ -n "$config_dir" ] || usage_die "--config-only needs a directory" ;;
	--unpatched)	unpatched=1 ;;
	--version)	version=${2:-}; shift ;;
	-v)		verbose=1 ;;
	-h|--help)	sed -n '3,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*)		usage_die "unknown option '$1'" ;;
	esac
	shift
done

case $version in
6.1)	pin=$PIN_61 ;;
6.12)	pin=$PIN_612 ;;
*)	usage_die "unsupported --version '$version' (6.1 or 6.12)" ;;
esac
pkg=linux-source-$version

# Series: kernel-patch/<version>/ if it exists, else kernel-patch/*.patch
series_dir="$ROOT/kernel-patch/$version"
[ -d "$series_dir" ] || series_dir="$ROOT/kernel-patch"
mapfile -t patches < <(find "$series_dir" -maxdepth 1 -name '*.patch' | sort)
[ ${#patches[@]} -gt 0 ] || die "no patches in $series_dir"

mkdir -p "$CACHE/src" "$CACHE/kernel" "$CACHE/build"

# ---- output cache key: source version, series, fragment, this script ----
set_key() {
	key=$( {
		echo "$pkg $pin"
		for p in "${patches[@]}"; do echo "${p##*/}"; cat "$p"; done
		cat "$FRAGMENT" "$SELF"
	} | sha256sum | cut -c1-16)
	outdir="$CACHE/kernel/$version-$key"
}
set_key

if [ "$mode" = print ]; then
	[ -f "$outdir/vmlinux" ] || die "no cached kernel for this series ($outdir); run $0 first"
	echo "$outdir/vmlinux"
	exit 0
fi
if [ "$mode" = build ] && [ -f "$outdir/vmlinux" ]; then
	stage "cached: $outdir/vmlinux (key $key)"
	echo "$outdir/vmlinux"
	exit 0
fi

# One build at a time per cache: the trees and build dirs are shared.
exec 9>"$CACHE/build/.lock"
if ! flock -n 9; then
	stage "waiting for another build-kernel.sh using $CACHE"
	flock 9
fi
if [ "$mode" = build ] && [ -f "$outdir/vmlinux" ]; then
	stage "cached: $outdir/vmlinux (key $key)"
	echo "$outdir/vmlinux"
	exit 0
fi

# ---- fetch: apt-get download linux-source-X=<pin>, else the candidate ----
fetch_deb() {
	local deb
	deb=$(ls "$CACHE/src/${pkg}_${pin}_all.deb" 2>/dev/null || true)
	if [ -n "$deb" ]; then echo "$deb"; return; fi
	stage "fetching $pkg=$pin (apt-get download)"
	if ! (cd "$CACHE/src" && apt-get download "$pkg=$pin" >&2 2>/dev/null); then
		local cand
		cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
		[ -n "$cand" ] && [ "$cand" != "(none)" ] ||
			die "cannot download $pkg=$pin and apt knows no candidate; run 'apt-get update' (Debian bookworm sources needed)"
		echo "build-kernel: WARNING: $pkg=$pin is no longer downloadable; falling back to the candidate $cand" >&2
		pin=$cand
		(cd "$CACHE/src" && apt-get download "$pkg=$pin" >&2) ||
			die "cannot download $pkg=$pin; check apt sources and network"
	fi
	deb=$(ls "$CACHE/src/${pkg}_${pin}_all.deb" 2>/dev/null) ||
		die "apt-get download did not leave ${pkg}_${pin}_all.deb in $CACHE/src"
	echo "$deb"
}

srcdir="$CACHE/src/$pkg-$pin"
if [ ! -f "$srcdir/.kvmslb-unpacked" ]; then
	deb=$(fetch_deb)
	pin=${deb##*/}; pin=${pin#"${pkg}_"}; pin=${pin%_all.deb}
	srcdir="$CACHE/src/$pkg-$pin"
	set_key
	if [ ! -f "$srcdir/.kvmslb-unpacked" ]; then
		stage "unpacking ${deb##*/}"
		rm -rf "$srcdir" "$srcdir.tmp"
		mkdir -p "$srcdir.tmp"
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -O "./usr/src/$pkg.tar.xz" |
			tar -xJ -C "$srcdir.tmp" ||
			die "cannot unpack $deb"
		mv "$srcdir.tmp/$pkg" "$srcdir"
		rmdir "$srcdir.tmp"
		touch "$srcdir/.kvmslb-unpacked"
	fi
fi

# ---- verify: the tree we expect, carrying the 2015 fix ----
stage "verifying $srcdir"
want_ver=${version%%.*}; want_pl=${version#*.}
got_ver=$(sed -n 's/^VERSION = //p' "$srcdir/Makefile")
got_pl=$(sed -n 's/^PATCHLEVEL = //p' "$srcdir/Makefile")
[ "$got_ver.$got_pl" = "$want_ver.$want_pl" ] ||
	die "$srcdir is Linux $got_ver.$got_pl, expected $version: refusing an unexpected tree"
rmh="$srcdir/arch/powerpc/kvm/book3s_hv_rmhandlers.S"
[ -f "$rmh" ] || die "$rmh missing: not a Linux tree with KVM Book3S HV; refusing"
python3 - "$rmh" <<'EOF' || die "$rmh lacks the 2015 fix (slbfee. then li r0,BOOK3S_INTERRUPT_DATA_SEGMENT; bne): refusing an unexpected tree"
import re, sys
s = open(sys.argv[1]).read()
ok = all(re.search(r"PPC_SLBFEE_DOT\(R5, R0\)[^\n]*\n\s*li\s+r0, BOOK3S_INTERRUPT_%s_SEGMENT\n\s*bne\s" % v, s)
         for v in ("DATA", "INST"))
sys.exit(0 if ok else 1)
EOF

[ "$mode" = source ] && { echo "$srcdir"; exit 0; }

# ---- patched tree: a copy of the pristine tree with the series applied ----
tree="$CACHE/build/tree-$version"
if [ "$unpatched" = 1 ]; then
	tree=$srcdir
else
	stage "preparing patched tree $tree (${#patches[@]} patches from ${series_dir#$ROOT/})"
	mkdir -p "$tree"
	# -c: only files whose content differs are rewritten, so make and
	# ccache see the same files as last time except those the series changes
	rsync -a -c --delete --exclude=.kvmslb-unpacked "$srcdir/" "$tree/"
	for p in "${patches[@]}"; do
		patch -d "$tree" -p1 -F0 -s --forward --dry-run < "$p" >&2 ||
			die "${p##*/} does not apply to $pkg $pin"
		patch -d "$tree" -p1 -F0 -s --forward --no-backup-if-mismatch < "$p" ||
			die "${p##*/} failed to apply"
	done
fi
[ "$mode" = tree ] && { echo "$tree"; exit 0; }

# ---- configure ----
export ARCH=powerpc CROSS_COMPILE=$CROSS CCACHE_DIR="$CACHE/ccache"
command -v "${CROSS}gcc" >/dev/null || die "${CROSS}gcc not found: apt-get install gcc-powerpc64le-linux-gnu"
CC_ARG="${CROSS}gcc"
command -v ccache >/dev/null && CC_ARG="ccache ${CROSS}gcc" ||
	echo "build-kernel: ccache not found, building without it (apt-get install ccache)" >&2

configure() { # $1 = source tree, $2 = build dir
	stage "configuring $2 (allnoconfig + ${FRAGMENT#$ROOT/})"
	mkdir -p "$2"
	make -s -C "$1" O="$2" CC="$CC_ARG" allnoconfig KCONFIG_ALLCONFIG="$FRAGMENT" >&2 ||
		die "kernel configuration failed"
	# every symbol the fragment sets must have survived
	local miss
	miss=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$FRAGMENT" | while read -r l; do
		grep -qxF "$l" "$2/.config" || echo "$l"; done)
	if [ -n "$miss" ]; then
		if [ "$unpatched" = 1 ] && [ "$miss" = CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT=y ]; then
			:	# the option only exists with the series applied
		else
			die "config fragment symbols not set in $2/.config: $(echo $miss)"
		fi
	fi
}

if [ "$mode" = config ]; then
	configure "$tree" "$config_dir"
	echo "$config_dir"
	exit 0
fi

out="$CACHE/build/out-$version"
configure "$tree" "$out"

stage "building vmlinux (make -j$JOBS, ccache in $CCACHE_DIR)"
start=$(date +%s)
log="$CACHE/build/build-$version.log"
if [ "$verbose" = 1 ]; then
	make -C "$tree" O="$out" CC="$CC_ARG" -j"$JOBS" vmlinux 2>&1 | tee "$log" >&2 ||
		die "kernel build failed, see $log"
	[ "${PIPESTATUS[0]}" = 0 ] || die "kernel build failed, see $log"
else
	make -C "$tree" O="$out" CC="$CC_ARG" -j"$JOBS" vmlinux >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 15
		kill -0 "$pid" 2>/dev/null || break
		echo "    ... $(( $(date +%s) - start ))s, $(grep -c '^  \(CC\|AS\|LD\)' "$log" || true) objects" >&2
	done
	wait "$pid" || { tail -30 "$log" >&2; die "kernel build failed, see $log"; }
fi
stage "built in $(( $(date +%s) - start ))s"

stage "stripping debug info (.BTF kept) into $outdir"
mkdir -p "$outdir.tmp"
"${CROSS}strip" --strip-debug -o "$outdir.tmp/vmlinux" "$out/vmlinux"
cp "$out/.config" "$outdir.tmp/config"
cp "$out/System.map" "$outdir.tmp/System.map"
{ echo "source: $pkg $pin"; echo "series: ${series_dir#$ROOT/}";
  for p in "${patches[@]}"; do echo "  ${p##*/}"; done; echo "key: $key"; } > "$outdir.tmp/build-info"
rm -rf "$outdir"
mv "$outdir.tmp" "$outdir"
echo "$outdir/vmlinux"
