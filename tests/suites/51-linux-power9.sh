#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Linux guests under QEMU with KVM-HV on emulated POWER9 (powernv9: the C
# fault path), two at once (2 vcpus and 1 vcpu), kvmslb stat -j --per-vcpu
# and top -b -j alongside; checks as in 50-linux-power8
# (tests/e2e/linux_checks.py) without injection (POWER9 has no SLB lookup to
# fail): clean guests with the right checksum; kvmslb's per-guest and
# per-vcpu HDSI/HISI == ftrace (kvm_guest_exit traps on the stock kernel,
# kvm_hfault on the patched one) under the right pid and -name guest= name.
# The emulated POWER9 (DD2.0) cannot mix HPT and radix on one core, so KVM
# in a radix host offers QEMU no HPT guest: HPT guests run on a host booted
# with disable_radix. Default runs (both hosts at the same time):
#   stock:radix     Debian's kernel, radix guests (source stock)
#   patched:hpt     the patched kernel, HPT guests (source patched: the
#                   POWER9 C path of kernel-patch/ patch 3)
# KVMSLB_LINUX_P9="stock:radix stock:hpt patched:radix patched:hpt" runs
# any of the four (two at a time).
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/linux-suite.sh"
linux_hostpart || exit 1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
runs=(${KVMSLB_LINUX_P9:-stock:radix patched:hpt})
case " ${runs[*]} " in
*" patched:"*)
	# Built (or found) before the hosts start, not by both at once.
	"$root/tools/kernel/build-kernel.sh" >/dev/null 2>"$t/kernel.err" ||
		{ echo "not ok - the patched kernel builds"; sed 's/^/# /' "$t/kernel.err"; exit 1; }
	;;
esac
fail=0
one() {	# KERNEL:MMU
	local k=${1%%:*} m=${1#*:} append=''
	[ "$m" = hpt ] && append=disable_radix
	LINUX_MMU=$m linux_run "power9-$k-$m" powernv9 "$k" power9 "$k" "$append"
}
i=0
while [ $i -lt ${#runs[@]} ]; do
	one "${runs[$i]}" > "$t/a" 2>&1 &
	pa=$!
	pb=''
	if [ $((i + 1)) -lt ${#runs[@]} ]; then
		one "${runs[$((i + 1))]}" > "$t/b" 2>&1 &
		pb=$!
	fi
	wait $pa || fail=1
	cat "$t/a"
	if [ -n "$pb" ]; then
		wait $pb || fail=1
		cat "$t/b"
	fi
	i=$((i + 2))
done
exit $fail
