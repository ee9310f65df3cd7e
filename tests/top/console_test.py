#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kvmslbtop live on an emulated POWER host's serial console, as over IPMI
SOL: QEMU's serial port is an 80x24 tmux pane; tests/top/console-inner.sh
starts four named guests and kvmslbtop on the console; keys go in with
tmux send-keys, the screen comes back with capture-pane. When every guest
has exited, the totals on the screen must be the guests' own counts.

  console_test.py KVMSLB SLBGUEST MACHINE KERNEL(patched|stock) WORKDIR
"""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
KVMSLB, SLBGUEST, MACHINE, KERNEL, WORK = sys.argv[1:6]
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
FAIL = 0


def tap(ok, desc, detail=None):
    global FAIL
    print(('ok - ' if ok else 'not ok - ') + desc)
    if not ok:
        FAIL = 1
    if detail and not ok:
        for line in str(detail).splitlines()[:40]:
            print('#   ' + line)
    return ok


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


# the kernel and the initramfs, as tools/host/run-host.sh makes them
modules = []
if KERNEL == 'stock':
    tree = sh(os.path.join(ROOT, 'tools/host/fetch-stock-kernel.sh'), '--cached', '--quiet').split()[-1]
    vmlinux = os.path.join(tree, 'vmlinux')
    modules = ['--modules', tree]
else:
    vmlinux = sh(os.path.join(ROOT, 'tools/kernel/build-kernel.sh')).split()[-1]
initrd = os.path.join(WORK, 'initrd.gz')
terminfo = next(p for p in ('/lib/terminfo/x/xterm-256color', '/usr/share/terminfo/x/xterm-256color')
                if os.path.exists(p))
sh(os.path.join(ROOT, 'tools/host/mkinitramfs.sh'), '-o', initrd, '--script',
   os.path.join(ROOT, 'tests/top/console-inner.sh'), '--add', KVMSLB + ':/usr/sbin/kvmslb',
   '--add', SLBGUEST + ':/usr/sbin/slbguest',
   '--add', terminfo + ':/kvmslb/terminfo/x/xterm-256color', *modules)
qemu = ['timeout', '--foreground', '-k', '5', '300', 'qemu-system-ppc64', '-M', MACHINE, '-m', '2G', '-smp', '1',
        '-nodefaults', '-display', 'none', '-no-reboot',
        '-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con',
        '-device', 'ipmi-bmc-sim,id=bmc0', '-device', 'isa-ipmi-bt,bmc=bmc0,irq=10',
        '-kernel', vmlinux, '-initrd', initrd,
        '-append', 'console=hvc0 loglevel=4 panic=1']
sock = 'kvmslb-console-%d' % os.getpid()
conf = os.path.join(WORK, 'tmux.conf')
with open(conf, 'w') as f:
    f.write('set -g status off\nset -g default-terminal xterm-256color\nset -g history-limit 5000\n')


def tm(*args, check=True):
    return subprocess.run(['tmux', '-L', sock, '-f', conf] + list(args), check=check,
                          capture_output=True, text=True).stdout


def screen(history=False):
    return tm('capture-pane', '-p', '-t', 't', *(['-S', '-3000'] if history else []))


def wait(pred, timeout, history=False):
    end = time.time() + timeout
    s = ''
    while time.time() < end:
        s = screen(history)
        if pred(s):
            return True, s
        time.sleep(0.2)
    return False, s


from screen_test_lib import table, name_matches  # noqa: E402


def show(what, screen):
    """The screen in the log, as the operator saw it."""
    print(f'# the 80x24 console, {what}:')
    for line in screen.rstrip('\n').split('\n'):
        print('#   |' + line)


def main():
    tm('new-session', '-d', '-s', 't', '-x', '80', '-y', '24',
       ' '.join("'%s'" % a for a in qemu) + '; echo QEMU-EXITED rc=$?; sleep 600')
    gen = {'powernv8': 'POWER8', 'powernv9': 'POWER9'}.get(MACHINE, 'POWER')
    src = 'patched' if KERNEL == 'patched' else 'stock'
    ok, s = wait(lambda s: re.search(r'^kvmslbtop  host ', s, re.M), 120)
    tap(ok, f'{MACHINE}: kvmslbtop draws its screen on the serial console', s)
    if not ok:
        return
    # a serial line repaints slowly: every check waits for the whole of what it reads
    ok, s = wait(lambda s: re.match(rf'^kvmslbtop  host \S+  {gen}  kernel \S+  source {src}$',
                                    s.split('\n')[0]), 20)
    tap(ok, f'header: host, {gen}, kernel, source {src}: {s.split(chr(10))[0]}', s)
    ok, s = wait(lambda s: len(table(s)[1]) == 4 and
                 any(r.get('DSEGI/s', r.get('HDSI/s')) not in ('0', None) for r in table(s)[1]), 90)
    tap(ok, 'the four guests appear, with activity', s)
    show('while the guests run', s)
    # the guests end after 3 and 6 s: every row then says exited
    ok, s = wait(lambda s: len(table(s)[1]) == 4 and all(r['exited'] for r in table(s)[1]), 120)
    tap(ok, 'every guest is marked x (exited) once it has ended', s)
    time.sleep(2.5)

    def whole(s):
        return (len(table(s)[1]) == 4 and all(r['exited'] for r in table(s)[1]) and
                'x: the guest has exited' in s and
                s.rstrip('\n').split('\n')[-1].startswith('h help  q quit'))
    ok, final = wait(whole, 20)
    show('when every guest has exited', final)
    spans, rows = table(final)
    cols = [n for n, _, _ in spans or []]
    want_cols = (['DSEGI/s', 'ISEGI/s', 'DSEGI', 'ISEGI', 'HDSI/s', 'P99', 'MAX', 'DROP']
                 if src == 'patched' else ['PID', 'TREND', 'HDSI/s', 'HISI/s', 'P50', 'P99', 'MAX'])
    tap(cols == want_cols, f'80 columns: {" ".join(want_cols)}', final)
    tap('x: the guest has exited; its counts are kept' in final, 'the legend explains x', final)
    # drill-down and help, live
    tm('send-keys', '-t', 't', 'Enter')
    # a serial line repaints slowly: wait for the whole page, not its first line
    ok, s = wait(lambda s: re.search(r'^guest \S+  pid \d+  exited', s, re.M) and
                 re.search(r'^per (vcpu \(KVM vcpu id\)|vcpu thread)', s, re.M) and
                 re.search(r'^\S+ / \S+: \d+ samples', s, re.M) and
                 s.rstrip('\n').split('\n')[-1].startswith('Esc: back'), 20)
    tap(ok, 'Enter: the drill-down of the selected guest: per-vcpu table, latency by path', s)
    show('Enter: the drill-down', s)
    tm('send-keys', '-t', 't', 'Escape')
    ok, s = wait(lambda s: table(s)[0] is not None, 20)
    tap(ok, 'Esc: back to the table', s)
    tm('send-keys', '-t', 't', 'h')
    ok, s = wait(lambda s: 'kvmslbtop keys' in s and
                 s.rstrip('\n').split('\n')[-1].startswith('any key: back'), 20)
    tap(ok, 'h: the help page', s)
    show('h: help', s)
    tm('send-keys', '-t', 't', 'x')
    wait(lambda s: table(s)[0] is not None, 20)
    tm('send-keys', '-t', 't', 'q')
    ok, s = wait(lambda s: 'KVMSLB-CONSOLE-DONE' in s, 120, True)
    tap(ok and 'KVMSLBTOP-EXITED rc=0' in s, 'q: kvmslbtop exits 0 and the console is the shell\'s again', s[-3000:])
    truth = {m.group(1): (int(m.group(2)), int(m.group(3))) for m in
             re.finditer(r'TRUTH slbguest: total name=(\S+) pid=\d+ dsegi=(\d+) isegi=(\d+)', s)}
    tap(len(truth) == 4, f'the four guests reported their totals: {sorted(truth)}', s[-2000:])
    if src == 'patched':
        for name, (ds, is_) in sorted(truth.items()):
            r = next((r for r in rows if name_matches(r['name'], name)), None)
            tap(r is not None and (r['DSEGI'], r['ISEGI']) == (str(ds), str(is_)),
                f'{name}: the console showed DSEGI {ds} ISEGI {is_}, the guest\'s own count',
                f'row: {r}')
    else:
        shown = sorted(next((n for n in truth if name_matches(r['name'], n)), r['name']) for r in rows)
        tap(sorted(truth) == shown, 'every guest had its row, by name', f'{shown}\n{final}')
    if 'TREND' in cols:
        tap(all(r['TREND'].strip() for r in rows), 'each guest\'s sparkline shows its activity', final)


try:
    main()
finally:
    tm('kill-server', check=False)
sys.exit(FAIL)
