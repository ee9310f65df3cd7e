// SPDX-License-Identifier: GPL-2.0
/*
 * Per-guest totals and latency histograms of an aggregation, as text
 * (libbpf-tools-style histogram bars) or JSON (the schema in
 * kvmslb-stat(8)). Shared by the front ends that print an aggregation:
 * stat (live sources) and report (recorded data).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "kvmslb.h"
#include "core/json.h"
#include "core/out.h"
#include "core/traps.h"
#include "view/agg_view.h"
#include "view/units.h"

const char *view_trap_str(unsigned int trap)
{
	const char *n;

	if (trap == KVMSLB_TRAP_PAGE_FAULT)
		return "PAGE_FAULT";
	n = trap_name(trap);
	return n ? n : "unknown";
}

/* What the chosen source cannot tell; NULL-terminated. */
struct missing {
	const char *metric;
	const char *reason;
};

static int source_missing(const struct view_opts *v, struct missing *m)
{
	int n = 0;

	switch (v->kind) {
	case SOURCE_STOCK:
		m[n++] = (struct missing){ "segment_synthesis",
			v->choice && v->choice->why[SOURCE_PATCHED][0] ? v->choice->why[SOURCE_PATCHED] :
			"the stock source has no tracepoint for segment interrupts synthesized "
			"in real mode (SLB synthesis needs the kvmslb kernel patch)" };
		m[n++] = (struct missing){ "fault_outcome",
			"stock kvm_page_fault_exit does not say how a fault ended" };
		m[n++] = (struct missing){ "dropped",
			"only the patched kernel's real-mode log counts its drops" };
		break;
	case SOURCE_STATS:
		m[n++] = (struct missing){ "latency_histograms",
			"debugfs shows a KVM histogram stat as one number; kvmslb does not read "
			"KVM_GET_STATS_FD" };
		m[n++] = (struct missing){ "per_vcpu", "debugfs sums KVM stats per VM" };
		break;
	default:
		break;
	}
	return n;
}

static bool guest_shown(const struct view_opts *v, const struct guest_ident *id)
{
	return !v->guest_name || (id && !strcmp(id->name, v->guest_name));
}

static const struct guest_ident *ident_of(const struct view_opts *v, uint32_t tgid)
{
	return v->ident ? v->ident(v->ident_ctx, tgid) : NULL;
}

/* A vcpu thread's name, from /proc for a live guest. */
static void thread_name(const struct view_opts *v, uint32_t tgid, uint32_t tid, char *buf,
			size_t len)
{
	buf[0] = '\0';
	if (v->live)
		thread_comm_read("", tgid, tid, buf, len);
}

/* ---- JSON ------------------------------------------------------------- */
void view_json_bounds(struct json_writer *w, int k)
{
	json_key_u64(w, "ge", hist_bucket_lo(k));
	json_key(w, "lt");
	if (k >= HIST_SLOTS - 1)
		json_null(w);
	else
		json_u64(w, hist_bucket_hi(k));
}

void view_json_pct(struct json_writer *w, const char *key, const struct log2_hist *h,
		   double p)
{
	int k = hist_percentile(h, p);

	json_key(w, key);
	if (k < 0) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	view_json_bounds(w, k);
	json_obj_end(w);
}

static void json_hist(struct json_writer *w, const char *key, const struct log2_hist *h)
{
	static const struct { const char *name; double p; } pct[] = {
		{ "p50", 50 }, { "p90", 90 }, { "p99", 99 },
	};

	json_key(w, key);
	json_obj_begin(w);
	json_key_str(w, "unit", "ns");
	json_key_u64(w, "samples", h->count);
	json_key_u64(w, "sum_ns", h->sum_ns);
	json_key(w, "max_ns");
	if (h->count)
		json_u64(w, h->max_ns);
	else
		json_null(w);
	json_key_bool(w, "max_exact", h->count && h->max_exact);
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++)
		view_json_pct(w, pct[i].name, h, pct[i].p);
	json_key(w, "buckets");
	json_arr_begin(w);
	for (int k = 0; k < HIST_SLOTS; k++) {
		if (!h->slots[k])
			continue;
		json_obj_begin(w);
		view_json_bounds(w, k);
		json_key_u64(w, "count", h->slots[k]);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
}

static void json_counters(struct json_writer *w, const struct agg_counters *c)
{
	json_key(w, "counters");
	json_obj_begin(w);
	json_key_u64(w, "hdsi", c->hdsi);
	json_key_u64(w, "hisi", c->hisi);
	json_key_u64(w, "dsegi", c->dsegi);
	json_key_u64(w, "isegi", c->isegi);
	json_key_u64(w, "seg_injected", c->seg_injected);
	json_key_u64(w, "dseg_exits", c->dseg_exits);
	json_key_u64(w, "iseg_exits", c->iseg_exits);
	json_key_u64(w, "fault_injected", c->fault_injected);
	json_key_u64(w, "dropped", c->dropped);
	json_key(w, "outcomes");
	json_obj_begin(w);
	for (int o = 0; o < KVMSLB_OUTCOME_NR; o++)
		json_key_u64(w, agg_outcome_name(o), c->outcome[o]);
	json_obj_end(w);
	json_obj_end(w);
}

static void json_unit_body(struct json_writer *w, const struct agg_unit *u, bool paths)
{
	struct log2_hist all;

	agg_unit_hist(u, &all);
	json_counters(w, &u->c);
	json_hist(w, "latency_hist", &all);
	if (!paths)
		return;
	json_key(w, "paths");
	json_arr_begin(w);
	for (int i = 0; i < u->npaths; i++) {
		json_obj_begin(w);
		json_key_str(w, "trap", view_trap_str(u->paths[i].trap));
		json_key_u64(w, "trap_nr", u->paths[i].trap);
		json_key_str(w, "outcome", agg_outcome_name(u->paths[i].outcome));
		json_hist(w, "hist", &u->paths[i].hist);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_guest(struct json_writer *w, const struct view_opts *v,
		       const struct agg_guest *g, const struct guest_ident *id, bool retired)
{
	json_obj_begin(w);
	json_key_u64(w, "pid", g->tgid);
	json_key_str(w, "name", id ? id->name : "");
	json_key_str(w, "name_from", guest_name_from_str(id ? id->from : NAME_UNKNOWN));
	json_key_bool(w, "alive", id && id->alive && !retired);
	json_key_bool(w, "pid_reused", retired);
	json_unit_body(w, &g->total, true);
	if (v->per_vcpu) {
		json_key(w, "vcpus");
		json_arr_begin(w);
		for (int i = 0; i < g->nvcpus; i++) {
			uint32_t unit = g->vcpus[i].tid;
			char comm[64];

			json_obj_begin(w);
			if (agg_unit_is_vcpu_id(unit)) {
				json_key_u64(w, "vcpu_id", agg_unit_vcpu_id(unit));
			} else {
				thread_name(v, g->tgid, unit, comm, sizeof(comm));
				json_key_u64(w, "tid", unit);
				json_key_str(w, "thread", comm);
			}
			json_unit_body(w, &g->vcpus[i], false);
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	json_obj_end(w);
}

static void print_json(const struct view_opts *v, const struct agg *a, const char *kind,
		       unsigned long long n, double elapsed, bool with_retired)
{
	struct json_writer *w = json_new(stdout, kvmslb_g.pretty);
	const struct agg_health *h = &a->health;
	struct missing m[4];
	int nm = source_missing(v, m);

	json_obj_begin(w);
	json_key_str(w, "kind", kind);
	if (n)
		json_key_u64(w, "interval", n);
	json_key(w, "elapsed_s");
	json_double(w, elapsed);
	json_key_str(w, "source", source_name(v->kind));
	if (v->input)
		json_key_str(w, "input", v->input);
	if (v->choice) {
		json_key(w, "sources");
		json_arr_begin(w);
		for (int s = 0; s < SOURCE_NR; s++) {
			json_obj_begin(w);
			json_key_str(w, "name", source_name(s));
			json_key_bool(w, "usable", v->choice->usable[s]);
			json_key_bool(w, "selected", s == v->choice->chosen);
			if (!v->choice->usable[s])
				json_key_str(w, "reason", v->choice->why[s]);
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	json_key(w, "unavailable");
	json_arr_begin(w);
	for (int i = 0; i < nm; i++) {
		json_obj_begin(w);
		json_key_str(w, "metric", m[i].metric);
		json_key_bool(w, "available", false);
		json_key_str(w, "reason", m[i].reason);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key_str(w, "buckets", "log2 ns: [2^k, 2^(k+1)); the first is [0, 2), the last "
		     "has no upper bound (lt null)");
	json_key(w, "health");
	json_obj_begin(w);
	json_key_u64(w, "events", h->events);
	json_key_u64(w, "count_overflow", h->count_overflow);
	json_key_u64(w, "hist_overflow", h->hist_overflow);
	json_key_u64(w, "start_overflow", h->start_overflow);
	json_key_u64(w, "unpaired_exits", h->unpaired);
	json_key_u64(w, "ringbuf_lost", h->rb_lost);
	json_key_u64(w, "ringbuf_sent", h->rb_sent);
	if (v->input) {
		json_key_u64(w, "input_lost", v->input_lost);
		json_key_u64(w, "input_undecodable", v->input_undecodable);
		json_key_u64(w, "input_recovered", v->input_recovered);
	}
	json_obj_end(w);
	json_key(w, "guests");
	json_arr_begin(w);
	for (int i = 0; i < a->nguests; i++) {
		const struct guest_ident *id = ident_of(v, a->guests[i].tgid);

		if (guest_shown(v, id))
			json_guest(w, v, &a->guests[i], id, false);
	}
	for (int i = 0; with_retired && i < v->nretired; i++) {
		const struct retired_guest *rg = &v->retired[i];

		if (rg->data.nguests && guest_shown(v, &rg->id))
			json_guest(w, v, &rg->data.guests[0], &rg->id, true);
	}
	json_arr_end(w);
	json_obj_end(w);
	json_free(w);
	/* a write error is reported once, with its cause (callers exit 1) */
	out_flush(stdout, "standard output");
}

/* ---- text ------------------------------------------------------------- */
/* libbpf-tools' print_log2_hist; buckets as <X (view/units.h), like every front end. */
static void text_hist(const struct log2_hist *h, const char *indent)
{
	int top = hist_top(h), first = 0, width = 40;
	uint64_t vmax = 0;

	if (top < 0)
		return;
	while (!h->slots[first])
		first++;
	for (int k = first; k <= top; k++)
		if (h->slots[k] > vmax)
			vmax = h->slots[k];
	printf("%s%10s : %-10s distribution\n", indent, "latency", "count");
	for (int k = first; k <= top; k++) {
		char b[24];
		int bar = vmax ? (int)(h->slots[k] * width / vmax) : 0;

		view_fmt_bucket(b, sizeof(b), k);
		printf("%s%10s : %-10" PRIu64 " |%-*.*s|\n", indent, b, h->slots[k], width, bar,
		       "****************************************");
	}
}

static void text_summary(const struct log2_hist *h, const char *indent, const char *what)
{
	static const double pct[] = { 50, 90, 99 };
	char b[24], mean[24];

	if (!h->count) {
		printf("%s%s: no samples\n", indent, what);
		return;
	}
	view_fmt_ns(mean, sizeof(mean), h->sum_ns / h->count);
	printf("%s%s: %" PRIu64 " samples, mean %s", indent, what, h->count, mean);
	for (size_t i = 0; i < 3; i++) {
		view_fmt_pct(b, sizeof(b), h, pct[i]);
		printf(", p%.0f %s", pct[i], b);
	}
	view_fmt_max(b, sizeof(b), h);
	printf(", max %s\n", b);
}

static void text_unit(const struct view_opts *v, const struct agg_unit *u, const char *indent)
{
	const struct agg_counters *c = &u->c;
	struct log2_hist all;

	printf("%sHDSI %" PRIu64 "  HISI %" PRIu64, indent, c->hdsi, c->hisi);
	if (v->kind != SOURCE_STOCK)
		printf("  DSegI synthesized %" PRIu64 "  ISegI synthesized %" PRIu64
		       " (injected %" PRIu64 ")  dropped %" PRIu64, c->dsegi, c->isegi,
		       c->seg_injected, c->dropped);
	if (c->dseg_exits || c->iseg_exits)
		printf("  DSEG exits %" PRIu64 "  ISEG exits %" PRIu64, c->dseg_exits, c->iseg_exits);
	printf("\n");
	/* dropped records are counted, but their events are not in the counts above */
	if (v->kind == SOURCE_PATCHED && c->dropped)
		printf("%snote: the kernel's real-mode log dropped %" PRIu64 " fault records; the "
		       "counts above miss them (KVM stats have exact totals: --source stats)\n",
		       indent, c->dropped);
	if (v->kind != SOURCE_STOCK) {
		printf("%soutcomes:", indent);
		for (int o = 0; o < KVMSLB_OUTCOME_NR; o++)
			printf(" %s %" PRIu64, agg_outcome_name(o), c->outcome[o]);
		printf("\n");
	}
	if (v->kind == SOURCE_STATS)
		return;
	agg_unit_hist(u, &all);
	text_summary(&all, indent, "fault latency");
	for (int i = 0; u->npaths > 1 && i < u->npaths; i++) {
		char what[96];

		snprintf(what, sizeof(what), "  %s / %s", view_trap_str(u->paths[i].trap),
			 agg_outcome_name(u->paths[i].outcome));
		text_summary(&u->paths[i].hist, indent, what);
	}
	text_hist(&all, indent);
}

static void text_guest(const struct view_opts *v, const struct agg_guest *g,
		       const struct guest_ident *id, bool retired)
{
	printf("\nguest %s (pid %" PRIu32 ", name from %s)%s\n", id ? id->name : "?", g->tgid,
	       guest_name_from_str(id ? id->from : NAME_UNKNOWN),
	       retired ? " [exited; pid since reused]" :
	       v->live && id && !id->alive ? " [exited]" : "");
	text_unit(v, &g->total, "  ");
	if (!v->per_vcpu)
		return;
	for (int i = 0; i < g->nvcpus; i++) {
		uint32_t unit = g->vcpus[i].tid;
		char comm[64];

		if (agg_unit_is_vcpu_id(unit)) {
			printf("  vcpu %" PRIu32 "\n", agg_unit_vcpu_id(unit));
		} else {
			thread_name(v, g->tgid, unit, comm, sizeof(comm));
			printf("  vcpu thread %" PRIu32 " (%s)\n", unit,
			       comm[0] ? comm : v->live ? "exited" : "?");
		}
		text_unit(v, &g->vcpus[i], "    ");
	}
}

void view_header(const struct view_opts *v)
{
	struct missing m[4];
	int nm = source_missing(v, m);

	if (v->input)
		printf("input: %s (%s data)\n", v->input, source_name(v->kind));
	else
		printf("source: %s%s\n", source_name(v->kind),
		       v->choice && v->choice->forced ? " (forced)" : "");
	for (int s = 0; v->choice && s < SOURCE_NR; s++)
		if (!v->choice->usable[s])
			printf("  %s unavailable: %s\n", source_name(s), v->choice->why[s]);
	for (int i = 0; i < nm; i++)
		printf("  not measured by this source: %s: %s\n", m[i].metric, m[i].reason);
	printf("%s; JSON has the exact bounds\n", VIEW_BUCKET_LEGEND);
	/* a write error is reported once, with its cause (callers exit 1) */
	out_flush(stdout, "standard output");
}

static void print_text(const struct view_opts *v, const struct agg *a, const char *kind,
		       unsigned long long n, double elapsed, bool with_retired)
{
	const struct agg_health *h = &a->health;
	int shown = 0;

	if (n)
		printf("\n=== %s %llu (%.2f s)\n", kind, n, elapsed);
	else
		printf("\n=== %s (%.2f s)\n", kind, elapsed);
	if (v->input)
		printf("input: lost %" PRIu64 " (the kernel said so), undecodable %" PRIu64
		       ", recovered from cumulative counts %" PRIu64 "\n", v->input_lost,
		       v->input_undecodable, v->input_recovered);
	if (v->kind != SOURCE_STATS)
		printf("events %" PRIu64 "; lost: map full %" PRIu64 " counts, %" PRIu64
		       " samples, %" PRIu64 " fault starts; unpaired fault exits %" PRIu64
		       "; ring buffer lost %" PRIu64 "\n", h->events, h->count_overflow,
		       h->hist_overflow, h->start_overflow, h->unpaired, h->rb_lost);
	for (int i = 0; i < a->nguests; i++) {
		const struct guest_ident *id = ident_of(v, a->guests[i].tgid);

		if (guest_shown(v, id)) {
			text_guest(v, &a->guests[i], id, false);
			shown++;
		}
	}
	for (int i = 0; with_retired && i < v->nretired; i++) {
		const struct retired_guest *rg = &v->retired[i];

		if (rg->data.nguests && guest_shown(v, &rg->id)) {
			text_guest(v, &rg->data.guests[0], &rg->id, true);
			shown++;
		}
	}
	if (!shown)
		printf("no guest activity\n");
	/* a write error is reported once, with its cause (callers exit 1) */
	out_flush(stdout, "standard output");
}

void view_report(const struct view_opts *v, const struct agg *a, const char *kind,
		 unsigned long long n, double elapsed, bool with_retired)
{
	if (kvmslb_g.json)
		print_json(v, a, kind, n, elapsed, with_retired);
	else
		print_text(v, a, kind, n, elapsed, with_retired);
}

