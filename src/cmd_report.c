// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb report: per-guest totals and latency histograms from recorded
 * kvm_hv data. The path of one event: perf.data sample (record/perf_data.c),
 * trace.dat record (record/trace_dat.c) or perf script line
 * (record/perf_script.c), told apart by record/input.c -> struct trace_rec ->
 * record/trace_map.c (the BPF handlers' rules) -> core/agg.c -> view/agg_view.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmslb.h"
#include "core/agg.h"
#include "core/cli.h"
#include "core/msg.h"
#include "record/input.h"
#include "record/trace_map.h"
#include "view/agg_view.h"

static const char doc[] =
	"kvmslb report: per-guest totals and latency histograms from recorded kvm_hv data.\v"
	"Reads perf.data (file or pipe mode, zstd-compressed or not), trace-cmd's trace.dat "
	"(versions 6 and 7, compressed or not) or 'perf script' text; '-' reads standard "
	"input. The event formats come from the recording itself, so a file recorded on a "
	"POWER host, little or big endian, reads the same anywhere. Counts follow the live "
	"eBPF programs' rules: kvm_segment_synth and kvm_hfault from a patched kernel "
	"(series v2 events name their VM: vm_pid, vcpu_id; their segment totals are exact "
	"from the cumulative counts they carry, even where perf lost samples); "
	"kvm_guest_exit traps 0xe00/0xe20/0x380/0x480 and kvm_page_fault_enter/exit pairs "
	"from a stock one.\n\n"
	"Guests are named by their process's comm as recorded. perf script shows only "
	"thread ids by default: add pids with -F comm,pid,tid,cpu,time,event,trace (and "
	"--ns for nanosecond latencies), or v1 and stock guests are keyed by thread. "
	"trace.dat names threads only: v1 and stock guests read from it are keyed by vcpu "
	"thread.\n\n"
	"USAGE: kvmslb report [-j] [-i FILE|-] [--guest NAME|PID] [--per-vcpu] "
	"[--time-range START,END]\n\n"
	"EXAMPLES:\n"
	"  perf record -e 'kvm_hv:*' -a -- sleep 10 && kvmslb report\n"
	"  kvmslb report -j -i power8-host.data\n"
	"  perf record -e 'kvm_hv:*' -a -o - -- sleep 10 | kvmslb report -i -\n"
	"  trace-cmd record -e kvm_hv sleep 10 && kvmslb report -i trace.dat\n"
	"  perf script --ns -F comm,pid,tid,cpu,time,event,trace | kvmslb report -i -\n"
	"  kvmslb report --time-range 1090.5,1100 --per-vcpu\n";

enum { OPT_GUEST = 1000, OPT_PER_VCPU, OPT_TIME_RANGE };

static const struct argp_option options[] = {
	{ "input", 'i', "FILE", 0, "perf.data, trace.dat or perf script text; - for standard "
	  "input (default: perf.data)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (pid, or comm as recorded)", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "break totals down by vcpu (the event's vcpu_id; "
	  "the thread where the event has none)", 0 },
	{ "time-range", OPT_TIME_RANGE, "START,END", 0, "only events in this time window, in "
	  "seconds as perf script prints them (either end may be empty; several ranges "
	  "separated by spaces)", 0 },
	{ 0 },
};

struct report_args {
	const char *input;
	const char *guest;
	uint32_t guest_pid;
	bool per_vcpu;
	const char *time_range;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case 'i':
		a->input = arg;
		return 0;
	case OPT_GUEST:
		return cli_arg_guest(state, arg, &a->guest, &a->guest_pid);
	case OPT_PER_VCPU:
		a->per_vcpu = true;
		return 0;
	case OPT_TIME_RANGE:
		a->time_range = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (the input is -i FILE)", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct report_idents {
	const struct agg *agg;
	struct guest_ident *ids;	/* in the order of agg->guests */
};

static const struct guest_ident *report_ident(const void *ctx, uint32_t tgid)
{
	const struct report_idents *ri = ctx;
	const struct agg_guest *g = agg_find(ri->agg, tgid);

	return g ? &ri->ids[g - ri->agg->guests] : NULL;
}

/* ---- progress on a terminal ------------------------------------------------ */

#define PROGRESS_MIN_BYTES	100000000ULL	/* 100 MB */

struct progress {
	const char *name;
	uint64_t total;
	double last;
	bool shown;
};

static void progress_cb(void *ctx, uint64_t done)
{
	struct progress *p = ctx;
	double now = cli_now();

	if (now - p->last < 0.25)
		return;
	p->last = now;
	p->shown = true;
	fprintf(stderr, "\rkvmslb report: reading %s: %llu of %llu MB (%d%%)   ", p->name,
		(unsigned long long)(done >> 20), (unsigned long long)(p->total >> 20),
		(int)(done * 100 / (p->total ? p->total : 1)));
}

static void progress_end(struct progress *p)
{
	if (p->shown)
		fprintf(stderr, "\r%*s\r", 78, "");
}

/* ---- what the reading says ------------------------------------------------- */

static void warnings(const char *in, const struct trace_read_stats *st,
		     const struct trace_map *m, const struct record_input *ri)
{
	const struct trace_map_stats *ms = &m->st;

	if (st->undecodable_kvm_hv)
		p_warn("%s: %llu kvm_hv records could not be read, first: %s", in,
		       (unsigned long long)st->undecodable_kvm_hv, st->undecodable_first);
	if (st->lost_implausible)
		p_warn("%s: %llu lost-event counts are too large to be true (largest %llu): "
		       "not counted; the file may be corrupt", in,
		       (unsigned long long)st->lost_implausible,
		       (unsigned long long)st->lost_max_implausible);
	if (st->note[0])
		p_warn("%s: %s", in, st->note);
	if (ms->tid_as_pid) {
		if (ri->kind == IN_TRACE_DAT)
			p_warn("%s: trace.dat records name threads, not processes: v1 and stock "
			       "guests are keyed by vcpu thread id (record with perf record for "
			       "per-guest totals)", in);
		else
			p_warn("%s: %llu samples had no pid: their guests are keyed by thread id "
			       "(perf script -F comm,pid,tid,cpu,time,event,trace)", in,
			       (unsigned long long)ms->tid_as_pid);
	}
	if (ms->missing_field)
		p_warn("%s: %llu kvm_hv samples lacked a field their event must have", in,
		       (unsigned long long)ms->missing_field);
	if (ms->seg_recovered)
		p_warn("%s: %llu segment interrupts counted from the events' cumulative counts "
		       "(their records were lost by perf or dropped by the kernel: %llu dropped)",
		       in, (unsigned long long)ms->seg_recovered,
		       (unsigned long long)ms->seg_dropped);
	if (ms->seg_inconsistent || ms->seg_implausible)
		p_warn("%s: cumulative segment counts of %llu vcpus went backwards and of %llu "
		       "rose faster than possible: those vcpus count their records only", in,
		       (unsigned long long)ms->seg_inconsistent,
		       (unsigned long long)ms->seg_implausible);
	if (ms->reorder_overflow)
		p_warn("%s: %llu page-fault events were paired before perf's round marks "
		       "said their round was complete: pairs may be wrong", in,
		       (unsigned long long)ms->reorder_overflow);
	if (m->nranges && ms->out_of_range)
		p_warn("%s: %llu kvm_hv records outside --time-range skipped", in,
		       (unsigned long long)ms->out_of_range);
}

/* The span of the kvm_hv records, or 0 with a warning when it cannot be true. */
static double span_of(const char *in, const struct trace_map *m)
{
	double s = m->last_ns > m->first_ns ? (double)(m->last_ns - m->first_ns) / 1e9 : 0;

	if (s > 366.0 * 86400) {
		p_warn("%s: the kvm_hv records' timestamps span %.0f s (%.0f days): not a "
		       "recording's length, so no time is shown; the file may be corrupt", in, s,
		       s / 86400);
		return 0;
	}
	return s;
}

static int read_error(int ret, const char *err)
{
	if (ret == -EINVAL || ret == -ENOENT) {
		p_err("%s%s", err, ret == -ENOENT ? " (record with: perf record -e 'kvm_hv:*' -a)" :
		      "");
		return KVMSLB_EXIT_USAGE;
	}
	p_err("%s", ret == -ENOMEM ? "out of memory" : err);
	return KVMSLB_EXIT_RUNTIME;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .input = "perf.data" };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct report_idents ri = { 0 };
	struct progress prog = { 0 };
	struct trace_read_stats st;
	struct record_input in;
	struct trace_sink sink;
	struct view_opts v;
	struct trace_map m;
	struct agg agg;
	char err[640];
	int ret = cli_parse("report", &argp, argc, argv, &a);

	if (ret)
		return ret;
	agg_init(&agg);
	trace_map_init(&m, &agg);
	memset(&in, 0, sizeof(in));
	in.fd = -1;
	m.tgid = a.guest_pid;
	m.per_vcpu = a.per_vcpu;
	if (a.time_range && (ret = trace_map_time_range(&m, a.time_range, err, sizeof(err)))) {
		ret = read_error(ret, err);
		goto out;
	}
	if ((ret = record_open(&in, a.input, err, sizeof(err)))) {
		ret = read_error(ret, err);
		goto out;
	}
	m.ordered = in.kind != IN_PERF_DATA;
	trace_map_sink(&m, &sink);
	if (in.file && in.size > PROGRESS_MIN_BYTES && !kvmslb_g.json && isatty(2)) {
		prog.name = a.input;
		prog.total = in.size;
		sink.progress = progress_cb;
		sink.progress_ctx = &prog;
	}
	agg_bulk_begin(&agg);
	ret = record_read(&in, &sink, &st, err, sizeof(err));
	progress_end(&prog);
	if (!ret)
		ret = trace_map_finish(&m);
	agg_bulk_end(&agg);
	if (ret) {
		ret = read_error(ret, err);
		goto out;
	}
	warnings(a.input, &st, &m, &in);
	if (!st.kvm_hv) {
		if (st.undecodable_kvm_hv)
			p_err("%s: none of its %llu kvm_hv records could be read (first: %s)",
			      a.input, (unsigned long long)st.undecodable_kvm_hv,
			      st.undecodable_first);
		else
			p_err("%s: no kvm_hv events (%llu samples of other events); record with %s",
			      a.input, (unsigned long long)st.samples,
			      in.kind == IN_TRACE_DAT ? "trace-cmd record -e kvm_hv" :
			      "perf record -e 'kvm_hv:*'");
		ret = KVMSLB_EXIT_USAGE;
		goto out;
	}
	ri.agg = &agg;
	ri.ids = calloc(agg.nguests ? agg.nguests : 1, sizeof(*ri.ids));
	if (!ri.ids) {
		p_err("out of memory");
		ret = KVMSLB_EXIT_RUNTIME;
		goto out;
	}
	for (int i = 0; i < agg.nguests; i++)
		trace_map_ident(&m, agg.guests[i].tgid, &ri.ids[i]);
	v = (struct view_opts){
		.kind = m.seen_patched || !m.seen_stock ? SOURCE_PATCHED : SOURCE_STOCK,
		.input = a.input,
		.input_lost = st.lost,
		.input_undecodable = st.undecodable,
		.input_recovered = m.st.seg_recovered,
		.per_vcpu = a.per_vcpu,
		.guest_name = a.guest_pid ? NULL : a.guest,
		.ident = report_ident,
		.ident_ctx = &ri,
	};
	if (!kvmslb_g.json)
		view_header(&v);
	/* the span the recording covers, first to last kvm_hv record */
	view_report(&v, &agg, "total", 0, span_of(a.input, &m), false);
	ret = KVMSLB_EXIT_OK;
out:
	free(ri.ids);
	record_close(&in);
	trace_map_free(&m);
	agg_free(&agg);
	return ret;
}
