// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb report: per-guest totals and latency histograms from recorded
 * kvm_hv data. The path of one event: perf.data sample (record/perf_data.c),
 * trace.dat record (record/trace_dat.c) or perf script line
 * (record/perf_script.c) -> struct trace_rec ->
 * record/trace_map.c (the BPF handlers' rules) -> core/agg.c -> view/agg_view.c.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmslb.h"
#include "core/agg.h"
#include "core/cli.h"
#include "core/msg.h"
#include "core/text.h"
#include "record/trace_map.h"
#include "record/trace_rec.h"
#include "view/agg_view.h"

static const char doc[] =
	"kvmslb report: per-guest totals and latency histograms from recorded kvm_hv data.\v"
	"Reads perf.data or trace-cmd's trace.dat (version 6; the event formats come from "
	"the file itself, so a file recorded on a POWER host, little or big endian, reads "
	"the same anywhere) or 'perf script' text ('-' reads standard input). Counts "
	"follow the live eBPF programs' rules: "
	"kvm_segment_synth and kvm_hfault from a patched kernel; kvm_guest_exit traps "
	"0xe00/0xe20/0x380/0x480 and kvm_page_fault_enter/exit pairs from a stock one.\n\n"
	"Guests are named by their process's comm as recorded. perf script shows only "
	"thread ids by default: add pids with -F comm,pid,tid,cpu,time,event,trace (and "
	"--ns for nanosecond latencies), or guests are keyed by thread. trace.dat names "
	"threads only, so its guests are always keyed by vcpu thread.\n\n"
	"USAGE: kvmslb report [-j] [-i FILE|-] [--guest NAME|PID] [--per-vcpu]\n\n"
	"EXAMPLES:\n"
	"  perf record -e 'kvm_hv:*' -a -- sleep 10 && kvmslb report\n"
	"  kvmslb report -j -i power8-host.data\n"
	"  trace-cmd record --file-version 6 -e kvm_hv sleep 10 && kvmslb report -i trace.dat\n"
	"  perf script --ns -F comm,pid,tid,cpu,time,event,trace | kvmslb report -i -\n";

enum { OPT_GUEST = 1000, OPT_PER_VCPU };

static const struct argp_option options[] = {
	{ "input", 'i', "FILE", 0, "perf.data or trace.dat file, or - for perf script text "
	  "(default: perf.data)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (pid, or comm as recorded)", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "break totals down by vcpu thread", 0 },
	{ 0 },
};

struct report_args {
	const char *input;
	const char *guest;
	uint32_t guest_pid;
	bool per_vcpu;
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
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s' (the input is -i FILE)", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct report_idents {
	const struct trace_map *map;
	struct guest_ident *ids;
	int n;
};

static const struct guest_ident *report_ident(const void *ctx, uint32_t tgid)
{
	const struct report_idents *ri = ctx;

	for (int i = 0; i < ri->n; i++)
		if (ri->ids[i].tgid == tgid)
			return &ri->ids[i];
	return NULL;
}

static int build_idents(struct report_idents *ri, const struct agg *a)
{
	ri->ids = calloc(a->nguests ? a->nguests : 1, sizeof(*ri->ids));
	if (!ri->ids)
		return -ENOMEM;
	for (int i = 0; i < a->nguests; i++) {
		struct guest_ident *id = &ri->ids[ri->n++];
		const char *comm = trace_map_comm(ri->map, a->guests[i].tgid);

		id->tgid = a->guests[i].tgid;
		id->from = comm ? NAME_COMM : NAME_UNKNOWN;
		text_sanitize(id->name, sizeof(id->name), comm ? comm : "", SIZE_MAX);
	}
	return 0;
}

enum input_kind { IN_TEXT, IN_PERF_DATA, IN_TRACE_DAT };

/*
 * perf.data starts with "PERFILE2" in either byte order, trace-cmd's
 * trace.dat with "\x17\x08\x44tracing"; anything else is perf script text.
 */
static enum input_kind input_kind(FILE *f)
{
	static const char tracing[] = "\x17\x08\x44tracing";
	char magic[sizeof(tracing) - 1];
	size_t n = fread(magic, 1, sizeof(magic), f);

	rewind(f);
	if (n >= 8 && (!memcmp(magic, "PERFILE2", 8) || !memcmp(magic, "2ELIFREP", 8)))
		return IN_PERF_DATA;
	if (n == sizeof(magic) && !memcmp(magic, tracing, sizeof(magic)))
		return IN_TRACE_DAT;
	return IN_TEXT;
}

static int read_input(const char *path, struct trace_map *m, struct trace_read_stats *st,
		      enum input_kind *kindp)
{
	enum input_kind kind;
	char err[512];
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	int ret;

	if (!f) {
		p_err("%s: %s%s", path, strerror(errno), errno == ENOENT ?
		      " (record with: perf record -e 'kvm_hv:*' -a)" : "");
		return errno == ENOENT ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	kind = f != stdin ? input_kind(f) : IN_TEXT;
	*kindp = kind;
	if (kind == IN_PERF_DATA) {
		fclose(f);
		ret = trace_read_file(path, perf_data_read_mem, trace_map_feed, m, st, err,
				      sizeof(err));
	} else if (kind == IN_TRACE_DAT) {
		fclose(f);
		ret = trace_read_file(path, trace_dat_read_mem, trace_map_feed, m, st, err,
				      sizeof(err));
	} else {
		ret = perf_script_read(f, trace_map_feed, m, st, err, sizeof(err));
		if (f != stdin)
			fclose(f);
		if (!ret && st->undecodable)
			p_warn("%s: %llu kvm_hv lines could not be read, first: %s", path,
			       (unsigned long long)st->undecodable, err);
	}
	if (ret == -EINVAL) {
		p_err("%s", err);
		return KVMSLB_EXIT_USAGE;
	}
	if (ret) {
		p_err("%s: %s", path, ret == -ENOMEM ? "out of memory" : err[0] ? err :
		      strerror(-ret));
		return KVMSLB_EXIT_RUNTIME;
	}
	return 0;
}

int cmd_report(int argc, char **argv)
{
	struct report_args a = { .input = "perf.data" };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct report_idents ri = { 0 };
	struct trace_read_stats st;
	enum input_kind kind = IN_TEXT;
	struct view_opts v;
	struct trace_map m;
	struct agg agg;
	int ret = cli_parse("report", &argp, argc, argv, &a);

	if (ret)
		return ret;
	agg_init(&agg);
	trace_map_init(&m, &agg);
	m.tgid = a.guest_pid;
	m.per_vcpu = a.per_vcpu;
	ret = read_input(a.input, &m, &st, &kind);
	if (ret)
		goto out;
	if (!m.seen_patched && !m.seen_stock) {
		p_err("%s: no kvm_hv events (%llu samples of other events); record with "
		      "%s", a.input, (unsigned long long)(st.samples + st.other_records),
		      kind == IN_TRACE_DAT ? "trace-cmd record --file-version 6 -e kvm_hv" :
		      "perf record -e 'kvm_hv:*'");
		ret = KVMSLB_EXIT_USAGE;
		goto out;
	}
	if (m.tid_as_pid && kind == IN_TRACE_DAT)
		p_warn("%s: trace.dat records name threads, not processes: guests are keyed "
		       "by vcpu thread id (record with perf record for per-guest totals)",
		       a.input);
	else if (m.tid_as_pid)
		p_warn("%s: %llu samples had no pid: their guests are keyed by thread id "
		       "(perf script -F comm,pid,tid,cpu,time,event,trace)", a.input,
		       (unsigned long long)m.tid_as_pid);
	if (m.missing_field)
		p_warn("%s: %llu kvm_hv samples lacked a field their event must have",
		       a.input, (unsigned long long)m.missing_field);
	ri.map = &m;
	if (build_idents(&ri, &agg)) {
		p_err("out of memory");
		ret = KVMSLB_EXIT_RUNTIME;
		goto out;
	}
	v = (struct view_opts){
		.kind = m.seen_patched ? SOURCE_PATCHED : SOURCE_STOCK,
		.input = a.input,
		.input_lost = st.lost,
		.input_undecodable = st.undecodable,
		.per_vcpu = a.per_vcpu,
		.guest_name = a.guest_pid ? NULL : a.guest,
		.ident = report_ident,
		.ident_ctx = &ri,
	};
	if (!kvmslb_g.json)
		view_header(&v);
	/* the span the recording covers, first to last kvm_hv sample */
	view_report(&v, &agg, "total", 0, (double)(m.last_ns - m.first_ns) / 1e9, false);
	ret = KVMSLB_EXIT_OK;
out:
	free(ri.ids);
	trace_map_free(&m);
	agg_free(&agg);
	return ret;
}
