# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE emulated POWER9 (powernv9) with Debian's stock kernel.
# Ground truth: ftrace kvm_hv:kvm_guest_exit (0xe00/0xe20) and
# kvm_page_fault_enter/exit per process. Observer: kvmslb stat --source stock
# when built, else a live ftrace observer; with /kvmslb/kvmslb.btf (the BTF
# 'kvmslb btf' made from Debian's -dbg package) a second kvmslb stat reads
# the vcpus with CO-RE at the same time. compare.py checks equality.
. /kvmslb/lib.sh

host_facts
check "kvm_hv is loaded ($KVMSLB_KVM_HV)" [ -d /sys/module/kvm_hv ]
check "/dev/kvm exists" [ -c /dev/kvm ]
for tp in kvm_guest_exit kvm_page_fault_enter kvm_page_fault_exit; do
	check "tracepoint kvm_hv:$tp exists" [ -d "$T/events/kvm_hv/$tp" ]
done
doctor_facts

if ! command -v slbguest >/dev/null; then
	bad "slbguest is in the host image (build/ppc64le/slbguest: make slbguest)"
	finish; exit
fi

obs_choose

gt_start "kvm_hv/kvm_guest_exit:trap == 0xe00 || trap == 0xe20" kvm_hv/kvm_page_fault_enter kvm_hv/kvm_page_fault_exit
if [ $observer = kvmslb ]; then
	kvmslb -j stat --source stock > /tmp/obs.json 2>/tmp/obs.err &
	OBS_PID=$!
	if [ -f /kvmslb/kvmslb.btf ]; then
		kvmslb -j stat --source stock --per-vcpu --btf /kvmslb/kvmslb.btf > /tmp/obs_btf.json \
			2>/tmp/obs_btf.err &
		OBS_BTF_PID=$!
		obs_attached stat_btf /tmp/obs_btf.json /tmp/obs_btf.err
	fi
	obs_attached stat /tmp/obs.json /tmp/obs.err
else
	obs_sync() { obs_ftrace_sync; }
	obs_ftrace_start "kvm_hv/kvm_guest_exit:trap == 0xe00 || trap == 0xe20" kvm_hv/kvm_page_fault_enter kvm_hv/kvm_page_fault_exit
fi

# Held guests keep their VM (and their /proc entry) until all counts are in.
if slbguest --help 2>&1 | grep -q -- '--hold'; then
	GUEST_HOLD=1
	guest_held() { :; }
fi
# Several guests, distinct names, different shapes.
# They run for E2E_DURATION seconds (at most E2E_LOOPS passes), long enough
# for an observer to name them from /proc.
run="--duration ${E2E_DURATION:-2} --loops ${E2E_LOOPS:-1000000}"
guest_start p9-alpha --vcpus 1 --data-pages 16 --code-pages 2 $run
guest_start p9-beta  --vcpus 2 --data-pages 32 --code-pages 4 $run
guest_start p9-gamma --vcpus 1 --data-pages 8  --code-pages 8 $run
guest_wait

obs_stop stock
[ -z "${OBS_BTF_PID:-}" ] || obs_stop_kvmslb stat_btf "$OBS_BTF_PID" /tmp/obs_btf stock
gt_stop

# Ground truth per process.
awk "$GT_AWK"'
ev == "kvm_guest_exit" {
	if (/trap=H_DATA_STORAGE/) hdsi[tgid]++; else if (/trap=H_INST_STORAGE/) hisi[tgid]++
	seen[tgid] = 1
}
ev == "kvm_page_fault_enter" { pfe[tgid]++; seen[tgid] = 1 }
ev == "kvm_page_fault_exit" { pfx[tgid]++; seen[tgid] = 1 }
END { for (p in seen) printf "#@ gt pid=%s hdsi=%d hisi=%d pf_enter=%d pf_exit=%d\n", p, hdsi[p], hisi[p], pfe[p], pfx[p] }
' /tmp/gt.trace

if [ $observer = ftrace ]; then
	awk "$LOG2_AWK$OBS_AWK"'
	ev == "kvm_guest_exit" {
		if (/trap=H_DATA_STORAGE/) hdsi[pid]++; else if (/trap=H_INST_STORAGE/) hisi[pid]++
		seen[pid] = 1
	}
	ev == "kvm_page_fault_enter" { t0[tid] = ts; seen[pid] = 1 }
	ev == "kvm_page_fault_exit" && (tid in t0) {
		ns = int((ts - t0[tid]) * 1e9 + 0.5); delete t0[tid]
		b = lg2(ns); h[pid, b]++; n[pid]++; if (b > maxb[pid]) maxb[pid] = b
	}
	END {
		for (p in seen) {
			hs = ""
			for (b = 0; b <= maxb[p]; b++) if ((p, b) in h) hs = hs (hs == "" ? "" : ",") b ":" h[p, b]
			printf "#@ obs source=ftrace pid=%s name=%s hdsi=%d hisi=%d pf_samples=%d hist=%s\n", p, (p in name) ? name[p] : "?", hdsi[p], hisi[p], n[p], hs == "" ? "-" : hs
		}
	}' /tmp/obs.raw
fi
finish
