#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the TEST-ONLY "before the 2015 fix" kernel: the kvmslb test kernel
# (tools/kernel/build-kernel.sh) with kernel-patch/6.1/ plus
# kernel-patch/test-only/6.1/ (injected SLB misses reflected as DSI/ISI, as
# KVM did before cf29b21595b9). Only tests/suites/52-linux-before-fix.sh
# boots it; the test-only patch is never part of the series.
#
#   tools/guest/build-before-fix-kernel.sh
#
# build-kernel.sh takes its series from the kernel-patch/ next to it, so it
# runs from a private copy of tools/kernel/ and kernel-patch/ whose 6.1/
# series has the test-only patch appended. Its cache key covers the series,
# so the result lands in its own $KVMSLB_CACHE/kernel/6.1-<key>/ (and the
# shared build tree is rebuilt incrementally, under build-kernel.sh's lock).
# Progress on stderr; the vmlinux path is the last line of stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
die() { echo "build-before-fix-kernel: $*" >&2; exit 1; }
case ${1:-} in
-h|--help) sed -n '3,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
'') ;;
*) echo "build-before-fix-kernel: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
extra=("$ROOT"/kernel-patch/test-only/6.1/*.patch)
[ -f "${extra[0]}" ] || die "no patch in kernel-patch/test-only/6.1/"
stage=$(mktemp -d "${TMPDIR:-/tmp}/kvmslb-before-fix.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/tools"
cp -a "$ROOT/tools/kernel" "$stage/tools/"
cp -a "$ROOT/kernel-patch" "$stage/"
rm -rf "$stage/kernel-patch/test-only"
n=9000
for p in "${extra[@]}"; do
	n=$((n + 1))
	# Numbered after the series so that it applies last.
	cp "$p" "$stage/kernel-patch/6.1/$n-test-only-${p##*/}"
done
"$stage/tools/kernel/build-kernel.sh" --version 6.1
