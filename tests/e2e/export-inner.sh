#!/bin/sh
# Inside an emulated powernv8 host with the patched kernel: kvmslb export
# writes a node_exporter textfile (per-vcpu series too) and JSON lines while
# guests run, one of them named with invalid UTF-8, quotes and a backslash,
# one with a name over 127 bytes whose cut falls inside a character. It runs without any
# capability once attached; a full disk is reported as such. Its maps are
# pinned: a second run goes on from the first one's counts while another
# guest runs; a run beside it is refused; --no-pin starts from zero;
# --cleanup unpins.
grep -q ' /sys/fs/bpf bpf ' /proc/mounts || mount -t bpf bpf /sys/fs/bpf
kvmslb export --textfile /tmp/kvmslb.prom --jsonl --pid-label --per-vcpu --interval 1 \
	> /tmp/exp.jsonl 2>/tmp/exp.err &
exp=$!
# wait_attached FILE: until kvmslb's readiness line (as in tests/e2e/lib.sh)
wait_attached() {
	n=300
	while ! grep -q '"kind":"attached"' "$1" 2>/dev/null; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1
	done
}
if wait_attached /tmp/exp.jsonl; then
	echo "ok - kvmslb export: readiness line $(grep -m1 '"kind":"attached"' /tmp/exp.jsonl | cut -c1-80)"
else
	echo "not ok - kvmslb export printed no readiness line: $(cat /tmp/exp.err)"; exit 1
fi
# attached and serving: no capability left
echo "==CAPS"
grep -E '^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):' /proc/$exp/status
odd=$(printf 'exp-\377\376"q\\')
long=$(printf 'x%.0s' $(seq 126))$(printf '\303\251')tail
# The guests hold their VMs after their totals (--hold) until export has
# refreshed: on this 1-CPU host busy guests can keep kvmslb off the CPU until
# they exit, and a guest gone before kvmslb reads /proc is only "pid N".
# await_totals FILE...: until each guest printed its total line
await_totals() {
	for f in "$@"; do
		n=1200
		while ! grep -q '^slbguest: total ' "$f"; do
			n=$((n - 1)); [ $n -gt 0 ] || break; sleep 0.1
		done
	done
}
slbguest -name guest=exp-a --hold --inject 5 --pace --loops 2 --quiet > /tmp/a.out 2>&1 &
ga=$!
slbguest -name "guest=$odd" --hold --inject 3 --pace --code-pages 6 --data-pages 0 --loops 2 --quiet > /tmp/b.out 2>&1 &
gb=$!
slbguest -name "guest=$long" --hold --inject 2 --pace --loops 1 --quiet > /tmp/c.out 2>&1 &
gc=$!
await_totals /tmp/a.out /tmp/b.out /tmp/c.out
sleep 2.5
kill -USR1 $ga $gb $gc
wait $ga $gb $gc
sleep 2.5
kill -INT $exp
wait $exp
rc=$?
[ $rc -eq 0 ] && echo "ok - kvmslb export exited 0 on SIGINT" || echo "not ok - kvmslb export exited $rc: $(cat /tmp/exp.err)"
[ -e /tmp/kvmslb.prom.tmp.$exp ] && echo "not ok - temporary textfile left behind" || echo "ok - no temporary textfile left behind"

# a full disk: said as such, exit 1, nothing left behind
mkdir -p /tmp/full
mount -t tmpfs -o size=64k kvmslb-full /tmp/full
dd if=/dev/zero of=/tmp/full/fill bs=1k count=4096 2>/dev/null
if [ "$(wc -c < /tmp/full/fill)" -ge 4194304 ]; then
	# the test kernel has no CONFIG_TMPFS: its tmpfs takes no size
	echo "ok - # SKIP a full disk: no size-limited tmpfs in this kernel (tests/unit/test_textfile.c checks it)"
else
	kvmslb export --textfile /tmp/full/kvmslb.prom --once --interval 0.2 > /dev/null 2>/tmp/full.err
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'writing /tmp/full/kvmslb.prom: No space left on device' /tmp/full.err; then
		echo "ok - a full disk: exit 1, $(head -n 1 /tmp/full.err)"
	else
		echo "not ok - a full disk: exit $rc, $(cat /tmp/full.err)"
	fi
	ls /tmp/full | grep -q 'kvmslb.prom' && echo "not ok - a full disk left $(ls /tmp/full | tr '\n' ' ')" ||
		echo "ok - a full disk: no file left behind"
fi
umount /tmp/full

# restart: the pinned maps are reused, another guest runs
ls -R /sys/fs/bpf/kvmslb | tr '\n' ' ' | sed 's/^/# pinned: /'; echo
kvmslb -v export --textfile /tmp/kvmslb2.prom --pid-label --per-vcpu --interval 1 > /dev/null \
	2>/tmp/exp2.err &
exp2=$!
i=0
while [ ! -s /tmp/kvmslb2.prom ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
kvmslb export --jsonl --once --interval 0.2 > /dev/null 2>/tmp/twice.err
rc=$?
[ $rc -eq 1 ] && grep -q 'another kvmslb counts in them now' /tmp/twice.err &&
	echo "ok - a second export on the same pinned maps: exit 1, $(head -n 1 /tmp/twice.err)" ||
	echo "not ok - a second export beside the first: exit $rc, $(cat /tmp/twice.err)"
slbguest -name guest=exp-d --hold --inject 4 --pace --loops 1 --quiet > /tmp/d.out 2>&1 &
gd=$!
await_totals /tmp/d.out
sleep 2.5
kill -USR1 $gd
wait $gd
sleep 2.5
kill -INT $exp2
wait $exp2
rc=$?
[ $rc -eq 0 ] && echo "ok - the restarted export exited 0" || echo "not ok - the restarted export exited $rc: $(cat /tmp/exp2.err)"
grep -qE 'counters go on from the [0-9]+ maps pinned in /sys/fs/bpf/kvmslb/' /tmp/exp2.err &&
	echo "ok - the restart said: $(grep 'counters go on' /tmp/exp2.err)" ||
	echo "not ok - the restart did not reuse the maps: $(cat /tmp/exp2.err)"
kvmslb export --no-pin --textfile /tmp/kvmslb3.prom --pid-label --once --interval 0.3 2>/tmp/exp3.err
echo "# --no-pin: $(grep -c '^kvmslb_segment_synthesized_total{' /tmp/kvmslb3.prom) synthesized series"
kvmslb export --cleanup > /tmp/cleanup.out 2>&1
rc=$?
[ $rc -eq 0 ] && grep -qE '^unpinned [0-9]+ maps from /sys/fs/bpf/kvmslb$' /tmp/cleanup.out && [ ! -e /sys/fs/bpf/kvmslb ] &&
	echo "ok - kvmslb export --cleanup: $(cat /tmp/cleanup.out), nothing left" ||
	echo "not ok - --cleanup: exit $rc, $(cat /tmp/cleanup.out), $(ls -R /sys/fs/bpf)"

echo "==PROM"
cat /tmp/kvmslb.prom
echo "==PROM2"
cat /tmp/kvmslb2.prom
echo "==PROM3"
cat /tmp/kvmslb3.prom
echo "==JSONL-LAST"
tail -n 1 /tmp/exp.jsonl
echo "==GUESTS"
cat /tmp/a.out /tmp/b.out /tmp/c.out /tmp/d.out | grep 'slbguest: total'
echo "==END"
