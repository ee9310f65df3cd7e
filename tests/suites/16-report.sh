#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb report: recordings whose contents are known exactly (both byte
# orders, perf.data, trace.dat and perf script text, checked with the real
# perf and trace-cmd first), and bad input, which must get one clear line and
# exit status 2.
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
	for fx in "$root"/tests/fixtures/tracefs-* "$root"/tests/report/formats-v2; do
		kind=stock
		[ -e "$fx/kvm_hfault.format" ] && kind=patched
		grep -q vm_pid "$fx/kvm_hfault.format" 2>/dev/null && kind=v2
		# one set of files per kind, made and checked by the real tools once
		mkdir -p "$work/$kind"
		python3 "$root/tests/report/check_report.py" "$k" "$fx" "$work/$kind" $kind |
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
pd=$(ls "$work"/*/*-le-file.data | head -n 1)
head -c 3000 "$pd" >"$work/truncated.data"
expect_bad "truncated perf.data" "$k" report -i "$work/truncated.data"
# a real recording without kvm_hv events, by the real perf
if perf record -q -o "$work/sched.data" -e sched:sched_switch -a -- sleep 0.2 >/dev/null 2>&1; then
	expect_bad "real perf.data without kvm_hv events" "$k" report -i "$work/sched.data"
else
	bad "perf record failed on this machine"
fi

# --- trace.dat
td=$(ls "$work"/*/*-le.dat | head -n 1)
head -c 3000 "$td" >"$work/truncated-header.dat"
expect_bad "trace.dat truncated in its header" "$k" report -i "$work/truncated-header.dat"
head -c $(($(stat -c %s "$td") - 100)) "$td" >"$work/truncated-pages.dat"
expect_bad "trace.dat truncated in its pages" "$k" report -i "$work/truncated-pages.dat"
# corrupt_dat IN OUT WHAT: damage the first page of the first cpu with data
corrupt_dat() {
	python3 - "$@" <<'PY'
import struct, sys
src, dst, what = sys.argv[1:4]
b = bytearray(open(src, 'rb').read())
e = '<' if b[12] == 0 else '>'
at = b.index(b'flyrecord\0') + 10
while True:
    off, size = struct.unpack_from(e + 'QQ', b, at)
    if size:
        break
    at += 16
if what == 'commit':       # more committed bytes than the page holds
    struct.pack_into(e + 'Q', b, off + 8, 0x3fffff00)
elif what == 'event':      # an extended event whose length runs past the commit
    struct.pack_into(e + 'I', b, off + 16, 0)
    struct.pack_into(e + 'I', b, off + 20, 0x7fffffff)
elif what == 'version':
    b[10] = ord('5')
open(dst, 'wb').write(b)
PY
}
for what in commit event version; do
	corrupt_dat "$td" "$work/corrupt-$what.dat" $what
	expect_bad "trace.dat with a corrupt $what" "$k" report -i "$work/corrupt-$what.dat"
done
# A real trace.dat without kvm_hv events, by the real trace-cmd. Where
# 'trace-cmd record' cannot run (it must enable the function tracer, which
# some kernels and containers forbid), the events are enabled in tracefs
# directly and the buffer is taken with 'trace-cmd extract', which writes
# version 7, then converted to version 6 by 'trace-cmd convert'.
real=$work/sched.dat
if ! trace-cmd record --file-version 6 -o "$real" -e sched:sched_switch sleep 0.2 \
	>"$work/record.log" 2>&1 || ! trace-cmd report -i "$real" >/dev/null 2>&1; then
	rm -f "$real"
	T=/sys/kernel/tracing
	[ -d $T/events ] || T=/sys/kernel/debug/tracing
	if [ -w $T/tracing_on ]; then
		was_on=$(cat $T/tracing_on)
		echo >$T/trace
		echo 1 >$T/tracing_on
		echo 1 >$T/events/sched/sched_switch/enable
		sleep 0.2
		echo 0 >$T/events/sched/sched_switch/enable
		(cd "$work" && trace-cmd extract -o "$work/sched-v7.dat") >>"$work/record.log" 2>&1 &&
			trace-cmd convert --file-version 6 -i "$work/sched-v7.dat" -o "$real" \
				>>"$work/record.log" 2>&1
		echo "$was_on" >$T/tracing_on
	fi
fi
if [ -s "$real" ] && [ "$(head -c 12 "$real" | tail -c 2 | od -An -c | tr -d ' ')" = '6\0' ]; then
	n=$(trace-cmd report -i "$real" 2>/dev/null | grep -cE '\[[0-9]+\] +[0-9]+\.[0-9]+: ')
	expect_bad "real trace.dat without kvm_hv events" "$k" report -i "$real"
	msg=$("$k" report -i "$real" 2>&1)
	if grep -q "no kvm_hv events ($n samples " <<<"$msg" && [ "$n" -gt 0 ]; then
		ok "real trace.dat: kvmslb read the $n records trace-cmd report prints"
	else
		bad "real trace.dat: trace-cmd report prints $n records, kvmslb says: $msg"
	fi
else
	bad "trace-cmd could not record a version 6 trace.dat: $(tail -n 2 "$work/record.log" | tr '\n' ' ')"
fi
exit $fail
