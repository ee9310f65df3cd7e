// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb top (kvmslbtop): the live per-guest view. Each refresh takes a
 * snapshot of the collector (core/collector.c), turns it and the previous
 * one into rows (top/rows.c: totals, per-second rates and latency
 * percentiles of the interval) and shows them: top/tui.c on a terminal,
 * top/batch.c (-b) as text or JSON lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/collector.h"
#include "core/msg.h"
#include "top/batch.h"
#include "top/rows.h"
#include "top/tui.h"
#include "view/attached.h"

static const char doc[] =
	"kvmslb top: live per-guest view: guest, pid, DSegI/ISegI synthesized, HDSI/HISI rate, "
	"p50/p99/max fault latency.\v"
	"Counts are totals since start; HDSI/s and HISI/s and the latency columns are of the "
	"last refresh interval. A latency percentile is shown as the upper bound of the log2 "
	"bucket that holds it (<2.0us: under 2048 ns); MAX is exact, or '<' a bound when "
	"only its bucket is known. A guest marked * has exited. Columns a source cannot "
	"measure read n/a, and the reason is shown.\n\n"
	"Keys: q quit; s/S next/previous sort column; r reverse; f filter by name; c clear "
	"the filter; j/k or arrows select; h or Enter histogram of the selected guest; "
	"+/- refresh slower/faster; space refresh now.\n\n"
	"USAGE: kvmslb top [-b] [-n COUNT] [-d SECONDS] [--sort KEY] [--source SRC] "
	"[--guest NAME|PID]\n\n"
	"EXAMPLES:\n"
	"  kvmslbtop                          # live screen, refreshed every second\n"
	"  kvmslb top -b -n 10                # batch: ten refreshes as text\n"
	"  kvmslb top -b -j -d 5 --sort p99   # JSON lines every 5 s, slowest first\n";

enum { OPT_SOURCE = 1000, OPT_GUEST, OPT_SORT };

static const struct argp_option options[] = {
	{ "batch", 'b', NULL, 0, "batch mode: print each refresh to stdout (text, or JSON with -j)", 0 },
	{ "iterations", 'n', "COUNT", 0, "stop after COUNT refreshes", 0 },
	{ "delay", 'd', "SECONDS", 0, "refresh interval, 0.1 to 3600 (default 1)", 0 },
	{ "sort", OPT_SORT, "KEY", 0, "seg (default), name, pid, dsegi, isegi, hdsi, hisi, p50, p99, max", 0 },
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "NAME|PID", 0, "only this guest (pid, or a part of its name)", 0 },
	{ 0 },
};

struct top_args {
	bool batch;
	unsigned long long count;
	double delay;
	enum top_sort sort;
	bool ascending;
	int source;
	const char *guest;
	uint32_t guest_pid;
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
		return 0;
	case OPT_SORT:
		if (top_sort_from_name(arg, &a->sort)) {
			argp_error(state, "unknown sort key '%s'", arg);
			return EINVAL;
		}
		/* names and pids read best ascending, the rest largest first */
		a->ascending = a->sort == SORT_NAME || a->sort == SORT_PID;
		return 0;
	case OPT_SOURCE:
		return cli_arg_source(state, arg, &a->source);
	case OPT_GUEST:
		return cli_arg_guest(state, arg, &a->guest, &a->guest_pid);
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct top_run {
	struct top_args *a;
	struct collector col;
	struct agg prev;		/* the view at the previous refresh */
	struct top_row *rows;
	int nrows;
	struct top_frame frame;
	char filter[64];
	int selected;
	bool hist;
	double last;
	struct tui *tui;
	char status[256];
};

static int copy_agg(struct agg *dst, const struct agg *src)
{
	agg_free(dst);
	agg_init(dst);
	for (int i = 0; i < src->nguests; i++) {
		int err = agg_guest_merge(dst, &src->guests[i]);

		if (err)
			return err;
	}
	dst->health = src->health;
	return 0;
}

/* One refresh: snapshot, rows against the previous snapshot, show. */
static int refresh_once(struct top_run *r, double start)
{
	double t = cli_now();
	int err = collector_snapshot(&r->col), n;

	if (err)
		return err;
	n = top_rows_build(&r->col.view, &r->prev, t - r->last, collector_ident, &r->col,
			   r->a->guest_pid ? NULL : r->filter, &r->rows);
	if (n < 0)
		return n;
	r->nrows = n;
	top_rows_sort(r->rows, n, r->a->sort, r->a->ascending);
	r->frame.refresh++;
	r->frame.interval_s = t - r->last;
	r->frame.elapsed_s = t - start;
	r->frame.sort = r->a->sort;
	r->frame.ascending = r->a->ascending;
	r->frame.filter = r->filter;
	r->frame.health = &r->col.view.health;
	r->last = t;
	if (r->selected >= n)
		r->selected = n ? n - 1 : 0;
	if (r->tui)
		tui_draw(r->tui, &r->frame, r->rows, n, r->selected, r->hist, r->status);
	else if (kvmslb_g.json)
		top_batch_json(stdout, &r->frame, r->rows, n, kvmslb_g.pretty);
	else
		top_batch_text(stdout, &r->frame, r->rows, n);
	return copy_agg(&r->prev, &r->col.view);
}

/* A key on the live screen; true to refresh at once. */
static bool handle_key(struct top_run *r, int c)
{
	struct top_args *a = r->a;

	switch (c) {
	case 'q':
	case 27:
		cli_stop = SIGTERM;
		return false;
	case 's':
	case 'S':
		a->sort = (a->sort + (c == 's' ? 1 : SORT_NR - 1)) % SORT_NR;
		a->ascending = a->sort == SORT_NAME || a->sort == SORT_PID;
		break;
	case 'r':
		a->ascending = !a->ascending;
		break;
	case 'f':
		tui_prompt(r->tui, "filter guests by name: ", r->filter, sizeof(r->filter));
		break;
	case 'c':
		r->filter[0] = '\0';
		break;
	case 'j':
	case TUI_KEY_DOWN:
		if (r->selected + 1 < r->nrows)
			r->selected++;
		break;
	case 'k':
	case TUI_KEY_UP:
		if (r->selected > 0)
			r->selected--;
		break;
	case 'h':
	case '\n':
	case TUI_KEY_ENTER:
		r->hist = !r->hist;
		break;
	case '+':
		a->delay = a->delay * 2 > 3600 ? 3600 : a->delay * 2;
		break;
	case '-':
		a->delay = a->delay / 2 < 0.1 ? 0.1 : a->delay / 2;
		break;
	case ' ':
		break;
	default:
		return false;
	}
	snprintf(r->status, sizeof(r->status), "q quit  s/S sort  r reverse  f filter  c clear  "
		 "j/k select  h histogram  +/- delay (%.1f s)", a->delay);
	/* redraw at once with the data we have; a new snapshot comes with the next tick */
	if (r->tui)
		tui_draw(r->tui, &r->frame, r->rows, r->nrows, r->selected, r->hist, r->status);
	return c == ' ';
}

static int run(struct top_run *r)
{
	double start = cli_now(), next;
	unsigned long long done = 0;
	int err = 0;

	/* the first snapshot is the baseline: rates need an interval */
	err = collector_snapshot(&r->col);
	if (!err)
		err = copy_agg(&r->prev, &r->col.view);
	r->last = cli_now();
	r->frame.health = &r->col.view.health;
	if (!err && r->tui)
		tui_draw(r->tui, &r->frame, r->rows, 0, 0, false, "collecting...");
	next = r->last + r->a->delay;
	while (!err && !cli_stop) {
		bool now = false;
		int c;

		err = collector_wait(&r->col, r->tui ? 50 : 100);
		if (err == -EINTR)
			err = 0;
		if (err)
			break;
		while (r->tui && (c = tui_key(r->tui, 0)) >= 0)
			now |= handle_key(r, c);
		if (cli_stop || (!now && cli_now() < next))
			continue;
		err = refresh_once(r, start);
		next = cli_now() + r->a->delay;
		if (r->a->count && ++done >= r->a->count)
			break;
	}
	if (err) {
		p_err("reading the %s source failed: %s", source_name(r->col.choice.chosen),
		      strerror(-err));
		return KVMSLB_EXIT_RUNTIME;
	}
	return KVMSLB_EXIT_OK;
}

int cmd_top(int argc, char **argv)
{
	struct top_args a = { .delay = 1.0, .source = -1 };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct collector_opts co;
	char err[2048];
	struct top_run r;
	int ret = cli_parse("top", &argp, argc, argv, &a);

	if (ret)
		return ret;
	if (kvmslb_g.json && !a.batch) {
		p_err("-j needs batch mode (-b): the live screen is not JSON");
		return KVMSLB_EXIT_USAGE;
	}
	memset(&r, 0, sizeof(r));
	r.a = &a;
	agg_init(&r.prev);
	if (a.guest && !a.guest_pid)
		snprintf(r.filter, sizeof(r.filter), "%s", a.guest);
	co = (struct collector_opts){
		.source = a.source,
		.tgid = a.guest_pid,
		.btf = kvmslb_g.btf,
		.verbose = kvmslb_g.verbose,
	};
	ret = collector_open(&r.col, &co, err, sizeof(err));
	if (ret) {
		p_err("%s", err);
		collector_close(&r.col);
		return ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	r.frame.source = source_name(r.col.choice.chosen);
	r.frame.has_segments = r.col.choice.chosen != SOURCE_STOCK;
	r.frame.has_latency = r.col.choice.chosen != SOURCE_STATS;
	r.frame.unavailable = r.col.choice.why[SOURCE_PATCHED];
	snprintf(r.status, sizeof(r.status), "q quit  s/S sort  r reverse  f filter  c clear  "
		 "j/k select  h histogram  +/- delay (%.1f s)", a.delay);
	if (a.batch)
		view_attached(stdout, &r.col, kvmslb_g.json, kvmslb_g.pretty);
	if (!a.batch) {
		r.tui = tui_start(err, sizeof(err));
		if (!r.tui) {
			p_err("%s", err);
			collector_close(&r.col);
			return KVMSLB_EXIT_RUNTIME;
		}
	}
	cli_catch_stop();
	ret = run(&r);
	tui_stop(r.tui);
	collector_close(&r.col);
	agg_free(&r.prev);
	free(r.rows);
	return ret;
}
