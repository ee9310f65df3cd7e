#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check suite: the kernel-patch/ series, 6.1 and 6.12, built whole
# (tools/kernel/build-kernel.sh, cached by content), booted on emulated
# POWER8 and POWER9 hosts (QEMU powernv8/powernv9, TCG), checked there at
# kernel level against slbguest's ground truth, ftrace and the KVM stats
# (tools/slbguest/check-inner.sh): on POWER8 the real-mode path with
# injected, paced and flooding segment interrupts, stats-only timing and
# timing off; on POWER9 the C path of an HPT guest.  Each check inside the
# host is one TAP line here, prefixed with the kernel and machine.
#
# Env: KVMSLB_ROOT, KVMSLB_BUILD (needs ppc64le/slbguest: make slbguest),
# KVMSLB_CACHE; KVMSLB_BOOT_VERSIONS (default "6.1 6.12"),
# KVMSLB_BOOT_MACHINES (default "powernv8 powernv9").
set -uo pipefail

ROOT=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${KVMSLB_BUILD:-$ROOT/build}
export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
BK="$ROOT/tools/kernel/build-kernel.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

failed=0
ok()     { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=1; }
diag()   { sed 's/^/# /'; }

sg=$BUILD/ppc64le/slbguest
if [ ! -x "$sg" ]; then
	not_ok "slbguest is built ($sg: make slbguest)"
	exit 1
fi

for v in ${KVMSLB_BOOT_VERSIONS:-6.1 6.12}; do
	start=$SECONDS
	if ! vmlinux=$("$BK" --version "$v" 2>"$TMP/build.err" | tail -1) || [ ! -f "$vmlinux" ]; then
		tail -30 "$TMP/build.err" | diag
		not_ok "$v: patched kernel builds whole"
		continue
	fi
	ok "$v: patched kernel builds whole (${vmlinux#$KVMSLB_CACHE/}, $((SECONDS - start)) s)"
	for m in ${KVMSLB_BOOT_MACHINES:-powernv8 powernv9}; do
		start=$SECONDS
		log="$BUILD/test-logs/kernel-boot-$v-$m.console.log"
		mkdir -p "$(dirname "$log")"
		"$ROOT/tools/host/run-host.sh" --machine "$m" --kernel "$vmlinux" \
			--script "$ROOT/tools/slbguest/check-inner.sh" --add "$sg:/usr/sbin/" \
			--log "$log" --quiet --timeout 900 > "$TMP/out" 2>&1
		rc=$?
		# "ok N - text" inside the host -> "ok - V MACHINE: text" here
		sed -n "s/^\(not ok\|ok\) [0-9]* - /\1 - $v $m: /p" "$TMP/out"
		grep -q '^not ok ' "$TMP/out" && failed=1
		grep -v '^\(not \)\{0,1\}ok [0-9]* - ' "$TMP/out" | diag
		n=$(grep -c '^\(not \)\{0,1\}ok [0-9]* - ' "$TMP/out")
		if [ "$rc" -eq 0 ] && [ "$n" -gt 0 ]; then
			ok "$v $m: booted, $n checks ran inside, host exit 0 ($((SECONDS - start)) s)"
		else
			not_ok "$v $m: booted and ran the checks (run-host exit $rc, $n checks; console $log)"
		fi
	done
done
exit $failed
