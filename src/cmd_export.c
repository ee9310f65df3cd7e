// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb export: fleet telemetry. Every interval the collector's snapshot
 * (core/collector.c) is rendered as Prometheus metrics (export/metrics.c)
 * for /metrics over HTTP (export/http.c) and a node_exporter textfile
 * (export/textfile.c), and/or printed as a JSON line (view/agg_view.c).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/collector.h"
#include "core/msg.h"
#include "export/http.h"
#include "export/metrics.h"
#include "export/textfile.h"
#include "view/agg_view.h"
#include "view/attached.h"

static const char doc[] =
	"kvmslb export: fleet telemetry: Prometheus/OpenMetrics over HTTP, node_exporter "
	"textfile, JSON lines.\v"
	"Metrics (labels guest, pid): kvmslb_fault_paths_total{trap}, "
	"kvmslb_segment_synthesized_total{type=dsegi|isegi}, kvmslb_segment_injected_total, "
	"kvmslb_fault_outcomes_total{outcome}, kvmslb_log_dropped_total, the histogram "
	"kvmslb_fault_latency_seconds{trap} (log2 buckets; le is the bucket's largest whole "
	"nanosecond), and kvmslb_source_info, kvmslb_collector_events_total, "
	"kvmslb_collector_lost_total{reason}. Counters are cumulative since kvmslb started. "
	"/metrics answers OpenMetrics when asked for it (Accept), else text format 0.0.4.\n\n"
	"USAGE: kvmslb export [--listen ADDR:PORT] [--textfile FILE] [--jsonl] "
	"[--interval SECONDS] [--once] [--source SRC] [--guest PID]\n\n"
	"EXAMPLES:\n"
	"  kvmslb export --listen 127.0.0.1:9466\n"
	"  kvmslb export --textfile /var/lib/prometheus/node-exporter/kvmslb.prom --interval 15\n"
	"  kvmslb export --jsonl --interval 10 >> kvmslb.jsonl\n"
	"  kvmslb export --textfile /tmp/kvmslb.prom --once --interval 5\n";

enum { OPT_LISTEN = 1000, OPT_TEXTFILE, OPT_JSONL, OPT_INTERVAL, OPT_ONCE, OPT_SOURCE,
       OPT_GUEST };

static const struct argp_option options[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0, "serve /metrics over HTTP", 0 },
	{ "textfile", OPT_TEXTFILE, "FILE", 0, "rewrite FILE (node_exporter textfile) every interval", 0 },
	{ "jsonl", OPT_JSONL, NULL, 0, "print per-guest totals as a JSON line every interval", 0 },
	{ "interval", OPT_INTERVAL, "SECONDS", 0, "how often to refresh, 0.1 to 3600 (default 1)", 0 },
	{ "once", OPT_ONCE, NULL, 0, "one interval, one output, then exit", 0 },
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "PID", 0, "only this guest (VMM pid)", 0 },
	{ 0 },
};

struct export_args {
	const char *listen;
	const char *textfile;
	bool jsonl;
	double interval;
	bool once;
	int source;
	uint32_t guest_pid;
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct export_args *a = state->input;
	unsigned long long v;

	switch (key) {
	case OPT_LISTEN: {
		char host[128];
		unsigned int port;

		if (parse_listen_addr(arg, host, sizeof(host), &port)) {
			argp_error(state, "bad listen address '%s' (HOST:PORT, e.g. 127.0.0.1:9466)",
				   arg);
			return EINVAL;
		}
		a->listen = arg;
		return 0;
	}
	case OPT_TEXTFILE:
		if (!*arg) {
			argp_error(state, "--textfile needs a file name");
			return EINVAL;
		}
		a->textfile = arg;
		return 0;
	case OPT_JSONL:
		a->jsonl = true;
		return 0;
	case OPT_INTERVAL:
		if (cli_parse_seconds(arg, 0.1, 3600, &a->interval)) {
			argp_error(state, "invalid interval '%s' (seconds, 0.1 to 3600)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_ONCE:
		a->once = true;
		return 0;
	case OPT_SOURCE:
		return cli_arg_source(state, arg, &a->source);
	case OPT_GUEST:
		if (cli_parse_u64(arg, 1, UINT32_MAX, &v)) {
			argp_error(state, "--guest takes the guest's VMM pid");
			return EINVAL;
		}
		a->guest_pid = (uint32_t)v;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (!a->listen && !a->textfile && !a->jsonl) {
			argp_error(state, "say where to export: --listen, --textfile or --jsonl");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* The last rendering of each format, served by the HTTP thread. */
struct exposition {
	pthread_mutex_t lock;
	char *text[2];		/* [PROM_TEXT], [PROM_OPENMETRICS] */
	size_t len[2];
};

static int serve_cached(FILE *out, enum prom_format fmt, void *ctx)
{
	struct exposition *e = ctx;
	int ret = 0;

	pthread_mutex_lock(&e->lock);
	if (!e->text[fmt] || fwrite(e->text[fmt], 1, e->len[fmt], out) != e->len[fmt])
		ret = -EIO;
	pthread_mutex_unlock(&e->lock);
	return ret;
}

/* OpenMetrics is only ever asked for over HTTP: render it only for --listen. */
static int render_into(struct exposition *e, const struct metrics_input *in, bool http)
{
	for (int fmt = PROM_TEXT; fmt <= (http ? PROM_OPENMETRICS : PROM_TEXT); fmt++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (!f)
			return -ENOMEM;
		metrics_write(f, fmt, in);
		if (fclose(f)) {
			free(buf);
			return -ENOMEM;
		}
		pthread_mutex_lock(&e->lock);
		free(e->text[fmt]);
		e->text[fmt] = buf;
		e->len[fmt] = len;
		pthread_mutex_unlock(&e->lock);
	}
	return 0;
}

struct export_run {
	struct export_args *a;
	struct collector col;
	struct exposition expo;
	struct view_opts view;
};

/* Snapshot and render; with outputs, also write the textfile and the JSON line. */
static int publish(struct export_run *r, double elapsed, bool outputs)
{
	struct metrics_input in = {
		.agg = &r->col.view,
		.source = r->col.choice.chosen,
		.ident = collector_ident,
		.ident_ctx = &r->col,
	};
	char err[512];
	int ret = collector_snapshot(&r->col);

	if (ret) {
		p_err("reading the %s source failed: %s", source_name(r->col.choice.chosen),
		      strerror(-ret));
		return KVMSLB_EXIT_RUNTIME;
	}
	if (render_into(&r->expo, &in, r->a->listen != NULL)) {
		p_err("out of memory rendering metrics");
		return KVMSLB_EXIT_RUNTIME;
	}
	if (!outputs)
		return 0;
	if (r->a->textfile && textfile_write(r->a->textfile, serve_cached, &r->expo, err,
					     sizeof(err))) {
		p_err("%s", err);
		return KVMSLB_EXIT_RUNTIME;
	}
	if (r->a->jsonl) {
		bool json = kvmslb_g.json, pretty = kvmslb_g.pretty;

		/* one compact line per interval, whatever -p says */
		kvmslb_g.json = true;
		kvmslb_g.pretty = false;
		r->view.retired = r->col.tracker.retired;
		r->view.nretired = r->col.tracker.nretired;
		view_report(&r->view, &r->col.view, "total", 0, elapsed, true);
		kvmslb_g.json = json;
		kvmslb_g.pretty = pretty;
	}
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = { .interval = 1.0, .source = -1 };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct metrics_server *srv = NULL;
	struct collector_opts co;
	struct export_run r;
	char err[2048];
	double start, next;
	int ret = cli_parse("export", &argp, argc, argv, &a);

	if (ret)
		return ret;
	memset(&r, 0, sizeof(r));
	r.a = &a;
	pthread_mutex_init(&r.expo.lock, NULL);
	co = (struct collector_opts){ .source = a.source, .tgid = a.guest_pid,
				      .btf = kvmslb_g.btf, .verbose = kvmslb_g.verbose };
	ret = collector_open(&r.col, &co, err, sizeof(err));
	if (ret) {
		p_err("%s", err);
		collector_close(&r.col);
		return ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	view_attached(stdout, &r.col, kvmslb_g.json || a.jsonl, false);
	r.view = (struct view_opts){
		.kind = r.col.choice.chosen,
		.choice = &r.col.choice,
		.live = true,
		.ident = collector_ident,
		.ident_ctx = &r.col,
	};
	cli_catch_stop();
	start = cli_now();
	/* serve from the start: an empty but valid exposition until the first interval */
	ret = publish(&r, 0, false);
	if (!ret && a.listen) {
		srv = metrics_server_start(a.listen, serve_cached, &r.expo, err, sizeof(err));
		if (!srv) {
			p_err("%s", err);
			ret = KVMSLB_EXIT_RUNTIME;
		} else {
			p_info("serving /metrics on %s (source %s)", a.listen,
			       source_name(r.col.choice.chosen));
		}
	}
	next = start + a.interval;
	while (!ret && !cli_stop) {
		int w = collector_wait(&r.col, 100);

		if (w && w != -EINTR)
			p_warn("reading the ring buffer failed: %s", strerror(-w));
		if (cli_now() < next)
			continue;
		ret = publish(&r, cli_now() - start, true);
		next += a.interval;
		if (a.once)
			break;
	}
	metrics_server_stop(srv);
	collector_close(&r.col);
	for (int i = 0; i < 2; i++)
		free(r.expo.text[i]);
	pthread_mutex_destroy(&r.expo.lock);
	return ret;
}
