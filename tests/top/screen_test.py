#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kvmslbtop's live screen, driven as an operator drives it: keys through
tmux send-keys, the screen read back with capture-pane after each key, at
80x24 (a serial console) and 200x50. The data is a recording of
`kvmslb stat -j --per-vcpu 1 N` made on the emulated POWER8 host, replayed
with --replay (core/replay.c feeds the same aggregation and rows as the live
sources). Every number checked on the screen is computed here from the
recording, and the final totals must equal the guests' own counts.

  screen_test.py KVMSLB RECORDING TRUTH

TAP-style lines on stdout; exit status 1 if any check failed.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from screen_test_lib import cells, name_matches, table  # noqa: E402

KVMSLB, REC, TRUTH = sys.argv[1:4]
FAIL = 0


def tap(ok, desc, detail=None):
    global FAIL
    print(('ok - ' if ok else 'not ok - ') + desc)
    if not ok:
        FAIL = 1
        if detail:
            for line in str(detail).splitlines()[:40]:
                print('#   ' + line)
    return ok


# ---- what the recording says ------------------------------------------------
def load_recording(path):
    lines = [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]
    ivals = [l for l in lines if l.get('kind') == 'interval']
    return ivals if ivals else [l for l in lines if l.get('kind') == 'total']


def cumulative(ivals, upto):
    """Per pid, totals over the first `upto` intervals, and the last one's delta."""
    tot, last = {}, {}
    for n, line in enumerate(ivals[:upto], 1):
        for g in line['guests']:
            t = tot.setdefault(g['pid'], {'name': g['name'], 'alive': g['alive'],
                                          'c': {}, 'vcpus': {}, 'paths': {}})
            t['name'], t['alive'] = g['name'], g['alive']
            for k, v in g['counters'].items():
                if isinstance(v, int):
                    t['c'][k] = t['c'].get(k, 0) + v
            for v in g.get('vcpus', []):
                vid = v.get('vcpu_id', v.get('tid'))
                vc = t['vcpus'].setdefault(vid, {})
                for k, x in v['counters'].items():
                    if isinstance(x, int):
                        vc[k] = vc.get(k, 0) + x
            for p in g.get('paths', []):
                key = (p['trap'], p['outcome'])
                t['paths'][key] = t['paths'].get(key, 0) + p['hist']['samples']
            if n == upto:
                last[g['pid']] = g
    return tot, last


def fmt_ns(ns):
    for div, unit in ((1000000000, 's'), (1000000, 'ms'), (1000, 'us')):
        if ns >= div:
            v = ns / div
            return ('%.1f%s' if v < 9.95 else '%.0f%s') % (v, unit)
    return '%dns' % ns


def merged(guest):
    """A guest line's latency histogram: its paths merged (what the screen shows)."""
    b = {}
    for p in guest.get('paths', []):
        for x in p['hist']['buckets']:
            k = (x['ge'], x['lt'])
            b[k] = b.get(k, 0) + x['count']
    return {'samples': sum(b.values()),
            'buckets': [{'ge': k[0], 'lt': k[1], 'count': v} for k, v in sorted(b.items())]}


def bucket_of(hist, p):
    """The '<X' of the bucket holding percentile p (top/view_fmt_pct), '-' if none."""
    n = hist['samples']
    if not n:
        return '-'
    want = -(-n * p // 100)  # ceil
    seen = 0
    for b in hist['buckets']:
        seen += b['count']
        if seen >= want:
            return '<' + fmt_ns(b['lt']) if b['lt'] is not None else '>=' + fmt_ns(b['ge'])
    return '?'


def fmt_count(v, width):
    s = '%d' % v
    if len(s) <= width:
        return s
    x = float(v)
    for u in 'kMGTPE':
        x /= 1000
        s = ('%.1f%s' if x < 9.95 else '%.0f%s') % (x, u)
        if len(s) <= width:
            return s
    return s


def fmt_rate(v, width):
    if v <= 0:
        return '0'
    if v < 9.95:
        return '%.1f' % v
    return fmt_count(int(v + 0.5), width)


class Tmux:
    def __init__(self):
        self.runs = 0
        self.sock = None
        self.conf = tempfile.NamedTemporaryFile('w', suffix='.conf', delete=False)
        # no status line: the pane is the whole terminal
        self.conf.write('set -g status off\nset -g default-terminal xterm-256color\n')
        self.conf.close()

    def tm(self, *args, check=True):
        return subprocess.run(['tmux', '-L', self.sock, '-f', self.conf.name] + list(args),
                              check=check, capture_output=True, text=True).stdout

    def start(self, cols, rows, args):
        if self.sock:
            self.tm('kill-server', check=False)
        # a server per run: a dying one cannot refuse the next session
        self.runs += 1
        self.sock = 'kvmslb-test-%d-%d' % (os.getpid(), self.runs)
        cmd = ' '.join(["env", "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                        KVMSLB, 'top'] + ["'%s'" % a for a in args])
        self.tm('new-session', '-d', '-s', 't', '-x', str(cols), '-y', str(rows),
                cmd + '; echo KVMSLB-EXITED rc=$?; sleep 600')

    def keys(self, *k):
        self.tm('send-keys', '-t', 't', *k)

    def text(self, s):
        self.tm('send-keys', '-t', 't', '-l', s)

    def screen(self):
        return self.tm('capture-pane', '-p', '-t', 't')

    def wait(self, pred, timeout=8.0):
        """pred holds on a screen that stays the same over two captures:
        one that tmux caught while a refresh was being written is not read."""
        end = time.time() + timeout
        s = last = ''
        while time.time() < end:
            s = self.screen()
            if s == last and pred(s):
                return True, s
            last = s
            time.sleep(0.05)
        return False, s

    def resize(self, cols, rows):
        self.tm('resize-window', '-t', 't', '-x', str(cols), '-y', str(rows))

    def tty(self):
        return self.tm('display-message', '-p', '-t', 't', '#{pane_tty}').strip()

    def stop(self):
        if self.sock:
            self.tm('kill-server', check=False)
        os.unlink(self.conf.name)


def has(rx):
    return lambda s: re.search(rx, s, re.M) is not None


def lacks(rx):
    return lambda s: re.search(rx, s, re.M) is None


def drawn(s):
    """The bottom line is drawn last: a screen with it is a whole one."""
    return bool(s.rstrip('\n').split('\n')[-1].strip()) and len(s.rstrip('\n').split('\n')) > 3


def settle(t, pred, desc, timeout=8.0, whole=True):
    ok, s = t.wait(lambda s: pred(s) and (not whole or drawn(s)), timeout)
    tap(ok, desc, s)
    return s


# ---- the checks ---------------------------------------------------------------
IVALS = load_recording(REC)
N = len(IVALS)
TOT, LAST = cumulative(IVALS, N)
TRUTH_ROWS = {}
for line in open(TRUTH, encoding='utf-8'):
    m = re.search(r'total name=(\S+) pid=(\d+) dsegi=(\d+) isegi=(\d+)', line)
    if m:
        TRUTH_ROWS[m.group(1)] = (int(m.group(2)), int(m.group(3)), int(m.group(4)))
DT = IVALS[-1].get('elapsed_s', 1.0) or 1.0
SOURCE = IVALS[-1]['source']
PATCHED = SOURCE != 'stock'
# what stays at 80 columns, by priority (top/cols.c)
COLS80 = (['DSEGI/s', 'ISEGI/s', 'DSEGI', 'ISEGI', 'HDSI/s', 'P99', 'MAX', 'DROP'] if PATCHED else
          ['PID', 'TREND', 'HDSI/s', 'HISI/s', 'P50', 'P99', 'MAX'])
COLS200 = (['PID', 'DSEGI/s', 'ISEGI/s', 'TREND', 'DSEGI', 'ISEGI', 'INJ', 'HDSI/s', 'HISI/s',
            'P50', 'P99', 'MAX', 'DROP'] if PATCHED else
           ['PID', 'TREND', 'HDSI/s', 'HISI/s', 'P50', 'P99', 'MAX'])
DEFAULT_SORT = 'seg/s' if PATCHED else 'fault/s'


def expected_order(key):
    def rate(pid):
        g = LAST.get(pid)
        if not g:
            return 0
        c = g['counters']
        return (c['dsegi'] + c['isegi'] if key == 'seg/s' else c['hdsi'] + c['hisi']) / DT
    if key in ('seg/s', 'fault/s'):
        return [TOT[p]['name'] for p in sorted(TOT, key=lambda p: (-rate(p), p))]
    if key == 'name':
        return sorted(TOT[p]['name'] for p in TOT)
    raise ValueError(key)


def check_table(rows, desc, upto=None):
    """Every cell shown, against the recording up to interval `upto` (the end: None)."""
    tot, last = (TOT, LAST) if upto is None else cumulative(IVALS, upto)
    dt = IVALS[(upto or N) - 1].get('elapsed_s', 1.0) or 1.0
    by_name = {}
    for r in rows:
        full = next((tot[p]['name'] for p in tot if name_matches(r['name'], tot[p]['name'])), None)
        by_name[full] = r
    tap(set(by_name) == {tot[p]['name'] for p in tot}, f'{desc}: a row for each of the {len(tot)} '
        f'guests of the recording', rows)
    for pid, t in sorted(tot.items()):
        r = by_name.get(t['name'])
        if not r:
            continue
        g = last[pid]
        c = g['counters']
        want = {
            'PID': str(pid), 'DSEGI/s': fmt_rate(c['dsegi'] / dt, 8),
            'ISEGI/s': fmt_rate(c['isegi'] / dt, 8),
            'DSEGI': fmt_count(t['c']['dsegi'], 7), 'ISEGI': fmt_count(t['c']['isegi'], 7),
            'INJ': fmt_count(t['c']['seg_injected'], 6), 'HDSI/s': fmt_rate(c['hdsi'] / dt, 7),
            'HISI/s': fmt_rate(c['hisi'] / dt, 7), 'P50': bucket_of(merged(g), 50),
            'P99': bucket_of(merged(g), 99), 'MAX': bucket_of(merged(g), 100),
            'DROP': fmt_count(t['c']['dropped'], 5),
        }
        want = {k: v for k, v in want.items() if k in r}
        got = {k: r.get(k) for k in want}
        tap(got == want, f'{desc}: {t["name"]}: {" ".join(f"{k} {v}" for k, v in want.items())}',
            f'screen: {got}')
        tap(r['exited'] == (not t['alive']), f'{desc}: {t["name"]} is marked '
            f'{"exited" if not t["alive"] else "running"}')
        truth = TRUTH_ROWS.get(t['name'])
        if truth and upto is None and PATCHED:
            tap((t['c']['dsegi'], t['c']['isegi']) == truth[1:],
                f'{desc}: {t["name"]}: DSEGI {t["c"]["dsegi"]} ISEGI {t["c"]["isegi"]} == the '
                f'guest\'s own count {truth[1]}/{truth[2]}')


def main():
    t = Tmux()
    try:
        run(t)
    except (IndexError, KeyError, TypeError) as e:
        # a screen that is not what the steps expect (top exited early):
        # the failures so far say why; the rest cannot run
        tap(False, f'the screen steps run to their end (stopped at {e!r})', t.screen())
    finally:
        t.stop()


def run(t):
    names = [TOT[p]['name'] for p in sorted(TOT)]
    tap(len(TRUTH_ROWS) == len(TOT), f'the truth file names the {len(TOT)} recorded guests',
        TRUTH_ROWS)

    # ---- 80x24: the console ----
    t.start(80, 24, ['--replay', REC, '-d', '0.1'])
    s = settle(t, has(rf'interval {N} of {N} \(end\)'), f'80x24: the replay reaches interval {N} of {N}')
    lines = s.split('\n')
    global TITLE_LINE
    TITLE_LINE = next((i for i, l in enumerate(lines) if l.startswith('   GUEST')), -1)
    tap(all(len(cells(l)) <= 80 for l in lines), '80x24: no line wider than 80 columns')
    tap(lines[0].startswith(f'kvmslbtop  replay interval {N} of {N} (end)  source {SOURCE}') and
        re.search(r'(  |^     )file \S+', s, re.M) is not None,
        '80x24: the header names the replay and the recorded source', lines[0])
    if not PATCHED:
        na = next((i for i, l in enumerate(lines) if l.startswith('n/a: SLB synthesis (DSEGI, '
                                                                  'ISEGI, DROP): ')), None)
        tap(na is not None and lines[na + 1].startswith('     '), '80x24: stock: why SLB '
            'synthesis is n/a, wrapped, not cut', s)
    tap(re.search(r'^events \d+' + (r'  kernel log dropped \d+' if PATCHED else '') +
                  r'  maps full \d+  ring buffer lost \d+  unpaired \d+$', s, re.M) is not None,
        '80x24: the header names each kind of loss (kernel log, maps, ring buffer)', s)
    spans, rows = table(s)
    cols = [n for n, _, _ in spans or []]
    tap(cols == COLS80, f'80x24: columns by priority: {" ".join(COLS80)}', cols)
    tap(('DSEGI/s\u25bc ISEGI/s\u25bc' if PATCHED else 'HDSI/s\u25bc HISI/s\u25bc') in s,
        '80x24: the sort columns are marked, largest first')
    check_table(rows, '80x24 final')
    tap([r['name'] for r in rows] and all(name_matches(r['name'], n) for r, n in
                                          zip(rows, expected_order(DEFAULT_SORT))),
        f'80x24: rows in {DEFAULT_SORT} order, largest first', rows)
    tap(sum(r['sel'] for r in rows) == 1, '80x24: one row is selected (>)', rows)
    t.keys('Home')
    s = settle(t, lambda s: table(s)[1] and table(s)[1][0]['sel'], '80x24 Home: the first row is selected')
    exited = [TOT[p]['name'] for p in TOT if not TOT[p]['alive']]
    tap(not exited or 'x: the guest has exited; its counts are kept' in s,
        '80x24: a legend explains the x of an exited guest', s)
    tap(s.rstrip('\n').split('\n')[-1].startswith('h help  q quit'),
        '80x24: the bottom line lists the main keys', s)

    # selection follows its guest when the sort reorders the rows
    t.keys('j')
    s = settle(t, lambda s: len(table(s)[1]) > 1 and table(s)[1][1]['sel'], '80x24 j: the second row is selected')
    chosen = table(s)[1][1]['name']
    t.keys('o')
    nxt, col = ('dsegi/s', 'DSEGI/s') if PATCHED else ('hdsi/s', 'HDSI/s')
    s = settle(t, has(rf'sort {re.escape(nxt)} desc'), f'80x24 o: the sort moves to the next column ({nxt})')
    tap(s.count('\u25bc') == 1 and f'{col}\u25bc' in s, f'80x24 o: only {col} is marked')
    for _ in range(20):
        if 'sort name ' in t.screen():
            break
        t.keys('O')
        time.sleep(0.1)
    s = settle(t, has(r'sort name asc'), '80x24 O: sorting by name, ascending')
    rows = table(s)[1]
    tap([r['name'] for r in rows] == sorted(r['name'] for r in rows), '80x24: rows by name', rows)
    sel = [r['name'] for r in rows if r['sel']]
    tap(sel == [chosen], f'80x24: the selection stayed with {chosen} when the rows moved', rows)
    t.keys('i')
    s = settle(t, has(r'sort name desc'), '80x24 i: the order is reversed')
    tap('GUEST\u25bc' in s, '80x24 i: the mark shows the direction')
    rows = table(s)[1]
    tap([r['name'] for r in rows] == sorted((r['name'] for r in rows), reverse=True),
        '80x24 i: rows by name, Z to A', rows)

    # the regex filter; Esc keeps the active one; a bad regex is refused
    t.keys('f')
    settle(t, has(r'^filter names \(POSIX extended regex'), '80x24 f: the filter prompt')
    t.text('^(web|db)-')
    t.keys('Enter')
    s = settle(t, has(r'filter /\^\(web\|db\)-/'), '80x24 f: the header shows the filter (wrapped if need be)')
    rows = table(s)[1]
    want = sorted(n for n in names if re.match(r'^(web|db)-', n))
    tap(sorted(r['name'] for r in rows) == want, f'80x24 f: POSIX ERE ^(web|db)- keeps {want}', rows)
    t.keys('f')
    settle(t, has(r'^filter names .*: \^\(web\|db\)-'), '80x24 f again: the prompt starts with the active filter')
    t.keys('C-u')
    t.text('zzz')
    t.keys('Escape')
    s = settle(t, lacks(r'^filter names'), '80x24 Esc: the prompt closes')
    tap(sorted(r['name'] for r in table(s)[1]) == want and 'filter /^(web|db)-/' in s,
        '80x24 Esc in the prompt keeps the active filter', s)
    t.keys('f', 'C-u')
    t.text('(')
    t.keys('Enter')
    s = settle(t, has(r"filter '\(' not applied"), '80x24: an invalid regex is refused with a message')
    tap('filter /^(web|db)-/' in s, '80x24: ... and the active filter stays', s)
    t.keys('c')
    s = settle(t, lambda s: len(table(s)[1]) == len(TOT), '80x24 c: the filter is cleared')
    t.keys('g')
    settle(t, has(r'^show one guest'), '80x24 g: the guest prompt')
    one = TOT[min(TOT)]['name']
    t.text(one)
    t.keys('Enter')
    s = settle(t, lambda s: [r['name'] for r in table(s)[1]] == [one] or
               [name_matches(r['name'], one) for r in table(s)[1]] == [True],
               f'80x24 g {one}: only that guest')
    t.keys('c')
    settle(t, lambda s: len(table(s)[1]) == len(TOT), '80x24 c: all guests again')

    # help
    for k in ('h', '?'):
        t.keys(k)
        s = settle(t, has(r'^kvmslbtop keys'), f'80x24 {k}: the help page')
        tap(all(x in s for x in ('reset the totals', 'pause / resume', 'POSIX extended',
                                 'per-vcpu table')), f'80x24 {k}: help names reset, pause, '
            'the regex filter and the drill-down', s)
        t.keys('x')
        settle(t, has(r'^   GUEST'), f'80x24 {k} then any key: back to the table')

    # drill-down of the guest with the most vcpus
    many = max(TOT, key=lambda p: (len(TOT[p]['vcpus']), -p))
    g = TOT[many]
    t.keys('g')
    t.text(g['name'])
    t.keys('Enter')
    settle(t, lambda s: len(table(s)[1]) == 1, f'80x24: {g["name"]} alone')
    t.keys('Enter')
    s = settle(t, has(rf'^guest {re.escape(g["name"])}  pid {many}'), f'80x24 Enter: the drill-down of {g["name"]}')
    tot_line = (f'DSegI {g["c"]["dsegi"]}  ISegI {g["c"]["isegi"]}' if PATCHED else
                f'since start: HDSI {g["c"]["hdsi"]}  HISI {g["c"]["hisi"]}')
    tap(tot_line in s, f'80x24 drill-down: {tot_line}', s)
    if g['vcpus']:
        # any interval: the last ones may have no vcpu rows at all
        ids = any('vcpu_id' in json.dumps(iv) for iv in IVALS)
        tap(('per vcpu (KVM vcpu id)' if ids else 'per vcpu thread (these events carry no vcpu id)') in s,
            '80x24 drill-down: the per-vcpu table says what its units are', s)
        if PATCHED:
            vrows = re.findall(r'^ +(\d+) +[\d.]+ +(\d+) +(\d+) +(\d+) +(\d+) ', s, re.M)
            got = {int(v[0]): tuple(int(x) for x in v[1:]) for v in vrows}
            want = {vid: (c.get('dsegi', 0), c.get('isegi', 0), c.get('hdsi', 0), c.get('hisi', 0))
                    for vid, c in g['vcpus'].items()}
            what = 'DSEGI ISEGI HDSI HISI'
        else:
            vrows = re.findall(r'^ +(\d+) +[\d.]+ +(\d+) +(\d+) ', s, re.M)
            got = {int(v[0]): tuple(int(x) for x in v[1:]) for v in vrows}
            want = {vid: (c.get('hdsi', 0), c.get('hisi', 0)) for vid, c in g['vcpus'].items()}
            what = 'HDSI HISI'
        tap(got == want, f'80x24 drill-down: per vcpu {what} {want}', s)
    # the sparkline: one mark per interval with synthesis (or faults), within the line
    m = re.search(r'^(DSEGI/s\+ISEGI/s|HDSI/s\+HISI/s), a mark per refresh: (.*)$', s, re.M)
    keys = ('dsegi', 'isegi') if PATCHED else ('hdsi', 'hisi')
    busy = sum(1 for i in IVALS for x in i['guests']
               if x['pid'] == many and x['counters'][keys[0]] + x['counters'][keys[1]])
    tap(m is not None and len(m.group(2).replace(' ', '')) == busy,
        f'80x24 drill-down: the trend has a mark for each of the {busy} busy intervals', s)
    # the page is longer than the screen: PgDn through it
    pages, last = [s], s
    for _ in range(30):
        t.keys('PPage' if False else 'NPage')
        ok, cur = t.wait(lambda x: x != last, 1.0)
        if not ok:
            break
        pages.append(cur)
        last = cur
    text = '\n'.join(pages)
    tap(len(pages) > 1, f'80x24 drill-down: PgDn scrolls the page ({len(pages)} screens)')
    path_lines = dict(((m.group(1), m.group(2)), int(m.group(3))) for m in
                      re.finditer(r'^(\S+) / (\S+): (\d+) samples', text, re.M))
    tap(path_lines == g['paths'], f'80x24 drill-down: latency by path {g["paths"]}', text)
    tap(re.search(r'^ +<\d', text, re.M) is not None, '80x24 drill-down: histogram rows in the <X notation')
    t.keys('Escape')
    settle(t, has(r'^   GUEST'), '80x24 Esc: back to the table')
    t.keys('c')

    # reset, pause, delay
    t.keys('r')
    s = settle(t, has(r'since reset'), '80x24 r: totals since reset')
    rows = table(s)[1]
    if PATCHED:
        tap(rows and all(r['DSEGI'] == '0' and r['ISEGI'] == '0' for r in rows),
            '80x24 r: every total is 0 after the reset', rows)
    t.keys('Enter')
    s = settle(t, has(r'^since reset: '), '80x24 r, Enter: the drill-down counts since the reset')
    tap(re.search(r'^since reset: (DSegI 0  ISegI 0  injected 0  dropped 0  )?HDSI 0  HISI 0$', s,
                  re.M) is not None, '80x24 r: the drill-down totals are 0 after the reset', s)
    t.keys('Escape')
    t.keys('p')
    s = settle(t, has(r'^PAUSED  guests'), '80x24 p: PAUSED in the header')
    tap(s.rstrip('\n').split('\n')[-1].startswith('PAUSED (p resumes)'),
        '80x24 p: and on the bottom line', s)
    t.keys('Space')
    settle(t, lacks(r'PAUSED'), '80x24 space: running again')
    t.keys('s')
    settle(t, has(r'^refresh delay in seconds'), '80x24 s: the delay prompt')
    t.text('99999')
    t.keys('Enter')
    settle(t, has(r"delay '99999' not taken"), '80x24 s 99999: refused, with the range')
    t.keys('s')
    t.text('30')
    t.keys('Enter')
    s = settle(t, has(r'every 30\.0 s'), '80x24 s 30: refresh every 30 s')

    # a console message over the screen: Ctrl-L repaints it all
    tty = t.tty()
    with open(tty, 'w') as f:
        f.write('\r\nBroadcast message from root@host: the system is going down\r\n' * 3)
    s = settle(t, has(r'Broadcast message'), 'a console message lands on the screen', 3, whole=False)
    t.keys('C-l')
    s = settle(t, lacks(r'Broadcast message'), 'Ctrl-L: the message is gone')
    lines = s.split('\n')
    tap(lines[0].startswith('kvmslbtop  replay interval') and table(s)[0] and
        lines.index(next(l for l in lines if l.startswith('   GUEST'))) == TITLE_LINE,
        'Ctrl-L: header and titles back in their lines', s)
    # and without a key, the next refresh repaints everything
    t.keys('s')
    t.text('0.2')
    t.keys('Enter')
    settle(t, has(r'every 0\.2 s'), '80x24 s 0.2')
    with open(tty, 'w') as f:
        f.write('\r\nBroadcast message from root@host: again\r\n' * 3)
    s = settle(t, lacks(r'Broadcast message'), 'the next refresh repaints the whole screen', 4)
    lines = s.split('\n')
    tap(lines[TITLE_LINE].startswith('   GUEST') and len(table(s)[1]) == len(TOT),
        'after the refresh every guest is on its line again', s)
    t.keys('q')
    settle(t, has(r'KVMSLB-EXITED rc=0'), '80x24 q: kvmslbtop exits 0', whole=False)

    # ---- 200x50: every column, whole names, wide characters ----
    t.start(200, 50, ['--replay', REC, '-d', '0.1'])
    s = settle(t, has(rf'interval {N} of {N} \(end\)'), '200x50: the replay ends')
    spans, rows = table(s)
    cols = [n for n, _, _ in spans or []]
    tap(cols == COLS200, '200x50: every column', cols)
    tap(sorted(r['name'] for r in rows) == sorted(names), '200x50: whole names, none cut', rows)
    check_table(rows, '200x50 final')
    active = [r for r in rows if any(
        l['counters']['dsegi' if PATCHED else 'hdsi'] + l['counters']['isegi' if PATCHED else 'hisi']
        for i in IVALS[-10:] for l in i['guests'] if l['name'] == r['name'])]
    tap(all(r['TREND'].strip() for r in active), '200x50: a sparkline for every guest active in '
        'the last 10 intervals', rows)
    # laid out by display width: every number ends in its title's last column, on every row
    bad_rows = []
    for l in s.split('\n'):
        if not re.match(r'^[ >][ x] \S', l):
            continue
        c = cells(l) + [' '] * 200
        for name, a, b in spans:
            if name != 'TREND' and (c[b - 1] in (' ', '') or c[b] not in (' ',)):
                bad_rows.append((name, l))
    tap(not bad_rows and rows, '200x50: columns aligned by display width on every row (CJK names too)',
        bad_rows or s)
    # a smaller terminal: SIGWINCH, the layout follows
    t.resize(80, 24)
    settle(t, lambda s: table(s)[0] is not None and [n for n, _, _ in table(s)[0]] == COLS80,
           '200x50 -> 80x24 (SIGWINCH): the 80-column layout')
    t.keys('q')

    # ---- the replay's clock: paused, '.' takes one interval; every cell checked ----
    t.start(200, 50, ['--replay', REC, '-d', '3600'])
    settle(t, has(r'collecting\.\.\.'), 'a long delay: the baseline, no interval yet')
    t.keys('p')
    for step in range(1, min(N, 6) + 1):
        t.keys('.')
        s = settle(t, has(rf'interval {step} of {N}'), f'paused, ".": interval {step} of {N}')
        check_table(table(s)[1], f'interval {step}', step)
    t.keys('q')


main()
sys.exit(FAIL)
