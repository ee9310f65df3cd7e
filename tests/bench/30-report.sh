#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb report against its peers on one large perf.data: a kvm_hv
# recording replicated to KVMSLB_BENCH_SAMPLES samples (tests/report/mkbench.py),
# checked first with the real 'perf script' (its sample count must be the
# one written). Medians of KVMSLB_BENCH_RUNS runs, the page cache warm:
#   report / cat FILE > /dev/null              target <= 3x (goal 1.5x)
#   the same on a series v2 recording (events that name their VM and carry
#   cumulative counts; formats of tests/report/formats-v2)  target <= 3x
#   perf script / report                       target >= 30x
#   report's peak anonymous RSS                target <= 16 MB
#   perf script | report -i -  /  perf script  target <= 1.1x
#   100 000 guests / 50 000 guests, the same 100 000 events, nothing printed
#                                              target <= 2x (linear; quadratic is 4x)
# Not part of make check (timing depends on the machine's load).
#   KVMSLB_BENCH_SAMPLES (default 3500000), KVMSLB_BENCH_RUNS (default 5),
#   KVMSLB_BENCH_BIN (default $KVMSLB_BUILD/kvmslb: another build to compare)
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
want=${KVMSLB_BENCH_SAMPLES:-3500000}
runs=${KVMSLB_BENCH_RUNS:-5}
k=${KVMSLB_BENCH_BIN:-$build/kvmslb}
[ -x "$k" ] || { echo "bench report: $k not built (make native)" >&2; exit 1; }
command -v perf >/dev/null || { echo "bench report: perf not installed" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/var/tmp}/kvmslb-bench-report.XXXXXX")
trap 'rm -rf "$work"' EXIT
f=$work/kvm_hv.data

n=$(python3 "$root/tests/report/mkbench.py" "$root/tests/fixtures/tracefs-6.1-kvmslb-patched" \
	"$f" "$want") || { echo "bench report: mkbench.py failed" >&2; exit 1; }
got=$(perf script -i "$f" 2>/dev/null | grep -c ' kvm_hv:')
if [ "$got" != "$n" ]; then
	echo "bench report: perf script reads $got samples of the $n written" >&2
	exit 1
fi
f2=$work/kvm_hv-v2.data
n2=$(python3 "$root/tests/report/mkbench.py" "$root/tests/report/formats-v2" "$f2" "$want") ||
	{ echo "bench report: mkbench.py (v2) failed" >&2; exit 1; }
got2=$(perf script -i "$f2" 2>/dev/null | grep -c ' kvm_hv:')
if [ "$got2" != "$n2" ]; then
	echo "bench report: perf script reads $got2 samples of the $n2 written (v2)" >&2
	exit 1
fi
size_mb=$(( $(stat -c %s "$f") / 1000000 ))
size2_mb=$(( $(stat -c %s "$f2") / 1000000 ))
echo "file: $n samples (perf script reads $got), $size_mb MB; kvmslb: $k"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

# secs CMD...: wall seconds of one run
secs() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || { echo "bench report: failed: $*" >&2; return 1; }
	t1=$(date +%s%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# the same pipeline for both sides of the pipe ratio
ps_alone() { perf script -i "$f" >/dev/null 2>&1; }
ps_pipe() { perf script -i "$f" 2>/dev/null | "$k" report -i - >/dev/null 2>&1; }

cat "$f" "$f2" >/dev/null	# warm the page cache
declare -A t
for r in $(seq "$runs"); do
	t[cat]+="$(secs cat "$f") "
	t[report]+="$(secs "$k" report -i "$f") "
	t[cat2]+="$(secs cat "$f2") "
	t[report2]+="$(secs "$k" report -i "$f2") "
	t[perf]+="$(secs ps_alone) "
	t[pipe]+="$(secs ps_pipe) "
	echo "# after run $r: cat ${t[cat]}| report ${t[report]}| perf script ${t[perf]}| pipeline ${t[pipe]}| v2: cat ${t[cat2]}| report ${t[report2]}"
done
declare -A m
for key in cat report perf pipe cat2 report2; do
	m[$key]=$(median <<<"${t[$key]}")
done

# peak anonymous RSS (RssAnon, polled every 2 ms) of report on the file
anon_kb=$(python3 - "$k" "$f" <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], 'report', '-i', sys.argv[2]], stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL)
peak = 0
while p.poll() is None:
    try:
        for line in open('/proc/%d/status' % p.pid):
            if line.startswith('RssAnon:'):
                peak = max(peak, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.002)
print(peak)
PY
)

# guests: the same 100 000 perf script lines for 100 000, 50 000 and 8 distinct guests
lines() {	# FILE NGUESTS
	python3 - "$1" "$2" <<'PY'
import sys
n = int(sys.argv[2])
with open(sys.argv[1], 'w') as f:
    for i in range(100000):
        p = 100000 + (7919 * (i % n)) % 3000017 if n > 8 else 1000 + 100 * (i % 8)
        f.write(' qemu %d/%d [000] 1.%06d: kvm_hv:kvm_hfault: VCPU 0: trap=H_DATA_STORAGE '
                'ea=0x0 dsisr=0x0 outcome=retry latency=%d ns dropped=0\n' % (p, p + 1, i, i))
PY
}
lines "$work/g100k.txt" 100000
lines "$work/g50k.txt" 50000
lines "$work/g8.txt" 8
# --guest with no such guest: reading and counting all, printing none of them
for r in $(seq "$runs"); do
	for g in g100k g50k g8; do
		t[$g]+="$(secs "$k" report --guest no-such-guest -i "$work/$g.txt") "
	done
done
for g in g100k g50k g8; do
	m[$g]=$(median <<<"${t[$g]}")
done

fail=0
# line WHAT VALUE SHOWN OP TARGET TEXT
line() {
	local v=ok
	awk -v v="$2" -v t="$5" -v op="$4" 'BEGIN { exit !(op == "<=" ? v <= t : v >= t) }' ||
		{ v="OVER TARGET"; fail=1; }
	printf '  %-30s %9s   (%s) %s\n' "$1" "$3" "$6" "$v"
}
r_cat=$(awk -v a="${m[report]}" -v b="${m[cat]}" 'BEGIN { printf "%.2f", a / b }')
r_cat2=$(awk -v a="${m[report2]}" -v b="${m[cat2]}" 'BEGIN { printf "%.2f", a / b }')
r_perf=$(awk -v a="${m[perf]}" -v b="${m[report]}" 'BEGIN { printf "%.1f", a / b }')
r_pipe=$(awk -v a="${m[pipe]}" -v b="${m[perf]}" 'BEGIN { printf "%.2f", a / b }')
anon_mb=$(awk -v a="$anon_kb" 'BEGIN { printf "%.1f", a / 1024 }')
echo "medians of $runs runs, load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| file | cat | perf script | kvmslb report |"
echo "|---|---|---|---|"
echo "| $n samples, $size_mb MB | ${m[cat]} s | ${m[perf]} s | ${m[report]} s (${r_cat}x cat) |"
echo "| perf script \| kvmslb report -i - | - | ${m[perf]} s | ${m[pipe]} s for the pipeline |"
echo "| series v2: $n2 samples, $size2_mb MB | ${m[cat2]} s | - | ${m[report2]} s (${r_cat2}x cat) |"
line "report / cat" "$r_cat" "${r_cat}x" '<=' 3 "target <= 3x, goal 1.5x"
line "report / cat, series v2" "$r_cat2" "${r_cat2}x" '<=' 3 "target <= 3x"
line "perf script / report" "$r_perf" "${r_perf}x" '>=' 30 "target >= 30x"
line "report peak anonymous RSS" "$anon_mb" "$anon_mb MB" '<=' 16 "target <= 16 MB"
line "pipeline / perf script" "$r_pipe" "${r_pipe}x" '<=' 1.1 "target <= 1.1x"
r_g=$(awk -v a="${m[g100k]}" -v b="${m[g50k]}" 'BEGIN { printf "%.2f", a / b }')
echo "100 000 events: ${m[g100k]} s for 100 000 guests, ${m[g50k]} s for 50 000, ${m[g8]} s for 8"
line "100k guests / 50k guests" "$r_g" "${r_g}x" '<=' 2 "target <= 2x: linear"
exit $fail
