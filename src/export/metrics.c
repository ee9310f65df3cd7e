// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "export/metrics.h"
#include "kvmslb.h"
#include "kvmslb/maps.h"

struct trap_def {
	unsigned int trap;
	const char *label;
};

/* The traps whose latency a source measures. */
static const struct trap_def patched_traps[] = {
	{ KVMSLB_TRAP_H_DATA_STORAGE, "hdsi" },
	{ KVMSLB_TRAP_H_INST_STORAGE, "hisi" },
};
static const struct trap_def stock_traps[] = {
	{ KVMSLB_TRAP_PAGE_FAULT, "page_fault" },
};

static int latency_traps(enum data_source src, const struct trap_def **t)
{
	switch (src) {
	case SOURCE_PATCHED:
		*t = patched_traps;
		return 2;
	case SOURCE_STOCK:
		*t = stock_traps;
		return 1;
	default:
		*t = NULL;
		return 0;
	}
}

void metrics_init(struct metrics *m, const struct metrics_opts *o)
{
	memset(m, 0, sizeof(*m));
	m->o = *o;
	series_init(&m->series, &o->series);
	/* bucket k is [2^k, 2^(k+1)) of whole ns: le is its largest, 2^(k+1) - 1 ns */
	for (int k = 0; k < HIST_SLOTS - 1; k++) {
		prom_format_double(m->le[k], sizeof(m->le[k]), (double)(hist_bucket_hi(k) - 1) / 1e9);
		m->lep[k] = m->le[k];
	}
	for (int k = 0; k < KVMSLB_OUTCOME_NR; k++)
		m->outcomes[k] = agg_outcome_name(k);
}

void metrics_free(struct metrics *m)
{
	series_free(&m->series);
	pbuf_free(&m->scratch);
}

int metrics_update(struct metrics *m, const struct metrics_input *in)
{
	return series_update(&m->series, in->agg, in->ident, in->ident_ctx, in->now);
}

/* The guests shown, with their labels; none if the update did not match. */
#define for_each_shown(m, in, i, sg)						\
	for (int i = 0; i < (in)->agg->nguests && (m)->series.n == (in)->agg->nguests; i++) \
		if ((sg = &(m)->series.g[i])->shown)

typedef uint64_t (*counter_fn)(const struct agg_counters *c, int v);

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

struct counter_def {
	const char *name, *help;
	counter_fn get;
	const char *label;		/* NULL: one series per guest */
	const char *const *values;
	int nvalues;
};

static const char *const fault_traps[] = { "hdsi", "hisi" };
static const char *const seg_types[] = { "dsegi", "isegi" };

static const struct counter_def fault_paths = {
	"kvmslb_fault_paths", "HDSI/HISI fault paths handled, by trap",
	get_fault, "trap", fault_traps, 2,
};
static const struct counter_def synthesized = {
	"kvmslb_segment_synthesized",
	"Data/Instruction Segment interrupts synthesized because the SLB lookup failed",
	get_seg, "type", seg_types, 2,
};
static const struct counter_def injected = {
	"kvmslb_segment_injected", "Synthesized segment interrupts forced by fault injection",
	get_injected, NULL, NULL, 0,
};
static const struct counter_def dropped = {
	"kvmslb_log_dropped",
	"Fault records the kernel's real-mode log dropped (counted, not traced)",
	get_dropped, NULL, NULL, 0,
};

static void unit_samples(struct prom_writer *w, const struct counter_def *d, const char *labels,
			 const struct agg_counters *c)
{
	if (!d->nvalues) {
		prom_sample(w, NULL, labels, NULL, NULL, d->get(c, 0));
		return;
	}
	for (int v = 0; v < d->nvalues; v++)
		prom_sample(w, NULL, labels, d->label, d->values[v], d->get(c, v));
}

static void guest_counter(struct metrics *m, struct prom_writer *w,
			  const struct metrics_input *in, const struct counter_def *d)
{
	const struct series_guest *sg;

	prom_family(w, d->name, PROM_COUNTER, d->help, NULL);
	for_each_shown(m, in, i, sg)
		unit_samples(w, d, sg->labels, &in->agg->guests[i].total.c);
}

/* 'guest="x",vcpu="3"' (a KVM vcpu id) or 'guest="x",tid="1234"' (a vcpu thread). */
static const char *unit_labels(struct pbuf *b, const char *labels, uint32_t unit)
{
	b->len = 0;
	pbuf_puts(b, labels);
	if (agg_unit_is_vcpu_id(unit)) {
		pbuf_puts(b, ",vcpu=\"");
		pbuf_u64(b, agg_unit_vcpu_id(unit));
	} else {
		pbuf_puts(b, ",tid=\"");
		pbuf_u64(b, unit);
	}
	pbuf_put(b, "\"", 2);
	return b->failed ? NULL : b->p;
}

static void vcpu_counter(struct metrics *m, struct prom_writer *w,
			 const struct metrics_input *in, const char *name,
			 const struct counter_def *d)
{
	const struct series_guest *sg;

	prom_family(w, name, PROM_COUNTER, d->help, NULL);
	for_each_shown(m, in, i, sg) {
		const struct agg_guest *g = &in->agg->guests[i];

		for (int u = 0; u < g->nvcpus; u++) {
			const char *l = unit_labels(&m->scratch, sg->labels, g->vcpus[u].tid);

			if (!l) {
				w->b->failed = true;
				return;
			}
			unit_samples(w, d, l, &g->vcpus[u].c);
		}
	}
}

/* Every path of one trap merged (outcomes together). */
static void trap_hist(const struct agg_unit *u, unsigned int trap, struct log2_hist *h)
{
	for (int p = 0; p < u->npaths; p++)
		if (u->paths[p].trap == trap)
			hist_merge(h, &u->paths[p].hist);
}

static void guest_latency(struct metrics *m, struct prom_writer *w,
			  const struct metrics_input *in)
{
	static const char help[] = "HDSI/HISI fault-path latency (patched: real mode or the "
				   "POWER9 C path; stock: kvm_page_fault_enter to exit)";
	const struct series_guest *sg;
	const struct trap_def *traps;
	int ntraps = latency_traps(in->source, &traps);

	if (!ntraps)
		return;
	prom_family(w, "kvmslb_fault_latency_seconds",
		    m->o.guest_histograms ? PROM_HISTOGRAM : PROM_SUMMARY, help, "seconds");
	for_each_shown(m, in, i, sg) {
		const struct agg_unit *u = &in->agg->guests[i].total;

		for (int t = 0; t < ntraps; t++) {
			struct log2_hist h;
			uint64_t count = 0, sum = 0;

			if (m->o.guest_histograms) {
				memset(&h, 0, sizeof(h));
				trap_hist(u, traps[t].trap, &h);
				prom_histogram(w, sg->labels, "trap", traps[t].label, m->lep,
					       h.slots, HIST_SLOTS - 1, h.sum_ns);
				continue;
			}
			for (int p = 0; p < u->npaths; p++) {
				if (u->paths[p].trap != traps[t].trap)
					continue;
				count += u->paths[p].hist.count;
				sum += u->paths[p].hist.sum_ns;
			}
			prom_sample_nanos(w, "_sum", sg->labels, "trap", traps[t].label, sum);
			prom_sample(w, "_count", sg->labels, "trap", traps[t].label, count);
		}
	}
}

/* All guests, shown or not, and earlier processes of reused pids: never decreases. */
static void host_latency(struct metrics *m, struct prom_writer *w,
			 const struct metrics_input *in)
{
	const struct trap_def *traps;
	int ntraps = latency_traps(in->source, &traps);

	if (!ntraps)
		return;
	prom_family(w, "kvmslb_host_fault_latency_seconds", PROM_HISTOGRAM,
		    "Fault-path latency of all guests together, by trap", "seconds");
	for (int t = 0; t < ntraps; t++) {
		struct log2_hist h;

		memset(&h, 0, sizeof(h));
		for (int i = 0; i < in->agg->nguests; i++)
			trap_hist(&in->agg->guests[i].total, traps[t].trap, &h);
		for (int r = 0; r < in->nretired; r++)
			for (int i = 0; i < in->retired[r].data.nguests; i++)
				trap_hist(&in->retired[r].data.guests[i].total, traps[t].trap, &h);
		prom_histogram(w, NULL, "trap", traps[t].label, m->lep, h.slots, HIST_SLOTS - 1,
			       h.sum_ns);
	}
}

static void collector_health(struct prom_writer *w, const struct agg_health *h)
{
	static const char reason[] = "reason";

	prom_family(w, "kvmslb_collector_events", PROM_COUNTER,
		    "Events the eBPF programs handled", NULL);
	prom_sample(w, NULL, NULL, NULL, NULL, h->events);
	prom_family(w, "kvmslb_collector_lost", PROM_COUNTER,
		    "Events or samples the collector could not record, by reason", NULL);
	prom_sample(w, NULL, NULL, reason, "count_map_full", h->count_overflow);
	prom_sample(w, NULL, NULL, reason, "hist_map_full", h->hist_overflow);
	prom_sample(w, NULL, NULL, reason, "start_map_full", h->start_overflow);
	prom_sample(w, NULL, NULL, reason, "ringbuf_full", h->rb_lost);
	prom_sample(w, NULL, NULL, reason, "unpaired_exit", h->unpaired);
}

void metrics_write(struct metrics *m, struct pbuf *b, enum prom_format fmt,
		   const struct metrics_input *in)
{
	bool segments = in->source != SOURCE_STOCK;
	struct prom_writer w;

	prom_init(&w, b, fmt);
	prom_family(&w, "kvmslb_build_info", PROM_GAUGE, "The kvmslb version exporting", NULL);
	prom_sample(&w, NULL, NULL, "version", KVMSLB_VERSION, 1);
	prom_family(&w, "kvmslb_source_info", PROM_GAUGE,
		    "The data source kvmslb reads (patched, stock, stats)", NULL);
	prom_sample(&w, NULL, NULL, "source", source_name(in->source), 1);
	prom_family(&w, "kvmslb_guests", PROM_GAUGE,
		    "Guests with series in this exposition: running, or exited within the "
		    "grace period", NULL);
	prom_sample(&w, NULL, NULL, "state", "running", (uint64_t)m->series.nrunning);
	prom_sample(&w, NULL, NULL, "state", "exited", (uint64_t)m->series.nexited);
	guest_counter(m, &w, in, &fault_paths);
	if (segments) {
		guest_counter(m, &w, in, &synthesized);
		guest_counter(m, &w, in, &injected);
		guest_counter(m, &w, in, &dropped);
		if (m->o.per_outcome) {
			const struct counter_def outcomes = {
				"kvmslb_fault_outcomes", "HDSI/HISI fault paths by outcome",
				get_outcome, "outcome", m->outcomes, KVMSLB_OUTCOME_NR,
			};

			guest_counter(m, &w, in, &outcomes);
		}
	}
	guest_latency(m, &w, in);
	host_latency(m, &w, in);
	if (m->o.per_vcpu) {
		vcpu_counter(m, &w, in, "kvmslb_vcpu_fault_paths", &fault_paths);
		if (segments)
			vcpu_counter(m, &w, in, "kvmslb_vcpu_segment_synthesized", &synthesized);
	}
	collector_health(&w, &in->agg->health);
	prom_finish(&w);
}
