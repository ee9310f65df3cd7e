#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write a trace-cmd trace.dat (file version 6) holding given tracepoint records.

The trace.dat counterpart of mkperfdata.py, from the same SPEC: kernel ring
buffer pages per cpu, as 'trace-cmd record --file-version 6' stores them, in
either byte order. The suite checks every file it writes with the real
'trace-cmd report' before trusting it as ground truth.

  mktracedat.py SPEC.json OUT.dat

SPEC: as mkperfdata.py's, plus optional "page_size" (default 4096). Records
carry the sample's tid as common_pid, as the kernel does; "comms" become
saved cmdlines (the process's name for its main thread, "CPU n/KVM" for the
others); "lost" is stored as the missed-events count of cpu 0's first page.
Optional "instance": NAME puts the pages in an instance buffer of that name
(trace-cmd record -B NAME) and leaves the top buffer empty.
"""
import json
import os
import struct
import sys

from mkperfdata import parse_format

TS_SHIFT = 27
PADDING, TIME_EXTEND = 29, 30


def main():
    spec = json.load(open(sys.argv[1]))
    big = spec['endian'] == 'be'
    e = '>' if big else '<'
    fdir = spec['formats_dir']
    system = spec.get('system', 'kvm_hv')
    page_size = spec.get('page_size', 4096)
    formats, texts = {}, []
    for fn in sorted(os.listdir(fdir)):
        if fn.endswith('.format'):
            t = open(os.path.join(fdir, fn)).read()
            name, ev_id, fields = parse_format(t)
            formats[name] = (ev_id, fields)
            texts.append(t.encode())

    def u64(v):
        return struct.pack(e + 'Q', v & (2**64 - 1))

    def u32(v):
        return struct.pack(e + 'I', v & (2**32 - 1))

    def evhdr(type_len, delta):
        assert delta < 1 << TS_SHIFT
        return u32((type_len << TS_SHIFT) | delta if big else type_len | (delta << 5))

    def raw_of(s):
        ev_id, fields = formats[s['event']]
        size = max(o + sz for o, sz, _ in fields.values())
        raw = bytearray(size + (-size % 4))
        vals = dict(s['fields'])
        vals['common_type'] = ev_id
        vals['common_pid'] = s['tid']          # the kernel records the thread
        for fname, (off, sz, signed) in fields.items():
            fmt = {1: 'B', 2: 'H', 4: 'I', 8: 'Q'}[sz]
            raw[off:off + sz] = struct.pack(e + fmt, vals.get(fname, 0) & (2**(8 * sz) - 1))
        return bytes(raw)

    ncpus = max([s['cpu'] for s in spec['samples']] + [0]) + 1
    room = page_size - 16 - 8      # page header; room for a stored lost count
    cpu_data = []
    for cpu in range(ncpus):
        pages, cur, page_ts, prev = [], b'', None, 0
        lost = spec.get('lost', 0) if cpu == 0 else 0

        def close_page():
            flags = len(cur)
            tail = b''
            if lost and not pages:
                flags |= (1 << 31) | (1 << 30)
                tail = u64(lost)
            body = u64(page_ts) + u64(flags) + cur + tail
            pages.append(body + b'\0' * (page_size - len(body)))

        for s in sorted((s for s in spec['samples'] if s['cpu'] == cpu),
                        key=lambda s: s['time']):
            raw = raw_of(s)
            if len(raw) <= 28 * 4:
                ev = [len(raw) // 4, raw]
            else:
                ev = [0, u32(len(raw) + 4) + raw]
            if page_ts is not None and len(cur) + 8 + 4 + len(ev[1]) > room:
                close_page()
                cur, page_ts = b'', None
            if page_ts is None:
                page_ts, prev = s['time'], s['time']
            delta = s['time'] - prev
            prev = s['time']
            if delta >= 1 << TS_SHIFT:
                cur += evhdr(TIME_EXTEND, delta & ((1 << TS_SHIFT) - 1)) + u32(delta >> TS_SHIFT)
                delta = 0
            cur += evhdr(ev[0], delta) + ev[1]
        if page_ts is not None:
            close_page()
        cpu_data.append(b''.join(pages))

    def blob(name, text):
        return name + b'\0' + u64(len(text)) + text
    hp = open(os.path.join(fdir, 'header_page'), 'rb').read()
    he = open(os.path.join(fdir, 'header_event'), 'rb').read()
    out = b'\x17\x08\x44tracing' + b'6\0'
    out += bytes([1 if big else 0, 8]) + u32(page_size)
    out += blob(b'header_page', hp) + blob(b'header_event', he)
    out += u32(0)                                          # ftrace formats
    out += u32(1) + system.encode() + b'\0' + u32(len(texts))
    for t in texts:
        out += u64(len(t)) + t
    out += u32(0) + u32(0)                                 # kallsyms, printk
    names = {c['pid']: c['comm'] for c in spec.get('comms', [])}
    threads = sorted({(s['pid'], s['tid']) for s in spec['samples']} |
                     {(p, p) for p in names})
    cmdlines = ''.join('%d %s\n' % (tid, names.get(pid, 'vmm') if pid == tid else
                                    'CPU %d/KVM' % (tid - pid - 1)) for pid, tid in threads)
    out += u64(len(cmdlines)) + cmdlines.encode()
    out += u32(ncpus)
    out += b'options  \0' + struct.pack(e + 'H', 8) + u32(4) + u32(ncpus)   # CPUCOUNT
    inst = spec.get('instance')
    if inst:
        # BUFFER: u64 offset of the instance's cpu table, its name; patched below
        opt_at = len(out) + 6
        out += struct.pack(e + 'H', 3) + u32(8 + len(inst) + 1) + u64(0) + inst.encode() + b'\0'
    out += struct.pack(e + 'H', 0)
    out += b'flyrecord\0'
    top_at = len(out)
    inst_at = top_at + 16 * ncpus      # "flyrecord\0" and the instance's table
    off = inst_at + (10 + 16 * ncpus if inst else 0)
    off += -off % page_size
    table = b''
    for d in cpu_data:
        table += u64(off if d else 0) + u64(len(d))
        off += len(d)
    if inst:
        out += u64(0) * 2 * ncpus + b'flyrecord\0' + table
        out = out[:opt_at] + u64(inst_at) + out[opt_at + 8:]
    else:
        out += table
    out += b'\0' * (-len(out) % page_size)
    for d in cpu_data:
        out += d
    with open(sys.argv[2], 'wb') as f:
        f.write(out)


if __name__ == '__main__':
    main()
