#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb top in batch mode on emulated POWER8 with the patched kernel: its
# last refresh must hold exactly the segment interrupts each guest counted,
# and one latency sample per HDSI/HISI fault path. kvmslb stat runs alongside
# in 1 s intervals, which must add up to its total.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$root/tools/host/run-host.sh" --machine powernv8 --kernel patched --timeout 240 --quiet \
	--script "$root/tests/e2e/top-inner.sh" \
	--add "$build/ppc64le/kvmslb:/usr/sbin/" --add "$build/ppc64le/slbguest:/usr/sbin/" \
	>"$log" 2>&1
rc=$?
grep -aE '^(ok|not ok|#) ' "$log"
if [ $rc -ne 0 ]; then
	echo "not ok - emulated powernv8 run failed (exit $rc); log tail:"
	tail -n 15 "$log" | sed 's/^/#   /'
	exit 1
fi
python3 - "$log" <<'PY'
import json, re, sys
text = open(sys.argv[1], errors="replace").read()
fail = 0
def tap(ok, desc):
    global fail
    print(('ok - ' if ok else 'not ok - ') + desc)
    fail |= not ok
try:
    last = json.loads(text.split('==TOP-LAST\n')[1].split('\n')[0])
except Exception as e:
    tap(False, f'no JSON line from kvmslb top: {e}')
    sys.exit(1)
truth = {}
for m in re.finditer(r'slbguest: total name=(\S+) pid=(\d+) dsegi=(\d+) isegi=(\d+)',
                     text.split('==GUESTS\n')[1]):
    truth[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
tap(sorted(truth) == ['top-a', 'top-b', 'top-c'], f'three guests reported ground truth: {sorted(truth)}')
rows = {g['name']: g for g in last['guests']}
tap(last['source'] == 'patched' and last['segment_synthesis'], 'top uses the patched source')
tap([g['name'] for g in last['guests']] == sorted(rows), '--sort name orders the rows by name')
for name, (pid, dsegi, isegi) in sorted(truth.items()):
    g = rows.get(name)
    if not g:
        tap(False, f'{name}: no row in top')
        continue
    tap(g['pid'] == pid, f'{name}: pid {g["pid"]} == {pid}')
    tap((g['dsegi'], g['isegi']) == (dsegi, isegi),
        f'{name}: top DSegI {g["dsegi"]} ISegI {g["isegi"]} == guest {dsegi}/{isegi}')
    tap(g['seg_injected'] == dsegi + isegi, f'{name}: injected {g["seg_injected"]} == {dsegi + isegi}')
    tap(g['hdsi'] + g['hisi'] > 0 and g['latency_samples_total'] == g['hdsi'] + g['hisi'],
        f'{name}: {g["latency_samples_total"]} latency samples == HDSI {g["hdsi"]} + HISI {g["hisi"]}')
    tap(g['dropped'] == 0, f'{name}: no records dropped')
    tap(not g['alive'], f'{name}: shown as exited after the guest ended')
lines = [json.loads(l) for l in text.split('==STAT\n')[1].split('==GUESTS')[0].splitlines()
         if l.startswith('{')]
ivals = [l for l in lines if l['kind'] == 'interval']
total = [l for l in lines if l['kind'] == 'total']
tap(len(ivals) >= 1 and len(total) == 1, f'stat printed {len(ivals)} intervals and {len(total)} total')
if total:
    t = total[0]
    tap(sum(i['health']['events'] for i in ivals) == t['health']['events'] > 0,
        f'stat: events of the intervals add up to the total {t["health"]["events"]}')
    for g in t['guests']:
        for k in ('hdsi', 'hisi', 'dsegi', 'isegi'):
            s = sum(x['counters'][k] for i in ivals for x in i['guests'] if x['pid'] == g['pid'])
            if s != g['counters'][k]:
                tap(False, f'stat: {g["name"]} {k} intervals {s} != total {g["counters"][k]}')
                break
        else:
            tap(True, f'stat: {g["name"]} intervals add up to the total')
        if g['name'] in truth:
            tap((g['counters']['dsegi'], g['counters']['isegi']) == truth[g['name']][1:],
                f'stat: {g["name"]} total DSegI/ISegI == the guest\'s own')
sys.exit(fail)
PY
