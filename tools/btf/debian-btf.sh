#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb's BTF for Debian's stock ppc64el kernel, which has none, made with
# `kvmslb btf` from the kernel's -dbg package and cached:
#
#   tools/btf/debian-btf.sh [--abi 6.1.0-NN] [--kvmslb PATH] [--quiet]
#
# 1. $CACHE/btf/full-VERSION.btf: every type of the kernel and of kvm-hv.ko,
#    from linux-image-ABI-powerpc64le-dbg:ppc64el=VERSION (about 718 MB,
#    `apt-get download`; only vmlinux and kvm-hv.ko are extracted, and the
#    package is deleted once the BTF exists). A Debian version's content
#    never changes: the version is the key (the package's sha256 is kept
#    next to it).
# 2. $CACHE/btf/kvmslb-VERSION-OBJ.btf: that, minimized for kvmslb's CO-RE
#    object (OBJ: the first 12 hex digits of its sha256), a few hundred bytes.
#
# ABI/VERSION: those of the stock kernel tools/host/fetch-stock-kernel.sh
# picks (--cached when a tree is there), or --abi. Every writer holds
# $CACHE/btf/.lock and works in a unique temporary directory. The last line
# of stdout is the path of the minimized BTF.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
BUILD=${KVMSLB_BUILD:-$ROOT/build}
abi='' quiet=0 kvmslb=$BUILD/native/kvmslb
while [ $# -gt 0 ]; do
	case $1 in
	--abi) abi=${2:?--abi needs a value like 6.1.0-50}; shift ;;
	--abi=*) abi=${1#--abi=} ;;
	--kvmslb) kvmslb=${2:?--kvmslb needs a path}; shift ;;
	--quiet|-q) quiet=1 ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "debian-btf: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
say() { [ $quiet -eq 1 ] || echo "debian-btf: $*" >&2; }
die() { echo "debian-btf: $*" >&2; exit 1; }

[ -x "$kvmslb" ] || die "$kvmslb is not built (make native)"
obj=$BUILD/bpf/kvmslb_btf.bpf.o
[ -f "$obj" ] || die "$obj is not built (make native)"

# The stock kernel whose BTF is wanted: its tree names the package and version.
fetch=("$ROOT/tools/host/fetch-stock-kernel.sh" --quiet)
if [ -n "$abi" ]; then fetch+=(--abi "$abi"); else fetch+=(--cached); fi
tree=$("${fetch[@]}" | tail -n1) || die "no stock kernel (tools/host/fetch-stock-kernel.sh)"
read -r pkg ver < "$tree/package"
release=$(cat "$tree/release")
dbg=${pkg}-dbg
objkey=$(sha256sum "$obj" | cut -c1-12)
dir=$CACHE/btf
full=$dir/full-$ver.btf
min=$dir/kvmslb-$ver-$objkey.btf

if [ -s "$min" ]; then
	say "cached: $min"
	echo "$min"
	exit 0
fi
mkdir -p "$dir"
exec 9> "$dir/.lock"
flock 9
tmp=$(mktemp -d "$dir/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

if [ ! -s "$full" ]; then
	say "downloading $dbg:ppc64el $ver (about 718 MB)"
	# apt's _apt user must be able to write where it downloads: not in ~/.cache
	dl=$(mktemp -d)
	trap 'rm -rf "$tmp" "$dl"' EXIT
	chmod 777 "$dl"
	( cd "$dl" && if [ $quiet -eq 1 ]; then apt-get download -qq "$dbg:ppc64el=$ver" >/dev/null 2>&1
	  else apt-get download -q "$dbg:ppc64el=$ver" >&2; fi ) ||
		die "apt-get download $dbg:ppc64el=$ver failed (ppc64el enabled? apt-get update?)"
	deb=$(ls "$dl"/*.deb)
	sha256sum "$deb" | cut -d' ' -f1 > "$tmp/deb.sha256"
	say "extracting vmlinux and kvm-hv.ko (decompresses the whole package)"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards \
		"./usr/lib/debug/boot/vmlinux-$release" \
		"./usr/lib/debug/lib/modules/$release/kernel/arch/powerpc/kvm/kvm-hv.ko*" ||
		die "$deb: no vmlinux-$release or kvm-hv.ko in it"
	rm -f "$deb"
	ko=$(ls "$tmp"/usr/lib/debug/lib/modules/"$release"/kernel/arch/powerpc/kvm/kvm-hv.ko*)
	case $ko in
	*.xz) xz -d "$ko"; ko=${ko%.xz} ;;
	*.zst) zstd -q -d --rm "$ko"; ko=${ko%.zst} ;;
	esac
	say "encoding BTF with pahole"
	"$kvmslb" btf --full --vmlinux "$tmp/usr/lib/debug/boot/vmlinux-$release" \
		--module "$ko" -o "$tmp/full.btf" >&2 || die "kvmslb btf --full failed"
	mv "$tmp/deb.sha256" "$full.deb-sha256"
	mv "$tmp/full.btf" "$full"
	rm -rf "$tmp/usr"
fi
"$kvmslb" btf --vmlinux "$full" -o "$tmp/min.btf" >&2 || die "kvmslb btf (minimize) failed"
mv "$tmp/min.btf" "$min"
say "ready: $min"
echo "$min"
