// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb stat: per-guest totals and log2 fault-latency histograms over an
 * interval. The path of one event: kvm_hv tracepoint -> bpf/kvmslb.bpf.c
 * handler -> per-CPU map -> core/bpf_source.c (sum over CPUs) -> core/agg.c
 * -> core/tracker.c (names, exits, pid reuse) -> print_text()/print_json().
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvmslb.h"
#include "core/agg.h"
#include "core/bpf_source.h"
#include "core/cli.h"
#include "core/host_probe.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/source.h"
#include "core/stats_source.h"
#include "core/tracker.h"
#include "core/traps.h"

static const char doc[] =
	"kvmslb stat: per-guest totals and log2 fault-latency histograms over an interval.\v"
	"Without an interval, runs until SIGINT or SIGTERM and prints the totals. With an "
	"interval, prints the totals after it; with a count as well, prints each of COUNT "
	"intervals and then the totals. SIGINT or SIGTERM always ends with the totals so far "
	"and a clean detach.\n\n"
	"Sources, tried in this order unless --source forces one: patched (the kvmslb kernel "
	"patch's tracepoints: SLB-miss segment interrupts synthesized, fault-path latency by "
	"trap and outcome), stock (kvm_guest_exit HDSI/HISI exits, kvm_page_fault_enter/exit "
	"latency), stats (KVM stats in debugfs, counters only). The chosen source is always "
	"shown, and so is why the others cannot run.\n\n"
	"Histogram buckets are log2 of nanoseconds: [2^k, 2^(k+1)); percentiles are given "
	"as the bucket that holds them.\n\n"
	"USAGE: kvmslb stat [-j] [--source SRC] [--guest NAME|PID] [--per-vcpu] [--events] "
	"[interval [count]]\n\n"
	"EXAMPLES:\n"
	"  kvmslb stat                # until Ctrl-C, then per-guest totals\n"
	"  kvmslb stat 5              # one 5 s interval\n"
	"  kvmslb stat -j 1 10        # ten 1 s intervals and the totals, as JSON lines\n"
	"  kvmslb stat --guest web1 --per-vcpu 10\n"
	"  kvmslb stat --source stock # force the stock kvm_hv tracepoints\n";

enum { OPT_SOURCE = 1000, OPT_GUEST, OPT_PER_VCPU, OPT_EVENTS };

static const struct argp_option options[] = {
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (VMM pid or -name)", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "break totals down by vcpu thread", 0 },
	{ "events", OPT_EVENTS, NULL, 0, "also print each event (ring buffer; eBPF sources)", 0 },
	{ 0 },
};

struct stat_args {
	int source;		/* -1: automatic */
	const char *guest;
	uint32_t guest_pid;
	bool per_vcpu;
	bool events;
	double interval;	/* 0: until a signal */
	unsigned long long count;
	int npos;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct stat_args *a = state->input;
	unsigned long long v;
	enum data_source s;

	switch (key) {
	case OPT_SOURCE:
		if (source_from_name(arg, &s)) {
			argp_error(state, "unknown source '%s' (patched, stock or stats)", arg);
			return EINVAL;
		}
		a->source = s;
		return 0;
	case OPT_GUEST:
		if (!*arg) {
			argp_error(state, "--guest needs a name or a pid");
			return EINVAL;
		}
		a->guest = arg;
		if (!cli_parse_u64(arg, 1, UINT32_MAX, &v))
			a->guest_pid = (uint32_t)v;
		return 0;
	case OPT_PER_VCPU:
		a->per_vcpu = true;
		return 0;
	case OPT_EVENTS:
		a->events = true;
		return 0;
	case ARGP_KEY_ARG:
		if (a->npos == 0) {
			if (cli_parse_seconds(arg, 0.01, 86400.0 * 365, &a->interval)) {
				argp_error(state, "invalid interval '%s' (seconds, 0.01 or more)", arg);
				return EINVAL;
			}
		} else if (a->npos == 1) {
			if (cli_parse_u64(arg, 1, 1ULL << 40, &a->count)) {
				argp_error(state, "invalid count '%s' (a positive integer)", arg);
				return EINVAL;
			}
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
			return EINVAL;
		}
		a->npos++;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* ---- run state -------------------------------------------------------- */
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	stop_sig = sig;
}

struct stat_run {
	struct stat_args *args;
	struct host_probe probe;
	struct source_choice choice;
	struct bpf_source *bpf;
	struct tracker tracker;
	struct agg view;	/* cumulative, names resolved */
	struct agg shown;	/* the view at the last interval report */
	double start;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *trap_str(unsigned int trap)
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

static int source_missing(const struct stat_run *r, struct missing *m)
{
	int n = 0;

	switch (r->choice.chosen) {
	case SOURCE_STOCK:
		m[n++] = (struct missing){ "segment_synthesis", r->choice.why[SOURCE_PATCHED][0] ?
			r->choice.why[SOURCE_PATCHED] :
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

static bool guest_shown(const struct stat_run *r, const struct guest_ident *id)
{
	const char *g = r->args->guest;

	if (!g || r->args->guest_pid)
		return true;	/* a pid filter is applied by the source */
	return id && !strcmp(id->name, g);
}

/* ---- JSON ------------------------------------------------------------- */
static void json_range(struct json_writer *w, const char *key, int k)
{
	json_key(w, key);
	json_obj_begin(w);
	json_key_u64(w, "ge", hist_bucket_lo(k));
	json_key(w, "lt");
	if (k >= HIST_SLOTS - 1)
		json_null(w);
	else
		json_u64(w, hist_bucket_hi(k));
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
	for (size_t i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		int k = hist_percentile(h, pct[i].p);

		if (k >= 0) {
			json_range(w, pct[i].name, k);
		} else {
			json_key(w, pct[i].name);
			json_null(w);
		}
	}
	json_key(w, "buckets");
	json_arr_begin(w);
	for (int k = 0; k < HIST_SLOTS; k++) {
		if (!h->slots[k])
			continue;
		json_obj_begin(w);
		json_key_u64(w, "ge", hist_bucket_lo(k));
		json_key(w, "lt");
		if (k >= HIST_SLOTS - 1)
			json_null(w);
		else
			json_u64(w, hist_bucket_hi(k));
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
		json_key_str(w, "trap", trap_str(u->paths[i].trap));
		json_key_u64(w, "trap_nr", u->paths[i].trap);
		json_key_str(w, "outcome", agg_outcome_name(u->paths[i].outcome));
		json_hist(w, "hist", &u->paths[i].hist);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void json_guest(struct json_writer *w, const struct stat_run *r,
		       const struct agg_guest *g, const struct guest_ident *id, bool retired)
{
	json_obj_begin(w);
	json_key_u64(w, "pid", g->tgid);
	json_key_str(w, "name", id ? id->name : "");
	json_key_str(w, "name_from", guest_name_from_str(id ? id->from : NAME_UNKNOWN));
	json_key_bool(w, "alive", id && id->alive && !retired);
	json_key_bool(w, "pid_reused", retired);
	json_unit_body(w, &g->total, true);
	if (r->args->per_vcpu) {
		json_key(w, "vcpus");
		json_arr_begin(w);
		for (int i = 0; i < g->nvcpus; i++) {
			char comm[64];

			thread_comm_read("", g->tgid, g->vcpus[i].tid, comm, sizeof(comm));
			json_obj_begin(w);
			json_key_u64(w, "tid", g->vcpus[i].tid);
			json_key_str(w, "thread", comm);
			json_unit_body(w, &g->vcpus[i], false);
			json_obj_end(w);
		}
		json_arr_end(w);
	}
	json_obj_end(w);
}

static void print_json(const struct stat_run *r, const struct agg *a, const char *kind,
		       unsigned long long n, double elapsed, bool with_retired)
{
	struct json_writer *w = json_new(stdout, kvmslb_g.pretty);
	const struct agg_health *h = &a->health;
	struct missing m[4];
	int nm = source_missing(r, m);

	json_obj_begin(w);
	json_key_str(w, "kind", kind);
	if (n)
		json_key_u64(w, "interval", n);
	json_key(w, "elapsed_s");
	json_double(w, elapsed);
	json_key_str(w, "source", source_name(r->choice.chosen));
	json_key(w, "sources");
	json_arr_begin(w);
	for (int s = 0; s < SOURCE_NR; s++) {
		json_obj_begin(w);
		json_key_str(w, "name", source_name(s));
		json_key_bool(w, "usable", r->choice.usable[s]);
		json_key_bool(w, "selected", s == r->choice.chosen);
		if (!r->choice.usable[s])
			json_key_str(w, "reason", r->choice.why[s]);
		json_obj_end(w);
	}
	json_arr_end(w);
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
	json_obj_end(w);
	json_key(w, "guests");
	json_arr_begin(w);
	for (int i = 0; i < a->nguests; i++) {
		const struct guest_ident *id = tracker_ident(&r->tracker, a->guests[i].tgid);

		if (guest_shown(r, id))
			json_guest(w, r, &a->guests[i], id, false);
	}
	for (int i = 0; with_retired && i < r->tracker.nretired; i++) {
		const struct retired_guest *rg = &r->tracker.retired[i];

		if (rg->data.nguests && guest_shown(r, &rg->id))
			json_guest(w, r, &rg->data.guests[0], &rg->id, true);
	}
	json_arr_end(w);
	json_obj_end(w);
	json_free(w);
	fflush(stdout);
}

/* ---- text ------------------------------------------------------------- */
static void fmt_ns(char *buf, size_t len, uint64_t v)
{
	if (v == UINT64_MAX)
		snprintf(buf, len, "inf");
	else
		snprintf(buf, len, "%" PRIu64, v);
}

/* libbpf-tools' print_log2_hist, with half-open bucket bounds. */
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
	printf("%s%24s : %-10s distribution\n", indent, "nsecs [ge, lt)", "count");
	for (int k = first; k <= top; k++) {
		char lo[24], hi[24], range[52];
		int bar = vmax ? (int)(h->slots[k] * width / vmax) : 0;

		fmt_ns(lo, sizeof(lo), hist_bucket_lo(k));
		fmt_ns(hi, sizeof(hi), hist_bucket_hi(k));
		snprintf(range, sizeof(range), "%s -> %s", lo, hi);
		printf("%s%24s : %-10" PRIu64 " |%-*.*s|\n", indent, range, h->slots[k], width, bar,
		       "****************************************");
	}
}

static void text_summary(const struct log2_hist *h, const char *indent, const char *what)
{
	static const double pct[] = { 50, 90, 99 };
	char hi[24];

	if (!h->count) {
		printf("%s%s: no samples\n", indent, what);
		return;
	}
	printf("%s%s: %" PRIu64 " samples, mean %" PRIu64 " ns", indent, what, h->count,
	       h->sum_ns / h->count);
	for (size_t i = 0; i < 3; i++) {
		int k = hist_percentile(h, pct[i]);

		fmt_ns(hi, sizeof(hi), hist_bucket_hi(k));
		printf(", p%.0f [%" PRIu64 ", %s)", pct[i], hist_bucket_lo(k), hi);
	}
	printf(", max %s%" PRIu64 " ns\n", h->max_exact ? "" : "< ", h->max_ns);
}

static void text_unit(const struct stat_run *r, const struct agg_unit *u, const char *indent)
{
	const struct agg_counters *c = &u->c;
	struct log2_hist all;

	printf("%sHDSI %" PRIu64 "  HISI %" PRIu64, indent, c->hdsi, c->hisi);
	if (r->choice.chosen != SOURCE_STOCK)
		printf("  DSegI synthesized %" PRIu64 "  ISegI synthesized %" PRIu64
		       " (injected %" PRIu64 ")  dropped %" PRIu64, c->dsegi, c->isegi,
		       c->seg_injected, c->dropped);
	if (c->dseg_exits || c->iseg_exits)
		printf("  DSEG exits %" PRIu64 "  ISEG exits %" PRIu64, c->dseg_exits, c->iseg_exits);
	printf("\n");
	if (r->choice.chosen != SOURCE_STOCK) {
		printf("%soutcomes:", indent);
		for (int o = 0; o < KVMSLB_OUTCOME_NR; o++)
			printf(" %s %" PRIu64, agg_outcome_name(o), c->outcome[o]);
		printf("\n");
	}
	if (r->choice.chosen == SOURCE_STATS)
		return;
	agg_unit_hist(u, &all);
	text_summary(&all, indent, "fault latency");
	for (int i = 0; u->npaths > 1 && i < u->npaths; i++) {
		char what[96];

		snprintf(what, sizeof(what), "  %s / %s", trap_str(u->paths[i].trap),
			 agg_outcome_name(u->paths[i].outcome));
		text_summary(&u->paths[i].hist, indent, what);
	}
	text_hist(&all, indent);
}

static void text_guest(const struct stat_run *r, const struct agg_guest *g,
		       const struct guest_ident *id, bool retired)
{
	printf("\nguest %s (pid %" PRIu32 ", name from %s)%s\n", id ? id->name : "?", g->tgid,
	       guest_name_from_str(id ? id->from : NAME_UNKNOWN),
	       retired ? " [exited; pid since reused]" : id && !id->alive ? " [exited]" : "");
	text_unit(r, &g->total, "  ");
	if (!r->args->per_vcpu)
		return;
	for (int i = 0; i < g->nvcpus; i++) {
		char comm[64];

		thread_comm_read("", g->tgid, g->vcpus[i].tid, comm, sizeof(comm));
		printf("  vcpu thread %" PRIu32 " (%s)\n", g->vcpus[i].tid, comm[0] ? comm : "exited");
		text_unit(r, &g->vcpus[i], "    ");
	}
}

static void print_header(const struct stat_run *r)
{
	struct missing m[4];
	int nm = source_missing(r, m);

	printf("source: %s%s\n", source_name(r->choice.chosen),
	       r->choice.forced ? " (forced)" : "");
	for (int s = 0; s < SOURCE_NR; s++)
		if (!r->choice.usable[s])
			printf("  %s unavailable: %s\n", source_name(s), r->choice.why[s]);
	for (int i = 0; i < nm; i++)
		printf("  not measured by this source: %s: %s\n", m[i].metric, m[i].reason);
	printf("histogram buckets: log2 ns, [2^k, 2^(k+1)), first [0, 2), last unbounded\n");
	fflush(stdout);
}

static void print_text(const struct stat_run *r, const struct agg *a, const char *kind,
		       unsigned long long n, double elapsed, bool with_retired)
{
	const struct agg_health *h = &a->health;
	int shown = 0;

	if (n)
		printf("\n=== %s %llu (%.2f s)\n", kind, n, elapsed);
	else
		printf("\n=== %s (%.2f s)\n", kind, elapsed);
	if (r->choice.chosen != SOURCE_STATS)
		printf("events %" PRIu64 "; lost: map full %" PRIu64 " counts, %" PRIu64
		       " samples, %" PRIu64 " fault starts; unpaired fault exits %" PRIu64
		       "; ring buffer lost %" PRIu64 "\n", h->events, h->count_overflow,
		       h->hist_overflow, h->start_overflow, h->unpaired, h->rb_lost);
	for (int i = 0; i < a->nguests; i++) {
		const struct guest_ident *id = tracker_ident(&r->tracker, a->guests[i].tgid);

		if (guest_shown(r, id)) {
			text_guest(r, &a->guests[i], id, false);
			shown++;
		}
	}
	for (int i = 0; with_retired && i < r->tracker.nretired; i++) {
		const struct retired_guest *rg = &r->tracker.retired[i];

		if (rg->data.nguests && guest_shown(r, &rg->id)) {
			text_guest(r, &rg->data.guests[0], &rg->id, true);
			shown++;
		}
	}
	if (!shown)
		printf("no guest activity\n");
	fflush(stdout);
}

static void print_report(const struct stat_run *r, const struct agg *a, const char *kind,
			 unsigned long long n, double elapsed, bool with_retired)
{
	if (kvmslb_g.json)
		print_json(r, a, kind, n, elapsed, with_retired);
	else
		print_text(r, a, kind, n, elapsed, with_retired);
}

static void print_event(const struct kvmslb_event *e, void *ctx)
{
	(void)ctx;
	if (kvmslb_g.json) {
		printf("{\"event\":{\"type\":%u,\"ts_ns\":%llu,\"pid\":%u,\"tid\":%u,\"code\":%u,"
		       "\"trap\":\"%s\",\"injected\":%u,\"outcome\":\"%s\",\"ea\":%llu,"
		       "\"latency_ns\":%llu,\"dropped\":%u}}\n", e->type,
		       (unsigned long long)e->ts_ns, e->tgid, e->tid, e->code, trap_str(e->code),
		       e->flag, agg_outcome_name(e->outcome), (unsigned long long)e->ea,
		       (unsigned long long)e->latency_ns, e->dropped);
	} else {
		bool lat = e->type == KVMSLB_EV_HFAULT || e->type == KVMSLB_EV_PAGE_FAULT;

		printf("event %-8s pid %u tid %u %s", e->type == KVMSLB_EV_SEGMENT ? "segment" :
		       e->type == KVMSLB_EV_HFAULT ? "hfault" : e->type == KVMSLB_EV_EXIT ? "exit" :
		       "pfault", e->tgid, e->tid, trap_str(e->code));
		if (e->type == KVMSLB_EV_SEGMENT || e->type == KVMSLB_EV_HFAULT)
			printf(" ea 0x%llx", (unsigned long long)e->ea);
		if (lat)
			printf(" latency %llu ns", (unsigned long long)e->latency_ns);
		if (e->type == KVMSLB_EV_HFAULT)
			printf(" outcome %s dropped %u", agg_outcome_name(e->outcome), e->dropped);
		printf("%s\n", e->flag ? " injected" : "");
	}
}

/* ---- collection ------------------------------------------------------- */
static int snapshot(struct stat_run *r)
{
	struct agg raw, view;
	int err;

	agg_init(&raw);
	agg_init(&view);
	if (r->bpf)
		err = bpf_source_read(r->bpf, &raw);
	else
		err = stats_read_all(r->probe.debugfs_kvm, r->args->guest_pid, &raw);
	if (!err)
		err = tracker_update(&r->tracker, &raw, &view);
	agg_free(&raw);
	if (err) {
		agg_free(&view);
		return err;
	}
	agg_free(&r->view);
	r->view = view;
	return 0;
}

static void on_new_guest(uint32_t tgid, void *ctx)
{
	struct stat_run *r = ctx;

	if (tracker_see(&r->tracker, tgid))
		p_warn("out of memory naming guest %u", tgid);
}

static int open_source(struct stat_run *r)
{
	struct bpf_source_opts o = {
		.source = r->choice.chosen,
		.tgid = r->args->guest_pid,
		.per_vcpu = r->args->per_vcpu,
		.tracefs = r->probe.tracefs,
		.on_event = r->args->events ? print_event : NULL,
		.on_new_guest = on_new_guest,
		.ctx = r,
		.verbose = kvmslb_g.verbose,
	};
	char err[512];
	int ret;

	if (r->choice.chosen == SOURCE_STATS) {
		if (r->args->per_vcpu) {
			p_err("--per-vcpu: the stats source sums KVM stats per VM; "
			      "use --source patched or stock");
			return KVMSLB_EXIT_USAGE;
		}
		if (r->args->events) {
			p_err("--events: the stats source has no individual events; "
			      "use --source patched or stock");
			return KVMSLB_EXIT_USAGE;
		}
		return 0;
	}
	ret = bpf_source_open(&o, &r->bpf, err, sizeof(err));
	if (ret) {
		p_err("source %s: %s", source_name(r->choice.chosen), err);
		return KVMSLB_EXIT_RUNTIME;
	}
	return 0;
}

/* Sleep until 'until' (monotonic s) or a signal, polling the source. */
static int wait_until(struct stat_run *r, double until)
{
	double next_snap = now_s() + 1.0;

	while (!stop_sig) {
		double left = until - now_s(), step = r->args->events ? 0.1 : 0.25;
		struct timespec ts;
		int err;

		if (left <= 0)
			break;
		if (left < step)
			step = left;
		if (r->bpf) {
			/* wakes up at a new guest's first event to read its name */
			err = bpf_source_wait(r->bpf, (int)(step * 1000) + 1);
			if (err && err != -EINTR)
				p_warn("reading the ring buffer failed: %s", strerror(-err));
		} else {
			ts.tv_sec = (time_t)step;
			ts.tv_nsec = (long)((step - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
		if (now_s() < next_snap)
			continue;
		next_snap = now_s() + 1.0;
		/* exits and pid reuse are noticed here, names of keys the ring missed too */
		err = snapshot(r);
		if (err)
			return err;
	}
	return 0;
}

static int run(struct stat_run *r)
{
	struct stat_args *a = r->args;
	bool intervals = a->interval > 0 && a->count > 1;
	unsigned long long n = 0;
	double until = 0;
	int err;

	r->start = now_s();
	err = snapshot(r);
	while (!err && !stop_sig) {
		if (a->interval > 0)
			until = r->start + a->interval * (double)(n + 1);
		else
			until = r->start + 86400.0 * 365 * 100;
		err = wait_until(r, until);
		if (err || stop_sig)
			break;
		n++;
		if (intervals) {
			struct agg d;

			agg_init(&d);
			err = agg_diff(&d, &r->view, &r->shown);
			if (!err)
				print_report(r, &d, "interval", n, a->interval, false);
			agg_free(&d);
			agg_free(&r->shown);
			agg_init(&r->shown);
			for (int i = 0; !err && i < r->view.nguests; i++)
				err = agg_guest_merge(&r->shown, &r->view.guests[i]);
			r->shown.health = r->view.health;
		}
		if (a->interval <= 0 || n >= (a->count ? a->count : 1))
			break;
	}
	if (err) {
		p_err("reading the %s source failed: %s", source_name(r->choice.chosen),
		      strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	if (r->bpf)
		bpf_source_wait(r->bpf, 0);
	err = snapshot(r);
	if (err) {
		p_err("reading the %s source failed: %s", source_name(r->choice.chosen),
		      strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	print_report(r, &r->view, "total", 0, now_s() - r->start, true);
	return KVMSLB_EXIT_OK;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_args a = { .source = -1 };
	const struct argp argp = { options, parse, "[interval [count]]", doc, NULL, NULL, NULL };
	struct sigaction sa = { .sa_handler = on_signal };
	struct stat_run r;
	char line[2048];
	int ret = cli_parse("stat", &argp, argc, argv, &a);

	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	r.args = &a;
	host_probe(&r.probe, "", true);
	if (source_select(&r.probe, a.source, &r.choice)) {
		source_failure_line(&r.choice, line, sizeof(line));
		p_err("%s", line);
		return KVMSLB_EXIT_RUNTIME;
	}
	tracker_init(&r.tracker, "");
	agg_init(&r.view);
	agg_init(&r.shown);
	ret = open_source(&r);
	if (ret) {
		tracker_free(&r.tracker);
		return ret;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!kvmslb_g.json)
		print_header(&r);
	ret = run(&r);
	bpf_source_close(r.bpf);
	tracker_free(&r.tracker);
	agg_free(&r.view);
	agg_free(&r.shown);
	return ret;
}
