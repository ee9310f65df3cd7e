#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Inside an emulated powernv8 host with the patched kernel: record what
# kvmslbtop's screen tests replay. Four named guests (a long name, a name in
# CJK characters, one that exits early) get SLB-miss injections at different
# moments, so rates, sort order and sparklines change from one interval to
# the next, while `kvmslb stat -j --per-vcpu 1 N` records every interval.
# The guests' own totals are the ground truth the replayed screen must show.
#   ==RECORDING: the JSON lines; ==TRUTH: "slbguest: total ..." lines
n=${TOP_RECORD_INTERVALS:-14}
kvmslb stat -j --per-vcpu 1 "$n" > /tmp/rec.jsonl 2>/tmp/rec.err &
stat_pid=$!
sleep 1.5

# The patched kernel has the fault-injection knob; on a stock kernel the
# guests run the same without it (and only HDSI/HISI are seen).
patched=0
[ -d /sys/kernel/tracing/events/kvm_hv/kvm_segment_synth ] && patched=1
echo "# kernel $(uname -r), patched=$patched"
# inject VMFILE K: K more injected SLB misses for the guest whose output is VMFILE
inject() {
	[ $patched -eq 1 ] || return 0
	dir=$(sed -n 's/^slbguest: vm .* debugfs=\([^ ]*\).*/\1/p' "$1" | head -n 1)
	[ -n "$dir" ] && echo "$2" > "$dir/slb_miss_inject"
}
start() {
	out=/tmp/g.$1; shift
	if [ $patched -eq 0 ]; then
		# drop "--inject K"
		set -- $(echo "$@" | sed 's/--inject [0-9]*//')
	fi
	slbguest --quiet --timeout 120 "$@" > "$out" 2>&1 &
}
start a -name guest=web-frontend-01 --vcpus 2 --data-pages 16 --code-pages 2 --duration 8 \
	--loops 1000000 --pace --inject 0
start b -name guest=db-primary --vcpus 1 --data-pages 16 --code-pages 4 --duration 8 \
	--loops 1000000 --pace --inject 20
start c -name guest=analytics-cluster-node-017 --vcpus 1 --data-pages 8 --code-pages 2 \
	--duration 8 --loops 1000000 --pace --inject 5
start d -name guest=ビルド-ci --vcpus 1 --data-pages 0 --code-pages 4 --duration 3 \
	--loops 1000000 --pace --inject 15
sleep 2
inject /tmp/g.a 30
inject /tmp/g.c 5
sleep 2
inject /tmp/g.a 60
inject /tmp/g.b 50
sleep 2
inject /tmp/g.a 10
inject /tmp/g.c 25
wait $stat_pid
rc=$?
[ $rc -eq 0 ] && echo "ok - kvmslb stat -j --per-vcpu 1 $n exited 0" ||
	echo "not ok - kvmslb stat exited $rc: $(head -c 300 /tmp/rec.err)"
wait
echo "# recorded $(grep -c '"kind":"interval"' /tmp/rec.jsonl) intervals"
echo "==RECORDING"
cat /tmp/rec.jsonl
echo "==TRUTH"
cat /tmp/g.a /tmp/g.b /tmp/g.c /tmp/g.d | grep '^slbguest: total '
echo "==END"
