#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the make-check suites (tests/suites/*.sh, in name order) and summarize.
#   tests/run-suites.sh [SUITE-NAME-SUBSTRING...]
# Each suite prints TAP-style lines ("ok - ...", "not ok - ...", "# ...") and
# exits 0 iff nothing failed. A suite that exits non-zero without a failing
# line counts as one failure, so a crash is never a pass. Logs go to
# $KVMSLB_BUILD/test-logs/.
set -u

root=${KVMSLB_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
build=${KVMSLB_BUILD:-$root/build}
export KVMSLB_ROOT=$root KVMSLB_BUILD=$build
export KVMSLB_CACHE=${KVMSLB_CACHE:-$HOME/.cache/kvmslb}
logs=$build/test-logs
mkdir -p "$logs"
cd "$root" || exit 1

suites=()
for s in tests/suites/*.sh; do
	[ -x "$s" ] || continue
	if [ $# -gt 0 ]; then
		match=0
		for want in "$@"; do
			case $(basename "$s") in *"$want"*) match=1 ;; esac
		done
		[ $match -eq 1 ] || continue
	fi
	suites+=("$s")
done
[ ${#suites[@]} -gt 0 ] || { echo "run-suites: no suite matches '$*'" >&2; exit 2; }

total_pass=0 total_fail=0 total_skip=0
summary=()
for s in "${suites[@]}"; do
	name=$(basename "$s" .sh)
	log=$logs/$name.log
	echo "=== $name"
	start=$(date +%s)
	"$s" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	secs=$(( $(date +%s) - start ))
	pass=$(grep -cE '^ok( |$)' "$log" | head -1)
	skip=$(grep -cE '^ok .*# SKIP' "$log" | head -1)
	fail=$(grep -cE '^not ok( |$)' "$log" | head -1)
	pass=$((pass - skip))
	if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
		echo "not ok - $name exited $rc without a failing test line (see $log)"
		fail=1
	fi
	if [ "$rc" -eq 0 ] && [ "$fail" -gt 0 ]; then
		echo "not ok - $name reported failures but exited 0"
	fi
	if [ $((pass + fail + skip)) -eq 0 ]; then
		echo "not ok - $name ran no test"
		fail=1
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	total_skip=$((total_skip + skip))
	summary+=("$(printf '%-28s %4d passed %4d failed %4d skipped %5ds' "$name" "$pass" "$fail" "$skip" "$secs")")
done

echo
echo "=== summary"
printf '%s\n' "${summary[@]}"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ]
