// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The stock source where BTF describes the kernel (its own, or a file given
 * with --btf: see 'kvmslb btf'). The stock tracepoints pass struct kvm_vcpu
 * pointers; CO-RE reads the VM and vcpu from them, so an exit is charged to
 * the VM it belongs to even when POWER8's dynamic micro-threading reports
 * it from another VM's vcore runner thread (post_guest_process()).
 *
 *   vm:   vcpu->arch.run_task->tgid: the process of the thread that runs the
 *         vcpu (KVM_RUN), i.e. the VMM, whichever thread reports the exit;
 *         the same as series v2's vm_pid (the tgid of the VM's creator: only
 *         that process can run its vcpus). Not kvm->userspace_pid, which is
 *         the creating thread's pid, set as a side effect of a uevent.
 *   vcpu: vcpu->vcpu_id
 *   trap: vcpu->arch.trap
 *
 * Only the fields read are declared; libbpf finds their offsets in the
 * target BTF (kernel or --btf) when loading, whatever the kernel version.
 */
#include <bpf/bpf_core_read.h>

#include "kvmslb_handlers.h"

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int tgid;
} __attribute__((preserve_access_index));

struct kvm_vcpu_arch {
	int trap;
	struct task_struct *run_task;
} __attribute__((preserve_access_index));

struct kvm_vcpu {
	int vcpu_id;
	struct kvm_vcpu_arch arch;
} __attribute__((preserve_access_index));

/* The VM and vcpu of a vcpu pointer; false if filtered out. */
static __always_inline bool who_of(struct kvmslb_who *w, struct kvm_vcpu *vcpu)
{
	struct task_struct *task = NULL;
	int vm = 0, id = 0;

	bpf_core_read(&task, sizeof(task), &vcpu->arch.run_task);
	bpf_core_read(&vm, sizeof(vm), &task->tgid);
	bpf_core_read(&id, sizeof(id), &vcpu->vcpu_id);
	return who_vcpu(w, vm, id);
}

/* kvm_guest_exit(struct kvm_vcpu *vcpu) */
SEC("raw_tp/kvm_guest_exit")
int kvmslb_guest_exit_btf(__u64 *ctx)
{
	struct kvm_vcpu *vcpu = (void *)ctx[0];
	struct kvmslb_who w;
	int trap = 0;

	/* one read for the exits that are not on the fault path */
	bpf_core_read(&trap, sizeof(trap), &vcpu->arch.trap);
	if (!trap_counted(trap) || !who_of(&w, vcpu))
		return 0;
	return handle_guest_exit(&w, trap);
}

/*
 * kvm_page_fault_enter(vcpu, hptep, memslot, ea, dsisr) and
 * kvm_page_fault_exit(vcpu, hptep, ret): both in the vcpu's own thread,
 * which pairs them; the VM and vcpu come from the vcpu.
 */
SEC("raw_tp/kvm_page_fault_enter")
int kvmslb_pf_enter_btf(__u64 *ctx)
{
	struct kvmslb_who w;

	if (targ_tgid && !who_of(&w, (void *)ctx[0]))
		return 0;
	return handle_pf_enter((__u32)bpf_get_current_pid_tgid(), bpf_ktime_get_ns());
}

SEC("raw_tp/kvm_page_fault_exit")
int kvmslb_pf_exit_btf(__u64 *ctx)
{
	struct kvmslb_who w;

	if (!who_of(&w, (void *)ctx[0]))
		return 0;
	return handle_pf_exit(&w, (__u32)bpf_get_current_pid_tgid(), bpf_ktime_get_ns());
}
