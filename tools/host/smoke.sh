# SPDX-License-Identifier: GPL-2.0
# Trivial script for `make host-smoke`: runs inside the emulated host.
fail=0
t() { d=$1; shift; if "$@"; then echo "ok - $d"; else echo "not ok - $d"; fail=1; fi; }
t "userspace is ppc64le ($(uname -m))" [ "$(uname -m)" = ppc64le ]
t "kvm_hv is loaded ($KVMSLB_KVM_HV)" [ -d /sys/module/kvm_hv ]
t "/dev/kvm exists" [ -c /dev/kvm ]
t "tracefs has kvm_hv events ($(ls /sys/kernel/tracing/events/kvm_hv 2>/dev/null | grep -c kvm))" \
	[ -d /sys/kernel/tracing/events/kvm_hv/kvm_guest_exit ]
t "debugfs kvm directory exists" [ -d /sys/kernel/debug/kvm ]
t "BPF JIT enabled ($(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null))" \
	[ "$(cat /proc/sys/net/core/bpf_jit_enable 2>/dev/null)" = 1 ]
exit $fail
