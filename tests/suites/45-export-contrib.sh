#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What ships around kvmslb export (contrib/), installed by make install:
#  - the Prometheus rules: promtool check rules, and promtool test rules on
#    series of known values;
#  - the Grafana dashboard: every panel's query (and the variables') run by
#    the real Prometheus against the exporter (tests/export/serve_metrics.c
#    --grow: counts that grow at known rates), each with the value it must
#    give; a panel without an expected value is a failure;
#  - the systemd units: systemd-analyze verify clean, their command lines
#    accepted by kvmslb, loopback by default, the capabilities they keep.
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

inst=$work/inst
if make -C "$root" -s install BUILD="$build" DESTDIR="$inst" PREFIX=/usr/local >"$work/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr/local"
else
	bad "make install: $(tail -n 3 "$work/install.log")"
	exit 1
fi
share=$inst/usr/local/share/kvmslb
units=$inst/usr/local/lib/systemd/system
for f in "$share/prometheus/kvmslb.rules.yml" "$share/prometheus/kvmslb.rules.test.yml" \
	 "$share/grafana/kvmslb.json" "$units/kvmslb-export.service" "$units/kvmslb-export-textfile.service"; do
	[ -f "$f" ] && ok "installed ${f#"$inst"}" || bad "missing ${f#"$inst"}"
done

# ---- Prometheus rules --------------------------------------------------------
if out=$(promtool check rules "$share/prometheus/kvmslb.rules.yml" 2>&1); then
	ok "promtool check rules: $(grep -o 'SUCCESS.*' <<<"$out")"
else
	bad "promtool check rules: $out"
fi
if out=$(cd "$share/prometheus" && promtool test rules kvmslb.rules.test.yml 2>&1); then
	ok "promtool test rules: recording rules exact, every alert fires when it must and only then"
else
	bad "promtool test rules: $out"
fi

# ---- systemd units -----------------------------------------------------------
# verify what make install wrote, its ExecStart pointed at the binary under DESTDIR
mkdir -p "$work/units"
for u in kvmslb-export kvmslb-export-textfile; do
	sed "s|/usr/local/sbin/kvmslb|$inst/usr/local/sbin/kvmslb|" "$units/$u.service" >"$work/units/$u.service"
	if out=$(cd "$work/units" && MANPATH="$inst/usr/local/share/man" \
		 systemd-analyze verify "$work/units/$u.service" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify $u.service: clean"
	else
		bad "systemd-analyze verify $u.service: $out"
	fi
	# the command line must parse: here it fails for want of kvm_hv (exit 1), never as usage (2)
	cmd=$(sed -n 's/^ExecStart=//p' "$units/$u.service" | sed "s|^/usr/local/sbin/kvmslb|$inst/usr/local/sbin/kvmslb|")
	$cmd --once --interval 0.1 >/dev/null 2>"$work/cmd.err"
	rc=$?
	[ "$rc" = 1 ] && grep -q 'no data source' "$work/cmd.err" &&
		ok "$u.service's command line is accepted (exit $rc here: no kvm_hv)" ||
		bad "$u.service's command line: exit $rc, $(cat "$work/cmd.err")"
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$units/$u.service")
	[ "$caps" = "CAP_BPF CAP_PERFMON" ] && ok "$u.service keeps CAP_BPF CAP_PERFMON only" ||
		bad "$u.service capabilities: '$caps'"
	for d in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes; do
		grep -qx "$d" "$units/$u.service" && ok "$u.service: $d" || bad "$u.service lacks $d"
	done
	score=$(systemd-analyze security --offline=true "$work/units/$u.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p')
	echo "# systemd-analyze security $u.service: $score"
done
grep -qx 'ExecStart=/usr/local/sbin/kvmslb export --listen 127.0.0.1:9466' "$units/kvmslb-export.service" &&
	ok "kvmslb-export.service listens on loopback" || bad "kvmslb-export.service ExecStart"

# ---- the dashboard's queries, run by Prometheus against known rates ---------
"$build/native/tests/serve_metrics" --grow 127.0.0.1:0 >"$work/serve.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^serving ' "$work/serve.out" && break; sleep 0.1; done
addr=$(awk '/^serving /{print $2}' "$work/serve.out")
[ -n "$addr" ] || { bad "serve_metrics did not start: $(cat "$work/serve.out")"; exit 1; }
ppm=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/prometheus.yml" <<EOF2
global: { scrape_interval: 1s, evaluation_interval: 1s }
scrape_configs:
  - job_name: kvmslb
    static_configs: [ { targets: ['$addr'] } ]
EOF2
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
	--web.listen-address="127.0.0.1:$ppm" >"$work/prom.log" 2>&1 &
pids+=($!)
timeout 120 python3 - "$ppm" "$addr" "$share/grafana/kvmslb.json" <<'PY'
import json, math, sys, time, urllib.parse, urllib.request
port, addr, path = sys.argv[1], sys.argv[2], sys.argv[3]
fail = 0
def tap(ok, desc):
    global fail
    print(('ok - ' if ok else 'not ok - ') + desc)
    fail |= not ok
def api(endpoint, **params):
    u = f'http://127.0.0.1:{port}/api/v1/{endpoint}?' + urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(u, timeout=10) as r:
        return json.load(r)['data']

# The exporter's counts grow at known rates (serve_metrics --grow): alpha
# 10 DSegI, 4 ISegI and 5 HDSI of 1000 ns a second; beta 1 HDSI of 70000 ns.
# Rates are checked to 5% (Prometheus extrapolates at the window's edges),
# the rest exactly. Quantiles: log2 buckets, le = 2^(k+1)-1 ns.
R = 'rate'
p50 = 5.11e-07 + (1.023e-06 - 5.11e-07) * 3 / 5         # rank 3 of 6: in alpha's [512, 1024) ns
p99 = 6.5535e-05 + (1.31071e-04 - 6.5535e-05) * 0.94    # rank 5.94: in beta's [65536, 131072) ns
expect = {
    ('Guests', 'A'): {('running',): 2, ('exited',): 0},
    ('Data source', 'A'): {(addr, 'patched'): 1},
    ('Data source', 'B'): {(addr, '0.1.0'): 1},
    ('Hosts synthesizing most', 'A'): {(addr,): (R, 14)},
    ('Segment interrupts synthesized, by guest', 'A'): {('alpha',): (R, 14), ('beta',): 0},
    ('DSegI and ISegI', 'A'): {('dsegi',): (R, 10), ('isegi',): (R, 4)},
    ('Top guests by synthesis', 'A'): {('alpha',): (R, 14), ('beta',): 0},
    ('HDSI/HISI fault paths', 'A'): {('hdsi',): (R, 6), ('hisi',): 0},
    ('Fault injection', 'A'): {('alpha',): 0, ('beta',): 0},
    ('Fault-path latency, all guests', 'A'): {('hdsi',): (R, p50), ('hisi',): 'NaN'},
    ('Fault-path latency, all guests', 'B'): {('hdsi',): (R, p99), ('hisi',): 'NaN'},
    ('Mean fault-path latency, by guest', 'A'): {('alpha',): (R, 1e-06), ('beta',): (R, 7e-05)},
    ('Fault-path latency heatmap, all guests', 'A'): 'heatmap',
    ('Collector losses', 'A'): {(r,): 0 for r in ('count_map_full', 'hist_map_full', 'start_map_full', 'ringbuf_full', 'unpaired_exit')},
    ('Collector losses', 'B'): {(): 0},
}
heatmap = {'1.023e-06': (R, 5), '0.000131071': (R, 6), '+Inf': (R, 6), '5.11e-07': 0, '6.5535e-05': (R, 5)}

dash = json.load(open(path))
panels = dash['panels']
targets = [(p['title'], t['refId'], t['expr'], t.get('legendFormat', '')) for p in panels for t in p['targets']]
tap(len(targets) == len(expect), f'{len(panels)} panels, {len(targets)} queries, an expected value for each')

def subst(expr):
    # what Grafana sends with every host and guest selected, 1 s scrapes
    return (expr.replace('$instance', '.*').replace('$guest', '.*').replace('$__rate_interval', '12s'))

def labels_of(legend, metric):
    import re
    return tuple(metric.get(k, '') for k in re.findall(r'\{\{\s*(\w+)\s*\}\}', legend))

def close(got, want):
    if want == 'NaN':
        return got == 'NaN'
    if isinstance(want, tuple):
        return math.isfinite(float(got)) and abs(float(got) - want[1]) <= 0.05 * abs(want[1])
    return float(got) == want

# enough samples for a 12 s rate: wait for 15 s of scrapes
t0 = time.monotonic()
while time.monotonic() - t0 < 90:
    try:
        r = api('query', query='count_over_time(kvmslb_source_info[15s])')
        if r['result'] and float(r['result'][0]['value'][1]) >= 14:
            break
    except OSError:
        pass
    time.sleep(0.5)
# the variables: label_values(kvmslb_source_info, instance), label_values(kvmslb_fault_paths_total{...}, guest)
for v in dash['templating']['list']:
    if v['type'] != 'query':
        continue
    q = v['query']['query']
    metric = q[len('label_values('):q.rindex(',')].replace('$instance', '.*')
    label = q[q.rindex(',') + 1:-1].strip()
    got = sorted(api(f'label/{label}/values', **{'match[]': metric}))
    want = [addr] if label == 'instance' else ['alpha', 'beta']
    tap(got == want, f'variable ${v["name"]}: {q} gives {got}')

for title, ref, expr, legend in targets:
    want = expect.get((title, ref))
    if want is None:
        tap(False, f'panel "{title}" query {ref} has no expected value: {expr}')
        continue
    res = api('query', query=subst(expr))['result']
    if want == 'heatmap':
        got = {s['metric'].get('le'): s['value'][1] for s in res}
        okay = all(le in got and close(got[le], w) for le, w in heatmap.items()) and len(got) == 32
        tap(okay, f'panel "{title}" {ref}: 32 buckets, ' + ', '.join(f'le={le}: {got.get(le)}' for le in heatmap))
        continue
    got = {labels_of(legend, s['metric']): s['value'][1] for s in res}
    okay = set(got) == set(want) and all(close(got[k], w) for k, w in want.items())
    shown = ', '.join(f'{"/".join(k) or "all"}={v}' for k, v in sorted(got.items()))
    tap(okay, f'panel "{title}" {ref}: {shown}' + ('' if okay else f' (want {want})'))
sys.exit(fail)
PY
[ $? -eq 0 ] || fail=1
exit $fail
