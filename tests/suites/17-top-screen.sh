#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslbtop as an operator uses it, on a recording made on the emulated
# POWER8 host (tests/top/, replayed with --replay: the same aggregation and
# rows as the live sources): the live screen driven in tmux after each key
# at 80x24 and 200x50 (tests/top/screen_test.py), batch JSON, the -L log
# and its SIGHUP reopen, and bad input. Totals must be the guests' own.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
recs="$root/tests/top/power8-4guests $root/tests/top/power9-stock-4guests"
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1

command -v tmux >/dev/null || { bad "tmux is installed (tools/install-deps.sh)"; exit 1; }
for r in $recs; do
	for flavour in native asan; do
		ASAN_OPTIONS=detect_leaks=1:log_path=$work/asan python3 "$root/tests/top/screen_test.py" \
			"$build/$flavour/kvmslb" "$r.jsonl" "$r.truth" |
			sed "s/^\(not \)\{0,1\}ok - /&[$flavour, ${r##*/}] /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || fail=1
	done
done
if ls "$work"/asan.* >/dev/null 2>&1; then
	bad "[asan] the screen runs under ASan+UBSan without a report: $(head -c 400 "$work"/asan.*)"
else
	ok "[asan] the screen runs under ASan+UBSan without a report"
fi

# check_lines DESC FILE KIND: the JSON lines of top -b -j (KIND=batch) or of
# -L -j / CSV (KIND=log, logcsv) against the recording and the truth
check() {
	python3 - "$@" "$rec" "$truth" <<'PY'
import csv, json, re, sys
desc, path, kind, rec, truth = sys.argv[1:6]
ivals = [d for d in (json.loads(l) for l in open(rec, encoding='utf-8') if l.strip())
         if d.get('kind') == 'interval']
rec_tot = {}
for i in ivals:
    for g in i['guests']:
        t = rec_tot.setdefault(g['name'], [0, 0])
        t[0] += g['counters']['hdsi']
        t[1] += g['counters']['hisi']
want = {}
for l in open(truth, encoding='utf-8'):
    m = re.search(r'total name=(\S+) pid=\d+ dsegi=(\d+) isegi=(\d+)', l)
    if m:
        want[m.group(1)] = (int(m.group(2)), int(m.group(3)))
ok = True
def tap(c, d):
    global ok
    print(('ok - ' if c else 'not ok - ') + f'{desc}: {d}')
    ok &= bool(c)
if kind == 'batch':
    lines = [json.loads(l) for l in open(path, encoding='utf-8')]
    tap(len(lines) == len(ivals), f'{len(lines)} refreshes for {len(ivals)} recorded intervals')
    last = {g['name']: (g['dsegi'], g['isegi']) for g in lines[-1]['guests']}
    tap(last == want, f'the last refresh holds the guests\' own DSegI/ISegI {want}')
    faults = {g['name']: [g['hdsi'], g['hisi']] for g in lines[-1]['guests']}
    tap(faults == rec_tot, f'the last refresh holds the recording\'s HDSI/HISI {rec_tot}')
    rates = all(abs(g['dsegi_per_s'] - x['counters']['dsegi'] / i['elapsed_s']) < 1e-6
                for l, i in zip(lines, ivals) for g in l['guests']
                for x in i['guests'] if x['pid'] == g['pid'])
    tap(rates, 'every refresh\'s DSegI/s is its recorded interval\'s count per second')
    tap(all(l['replay_interval'] == n for n, l in enumerate(lines, 1)),
        'replay_interval counts 1, 2, ... in order')
else:
    if kind == 'logcsv':
        rows = list(csv.DictReader(open(path, encoding='utf-8')))
        num = lambda r, k: float(r[k])
    else:
        rows = [json.loads(l) for l in open(path, encoding='utf-8')]
        num = lambda r, k: float(r[k])
    got, faults = {}, {}
    for r in rows:
        g = got.setdefault(r['guest'], [0, 0])
        g[0] += num(r, 'dsegi_per_s') * num(r, 'interval_s')
        g[1] += num(r, 'isegi_per_s') * num(r, 'interval_s')
        f = faults.setdefault(r['guest'], [0, 0])
        f[0] += num(r, 'hdsi_per_s') * num(r, 'interval_s')
        f[1] += num(r, 'hisi_per_s') * num(r, 'interval_s')
    got = {k: (round(v[0]), round(v[1])) for k, v in got.items()}
    faults = {k: [round(v[0]), round(v[1])] for k, v in faults.items()}
    tap(got == want, f'{len(rows)} lines: rate x interval per guest adds up to the guests\' '
        f'own counts {want}')
    tap(faults == rec_tot, f'HDSI/HISI rate x interval adds up to the recording\'s {rec_tot}')
sys.exit(0 if ok else 1)
PY
	[ $? -eq 0 ] || fail=1
}

for r in $recs; do
rec=$r.jsonl truth=$r.truth
for flavour in native asan; do
	k=$build/$flavour/kvmslb
	"$k" top -b -j --replay "$rec" >"$work/batch.jsonl" 2>"$work/err" ||
		bad "[$flavour, ${r##*/}] top -b -j --replay exited $?: $(head -c 300 "$work/err")"
	check "[$flavour, ${r##*/}] top -b -j --replay" "$work/batch.jsonl" batch
	"$k" top -L "$work/log.csv" --replay "$rec" 2>"$work/err" ||
		bad "[$flavour] top -L --replay exited $?: $(head -c 300 "$work/err")"
	[ "$(grep -c '^time,guest,pid,' "$work/log.csv")" -eq 1 ] &&
		ok "[$flavour] -L: one CSV header line" || bad "[$flavour] -L: CSV header lines"
	check "[$flavour, ${r##*/}] top -L (CSV)" "$work/log.csv" logcsv
	"$k" top -j -L "$work/log.jsonl" --replay "$rec" 2>"$work/err" ||
		bad "[$flavour] top -j -L exited $?"
	check "[$flavour, ${r##*/}] top -j -L (JSON lines)" "$work/log.jsonl" log
	rm -f "$work"/log.*
done
done
rec=$root/tests/top/power8-4guests.jsonl truth=$root/tests/top/power8-4guests.truth

# SIGHUP reopens the log file, as logrotate expects: nothing lost across the move
k=$build/native/kvmslb
"$k" top -L "$work/rot.csv" --replay "$rec" -d 0.3 2>"$work/err" &
pid=$!
i=0
while [ "$(cat "$work/rot.csv" 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mv "$work/rot.csv" "$work/rot.csv.1"
kill -HUP $pid
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "-L with SIGHUP: kvmslbtop ran on and exited 0" || bad "-L with SIGHUP: exit $rc: $(cat "$work/err")"
if [ -s "$work/rot.csv" ] && head -n 1 "$work/rot.csv" | grep -q '^time,guest,'; then
	ok "SIGHUP: a new $(wc -l <"$work/rot.csv")-line file, with its header"
else
	bad "SIGHUP: no new log file with a header"
fi
{ cat "$work/rot.csv.1"; tail -n +2 "$work/rot.csv"; } >"$work/rot-all.csv"
check "SIGHUP: the old and the new file together" "$work/rot-all.csv" logcsv

# bad input: one line, exit 2; runtime failures exit 1
k=$build/asan/kvmslb
expect() {
	local want=$1 desc=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	# argp adds its standard "Try ..." hint to usage errors
	out=$(grep -v '^Try `' <<<"$out")
	if [ $rc -eq "$want" ] && [ "$(wc -l <<<"$out")" -eq 1 ] &&
	   ! grep -q 'Sanitizer\|runtime error' <<<"$out"; then
		ok "$desc: exit $rc, '$out'"
	else
		bad "$desc: exit $rc (want $want): $(head -c 300 <<<"$out")"
	fi
}
printf '{"kind":"interval","source":"patched","guests":[{"pid":1,"counters":{}}]}\n{"kind":' >"$work/cut.jsonl"
printf '{"hello":1}\n' >"$work/other.jsonl"
: >"$work/empty.jsonl"
expect 2 "--replay of a missing file" "$k" top -b --replay "$work/nonexistent"
expect 2 "--replay of an empty file" "$k" top -b --replay "$work/empty.jsonl"
expect 2 "--replay of a cut JSON line" "$k" top -b --replay "$work/cut.jsonl"
expect 2 "--replay of JSON that is not stat -j" "$k" top -b --replay "$work/other.jsonl"
expect 2 "--replay of a binary file" "$k" top -b --replay "$build/native/kvmslb"
expect 2 "--replay of /dev/zero (refused at once)" timeout 10 "$k" top -b --replay /dev/zero
expect 2 "--replay with --source" "$k" top -b --replay "$rec" --source stock
expect 2 "-L with -b" "$k" top -b -L "$work/x" --replay "$rec"
expect 2 "-j without -b or -L" "$k" top -j --replay "$rec"
expect 1 "-L into a directory that does not exist" "$k" top -L /nonexistent/dir/log --replay "$rec"
expect 1 "-L on a full disk (/dev/full)" "$k" top -L /dev/full --replay "$rec"
out=$("$k" top -j -b --replay "$work/cut.jsonl" 2>/dev/null)
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert "cut.jsonl:2" in d["error"]' "$out" &&
	ok "-j: bad input is {\"error\": ...} naming file and line ($out)" || bad "-j error: '$out'"
# no terminal: the live screen says what to do instead
out=$("$k" top --replay "$rec" </dev/null 2>&1 >/dev/null)
grep -q 'use batch mode: -b' <<<"$out" && ok "no terminal: '$out'" || bad "no terminal: '$out'"
exit $fail
