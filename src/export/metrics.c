// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/hist.h"
#include "export/metrics.h"
#include "kvmslb/maps.h"

struct guest_labels {
	char pid[16];
	struct prom_label l[4];	/* guest, pid, + one per metric */
};

static void labels_for(const struct metrics_input *in, const struct agg_guest *g,
		       struct guest_labels *gl)
{
	const struct guest_ident *id = in->ident ? in->ident(in->ident_ctx, g->tgid) : NULL;

	snprintf(gl->pid, sizeof(gl->pid), "%" PRIu32, g->tgid);
	gl->l[0] = (struct prom_label){ "guest", id && id->name[0] ? id->name : "" };
	gl->l[1] = (struct prom_label){ "pid", gl->pid };
}

/* One counter family with one series per guest, value from 'get'. */
static void per_guest(struct prom_writer *w, const struct metrics_input *in, const char *name,
		      const char *help, uint64_t (*get)(const struct agg_counters *c, int arg),
		      const char *label, const char *const *values, int nvalues)
{
	prom_family(w, name, PROM_COUNTER, help, NULL);
	for (int i = 0; i < in->agg->nguests; i++) {
		const struct agg_guest *g = &in->agg->guests[i];
		struct guest_labels gl;

		labels_for(in, g, &gl);
		for (int v = 0; v < (nvalues ? nvalues : 1); v++) {
			if (nvalues)
				gl.l[2] = (struct prom_label){ label, values[v] };
			prom_sample(w, gl.l, nvalues ? 3 : 2, (double)get(&g->total.c, v));
		}
	}
}

static uint64_t get_fault(const struct agg_counters *c, int v)
{
	return v ? c->hisi : c->hdsi;
}

static uint64_t get_seg(const struct agg_counters *c, int v)
{
	return v ? c->isegi : c->dsegi;
}

static uint64_t get_injected(const struct agg_counters *c, int v)
{
	(void)v;
	return c->seg_injected;
}

static uint64_t get_outcome(const struct agg_counters *c, int v)
{
	return c->outcome[v];
}

static uint64_t get_dropped(const struct agg_counters *c, int v)
{
	(void)v;
	return c->dropped;
}

static const char *trap_label(unsigned int trap)
{
	switch (trap) {
	case KVMSLB_TRAP_H_DATA_STORAGE: return "hdsi";
	case KVMSLB_TRAP_H_INST_STORAGE: return "hisi";
	case KVMSLB_TRAP_PAGE_FAULT: return "page_fault";
	default: return "other";
	}
}

/* Latency per (guest, trap), outcomes merged: log2 ns buckets to seconds. */
static void latency(struct prom_writer *w, const struct metrics_input *in)
{
	static const unsigned int traps[] = {
		KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_TRAP_PAGE_FAULT,
	};
	uint64_t upper[HIST_SLOTS - 1];

	/* bucket k is [2^k, 2^(k+1)) of integer ns: at most 2^(k+1) - 1 ns */
	for (int k = 0; k < HIST_SLOTS - 1; k++)
		upper[k] = hist_bucket_hi(k) - 1;
	prom_family(w, "kvmslb_fault_latency_seconds", PROM_HISTOGRAM,
		    "HDSI/HISI fault-path latency (patched: real mode or the POWER9 C path; "
		    "stock: kvm_page_fault_enter to exit)", "seconds");
	for (int i = 0; i < in->agg->nguests; i++) {
		const struct agg_guest *g = &in->agg->guests[i];

		for (size_t t = 0; t < sizeof(traps) / sizeof(traps[0]); t++) {
			struct log2_hist h;
			struct guest_labels gl;
			bool any = false;

			memset(&h, 0, sizeof(h));
			for (int p = 0; p < g->total.npaths; p++) {
				if (g->total.paths[p].trap != traps[t])
					continue;
				hist_merge(&h, &g->total.paths[p].hist);
				any = true;
			}
			if (!any)
				continue;
			labels_for(in, g, &gl);
			gl.l[2] = (struct prom_label){ "trap", trap_label(traps[t]) };
			/* the last bucket is unbounded: only +Inf holds it */
			prom_histogram(w, gl.l, 3, upper, h.slots, HIST_SLOTS - 1, (double)h.sum_ns,
				       1e9);
		}
	}
}

void metrics_write(FILE *f, enum prom_format fmt, const struct metrics_input *in)
{
	static const char *const fault_traps[] = { "hdsi", "hisi" };
	static const char *const seg_types[] = { "dsegi", "isegi" };
	const char *outcomes[KVMSLB_OUTCOME_NR];
	const struct agg_health *h = &in->agg->health;
	const struct prom_label src = { "source", source_name(in->source) };
	struct prom_label reason;
	struct prom_writer w;

	for (int o = 0; o < KVMSLB_OUTCOME_NR; o++)
		outcomes[o] = agg_outcome_name(o);
	prom_init(&w, f, fmt);
	prom_family(&w, "kvmslb_source_info", PROM_GAUGE,
		    "The data source kvmslb reads (patched, stock, stats)", NULL);
	prom_sample(&w, &src, 1, 1);
	per_guest(&w, in, "kvmslb_fault_paths", "HDSI/HISI fault paths handled, by trap",
		  get_fault, "trap", fault_traps, 2);
	if (in->source != SOURCE_STOCK) {
		per_guest(&w, in, "kvmslb_segment_synthesized",
			  "Data/Instruction Segment interrupts synthesized because the SLB lookup failed",
			  get_seg, "type", seg_types, 2);
		per_guest(&w, in, "kvmslb_segment_injected",
			  "Synthesized segment interrupts forced by fault injection", get_injected,
			  NULL, NULL, 0);
		per_guest(&w, in, "kvmslb_fault_outcomes", "HDSI/HISI fault paths by outcome",
			  get_outcome, "outcome", outcomes, KVMSLB_OUTCOME_NR);
		per_guest(&w, in, "kvmslb_log_dropped",
			  "Fault records the kernel's real-mode log dropped (counted, not traced)",
			  get_dropped, NULL, NULL, 0);
	}
	if (in->source != SOURCE_STATS)
		latency(&w, in);
	prom_family(&w, "kvmslb_collector_events", PROM_COUNTER,
		    "Events the eBPF programs handled", NULL);
	prom_sample(&w, NULL, 0, (double)h->events);
	prom_family(&w, "kvmslb_collector_lost", PROM_COUNTER,
		    "Events or samples the collector could not record, by reason", NULL);
	reason = (struct prom_label){ "reason", "count_map_full" };
	prom_sample(&w, &reason, 1, (double)h->count_overflow);
	reason.value = "hist_map_full";
	prom_sample(&w, &reason, 1, (double)h->hist_overflow);
	reason.value = "start_map_full";
	prom_sample(&w, &reason, 1, (double)h->start_overflow);
	reason.value = "ringbuf_full";
	prom_sample(&w, &reason, 1, (double)h->rb_lost);
	reason.value = "unpaired_exit";
	prom_sample(&w, &reason, 1, (double)h->unpaired);
	prom_finish(&w);
}
