#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb export for a fleet (issue 12), against the exporter before it
# (commit cb41074, built from git in this run by the same driver,
# tests/export/bench_export.c -DBENCH_V0) and against the goals:
#   render one scrape of 1000 guests: <= 10 ms of CPU and <= 1 MB
#   a refresh over 1000 guests x 8 vcpus (read the maps, track the guests,
#   render): <= 10 ms of CPU; top's too (read, rows, trends)
#   RSS of the exporter serving 1000 guests: <= 32 MB
#   a fresh scrape with 500 idle sockets and 20 slowloris clients
#   connected: answered within 100 ms
# Guests are real processes (named with -name guest=...); maps are real
# BPF maps of bpf/kvmslb.bpf.c (loaded, not attached). CPU time is the
# working thread's. Needs root (BPF maps). Not part of make check.
#   KVMSLB_BENCH_RUNS (default 9: medians)
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
runs=${KVMSLB_BENCH_RUNS:-9}
peer_commit=cb41074
bench=$build/native/tests/bench_export
bench_maps=$build/native/tests/bench_maps
serve=$build/native/tests/serve_metrics
[ -x "$bench" ] && [ -x "$bench_maps" ] && [ -x "$serve" ] || { echo "bench export: build first (make test-build)" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "bench export: needs root (BPF maps)" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
over=0

# ---- the peer: the exporter before issue 12, from git ----------------------------
peer=
if git -C "$root" cat-file -e "$peer_commit^{commit}" 2>/dev/null; then
	mkdir -p "$work/v0"
	git -C "$root" archive "$peer_commit" src include | tar -x -C "$work/v0"
	v0=$work/v0/src
	if nice cc -std=c11 -D_GNU_SOURCE -O2 -DBENCH_V0 -I"$work/v0/include" -I"$v0" \
		-I"$root/tests/export" -o "$work/bench_v0" "$root/tests/export/bench_export.c" \
		"$v0"/core/{agg,hist,guest,text,tracker,host_probe}.c "$v0"/export/{metrics,prom,http}.c \
		-lbpf -lelf -lz -lmicrohttpd 2>"$work/v0.log"; then
		peer=$work/bench_v0
	else
		echo "# the peer did not build: $(head -n 3 "$work/v0.log")"
	fi
else
	echo "# commit $peer_commit is not in this clone: no peer"
fi

val() { sed -n "s/^$1=//p" <<<"$2"; }
# ratio A B: A/B with 2 decimals, or "-"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "") printf "%.3f", a / b; else print "-" }'; }
verdict() {	# value limit -> "ok" or "OVER" (noted in $work/over: this runs in $(...))
	awk -v v="$1" -v l="$2" 'BEGIN { exit !(v != "" && v + 0 <= l + 0) }' && echo ok ||
		{ echo OVER; touch "$work/over"; }
}

# ---- render one scrape -------------------------------------------------------------
echo "render one scrape (CPU ms, bytes), median of $runs:"
printf '  %-22s %10s %11s %10s %11s %9s %s\n' "" "ms" "bytes" "v0 ms" "v0 bytes" "ms/v0" "goal <= 10 ms, <= 1 MB"
for gv in "1000 0" "1000 8"; do
	set -- $gv
	now=$(nice "$bench" render "$1" "$2" "$runs") || { echo "bench export: render failed" >&2; exit 1; }
	old=
	[ -n "$peer" ] && old=$(nice "$peer" render "$1" "$2" "$runs")
	for f in text openmetrics; do
		ms=$(val "render_${f}_ms" "$now")
		b=$(val "bytes_$f" "$now")
		oms=$(val "render_${f}_ms" "$old")
		ob=$(val "bytes_$f" "$old")
		goal=
		if [ "$2" = 0 ]; then
			goal="$(verdict "$ms" 10) $(verdict "$b" 1048576)"
		else
			goal="(per-vcpu series: opt-in; 10 ms: $(verdict "$ms" 10))"
		fi
		printf '  %-22s %10s %11s %10s %11s %9s %s\n' "$1 x $2 $f" "$ms" "$b" "${oms:--}" "${ob:--}" \
			"$(ratio "$ms" "$oms")" "$goal"
	done
done
echo "  (v0 had no per-vcpu series: its 1000 x 8 scrape is its 1000-guest one)"

# ---- a refresh ---------------------------------------------------------------------
echo "a refresh (CPU ms), median of $runs: read the BPF maps, track the guests, render one scrape:"
printf '  %-12s %8s %9s %8s %8s   %9s %8s %8s  %s\n' "" "maps" "tracker" "render" "total" "v0 track" "v0 rend" "v0 tot" "goal <= 10 ms"
for gv in "1000 0" "1000 8"; do
	set -- $gv
	maps=$(nice "$bench_maps" "$1" "$2" "$runs" 2>/dev/null) || { echo "bench export: maps failed" >&2; exit 1; }
	now=$(nice "$bench" refresh "$1" "$2" "$runs" 2>/dev/null) || { echo "bench export: refresh failed" >&2; exit 1; }
	old=
	[ -n "$peer" ] && old=$(nice "$peer" refresh "$1" "$2" "$runs" 2>/dev/null)
	m=$(val maps_read_ms "$maps")
	t=$(val tracker_ms "$now")
	r=$(val render_ms "$now")
	tot=$(awk -v a="$m" -v b="$t" -v c="$r" 'BEGIN { printf "%.3f", a + b + c }')
	ot=$(val tracker_ms "$old")
	or=$(val render_ms "$old")
	otot=$(awk -v a="$m" -v b="$ot" -v c="$or" 'BEGIN { if (b != "") printf "%.3f", a + b + c }')
	printf '  %-12s %8s %9s %8s %8s   %9s %8s %8s  %s\n' "$1 x $2" "$m" "$t" "$r" "$tot" "${ot:--}" "${or:--}" \
		"${otot:--}" "$(verdict "$tot" 10)"
	echo "  # $1 x $2: $(val maps_keys "$maps") map keys on $(val ncpus "$maps") CPUs; the map reading is core/bpf_source.c's and agg.c's;"
	echo "  #   of it, the floor: every word of the counts read once where they are (mapped BPF arrays, no copy): $(val maps_copy_ms "$maps") ms"
	[ "$2" = 0 ] || echo "  #   export keeps per-vcpu counters only; read as stat and top read it (per-vcpu histograms too): $(val maps_read_vcpus_ms "$maps") ms"
	if [ "$2" != 0 ]; then
		tr=$(val top_refresh_ms "$maps")
		printf '  %-12s %8s   (top: the read with a histogram a vcpu, rows, rates, trends)  %s\n' \
			"top $1 x $2" "$tr" "$(verdict "$tr" 10)"
		st=$(val stat_interval_ms "$maps")
		printf '  %-12s %8s   (stat INTERVAL: the read, the interval; every vcpu moved)  %s\n' \
			"stat $1 x $2" "$st" "$(verdict "$st" 10)"
		st=$(val stat_interval_vcpus_ms "$maps")
		printf '  %-12s %8s   (stat -j --per-vcpu INTERVAL: a histogram a vcpu too)  %s\n' \
			"stat -v $1x$2" "$st" "$(verdict "$st" 10)"
		echo "  #   stat --per-vcpu INTERVAL in text, a histogram a vcpu's path: $(val stat_interval_vcpu_paths_ms "$maps") ms;"
		echo "  #   printing such an interval (to /dev/null): JSON $(val stat_print_vcpus_ms "$maps") ms, text $(val stat_print_vcpu_paths_ms "$maps") ms"
	fi
done

# ---- RSS serving -----------------------------------------------------------------------
echo "RSS of the exporter serving (refresh every second, 20 scrapes of each format), VmHWM;"
echo "  this tree reads real BPF maps, whose arrays it maps (kernel memory, counted in RssFile):"
rss_of() {	# driver G V -> "kB [file kB]"
	local out=$work/serve.$$.$RANDOM pid addr hwm file
	"$1" serve "$2" "$3" >"$out" 2>/dev/null &
	pid=$!
	for _ in $(seq 600); do grep -q '^serving ' "$out" && break; sleep 0.1; done
	addr=$(awk '/^serving /{print $2}' "$out")
	[ -n "$addr" ] || { kill "$pid"; wait "$pid" 2>/dev/null; return; }
	for _ in $(seq 20); do
		curl -s -o /dev/null "http://$addr/metrics"
		curl -s -o /dev/null -H 'Accept: application/openmetrics-text; version=1.0.0' "http://$addr/metrics"
	done
	sleep 2.5
	hwm=$(awk '/^VmHWM:/{print $2}' "/proc/$pid/status")
	file=$(awk '/^RssFile:/{print $2}' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo "$hwm $file"
}
for gv in "1000 0" "1000 8"; do
	set -- $gv
	set -- "$1" "$2" $(rss_of "$bench" "$1" "$2")
	kb=${3:-}
	okb=
	[ -n "$peer" ] && okb=$(rss_of "$peer" "$1" "$2" | cut -d' ' -f1)
	if [ "$2" = 0 ]; then
		goal="goal <= 32 MB $(verdict "$kb" 32768)"
	else
		goal="(per-vcpu series: opt-in)"
	fi
	printf '  %-12s %6s kB (RssFile %6s kB)   v0 %6s kB   ratio %6s   %s\n' "$1 x $2" "${kb:--}" \
		"${4:--}" "${okb:--}" "$(ratio "$kb" "$okb")" "$goal"
done

# ---- a fresh scrape under abuse -------------------------------------------------------
echo "a fresh scrape with 500 idle sockets and 20 slowloris clients connected (127.0.0.1):"
abuse_of() {	# label command...
	local label=$1 out=$work/abuse.out pid addr res
	shift
	"$@" >"$out" 2>/dev/null &
	pid=$!
	for _ in $(seq 100); do grep -q '^serving ' "$out" && break; sleep 0.1; done
	addr=$(awk '/^serving /{print $2}' "$out")
	res=$(timeout 120 python3 "$root/tests/export/abuse.py" "$addr" --idle 500 --slowloris 20 \
		--scrapes 10 --timeout 3 2>&1)
	kill "$pid"
	wait "$pid" 2>/dev/null
	echo "$res" >"$work/abuse.$label"
}
abuse_of now "$serve" 127.0.0.1:0
res=$(cat "$work/abuse.now")
mx=$(sed -n 's/^scrape_max_seconds=\([0-9.]*\).*/\1/p' <<<"$res")
md=$(sed -n 's/.*scrape_median_seconds=\([0-9.]*\).*/\1/p' <<<"$res")
n=$(sed -n 's/^scrapes_ok=//p' <<<"$res")
ms=$(awk -v s="$mx" 'BEGIN { if (s != "") printf "%.2f", s * 1000 }')
printf '  now: %s of 10 answered, median %s ms, max %s ms   goal <= 100 ms %s\n' "${n:-0}" \
	"$(awk -v s="$md" 'BEGIN { if (s != "") printf "%.2f", s * 1000 }')" "${ms:--}" "$(verdict "$ms" 100)"
[ "${n:-0}" = 10 ] || over=1
if [ -n "$peer" ]; then
	abuse_of v0 "$peer" serve 10 0
	res=$(cat "$work/abuse.v0")
	n=$(sed -n 's/^scrapes_ok=//p' <<<"$res")
	mx=$(sed -n 's/^scrape_max_seconds=\([0-9.]*\).*/\1/p' <<<"$res")
	md=$(sed -n 's/.*scrape_median_seconds=\([0-9.]*\).*/\1/p' <<<"$res")
	printf '  v0:  %s of 10 answered within 3 s%s\n' "${n:-0}" \
		"${mx:+ (of those: median $(awk -v s="$md" 'BEGIN { printf "%.2f", s * 1000 }') ms, max $(awk -v s="$mx" 'BEGIN { printf "%.2f", s * 1000 }') ms)}"
fi
[ -e "$work/over" ] && over=1
exit $over
