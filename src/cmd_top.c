// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb top (kvmslbtop): the live per-guest view. Each refresh takes a
 * cumulative snapshot of the source (core/collector.c on a host, or
 * core/replay.c for a recording), turns it, the previous one and the one
 * of the last reset into rows (top/rows.c) and shows them: top/screen.c on
 * a terminal, top/batch.c (-b) as text or JSON lines, top/log.c (-L). The
 * loop is top/loop.c, the keys top/keys.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/collector.h"
#include "core/msg.h"
#include "core/replay.h"
#include "top/run.h"
#include "top/textw.h"
#include "view/attached.h"

static const char doc[] =
	"kvmslb top: live per-guest view: segment interrupts synthesized per second and in "
	"total, HDSI/HISI fault paths per second, fault-path latency, what was dropped.\v"
	"Rates and latency are of the last refresh interval, totals since start or the last "
	"reset. Latency is shown as its log2 bucket: <8.2us is [4.1us, 8.2us). Columns are "
	"laid out for the terminal's width, most useful first; guest names take the rest. "
	"What the source cannot measure is named in the header, with the reason.\n\n"
	"Keys (h on the screen lists them all): q quit, h or ? help, p or space pause, "
	"r reset, s delay, o/O/i sort, f regex filter, g guest, c clear, Enter drill-down of "
	"the selected guest (per vcpu, latency by path), Ctrl-L repaint.\n\n"
	"USAGE: kvmslb top [-b [-j]] [-n COUNT] [-d SECONDS] [--sort KEY] [--source SRC] "
	"[--guest NAME|PID] [-L FILE] [--replay FILE]\n\n"
	"EXAMPLES:\n"
	"  kvmslbtop                          # live screen, refreshed every second\n"
	"  kvmslb top -b -n 10                # batch: ten refreshes as text\n"
	"  kvmslb top -b -j -d 5 --sort p99   # JSON lines every 5 s, slowest first\n"
	"  kvmslbtop -L /var/log/kvmslb.csv -d 60   # a line per guest and minute\n"
	"  kvmslbtop --replay host1.jsonl     # replay 'kvmslb stat -j --per-vcpu 1 N'\n";

enum { OPT_SOURCE = 1000, OPT_GUEST, OPT_SORT, OPT_REPLAY };

static const struct argp_option options[] = {
	{ "batch", 'b', NULL, 0, "batch mode: print each refresh to stdout (text, or JSON with -j)", 0 },
	{ "iterations", 'n', "COUNT", 0, "stop after COUNT refreshes", 0 },
	{ "delay", 'd', "SECONDS", 0, "refresh interval, 0.1 to 3600 (default 1)", 0 },
	{ "sort", OPT_SORT, "KEY", 0, "seg/s (default), dsegi/s, isegi/s, seg, dsegi, isegi, "
	  "inject, fault/s, hdsi/s, hisi/s, p50, p99, max, drop, name, pid", 0 },
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (its VMM pid or its name)", 0 },
	{ "log", 'L', "FILE", 0, "log mode: append a line per guest and refresh to FILE (CSV, "
	  "or JSON lines with -j), no screen; SIGHUP reopens FILE", 0 },
	{ "replay", OPT_REPLAY, "FILE", 0, "show a recording of 'kvmslb stat -j [--per-vcpu] "
	  "INTERVAL COUNT' instead of this host, one interval per refresh", 0 },
	{ 0 },
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct top_args *a = state->input;

	switch (key) {
	case 'b':
		a->batch = true;
		return 0;
	case 'n':
		if (cli_parse_u64(arg, 1, 1ULL << 40, &a->count)) {
			argp_error(state, "invalid count '%s' (a positive integer)", arg);
			return EINVAL;
		}
		return 0;
	case 'd':
		if (cli_parse_seconds(arg, 0.1, 3600, &a->delay)) {
			argp_error(state, "invalid delay '%s' (seconds, 0.1 to 3600)", arg);
			return EINVAL;
		}
		a->delay_set = true;
		return 0;
	case OPT_SORT:
		if (top_sort_from_name(arg, &a->sort)) {
			argp_error(state, "unknown sort key '%s' (see --help)", arg);
			return EINVAL;
		}
		a->sort_set = true;
		a->ascending = top_sort_default_ascending(a->sort);
		return 0;
	case OPT_SOURCE:
		return cli_arg_source(state, arg, &a->source);
	case OPT_GUEST:
		return cli_arg_guest(state, arg, &a->guest, &a->guest_pid);
	case 'L':
		if (!*arg) {
			argp_error(state, "-L needs a file name");
			return EINVAL;
		}
		a->log = arg;
		return 0;
	case OPT_REPLAY:
		a->replay = arg;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (a->replay && a->source >= 0) {
			argp_error(state, "--replay shows the source recorded; --source is for a host");
			return EINVAL;
		}
		if (a->log && a->batch) {
			argp_error(state, "-L and -b are two modes; choose one");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* ---- setup ------------------------------------------------------------- */
static const char no_latency_stats[] =
	"debugfs shows a KVM histogram stat as one number; kvmslb does not read KVM_GET_STATS_FD";
static const char no_vcpus_stats[] = "debugfs sums KVM stats per VM";

static void frame_live(struct top_run *r)
{
	const struct source_choice *ch = &r->col.choice;
	static char seg_why[640], cpu[96];

	r->frame.host = r->uts.nodename;
	r->frame.kernel = r->col.probe.release;
	if (r->col.probe.is_power)
		snprintf(cpu, sizeof(cpu), "%s", cpu_gen_name(r->col.probe.gen));
	else
		snprintf(cpu, sizeof(cpu), "%s (not POWER)", r->col.probe.machine);
	r->frame.cpu = cpu;
	r->frame.source = source_name(ch->chosen);
	r->frame.source_forced = ch->forced;
	r->frame.has_segments = ch->chosen != SOURCE_STOCK;
	r->frame.has_latency = ch->chosen != SOURCE_STATS;
	if (ch->chosen == SOURCE_STOCK) {
		/* on a patched kernel the patched source could run: say so, do not leave it blank */
		if (ch->why[SOURCE_PATCHED][0])
			snprintf(seg_why, sizeof(seg_why), "%s", ch->why[SOURCE_PATCHED]);
		else
			snprintf(seg_why, sizeof(seg_why), "the stock tracepoints do not see "
				 "segment interrupts synthesized in real mode; this kernel has the "
				 "kvmslb tracepoints: use --source patched");
		r->frame.no_segments_why = seg_why;
	}
	if (ch->chosen == SOURCE_STATS) {
		r->frame.no_latency_why = no_latency_stats;
		r->frame.no_vcpus_why = no_vcpus_stats;
	}
}

static void frame_replay(struct top_run *r, const char *path)
{
	enum data_source s = replay_source(r->rp);

	r->frame.replay = path;
	r->frame.source = source_name(s);
	r->frame.has_segments = s != SOURCE_STOCK;
	r->frame.has_latency = s != SOURCE_STATS;
	r->frame.has_vcpus = replay_per_vcpu(r->rp);
	r->frame.no_segments_why = replay_unavailable(r->rp, "segment_synthesis");
	r->frame.no_latency_why = replay_unavailable(r->rp, "latency_histograms");
	r->frame.no_vcpus_why = s == SOURCE_STATS ? no_vcpus_stats :
				"the recording was made without --per-vcpu";
}

static int open_live(struct top_run *r)
{
	struct collector_opts co = {
		.source = r->a->source,
		.tgid = r->a->guest_pid,
		.per_vcpu = true,	/* for the drill-down */
		.vcpu_paths_merged = true,	/* it shows a vcpu's latency, not its paths' */
		.btf = kvmslb_g.btf,
		.verbose = kvmslb_g.verbose,
	};
	char err[2048];
	int ret = collector_open(&r->col, &co, err, sizeof(err));

	if (ret == COLLECTOR_BAD_OPTION) {
		/* the stats source has no vcpus: without them, then */
		collector_close(&r->col);
		co.per_vcpu = false;
		ret = collector_open(&r->col, &co, err, sizeof(err));
	}
	if (ret) {
		p_err("%s", err);
		collector_close(&r->col);
		return ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	r->frame.has_vcpus = co.per_vcpu;
	r->cur = &r->col.view;
	uname(&r->uts);
	frame_live(r);
	return 0;
}

static int open_replay(struct top_run *r)
{
	char err[1024] = "";
	int ret = replay_open(r->a->replay, &r->rp, err, sizeof(err));

	if (ret) {
		p_err("--replay %s", err);
		return ret == -EINVAL ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	r->cur = replay_view(r->rp);
	frame_replay(r, r->a->replay);
	return 0;
}

static void cleanup(struct top_run *r)
{
	tui_stop(r->tui);
	top_log_close(r->log);
	if (r->rp)
		replay_close(r->rp);
	else
		collector_close(&r->col);
	agg_free(&r->prev);
	agg_free(&r->base);
	top_trends_free(&r->trends);
	if (r->has_re)
		regfree(&r->re);
	free(r->rows);
}
int cmd_top(int argc, char **argv)
{
	struct top_args a = { .delay = 1.0, .source = -1 };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	char err[1024];
	struct top_run r;
	int ret = cli_parse("top", &argp, argc, argv, &a);

	if (ret)
		return ret;
	if (kvmslb_g.json && !a.batch && !a.log) {
		p_err("-j needs batch mode (-b) or a log (-L): the live screen is not JSON");
		return KVMSLB_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.a = &a;
	agg_init(&r.prev);
	agg_init(&r.base);
	if (a.guest && !a.guest_pid)
		snprintf(r.guest_name, sizeof(r.guest_name), "%s", a.guest);
	if (a.replay)
		r.guest_pid = a.guest_pid;	/* live, the source filters by pid itself */
	ret = a.replay ? open_replay(&r) : open_live(&r);
	if (ret) {
		agg_free(&r.prev);
		agg_free(&r.base);
		return ret;
	}
	top_filter_text(&r);
	if (!a.sort_set) {
		a.sort = r.frame.has_segments ? SORT_SEG_RATE : SORT_FAULT_RATE;
		a.ascending = false;
	}
	textw_init(!a.batch && !a.log);
	if (a.batch && !a.replay)
		view_attached(stdout, &r.col, kvmslb_g.json, kvmslb_g.pretty);
	if (a.log) {
		r.log = top_log_open(a.log, kvmslb_g.json, err, sizeof(err));
		if (!r.log) {
			p_err("%s", err);
			cleanup(&r);
			return KVMSLB_EXIT_RUNTIME;
		}
		top_catch_hup();
	} else if (!a.batch) {
		r.tui = tui_start(err, sizeof(err));
		if (!r.tui) {
			p_err("%s", err);
			cleanup(&r);
			return KVMSLB_EXIT_RUNTIME;
		}
	}
	cli_catch_stop();
	ret = top_loop(&r);
	cleanup(&r);
	return ret;
}
