#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions executed on each HDSI/HISI fault path of the POWER7/8 real-mode
handlers, read from the built objects: before/after the kernel-patch series,
with the fault-path timing key off (as built) and on (its jump label sites
patched to fall through).

Each DIR is the arch/powerpc/kvm/ build output of one tree and must hold
book3s_hv_rmhandlers.o and book3s_64_entry.o.

  hfault-offcost.py [--check] [--json] PRISTINE PATCHED [LABEL=DIR...]

The paths are walked through the disassembly (powerpc64le-linux-gnu-objdump
-dr) from kvmppc_hdsi/kvmppc_hisi to the branch to fast_guest_return or
guest_exit_cont, deciding each conditional branch from what the path is
(the fault's cause, relocation, whether slbfee. finds the SLB entry, what
kvmppc_hpte_hv_fault() returns; no injection pending, no transaction).  Asm
instructions are counted, kvmppc_msr_interrupt included; a call to C counts
as one instruction and is listed.  A branch the model cannot decide is an
error, so that a changed handler is never miscounted silently.

The guest-exit row is kvmppc_interrupt (book3s_64_entry.S) up to its branch
to kvmppc_interrupt_hv, which every POWER7/8 guest exit runs.

--check fails (exit 1) unless, with the key off, the synthesis paths gain
at most 4 instructions over PRISTINE and every other path, the guest exit
included, none (and no C call).
"""
import json
import os
import re
import subprocess
import sys

OBJDUMP = os.environ.get('OBJDUMP', 'powerpc64le-linux-gnu-objdump')
END = ('fast_guest_return', 'guest_exit_cont', 'kvmppc_interrupt_hv')
KVM_GUEST_MODE_GUEST_HV = 3	# HSTATE_IN_GUEST while a P7/8 guest runs
HDSI, HISI = 0xe00, 0xe20

# path name: (start, trap, cause, relocation on, SLB entry found, hpte return)
PATHS = [
    ('hdsi retry', 'kvmppc_hdsi', HDSI, True, True, True, 0),
    ('hdsi reflect (guest HPT miss -> DSI)', 'kvmppc_hdsi', HDSI, True, True, True, 'status'),
    ('hdsi reflect (not an HPTE/prot fault)', 'kvmppc_hdsi', HDSI, False, True, True, None),
    ('hdsi synthesize DSegI', 'kvmppc_hdsi', HDSI, True, True, False, None),
    ('hdsi retry, relocation off (VRMA)', 'kvmppc_hdsi', HDSI, True, False, True, 0),
    ('hdsi to host', 'kvmppc_hdsi', HDSI, True, True, True, -1),
    ('hdsi MMIO', 'kvmppc_hdsi', HDSI, True, True, True, -2),
    ('hisi retry', 'kvmppc_hisi', HISI, True, True, True, 0),
    ('hisi reflect (guest HPT miss -> ISI)', 'kvmppc_hisi', HISI, True, True, True, 'status'),
    ('hisi reflect (not an HPTE fault)', 'kvmppc_hisi', HISI, False, True, True, None),
    ('hisi synthesize ISegI', 'kvmppc_hisi', HISI, True, True, False, None),
    ('hisi to host', 'kvmppc_hisi', HISI, True, True, True, -1),
]
# Most instructions the series may add with the key off: 4 to synthesize a
# segment interrupt (count it), none anywhere else.
BUDGET = {'synthesize': 4}


class Unmodelled(Exception):
    pass


class Object:
    """One object's disassembly: instructions by address, symbols, relocations
    on branches, and the jump label sites of its __jump_table."""

    def __init__(self, path):
        self.path = path
        out = subprocess.run([OBJDUMP, '-dr', '--no-show-raw-insn', path], check=True,
                             capture_output=True, text=True).stdout
        self.insn, self.order, self.sym, self.reloc = {}, [], {}, {}
        last = None
        for line in out.splitlines():
            m = re.match(r'^([0-9a-f]+) <([^>]+)>:$', line)
            if m:
                self.sym[m.group(2)] = int(m.group(1), 16)
                continue
            m = re.match(r'^\s+([0-9a-f]+):\s+(\S+)\s*(.*?)\s*$', line)
            if m and not m.group(2).startswith('R_PPC64'):
                addr = int(m.group(1), 16)
                ops = re.sub(r'\s*<[^>]*>', '', m.group(3))
                self.insn[addr] = (m.group(2), [o.strip() for o in ops.split(',') if o.strip()])
                self.order.append(addr)
                last = addr
                continue
            m = re.match(r'^\s+([0-9a-f]+):\s+R_PPC64_(REL24|REL14)\s+(\S+)', line)
            if m and last is not None:
                self.reloc[int(m.group(1), 16)] = m.group(3)
        self.sites = self._jump_sites()
        self.name = {a: s for s, a in self.sym.items()}

    def _jump_sites(self):
        """Addresses of jump label sites: the first word of each __jump_table
        entry is relative to .text."""
        out = subprocess.run([OBJDUMP, '-r', '-j', '__jump_table', self.path],
                             capture_output=True, text=True).stdout
        sites = set()
        for line in out.splitlines():
            m = re.match(r'^([0-9a-f]+)\s+R_PPC64_REL32\s+\.text(\+0x([0-9a-f]+))?$', line)
            if m and int(m.group(1), 16) % 16 == 0:
                sites.add(int(m.group(3) or '0', 16))
        return sites

    def next_addr(self, addr):
        i = self.order.index(addr)
        return self.order[i + 1]


def reg(op):
    m = re.match(r'^r(\d+)$', op)
    if not m:
        raise Unmodelled('not a register: %s' % op)
    return int(m.group(1))


def imm(op):
    return int(op, 0)


def walk(obj, start, trap, cause, reloc, found, hpte, key_on):
    """Count the instructions from symbol start to a branch to one of END."""
    regs = {9: 'vcpu', 10: 'pc' if start != 'kvmppc_interrupt' else trap | 2,
            11: 'msr', 12: trap, 13: 'paca'}
    mem = {}
    cr0 = None		# value compared, as (a, b), or 'eq'/'ne'
    count, calls, stack = 0, [], []
    addr = obj.sym[start]
    for _ in range(2000):
        op, ops = obj.insn[addr]
        count += 1
        nxt = obj.next_addr(addr)
        target = None
        if addr in obj.sites and key_on:
            op, ops = 'nop', []
        base = op.rstrip('+-')
        if base in ('b', 'bl') or re.match(r'^b(eq|ne|lt|gt|le|ge)$', base):
            if addr in obj.reloc:
                target = obj.reloc[addr]
            elif ops:
                target = int(ops[-1], 16)
        if isinstance(target, int):
            target = obj.name.get(target, target)
        if base == 'b':
            if target in END:
                return count, calls
            if isinstance(target, str):
                if target not in obj.sym:
                    raise Unmodelled('branch to %s at %x' % (target, addr))
                target = obj.sym[target]
            addr = target
            continue
        if base == 'bl':
            if isinstance(target, str) and target not in obj.sym:
                calls.append(target)
                for r in (0, 3, 4, 5, 6, 7, 8, 10, 11, 12):
                    regs.pop(r, None)
                if target == 'kvmppc_hpte_hv_fault':
                    regs[3] = hpte
                addr = nxt
                continue
            stack.append(nxt)
            addr = obj.sym[target] if isinstance(target, str) else target
            continue
        if base == 'blr':
            addr = stack.pop()
            continue
        if base.startswith('b') and base != 'bl' and target is not None:
            if ops and ops[0].startswith('cr') and ops[0] != 'cr0':
                raise Unmodelled('branch on %s at %x' % (ops[0], addr))
            if cr0 is None:
                raise Unmodelled('condition unknown at %x (%s %s)' % (addr, op, ops))
            a, b = cr0
            taken = {'eq': a == b, 'ne': a != b, 'lt': a < b, 'gt': a > b,
                     'le': a <= b, 'ge': a >= b}[base[1:]]
            if taken:
                if isinstance(target, str):
                    if target in END:
                        return count, calls
                    target = obj.sym[target]
                addr = target
            else:
                addr = nxt
            continue
        # non-branch instructions
        if base == 'li':
            regs[reg(ops[0])] = imm(ops[1])
        elif base == 'mr':
            regs[reg(ops[0])] = regs.get(reg(ops[1]))
        elif base in ('mfhdar',):
            regs[reg(ops[0])] = 'hdar'
        elif base in ('mfhdisr',):
            regs[reg(ops[0])] = 'hdsisr'
        elif base in ('andi.', 'andis.'):
            v, m = regs.get(reg(ops[1])), imm(ops[2]) << (16 if base == 'andis.' else 0)
            if isinstance(v, int):
                cr0 = (v & m, 0)
            elif v == 'hdsisr' or (v == 'msr' and m == 0x40000000):
                cr0 = (1 if cause else 0, 0)		# DSISR_NOHPTE|PROT, SRR1_ISI_NOPT
            elif v == 'msr' and m in (0x10, 0x20):
                cr0 = (1 if reloc else 0, 0)		# MSR_DR, MSR_IR
            else:
                raise Unmodelled('%s on %s at %x' % (op, v, addr))
            regs[reg(ops[0])] = None
        elif base == 'slbfee.':
            cr0 = (0, 0) if found else (1, 0)
            regs[reg(ops[0])] = 'slbv'
        elif base in ('cmpdi', 'cmpwi', 'cmpldi', 'cmplwi'):
            v = regs.get(reg(ops[0]))
            if v == 'status':		# a DSISR/SRR1 value: not 0, -1, -2
                cr0 = (1 << 40, imm(ops[1]))
            elif v == 'mem0':
                cr0 = (0, imm(ops[1]))		# nothing pending
            elif isinstance(v, int):
                cr0 = (v, imm(ops[1]))
            else:
                raise Unmodelled('%s on %s at %x' % (op, v, addr))
        elif base == 'rldicl' and ops[1] == 'r11':
            regs[reg(ops[0])] = 0	# kvmppc_msr_interrupt: MSR[TS], not transactional
        elif base in ('std', 'stw', 'stb'):
            m = re.match(r'^(-?\d+)\((r\d+)\)$', ops[1])
            mem[(m.group(2), int(m.group(1)))] = regs.get(reg(ops[0]))
        elif base in ('ld', 'lwz', 'lbz'):
            m = re.match(r'^(-?\d+)\((r\d+)\)$', ops[1])
            key = (m.group(2), int(m.group(1)))
            if key in mem:
                regs[reg(ops[0])] = mem[key]
            elif base == 'lbz' and m.group(2) == 'r13':
                regs[reg(ops[0])] = KVM_GUEST_MODE_GUEST_HV
            elif base == 'lwz':
                regs[reg(ops[0])] = 'mem0'		# a counter: no injection pending
            else:
                regs[reg(ops[0])] = None
        elif ops and re.match(r'^r\d+$', ops[0]) and base not in ('mtspr', 'slbie', 'stwcx.'):
            regs[reg(ops[0])] = None
        addr = nxt
    raise Unmodelled('no end after 2000 instructions from %s' % start)


def budget(name):
    return BUDGET['synthesize'] if 'synthesize' in name else 0


def measure(d):
    rm = Object(os.path.join(d, 'book3s_hv_rmhandlers.o'))
    entry = Object(os.path.join(d, 'book3s_64_entry.o'))
    rows = {}
    for key_on in (False, True):
        n, calls = walk(entry, 'kvmppc_interrupt', HDSI, True, True, True, 0, key_on)
        rows.setdefault('guest exit (kvmppc_interrupt)', {})[key_on] = (n, calls)
        for name, start, trap, cause, reloc, found, hpte in PATHS:
            n, calls = walk(rm, start, trap, cause, reloc, found, hpte, key_on)
            rows.setdefault(name, {})[key_on] = (n, calls)
    return rows


def c_sizes(d, names):
    """Static sizes, in instructions, of the named functions of
    book3s_hv_builtin.o in DIR, if it is there."""
    path = os.path.join(d, 'book3s_hv_builtin.o')
    if not os.path.exists(path):
        return []
    out = subprocess.run([OBJDUMP.replace('objdump', 'nm'), '-S', path],
                         capture_output=True, text=True).stdout
    size = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 4 and f[3] in names:
            size[f[3]] = int(f[1], 16) // 4
    return [(n, size[n]) for n in names if n in size]


def main(argv):
    check = '--check' in argv
    as_json = '--json' in argv
    args = [a for a in argv if not a.startswith('--')]
    if len(args) < 2:
        sys.stderr.write(__doc__)
        return 2
    cols = [('pristine', args[0]), ('patched', args[1])]
    cols += [tuple(a.split('=', 1)) for a in args[2:]]
    try:
        data = {label: measure(d) for label, d in cols}
    except (Unmodelled, KeyError, IndexError, ValueError, OSError,
            subprocess.CalledProcessError) as e:
        sys.stderr.write('hfault-offcost: cannot walk the fault paths: %s\n' % e)
        return 1
    names = list(data['pristine'])
    if as_json:
        print(json.dumps({label: {n: {'off': v[False][0], 'on': v[True][0],
                                      'calls_on': v[True][1]}
                                  for n, v in rows.items()}
                          for label, rows in data.items()}, indent=1))
    else:
        head = '%-40s %8s' % ('path (asm instructions, C calls = 1)', 'pristine')
        for label, _ in cols[1:]:
            head += ' %9s %8s' % (label + ' off', 'on')
        print(head)
        for n in names:
            line = '%-40s %8d' % (n, data['pristine'][n][False][0])
            for label, _ in cols[1:]:
                off, on = data[label][n][False][0], data[label][n][True][0]
                line += ' %4d (%+d) %8d' % (off, off - data['pristine'][n][False][0], on)
            print(line)
        calls = sorted({c for n in names for c in data['patched'][n][True][1]
                        if c not in data['pristine'][n][False][1]})
        print('timing on: each path also calls %s' % ', '.join(calls) if calls else
              'timing on: no C call added')
        sizes = c_sizes(cols[1][1], calls + ['kvmhv_hfault_account'])
        if sizes:
            print('C helpers, static size in instructions: %s' %
                  ', '.join('%s %d' % kv for kv in sizes))
    bad = []
    for n in names:
        delta = data['patched'][n][False][0] - data['pristine'][n][False][0]
        if delta > budget(n):
            bad.append('%s: +%d instructions with timing off (budget %d)' % (n, delta, budget(n)))
        if data['patched'][n][False][1] != data['pristine'][n][False][1]:
            bad.append('%s: calls %s with timing off' % (n, data['patched'][n][False][1]))
    for b in bad:
        sys.stderr.write('hfault-offcost: over budget: %s\n' % b)
    return 1 if check and bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
