/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Data source selection: patched, else stock, else stats, unless one is
 * forced. The reasons are host_probe's, so 'doctor' and every front end
 * say the same thing. The selection also says how events find their
 * guest (the attribution) and what the user must know about it.
 */
#ifndef KVMSLB_SOURCE_H
#define KVMSLB_SOURCE_H

#include <stdbool.h>

#include "core/host_probe.h"

/* How an event is charged to a guest and a vcpu. */
enum attribution {
	ATTR_NONE = -1,		/* no source chosen */
	ATTR_EVENT = 0,		/* patched v2: the VM and vcpu the event names */
	ATTR_BTF,		/* stock with BTF: the vcpu's task's tgid and vcpu_id (CO-RE) */
	ATTR_TASK,		/* patched v1, stock without BTF: the emitting task */
	ATTR_KVM_STATS,		/* stats: KVM's per-VM debugfs directory */
};

#define SOURCE_WARN_MAX	3

struct source_prefs {
	int forced;		/* enum data_source, or -1 for automatic */
	const char *btf;	/* --btf FILE, or NULL: the kernel's own */
	bool per_vcpu;
};

struct source_choice {
	int chosen;			/* enum data_source, or -1 */
	bool forced;
	int requested;			/* the forced source, or -1 */
	bool usable[SOURCE_NR];
	char why[SOURCE_NR][512];	/* reason for each unusable source */
	int attribution;		/* enum attribution of the chosen source */
	const char *btf;		/* ATTR_BTF: the --btf file, NULL for the kernel's */
	char how[512];			/* one line: how events find their guest */
	int nwarn;
	char warn[SOURCE_WARN_MAX][512]; /* what can be wrong with the attribution */
};

/* 0 if a source was chosen, -1 if none can run (or --btf FILE is unusable). */
int source_select(const struct host_probe *p, const struct source_prefs *prefs,
		  struct source_choice *c);
/* One line for an error: why the forced source, or every source, cannot run. */
void source_failure_line(const struct source_choice *c, char *buf, unsigned long len);
/* "event", "btf", "task", "kvm-stats" */
const char *attribution_name(int a);

#endif
