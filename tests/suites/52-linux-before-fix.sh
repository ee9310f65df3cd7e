#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The 2015 bug made visible, on demand (a TEST-ONLY kernel: the series plus
# kernel-patch/test-only/, never part of the series). On emulated POWER8 the
# same 2-vcpu Linux guest as lin-b of 50-linux-power8 takes the same SLB
# misses through slb_miss_inject, but this kernel reflects them as DSI/ISI,
# as KVM did before cf29b21595b9. The guest must fail (oops, panic or a
# wrong checksum: whatever its kernel shows) and no DSegI/ISegI may be
# synthesized; in 50-linux-power8 the same guest survives with the fix.
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/linux-suite.sh"
echo "# kernel: the series + kernel-patch/test-only/ (TEST ONLY, never part of the series)"
err=$(mktemp)
trap 'rm -f "$err"' EXIT
# KVMSLB_BEFORE_FIX_KERNEL=VMLINUX: another build of the same kind instead.
k=${KVMSLB_BEFORE_FIX_KERNEL:-$("$root/tools/guest/build-before-fix-kernel.sh" 2>"$err" | tail -n1)}
if [ ! -f "$k" ]; then
	echo "not ok - the test-only kernel builds (tools/guest/build-before-fix-kernel.sh)"
	sed 's/^/# /' "$err"
	exit 1
fi
echo "# $(grep -h 'test-only' "$(dirname "$k")/build-info" | head -n1 | sed 's/^ *//')"
linux_hostpart || exit 1
linux_run before-fix powernv8 "$k" before-fix patched
