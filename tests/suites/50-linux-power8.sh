#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Linux guests under QEMU with KVM-HV on emulated POWER8 (powernv8, HPT, the
# real-mode path) with the patched kernel: lin-a (1 vcpu) and lin-b (2 vcpus,
# SLB misses injected through slb_miss_inject) run the workload; then a new
# lin-a runs under lin-b's old pid. kvmslb stat -j --per-vcpu and top -b -j
# run throughout. Checks (tests/e2e/linux_checks.py): each guest's checksum
# and a clean console (the fix works on a real guest kernel); per guest,
# kvmslb's DSegI/ISegI == injected == KVM stats == ftrace, under its pid and
# -name guest= name; per-vcpu rows by vcpu id; no count inherited across a
# reused name or pid. First, run-host.sh's log must survive a regular-file
# stderr (no `tee /dev/stderr` hole).
set -u
root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$root/tests/e2e/linux-suite.sh"
fail=0

# run-host.sh with stdout and stderr on one regular file (make demo > log
# 2>&1, CI): the lines written before it must stay. A QEMU that fails at
# once ends the run right after the kernel step.
log=$(mktemp)
{ echo "first line"; QEMU=false "$root/tools/host/run-host.sh" --machine powernv8 \
	--kernel "${KVMSLB_E2E_KERNEL:-patched}" --script "$root/tests/e2e/linux-inner.sh" \
	--timeout 60 --log /dev/null; } > "$log" 2>&1
if [ "$(head -n1 "$log")" = "first line" ] && cmp -s <(tr -d '\000' < "$log") "$log" &&
	grep -q '^run-host: FAILED' "$log"; then
	echo "ok - run-host.sh keeps a shared log file intact ($(wc -l < "$log") lines, no NUL)"
else
	echo "not ok - run-host.sh keeps a shared log file intact: first line '$(head -c 40 "$log" | tr '\0' '@')'"
	fail=1
fi
rm -f "$log"

linux_hostpart || exit 1
linux_run power8 powernv8 "${KVMSLB_E2E_KERNEL:-patched}" power8 patched || fail=1
exit $fail
