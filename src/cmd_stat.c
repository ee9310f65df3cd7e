// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb stat: per-guest totals and log2 fault-latency histograms over an
 * interval. The path of one event: kvm_hv tracepoint -> bpf/kvmslb.bpf.c
 * handler -> per-CPU map -> core/bpf_source.c (sum over CPUs) -> core/agg.c
 * -> core/tracker.c (names, exits, pid reuse) -> view/agg_view.c (text, JSON).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmslb.h"
#include "core/bpf_source.h"
#include "core/collector.h"
#include "core/cli.h"
#include "core/msg.h"
#include "view/agg_view.h"
#include "view/attached.h"

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

	switch (key) {
	case OPT_SOURCE:
		return cli_arg_source(state, arg, &a->source);
	case OPT_GUEST:
		return cli_arg_guest(state, arg, &a->guest, &a->guest_pid);
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
struct stat_run {
	struct stat_args *args;
	struct view_opts view_opts;
	struct collector col;
	struct agg shown;	/* the view at the last interval report */
	double start;
};

static void print_event(const struct kvmslb_event *e, void *ctx)
{
	/* events that name their vcpu (v2, stock with BTF) carry its id, else a thread */
	bool vcpu = agg_unit_is_vcpu_id(e->tid);

	(void)ctx;
	if (kvmslb_g.json) {
		printf("{\"event\":{\"type\":%u,\"ts_ns\":%llu,\"pid\":%u,\"%s\":%u,\"code\":%u,"
		       "\"trap\":\"%s\",\"injected\":%u,\"outcome\":\"%s\",\"ea\":%llu,"
		       "\"latency_ns\":%llu,\"dropped\":%u}}\n", e->type,
		       (unsigned long long)e->ts_ns, e->tgid, vcpu ? "vcpu_id" : "tid",
		       vcpu ? agg_unit_vcpu_id(e->tid) : e->tid, e->code, view_trap_str(e->code),
		       e->flag, agg_outcome_name(e->outcome), (unsigned long long)e->ea,
		       (unsigned long long)e->latency_ns, e->dropped);
	} else {
		bool lat = e->type == KVMSLB_EV_HFAULT || e->type == KVMSLB_EV_PAGE_FAULT;

		printf("event %-8s pid %u %s %u %s", e->type == KVMSLB_EV_SEGMENT ? "segment" :
		       e->type == KVMSLB_EV_HFAULT ? "hfault" : e->type == KVMSLB_EV_EXIT ? "exit" :
		       "pfault", e->tgid, vcpu ? "vcpu" : "tid",
		       vcpu ? agg_unit_vcpu_id(e->tid) : e->tid, view_trap_str(e->code));
		if (e->type == KVMSLB_EV_SEGMENT || e->type == KVMSLB_EV_HFAULT)
			printf(" ea 0x%llx", (unsigned long long)e->ea);
		if (lat)
			printf(" latency %llu ns", (unsigned long long)e->latency_ns);
		if (e->type == KVMSLB_EV_HFAULT)
			printf(" outcome %s dropped %u", agg_outcome_name(e->outcome), e->dropped);
		printf("%s\n", e->flag ? " injected" : "");
	}
}

static void print_report(struct stat_run *r, const struct agg *a, const char *kind,
			 unsigned long long n, double elapsed, bool with_retired)
{
	r->view_opts.retired = r->col.tracker.retired;
	r->view_opts.nretired = r->col.tracker.nretired;
	view_report(&r->view_opts, a, kind, n, elapsed, with_retired);
}

/* ---- collection ------------------------------------------------------- */
/* Sleep until 'until' (monotonic s) or a signal, polling the source. */
static int wait_until(struct stat_run *r, double until)
{
	double next_snap = cli_now() + 1.0;

	while (!cli_stop) {
		double left = until - cli_now(), step = r->args->events ? 0.1 : 0.25;
		int err;

		if (left <= 0)
			break;
		if (left < step)
			step = left;
		/* the eBPF sources wake up at a new guest's first event to name it */
		err = collector_wait(&r->col, (int)(step * 1000) + 1);
		if (err && err != -EINTR)
			p_warn("reading the ring buffer failed: %s", strerror(-err));
		if (cli_now() < next_snap)
			continue;
		next_snap = cli_now() + 1.0;
		/* exits and pid reuse are noticed here, names of keys the ring missed too */
		err = collector_snapshot(&r->col);
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

	r->start = cli_now();
	err = collector_snapshot(&r->col);
	while (!err && !cli_stop) {
		if (a->interval > 0)
			until = r->start + a->interval * (double)(n + 1);
		else
			until = r->start + 86400.0 * 365 * 100;
		err = wait_until(r, until);
		if (err || cli_stop)
			break;
		n++;
		if (intervals) {
			struct agg d;

			/* the interval ends now: its view must be read now */
			err = collector_snapshot(&r->col);
			if (err)
				break;
			agg_init(&d);
			err = agg_diff(&d, &r->col.view, &r->shown);
			if (!err)
				print_report(r, &d, "interval", n, a->interval, false);
			agg_free(&d);
			/* what was shown, for the next interval: moved, not copied */
			collector_take_view(&r->col, &r->shown);
		}
		if (a->interval <= 0 || n >= (a->count ? a->count : 1))
			break;
	}
	if (err) {
		p_err("reading the %s source failed: %s", source_name(r->col.choice.chosen),
		      strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	collector_wait(&r->col, 0);
	err = collector_snapshot(&r->col);
	if (err) {
		p_err("reading the %s source failed: %s", source_name(r->col.choice.chosen),
		      strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	print_report(r, &r->col.view, "total", 0, cli_now() - r->start, true);
	return KVMSLB_EXIT_OK;
}

int cmd_stat(int argc, char **argv)
{
	struct stat_args a = { .source = -1 };
	const struct argp argp = { options, parse, "[interval [count]]", doc, NULL, NULL, NULL };
	struct collector_opts co;
	struct stat_run r;
	char line[2048];
	int ret = cli_parse("stat", &argp, argc, argv, &a);

	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	r.args = &a;
	agg_init(&r.shown);
	co = (struct collector_opts){
		.source = a.source,
		.tgid = a.guest_pid,
		.per_vcpu = a.per_vcpu,
		/* JSON shows one histogram a vcpu; text a line per path */
		.vcpu_paths_merged = kvmslb_g.json,
		.btf = kvmslb_g.btf,
		.on_event = a.events ? print_event : NULL,
		.verbose = kvmslb_g.verbose,
	};
	ret = collector_open(&r.col, &co, line, sizeof(line));
	if (ret) {
		p_err("%s", line);
		collector_close(&r.col);
		return ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	cli_catch_stop();
	r.view_opts = (struct view_opts){
		.kind = r.col.choice.chosen,
		.choice = &r.col.choice,
		.live = true,
		.per_vcpu = a.per_vcpu,
		/* a pid filter is applied by the source */
		.guest_name = a.guest_pid ? NULL : a.guest,
		.ident = collector_ident,
		.ident_ctx = &r.col,
	};
	if (!kvmslb_g.json)
		view_header(&r.view_opts);
	view_attached(stdout, &r.col, kvmslb_g.json, kvmslb_g.pretty);
	ret = run(&r);
	collector_close(&r.col);
	agg_free(&r.shown);
	return ret;
}
