#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What the kernel-patch/ series costs the POWER7/8 real-mode HDSI/HISI
# handlers: instructions executed on each fault path, read from the built
# objects (tools/kernel/hfault-offcost.py), before the series (the peer:
# Debian's pristine source) and after it, with fault-path timing off and on,
# for 6.1 and 6.12.  Target: timing off, +0 on every path but segment
# interrupt synthesis, which may take +4.  The objects come from
# tools/kernel/bisect-build.sh (cached by content; minutes from an empty
# cache).  make check runs the same budget check (tests/suites/20-kernel-patch.sh).
set -u
root=${KVMSLB_ROOT:?}
fail=0
for v in 6.1 6.12; do
	out=$("$root/tools/kernel/bisect-build.sh" --version "$v") ||
		{ echo "bench kernel-offcost: $v: bisect build failed" >&2; echo "$out"; fail=1; continue; }
	dirs=$(sed -n 's/.*dir=\([^ ]*\).*/\1/p' <<< "$out")
	n=$(wc -l <<< "$dirs")
	pristine=$(sed -n 1p <<< "$dirs")
	production=$(sed -n "$((n - 1))p" <<< "$dirs")
	testonly=$(sed -n "${n}p" <<< "$dirs")
	echo "$v: instructions executed per fault path, asm of book3s_hv_rmhandlers.S (a C call counts 1)"
	echo "    pristine = Debian's source; patched = the series without its test-only patch;"
	echo "    test-only = with CONFIG_KVM_BOOK3S_HV_SLB_MISS_INJECT=y, nothing pending"
	table=$(python3 "$root/tools/kernel/hfault-offcost.py" --check "$pristine" \
		"$production" "test-only=$testonly") || fail=1
	sed 's/^/  /' <<< "$table"
	echo
done
exit $fail
