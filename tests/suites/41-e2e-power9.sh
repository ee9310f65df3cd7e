#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end on emulated POWER9 (qemu powernv9, TCG) with Debian's stock
# ppc64el kernel: HPT guests from slbguest under distinct names; per-guest
# HDSI/HISI counts and fault-latency samples seen by the observer (kvmslb
# stat --source stock, or ftrace until the engine lands) equal what ftrace
# records (kvm_guest_exit 0xe00/0xe20, kvm_page_fault_exit) in the same run;
# SLB synthesis reported unavailable with its reason; kvmslb doctor truthful.
# Inside: tests/e2e/power9-inner.sh. Knobs: KVMSLB_E2E_TIMEOUT, KVMSLB_E2E_SMP,
# E2E_DURATION, E2E_LOOPS, E2E_OBSERVER=ftrace|kvmslb, KVMSLB_E2E_SLBGUEST.
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/suite.sh"
# KVMSLB_E2E_KERNEL=VMLINUX: test that kernel instead of Debian's
e2e_run powernv9 "${KVMSLB_E2E_KERNEL:-stock}" power9-inner.sh
