#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a perf.data file holding given tracepoint samples, in either byte order.

The reader tests need kvm_hv recordings from POWER hosts, little and big
endian, with known contents. This writes them from real tracefs format
files; the suite checks every file it writes with the real 'perf script'
before trusting it as ground truth.

  mkperfdata.py SPEC.json OUT.data

SPEC: {"endian": "le"|"be", "formats_dir": DIR, "system": "kvm_hv",
       "comms": [{"pid": P, "comm": "NAME"}],
       "samples": [{"event": E, "pid": P, "tid": T, "cpu": C, "time": NS,
                    "fields": {"name": value, ...}}],
       "lost": N,
       optional:
       "mode": "file" (default) | "pipe"  (perf record -o -: attrs and tracing
               data as records of the stream)
       "compress": true     (perf record -z: the data records in zstd frames
                             of PERF_RECORD_COMPRESSED, split mid-record)
       "compress_chunk": N  (bytes of records per frame, default 3001; the
                             ring buffer written in the header grows with it)
       "sample_id": "identifier" (default with several events) | "id"
                    (PERF_SAMPLE_ID only, as perf record -e A -e B -p PID)
       "cmdlines": true     (saved cmdlines "pid comm" in the tracing data)
       "rounds": N          (samples in rounds of N, each written cpu by cpu
                             with a FINISHED_ROUND after it, as perf does)
       "raw_comms": [[pid, tid, hex-bytes]]   (COMM records with any bytes)}
"""
import json
import os
import re
import struct
import subprocess
import sys

PERF_TYPE_TRACEPOINT = 2
S_IP, S_TID, S_TIME, S_ID, S_CPU, S_PERIOD, S_RAW, S_IDENTIFIER = (
    1 << 0, 1 << 1, 1 << 2, 1 << 6, 1 << 7, 1 << 8, 1 << 10, 1 << 16)
ATTR_SIZE = 128  # PERF_ATTR_SIZE_VER7


def parse_format(text):
    ev_id = int(re.search(r'^ID: (\d+)', text, re.M).group(1))
    name = re.search(r'^name: (\S+)', text, re.M).group(1)
    fields = {}
    for m in re.finditer(r'field:([^;]*);\s*offset:(\d+);\s*size:(\d+);\s*signed:(\d)', text):
        fname = m.group(1).split()[-1]
        fields[fname] = (int(m.group(2)), int(m.group(3)), m.group(4) == '1')
    return name, ev_id, fields


COMPRESS_MMAP_LEN = 528384   # perf's default -m: 128 pages + 1


def compress(data, e, chunk=3001):
    """PERF_RECORD_COMPRESSED records of zstd frames, each of an input chunk that
    starts and ends mid-record, as perf record -z cuts its ring buffer."""
    out = b''
    for i in range(0, len(data), chunk):
        z = subprocess.run(['zstd', '-q', '-c', '-19'], input=data[i:i + chunk],
                           capture_output=True, check=True).stdout
        assert len(z) + 8 < 65536, 'a compressed record holds at most 64 KiB'
        out += struct.pack(e + 'IHH', 81, 0, 8 + len(z)) + z
    return out


def main():
    spec = json.load(open(sys.argv[1]))
    e = '<' if spec['endian'] == 'le' else '>'
    fdir = spec['formats_dir']
    system = spec.get('system', 'kvm_hv')
    formats = {}
    texts = []
    for fn in sorted(os.listdir(fdir)):
        if fn.endswith('.format'):
            t = open(os.path.join(fdir, fn)).read()
            name, ev_id, fields = parse_format(t)
            formats[name] = (ev_id, fields)
            texts.append(t.encode())
    used = sorted({s['event'] for s in spec['samples']}) or sorted(formats)
    multi = len(used) > 1
    sample_type = S_IP | S_TID | S_TIME | S_CPU | S_PERIOD | S_RAW
    by_id = spec.get('sample_id') == 'id'
    if multi:
        sample_type |= S_ID if by_id else S_IDENTIFIER
    ids = {ev: 1000 + i for i, ev in enumerate(used)}

    def u64(v):
        return struct.pack(e + 'Q', v & (2**64 - 1))

    def u32(v):
        return struct.pack(e + 'I', v & (2**32 - 1))

    # --- data section
    data = b''
    # a COMM record per thread, as perf writes them: the process's own
    # name for its main thread, QEMU's "CPU n/KVM" for the others
    threads = sorted({(s['pid'], s['tid']) for s in spec['samples']} |
                     {(c['pid'], c['pid']) for c in spec.get('comms', [])})
    names = {c['pid']: c['comm'] for c in spec.get('comms', [])}
    def comm_rec(pid, tid, raw):
        comm = raw + b'\0'
        comm += b'\0' * (-len(comm) % 8)
        body = u32(pid) + u32(tid) + comm
        return u32(3) + struct.pack(e + 'HH', 0, 8 + len(body)) + body

    for pid, tid in threads:
        name = names.get(pid, 'vmm') if pid == tid else 'CPU %d/KVM' % (tid - pid - 1)
        data += comm_rec(pid, tid, name.encode())
    for pid, tid, raw in spec.get('raw_comms', []):
        data += comm_rec(pid, tid, bytes.fromhex(raw))
    if spec.get('lost'):
        body = u64(ids[used[0]]) + u64(spec['lost'])
        data += u32(2) + struct.pack(e + 'HH', 0, 8 + len(body)) + body
    order = list(spec['samples'])
    rounds = spec.get('rounds')
    if rounds:
        # perf writes each cpu's ring buffer in turn: a round is in cpu order
        order = []
        for i in range(0, len(spec['samples']), rounds):
            chunk = spec['samples'][i:i + rounds]
            order += sorted(chunk, key=lambda x: x['cpu']) + ['ROUND']
    for s in order:
        if s == 'ROUND':
            data += u32(68) + struct.pack(e + 'HH', 0, 8)
            continue
        ev_id, fields = formats[s['event']]
        size = max(o + sz for o, sz, _ in fields.values())
        raw = bytearray(size)
        vals = dict(s['fields'])
        vals['common_type'] = ev_id
        vals['common_pid'] = s['pid']
        for fname, (off, sz, signed) in fields.items():
            v = vals.get(fname, 0)
            fmt = {1: 'B', 2: 'H', 4: 'I', 8: 'Q'}[sz]
            raw[off:off + sz] = struct.pack(e + fmt, v & (2**(8 * sz) - 1))
        # u32 size + raw, padded so the record stays 8-byte aligned
        pad = -(4 + len(raw)) % 8
        raw = bytes(raw) + b'\0' * pad
        body = b''
        if multi and not by_id:
            body += u64(ids[s['event']])
        body += u64(0x1234)                               # ip
        body += u32(s['pid']) + u32(s['tid'])             # pid, tid
        body += u64(s['time'])                            # time
        if multi and by_id:
            body += u64(ids[s['event']])                  # PERF_SAMPLE_ID
        body += u32(s['cpu']) + u32(0)                    # cpu, res
        body += u64(1)                                    # period
        body += u32(len(raw)) + raw
        data += u32(9) + struct.pack(e + 'HH', 2, 8 + len(body)) + body

    # --- tracing data (HEADER_TRACING_DATA)
    def blob(name, text):
        return name + b'\0' + u64(len(text)) + text
    hp = open(os.path.join(fdir, 'header_page'), 'rb').read()
    he = open(os.path.join(fdir, 'header_event'), 'rb').read()
    td = b'\x17\x08\x44tracing' + b'0.6\0'
    td += bytes([0 if spec['endian'] == 'le' else 1, 8]) + u32(4096)
    td += blob(b'header_page', hp) + blob(b'header_event', he)
    td += u32(0)                                  # ftrace formats
    td += u32(1) + system.encode() + b'\0' + u32(len(texts))
    for t in texts:
        td += u64(len(t)) + t
    td += u32(0) + u32(0)                         # kallsyms, printk
    cmdlines = b''
    if spec.get('cmdlines'):
        cmdlines = ''.join('%d %s\n' % (c['pid'], c['comm']) for c in spec.get('comms', [])).encode()
    td += u64(len(cmdlines)) + cmdlines
    if spec.get('compress'):
        data = compress(data, e, spec.get('compress_chunk', 3001))

    if spec.get('mode') == 'pipe':
        out = struct.pack(e + 'Q', 0x32454c4946524550) + u64(16)
        for i, ev in enumerate(used):
            a = u32(PERF_TYPE_TRACEPOINT) + u32(ATTR_SIZE) + u64(formats[ev][0])
            a += u64(1) + u64(sample_type) + u64(0) + u64(0)
            a += b'\0' * (ATTR_SIZE - len(a))
            body = a + u64(ids[ev])
            out += u32(64) + struct.pack(e + 'HH', 0, 8 + len(body)) + body
        if spec.get('compress'):
            body = u64(27) + u32(1) + u32(1) + u32(1) + u32(3) + u32(spec.get('compress_chunk', 0) + COMPRESS_MMAP_LEN)
            out += u32(80) + struct.pack(e + 'HH', 0, 8 + len(body)) + body
        tdp = td + b'\0' * (-len(td) % 8)
        out += u32(66) + struct.pack(e + 'HH', 0, 16) + u32(len(tdp)) + u32(0) + tdp
        out += data
        with open(sys.argv[2], 'wb') as f:
            f.write(out)
        return

    # --- layout: header | attrs | ids | data | feature table | tracing data
    hdr_size = 104
    attrs_off = hdr_size
    attr_entry = ATTR_SIZE + 16
    ids_off = attrs_off + attr_entry * len(used)
    data_off = ids_off + 8 * len(used)
    # HEADER_HOSTNAME too: perf uses its bit to guess a swapped file's bitmap
    host = spec.get('hostname', 'power-host').encode() + b'\0'
    host += b'\0' * (-len(host) % 64)
    hostsec = u32(len(host)) + host
    feat_off = data_off + len(data)
    td_off = feat_off + 32
    host_off = td_off + len(td)
    comp = b''
    if spec.get('compress'):
        feat_off = data_off + len(data)
        td_off = feat_off + 48
        host_off = td_off + len(td)
        comp = u32(1) + u32(1) + u32(1) + u32(3) + u32(spec.get('compress_chunk', 0) + COMPRESS_MMAP_LEN)

    attrs = b''
    for i, ev in enumerate(used):
        a = u32(PERF_TYPE_TRACEPOINT) + u32(ATTR_SIZE) + u64(formats[ev][0])
        a += u64(1) + u64(sample_type) + u64(0) + u64(0)   # period, sample_type, read_format, flags
        a += b'\0' * (ATTR_SIZE - len(a))
        attrs += a + u64(ids_off + 8 * i) + u64(8)
    idsec = b''.join(u64(ids[ev]) for ev in used)

    magic = struct.pack(e + 'Q', 0x32454c4946524550)
    header = magic + u64(hdr_size) + u64(attr_entry)
    header += u64(attrs_off) + u64(len(attrs))
    header += u64(data_off) + u64(len(data))
    header += u64(0) + u64(0)                     # event_types
    header += u64((1 << 1) | (1 << 3) | ((1 << 27) if comp else 0)) + u64(0) + u64(0) + u64(0)
    assert len(header) == hdr_size
    out = header + attrs + idsec + data + u64(td_off) + u64(len(td))
    out += u64(host_off) + u64(len(hostsec))
    if comp:
        out += u64(host_off + len(hostsec)) + u64(len(comp))
    out += td + hostsec + comp
    with open(sys.argv[2], 'wb') as f:
        f.write(out)


if __name__ == '__main__':
    main()
