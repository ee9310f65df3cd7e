#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs inside an emulated POWER host (busybox sh), driven by selftest.sh.
# Checks slbguest against the host's own view of the same run:
#   - HDSI/HISI with relocation on (ftrace kvm_hv:kvm_guest_exit, MSR IR|DR)
#     == vcpus x pages x loops, on every kernel;
#   - stock kernel: the guest takes no segment interrupts;
#   - patched kernel (POWER8): dsegi + isegi == K injected == ftrace
#     kvm_hv:kvm_segment_synth == the VM's dsegi_synth + isegi_synth, no
#     log drops (--pace), and the knob drained;
#   - --hw-stale-erat under QEMU: segment interrupts delivered by the CPU
#     only, none synthesized (QEMU models no ERAT).
# Output: TAP-like "ok"/"not ok" lines; exit status 1 if any check failed.
T=/sys/kernel/tracing
fail=0
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
check() { d=$1; shift; if "$@"; then ok "$d"; else bad "$d"; fi; }
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" | head -n 1; }

patched=0
[ -d $T/events/kvm_hv/kvm_segment_synth ] && patched=1
p8=0
grep -q 'POWER8' /proc/cpuinfo && p8=1
echo "# slbguest check: patched=$patched power8=$p8"

echo 0 > $T/tracing_on
echo 16384 > $T/buffer_size_kb
echo 'trap == 0xe00 || trap == 0xe20' > $T/events/kvm_hv/kvm_guest_exit/filter
echo 1 > $T/events/kvm_hv/kvm_guest_exit/enable
[ $patched -eq 1 ] && echo 1 > $T/events/kvm_hv/kvm_segment_synth/enable

# run_case NAME K VCPUS DATA CODE LOOPS [extra slbguest args]
run_case() {
	name=$1 k=$2 v=$3 nd=$4 nc=$5 l=$6 stale=${stale:-0}
	shift 6
	echo "# slbguest -name guest=$name --inject $k --vcpus $v --data-pages $nd" \
		"--code-pages $nc --loops $l $*"
	echo > $T/trace
	echo 1 > $T/tracing_on
	rm -f /tmp/sg.$name
	slbguest -name "guest=$name" --hold --quiet --timeout 120 --inject "$k" --vcpus "$v" \
		--data-pages "$nd" --code-pages "$nc" --loops "$l" "$@" > /tmp/sg.$name 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null && ! grep -q '^slbguest: total ' /tmp/sg.$name; do
		sleep 0.1
	done
	dir=$(grep '^slbguest: vm ' /tmp/sg.$name | kv debugfs)
	st=''
	for f in dsegi_synth isegi_synth hfault_log_drops slb_miss_inject; do
		[ -n "$dir" ] && [ -f "$dir/$f" ] && st="$st $f=$(cat "$dir/$f")"
	done
	kill -USR1 $pid 2>/dev/null
	wait $pid
	rc=$?
	echo 0 > $T/tracing_on
	sed 's/^/#   /' /tmp/sg.$name
	tot=$(grep '^slbguest: total ' /tmp/sg.$name)
	dsegi=$(echo "$tot" | kv dsegi)
	isegi=$(echo "$tot" | kv isegi)
	hdsi=$(grep -c 'trap=H_DATA_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' $T/trace)
	hisi=$(grep -c 'trap=H_INST_STORAGE.*msr=0x[0-9a-f]*[37][0-9a-f],' $T/trace)
	synth=$(grep -c 'kvm_segment_synth:' $T/trace)
	echo "#   host: hdsi_reloc=$hdsi hisi_reloc=$hisi segment_synth=$synth$st"

	check "$name: exit status 0 ($rc)" [ "$rc" -eq 0 ]
	if [ "$stale" = 1 ]; then
		# private pages: load fault, then the store's protection fault(s)
		check "$name: relocation-on HDSI $hdsi >= 2 x $v x $nd x $l" \
			[ "$hdsi" -ge $((2 * v * nd * l)) ]
	else
		check "$name: relocation-on HDSI $hdsi == $v x $nd x $l" [ "$hdsi" -eq $((v * nd * l)) ]
	fi
	check "$name: relocation-on HISI $hisi == $v x $nc x $l" [ "$hisi" -eq $((v * nc * l)) ]
	if [ "$stale" = 1 ]; then
		# QEMU has no ERAT: every stale store gets a Data Segment interrupt
		# from the CPU itself, stale instruction fetches hit QEMU's TLB
		# and take none, and KVM synthesizes nothing.
		check "$name: CPU-delivered dsegi $dsegi == $v x $nd x $l, isegi $isegi == 0" \
			[ "$dsegi" -eq $((v * nd * l)) -a "$isegi" = 0 ]
		check "$name: no synthesized segment interrupts ($synth)" [ "$synth" -eq 0 ]
	elif [ $patched -eq 1 ] && [ $p8 -eq 1 ]; then
		seg=$((dsegi + isegi))
		ks=$(echo " $st" | kv dsegi_synth) ki=$(echo " $st" | kv isegi_synth)
		check "$name: guest dsegi $dsegi + isegi $isegi == injected $k" [ "$seg" -eq "$k" ]
		check "$name: ftrace kvm_segment_synth $synth == $k" [ "$synth" -eq "$k" ]
		check "$name: KVM stats dsegi_synth $ks / isegi_synth $ki == guest's $dsegi/$isegi" \
			[ "$ks" = "$dsegi" -a "$ki" = "$isegi" ]
		check "$name: no real-mode log drops ($(echo " $st" | kv hfault_log_drops))" \
			[ "$(echo " $st" | kv hfault_log_drops)" = 0 ]
		check "$name: knob drained ($(echo " $st" | kv slb_miss_inject))" \
			[ "$(echo " $st" | kv slb_miss_inject)" = 0 ]
	else
		check "$name: no segment interrupts (dsegi=$dsegi isegi=$isegi)" \
			[ "$dsegi" = 0 -a "$isegi" = 0 ]
	fi
}

if [ $patched -eq 1 ] && [ $p8 -eq 1 ]; then
	run_case k0 0 1 8 2 2 --pace
	run_case k5 5 1 8 2 2 --pace
	run_case k50 50 1 16 4 1 --pace
	run_case k50v2 50 2 8 2 2 --pace
	run_case k5code 5 1 0 2 1 --pace
	run_case k1000 1000 1 4 1 3 --pace
else
	run_case one 0 1 8 2 3
	run_case two 0 2 4 2 2
fi
stale=1 run_case stale 0 1 4 2 2 --hw-stale-erat

# usage and missing-knob errors
slbguest --vcpus 0 > /dev/null 2>&1
check "bad usage exits 2" [ $? -eq 2 ]
if [ $patched -eq 0 ]; then
	slbguest -name guest=noknob --inject 3 > /tmp/sg.noknob 2>&1
	rc=$?
	check "--inject 3 without the knob exits 1 ($rc)" [ $rc -eq 1 ]
	check "--inject 3 without the knob names the file" \
		grep -q 'slb_miss_inject does not exist' /tmp/sg.noknob
fi
echo "# slbguest check: $n checks, $([ $fail -eq 0 ] && echo all passed || echo FAILED)"
exit $fail
