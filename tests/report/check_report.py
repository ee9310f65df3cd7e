#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kvmslb report against recordings whose contents are known exactly.

Builds a seeded recording of kvm_hv events for several guests and writes it
in every layout users have: perf.data (file mode, pipe mode, zstd records,
PERF_SAMPLE_ID instead of PERF_SAMPLE_IDENTIFIER, perf's per-round cpu
order) in both byte orders (tests/report/mkperfdata.py), trace.dat version 6
(tests/report/mktracedat.py, in the top buffer or an instance) and version 7
(the real 'trace-cmd convert', zstd and uncompressed), and perf script text.
Each file is checked first with the real 'perf script' or 'trace-cmd
report'; then 'kvmslb report -j' must give the counts and histograms the
recording holds, computed here independently by the rules of the live BPF
programs. Prints TAP lines.

  check_report.py KVMSLB FORMATS_DIR WORKDIR stock|patched|v2

v2 (include/kvmslb/abi.h's series v2 events): events name their VM
(vm_pid), some are emitted by another VM's thread (POWER8 micro-threading)
and must be charged to vm_pid; some segment records are missing from the
file (dropped by the kernel, counted in 'dropped', or lost by perf, counted
in a LOST record) and must still be counted from the cumulative per-vcpu
counts; --per-vcpu breaks totals down by vcpu_id, not by thread.
"""
import json
import os
import re
import random
import subprocess
import sys

kvmslb, fmt_dir, work, kind = sys.argv[1:5]
patched = kind in ('patched', 'v2')
v2 = kind == 'v2'
here = os.path.dirname(os.path.abspath(__file__))
failed = 0


def tap(ok, desc):
    global failed
    print(('ok - ' if ok else 'not ok - ') + desc)
    if not ok:
        failed = 1


def slot(v):
    return min(v.bit_length() - 1, 31) if v > 1 else 0


guests = {1000: 'qemu-web1', 2000: 'qemu-db2', 3000: 'qemu-idle3'}
comms = [{'pid': p, 'comm': c} for p, c in guests.items()]


def blank():
    return {'hdsi': 0, 'hisi': 0, 'dsegi': 0, 'isegi': 0, 'seg_injected': 0,
            'dseg_exits': 0, 'iseg_exits': 0, 'dropped': 0, 'lat': [], 'outcomes': [0] * 5}


def gen_v1(by_tid):
    """The seeded recording and its expected totals per process, or per thread
    (trace.dat names threads only)."""
    rnd = random.Random(20261125)
    samples, expect = [], {}
    t = 1_000_000_000

    def g(pid, tid):
        return expect.setdefault(tid if by_tid else pid, blank())

    for i in range(400):
        pid = rnd.choice([1000, 1000, 2000, 3000])
        tid = pid + 1 + rnd.randrange(2)
        cpu = rnd.randrange(4)
        t += rnd.randrange(1, 50_000)
        if patched:
            kind_ = rnd.choice(['synth', 'hfault', 'hfault'])
            if kind_ == 'synth':
                vec = rnd.choice([0x380, 0x480])
                inj = rnd.randrange(2)
                samples.append({'event': 'kvm_segment_synth', 'pid': pid, 'tid': tid, 'cpu': cpu,
                                'time': t, 'fields': {'vcpu_id': tid - pid - 1, 'ea': 0x10000000,
                                                      'vector': vec, 'srr1': 0x8000000000001032,
                                                      'injected': inj}})
                e = g(pid, tid)
                e['dsegi' if vec == 0x380 else 'isegi'] += 1
                e['seg_injected'] += inj
            else:
                trap = rnd.choice([0xe00, 0xe20])
                outcome = rnd.randrange(5)
                lat = rnd.choice([0, 1, 2, 3, 1023, 1024, 2047, rnd.randrange(1, 10**7)])
                drop = rnd.choice([0, 0, 0, 3])
                samples.append({'event': 'kvm_hfault', 'pid': pid, 'tid': tid, 'cpu': cpu,
                                'time': t, 'fields': {'vcpu_id': tid - pid - 1, 'trap': trap,
                                                      'ea': 0x20000000, 'dsisr': 0x40000000,
                                                      'outcome': outcome, 'latency_ns': lat,
                                                      'injected': 0, 'dropped': drop}})
                e = g(pid, tid)
                e['hdsi' if trap == 0xe00 else 'hisi'] += 1
                e['outcomes'][outcome] += 1
                e['dropped'] += drop
                e['lat'].append(lat)
        else:
            kind_ = rnd.choice(['exit', 'exit', 'pf'])
            if kind_ == 'exit':
                trap = rnd.choice([0xe00, 0xe20, 0x380, 0x480, 0x980, 0xc00])
                samples.append({'event': 'kvm_guest_exit', 'pid': pid, 'tid': tid, 'cpu': cpu,
                                'time': t, 'fields': {'vcpu_id': tid - pid - 1, 'trap': trap,
                                                      'pc': 0x1000, 'msr': 0x8000000000001033}})
                name = {0xe00: 'hdsi', 0xe20: 'hisi', 0x380: 'dseg_exits', 0x480: 'iseg_exits'}
                if trap in name:
                    g(pid, tid)[name[trap]] += 1
            else:
                lat = rnd.choice([1000, 1999, 2000, rnd.randrange(1000, 10**7)])
                samples.append({'event': 'kvm_page_fault_enter', 'pid': pid, 'tid': tid,
                                'cpu': cpu, 'time': t, 'fields': {'vcpu_id': 0, 'ea': 0x200000,
                                                                   'dsisr': 0x42000000}})
                samples.append({'event': 'kvm_page_fault_exit', 'pid': pid, 'tid': tid,
                                'cpu': (cpu + 1) % 4, 'time': t + lat,
                                'fields': {'vcpu_id': 0, 'ret': 0}})
                t += lat
                g(pid, tid)['lat'].append(lat)
    if not patched:
        # an exit with no enter: counted as unpaired, not as a sample
        samples.append({'event': 'kvm_page_fault_exit', 'pid': 1000, 'tid': 1001, 'cpu': 0,
                        'time': t + 5, 'fields': {'vcpu_id': 0, 'ret': 0}})
    return samples, expect, 0, {}


def gen_v2():
    """Series v2: (samples written, expected per vm_pid, perf-lost count,
    expected per (vm_pid, vcpu_id))."""
    rnd = random.Random(20261202)
    events, t = [], 1_000_000_000
    cum = {}                       # (vm, vcpu) -> [dsegi, isegi]
    for i in range(500):
        vm = rnd.choice([1000, 1000, 2000, 3000])
        vcpu = rnd.randrange(3)
        t += rnd.randrange(1, 50_000)
        # vcpus 0 and 1 share a vcore: its runner thread emits for both
        tid = vm + 1 + (vcpu // 2)
        pid = vm
        if rnd.randrange(6) == 0:
            # micro-threading: another VM's thread emits this VM's event
            pid = rnd.choice([p for p in guests if p != vm])
            tid = pid + 1
        ev = {'pid': pid, 'tid': tid, 'cpu': rnd.randrange(4), 'time': t, 'vm': vm,
              'vcpu': vcpu}
        if rnd.randrange(5) < 2:
            vec = rnd.choice([0x380, 0x480])
            c = cum.setdefault((vm, vcpu), [0, 0])
            c[0 if vec == 0x380 else 1] += 1
            ev.update(event='kvm_segment_synth', vec=vec, d=c[0], i=c[1],
                      inj=rnd.randrange(2))
        else:
            ev.update(event='kvm_hfault', trap=rnd.choice([0xe00, 0xe20]),
                      outcome=rnd.randrange(5),
                      lat=rnd.choice([0, 1, 1023, 1024, rnd.randrange(1, 10**7)]),
                      inj=rnd.randrange(2))
        events.append(ev)
    # which records reach the file: the first and last segment of each vcpu
    # always; others may be dropped by the kernel or lost by perf
    segs = {}
    for ev in events:
        if ev['event'] == 'kvm_segment_synth':
            segs.setdefault((ev['vm'], ev['vcpu']), []).append(ev)
    for evs in segs.values():
        for j, ev in enumerate(evs):
            ev['fate'] = 'written' if j in (0, len(evs) - 1) else \
                rnd.choice(['written', 'written', 'written', 'dropped', 'lost'])
    for ev in events:
        if ev['event'] == 'kvm_hfault':
            ev['fate'] = rnd.choice(['written'] * 5 + ['dropped'])
    samples, expect, per_vcpu, lost = [], {}, {}, 0
    pending_drop = {}              # (vm, vcpu, event) -> records dropped since the last one
    for ev in events:
        key = (ev['vm'], ev['vcpu'], ev['event'])
        e = expect.setdefault(ev['vm'], blank())
        v = per_vcpu.setdefault((ev['vm'], ev['vcpu']), blank())
        if ev['event'] == 'kvm_segment_synth':
            for x in (e, v):       # every segment counts: the cumulative counts say so
                x['dsegi' if ev['vec'] == 0x380 else 'isegi'] += 1
        if ev['fate'] == 'dropped':
            pending_drop[key] = pending_drop.get(key, 0) + 1
            continue
        if ev['fate'] == 'lost':
            lost += 1
            continue
        drop = pending_drop.pop(key, 0)
        if ev['event'] == 'kvm_segment_synth':
            for x in (e, v):
                x['seg_injected'] += ev['inj']
            fields = {'vm_pid': ev['vm'], 'vcpu_id': ev['vcpu'], 'fault_ns': ev['time'] - 700,
                      'ea': 0x10000000, 'srr0': 0x4000, 'srr1': 0x8000000000001032,
                      'vector': ev['vec'], 'injected': ev['inj'], 'dropped': drop,
                      'dsegi': ev['d'], 'isegi': ev['i']}
        else:
            for x in (e, v):
                x['hdsi' if ev['trap'] == 0xe00 else 'hisi'] += 1
                x['outcomes'][ev['outcome']] += 1
                x['dropped'] += drop
                x['lat'].append(ev['lat'])
            fields = {'vm_pid': ev['vm'], 'vcpu_id': ev['vcpu'], 'fault_ns': ev['time'] - 900,
                      'ea': 0x20000000, 'srr0': 0x4000, 'dsisr': 0x40000000,
                      'trap': ev['trap'], 'outcome': ev['outcome'], 'latency_ns': ev['lat'],
                      'injected': ev['inj'], 'dropped': drop}
        samples.append({'event': ev['event'], 'pid': ev['pid'], 'tid': ev['tid'],
                        'cpu': ev['cpu'], 'time': ev['time'], 'fields': fields})
    return samples, expect, lost, per_vcpu


if v2:
    samples, expect, perf_lost, expect_vcpu = gen_v2()
    expect_tid = expect                  # v2 events name their VM whatever the input
    recovered = sum(e['dsegi'] + e['isegi'] for e in expect.values()) - \
        sum(1 for s in samples if s['event'] == 'kvm_segment_synth')
else:
    samples, expect, perf_lost, expect_vcpu = gen_v1(False)
    expect_tid = gen_v1(True)[1]
    recovered = 0
lost = 7 + perf_lost
n_samples = len(samples)
base = {'formats_dir': fmt_dir, 'comms': comms, 'samples': samples, 'lost': lost,
        'cmdlines': True}


def check(doc, label, names, exp=None, exact_lat=True):
    expect_ = exp if exp is not None else expect
    got = {gg['pid']: gg for gg in doc['guests']}
    active = {p: e for p, e in expect_.items()
              if any(e[k] for k in ('hdsi', 'hisi', 'dsegi', 'isegi', 'dseg_exits',
                                    'iseg_exits')) or e['lat']}
    tap(sorted(got) == sorted(active), f'{label}: guests {sorted(got)} = {sorted(active)}')
    for pid, e in sorted(active.items()):
        gg = got.get(pid)
        if not gg:
            continue
        c = gg['counters']
        for k in ('hdsi', 'hisi', 'dsegi', 'isegi', 'seg_injected', 'dseg_exits',
                  'iseg_exits', 'dropped'):
            if c[k] != e[k]:
                tap(False, f'{label}: pid {pid} {k} = {c[k]}, recorded {e[k]}')
                break
        else:
            tap(True, f'{label}: pid {pid} counters equal the recording '
                      f'(hdsi {e["hdsi"]} hisi {e["hisi"]} dsegi {e["dsegi"]} '
                      f'isegi {e["isegi"]} injected {e["seg_injected"]})')
        if patched:
            outs = [c['outcomes'][k] for k in ('retry', 'reflect', 'segment', 'host', 'mmio')]
            tap(outs == e['outcomes'], f'{label}: pid {pid} outcomes {outs}')
        h = gg['latency_hist']
        tap(h['samples'] == len(e['lat']),
            f'{label}: pid {pid} latency samples {h["samples"]} = {len(e["lat"])}')
        if exact_lat:
            want = {}
            for v in e['lat']:
                want[slot(v)] = want.get(slot(v), 0) + 1
            gotb = {b['ge'].bit_length() - 1 if b['ge'] > 1 else 0: b['count']
                    for b in h['buckets']}
            tap(gotb == want and h['sum_ns'] == sum(e['lat']) and
                (not e['lat'] or h['max_ns'] == max(e['lat'])),
                f'{label}: pid {pid} histogram buckets, sum and max exact')
        want = names(pid)
        tap(gg['name'] == want, f'{label}: pid {pid} named {gg["name"]!r} (want {want!r})')


def run(args, stdin=None):
    p = subprocess.run([kvmslb, 'report', '-j'] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def doc_of(label, args, stdin=None):
    rc, out, err = run(args, stdin)
    if rc != 0:
        tap(False, f'{label}: kvmslb report exited {rc}: {err.decode(errors="replace").strip()}')
        return None, err
    return json.loads(out), err


def proc_name(pid):
    return guests[pid]


def health_ok(doc, label):
    h = doc['health']
    tap(doc['source'] == ('patched' if patched else 'stock') and h['input_lost'] == lost and
        h['input_recovered'] == recovered,
        f'{label}: read as {doc["source"]} data, {h["input_lost"]} lost events '
        f'(want {lost}), {h["input_recovered"]} segments recovered from cumulative counts '
        f'(want {recovered})')
    if not patched:
        tap(h['unpaired_exits'] == 1, f'{label}: 1 unpaired page-fault exit '
            f'(got {h["unpaired_exits"]})')


# WORKDIR is shared by the runs for several kvmslb builds (native, ASan): the
# files and the real tools' verdicts on them are made by the first run only.
def write_perf(name, **extra):
    spec = dict(base, **extra)
    sp = os.path.join(work, f'{kind}-{name}.json')
    data = os.path.join(work, f'{kind}-{name}.data')
    if not os.path.exists(data):
        json.dump(spec, open(sp, 'w'))
        subprocess.run([sys.executable, os.path.join(here, 'mkperfdata.py'), sp, data + '.tmp'],
                       check=True)
        os.rename(data + '.tmp', data)
    return data


def perf_agrees(data, label, oracle=True):
    if os.path.exists(data + '.txt'):
        return open(data + '.txt', 'rb').read()
    ps = subprocess.run(['perf', 'script', '--ns', '-F', 'comm,pid,tid,cpu,time,event,trace',
                         '-i', data], capture_output=True)
    lines = [l for l in ps.stdout.decode().splitlines() if 'kvm_hv:' in l]
    if oracle:
        tap(ps.returncode == 0 and len(lines) == n_samples,
            f'{label}: real perf script reads the written file ({len(lines)} of '
            f'{n_samples} samples)')
    open(data + '.txt', 'wb').write(ps.stdout)
    return ps.stdout


# ---- perf.data in every layout, both byte orders -----------------------------
layouts = [('file', {}), ('rounds', {'rounds': 37}), ('pipe', {'mode': 'pipe', 'rounds': 37}),
           ('zstd', {'compress': True, 'rounds': 37}),
           ('pipe-zstd', {'mode': 'pipe', 'compress': True}),
           ('sample-id', {'sample_id': 'id', 'rounds': 37})]
for endian in ('le', 'be'):
    for name, extra in layouts:
        label = f'{kind} {endian} perf.data {name}'
        data = write_perf(f'{endian}-{name}', endian=endian, **extra)
        # perf 6.1 does not read a byte-swapped pipe: the le twin is its check
        text = perf_agrees(data, label, oracle=not (endian == 'be' and 'pipe' in name))
        doc, err = doc_of(label, ['-i', data])
        if doc:
            health_ok(doc, label)
            check(doc, label, proc_name)
        if 'pipe' in name:
            doc, err = doc_of(label + ' on a pipe', ['-i', '-'], open(data, 'rb').read())
            if doc:
                check(doc, label + ' on a pipe', proc_name)
        if name == 'file':
            # perf script text; it names threads, so only a main thread's line names a guest
            rc, out, err = run(['-i', '-'], text)
            tap(rc == 0, f'{kind} {endian}: perf script text on stdin (exit {rc})')
            if rc == 0:
                check(json.loads(out), f'{kind} {endian} perf script',
                      (lambda pid: f'pid {pid}') if v2 else (lambda pid: ''))
            rc, out, err = run(['-i', '-'], text.replace(b'\n', b'\r\n'))
            tap(rc == 0 and json.loads(out)['health']['events'] == doc['health']['events'],
                f'{kind} {endian}: perf script text with CRLF line ends reads the same '
                f'(exit {rc})')

# ---- v2: per vcpu by vcpu_id, whatever thread emitted the event ---------------------
if v2:
    data = os.path.join(work, f'{kind}-le-rounds.data')
    doc, err = doc_of('v2 --per-vcpu', ['-i', data, '--per-vcpu'])
    if doc:
        got = {(g['pid'], v['vcpu_id']): v['counters'] for g in doc['guests']
               for v in g['vcpus']}
        want = {k: e for k, e in expect_vcpu.items()
                if any(e[x] for x in ('hdsi', 'hisi', 'dsegi', 'isegi'))}
        tap(sorted(got) == sorted(want) and all('tid' not in v for g in doc['guests']
                                                for v in g['vcpus']),
            f'v2 --per-vcpu: units are (vm_pid, vcpu_id) {sorted(got)}, not threads')
        bad = [k for k in want if k in got and any(got[k][x] != want[k][x] for x in
               ('hdsi', 'hisi', 'dsegi', 'isegi', 'seg_injected', 'dropped'))]
        tap(not bad, f'v2 --per-vcpu: every vcpu\'s counters exact, cumulative segment '
            f'counts included ({len(want) - len(bad)} of {len(want)})')
    tap(b'segment interrupts counted from the events\' cumulative counts' in err,
        'v2: says how many segments came from the cumulative counts only')

# ---- --time-range, perf's syntax ----------------------------------------------------
if not v2:
    ts = sorted(s['time'] for s in samples)
    t1, t2 = ts[len(ts) // 4], ts[3 * len(ts) // 4]
    rng = f'{t1 // 10**9}.{t1 % 10**9:09d},{t2 // 10**9}.{t2 % 10**9:09d}'
    exp = {}
    starts = {}
    for s in sorted(samples, key=lambda s: s['time']):
        f, e = s['fields'], None
        if s['event'] == 'kvm_page_fault_enter':
            starts[s['tid']] = s['time']
            continue
        if not t1 <= s['time'] <= t2:
            starts.pop(s['tid'], None) if s['event'] == 'kvm_page_fault_exit' else None
            continue
        e = exp.setdefault(s['pid'], blank())
        if s['event'] == 'kvm_segment_synth':
            e['dsegi' if f['vector'] == 0x380 else 'isegi'] += 1
            e['seg_injected'] += f['injected']
        elif s['event'] == 'kvm_hfault':
            e['hdsi' if f['trap'] == 0xe00 else 'hisi'] += 1
            e['outcomes'][f['outcome']] += 1
            e['dropped'] += f['dropped']
            e['lat'].append(f['latency_ns'])
        elif s['event'] == 'kvm_guest_exit':
            name = {0xe00: 'hdsi', 0xe20: 'hisi', 0x380: 'dseg_exits', 0x480: 'iseg_exits'}
            if f['trap'] in name:
                e[name[f['trap']]] += 1
        elif s['tid'] in starts:
            e['lat'].append(s['time'] - starts.pop(s['tid']))
    data = os.path.join(work, f'{kind}-le-rounds.data')
    doc, err = doc_of(f'{kind} --time-range {rng}', ['-i', data, '--time-range', rng])
    if doc:
        check(doc, f'{kind} --time-range {rng}', proc_name, exp)
        tap(b'outside --time-range skipped' in err, f'{kind} --time-range: says how many '
            'records it skipped')
    rc, out, err = run(['-i', data, '--time-range', '12,3'])
    tap(rc == 2 and b'--time-range' in err, f'{kind} --time-range 12,3 (end before start): '
        f'exit {rc}, {err.decode().strip()[:120]}')


# ---- trace.dat: v6 (top buffer and an instance), v7 by the real trace-cmd -----------
def tracecmd_agrees(path, label):
    """The real trace-cmd reads every record back: thread, cpu, ns time, event, fields."""
    tc = subprocess.run(['trace-cmd', 'report', '-R', '-t', '-i', path], capture_output=True)
    out = tc.stdout.decode()
    lines = [l for l in out.splitlines() if ': kvm_' in l]
    want = sorted(samples, key=lambda s: s['time'])
    bad = []
    for l, s in zip(lines, want):
        m = re.match(r'.*-(\d+)\s+\[(\d+)\]\s+(\d+)\.(\d{9}): (\w+):\s+(.*)$', l)
        if not m:
            bad.append(l)
            continue
        got = {k: int(v, 0) for k, v in re.findall(r'(\w+)=(\S+)', m.group(6))}
        if (int(m.group(1)), int(m.group(2)), int(m.group(3)) * 10**9 + int(m.group(4)),
                m.group(5)) != (s['tid'], s['cpu'], s['time'], s['event']) or \
                any(got.get(k, v) != v for k, v in s['fields'].items()):
            bad.append(l)
    tap(tc.returncode == 0 and len(lines) == n_samples and not bad,
        f'{label}: real trace-cmd report reads the written file ({len(lines)} of '
        f'{n_samples} records, {len(bad)} differ{": " + bad[0] if bad else ""})')
    tap(f'[{lost} EVENTS DROPPED]' in out, f'{label}: trace-cmd sees the {lost} lost events')
    return tc.returncode == 0


# trace.dat names threads: v1 and stock guests are keyed by thread, unnamed;
# a v2 event names its VM, named from the saved cmdlines
dat_names = proc_name if v2 else (lambda pid: '')
for endian, page_size, instance in (('le', 4096, ''), ('be', 65536, ''), ('le', 4096, 'kvm')):
    spec = dict(base, endian=endian, page_size=page_size)
    if instance:
        spec['instance'] = instance
    label = f'{kind} {endian} trace.dat' + (f' (instance {instance})' if instance else '')
    sp = os.path.join(work, f'{kind}-{endian}{instance}-dat.json')
    dat = os.path.join(work, f'{kind}-{endian}{instance}.dat')
    made = os.path.exists(dat)
    if not made:
        json.dump(spec, open(sp, 'w'))
        subprocess.run([sys.executable, os.path.join(here, 'mktracedat.py'), sp, dat + '.tmp'],
                       check=True)
        os.rename(dat + '.tmp', dat)
        tracecmd_agrees(dat, label)
    files = [(dat, label)]
    # trace-cmd 3.1.6 converts a big-endian file into a v7 file it cannot read itself
    for comp in ('zstd', 'none') if endian == 'le' else ():
        d7 = dat[:-4] + f'-v7-{comp}.dat'
        if made:
            if os.path.exists(d7):
                files.append((d7, f'{label} v7 {comp}'))
            continue
        cv = subprocess.run(['trace-cmd', 'convert', '--file-version', '7', '--compression',
                             comp, '-i', dat, '-o', d7], capture_output=True)
        ok = cv.returncode == 0 and open(d7, 'rb').read(12)[10:12] == b'7\0'
        tap(ok, f'{label}: trace-cmd convert --file-version 7 --compression {comp} '
            f'(exit {cv.returncode})')
        if ok:
            tracecmd_agrees(d7, f'{label} v7 {comp}')
            files.append((d7, f'{label} v7 {comp}'))
        elif os.path.exists(d7):
            os.unlink(d7)
    for path, lab in files:
        doc, err = doc_of(lab, ['-i', path])
        if not doc:
            continue
        health_ok(doc, lab)
        if not v2:
            tap(b'keyed by vcpu thread' in err, f'{lab}: warns that guests are keyed by thread')
        if instance:
            tap(f"instance buffer '{instance}'".encode() in err,
                f'{lab}: says the events came from instance buffer {instance!r}')
        check(doc, lab, dat_names, expect_tid)

sys.exit(failed)
