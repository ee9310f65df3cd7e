#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A large perf.data for the report bench: a kvm_hv recording replicated.

Writes a seeded recording of the patched kernel's kvm_hv events (BASE
samples over 8 guests of 4 vcpus) with mkperfdata.py, then replicates its
sample records until the file holds at least SAMPLES samples, shifting each
copy's timestamps past the previous one and ending every copy with a
FINISHED_ROUND record, as perf record writes them. The COMM and LOST
records stay once. Prints the number of samples written; the bench checks
it against the real 'perf script' before timing anything.

Formats of series v2 (a vm_pid field) give series v2 events: each names
its VM and vcpu, carries its fault time and the vcpu's cumulative DSegI
and ISegI counts, and every copy continues those counts where the one
before it ended, as a longer recording would.

  mkbench.py FORMATS_DIR OUT.data SAMPLES [BASE]
"""
import json
import os
import random
import struct
import subprocess
import sys
import tempfile

PERF_RECORD_SAMPLE, PERF_RECORD_FINISHED_ROUND = 9, 68
# a sample's raw data: header, id, ip, pid/tid, time, cpu/res, period, raw size
RAW_AT = 8 + 6 * 8 + 4


def v2_record(rec, e, seg_id):
    """(event id, fault_ns, (vm_pid, vcpu_id) of a segment or None, dsegi, isegi)"""
    ev, = struct.unpack_from(e + 'H', rec, RAW_AT)
    vm, vcpu, fault_ns = struct.unpack_from(e + 'iiQ', rec, RAW_AT + 8)
    if ev != seg_id:
        return ev, fault_ns, None, 0, 0
    d, i = struct.unpack_from(e + 'QQ', rec, RAW_AT + 64)
    return ev, fault_ns, (vm, vcpu), d, i


def base_spec(fmt_dir, n, v2):
    rnd = random.Random(20261201)
    guests = {4000 + 100 * i: 'qemu-vm%d' % i for i in range(8)}
    samples, t = [], 5_000_000_000
    segs = {}
    for _ in range(n):
        pid = rnd.choice(list(guests))
        vcpu = rnd.randrange(4)
        t += rnd.randrange(100, 20_000)
        common = {'event': None, 'pid': pid, 'tid': pid + 1 + vcpu, 'cpu': rnd.randrange(8),
                  'time': t}
        if rnd.randrange(3) == 0:
            common['event'] = 'kvm_segment_synth'
            common['fields'] = {'vcpu_id': vcpu, 'ea': 0x10000000 + rnd.randrange(1 << 20),
                                'vector': rnd.choice([0x380, 0x480]),
                                'srr1': 0x8000000000001032, 'injected': rnd.randrange(2)}
        else:
            common['event'] = 'kvm_hfault'
            common['fields'] = {'vcpu_id': vcpu, 'trap': rnd.choice([0xe00, 0xe20]),
                                'ea': 0x20000000, 'dsisr': 0x40000000,
                                'outcome': rnd.randrange(5),
                                'latency_ns': rnd.randrange(200, 200_000), 'injected': 0,
                                'dropped': 0}
        if v2:
            f = common['fields']
            f.update({'vm_pid': pid, 'fault_ns': t - rnd.randrange(50, 5000),
                      'srr0': 0x10000000 + rnd.randrange(1 << 16)})
            if common['event'] == 'kvm_segment_synth':
                d, i = segs.get((pid, vcpu), (0, 0))
                d, i = (d + 1, i) if f['vector'] == 0x380 else (d, i + 1)
                segs[(pid, vcpu)] = (d, i)
                f['dsegi'], f['isegi'] = d, i
        samples.append(common)
    return {'endian': 'le', 'formats_dir': fmt_dir, 'samples': samples, 'lost': 0,
            'comms': [{'pid': p, 'comm': c} for p, c in guests.items()]}


def main():
    fmt_dir, out, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
    nbase = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    seg_fmt = open(os.path.join(fmt_dir, 'kvm_segment_synth.format')).read()
    v2 = 'vm_pid;' in seg_fmt
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        spec = os.path.join(tmp, 'spec.json')
        base = os.path.join(tmp, 'base.data')
        json.dump(base_spec(fmt_dir, nbase, v2), open(spec, 'w'))
        subprocess.run([sys.executable, os.path.join(here, 'mkperfdata.py'), spec, base],
                       check=True)
        b = open(base, 'rb').read()
    e = '<'
    seg_id = int(seg_fmt.split('ID: ')[1].split()[0])
    if v2:
        # the offsets this script patches: those of tests/report/formats-v2
        assert 'fault_ns;\toffset:16;' in seg_fmt and 'dsegi;\toffset:64;' in seg_fmt and \
            'isegi;\toffset:72;' in seg_fmt, 'unexpected v2 segment format'
    data_off, data_size = struct.unpack_from(e + 'QQ', b, 40)
    feat_off = data_off + data_size
    nfeat = bin(struct.unpack_from(e + 'Q', b, 72)[0]).count('1')
    # records: the once-only ones, and the samples with their time's offset
    once, samples, times, v2_fields = b'', [], [], []
    off = data_off
    while off < feat_off:
        typ, _, size = struct.unpack_from(e + 'IHH', b, off)
        rec = b[off:off + size]
        if typ == PERF_RECORD_SAMPLE:
            samples.append(rec)
            times.append(struct.unpack_from(e + 'Q', rec, 32)[0])   # id ip pid/tid time
            if v2:
                v2_fields.append(v2_record(rec, e, seg_id))
        else:
            once += rec
        off += size
    span = max(times) - min(times) + 1000
    # each vcpu's cumulative counts at the end of a copy: the next one goes on from there
    final = {}
    for v in v2_fields:
        if v[2] is not None:
            d, i = final.get(v[2], (0, 0))
            final[v[2]] = (max(d, v[3]), max(i, v[4]))
    block = bytearray(b''.join(samples))
    offsets, at = [], 0
    for rec in samples:
        offsets.append(at + 32)
        at += len(rec)
    round_rec = struct.pack(e + 'IHH', PERF_RECORD_FINISHED_ROUND, 0, 8)
    copies = -(-want // len(samples))
    with open(out, 'wb') as f:
        f.write(b[:data_off])
        f.write(once)
        size = len(once)
        for c in range(copies):
            for o, t in zip(offsets, times):
                struct.pack_into(e + 'Q', block, o, t + c * span)
            for o, v in zip(offsets, v2_fields):
                raw = o - 32 + RAW_AT
                struct.pack_into(e + 'Q', block, raw + 16, v[1] + c * span)
                if v[2] is not None:
                    d, i = final[v[2]]
                    struct.pack_into(e + 'QQ', block, raw + 64, v[3] + c * d, v[4] + c * i)
            f.write(block)
            f.write(round_rec)
            size += len(block) + len(round_rec)
        # the feature table and sections, moved by the data's growth
        delta = size - data_size
        table = bytearray(b[feat_off:feat_off + 16 * nfeat])
        for i in range(nfeat):
            o, = struct.unpack_from(e + 'Q', table, 16 * i)
            struct.pack_into(e + 'Q', table, 16 * i, o + delta)
        f.write(table)
        f.write(b[feat_off + 16 * nfeat:])
        f.seek(48)
        f.write(struct.pack(e + 'Q', size))
    print(copies * len(samples))


if __name__ == '__main__':
    main()
