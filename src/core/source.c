// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/source.h"

const char *attribution_name(int a)
{
	switch (a) {
	case ATTR_EVENT: return "event";
	case ATTR_BTF: return "btf";
	case ATTR_TASK: return "task";
	case ATTR_KVM_STATS: return "kvm-stats";
	default: return "none";
	}
}

__attribute__((format(printf, 2, 3)))
static void warn(struct source_choice *c, const char *fmt, ...)
{
	va_list ap;

	if (c->nwarn >= SOURCE_WARN_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(c->warn[c->nwarn++], sizeof(c->warn[0]), fmt, ap);
	va_end(ap);
}

/* How the chosen source charges events, and what can go wrong with it. */
static void attribution(const struct host_probe *p, const struct source_prefs *prefs,
			struct source_choice *c)
{
	char mt[96];

	switch (c->chosen) {
	case SOURCE_PATCHED:
		c->attribution = p->patched_v2 ? ATTR_EVENT : ATTR_TASK;
		snprintf(c->how, sizeof(c->how), p->patched_v2 ?
			 "each event names its VM (vm_pid) and vcpu (series v2 patch); "
			 "totals from the vcpus' cumulative counts, exact through dropped records" :
			 "series v1 patch: events carry no VM identity and are charged to the "
			 "thread that emits them; counts miss the records the kernel drops");
		break;
	case SOURCE_STOCK:
		if (prefs->btf || p->btf_kvm) {
			c->attribution = ATTR_BTF;
			c->btf = prefs->btf;
			snprintf(c->how, sizeof(c->how), "vcpu->arch.run_task->tgid and vcpu->vcpu_id read with "
				 "CO-RE (BTF: %s)", prefs->btf ? prefs->btf : p->btf_kvm_why);
		} else {
			c->attribution = ATTR_TASK;
			snprintf(c->how, sizeof(c->how), "events are charged to the thread that "
				 "emits them (%s; trap offsets from tracefs; a BTF file from "
				 "'kvmslb btf' given with --btf fixes this)", p->btf_kvm_why);
		}
		break;
	case SOURCE_STATS:
		c->attribution = ATTR_KVM_STATS;
		snprintf(c->how, sizeof(c->how), "KVM's per-VM stats, named after the VMM's pid "
			 "(counters only)");
		break;
	default:
		c->attribution = ATTR_NONE;
		return;
	}
	/* series v2 counts fault paths only while they are timed */
	if (c->chosen == SOURCE_STATS && p->hfault_stats == 0)
		warn(c, "the KVM stats count HDSI/HISI fault paths and their outcomes only while "
		     "a kvmslb tracepoint is enabled or kvm_hv hfault_stats is Y (it is N): those "
		     "counters stand still; DSegI/ISegI are always counted");
	if (c->attribution != ATTR_TASK)
		return;
	if (p->mt_modes < 0 || p->one_vm_per_core < 0)
		snprintf(mt, sizeof(mt), "unknown: /sys/module/kvm_hv/parameters unreadable");
	else
		snprintf(mt, sizeof(mt), "dynamic_mt_modes=%d one_vm_per_core=%c", p->mt_modes,
			 p->one_vm_per_core ? 'Y' : 'N');
	if (host_mt_can_mix_vms(p))
		warn(c, "POWER8 dynamic micro-threading can mix VMs on a core (kvm_hv %s): "
		     "a vcore runner thread then reports the exits of another VM's vcpus, and "
		     "kvmslb charges them to the runner's VM, so counts can move between "
		     "guests. Exact: the v2 kernel patch, or BTF (kernel, or --btf FILE from "
		     "'kvmslb btf') for the stock source; or set kvm_hv one_vm_per_core=Y", mt);
	if (prefs->per_vcpu && host_runner_reports(p))
		warn(c, "per-vcpu rows are threads: on %s a vcore's runner thread reports the "
		     "exits of every vcpu in the vcore, so one thread can carry several vcpus' "
		     "counts", cpu_gen_name(p->gen));
}

int source_select(const struct host_probe *p, const struct source_prefs *prefs,
		  struct source_choice *c)
{
	int forced = prefs->forced;

	memset(c, 0, sizeof(*c));
	c->chosen = -1;
	c->attribution = ATTR_NONE;
	c->forced = forced >= 0;
	c->requested = forced;
	for (int s = 0; s < SOURCE_NR; s++) {
		c->usable[s] = source_usable(p, s, c->why[s], sizeof(c->why[s]));
		if (c->usable[s])
			c->why[s][0] = '\0';
	}
	if (c->forced) {
		if (forced < SOURCE_NR && c->usable[forced])
			c->chosen = forced;
	} else {
		for (int s = 0; s < SOURCE_NR && c->chosen < 0; s++)
			if (c->usable[s])
				c->chosen = s;
	}
	attribution(p, prefs, c);
	return c->chosen >= 0 ? 0 : -1;
}

void source_failure_line(const struct source_choice *c, char *buf, unsigned long len)
{
	size_t n;

	if (c->forced && c->requested >= 0 && c->requested < SOURCE_NR) {
		snprintf(buf, len, "source '%s' cannot run here: %s", source_name(c->requested),
			 c->why[c->requested]);
		return;
	}
	n = snprintf(buf, len, "no data source can run here (see 'kvmslb doctor'):");
	for (int s = 0; s < SOURCE_NR && n < len; s++)
		n += snprintf(buf + n, len - n, "%s %s: %s", s ? ";" : "", source_name(s),
			      c->usable[s] ? "usable" : c->why[s]);
}
