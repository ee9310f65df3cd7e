#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fetch Debian's stock ppc64el kernel and extract what an emulated POWER host
# needs: vmlinux, kvm.ko, kvm-hv.ko and a depmod'ed modules tree.
#
#   tools/host/fetch-stock-kernel.sh [--abi 6.1.0-NN] [--cached] [--quiet]
#
# Picks the newest linux-image-6.1.0-*-powerpc64le visible to apt for ppc64el
# (or --abi), downloads it with `apt-get download` into $KVMSLB_CACHE/debs/ and
# extracts into $KVMSLB_CACHE/stock/<debian-version>/:
#   vmlinux  release  config  lib/modules/<release>/{kernel/arch/powerpc/kvm/*.ko,modules.*}
# Idempotent: a complete tree is reused without network access. --cached:
# use the newest complete tree already in the cache without asking apt (no
# apt-cache lookups, about 1 s faster; falls back to the normal path if none).
# The last line of stdout is the path of the extracted tree.
set -euo pipefail

CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
abi='' quiet=0 cached=0
while [ $# -gt 0 ]; do
	case $1 in
	--abi) abi=${2:?--abi needs a value like 6.1.0-50}; shift ;;
	--abi=*) abi=${1#--abi=} ;;
	--quiet|-q) quiet=1 ;;
	--cached) cached=1 ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "fetch-stock-kernel: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
say() { [ $quiet -eq 1 ] || echo "fetch-stock-kernel: $*" >&2; }
die() { echo "fetch-stock-kernel: $*" >&2; exit 1; }

if [ $cached -eq 1 ] && [ -z "$abi" ]; then
	best=$(ls -d "$CACHE"/stock/*/.complete 2>/dev/null | sed 's|/\.complete$||' | sort -V | tail -n1 || true)
	if [ -n "$best" ]; then
		say "cached (no apt lookup): $(cat "$best/package" 2>/dev/null)"
		echo "$best"
		exit 0
	fi
fi
command -v apt-cache >/dev/null || die "apt-cache not found: a Debian/Ubuntu host is needed"
dpkg --print-foreign-architectures 2>/dev/null | grep -qx ppc64el ||
	die "dpkg architecture ppc64el not enabled: run tools/install-deps.sh (dpkg --add-architecture ppc64el; apt-get update)"

# Candidate version of a ppc64el package, empty when apt does not know it.
candidate() {
	apt-cache policy "$1:ppc64el" 2>/dev/null | awk '/Candidate:/ { if ($2 != "(none)") print $2 }'
}

ver=''
if [ -z "$abi" ]; then
	# Newest ABI first; the first one with a ppc64el candidate wins.
	for a in $(apt-cache pkgnames linux-image-6.1.0- 2>/dev/null |
			sed -n 's/^linux-image-\(6\.1\.0-[0-9]*\)-powerpc64le$/\1/p' | sort -rV); do
		ver=$(candidate "linux-image-$a-powerpc64le")
		if [ -n "$ver" ]; then abi=$a; break; fi
	done
	[ -n "$abi" ] || die "no linux-image-6.1.0-*-powerpc64le for ppc64el visible to apt: run apt-get update (with ppc64el enabled)"
fi
pkg=linux-image-$abi-powerpc64le
[ -n "$ver" ] || ver=$(candidate "$pkg")
[ -n "$ver" ] || die "$pkg:ppc64el is not known to apt: check --abi, or run apt-get update"
release=$abi-powerpc64le
dest=$CACHE/stock/$ver

if [ -f "$dest/.complete" ]; then
	say "cached: $pkg $ver"
	echo "$dest"
	exit 0
fi

# One fetch at a time per cache (make check may run suites concurrently).
mkdir -p "$CACHE/stock"
exec 9> "$CACHE/stock/.lock"
flock 9
if [ -f "$dest/.complete" ]; then
	say "cached: $pkg $ver"
	echo "$dest"
	exit 0
fi
debs=$CACHE/debs
mkdir -p "$debs"
deb=$(ls "$debs/${pkg}_${ver//:/%3a}_ppc64el.deb" 2>/dev/null || true)
if [ -z "$deb" ]; then
	say "downloading $pkg:ppc64el $ver (about 50 MB)"
	# apt's _apt user may not write into $debs: download in a world-writable tmp dir.
	tmp=$(mktemp -d)
	chmod 777 "$tmp"
	( cd "$tmp" && if [ $quiet -eq 1 ]; then apt-get download -qq "$pkg:ppc64el=$ver" >/dev/null 2>&1; else apt-get download -q "$pkg:ppc64el=$ver" >&2; fi ) ||
		{ rm -rf "$tmp"; die "apt-get download $pkg:ppc64el=$ver failed"; }
	mv "$tmp"/*.deb "$debs/" && rm -rf "$tmp"
	deb=$(ls "$debs/${pkg}_${ver//:/%3a}_ppc64el.deb")
fi

say "extracting $(basename "$deb")"
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/x"
dpkg-deb -x "$deb" "$dest.tmp/x"
x=$dest.tmp/x
[ -f "$x/boot/vmlinux-$release" ] || die "$deb holds no boot/vmlinux-$release"
mv "$x/boot/vmlinux-$release" "$dest.tmp/vmlinux"
cp "$x/boot/config-$release" "$dest.tmp/config"
moddir=lib/modules/$release
mkdir -p "$dest.tmp/$moddir/kernel/arch/powerpc/kvm"
for m in kvm kvm-hv; do
	f=$(find "$x/$moddir" -name "$m.ko*" | head -n1)
	[ -n "$f" ] || die "$deb holds no $m.ko"
	cp "$f" "$dest.tmp/$moddir/kernel/arch/powerpc/kvm/"
done
cp "$x/$moddir"/modules.order "$x/$moddir"/modules.builtin* "$dest.tmp/$moddir/"
rm -rf "$x"
command -v depmod >/dev/null || PATH=$PATH:/sbin:/usr/sbin
depmod -b "$dest.tmp" "$release" || die "depmod failed (package kmod)"
grep -q 'kvm-hv.ko.*kvm.ko' "$dest.tmp/$moddir/modules.dep" ||
	die "depmod produced no kvm-hv -> kvm dependency"
echo "$release" > "$dest.tmp/release"
echo "$pkg $ver" > "$dest.tmp/package"
touch "$dest.tmp/.complete"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
say "ready: $pkg $ver ($release)"
echo "$dest"
