#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end on emulated POWER9 (qemu powernv9, TCG) with Debian's stock
# ppc64el kernel: HPT guests from slbguest under distinct names; per-guest
# HDSI/HISI counts and fault-latency samples seen by the observer (kvmslb
# stat --source stock, or ftrace until the engine lands) equal what ftrace
# records (kvm_guest_exit 0xe00/0xe20, kvm_page_fault_exit) in the same run;
# SLB synthesis reported unavailable with its reason; kvmslb doctor truthful.
# kvmslb observes twice at once: without BTF (tracefs offsets, the current
# task) and with the BTF that 'kvmslb btf' makes from Debian's -dbg package
# (tools/btf/debian-btf.sh, cached): CO-RE reads of vcpu->kvm.
# Inside: tests/e2e/power9-inner.sh. Knobs: KVMSLB_E2E_TIMEOUT, KVMSLB_E2E_SMP,
# E2E_DURATION, E2E_LOOPS, E2E_OBSERVER=ftrace|kvmslb, KVMSLB_E2E_SLBGUEST,
# KVMSLB_E2E_BTF=FILE (instead of tools/btf/debian-btf.sh; "none": no CO-RE run).
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/suite.sh"
btf=${KVMSLB_E2E_BTF:-}
if [ -z "$btf" ] && [ -z "${KVMSLB_E2E_KERNEL:-}" ]; then
	echo "# BTF for Debian's stock kernel: tools/btf/debian-btf.sh (cached after the first run)"
	if btf=$("$root/tools/btf/debian-btf.sh" --quiet 2>"${KVMSLB_BUILD:-$root/build}/debian-btf.err" | tail -n1) &&
		[ -s "$btf" ]; then
		echo "ok - BTF for the stock kernel from its -dbg package: $btf ($(stat -c %s "$btf") bytes)"
	else
		echo "not ok - tools/btf/debian-btf.sh made no BTF: $(tail -n1 "${KVMSLB_BUILD:-$root/build}/debian-btf.err")"
		btf=none
	fi
fi
[ "$btf" = none ] || [ -z "$btf" ] || export E2E_ADDS="$btf:/kvmslb/kvmslb.btf"
# KVMSLB_E2E_KERNEL=VMLINUX: test that kernel instead of Debian's
e2e_run powernv9 "${KVMSLB_E2E_KERNEL:-stock}" power9-inner.sh
