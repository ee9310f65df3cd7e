# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE emulated POWER8 (powernv8) with the patched kernel (kernel-patch/).
# Guests with different SLB-miss injection counts (one 0) plus two unpaced
# flooding guests that overflow the real-mode log. Ground truth: the guests' own
# counts, ftrace kvm_hv:kvm_segment_synth / kvm_hfault per process, and the
# per-VM KVM stats in debugfs (read while the VM is held open). Observer:
# kvmslb stat --source patched when built, else a live ftrace observer.
# compare.py checks equality.
. /kvmslb/lib.sh

host_facts
check "/dev/kvm exists" [ -c /dev/kvm ]
for tp in kvm_segment_synth kvm_hfault; do
	check "patched tracepoint kvm_hv:$tp exists" [ -d "$T/events/kvm_hv/$tp" ]
done
doctor_facts

if ! command -v slbguest >/dev/null; then
	bad "slbguest is in the host image (build/ppc64le/slbguest: make slbguest)"
	finish; exit
fi
if [ ! -d "$T/events/kvm_hv/kvm_segment_synth" ]; then
	bad "the kernel carries the kvmslb patch (no kvm_hv:kvm_segment_synth): nothing to measure"
	finish; exit
fi
for tp in kvm_segment_synth kvm_hfault; do
	diag "$tp $(sed -n 's/^print fmt: //p' "$T/events/kvm_hv/$tp/format")"
done

if slbguest --help 2>&1 | grep -q -- '--hold'; then
	GUEST_HOLD=1
else
	bad "slbguest --hold exists (needed to read the per-VM debugfs stats before the VM goes away)"
fi
# (series v2 adds hfault_segment and segment_log_drops; "absent" on v1)
STATS="dsegi_synth isegi_synth seg_synth_injected hfault_hdsi hfault_hisi hfault_retry hfault_reflect hfault_host hfault_mmio hfault_log_drops hfault_segment segment_log_drops slb_miss_inject"
guest_held() {
	line="kstat name=$1 pid=$2"
	if [ -z "$3" ] || [ ! -d "$3" ]; then
		bad "guest $1: its VM debugfs directory '$3' exists"
		return
	fi
	for s in $STATS; do
		v=$(cat "$3/$s" 2>/dev/null) || v=absent
		line="$line $s=$v"
	done
	fact "$line"
}

obs_choose

gt_start kvm_hv/kvm_segment_synth kvm_hv/kvm_hfault
if [ $observer = kvmslb ]; then
	kvmslb -j stat --source patched > /tmp/obs.json 2>/tmp/obs.err &
	OBS_PID=$!
	obs_attached stat /tmp/obs.json /tmp/obs.err
	# stat in 1 s intervals: each interval is this view minus the last
	# (the view handed over, not copied): they must add up to the total
	kvmslb -j stat --source patched 1 1000 > /tmp/ival.json 2>/tmp/ival.err &
	IVAL_PID=$!
	obs_attached stat_intervals /tmp/ival.json /tmp/ival.err
else
	obs_sync() { obs_ftrace_sync; }
	obs_ftrace_start kvm_hv/kvm_segment_synth kvm_hv/kvm_hfault
fi

# --pace: each segment interrupt is followed by an exit (an hcall), so the
# kernel's 8-record real-mode log never overflows: no drops at any K.
run="--duration ${E2E_DURATION:-2} --loops ${E2E_LOOPS:-1000000}"
guest_start p8-zero  --vcpus 1 --data-pages 16 --code-pages 2 $run --pace --inject 0
guest_start p8-few   --vcpus 1 --data-pages 16 --code-pages 4 $run --pace --inject 5
guest_start p8-more  --vcpus 2 --data-pages 32 --code-pages 4 $run --pace --inject 12
guest_start p8-code  --vcpus 1 --data-pages 0  --code-pages 2 $run --pace --inject 7
# Forced drops: without --pace injected misses loop in real mode without an
# exit, so far more records than the per-vcpu log holds pile up. With the
# series v2 kernel, kvmslb's totals must stay exact through them.
guest_start p8-flood --vcpus 1 --data-pages 4 --code-pages 1 $run --inject ${E2E_FLOOD:-4096}
guest_start p8-flood2 --vcpus 2 --data-pages 8 --code-pages 2 $run --inject ${E2E_FLOOD2:-1500}
guest_wait

obs_stop patched
gt_stop
if [ $observer = kvmslb ]; then
	# a whole interval after the last guest's activity: all of it in intervals
	sleep 1.5
	kill -INT $IVAL_PID; wait $IVAL_PID; rc=$?
	check "kvmslb stat 1 1000 exits 0 on SIGINT (rc=$rc)" [ $rc -eq 0 ]
	sed 's/^/#   kvmslb stat 1 1000: /' /tmp/ival.err
	k=0
	grep '"kind":"interval"' /tmp/ival.json | while IFS= read -r l; do
		k=$((k + 1))
		fact "json ival_$k $l"
	done
	fact "json ival_total $(grep '"kind":"total"' /tmp/ival.json | tail -n1)"
fi

# Field values from "key=value" event text (TP_printk of kernel-patch/).
FIELD_AWK='
function fv(k,   v) {
	if (!match($0, " " k "=[^ ,]*")) return ""
	v = substr($0, RSTART + length(k) + 2, RLENGTH - length(k) - 2)
	return v
}
function isd(v) { return v == "0x380" || v == "380" || v == "896" || v ~ /DATA_SEG/ }
function isi(v) { return v == "0x480" || v == "480" || v == "1152" || v ~ /INST_SEG/ }
'
awk "$FIELD_AWK$GT_AWK"'
ev == "kvm_segment_synth" {
	v = fv("vector"); seen[tgid] = 1
	if (isd(v)) d[tgid]++; else if (isi(v)) i[tgid]++; else other[tgid]++
	if (/ injected( |$)/) inj[tgid]++
	sdr[tgid] += fv("dropped")
	# series v2: the cumulative counts of each vcpu, exact whatever was dropped
	if (fv("dsegi") != "" && match($0, /VM [0-9]+ VCPU [0-9]+:/)) {
		split(substr($0, RSTART, RLENGTH - 1), w, " ")
		key = w[2] SUBSEP w[4]; vm[key] = w[2]
		if (fv("dsegi") + 0 > cd[key]) cd[key] = fv("dsegi") + 0
		if (fv("isegi") + 0 > ci[key]) ci[key] = fv("isegi") + 0
	}
}
ev == "kvm_hfault" { hf[tgid]++; dr[tgid] += fv("dropped"); seen[tgid] = 1 }
END {
	for (key in vm) { cumd[vm[key]] += cd[key]; cumi[vm[key]] += ci[key] }
	for (p in seen) {
		printf "#@ gt pid=%s dsegi=%d isegi=%d seg_other=%d seg_injected=%d hfault=%d dropped=%d", p, d[p], i[p], other[p], inj[p], hf[p], dr[p]
		if (p in cumd) printf " cum_dsegi=%d cum_isegi=%d seg_dropped=%d", cumd[p], cumi[p], sdr[p]
		printf "\n"
	}
}
' /tmp/gt.trace

if [ $observer = ftrace ]; then
	awk "$FIELD_AWK$LOG2_AWK$OBS_AWK"'
	ev == "kvm_segment_synth" {
		v = fv("vector"); seen[pid] = 1
		if (isd(v)) d[pid]++; else if (isi(v)) i[pid]++
	}
	ev == "kvm_hfault" {
		seen[pid] = 1; dr[pid] += fv("dropped")
		ns = fv("latency_ns"); if (ns == "") ns = fv("latency")
		b = lg2(ns + 0); h[pid, b]++; n[pid]++; if (b > maxb[pid]) maxb[pid] = b
	}
	END {
		for (p in seen) {
			hs = ""
			for (b = 0; b <= maxb[p]; b++) if ((p, b) in h) hs = hs (hs == "" ? "" : ",") b ":" h[p, b]
			printf "#@ obs source=ftrace pid=%s name=%s dsegi=%d isegi=%d hist_samples=%d dropped=%d hist=%s\n", p, (p in name) ? name[p] : "?", d[p], i[p], n[p], dr[p], hs == "" ? "-" : hs
		}
	}' /tmp/obs.raw
fi
finish
