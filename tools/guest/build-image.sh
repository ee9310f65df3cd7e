#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the Linux guest image for the inner QEMU: Debian's ppc64el kernel
# (the one tools/host/fetch-stock-kernel.sh fetches; it runs on pseries, in
# HPT and radix mode) with a small initramfs: busybox-static:ppc64el,
# tools/guest/init.sh as /init and tools/guest/workload.c built static.
#
#   tools/guest/build-image.sh [--quiet]
#
# Output, reused while its inputs are unchanged:
#   $KVMSLB_CACHE/guest/linux-<key>/vmlinux      the kernel, symbols stripped
#   $KVMSLB_CACHE/guest/linux-<key>/initrd.gz    the guest initramfs
# <key> hashes this script, the workload, init.sh, the kernel package and
# the compiler version. One writer at a time (flock), in its own temporary
# directory, renamed into place when complete. The last line of stdout is
# the directory.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
CROSS=powerpc64le-linux-gnu-
quiet=0
case ${1:-} in
--quiet|-q) quiet=1 ;;
-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "build-image: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
say() { [ $quiet -eq 1 ] || echo "build-image: $*" >&2; }
die() { echo "build-image: $*" >&2; exit 1; }

command -v ${CROSS}gcc >/dev/null || die "${CROSS}gcc not found (tools/install-deps.sh)"
tree=$("$ROOT/tools/host/fetch-stock-kernel.sh" --cached --quiet | tail -n1) ||
	die "could not fetch Debian's ppc64el kernel (tools/host/fetch-stock-kernel.sh)"
bb=$("$ROOT/tools/host/fetch-busybox.sh") || die "busybox-static:ppc64el is not available"

key=$( { cat "$0" "$HERE/workload.c" "$HERE/init.sh" "$tree/package"
	${CROSS}gcc --version | head -n1; sha256sum < "$bb"; } | sha256sum | cut -c1-12)
dest=$CACHE/guest/linux-$key
. "$HERE/cache-lock.sh"
cache_enter "$dest"
work=$(mktemp -d "$dest.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
say "building from $(cat "$tree/package")"
mkdir "$work/out"
${CROSS}strip -o "$work/out/vmlinux" "$tree/vmlinux"

s=$work/initrd
mkdir -p "$s/bin" "$s/proc" "$s/sys" "$s/dev" "$s/tmp"
cp "$bb" "$s/bin/busybox"
install -m 0755 "$HERE/init.sh" "$s/init"
${CROSS}gcc -static -O2 -std=gnu11 -Wall -Wextra -Werror -o "$s/workload" "$HERE/workload.c" ||
	die "building the workload failed"
${CROSS}strip "$s/workload"
( cd "$s" && find . -exec touch -h -d @0 {} + &&
	find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible ) | gzip -n -9 > "$work/out/initrd.gz"
{ cat "$tree/package"; ${CROSS}gcc --version | head -n1; echo "key $key"; } > "$work/out/manifest"
touch "$work/out/.complete"
rm -rf "$dest"
mv "$work/out" "$dest"
say "ready: $dest (vmlinux $(du -h "$dest/vmlinux" | cut -f1), initrd $(du -h "$dest/initrd.gz" | cut -f1))"
echo "$dest"
