# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE an emulated POWER host: Linux guests under QEMU (KVM-HV) run
# tools/guest/workload.c while kvmslb stat and kvmslb top watch; ground
# truth from ftrace (per process, thread and vcpu id) and the VMs' KVM stats
# in debugfs, read after each guest shut down (QEMU keeps the VM paused).
# tests/e2e/linux_checks.py checks it all. Environment (run-host --env):
#   LINUX_PLAN     power8: phase 1 lin-a (1 vcpu) and lin-b (2 vcpus, SLB
#                  misses injected) at once; phase 2 a new lin-a under the
#                  old lin-b's pid (both reused), misses injected.
#                  power9: lin-MMU-a (2 vcpus) and lin-MMU-b (1 vcpu) at
#                  once, MMU from LINUX_MMU (radix, or hpt on a host booted
#                  with disable_radix: POWER9 KVM in a radix host offers no
#                  HPT guests to QEMU on the emulated POWER9 DD2.0).
#                  before-fix: lin-dsi, power8's lin-b again (2 vcpus,
#                  misses injected) on the kernel with kernel-patch/test-only/
#                  (injected misses reflected as DSI/ISI, as before 2015).
#   LINUX_SOURCE   the kvmslb source to force (patched, stock)
#   LINUX_INJECT   misses injected into each injected guest of phase 1 (24)
#   LINUX_INJECT2  the same, phase 2 (6)
#   LINUX_INJECT_BATCH  misses written at a time (default: all at once)
#   LG_SEGMENTS LG_PAGES LG_CODE LG_ROUNDS LG_MEM   the workload (guest.sh)
#   LINUX_NOTRACE=1  no tracepoint enabled (no ftrace, no kvmslb): the
#                  fault-path timing key stays off; only the guests and
#                  the KVM stats are checked
. /kvmslb/lib.sh
. /kvmslb/guest.sh

plan=${LINUX_PLAN:-power8}
source=${LINUX_SOURCE:-patched}
inject1=${LINUX_INJECT:-24}
inject2=${LINUX_INJECT2:-6}
notrace=${LINUX_NOTRACE:-0}
up() { cut -d' ' -f1 /proc/uptime; }
T0=$(up)
since() { awk -v a="$T0" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }'; }

host_facts
check "/dev/kvm exists" [ -c /dev/kvm ]
check "the inner QEMU is in the host image" [ -x /usr/bin/qemu-system-ppc64 ]
check "the guest image is in the host image" [ -f /guest/vmlinux ]
check "kvmslb is in the host image" [ -x /usr/sbin/kvmslb ]
if [ "$source" = patched ]; then
	for tp in kvm_segment_synth kvm_hfault; do
		check "patched tracepoint kvm_hv:$tp exists" [ -d "$T/events/kvm_hv/$tp" ]
	done
fi
[ "$E2E_FAILED" -eq 0 ] || { finish; exit; }

# ---- ground truth: ftrace with the TGID column --------------------------
# Only the events of the fault path: a guest makes ~10^5 exits while it
# boots, and reading them back as text takes minutes under TCG.
gt_begin() {
	[ "$notrace" = 1 ] && return 0
	if [ "$source" = patched ]; then
		gt_start kvm_hv/kvm_segment_synth kvm_hv/kvm_hfault
	else
		gt_start "kvm_hv/kvm_guest_exit:trap == 0xe00 || trap == 0xe20" \
			kvm_hv/kvm_page_fault_exit
	fi
}
# Per process, thread and vcpu id: segment interrupts synthesized (and
# injected) and fault paths (HDSI/HISI: kvm_hfault, or kvm_guest_exit traps
# 0xe00/0xe20 on the stock kernel), latency samples, records dropped.
gt_facts() {	# PHASE
	awk -v phase="$1" "$GT_AWK"'
	ev == "" { next }
	{
		tid = "?"
		if (match($0, /-[0-9]+ +[[(]/)) { tid = substr($0, RSTART + 1, RLENGTH - 1); gsub(/[^0-9]/, "", tid) }
		vcpu = "?"
		if (match($0, /VCPU [0-9]+/)) vcpu = substr($0, RSTART + 5, RLENGTH - 5)
		else if (match($0, /vcpu(_id)?=[0-9]+/)) { vcpu = substr($0, RSTART, RLENGTH); sub(/.*=/, "", vcpu) }
		k = tgid " " tid " " vcpu
		seen[k] = 1
	}
	ev == "kvm_segment_synth" {
		if ($0 ~ /DATA_SEGMENT|vector=0x380/) d[k]++
		else if ($0 ~ /INST_SEGMENT|vector=0x480/) i[k]++
		if ($0 ~ / injected( |$|,)/) inj[k]++
		# series v2: the vcpu'"'"'s cumulative counts, exact whatever was dropped
		if (match($0, / dsegi=[0-9]+/)) { v = substr($0, RSTART + 7, RLENGTH - 7) + 0; if (v > cd[k]) cd[k] = v; cum[k] = 1 }
		if (match($0, / isegi=[0-9]+/)) { v = substr($0, RSTART + 7, RLENGTH - 7) + 0; if (v > ci[k]) ci[k] = v }
		if (match($0, /dropped=[0-9]+/)) sdr[k] += substr($0, RSTART + 8, RLENGTH - 8)
	}
	ev == "kvm_hfault" {
		if ($0 ~ /H_DATA_STORAGE|trap=0xe00/) hd[k]++
		else if ($0 ~ /H_INST_STORAGE|trap=0xe20/) hi[k]++
		if (match($0, /dropped=[0-9]+/)) dr[k] += substr($0, RSTART + 8, RLENGTH - 8)
		lat[k]++
	}
	ev == "kvm_guest_exit" {
		if ($0 ~ /H_DATA_STORAGE|trap=0xe00/) hd[k]++
		else if ($0 ~ /H_INST_STORAGE|trap=0xe20/) hi[k]++
	}
	ev == "kvm_page_fault_exit" { lat[k]++ }
	END {
		for (k in seen) {
			split(k, a, " ")
			printf "#@ lgt phase=%s tgid=%s tid=%s vcpu=%s dsegi=%d isegi=%d injected=%d hdsi=%d hisi=%d lat=%d dropped=%d seg_dropped=%d", phase, a[1], a[2], a[3], d[k], i[k], inj[k], hd[k], hi[k], lat[k], dr[k], sdr[k]
			if (cum[k]) printf " cum_dsegi=%d cum_isegi=%d", cd[k], ci[k]
			printf "\n"
		}
	}' /tmp/gt.trace
}

gt_end() {	# PHASE
	[ "$notrace" = 1 ] && return 0
	gt_stop
	gt_facts "$1"
}

# ---- kvmslb, attached before any guest starts ------------------------------
if [ "$notrace" = 1 ]; then
	diag "LINUX_NOTRACE=1: no tracepoint enabled, no kvmslb"
	fact "notrace"
else
kvmslb -j stat --source "$source" --per-vcpu > /tmp/stat.json 2>/tmp/stat.err &
STAT_PID=$!
kvmslb -j top -b -d 1 --sort name --source "$source" > /tmp/top.jsonl 2>/tmp/top.err &
TOP_PID=$!
# Their readiness lines: the programs are attached, no guest event is missed.
obs_attached stat /tmp/stat.json /tmp/stat.err
obs_attached top /tmp/top.jsonl /tmp/top.err
fi

# ---- guests -----------------------------------------------------------------
GIDS=''
# guest ID NAME VCPUS MMU SEED INJECT PHASE: start one, remember its facts
guest() {
	id=$1 gname=$2
	# An injected guest's workload runs until the injections are done.
	rounds=${LG_ROUNDS:-1}
	[ "$6" -gt 0 ] && rounds=0
	LG_ROUNDS=$rounds lg_start "$gname" "$3" "$4" "$5"
	eval "G_${id}_NAME=$gname G_${id}_PID=$LG_PID G_${id}_VCPUS=$3 G_${id}_MMU=$4"
	eval "G_${id}_SEED=$5 G_${id}_INJECT=$6 G_${id}_PHASE=$7"
	GIDS="$GIDS $id"
	diag "$(since)s: started $gname (pid $LG_PID): $LG_QEMU_CMD"
	fact "lcmd id=$id $LG_QEMU_CMD"
}
gv() { eval "echo \${G_$1_$2}"; }

# While it runs: its vcpu threads (the names vanish with the process).
guest_up() {	# ID
	n=$(gv "$1" NAME)
	if lg_wait "$n" 'KVMSLB-GUEST up' 600; then
		ok "$n: the guest kernel booted to its init ($(since)s)"
		fact "lthreads id=$1 $(lg_threads "$n")"
	else
		bad "$n: the guest kernel booted to its init"
	fi
}

guest_inject() {	# ID
	n=$(gv "$1" NAME) k=$(gv "$1" INJECT)
	[ "$k" -gt 0 ] || return 0
	if ! lg_wait "$n" 'KVMSLB-WORKLOAD start' 600; then
		bad "$n: the workload started"
		return
	fi
	# All at once by default: the workload's first round takes faults
	# by the thousand, later rounds reuse guest pages the host already
	# maps and take almost none (batches written later may never be used).
	lg_inject "$n" "$k" "${LINUX_INJECT_BATCH:-$k}"
	irc=$?
	lg_release "$n"
	fact "linject id=$1 written=$LG_INJECTED"
	if [ $irc -eq 0 ]; then
		ok "$n: $k SLB misses injected while the workload ran ($(since)s)"
	elif [ "$plan" = before-fix ]; then
		# the guest may die before it takes them all
		diag "$n: $(cat "$(lg_vmdir "$n")/slb_miss_inject" 2>&1) of the last batch not taken"
	else
		bad "$n: $k SLB misses injected while the workload ran (slb_miss_inject: $(cat "$(lg_vmdir "$n")/slb_miss_inject" 2>&1))"
	fi
}

KSTATS="dsegi_synth isegi_synth seg_synth_injected hfault_hdsi hfault_hisi hfault_retry hfault_reflect hfault_host hfault_mmio hfault_log_drops segment_log_drops slb_miss_inject"
# kstat_fact ID NAME: the guest's KVM stats (debugfs) as one fact line
kstat_fact() {
	d=$(lg_vmdir "$2")
	line="lkstat id=$1 dir=${d##*/}"
	for s in $KSTATS; do
		v=$(cat "$d/$s" 2>/dev/null) || v=absent
		line="$line $s=$v"
	done
	fact "$line"
}

# After its shutdown (paused): KVM stats, console, end of QEMU.
guest_end() {	# ID [SECONDS]
	id=$1 n=$(gv "$1" NAME)
	if lg_wait_paused "$n" "${2:-300}"; then
		ok "$n: the guest stopped running, QEMU paused it ($(since)s)"
		kstat_fact "$id" "$n"
	elif [ "$plan" = before-fix ] && kill -0 "$(gv "$id" PID)" 2>/dev/null; then
		# A guest that hangs instead of panicking has failed too: freeze
		# it, keep its console and stats.
		lg_mon "$n" stop
		sleep 1
		diag "$n: still running after ${2}s: stopped (QEMU 'stop')"
		fact "lhung id=$id"
		kstat_fact "$id" "$n"
	else
		bad "$n: the guest shut down (console tail: $(tail -n 3 /tmp/lg.$n.console 2>/dev/null | tr '\n' '|'))"
	fi
	lg_quit "$n"
	rc=$?
	sed "s/^/#@ con $id /" /tmp/lg.$n.console
	sed "s/^/#   qemu $n: /" /tmp/lg.$n.qemu
	fact "lguest id=$id name=$n pid=$(gv "$id" PID) vcpus=$(gv "$id" VCPUS) mmu=$(gv "$id" MMU)" \
		"seed=$(gv "$id" SEED) inject=$(gv "$id" INJECT) phase=$(gv "$id" PHASE) qemu_rc=$rc" \
		"segments=${LG_SEGMENTS:-32} pages=${LG_PAGES:-4} code=${LG_CODE:-2}"
}

case $plan in
power8)
	gt_begin
	guest g1 lin-a 1 hpt 11 0 1
	guest g2 lin-b 2 hpt 12 "$inject1" 1
	guest_up g2
	guest_up g1
	guest_inject g2
	guest_end g1
	guest_end g2
	gt_end 1
	# kvmslb notices exits at its next poll (1 s): let it see lin-b go
	# before its pid comes back.
	sleep 2.5
	gt_begin
	LG_WANT_PID=$(gv g2 PID) guest g3 lin-a 1 hpt 13 "$inject2" 2
	guest_up g3
	check "the new lin-a runs under the old lin-b's pid $(gv g2 PID) (with-pid)" \
		grep -q 'guest=lin-a,' "/proc/$(gv g2 PID)/cmdline"
	guest_inject g3
	guest_end g3
	gt_end 2
	;;
power9)
	gt_begin
	mmu=${LINUX_MMU:-radix}
	guest g1 lin-$mmu-a 2 "$mmu" 21 0 1
	guest g2 lin-$mmu-b 1 "$mmu" 22 0 1
	guest_up g1
	guest_up g2
	guest_end g1
	guest_end g2
	gt_end 1
	;;
before-fix)
	gt_begin
	# The same guest and injection as power8's lin-b, on the test-only kernel.
	guest g1 lin-dsi 2 hpt 12 "$inject1" 1
	guest_up g1
	guest_inject g1
	guest_end g1 "${LINUX_FAIL_WAIT:-120}"
	gt_end 1
	;;
*)
	bad "LINUX_PLAN '$plan': expected power8, power9 or before-fix"
	;;
esac

# ---- kvmslb's view ------------------------------------------------------------
[ "$notrace" = 1 ] && { diag "$(since)s in the host script"; finish; exit; }
sleep 1.5
kill -INT $TOP_PID $STAT_PID
wait $TOP_PID
trc=$?
wait $STAT_PID
src=$?
check "kvmslb top -b -j exits 0 on SIGINT (rc=$trc)" [ $trc -eq 0 ]
check "kvmslb stat -j --per-vcpu exits 0 on SIGINT (rc=$src)" [ $src -eq 0 ]
sed 's/^/#   kvmslb stat: /' /tmp/stat.err
sed 's/^/#   kvmslb top: /' /tmp/top.err
tot=$(grep '"kind":"total"' /tmp/stat.json | tail -n1)
fact "json stat $tot"
sed 's/^/#@ json top /' /tmp/top.jsonl
diag "$(since)s in the host script"
finish
