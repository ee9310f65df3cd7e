#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb report on recordings the real perf and trace-cmd make on this
# machine, in every layout users have: perf.data in file mode, compressed
# (perf record -z), written to a pipe (perf record -o -), several events
# without perf's dummy event (samples carry PERF_SAMPLE_ID), trace.dat
# version 7 as trace-cmd 3.1 writes it by default, in the top buffer and in
# an instance. This machine has no kvm_hv events, so the recordings hold
# scheduler events: kvmslb must read every sample the real perf script or
# trace-cmd report prints (it says "no kvm_hv events (N samples of other
# events)", exit 2) and never refuse the layout.
set -u
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k=$build/asan/kvmslb
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

# same DESC FILE|- N [STDIN]: kvmslb read N samples of other events, exit 2, nothing else
same() {
	local desc=$1 in=$2 n=$3 stdin=${4:-/dev/null} out rc
	out=$("$k" report -i "$in" <"$stdin" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q "no kvm_hv events ($n samples of other events)" <<<"$out" &&
		[ "$n" -gt 0 ] && ! grep -q 'Sanitizer\|runtime error' <<<"$out"; then
		ok "$desc: kvmslb read the $n samples the real tool prints"
	else
		bad "$desc: the real tool prints $n samples; kvmslb exit $rc: $(head -c 300 <<<"$out")"
	fi
}
count_ps() { perf script -i "$1" 2>/dev/null | grep -c .; }

# --- perf.data: file mode, -z, pipe mode
if perf record -q -o "$work/file.data" -e sched:sched_switch -a -- sleep 0.3 >/dev/null 2>&1; then
	same "perf record (file mode)" "$work/file.data" "$(count_ps "$work/file.data")"
else
	bad "perf record failed on this machine"
fi
if perf record -q -z -o "$work/z.data" -e sched:sched_switch -a -- sleep 0.3 >/dev/null 2>&1; then
	if perf report -i "$work/z.data" --header-only 2>/dev/null | grep -q 'compressed'; then
		same "perf record -z (zstd records)" "$work/z.data" "$(count_ps "$work/z.data")"
	else
		bad "perf record -z wrote no compressed file"
	fi
else
	bad "perf record -z failed on this machine"
fi
perf record -q -o - -e sched:sched_switch -a -- sleep 0.3 2>/dev/null >"$work/pipe.data"
n=$(count_ps "$work/pipe.data")
same "perf record -o - saved to a file" "$work/pipe.data" "$n"
same "perf record -o - on standard input" - "$n" "$work/pipe.data"
out=$(cat "$work/pipe.data" | "$k" report -i - 2>&1)
grep -q "no kvm_hv events ($n samples of other events)" <<<"$out" &&
	ok "perf record -o - through a pipe: the $n samples" ||
	bad "perf record -o - through a pipe: $out"

# --- several events without the dummy event: PERF_SAMPLE_ID, not IDENTIFIER.
# perf record -e A -e B -p PID writes them so; so does a workload of its own,
# which makes a deterministic test.
perf record -q -o "$work/id.data" -e sched:sched_switch -e sched:sched_wakeup -- \
	sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 0.01; done' >/dev/null 2>&1
if perf evlist -v -i "$work/id.data" 2>/dev/null | grep -q 'sample_type: .*|ID|' &&
	! perf evlist -v -i "$work/id.data" 2>/dev/null | grep -q IDENTIFIER; then
	same "perf record -e A -e B (PERF_SAMPLE_ID, no dummy event)" "$work/id.data" \
		"$(count_ps "$work/id.data")"
else
	bad "perf record -e A -e B did not write PERF_SAMPLE_ID samples"
fi

# --- trace.dat version 7 by trace-cmd 3.1, top buffer and an instance. Where
# 'trace-cmd record' cannot run (it enables the function tracer, which some
# kernels forbid), the events are enabled in tracefs and taken with
# 'trace-cmd extract', which writes the same version 7.
count_tc() { trace-cmd report -i "$1" 2>/dev/null | grep -cE '\[[0-9]+\] +[0-9]+\.[0-9]+: '; }
T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
record_v7() {	# OUT [INSTANCE]
	local out=$1 inst=${2:-} dir=$T
	if trace-cmd record -o "$out" ${inst:+-B "$inst"} -e sched:sched_switch sleep 0.2 \
		>"$work/record.log" 2>&1 && trace-cmd report -i "$out" >/dev/null 2>&1; then
		return 0
	fi
	[ -n "$inst" ] && { mkdir -p "$T/instances/$inst"; dir=$T/instances/$inst; }
	echo >"$dir/trace"
	echo 1 >"$dir/tracing_on"
	echo 1 >"$dir/events/sched/sched_switch/enable"
	sleep 0.2
	echo 0 >"$dir/events/sched/sched_switch/enable"
	(cd "$work" && trace-cmd extract ${inst:+-B "$inst"} -o "$out") >>"$work/record.log" 2>&1
	local rc=$?
	[ -n "$inst" ] && rmdir "$T/instances/$inst" 2>/dev/null
	return $rc
}
for inst in "" kvmslbtest; do
	f=$work/v7${inst:+-$inst}.dat
	desc="trace-cmd 3.1 trace.dat version 7${inst:+ (instance $inst)}"
	if record_v7 "$f" "$inst" && [ "$(head -c 12 "$f" | tail -c 2 | od -An -c | tr -d ' ')" = '7\0' ]; then
		same "$desc" "$f" "$(count_tc "$f")"
	else
		bad "$desc: could not record: $(tail -n 2 "$work/record.log" | tr '\n' ' ')"
	fi
done
exit $fail
