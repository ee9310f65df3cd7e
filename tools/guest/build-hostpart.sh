#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The part of an emulated host's initramfs that runs Linux guests: the inner
# QEMU (tools/guest/build-qemu.sh) and the guest image
# (tools/guest/build-image.sh), as one uncompressed newc cpio that
# tools/host/run-host.sh --cpio puts in front of the per-run initramfs
# (uncompressed: the emulated host unpacks it in a fraction of the time
# gunzip takes under TCG). Inside the host:
#   /usr/bin/qemu-system-ppc64 and its libraries, /usr/share/qemu/{vof,slof}.bin
#   /guest/vmlinux, /guest/initrd.gz
#   /usr/bin/with-pid (tools/guest/with-pid.c: start a command under a given pid)
#
#   tools/guest/build-hostpart.sh [--quiet]
#
# Builds what is missing, then prints the cpio's path
# ($KVMSLB_CACHE/guest/hostpart-<key>.cpio, <key> hashing the QEMU and image
# keys, with-pid.c, the compiler and this script) as the last line of
# stdout. Locked and written under a unique name, then renamed.
set -euo pipefail
umask 022

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
q=()
case ${1:-} in
--quiet|-q) q=(--quiet) ;;
-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "build-hostpart: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
die() { echo "build-hostpart: $*" >&2; exit 1; }

qdir=$("$HERE/build-qemu.sh" "${q[@]}" | tail -n1) || die "building the inner QEMU failed"
idir=$("$HERE/build-image.sh" "${q[@]}" | tail -n1) || die "building the guest image failed"
CC=powerpc64le-linux-gnu-gcc
key=$( { echo "${qdir##*/} ${idir##*/}"; cat "$0" "$HERE/with-pid.c"; $CC --version | head -n1; } |
	sha256sum | cut -c1-12)
out=$CACHE/guest/hostpart-$key.cpio
[ -f "$out" ] && { echo "$out"; exit 0; }
exec 9>"$out.lock"
flock 9
[ -f "$out" ] && { echo "$out"; exit 0; }
work=$(mktemp -d "$out.tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -a "$qdir/root" "$work/root"
mkdir "$work/root/guest"
cp "$idir/vmlinux" "$idir/initrd.gz" "$work/root/guest/"
$CC -static -O2 -std=gnu11 -Wall -Wextra -Werror -s -o "$work/root/usr/bin/with-pid" \
	"$HERE/with-pid.c" || die "building with-pid failed"
( cd "$work/root" && find . -exec touch -h -d @0 {} + &&
	find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible ) > "$work/part.cpio"
mv "$work/part.cpio" "$out"
echo "$out"
