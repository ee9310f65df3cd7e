#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo GUEST=linux (tools/demo.sh --guest linux): kvmslb with real Linux
# guests under QEMU with KVM-HV in an emulated POWER host.
#
#   tools/guest/demo.sh [--kernel patched|stock]
#
# patched (default): emulated POWER8, the kernel-patch/ kernel, HPT guests,
#   SLB misses injected into db1. stock: emulated POWER9, Debian's kernel,
#   radix guests, SLB synthesis shown as unavailable.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${KVMSLB_BUILD:-$ROOT/build}
kernel=patched
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernel=${2:?}; shift ;;
	-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option '$1' (see --help)" >&2; exit 2 ;;
	esac
	shift
done
case $kernel in
patched) machine=powernv8 ;;
stock) machine=powernv9 ;;
*) echo "demo: --kernel '$kernel': expected patched or stock" >&2; exit 2 ;;
esac
[ -x "$BUILD/ppc64le/kvmslb" ] || { echo "demo: $BUILD/ppc64le/kvmslb is not built (run: make cross)" >&2; exit 1; }
echo "demo: the inner QEMU and the Linux guest image (built once, then cached)" >&2
part=$("$ROOT/tools/guest/build-hostpart.sh" | tail -n1)
echo "demo: $machine with the $kernel kernel; Linux guests web1 and db1" >&2
adds=(--add "$BUILD/ppc64le/kvmslb:/usr/sbin/" --add "$ROOT/tools/guest/guest.sh:/kvmslb/guest.sh")
for o in "$BUILD"/bpf/*.bpf.o; do [ -f "$o" ] && adds+=(--add "$o:/usr/lib/kvmslb/"); done
exec "$ROOT/tools/host/run-host.sh" --machine "$machine" --kernel "$kernel" \
	--script "$ROOT/tools/guest/demo-inner.sh" --cpio "$part" --env "DEMO_SOURCE=$kernel" \
	--quiet --timeout 1200 --log "$BUILD/host/demo-linux-$machine.log" "${adds[@]}"
