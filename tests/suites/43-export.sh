#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb export: /metrics over HTTP scraped by the real Prometheus (on this
# machine, over a known aggregation: there is no kvm_hv here), and the
# textfile written on emulated POWER8 with the patched kernel while guests
# run, checked with promtool and against the guests' own counts.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# ---- A: HTTP and real Prometheus -------------------------------------------
port=$((20000 + RANDOM % 20000))
"$build/native/tests/serve_metrics" "127.0.0.1:$port" >"$work/serve.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q serving "$work/serve.out" && break; sleep 0.1; done
url=http://127.0.0.1:$port/metrics
ct=$(curl -s -o "$work/text.prom" -w '%{content_type}' "$url")
[ "$ct" = "text/plain; version=0.0.4; charset=utf-8" ] && ok "GET /metrics: $ct" || bad "content type '$ct'"
ct=$(curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' -o "$work/om.prom" \
	-w '%{content_type}' "$url")
[ "$ct" = "application/openmetrics-text; version=1.0.0; charset=utf-8" ] &&
	ok "GET /metrics with Accept: OpenMetrics: $ct" || bad "OpenMetrics content type '$ct'"
[ "$(tail -n 1 "$work/om.prom")" = "# EOF" ] && ok "OpenMetrics ends with # EOF" || bad "no # EOF"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")
[ "$code" = 404 ] && ok "unknown path: 404" || bad "unknown path: $code"
if out=$(promtool check metrics <"$work/text.prom" 2>&1); then
	ok "promtool check metrics: no problem in the text format"
else
	bad "promtool: $out"
fi
ppm=$((port + 1))
cat >"$work/prometheus.yml" <<EOF2
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: kvmslb
    static_configs: [ { targets: ['127.0.0.1:$port'] } ]
EOF2
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
	--web.listen-address="127.0.0.1:$ppm" >"$work/prom.log" 2>&1 &
pids+=($!)
query() {
	curl -s --get "http://127.0.0.1:$ppm/api/v1/query" --data-urlencode "query=$1" |
		python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "none")' 2>/dev/null
}
v=none
for _ in $(seq 150); do
	v=$(query 'kvmslb_segment_synthesized_total{guest="alpha",type="dsegi"}')
	[ "$v" != none ] && [ -n "$v" ] && break
	sleep 0.2
done
[ "$v" = 7 ] && ok "Prometheus scraped kvmslb: alpha DSegI synthesized = 7" || bad "alpha DSegI via Prometheus: '$v'"
v=$(query 'kvmslb_segment_injected_total{guest="alpha"}')
[ "$v" = 3 ] && ok "Prometheus: alpha injected = 3" || bad "alpha injected: '$v'"
v=$(query 'kvmslb_fault_latency_seconds_count{guest="alpha",trap="hdsi"}')
[ "$v" = 5 ] && ok "Prometheus: alpha HDSI latency samples = 5" || bad "alpha hdsi count: '$v'"
v=$(query 'kvmslb_fault_latency_seconds_bucket{guest="alpha",trap="hdsi",le="1.023e-06"}')
[ "$v" = 4 ] && ok "Prometheus: 4 samples <= 1023 ns (bucket [512, 1024))" || bad "le=1.023e-06: '$v'"
v=$(query 'histogram_quantile(0.5, kvmslb_fault_latency_seconds_bucket{guest="alpha",trap="hdsi"})')
if python3 -c "import sys; v=float(sys.argv[1]); sys.exit(not (5.11e-7 < v <= 1.023e-6))" "$v" 2>/dev/null; then
	ok "Prometheus: histogram_quantile(0.5) = $v s, inside the 1000 ns samples' bucket"
else
	bad "histogram_quantile(0.5) = '$v'"
fi
v=$(query 'sum(kvmslb_fault_paths_total{guest="beta"})')
[ "$v" = 1 ] && ok "Prometheus: beta fault paths = 1" || bad "beta fault paths: '$v'"

# ---- B: textfile on emulated POWER8 (patched kernel) -----------------------
"$root/tools/host/run-host.sh" --machine powernv8 --kernel patched --timeout 240 --quiet \
	--script "$root/tests/e2e/export-inner.sh" \
	--add "$build/ppc64le/kvmslb:/usr/sbin/" --add "$build/ppc64le/slbguest:/usr/sbin/" \
	>"$work/host.log" 2>&1
rc=$?
grep -aE '^(ok|not ok) ' "$work/host.log"
if [ $rc -ne 0 ]; then
	bad "emulated powernv8 run failed (exit $rc)"
	tail -n 15 "$work/host.log" | sed 's/^/#   /'
	exit 1
fi
sed -n '/^==PROM$/,/^==JSONL-LAST$/p' "$work/host.log" | sed '1d;$d' | tr -d '\r' >"$work/host.prom"
if out=$(promtool check metrics <"$work/host.prom" 2>&1); then
	ok "promtool check metrics on the textfile written on POWER8"
else
	bad "promtool on the POWER8 textfile: $out"
fi
python3 - "$work/host.log" "$work/host.prom" <<'PY'
import json, re, sys
log = open(sys.argv[1], errors='replace').read()
prom = open(sys.argv[2]).read()
fail = 0
def tap(ok, desc):
    global fail
    print(('ok - ' if ok else 'not ok - ') + desc)
    fail |= not ok
def val(name, **labels):
    total, found = 0.0, False
    for m in re.finditer(r'^' + re.escape(name) + r'\{([^}]*)\} (\S+)$', prom, re.M):
        ls = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        if all(ls.get(k) == v for k, v in labels.items()):
            total += float(m.group(2)); found = True
    return total if found else None
truth = {m.group(1): (int(m.group(2)), int(m.group(3)), int(m.group(4)))
         for m in re.finditer(r'slbguest: total name=(\S+) pid=(\d+) dsegi=(\d+) isegi=(\d+)', log)}
tap(sorted(truth) == ['exp-a', 'exp-b'], f'guests reported ground truth: {sorted(truth)}')
tap(val('kvmslb_source_info', source='patched') == 1, 'source patched')
for name, (pid, dsegi, isegi) in sorted(truth.items()):
    p = str(pid)
    d = val('kvmslb_segment_synthesized_total', guest=name, pid=p, type='dsegi')
    i = val('kvmslb_segment_synthesized_total', guest=name, pid=p, type='isegi')
    tap((d, i) == (dsegi, isegi), f'{name}: exported DSegI {d} ISegI {i} == guest {dsegi}/{isegi}')
    tap(val('kvmslb_segment_injected_total', guest=name) == dsegi + isegi,
        f'{name}: exported injected == {dsegi + isegi}')
    paths = val('kvmslb_fault_paths_total', guest=name)
    tap(paths and val('kvmslb_fault_outcomes_total', guest=name) == paths,
        f'{name}: outcomes sum to the {paths} fault paths')
    tap(val('kvmslb_fault_outcomes_total', guest=name, outcome='segment') == dsegi + isegi,
        f'{name}: outcome "segment" == {dsegi + isegi} synthesized')
    for trap in ('hdsi', 'hisi'):
        n = val('kvmslb_fault_paths_total', guest=name, trap=trap)
        c = val('kvmslb_fault_latency_seconds_count', guest=name, trap=trap) or 0
        inf = val('kvmslb_fault_latency_seconds_bucket', guest=name, trap=trap, le='+Inf') or 0
        tap(n == c == inf, f'{name}: {trap} histogram count {c} == +Inf bucket {inf} == fault paths {n}')
    tap(val('kvmslb_log_dropped_total', guest=name) == 0, f'{name}: no log drops')
last = json.loads(log.split('==JSONL-LAST\n')[1].split('\n')[0])
g = {x['name']: x['counters'] for x in last['guests']}
tap(all((g[n]['dsegi'], g[n]['isegi']) == t[1:] for n, t in truth.items()),
    'the last JSON line agrees with the guests')
sys.exit(fail)
PY
[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
exit $fail
