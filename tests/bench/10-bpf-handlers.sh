#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-event cost of kvmslb's BPF handlers (bpf_enable_stats
# run_time_ns / run_cnt) against an empty raw_tp program, each attached alone
# to kmem:mm_page_alloc in turn, in short slices over the same run, events
# coming back to back inside page-populating mmap() calls
# (tests/bpf/bench_handlers.c says why not one system call per event), as a
# ratio. Target: every handler at most 2x.
# Not part of make check (timing depends on the machine's load).
#   KVMSLB_BENCH_SECS (default 6), KVMSLB_BENCH_RUNS (default 5: the median is kept)
set -u
build=${KVMSLB_BUILD:?}
secs=${KVMSLB_BENCH_SECS:-6}
runs=${KVMSLB_BENCH_RUNS:-5}
target=2.0
b=$build/bpf-tests/bench_handlers
[ -x "$b" ] || { echo "bench bpf-handlers: $b not built (make test-build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench bpf-handlers: needs root (bpf_enable_stats, attaching programs)" >&2; exit 1; }

declare -A ratios
for r in $(seq "$runs"); do
	out=$("$b" "$secs") || { echo "bench bpf-handlers: run $r failed" >&2; echo "$out"; exit 1; }
	echo "# run $r"
	sed 's/^/#   /' <<<"$out"
	while read -r _ name _ _ ratio; do
		ratios[$name]+="${ratio#ratio=} "
	done < <(grep '^bench ' <<<"$out")
done

fail=0
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "handler cost vs an empty raw_tp program on the same tracepoint (median of $runs runs of ${secs} s; load average $(cut -d' ' -f1 /proc/loadavg)):"
echo "  common path: the key in this CPU's cache slot; fallback: both of its slots held by other keys, the hash maps"
printf '  %-15s %8s   %8s\n' handler common fallback
for name in hfault hfault_v1 segment segment_v1 guest_exit guest_exit_btf page_fault; do
	if [ -z "${ratios[$name]:-}" ]; then
		printf '  %-15s no figure: the bench binary did not measure it\n' "$name"
		fail=1
		continue
	fi
	med=$(median "${ratios[$name]}")
	hash=-
	[ -z "${ratios[$name:hash]:-}" ] || hash="$(median "${ratios[$name:hash]}")x"
	verdict=ok
	awk -v m="$med" -v t="$target" 'BEGIN { exit !(m > t) }' && { verdict="OVER TARGET"; fail=1; }
	printf '  %-15s %7sx   %8s   (target <= %sx on the common path) %s\n' "$name" "$med" "$hash" \
		"$target" "$verdict"
done
echo "  (segment: series v2 finds each vcpu's cumulative counts through a hash map (vcpu_idx), shared by its CPUs: no cache)"
exit $fail
