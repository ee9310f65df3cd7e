#!/bin/sh
# Inside an emulated powernv8 host with the patched kernel: kvmslb export
# writes a node_exporter textfile and JSON lines while guests run.
kvmslb export --textfile /tmp/kvmslb.prom --jsonl --interval 1 > /tmp/exp.jsonl 2>/tmp/exp.err &
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
slbguest -name guest=exp-a --inject 5 --pace --loops 2 --quiet > /tmp/a.out &
slbguest -name guest=exp-b --inject 3 --pace --code-pages 6 --data-pages 0 --loops 2 --quiet > /tmp/b.out &
wait %2 %3 2>/dev/null
sleep 2.5
kill -INT $exp
wait $exp
rc=$?
[ $rc -eq 0 ] && echo "ok - kvmslb export exited 0 on SIGINT" || echo "not ok - kvmslb export exited $rc: $(cat /tmp/exp.err)"
[ -e /tmp/kvmslb.prom.tmp.$exp ] && echo "not ok - temporary textfile left behind" || echo "ok - no temporary textfile left behind"
echo "==PROM"
cat /tmp/kvmslb.prom
echo "==JSONL-LAST"
tail -n 1 /tmp/exp.jsonl
echo "==GUESTS"
cat /tmp/a.out /tmp/b.out | grep 'slbguest: total'
echo "==END"
