/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stats source: the patched kernel's per-VM KVM stats in debugfs,
 * /sys/kernel/debug/kvm/<pid>-<vmfd>/<stat> (pid: the VMM's tgid; each
 * file is the sum over the VM's vcpus). Counters only: debugfs shows a
 * histogram stat as its first bucket, so latency histograms are not read
 * here (KVM_GET_STATS_FD through pidfd_getfd is not implemented).
 */
#ifndef KVMSLB_STATS_SOURCE_H
#define KVMSLB_STATS_SOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/agg.h"

/* "1234-11" -> 1234; -1 if the name is not a VM directory. */
int stats_vm_dir_pid(const char *name, uint32_t *pid);
/* One stat file's text ("123\n"); -1 if it is not a number. */
int stats_parse_value(const char *text, uint64_t *val);
/*
 * Counters of one VM directory into c (added). Returns how many of the
 * kvmslb stats were found (0: not a patched kernel's VM).
 */
int stats_read_vm(const char *dir, struct agg_counters *c);
/* Every VM under debugfs_kvm (optionally only tgid) into the (empty) agg. */
int stats_read_all(const char *debugfs_kvm, uint32_t tgid, struct agg *a);

#endif
