// SPDX-License-Identifier: GPL-2.0
/* A BTF file describing tests/bpf/power_kvm.h (clang -g -target bpf keeps .BTF). */
#include "power_kvm.h"

/* objects, not pointers: clang describes a struct only reached by pointer as FWD */
struct kvm_vcpu power_kvm_btf_vcpu;
struct task_struct power_kvm_btf_task;
