#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb report: recordings whose contents are known exactly (both byte
# orders, perf.data and perf script text, checked with the real perf first),
# and bad input, which must get one clear line and exit status 2.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for flavour in native asan; do
	k=$build/$flavour/kvmslb
	for fx in "$root"/tests/fixtures/tracefs-*; do
		kind=stock
		[ -e "$fx/kvm_hfault.format" ] && kind=patched
		mkdir -p "$work/$flavour-$kind"
		python3 "$root/tests/report/check_report.py" "$k" "$fx" "$work/$flavour-$kind" $kind |
			sed "s/^\(not \)\{0,1\}ok - /&[$flavour, $(basename "$fx")] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
	done
done

k=$build/asan/kvmslb
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
# expect_bad DESC CMD...: exit 2, one line on stderr naming the problem, no sanitizer report
expect_bad() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	# argp adds its standard "Try `... --help'" hint line to usage errors
	if [ $rc -eq 2 ] && [ "$(grep -vc '^Try `' <<<"$out")" -eq 1 ] && ! grep -q 'Sanitizer\|runtime error' <<<"$out"; then
		ok "$desc: exit 2, '$out'"
	else
		bad "$desc: exit $rc: $(head -c 300 <<<"$out")"
	fi
}
head -c 4096 /dev/urandom >"$work/random.bin"
: >"$work/empty.data"
expect_bad "missing input file" "$k" report -i "$work/nonexistent.data"
expect_bad "empty file" "$k" report -i "$work/empty.data"
expect_bad "random bytes" "$k" report -i "$work/random.bin"
expect_bad "random bytes on stdin" sh -c "'$k' report -i - <'$work/random.bin'"
expect_bad "text that is not perf script" sh -c "printf 'hello\nworld\n' | '$k' report -i -"
expect_bad "unexpected argument" "$k" report foo
pd=$(ls "$work"/native-*/*-le.data | head -n 1)
head -c 3000 "$pd" >"$work/truncated.data"
expect_bad "truncated perf.data" "$k" report -i "$work/truncated.data"
# a real recording without kvm_hv events, by the real perf
if perf record -q -o "$work/sched.data" -e sched:sched_switch -a -- sleep 0.2 >/dev/null 2>&1; then
	expect_bad "real perf.data without kvm_hv events" "$k" report -i "$work/sched.data"
else
	bad "perf record failed on this machine"
fi
exit $fail
