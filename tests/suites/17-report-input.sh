#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kvmslb report on input that used to be read wrong or not at all (issue 10),
# one test each: binary input refused at once with bounded memory, a
# directory, old perf.data, messages that name the file, undecodable kvm_hv
# lines, overlapping trace.dat pages, implausible lost counts and spans,
# comms that look like perf script's cpu field or hold control characters
# and cut UTF-8, write errors, out of memory, many guests, the progress line.
set -u
root=${KVMSLB_ROOT:?}
build=${KVMSLB_BUILD:?}
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
k=$build/asan/kvmslb
n=$build/native/kvmslb	# memory limits: ASan reserves terabytes of address space
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1
fmt=$root/tests/fixtures/tracefs-6.1-kvmslb-patched

# expect RC PATTERN DESC CMD...: exit RC, stderr matches PATTERN, no sanitizer report
expect() {
	local rc=$1 pat=$2 desc=$3 out got
	shift 3
	out=$("$@" 2>&1 >/dev/null)
	got=$?
	if [ "$got" -eq "$rc" ] && grep -qE -- "$pat" <<<"$out" &&
		! grep -q 'Sanitizer\|runtime error' <<<"$out"; then
		ok "$desc: exit $rc, '$(head -n 1 <<<"$out" | cut -c1-160)'"
	else
		bad "$desc: exit $got (want $rc, /$pat/): $(head -c 300 <<<"$out")"
	fi
}

# mk NAME PYTHON-SPEC-EXPR: a perf.data from a spec built by a python expression
mk() {
	python3 - "$1" "$fmt" <<PY
import json, sys
out, fmt = sys.argv[1:3]
def hf(pid, tid, t, lat=1000, trap=0xe00):
    return {'event': 'kvm_hfault', 'pid': pid, 'tid': tid, 'cpu': 0, 'time': t,
            'fields': {'vcpu_id': 0, 'trap': trap, 'outcome': 0, 'latency_ns': lat,
                       'injected': 0, 'dropped': 0}}
spec = $2
spec.setdefault('formats_dir', fmt)
spec.setdefault('endian', 'le')
json.dump(spec, open(out + '.json', 'w'))
PY
	python3 "$root/tests/report/mkperfdata.py" "$1.json" "$1"
}

# --- binary input: refused from its first bytes, memory bounded, at once
lim() { (ulimit -v 300000; timeout 20 "$@"); }
head -c 64M /dev/zero >"$work/zeros.bin"
truncate -s 10G "$work/sparse.bin"
expect 2 'binary data' "report -i /dev/zero (300 MB address space, 20 s)" lim "$n" report -i /dev/zero
expect 2 'binary data' "a NUL-filled file" lim "$n" report -i "$work/zeros.bin"
expect 2 'binary data' "a sparse 10 GB file" lim "$n" report -i "$work/sparse.bin"
expect 2 'binary data' "/dev/zero on standard input" lim sh -c "'$n' report -i - </dev/zero"
expect 2 'binary data' "NUL bytes through a pipe" lim sh -c "head -c 1G /dev/zero | '$n' report -i -"
expect 2 'binary data' "NUL bytes through a pipe (ASan)" sh -c "head -c 64M /dev/zero | '$k' report -i -"
head -c 1M /dev/zero | tr '\0' x >"$work/long.txt"
expect 2 'longer than 64 KiB' "a 1 MB line of text" sh -c "'$k' report -i - <'$work/long.txt'"

# --- bad input named for what it is
mkdir "$work/dir.data"
expect 2 "dir.data: is a directory" "a directory" "$k" report -i "$work/dir.data"
{ printf 'PERFFILE'; head -c 300 /dev/urandom; } >"$work/old.data"
expect 2 "old.data: old perf.data format" "old perf.data (PERFFILE, version 1)" "$k" report -i "$work/old.data"
printf 'hello\nworld\n' >"$work/notes.txt"
expect 2 "notes.txt: no perf script sample lines" "text that is not perf script names the file" \
	"$k" report -i "$work/notes.txt"
cat >"$work/bad-kvm.txt" <<'EOF'
 qemu-system-ppc  1000/1001  [000]  1090.008065: kvm_hv:kvm_hfault: VCPU 0: trap=NOT_A_TRAP ea=0x0
 qemu-system-ppc  1000/1001  [000]  1090.008066: kvm_hv:kvm_segment_synth: VCPU 0: vector=?? ea=0x0
EOF
expect 2 "none of its 2 kvm_hv records could be read \(first: line 1" \
	"kvm_hv lines that cannot be decoded are not 'no kvm_hv events'" "$k" report -i "$work/bad-kvm.txt"

# --- trace.dat whose cpus' pages overlap
python3 - "$work/ov.json" "$fmt" <<'PY'
import json, sys
s = [{'event': 'kvm_hfault', 'pid': 1000, 'tid': 1001, 'cpu': c, 'time': 10**9 + i,
      'fields': {'trap': 0xe00, 'outcome': 0, 'latency_ns': 5, 'injected': 0, 'dropped': 0}}
     for i, c in enumerate([0, 1] * 200)]
json.dump({'endian': 'le', 'formats_dir': sys.argv[2], 'samples': s}, open(sys.argv[1], 'w'))
PY
python3 "$root/tests/report/mktracedat.py" "$work/ov.json" "$work/ov.dat"
python3 - "$work/ov.dat" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
at = b.index(b'flyrecord\0') + 10
off0, size0 = struct.unpack_from('<QQ', b, at)
struct.pack_into('<QQ', b, at + 16, off0, size0)      # cpu 1 claims cpu 0's pages
open(sys.argv[1], 'wb').write(b)
PY
expect 2 "overlap cpu 0's" "trace.dat with overlapping per-cpu pages" "$k" report -i "$work/ov.dat"

# --- lost counts and time spans that cannot be true
mk "$work/lost.data" "{'samples': [hf(1000, 1001, 10**9 + i) for i in range(5)], 'lost': 2**64 - 1}"
out=$("$k" report -j -i "$work/lost.data" 2>"$work/err")
if grep -q "too large to be true (largest 18446744073709551615)" "$work/err" &&
	python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(d["health"]["input_lost"] != 0)' <<<"$out"; then
	ok "perf.data lost count 2^64-1: said to be implausible, not counted"
else
	bad "perf.data lost count 2^64-1: $(cat "$work/err") $(head -c 200 <<<"$out")"
fi
python3 - "$work/lostd.json" "$fmt" <<'PY'
import json, sys
s = [{'event': 'kvm_hfault', 'pid': 1000, 'tid': 1001, 'cpu': 0, 'time': 10**9 + i,
      'fields': {'trap': 0xe00, 'outcome': 0, 'latency_ns': 5, 'injected': 0, 'dropped': 0}}
     for i in range(5)]
json.dump({'endian': 'le', 'formats_dir': sys.argv[2], 'samples': s, 'lost': 2**64 - 1},
          open(sys.argv[1], 'w'))
PY
python3 "$root/tests/report/mktracedat.py" "$work/lostd.json" "$work/lost.dat"
expect 0 "too large to be true" "trace.dat page missed-events count 2^64-1" "$k" report -i "$work/lost.dat"
mk "$work/span.data" "{'samples': [hf(1000, 1001, 10**9), hf(1000, 1001, 2**62)]}"
out=$("$k" report -j -i "$work/span.data" 2>"$work/err")
if grep -q "not a recording's length" "$work/err" &&
	python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["elapsed_s"] != 0)' <<<"$out"; then
	ok "timestamps 146 years apart: said to be implausible, no time shown"
else
	bad "timestamps 146 years apart: $(cat "$work/err")"
fi

# --- perf record -z with a large ring buffer (-m): a frame bigger than kvmslb's buffer
mk "$work/bigz.data" "{'samples': [hf(1000, 1001, 10**9 + i) for i in range(15000)], 'compress': True, 'compress_chunk': 2000000}"
nps=$(perf script -i "$work/bigz.data" 2>/dev/null | grep -c 'kvm_hv:')
out=$("$k" report -j -i "$work/bigz.data" 2>"$work/err")
if [ "$nps" -eq 15000 ] && python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["health"]["events"] != 15000)' <<<"$out"; then
	ok "one zstd frame of 1.7 MB: the 15000 samples perf script reads"
else
	bad "one zstd frame of 1.7 MB: perf script $nps, kvmslb: $(head -c 200 "$work/err")"
fi

# --- comms: perf script's cpu field lookalike, control characters, cut UTF-8
# Main threads (pid == tid) name their guests; the real perf script prints them.
comms="[[1000, 1000, '$(printf 'vm [3] x' | od -An -tx1 | tr -d ' \n')'],
        [2000, 2000, '$(printf 'a\033[31mred\tb' | od -An -tx1 | tr -d ' \n')'],
        [3000, 3000, '$(printf 'x\nfake [002]' | od -An -tx1 | tr -d ' \n')'],
        [4000, 4000, '$(printf 'abcdefghijklm\xe2\x82' | od -An -tx1 | tr -d ' \n')']]"
mk "$work/comm.data" "{'samples': [hf(p, p, 10**9 + p + i) for p in (1000, 2000, 3000, 4000) for i in range(3)], 'raw_comms': $comms}"
ps=$(perf script --ns -F comm,pid,tid,cpu,time,event,trace -i "$work/comm.data" 2>/dev/null)
[ "$(grep -c 'kvm_hv:' <<<"$ps")" -eq 12 ] && ok "comm file: real perf script prints its 12 samples" ||
	bad "comm file: perf script prints $(grep -c 'kvm_hv:' <<<"$ps") samples of 12"
for src in file text; do
	if [ $src = file ]; then in=$work/comm.data; else in=-; fi
	for fmt_ in text json; do
		o=$work/comm-$src.$fmt_
		"$k" report $([ $fmt_ = json ] && echo -j) -i "$in" <<<"$ps" >"$o" 2>"$work/err"
		rc=$?
		python3 - "$o" "$fmt_" "$src" <<'PY' >"$work/verdict"
import json, sys, unicodedata
path, fmt, src = sys.argv[1:4]
raw = open(path, 'rb').read()
try:
    text = raw.decode('utf-8')            # strict: invalid UTF-8 fails here
except UnicodeDecodeError as e:
    print('invalid UTF-8:', e); sys.exit(1)
bad = [c for c in text if unicodedata.category(c) == 'Cc' and c not in '\n']
if bad:
    print('control characters in the output:', [hex(ord(c)) for c in bad]); sys.exit(1)
if fmt == 'json':
    d = json.loads(text)
    if d['health']['events'] != 12:
        print('events', d['health']['events']); sys.exit(1)
    names = {g['pid']: g['name'] for g in d['guests']}
    want = {1000: 'vm [3] x', 2000: 'a\ufffd[31mred\ufffdb', 4000: 'abcdefghijklm'}
    if src == 'file':
        want[3000] = 'x\ufffdfake [002]'
    for p, w in want.items():
        if names.get(p) != w:
            print('pid', p, 'named', repr(names.get(p)), 'want', repr(w)); sys.exit(1)
print('ok')
PY
		if [ $rc -eq 0 ] && [ "$(cat "$work/verdict")" = ok ]; then
			ok "comms from $src ($fmt_): 12 events, names as valid UTF-8 without control characters, ' [3]' kept in the name"
		else
			bad "comms from $src ($fmt_): exit $rc, $(cat "$work/verdict") $(head -c 200 "$work/err")"
		fi
	done
done

# --- write errors: exit 1 with the system's message, for report and the others
mk "$work/good.data" "{'samples': [hf(1000, 1001, 10**9 + i) for i in range(5)]}"
expect 1 "No space left on device" "report > /dev/full" sh -c "'$k' report -i '$work/good.data' >/dev/full"
expect 1 "No space left on device" "report -j > /dev/full" sh -c "'$k' report -j -i '$work/good.data' >/dev/full"
expect 1 "No space left on device" "doctor > /dev/full" sh -c "'$k' doctor >/dev/full"
expect 1 "No space left on device" "report --help > /dev/full" sh -c "'$k' report --help >/dev/full"

# --- many guests: exact, and out of memory said as such
python3 - "$work/many.txt" 50000 <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        p = 100000 + 7919 * i % 3000017       # pids in no order
        f.write(' qemu %d/%d [000] 1.%06d: kvm_hv:kvm_hfault: VCPU 0: trap=H_DATA_STORAGE '
                'ea=0x0 dsisr=0x0 outcome=retry latency=%d ns dropped=0\n' % (p, p + 1, i, i))
PY
out=$("$k" report -j -i "$work/many.txt" 2>/dev/null)
python3 -c 'import json,sys; d=json.load(sys.stdin); g=d["guests"]
sys.exit(not (len(g) == 50000 and all(x["counters"]["hdsi"] == 1 for x in g) and
              [x["pid"] for x in g] == sorted(x["pid"] for x in g)))' <<<"$out" &&
	ok "50000 guests in no order: each counted once, listed by pid" ||
	bad "50000 guests: $(head -c 200 <<<"$out")"
python3 - "$work/huge.txt" 400000 <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        f.write(' qemu %d/%d [000] 1.%06d: kvm_hv:kvm_hfault: VCPU 0: trap=H_DATA_STORAGE '
                'ea=0x0 dsisr=0x0 outcome=retry latency=5 ns dropped=0\n' % (i + 1, i + 1, i % 10**6))
PY
expect 1 "out of memory" "400000 guests in 100 MB of address space: 'out of memory', exit 1" \
	sh -c "ulimit -v 100000; '$n' report -i '$work/huge.txt'"

# --- the progress line: on a terminal, for files over 100 MB; never in pipes or JSON
python3 "$root/tests/report/mkbench.py" "$fmt" "$work/big.data" 900000 >/dev/null
script -qec "'$n' report -i '$work/big.data' >/dev/null" /dev/null >"$work/tty.out" 2>&1
grep -q "reading .*big.data: [0-9]* of [0-9]* MB" "$work/tty.out" &&
	ok "a $(( $(stat -c %s "$work/big.data") >> 20 )) MB file on a terminal: a progress line" ||
	bad "no progress line on a terminal: $(head -c 200 "$work/tty.out")"
script -qec "'$n' report -j -i '$work/big.data' >/dev/null" /dev/null >"$work/tty.out" 2>&1
! grep -q "reading" "$work/tty.out" && ok "no progress line with -j" ||
	bad "a progress line with -j"
"$n" report -i "$work/big.data" 2>&1 >/dev/null | grep -q reading &&
	bad "a progress line into a pipe" || ok "no progress line when stderr is a pipe"
# --- the same file read ahead (a data section over RD_AHEAD_MIN) and through
# perf script's text: two readers, one answer (names aside: the text has comms)
perf script -F comm,pid,tid,cpu,time,event,trace -i "$work/big.data" 2>/dev/null |
	"$n" report -j -i - >"$work/big.text.json" 2>/dev/null
"$n" report -j -i "$work/big.data" >"$work/big.bin.json" 2>/dev/null
if out=$(python3 - "$work/big.bin.json" "$work/big.text.json" <<'PY'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
for d in (a, b):
    for k in ('input', 'elapsed_s'):
        d.pop(k, None)
    for g in d['guests']:
        g.pop('name', None)
        g.pop('name_from', None)
print(a['health']['events'])
sys.exit(a != b or a['health']['events'] != 900000)
PY
); then
	ok "a $(( $(stat -c %s "$work/big.data") >> 20 )) MB perf.data read ahead: $out events, every guest's counts and histograms as through perf script"
else
	bad "perf.data read ahead and through perf script differ: $out"
fi
exit $fail
