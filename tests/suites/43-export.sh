#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb export: /metrics scraped by the real Prometheus (on this machine,
# over known counts: there is no kvm_hv here) with guests that are real
# processes named with invalid UTF-8, quotes, a backslash, a name cut
# inside a character, and twins (pid labels), checked by promtool; exited
# guests retired; and the textfile written on emulated POWER8 with the
# patched kernel while guests run, checked with promtool and against the
# guests' own counts, with no capability left and a full disk reported.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
pids=()
cleanup() { { for p in "${pids[@]}"; do kill -9 "$p"; done; wait; } 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

# ---- A: real processes as guests, HTTP and real Prometheus ------------------
# guest_process NAME: a process that stops itself, with QEMU's -name guest=NAME
guest_process() {
	sh -c 'kill -STOP $$' qemu-system-ppc64 -name "guest=$1,debug-threads=on" &
	pids+=($!)
	gpids+=($!)
}
gpids=()
odd=$'suite-\xff\xfe"q\\'
long=$(printf 'y%.0s' $(seq 126))$'\xc3\xa9tail'
guest_process "$odd"
guest_process "$long"
guest_process twin
guest_process twin
sleep 0.3
"$build/native/tests/serve_metrics" --retire-after 3 127.0.0.1:0 "${gpids[@]}" >"$work/serve.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do grep -q '^serving ' "$work/serve.out" && break; sleep 0.1; done
addr=$(awk '/^serving /{print $2}' "$work/serve.out")
[ -n "$addr" ] || { bad "serve_metrics did not start: $(cat "$work/serve.out")"; exit 1; }
url=http://$addr/metrics
curl -s -o "$work/text.prom" "$url"
curl -s -H 'Accept: application/openmetrics-text; version=1.0.0' -o "$work/om.prom" "$url"
[ "$(tail -n 1 "$work/om.prom")" = "# EOF" ] && ok "OpenMetrics ends with # EOF" || bad "no # EOF"
if out=$(promtool check metrics <"$work/text.prom" 2>&1); then
	ok "promtool check metrics: the text format is clean, odd names included"
else
	bad "promtool: $out"
fi
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
python3 - "$ppm" "$work/text.prom" "${gpids[@]}" <<'PY'
import json, sys, time, urllib.parse, urllib.request
port, text_path, pids = sys.argv[1], sys.argv[2], sys.argv[3:]
fail = 0
def tap(ok, desc):
    global fail
    print(('ok - ' if ok else 'not ok - ') + desc)
    fail |= not ok
def query(q):
    u = f'http://127.0.0.1:{port}/api/v1/query?' + urllib.parse.urlencode({'query': q})
    with urllib.request.urlopen(u, timeout=5) as r:
        return json.load(r)['data']['result']
def one(q):
    r = query(q)
    return float(r[0]['value'][1]) if len(r) == 1 else f'{len(r)} series'
def promql_str(s):
    # Prometheus 2.42's PromQL takes U+FFFD only escaped ("invalid UTF-8 rune")
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"').replace('\ufffd', '\\ufffd') + '"'
# the names kvmslb must make of them: U+FFFD for each bad byte, the long one
# cut before the character that does not fit in 127 bytes
odd = 'suite-\ufffd\ufffd"q\\'
long = 'y' * 126
for _ in range(150):
    try:
        if query('kvmslb_segment_synthesized_total{guest="alpha",type="dsegi"}'):
            break
    except OSError:
        pass
    time.sleep(0.2)
tap(one('up{job="kvmslb"}') == 1, 'Prometheus scrapes the exporter (OpenMetrics, its preferred format): up == 1')
tap(one('kvmslb_segment_synthesized_total{guest="alpha",type="dsegi"}') == 7, 'alpha DSegI synthesized = 7')
tap(one('kvmslb_segment_injected_total{guest="alpha"}') == 3, 'alpha injected = 3')
tap(one('kvmslb_fault_latency_seconds_count{guest="alpha",trap="hdsi"}') == 5, 'alpha HDSI latency samples = 5')
tap(one('kvmslb_fault_latency_seconds_sum{guest="alpha",trap="hdsi"}') == 9e-06, 'alpha HDSI latency sum = 9 us')
tap(one('kvmslb_host_fault_latency_seconds_bucket{trap="hdsi",le="1.023e-06"}') == 8,
    'host histogram: 8 samples <= 1023 ns (alpha 4, one of each other guest)')
v = (one('histogram_quantile(0.5, kvmslb_host_fault_latency_seconds_bucket{trap="hdsi"})'))
tap(5.11e-7 < v <= 1.023e-6, f'histogram_quantile(0.5) = {v} s, inside the 1000 ns samples\' bucket')
tap(one('sum(kvmslb_fault_paths_total{guest="beta"})') == 1, 'beta fault paths = 1')
tap(one(f'kvmslb_segment_synthesized_total{{guest={promql_str(odd)},type="dsegi"}}') == 1,
    'a name with invalid bytes, a quote and a backslash: U+FFFD for each bad byte, scraped and queried (as \\ufffd)')
tap(one(f'kvmslb_segment_synthesized_total{{guest={promql_str(long)},type="dsegi"}}') == 2,
    'a 131-byte name cut inside a character: 126 bytes, the partial character left out')
twins = query('kvmslb_segment_synthesized_total{guest="twin",type="dsegi"}')
got = sorted((s['metric'].get('pid'), s['value'][1]) for s in twins)
tap(got == sorted([(pids[2], '3'), (pids[3], '4')]), f'two running guests named "twin": told apart by pid {got}')
tap(one('count(kvmslb_segment_synthesized_total{type="dsegi",pid=""})') == 4,
    'the other 4 guests have no pid label')
text = open(text_path, encoding='utf-8').read()
tap(len(text) > 0, 'the exposition reads as UTF-8')
sys.exit(fail)
PY
[ $? -eq 0 ] || fail=1
# the odd guest exits: its series stay for --retire-after 3 s, then go
{ kill -9 "${gpids[0]}"; wait "${gpids[0]}"; } 2>/dev/null
sleep 1.2
curl -s "$url" >"$work/after-exit.prom"
grep -q '^kvmslb_guests{state="exited"} 1$' "$work/after-exit.prom" &&
	grep -q '^kvmslb_segment_synthesized_total{guest="suite-' "$work/after-exit.prom" &&
	ok "an exited guest keeps its series during the grace period (kvmslb_guests{state=\"exited\"} 1)" ||
	bad "exited guest during the grace period: $(grep kvmslb_guests "$work/after-exit.prom")"
sleep 3.5
curl -s "$url" >"$work/retired.prom"
! grep -q 'guest="suite-' "$work/retired.prom" && grep -q '^kvmslb_guests{state="exited"} 0$' "$work/retired.prom" &&
	grep -q '^kvmslb_host_fault_latency_seconds_count{trap="hdsi"} 10$' "$work/retired.prom" &&
	ok "after --retire-after 3 s its series are gone; the host histogram still counts its samples" ||
	bad "retirement: $(grep -E 'kvmslb_guests|host_fault_latency_seconds_count' "$work/retired.prom")"

# ---- B: textfile on emulated POWER8 (patched kernel) -----------------------
"$root/tools/host/run-host.sh" --machine powernv8 --kernel patched --timeout 420 --quiet \
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
sed -n '/^==PROM$/,/^==PROM2$/p' "$work/host.log" | sed '1d;$d' | tr -d '\r' >"$work/host.prom"
sed -n '/^==PROM2$/,/^==PROM3$/p' "$work/host.log" | sed '1d;$d' | tr -d '\r' >"$work/host2.prom"
sed -n '/^==PROM3$/,/^==JSONL-LAST$/p' "$work/host.log" | sed '1d;$d' | tr -d '\r' >"$work/host3.prom"
for f in host host2; do
	if out=$(promtool check metrics <"$work/$f.prom" 2>&1); then
		ok "promtool check metrics on the textfile written on POWER8 ($f.prom)"
	else
		bad "promtool on the POWER8 textfile $f.prom: $out"
	fi
done
python3 - "$work/host.log" "$work/host.prom" "$work/host2.prom" "$work/host3.prom" <<'PY'
import json, re, sys
log = open(sys.argv[1], 'rb').read().decode('utf-8', errors='replace')
prom = open(sys.argv[2], encoding='utf-8').read()
fail = 0
def tap(ok, desc):
    global fail
    print(('ok - ' if ok else 'not ok - ') + desc)
    fail |= not ok
def unescape(v):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), v)
def val(name, **labels):
    total, found = 0.0, False
    for m in re.finditer(r'^' + re.escape(name) + r'(?:\{(.*)\})? (\S+)$', prom, re.M):
        ls = {k: unescape(v) for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1) or '')}
        if all(ls.get(k) == v for k, v in labels.items()):
            total += float(m.group(2)); found = True
    return total if found else None
caps = dict(re.findall(r'^(Cap\w+|NoNewPrivs):\s*(\S+)', log.split('==CAPS')[1].split('==PROM')[0], re.M))
tap(len(caps) == 6 and all(int(v, 16) == 0 for k, v in caps.items() if k.startswith('Cap')),
    f'attached and exporting with no capability left: {caps}')
tap(caps.get('NoNewPrivs') == '1', 'no_new_privs set')
allguests = {int(m.group(2)): (m.group(1), int(m.group(3)), int(m.group(4)))
             for m in re.finditer(r'slbguest: total name=(\S+) pid=(\d+) dsegi=(\d+) isegi=(\d+)', log)}
# exp-d ran after the restart
truth = {p: t[1:] for p, t in allguests.items() if t[0] != 'exp-d'}
dpid = [p for p, t in allguests.items() if t[0] == 'exp-d']
names = {int(p): n for n, p in re.findall(r'^kvmslb_segment_injected_total\{guest="((?:[^"\\]|\\.)*)",pid="(\d+)"\}', prom, re.M)}
names = {p: unescape(n) for p, n in names.items()}
want = sorted(['exp-a', 'exp-\ufffd\ufffd"q\\', 'x' * 126])
tap(sorted(names.get(p, '?') for p in truth) == want, f'the three guests, named as kvmslb must: {sorted(names.values())}')
tap(val('kvmslb_source_info', source='patched') == 1, 'source patched')
paths_all = 0
for pid, (dsegi, isegi) in sorted(truth.items()):
    p = str(pid)
    n = names.get(pid, '?')[:12]
    d = val('kvmslb_segment_synthesized_total', pid=p, type='dsegi')
    i = val('kvmslb_segment_synthesized_total', pid=p, type='isegi')
    tap((d, i) == (dsegi, isegi), f'{n}: exported DSegI {d} ISegI {i} == guest {dsegi}/{isegi}')
    tap(val('kvmslb_segment_injected_total', pid=p) == dsegi + isegi,
        f'{n}: exported injected == {dsegi + isegi}')
    paths = val('kvmslb_fault_paths_total', pid=p)
    paths_all += paths or 0
    for trap in ('hdsi', 'hisi'):
        c = val('kvmslb_fault_latency_seconds_count', pid=p, trap=trap)
        f = val('kvmslb_fault_paths_total', pid=p, trap=trap)
        tap(c == f, f'{n}: {trap} latency samples {c} == fault paths {f}')
    tap(val('kvmslb_log_dropped_total', pid=p) == 0, f'{n}: no log drops')
    # --per-vcpu: the vcpus' counters add up to the guest's, exactly
    vd = val('kvmslb_vcpu_segment_synthesized_total', pid=p, type='dsegi')
    vi = val('kvmslb_vcpu_segment_synthesized_total', pid=p, type='isegi')
    vf = [val('kvmslb_vcpu_fault_paths_total', pid=p, trap=t) for t in ('hdsi', 'hisi')]
    gf = [val('kvmslb_fault_paths_total', pid=p, trap=t) for t in ('hdsi', 'hisi')]
    tap((vd, vi) == (dsegi, isegi) and vf == gf,
        f'{n}: per-vcpu DSegI {vd} ISegI {vi}, fault paths {vf} add up to the guest\'s {gf}')
inf = sum(val('kvmslb_host_fault_latency_seconds_bucket', trap=t, le='+Inf') or 0 for t in ('hdsi', 'hisi'))
tap(inf == paths_all > 0, f'host histogram +Inf {inf} == all fault paths {paths_all}')
last = json.loads(log.split('==JSONL-LAST\n')[1].split('\n')[0])
g = {x['pid']: x['counters'] for x in last['guests']}
tap(all((g[p]['dsegi'], g[p]['isegi']) == t for p, t in truth.items()),
    'the last JSON line agrees with the guests')

# the restart: every counter of the first run goes on in the second
def samples(text):
    out = {}
    for m in re.finditer(r'^(\w+)(?:\{(.*)\})? (\S+)$', text, re.M):
        name, labels = m.group(1), m.group(2) or ''
        if not re.search(r'_(total|count|sum|bucket)$', name):
            continue
        ls = tuple(sorted((k, v) for k, v in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', labels) if k != 'guest'))
        out[(name, ls)] = float(m.group(3))
    return out
s1, s2 = samples(prom), samples(open(sys.argv[3], encoding='utf-8').read())
lower = [(k, v, s2.get(k)) for k, v in s1.items() if s2.get(k) is None or s2[k] < v]
tap(len(s1) > 100 and not lower, f'restart with pinned maps: all {len(s1)} counter samples of the first run '
    f'are in the second, none lower {lower[:3]}')
same = [k for k, v in s1.items() if dict(k[1]).get('pid') and s2.get(k) != v]
tap(not same, f'the guests that ran before the restart keep exactly their counts ({len(same)} differ)')
prom2 = open(sys.argv[3], encoding='utf-8').read()
def val2(name, **labels):
    global prom
    keep, prom = prom, prom2
    try:
        return val(name, **labels)
    finally:
        prom = keep
tap(len(dpid) == 1, 'exp-d ran after the restart')
for p in dpid:
    _, d, i = allguests[p]
    got = (val2('kvmslb_segment_synthesized_total', pid=str(p), type='dsegi'),
           val2('kvmslb_segment_synthesized_total', pid=str(p), type='isegi'))
    tap(got == (d, i), f'exp-d, after the restart: exported {got} == guest {(d, i)}')
ev1, ev2 = val('kvmslb_collector_events_total'), val2('kvmslb_collector_events_total')
tap(ev2 > ev1, f'collector events go on: {ev1} then {ev2}')
inf2 = sum(val2('kvmslb_host_fault_latency_seconds_bucket', trap=t, le='+Inf') or 0 for t in ('hdsi', 'hisi'))
paths2 = val2('kvmslb_fault_paths_total')
tap(inf2 == paths2 > paths_all, f'after the restart: host histogram +Inf {inf2} == all fault paths {paths2}')
prom3 = open(sys.argv[4], encoding='utf-8').read()
tap('kvmslb_source_info' in prom3 and 'kvmslb_segment_synthesized_total{' not in prom3,
    '--no-pin: fresh maps, none of the earlier counts')
sys.exit(fail)
PY
[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
exit $fail
