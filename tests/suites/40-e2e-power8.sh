#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end on emulated POWER8 (qemu powernv8, TCG) with the patched kernel
# (tools/kernel/build-kernel.sh; built on first use): guests with different
# SLB-miss injection counts (one 0); per-guest synthesized DSegI/ISegI counts
# seen by the observer equal the injected counts, the guests' own counts,
# ftrace kvm_segment_synth and the per-VM KVM stats; the fault-latency
# histogram holds as many samples as kvm_hfault events; no drops at normal
# rates, and a flooding guest's drops are counted.
# Inside: tests/e2e/power8-inner.sh. Knobs: KVMSLB_E2E_TIMEOUT, KVMSLB_E2E_SMP,
# E2E_DURATION, E2E_LOOPS, E2E_FLOOD, E2E_OBSERVER=ftrace|kvmslb, KVMSLB_E2E_SLBGUEST.
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/suite.sh"
# KVMSLB_E2E_KERNEL=VMLINUX: test that kernel instead of building the patched one
e2e_run powernv8 "${KVMSLB_E2E_KERNEL:-patched}" power8-inner.sh
