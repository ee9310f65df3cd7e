#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Linux guests under QEMU with KVM-HV on emulated POWER9 (powernv9: the C
# fault path): lin-hpt (2 vcpus, hash MMU: disable_radix) and lin-radix
# (1 vcpu) run the workload, kvmslb stat -j --per-vcpu and top -b -j
# alongside; once on Debian's stock kernel (source stock) and once on the
# patched one (source patched), both hosts at the same time. Checks as in
# 44-linux-power8 (tests/e2e/linux_checks.py), without injection (POWER9 has
# no SLB lookup to fail): clean guests with the right checksum; kvmslb's
# per-guest and per-vcpu HDSI/HISI == ftrace (kvm_guest_exit traps on the
# stock kernel, kvm_hfault on the patched one) under the right pid and name.
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/linux-suite.sh"
linux_hostpart || exit 1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# Building the patched kernel first keeps the two hosts' starts apart.
"$root/tools/kernel/build-kernel.sh" >/dev/null 2>"$t/kernel.err" ||
	{ echo "not ok - the patched kernel builds"; sed 's/^/# /' "$t/kernel.err"; exit 1; }
linux_run power9-stock powernv9 stock power9 stock > "$t/stock" 2>&1 &
p1=$!
linux_run power9-patched powernv9 patched power9 patched > "$t/patched" 2>&1 &
p2=$!
fail=0
wait $p1 || fail=1
wait $p2 || fail=1
cat "$t/stock" "$t/patched"
exit $fail
