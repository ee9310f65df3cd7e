#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs inside an emulated POWER host (busybox sh), driven by selftest.sh.
# Checks slbguest against the host's own view of the same run:
#   - every kernel: HDSI/HISI with relocation on that reach the host
#     (ftrace kvm_hv:kvm_guest_exit, MSR IR|DR) == vcpus x pages x loops;
#   - stock kernel: the guest takes no segment interrupts;
#   - kernel-patch series v2 on POWER8: dsegi + isegi == K injected == the
#     VM's dsegi_synth + isegi_synth; ftrace kvm_segment_synth: every event
#     names the VM (vm_pid == slbguest's pid) and a vcpu of it, the last
#     cumulative dsegi/isegi of each vcpu == that vcpu's own counts, and the
#     events plus the drops they report == K, paced or flooding; kvm_hfault
#     events plus drops == the timed fault-path stats; the knob drained;
#     stats-only timing (kvm_hv.hfault_stats) without tracepoints, and
#     nothing timed with neither (the segment counters still count);
#   - series v2 on POWER9: kvm_hfault events and stats for the HPT guest's
#     HDSI/HISI from the C path, and no injection knob;
#   - --hw-stale-erat under QEMU: segment interrupts delivered by the CPU
#     only, none synthesized (QEMU models no ERAT);
#   - the guest's duplicate-SLB-entry check fails the run when the entry is
#     left in place (--dup-test).
# Output: TAP-like "ok"/"not ok" lines; exit status 1 if any check failed.
T=/sys/kernel/tracing
PARAM=/sys/module/kvm_hv/parameters/hfault_stats
fail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n 1; }

v2=0
grep -q vm_pid $T/events/kvm_hv/kvm_segment_synth/format 2>/dev/null && v2=1
p8=0
grep -q 'POWER8' /proc/cpuinfo && p8=1
echo "# slbguest check: series_v2=$v2 power8=$p8"

echo 0 > $T/tracing_on
echo 16384 > $T/buffer_size_kb
echo 'trap == 0xe00 || trap == 0xe20' > $T/events/kvm_hv/kvm_guest_exit/filter
echo 1 > $T/events/kvm_hv/kvm_guest_exit/enable

# tracing on|off: the series' two events
tracing() {
	[ $v2 -eq 1 ] || return 0
	e=0; [ "$1" = on ] && e=1
	echo $e > $T/events/kvm_hv/kvm_segment_synth/enable
	echo $e > $T/events/kvm_hv/kvm_hfault/enable
}

# Summaries of the trace, as key=value words.
# kvm_segment_synth: segev (events), segdrop (sum of dropped), segvm (VM
# pids seen, comma separated), segd<v>/segi<v> (largest cumulative dsegi,
# isegi of vcpu v).
seg_summary() {
	awk '/ kvm_segment_synth: / {
		for (i = 1; i <= NF; i++) {
			if ($i == "VM") vm = $(i + 1)
			if ($i == "VCPU") { vc = $(i + 1); sub(":", "", vc) }
			if ($i ~ /^(dropped|dsegi|isegi)=/) { split($i, a, "="); f[a[1]] = a[2] }
		}
		ev++; drop += f["dropped"]; vms[vm] = 1
		if (f["dsegi"] + 0 > d[vc] + 0) d[vc] = f["dsegi"]
		if (f["isegi"] + 0 > s[vc] + 0) s[vc] = f["isegi"]
		vcs[vc] = 1
	}
	END {
		printf " segev=%d segdrop=%d segvm=", ev, drop
		sep = ""; for (v in vms) { printf "%s%s", sep, v; sep = "," }
		for (v in vcs) printf " segd%s=%d segi%s=%d", v, d[v], v, s[v]
		printf "\n"
	}' "$1"
}
# kvm_hfault: hfev, hfdrop, hfvm, hfvcpus (vcpu ids seen), hf_<outcome>
# (events per outcome), hfzero (events with latency 0)
hf_summary() {
	awk '/ kvm_hfault: / {
		for (i = 1; i <= NF; i++) {
			if ($i == "VM") vm = $(i + 1)
			if ($i == "VCPU") { vc = $(i + 1); sub(":", "", vc) }
			if ($i ~ /^(dropped|outcome|latency)=/) { split($i, a, "="); f[a[1]] = a[2] }
		}
		ev++; drop += f["dropped"]; vms[vm] = 1; vcs[vc] = 1; out[f["outcome"]]++
		if (f["latency"] + 0 == 0) zero++
	}
	END {
		printf " hfev=%d hfdrop=%d hfzero=%d hfvm=", ev, drop, zero
		sep = ""; for (v in vms) { printf "%s%s", sep, v; sep = "," }
		printf " hfvcpus="
		sep = ""; for (v = 0; v < 64; v++) if (v in vcs) { printf "%s%d", sep, v; sep = "," }
		for (o in out) printf " hf_%s=%d", o, out[o]
		printf "\n"
	}' "$1"
}
# 0,1,...,V-1
seq_ids() { i=0; s=''; while [ $i -lt "$1" ]; do s="$s${s:+,}$i"; i=$((i + 1)); done; echo "$s"; }

STATS='dsegi_synth isegi_synth hfault_hdsi hfault_hisi hfault_retry hfault_reflect
hfault_segment hfault_host hfault_mmio hfault_log_drops segment_log_drops
seg_synth_injected slb_miss_inject'

# run_case NAME K VCPUS DATA CODE LOOPS [extra slbguest args]
# Leaves: rc, out (slbguest's output), st (" name=value" of the VM's debugfs
# files), sum (the trace summaries), dsegi, isegi, pid, hdsi, hisi.
run_case() {
	name=$1 k=$2 v=$3 nd=$4 nc=$5 l=$6
	shift 6
	echo "# slbguest -name guest=$name --inject $k --vcpus $v --data-pages $nd" \
		"--code-pages $nc --loops $l $*"
	echo > $T/trace
	echo 1 > $T/tracing_on
	out=/tmp/sg.$name
	rm -f $out
	slbguest -name "guest=$name" --hold --quiet --timeout 120 --inject "$k" --vcpus "$v" \
		--data-pages "$nd" --code-pages "$nc" --loops "$l" "$@" > $out 2>&1 &
	spid=$!
	while kill -0 $spid 2>/dev/null && ! grep -q '^slbguest: total ' $out; do
		sleep 0.1
	done
	dir=$(grep '^slbguest: vm ' $out | kv debugfs)
	st=''
	for f in $STATS; do
		[ -n "$dir" ] && [ -f "$dir/$f" ] && st="$st $f=$(cat "$dir/$f")"
	done
	kill -USR1 $spid 2>/dev/null
	wait $spid
	rc=$?
	echo 0 > $T/tracing_on
	sed 's/^/#   /' $out
	cp $T/trace /tmp/trace.$name
	tot=$(grep '^slbguest: total ' $out)
	dsegi=$(echo "$tot" | kv dsegi)
	isegi=$(echo "$tot" | kv isegi)
	pid=$(grep '^slbguest: vm ' $out | kv pid)
	hdsi=$(grep -c 'trap=H_DATA_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' /tmp/trace.$name)
	hisi=$(grep -c 'trap=H_INST_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' /tmp/trace.$name)
	sum="$(seg_summary /tmp/trace.$name)$(hf_summary /tmp/trace.$name)"
	echo "#   host: hdsi_reloc=$hdsi hisi_reloc=$hisi$sum"
	echo "#   stats:$st"
	check "$name: exit status 0 ($rc)" [ "$rc" -eq 0 ]
	check "$name: relocation-on HDSI $hdsi == $v x $nd x $l" [ "$hdsi" -eq $((v * nd * l)) ]
	check "$name: relocation-on HISI $hisi == $v x $nc x $l" [ "$hisi" -eq $((v * nc * l)) ]
}
st() { echo " $st" | kv "$1"; }
sm() { echo " $sum" | kv "$1"; }

# The guest's own per-vcpu counts against the last cumulative counts the
# kvm_segment_synth events carried for that vcpu.
check_vcpu_counts() {
	i=0
	while [ $i -lt "$v" ]; do
		line=$(grep "^slbguest: vcpu .* vcpu=$i " $out)
		gd=$(echo "$line" | kv dsegi) gi=$(echo "$line" | kv isegi)
		ed=$(sm segd$i) ei=$(sm segi$i)
		check "$name: vcpu $i: last kvm_segment_synth dsegi/isegi ${ed:-0}/${ei:-0} == guest's $gd/$gi" \
			[ "${ed:-0}" = "$gd" -a "${ei:-0}" = "$gi" ]
		i=$((i + 1))
	done
}

# A POWER8 run with K injections, both events enabled.
check_p8_injected() {
	paced=$1
	seg=$((dsegi + isegi))
	check "$name: guest dsegi $dsegi + isegi $isegi == injected $k" [ "$seg" -eq "$k" ]
	check "$name: KVM stats dsegi_synth $(st dsegi_synth) / isegi_synth $(st isegi_synth) == guest's $dsegi/$isegi" \
		[ "$(st dsegi_synth)" = "$dsegi" -a "$(st isegi_synth)" = "$isegi" ]
	check "$name: seg_synth_injected $(st seg_synth_injected) == $k" [ "$(st seg_synth_injected)" = "$k" ]
	check "$name: knob drained ($(st slb_miss_inject))" [ "$(st slb_miss_inject)" = 0 ]
	check_vcpu_counts
	check "$name: kvm_segment_synth events $(sm segev) + dropped $(sm segdrop) == $k" \
		[ $(($(sm segev) + $(sm segdrop))) -eq "$k" ]
	check "$name: segment_log_drops $(st segment_log_drops) == dropped in the events $(sm segdrop)" \
		[ "$(st segment_log_drops)" = "$(sm segdrop)" ]
	if [ "$paced" = paced ]; then
		check "$name: paced: kvm_segment_synth events $(sm segev) == $k, none dropped" \
			[ "$(sm segev)" -eq "$k" -a "$(sm segdrop)" -eq 0 ]
	elif [ "$k" -gt 16 ]; then
		check "$name: flooding: records were dropped and counted ($(sm segdrop))" [ "$(sm segdrop)" -gt 0 ]
	fi
	[ "$k" -eq 0 ] || check "$name: every kvm_segment_synth names the VM (vm_pid $(sm segvm) == pid $pid)" \
		[ "$(sm segvm)" = "$pid" ]
	check_hfault
	check "$name: hfault_segment $(st hfault_segment) == $k" [ "$(st hfault_segment)" = "$k" ]
}

# kvm_hfault events and the timed stats (both enabled from before the VM)
check_hfault() {
	hostn=$((v * (nd + nc) * l))
	timed=$(($(st hfault_hdsi) + $(st hfault_hisi)))
	outs=$(($(st hfault_retry) + $(st hfault_reflect) + $(st hfault_segment) + $(st hfault_host) + $(st hfault_mmio)))
	check "$name: hfault_host $(st hfault_host) == $hostn HDSI/HISI passed to the host" \
		[ "$(st hfault_host)" = "$hostn" ]
	check "$name: outcome stats sum $outs == hfault_hdsi + hfault_hisi $timed" [ "$outs" -eq "$timed" ]
	check "$name: kvm_hfault events $(sm hfev) + dropped $(sm hfdrop) == $timed timed faults" \
		[ $(($(sm hfev) + $(sm hfdrop))) -eq "$timed" ]
	check "$name: hfault_log_drops $(st hfault_log_drops) == dropped in the events $(sm hfdrop)" \
		[ "$(st hfault_log_drops)" = "$(sm hfdrop)" ]
	check "$name: every kvm_hfault names the VM (vm_pid $(sm hfvm) == pid $pid)" [ "$(sm hfvm)" = "$pid" ]
	check "$name: kvm_hfault vcpu ids $(sm hfvcpus) == $(seq_ids "$v")" [ "$(sm hfvcpus)" = "$(seq_ids "$v")" ]
	check "$name: kvm_hfault host events $(sm hf_host) == $hostn, every latency > 0 ($(sm hfzero) zero)" \
		[ "$(sm hf_host)" = "$hostn" -a "$(sm hfzero)" = 0 ]
}

if [ $v2 -eq 1 ] && [ $p8 -eq 1 ]; then
	tracing on
	run_case k0 0 1 8 2 2 --pace
	check_p8_injected paced
	run_case k5 5 1 8 2 2 --pace
	check_p8_injected paced
	run_case k50v2 50 2 8 2 2 --pace
	check_p8_injected paced
	run_case k5code 5 1 0 2 1 --pace
	check_p8_injected paced
	run_case k1000 1000 1 4 1 3 --pace
	check_p8_injected paced
	# unpaced: bursts of injected misses in real mode overflow the logs
	run_case flood 300 1 4 1 1
	check_p8_injected flood
	run_case flood2 400 2 4 2 2
	check_p8_injected flood

	# stats-only timing: no tracepoint, kvm_hv.hfault_stats=Y
	tracing off
	echo Y > $PARAM
	run_case statsonly 20 1 4 2 1 --pace
	check "statsonly: no kvm_hfault/kvm_segment_synth events ($(sm hfev)/$(sm segev))" \
		[ "$(sm hfev)" = 0 -a "$(sm segev)" = 0 ]
	check "statsonly: hfault_segment $(st hfault_segment) == 20, hfault_host $(st hfault_host) == 6" \
		[ "$(st hfault_segment)" = 20 -a "$(st hfault_host)" = 6 ]
	check "statsonly: hfault_hdsi + hfault_hisi $(st hfault_hdsi) + $(st hfault_hisi) == 26" \
		[ $(($(st hfault_hdsi) + $(st hfault_hisi))) -eq 26 ]
	# neither: nothing timed, the segment counters still count
	echo N > $PARAM
	run_case untimed 20 1 4 2 1 --pace
	check "untimed: dsegi_synth + isegi_synth $(st dsegi_synth) + $(st isegi_synth) == 20" \
		[ $(($(st dsegi_synth) + $(st isegi_synth))) -eq 20 ]
	check "untimed: no fault path timed (hfault_hdsi $(st hfault_hdsi) hfault_hisi $(st hfault_hisi))" \
		[ "$(st hfault_hdsi)" = 0 -a "$(st hfault_hisi)" = 0 ]

	# the knob's parsing, on a held VM
	slbguest -name guest=knob --hold --quiet --data-pages 1 --code-pages 0 > /tmp/sg.knob 2>&1 &
	spid=$!
	while kill -0 $spid 2>/dev/null && ! grep -q '^slbguest: total ' /tmp/sg.knob; do sleep 0.1; done
	knob=$(grep '^slbguest: vm ' /tmp/sg.knob | kv debugfs)/slb_miss_inject
	for w in 5 0 4294967295 '7'; do
		check "knob: write '$w' accepted, reads back $w" \
			sh -c "echo '$w' > $knob && [ \"\$(cat $knob)\" = '$w' ]"
	done
	for w in 4294967296 -1 abc 12abc; do
		check "knob: write '$w' rejected" sh -c "! echo '$w' > $knob 2>/dev/null"
	done
	echo 0 > "$knob"
	kill -USR1 $spid 2>/dev/null
	wait $spid

	# the guest's duplicate-SLB-entry check, made to fire
	slbguest -name guest=dup --quiet --timeout 60 --inject 3 --pace --dup-test \
		--data-pages 2 --code-pages 0 > /tmp/sg.dup 2>&1
	rc=$?
	sed 's/^/#   /' /tmp/sg.dup
	check "--dup-test with injections fails the run (exit $rc == 1)" [ $rc -eq 1 ]
	check "--dup-test: the failure names the duplicate SLB entry" \
		grep -q 'duplicate SLB entry: at the data segment interrupt .* still held 1 entries for ESID 0x1' /tmp/sg.dup
elif [ $v2 -eq 1 ]; then
	# POWER9: the C path of hash guests, no SLB lookup, no knob
	tracing on
	run_case p9 0 2 8 2 2
	check "p9: no segment interrupts (dsegi=$dsegi isegi=$isegi)" [ "$dsegi" = 0 -a "$isegi" = 0 ]
	check "p9: no kvm_segment_synth events ($(sm segev))" [ "$(sm segev)" = 0 ]
	check "p9: no slb_miss_inject file (only POWER7/8 can inject)" [ -z "$(st slb_miss_inject)" ]
	check "p9: hfault_hdsi $(st hfault_hdsi) == 32, hfault_hisi $(st hfault_hisi) == 8" \
		[ "$(st hfault_hdsi)" = 32 -a "$(st hfault_hisi)" = 8 ]
	check_hfault
	tracing off
	echo Y > $PARAM
	run_case p9stats 0 1 4 2 1
	check "p9stats: stats-only timing: hfault_host $(st hfault_host) == 6, no events ($(sm hfev))" \
		[ "$(st hfault_host)" = 6 -a "$(sm hfev)" = 0 ]
	echo N > $PARAM
	slbguest -name guest=noknob --inject 3 > /tmp/sg.noknob 2>&1
	rc=$?
	check "p9: --inject 3 without the knob exits 1 ($rc)" [ $rc -eq 1 ]
else
	run_case one 0 1 8 2 3
	check "one: no segment interrupts (dsegi=$dsegi isegi=$isegi)" [ "$dsegi" = 0 -a "$isegi" = 0 ]
	run_case two 0 2 4 2 2
	check "two: no segment interrupts (dsegi=$dsegi isegi=$isegi)" [ "$dsegi" = 0 -a "$isegi" = 0 ]
	slbguest -name guest=noknob --inject 3 > /tmp/sg.noknob 2>&1
	rc=$?
	check "--inject 3 without the knob exits 1 ($rc)" [ $rc -eq 1 ]
	check "--inject 3 without the knob names the file" \
		grep -q 'slb_miss_inject does not exist' /tmp/sg.noknob
fi

if [ $v2 -eq 1 ]; then
	# a kprobe trap in real mode, with the guest's MMU context loaded,
	# would take the host down
	for f in kvmppc_rm_hfault_done kvmhv_hfault_account kvmhv_hfault_log_add; do
		check "$f is on the kprobe blacklist" \
			grep -qw "$f" /sys/kernel/debug/kprobes/blacklist
	done
	check "a kprobe on kvmppc_rm_hfault_done is refused" \
		sh -c "! echo 'p:kvmslb_test kvmppc_rm_hfault_done' >> $T/kprobe_events 2>/dev/null"
fi

# --hw-stale-erat: QEMU has no ERAT, so every stale store gets a Data
# Segment interrupt from the CPU itself, stale instruction fetches hit
# QEMU's TLB and take none, and KVM synthesizes nothing.
tracing on
name=stale v=1 nd=4 nc=2 l=2
echo > $T/trace
echo 1 > $T/tracing_on
slbguest -name guest=stale --quiet --timeout 120 --hw-stale-erat --data-pages 4 \
	--code-pages 2 --loops 2 > /tmp/sg.stale 2>&1
rc=$?
echo 0 > $T/tracing_on
sed 's/^/#   /' /tmp/sg.stale
tot=$(grep '^slbguest: total ' /tmp/sg.stale)
dsegi=$(echo "$tot" | kv dsegi) isegi=$(echo "$tot" | kv isegi)
hdsi=$(grep -c 'trap=H_DATA_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' $T/trace)
hisi=$(grep -c 'trap=H_INST_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' $T/trace)
synth=$(grep -c 'kvm_segment_synth:' $T/trace)
check "stale: exit status 0 ($rc)" [ "$rc" -eq 0 ]
# private pages: load fault, then the store's protection fault(s)
check "stale: relocation-on HDSI $hdsi >= 2 x 1 x 4 x 2" [ "$hdsi" -ge 16 ]
check "stale: relocation-on HISI $hisi == 1 x 2 x 2" [ "$hisi" -eq 4 ]
check "stale: CPU-delivered dsegi $dsegi == 8, isegi $isegi == 0" [ "$dsegi" -eq 8 -a "$isegi" = 0 ]
check "stale: no synthesized segment interrupts ($synth)" [ "$synth" -eq 0 ]
tracing off

# The duplicate-SLB-entry check fires on CPU-delivered segment interrupts too
slbguest -name guest=dupstale --quiet --timeout 60 --hw-stale-erat --dup-test \
	--data-pages 2 --code-pages 0 > /tmp/sg.dupstale 2>&1
rc=$?
sed 's/^/#   /' /tmp/sg.dupstale
check "--dup-test with CPU-delivered DSegI fails the run (exit $rc == 1)" [ $rc -eq 1 ]
check "--dup-test: the failure names the duplicate SLB entry" \
	grep -q 'duplicate SLB entry' /tmp/sg.dupstale

slbguest --vcpus 0 > /dev/null 2>&1
check "bad usage exits 2" [ $? -eq 2 ]
echo "# slbguest check: $n checks, $([ $fail -eq 0 ] && echo all passed || echo FAILED)"
exit $fail
