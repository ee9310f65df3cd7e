/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Test double of the POWER kernel's KVM types, for the CO-RE programs of
 * bpf/kvmslb_btf.bpf.c on this x86 machine: power_kvm_btf.c turns it into
 * a BTF file (given to libbpf as btf_custom_path), and the tests lay out
 * fake objects with the same definitions in BPF map memory. The padding
 * puts every field away from where a non-relocated read would look.
 */
#ifndef KVMSLB_TEST_POWER_KVM_H
#define KVMSLB_TEST_POWER_KVM_H

struct task_struct {
	char pad0[104];
	int tgid;
	char pad1[20];
};

struct kvm_vcpu_arch {
	char pad0[300];
	int trap;
	char pad1[28];
	struct task_struct *run_task;
	char pad2[8];
};

struct kvm_vcpu {
	char pad0[52];
	int vcpu_id;
	char pad1[64];
	struct kvm_vcpu_arch arch;
};

#endif
