#!/bin/sh
# Inside an emulated powernv8 host with the patched kernel: kvmslb top -b -j
# attached before the guests start must end with the guests' own counts.
# Both run until the guests are done (however slow the emulation is) and
# two more refreshes have passed, then end on SIGINT.
fail=0
kvmslb top -b -j -d 1 --sort name > /tmp/top.jsonl 2>/tmp/top.err &
top_pid=$!
# stat in 1 s intervals alongside: the intervals must add up to its total
kvmslb stat -j 1 100000 > /tmp/stat.jsonl 2>/tmp/stat.err &
stat_pid=$!
# the readiness lines: both have their programs attached
# wait_attached FILE: until kvmslb's readiness line (as in tests/e2e/lib.sh)
wait_attached() {
	n=300
	while ! grep -q '"kind":"attached"' "$1" 2>/dev/null; do
		n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.1
	done
}
for f in top stat; do
	if wait_attached /tmp/$f.jsonl; then
		echo "ok - kvmslb $f: readiness line $(grep -m1 '"kind":"attached"' /tmp/$f.jsonl | cut -c1-80)"
	else
		echo "not ok - kvmslb $f printed no readiness line: $(cat /tmp/$f.err)"; exit 1
	fi
done
# The guests hold their VMs after their totals (--hold) until the readers
# have run: on this 1-CPU host three busy guests can keep kvmslb off the CPU
# until they exit, and a guest gone before kvmslb reads its /proc entry can
# only be shown as "pid N" (kvmslb(8)). Names are what this suite checks.
slbguest -name guest=top-a --hold --inject 6 --pace --loops 3 --quiet > /tmp/a.out 2>&1 &
ga=$!
slbguest -name guest=top-b --hold --inject 0 --loops 2 --vcpus 2 --quiet > /tmp/b.out 2>&1 &
gb=$!
slbguest -name guest=top-c --hold --inject 4 --pace --code-pages 8 --data-pages 0 --loops 2 --quiet > /tmp/c.out 2>&1 &
gc=$!
for f in a b c; do
	n=1200
	while ! grep -q '^slbguest: total ' /tmp/$f.out; do
		n=$((n - 1)); [ $n -gt 0 ] || break; sleep 0.1
	done
done
# a refresh of each reader while all three are still alive
sleep 2.5
kill -USR1 $ga $gb $gc
wait $ga $gb $gc
sleep 2.5
kill -INT $top_pid $stat_pid
wait $top_pid
rc=$?
wait $stat_pid
src=$?
[ $src -eq 0 ] && echo "ok - kvmslb stat -j 1 100000 exited 0 on SIGINT" || echo "not ok - kvmslb stat exited $src: $(cat /tmp/stat.err)"
[ $rc -eq 0 ] && echo "ok - kvmslb top -b -j exited 0 on SIGINT" || echo "not ok - kvmslb top exited $rc: $(cat /tmp/top.err)"
echo "# top lines: $(wc -l < /tmp/top.jsonl)"
cat /tmp/a.out /tmp/b.out /tmp/c.out | grep 'slbguest: total' | sed 's/^/# /'
echo "==TOP-LAST"
tail -n 1 /tmp/top.jsonl
echo "==STAT"
cat /tmp/stat.jsonl
echo "==GUESTS"
cat /tmp/a.out /tmp/b.out /tmp/c.out | grep 'slbguest: total'
echo "==END"
