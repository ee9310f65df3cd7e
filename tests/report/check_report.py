#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kvmslb report against recordings whose contents are known exactly.

Builds a seeded recording of kvm_hv events for several guests, writes it as
little- and big-endian perf.data (tests/report/mkperfdata.py) and trace.dat
(tests/report/mktracedat.py), checks each file with the real 'perf script'
or 'trace-cmd report', then checks that 'kvmslb report -j' on the perf.data
and trace.dat files and on perf script text gives the counts and histograms the
recording holds, computed here independently by the rules of the live BPF
programs. Prints TAP lines.

  check_report.py KVMSLB FORMATS_DIR WORKDIR [patched]
"""
import json
import os
import re
import random
import subprocess
import sys

kvmslb, fmt_dir, work = sys.argv[1:4]
patched = len(sys.argv) > 4 and sys.argv[4] == 'patched'
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


def gen(by_tid):
    """The seeded recording and its expected totals per process, or per thread
    (trace.dat names threads only)."""
    rnd = random.Random(20261125)
    samples, expect = [], {}
    t = 1_000_000_000

    def g(pid, tid):
        return expect.setdefault(tid if by_tid else pid, {
            'hdsi': 0, 'hisi': 0, 'dsegi': 0, 'isegi': 0, 'seg_injected': 0,
            'dseg_exits': 0, 'iseg_exits': 0, 'dropped': 0, 'lat': [], 'outcomes': [0] * 5})

    for i in range(400):
        pid = rnd.choice([1000, 1000, 2000, 3000])
        tid = pid + 1 + rnd.randrange(2)
        cpu = rnd.randrange(4)
        t += rnd.randrange(1, 50_000)
        if patched:
            kind = rnd.choice(['synth', 'hfault', 'hfault'])
            if kind == 'synth':
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
            kind = rnd.choice(['exit', 'exit', 'pf'])
            if kind == 'exit':
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
    return samples, expect


samples, expect = gen(False)
expect_tid = gen(True)[1]

spec = {'formats_dir': fmt_dir, 'comms': comms, 'samples': samples, 'lost': 7}
n_samples = len(samples)


def check(doc, label, exact_lat=True, names=True, exp=None):
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
        # perf script names threads ("CPU 0/KVM"); only perf.data names the process
        want = guests[pid] if names else ''
        tap(gg['name'] == want, f'{label}: pid {pid} named {gg["name"]!r} (want {want!r})')


def run(args, stdin=None):
    p = subprocess.run([kvmslb, 'report', '-j'] + args, input=stdin, capture_output=True)
    return p.returncode, p.stdout, p.stderr


kind = 'patched' if patched else 'stock'
for endian in ('le', 'be'):
    spec['endian'] = endian
    sp = os.path.join(work, f'{kind}-{endian}.json')
    data = os.path.join(work, f'{kind}-{endian}.data')
    json.dump(spec, open(sp, 'w'))
    subprocess.run([sys.executable, os.path.join(here, 'mkperfdata.py'), sp, data], check=True)
    ps = subprocess.run(['perf', 'script', '--ns', '-F', 'comm,pid,tid,cpu,time,event,trace',
                         '-i', data], capture_output=True)
    lines = [l for l in ps.stdout.decode().splitlines() if 'kvm_hv:' in l]
    tap(ps.returncode == 0 and len(lines) == n_samples,
        f'{kind} {endian}: real perf script reads the written file ({len(lines)} of {n_samples} samples)')
    rc, out, err = run(['-i', data])
    if rc != 0:
        tap(False, f'{kind} {endian}: kvmslb report exited {rc}: {err.decode().strip()}')
        continue
    doc = json.loads(out)
    tap(doc['source'] == kind and doc['health']['input_lost'] == 7,
        f'{kind} {endian}: perf.data read as {doc["source"]} data, 7 lost events reported')
    if not patched:
        tap(doc['health']['unpaired_exits'] == 1, f'{kind} {endian}: 1 unpaired page-fault exit')
    check(doc, f'{kind} {endian} perf.data')
    rc, out, err = run(['-i', '-'], ps.stdout)
    tap(rc == 0, f'{kind} {endian}: perf script text on stdin (exit {rc})')
    if rc == 0:
        check(json.loads(out), f'{kind} {endian} perf script', names=False)



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
    tap('CPU:0 [7 EVENTS DROPPED]' in out, f'{label}: trace-cmd sees the 7 lost events')
    return tc.returncode == 0


for endian, page_size in (('le', 4096), ('be', 65536)):
    spec['endian'] = endian
    spec['page_size'] = page_size
    label = f'{kind} {endian} trace.dat'
    sp = os.path.join(work, f'{kind}-{endian}-dat.json')
    dat = os.path.join(work, f'{kind}-{endian}.dat')
    json.dump(spec, open(sp, 'w'))
    subprocess.run([sys.executable, os.path.join(here, 'mktracedat.py'), sp, dat], check=True)
    tracecmd_agrees(dat, label)
    rc, out, err = run(['-i', dat])
    if rc != 0:
        tap(False, f'{label}: kvmslb report exited {rc}: {err.decode().strip()}')
        continue
    doc = json.loads(out)
    tap(doc['source'] == kind and doc['health']['input_lost'] == 7,
        f'{label}: read as {doc["source"]} data, 7 lost events reported')
    tap(b'keyed by vcpu thread' in err, f'{label}: warns that guests are keyed by thread')
    if not patched:
        tap(doc['health']['unpaired_exits'] == 1, f'{label}: 1 unpaired page-fault exit')
    # trace.dat names threads only: the same records, counted per thread
    check(doc, label, names=False, exp=expect_tid)

sys.exit(failed)
