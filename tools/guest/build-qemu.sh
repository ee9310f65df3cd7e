#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the inner VMM for the emulated POWER hosts: Debian bookworm's
# qemu-system-ppc64 for ppc64el with only the shared libraries it needs.
#
#   tools/guest/build-qemu.sh [--quiet]
#
# The packages below are fetched by name (`apt-get download PKG:ppc64el`,
# .debs kept in $KVMSLB_CACHE/debs-qemu-ppc64el/), unpacked, and only the
# binary's NEEDED closure (walked with powerpc64le-linux-gnu-readelf) plus the
# program interpreter and the pseries firmware (vof.bin, slof.bin from the
# host's qemu-system-data, an `all` package) are kept, under
#   $KVMSLB_CACHE/guest/qemu-<key>/root/   usr/bin/qemu-system-ppc64, lib/..., usr/share/qemu/
# <key> hashes this script and the qemu-system-data version. One writer at a
# time (flock), in its own temporary directory, renamed into place when
# complete; a complete tree is reused without network access. The last line
# of stdout is the tree's path (the directory holding root/).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
quiet=0
case ${1:-} in
--quiet|-q) quiet=1 ;;
-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "build-qemu: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
say() { [ $quiet -eq 1 ] || echo "build-qemu: $*" >&2; }
die() { echo "build-qemu: $*" >&2; exit 1; }

# qemu-system-ppc and the libraries of its NEEDED closure (bookworm).
pkgs=(qemu-system-ppc libaio1 libbpf1 libc6 libcapstone4 libfdt1 libfuse3-3
	libgcc-s1 libglib2.0-0 libgmp10 libgnutls30 libhogweed6 libibverbs1
	libjpeg62-turbo libnettle8 libnuma1 libpixman-1-0 libpng16-16 librdmacm1
	libsasl2-2 libseccomp2 libslirp0 libudev1 liburing2 libvdeplug2 libzstd1
	zlib1g libelf1 libffi8 libidn2-0 libmount1 libnl-3-200 libnl-route-3-200
	libp11-kit0 libpcre2-8-0 libselinux1 libtasn1-6 libunistring2 libblkid1)
firmware=(vof.bin slof.bin)
READELF=powerpc64le-linux-gnu-readelf
command -v $READELF >/dev/null || die "$READELF not found: apt-get install binutils-powerpc64le-linux-gnu (tools/install-deps.sh)"
datav=$(dpkg-query -W -f='${Version}' qemu-system-data 2>/dev/null) ||
	die "qemu-system-data is not installed (tools/install-deps.sh)"
for f in "${firmware[@]}"; do
	[ -f "/usr/share/qemu/$f" ] || die "/usr/share/qemu/$f missing (qemu-system-data)"
done

key=$( { cat "$0"; echo "$datav"; } | sha256sum | cut -c1-12)
dest=$CACHE/guest/qemu-$key
. "$HERE/cache-lock.sh"
cache_enter "$dest"
dpkg --print-foreign-architectures 2>/dev/null | grep -qx ppc64el ||
	die "dpkg architecture ppc64el not enabled: run tools/install-deps.sh"

work=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
debs=$CACHE/debs-qemu-ppc64el
mkdir -p "$debs"
want=()
for p in "${pkgs[@]}"; do
	ls "$debs/${p}"_*_ppc64el.deb >/dev/null 2>&1 || want+=("$p:ppc64el")
done
if [ ${#want[@]} -gt 0 ]; then
	say "downloading ${#want[@]} ppc64el packages (apt-get download)"
	# apt's _apt user must be able to write the download directory.
	mkdir -m 777 "$work/dl"
	(cd "$work/dl" && apt-get download -q "${want[@]}" >"$work/dl.log" 2>&1) || {
		tail -n 5 "$work/dl.log" >&2
		die "apt-get download failed (run 'apt-get update' with ppc64el enabled)"
	}
	mv "$work/dl/"*.deb "$debs/"
fi
mkdir "$work/x"
for p in "${pkgs[@]}"; do
	deb=$(ls "$debs/${p}"_*_ppc64el.deb | sort -V | tail -n 1)
	dpkg-deb -x "$deb" "$work/x"
	echo "${deb##*/}" >> "$work/manifest"
done

# The closure: breadth first from the binary over DT_NEEDED, searching the
# multiarch directories the program interpreter searches.
x=$work/x r=$work/root
bin=usr/bin/qemu-system-ppc64
[ -x "$x/$bin" ] || die "qemu-system-ppc holds no $bin"
libdirs=(lib/powerpc64le-linux-gnu usr/lib/powerpc64le-linux-gnu)
find_lib() {
	local d
	for d in "${libdirs[@]}"; do
		[ -e "$x/$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	return 1
}
mkdir -p "$r/usr/bin"
cp "$x/$bin" "$r/$bin"
queue=("$bin") seen=' '
while [ ${#queue[@]} -gt 0 ]; do
	f=${queue[0]} queue=("${queue[@]:1}")
	for n in $($READELF -d "$x/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		case $seen in *" $n "*) continue ;; esac
		seen="$seen$n "
		l=$(find_lib "$n") || die "$n (needed by ${f##*/}) is in none of the packages: add its package to this script"
		mkdir -p "$r/$(dirname "$l")"
		cp -L "$x/$l" "$r/$l"
		queue+=("$l")
	done
done
interp=$($READELF -l "$x/$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p')
[ "$interp" = /lib64/ld64.so.2 ] || die "unexpected program interpreter '$interp'"
cp -L "$x/lib/powerpc64le-linux-gnu/ld64.so.2" "$r/lib/powerpc64le-linux-gnu/ld64.so.2"
# libc6's link is absolute; a relative one stays right inside any root.
mkdir -p "$r/lib64"
ln -s ../lib/powerpc64le-linux-gnu/ld64.so.2 "$r/lib64/ld64.so.2"
mkdir -p "$r/usr/share/qemu"
for f in "${firmware[@]}"; do cp "/usr/share/qemu/$f" "$r/usr/share/qemu/"; done
echo "qemu-system-data $datav (host)" >> "$work/manifest"

mv "$work/root" "$work/tree-root"
mkdir "$work/tree"
mv "$work/tree-root" "$work/tree/root"
mv "$work/manifest" "$work/tree/manifest"
touch "$work/tree/.complete"
rm -rf "$dest"
mv "$work/tree" "$dest"
say "ready: $dest ($(du -sh "$dest/root" | cut -f1), $(echo $seen | wc -w) libraries)"
echo "$dest"
