// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb export: fleet telemetry. Every interval the collector's snapshot
 * (core/collector.c) is rendered as Prometheus metrics (export/metrics.c)
 * into the exposition served over HTTP (export/http.c) and written as a
 * node_exporter textfile (export/textfile.c), and/or printed as a JSON
 * line (view/agg_view.c). Privileged work (binding the port, loading and
 * attaching the BPF programs) comes first; then every capability is
 * dropped (export/caps.c).
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kvmslb.h"
#include "core/bpf_pin.h"
#include "core/cli.h"
#include "core/collector.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/out.h"
#include "export/caps.h"
#include "export/exposition.h"
#include "export/http.h"
#include "export/listen.h"
#include "export/metrics.h"
#include "export/textfile.h"
#include "view/agg_view.h"
#include "view/attached.h"

static const char doc[] =
	"kvmslb export: fleet telemetry: Prometheus/OpenMetrics over HTTP, node_exporter "
	"textfile, JSON lines.\v"
	"Per guest (label guest; pid too where running guests share a name, or with "
	"--pid-label): kvmslb_fault_paths_total{trap}, "
	"kvmslb_segment_synthesized_total{type=dsegi|isegi}, kvmslb_segment_injected_total, "
	"kvmslb_log_dropped_total, the summary kvmslb_fault_latency_seconds{trap} (_sum, "
	"_count; a histogram with --guest-histograms); per host the histogram "
	"kvmslb_host_fault_latency_seconds{trap} (log2 buckets; le is the bucket's largest "
	"whole nanosecond), kvmslb_guests{state}, kvmslb_source_info, kvmslb_build_info, "
	"kvmslb_collector_events_total, kvmslb_collector_lost_total{reason}. Opt-in: "
	"--per-outcome, --per-vcpu. An exited guest's series stay --retire-after seconds. "
	"/metrics answers OpenMetrics when the Accept header prefers it, else text format "
	"0.0.4. After loading the BPF programs kvmslb drops every capability.\n\n"
	"USAGE: kvmslb export [--listen ADDR:PORT] [--textfile FILE] [--jsonl] "
	"[--interval SECONDS] [--once] [--source SRC] [--guest PID] [OPTIONS]\n\n"
	"EXAMPLES:\n"
	"  kvmslb export --listen :9466                  # 127.0.0.1:9466\n"
	"  kvmslb export --listen 0.0.0.0:9466 --max-per-ip 16\n"
	"  kvmslb export --textfile /var/lib/prometheus/node-exporter/kvmslb.prom --interval 15\n"
	"  kvmslb export --jsonl --interval 10 >> kvmslb.jsonl\n"
	"  kvmslb export --textfile /tmp/kvmslb.prom --once --interval 5\n";

enum {
	OPT_LISTEN = 1000, OPT_TEXTFILE, OPT_JSONL, OPT_INTERVAL, OPT_ONCE, OPT_SOURCE,
	OPT_GUEST, OPT_PER_VCPU, OPT_PER_OUTCOME, OPT_PID_LABEL, OPT_GUEST_HISTOGRAMS,
	OPT_RETIRE_AFTER, OPT_MAX_CONNECTIONS, OPT_MAX_PER_IP, OPT_IDLE_TIMEOUT, OPT_PIN,
	OPT_NO_PIN, OPT_CLEANUP,
};

static const struct argp_option options[] = {
	{ "listen", OPT_LISTEN, "ADDR:PORT", 0,
	  "serve /metrics over HTTP; :PORT is 127.0.0.1 (every interface: 0.0.0.0:PORT, [::]:PORT)", 0 },
	{ "textfile", OPT_TEXTFILE, "FILE", 0, "rewrite FILE (node_exporter textfile) every interval", 0 },
	{ "jsonl", OPT_JSONL, NULL, 0, "print per-guest totals as a JSON line every interval", 0 },
	{ "interval", OPT_INTERVAL, "SECONDS", 0, "how often to refresh, 0.1 to 3600 (default 1)", 0 },
	{ "once", OPT_ONCE, NULL, 0, "one interval, one output, then exit", 0 },
	{ "source", OPT_SOURCE, "SRC", 0, "patched, stock or stats (default: the first usable)", 0 },
	{ "guest", OPT_GUEST, "PID", 0, "only this guest (VMM pid)", 0 },
	{ NULL, 0, NULL, 0, "Series (label cardinality):", 1 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "also kvmslb_vcpu_* series, one per vcpu", 1 },
	{ "per-outcome", OPT_PER_OUTCOME, NULL, 0, "also kvmslb_fault_outcomes_total{outcome}", 1 },
	{ "pid-label", OPT_PID_LABEL, NULL, 0, "pid on every guest's series, not only on "
	  "running guests that share a name", 1 },
	{ "guest-histograms", OPT_GUEST_HISTOGRAMS, NULL, 0, "per-guest latency as log2 "
	  "histograms, not _sum/_count (about 70 more series per guest)", 1 },
	{ "retire-after", OPT_RETIRE_AFTER, "SECONDS", 0, "an exited guest's series stay this "
	  "long, 0 to 86400 (default 300)", 1 },
	{ NULL, 0, NULL, 0, "HTTP:", 2 },
	{ "max-connections", OPT_MAX_CONNECTIONS, "N", 0, "open connections at most, 1 to 65536 "
	  "(default 1024)", 2 },
	{ "max-per-ip", OPT_MAX_PER_IP, "N", 0, "open connections per client address at most, "
	  "0 for no limit (default 0)", 2 },
	{ "idle-timeout", OPT_IDLE_TIMEOUT, "SECONDS", 0, "close a connection silent this long, "
	  "1 to 3600 (default 10)", 2 },
	{ NULL, 0, NULL, 0, "Counters across restarts:", 3 },
	{ "pin", OPT_PIN, "DIR", 0, "keep the BPF maps in DIR, on a bpf filesystem, so counters go "
	  "on when export restarts (default " BPF_PIN_DEFAULT_DIR ")", 3 },
	{ "no-pin", OPT_NO_PIN, NULL, 0, "counters start from zero with every run", 3 },
	{ "cleanup", OPT_CLEANUP, NULL, 0, "unpin the maps kept in the --pin directory, and exit", 3 },
	{ 0 },
};

struct export_args {
	const char *listen_arg;
	struct listen_addr listen;
	const char *textfile;
	bool jsonl;
	double interval;
	bool once;
	int source;
	uint32_t guest_pid;
	struct metrics_opts m;
	struct http_opts http;
	const char *pin_dir;
	bool pin_given, no_pin, cleanup;
};

static error_t parse_count(struct argp_state *state, const char *opt, const char *arg,
			   unsigned long long min, unsigned long long max, unsigned int *out)
{
	unsigned long long v;

	if (cli_parse_u64(arg, min, max, &v)) {
		argp_error(state, "%s takes a whole number, %llu to %llu", opt, min, max);
		return EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct export_args *a = state->input;
	unsigned long long v;
	char err[256];

	switch (key) {
	case OPT_LISTEN:
		if (!http_available()) {
			argp_error(state, "--listen: HTTP serving is not in the static ppc64le build "
				   "(libmicrohttpd needs GnuTLS); use --textfile or --jsonl");
			return EINVAL;
		}
		if (listen_addr_parse(arg, &a->listen, err, sizeof(err))) {
			argp_error(state, "%s", err);
			return EINVAL;
		}
		a->listen_arg = arg;
		return 0;
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
	case OPT_PER_VCPU:
		a->m.per_vcpu = true;
		return 0;
	case OPT_PER_OUTCOME:
		a->m.per_outcome = true;
		return 0;
	case OPT_PID_LABEL:
		a->m.series.pid_label = true;
		return 0;
	case OPT_GUEST_HISTOGRAMS:
		a->m.guest_histograms = true;
		return 0;
	case OPT_RETIRE_AFTER:
		if (cli_parse_seconds(arg, 0, 86400, &a->m.series.retire_after)) {
			argp_error(state, "invalid --retire-after '%s' (seconds, 0 to 86400)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_MAX_CONNECTIONS:
		return parse_count(state, "--max-connections", arg, 1, 65536,
				   &a->http.max_connections);
	case OPT_MAX_PER_IP:
		return parse_count(state, "--max-per-ip", arg, 0, 65536, &a->http.max_per_ip);
	case OPT_IDLE_TIMEOUT:
		return parse_count(state, "--idle-timeout", arg, 1, 3600, &a->http.idle_timeout);
	case OPT_PIN:
		if (arg[0] != '/') {
			argp_error(state, "--pin takes an absolute directory, e.g. %s",
				   BPF_PIN_DEFAULT_DIR);
			return EINVAL;
		}
		a->pin_dir = arg;
		a->pin_given = true;
		return 0;
	case OPT_NO_PIN:
		a->no_pin = true;
		return 0;
	case OPT_CLEANUP:
		a->cleanup = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (a->no_pin && (a->pin_given || a->cleanup)) {
			argp_error(state, "--no-pin goes with neither --pin nor --cleanup");
			return EINVAL;
		}
		if (a->cleanup) {
			if (a->listen_arg || a->textfile || a->jsonl) {
				argp_error(state, "--cleanup unpins and exits: no --listen, --textfile "
					   "or --jsonl with it");
				return EINVAL;
			}
			return 0;
		}
		if (!a->listen_arg && !a->textfile && !a->jsonl) {
			argp_error(state, "say where to export: --listen, --textfile or --jsonl");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

struct export_run {
	struct export_args *a;
	struct collector col;
	struct metrics metrics;
	struct exposition expo;
	struct pbuf buf;		/* the rendering, reused every interval */
	struct view_opts view;
	double start;
};

/* Snapshot and render; with outputs, also write the textfile and the JSON line. */
static int publish(struct export_run *r, bool outputs)
{
	struct metrics_input in = {
		.agg = &r->col.view,
		.source = r->col.choice.chosen,
		.ident = collector_ident,
		.ident_ctx = &r->col,
		.retired = r->col.tracker.retired,
		.nretired = r->col.tracker.nretired,
		.now = cli_now(),
	};
	/* OpenMetrics is only ever asked for over HTTP */
	int nfmt = r->a->listen_arg ? PROM_NFORMATS : 1;
	char err[4200];
	int ret = collector_snapshot(&r->col);

	if (ret) {
		p_err("reading the %s source failed: %s", source_name(r->col.choice.chosen),
		      strerror(-ret));
		return KVMSLB_EXIT_RUNTIME;
	}
	ret = metrics_update(&r->metrics, &in);
	for (int fmt = 0; !ret && fmt < nfmt; fmt++) {
		r->buf.len = 0;
		metrics_write(&r->metrics, &r->buf, fmt, &in);
		ret = exposition_publish(&r->expo, fmt, &r->buf);
	}
	if (ret) {
		p_err("out of memory rendering metrics");
		return KVMSLB_EXIT_RUNTIME;
	}
	if (!outputs)
		return 0;
	if (r->a->textfile) {
		struct expo_doc *d = exposition_get(&r->expo, PROM_TEXT);

		ret = textfile_write(r->a->textfile, d->data, d->len, err, sizeof(err));
		expo_doc_put(d);
		if (ret) {
			p_err("%s", err);
			return KVMSLB_EXIT_RUNTIME;
		}
	}
	if (r->a->jsonl) {
		bool json = kvmslb_g.json, pretty = kvmslb_g.pretty;

		/* one compact line per interval, whatever -p says */
		kvmslb_g.json = true;
		kvmslb_g.pretty = false;
		r->view.retired = r->col.tracker.retired;
		r->view.nretired = r->col.tracker.nretired;
		view_report(&r->view, &r->col.view, "total", 0, cli_now() - r->start, true);
		kvmslb_g.json = json;
		kvmslb_g.pretty = pretty;
		if (out_flush(stdout, "the JSON lines"))
			return KVMSLB_EXIT_RUNTIME;
	}
	return 0;
}

/*
 * One line once /metrics is served, in the style of the "attached" line:
 *   listening: address=ADDR url=URL source=SRC formats=text-0.0.4,openmetrics-1.0.0
 *   {"kind":"listening","address":...,"url":...,"source":...,"formats":[...]}
 */
static void say_listening(const struct export_args *a, enum data_source src)
{
	char url[96];

	snprintf(url, sizeof(url), "http://%s/metrics", a->listen.text);
	if (kvmslb_g.json || a->jsonl) {
		struct json_writer *w = json_new(stdout, kvmslb_g.pretty && !a->jsonl);

		json_obj_begin(w);
		json_key_str(w, "kind", "listening");
		json_key_str(w, "address", a->listen.text);
		json_key_str(w, "url", url);
		json_key_str(w, "source", source_name(src));
		json_key(w, "formats");
		json_arr_begin(w);
		json_str(w, prom_content_type(PROM_TEXT));
		json_str(w, prom_content_type(PROM_OPENMETRICS));
		json_arr_end(w);
		json_obj_end(w);
		json_free(w);
	} else {
		printf("listening: address=%s url=%s source=%s formats=text-0.0.4,openmetrics-1.0.0\n",
		       a->listen.text, url, source_name(src));
	}
	fflush(stdout);
}

/* --cleanup: unpin what earlier runs kept. */
static int cleanup(const char *dir)
{
	char err[600];
	int n = bpf_pin_cleanup(dir, err, sizeof(err));

	if (n < 0) {
		p_err("%s", err);
		return KVMSLB_EXIT_RUNTIME;
	}
	if (kvmslb_g.json) {
		struct json_writer *w = json_new(stdout, kvmslb_g.pretty);

		json_obj_begin(w);
		json_key_str(w, "kind", "unpinned");
		json_key_str(w, "dir", dir);
		json_key_u64(w, "maps", (uint64_t)n);
		json_obj_end(w);
		json_free(w);
	} else {
		printf("unpinned %d maps from %s\n", n, dir);
	}
	return 0;
}

/* Whether the counts go on from an earlier run. */
static void say_pinned(const struct bpf_pin_result *p)
{
	if (!p)
		return;
	if (p->replaced)
		p_warn("counters start from zero: the %d maps pinned in %s were another "
		       "definition (%s)", p->replaced, p->dir, p->why);
	else if (p->reused)
		p_info("counters go on from the %d maps pinned in %s", p->reused, p->dir);
	else
		p_info("maps pinned in %s: counters will go on across restarts", p->dir);
}

int cmd_export(int argc, char **argv)
{
	struct export_args a = {
		.interval = 1.0,
		.source = -1,
		.m.series.retire_after = 300,
		.pin_dir = BPF_PIN_DEFAULT_DIR,
		.http = {
			.max_connections = HTTP_DEFAULT_MAX_CONNECTIONS,
			.idle_timeout = HTTP_DEFAULT_IDLE_TIMEOUT,
		},
	};
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct metrics_server *srv = NULL;
	struct collector_opts co;
	struct export_run r;
	int listen_fd = -1;
	char err[2048];
	double next;
	int ret = cli_parse("export", &argp, argc, argv, &a);

	if (ret)
		return ret;
	if (a.cleanup)
		return cleanup(a.pin_dir);
	if (a.no_pin) {
		a.pin_dir = NULL;
	} else if (!a.pin_given && !bpf_pin_supported(a.pin_dir)) {
		p_warn("counters start from zero with every run: %s is not on a bpf filesystem "
		       "(mount -t bpf bpf /sys/fs/bpf)", a.pin_dir);
		a.pin_dir = NULL;
	}
	/*
	 * Every interval frees and allocates megabytes (a snapshot, the
	 * renderings): keep them in the heap instead of returning them to the
	 * kernel and faulting them back in.
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
	memset(&r, 0, sizeof(r));
	r.a = &a;
	exposition_init(&r.expo);
	metrics_init(&r.metrics, &a.m);
	/* a port in use is known before the BPF programs load */
	if (a.listen_arg) {
		listen_fd = listen_open(&a.listen, err, sizeof(err));
		if (listen_fd < 0) {
			p_err("%s", err);
			ret = KVMSLB_EXIT_RUNTIME;
			goto out;
		}
	}
	co = (struct collector_opts){ .source = a.source, .tgid = a.guest_pid,
				      .per_vcpu = a.m.per_vcpu, .btf = kvmslb_g.btf,
				      /* no per-vcpu latency in the exposition or the JSON lines */
				      .vcpu_counts_only = true,
				      .verbose = kvmslb_g.verbose, .pin_dir = a.pin_dir };
	ret = collector_open(&r.col, &co, err, sizeof(err));
	if (ret) {
		p_err("%s", err);
		ret = ret == COLLECTOR_BAD_OPTION ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
		goto out;
	}
	say_pinned(r.col.bpf ? bpf_source_pinned(r.col.bpf) : NULL);
	if (caps_drop_all(err, sizeof(err))) {
		p_err("%s", err);
		ret = KVMSLB_EXIT_RUNTIME;
		goto out;
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
	r.start = cli_now();
	/* serve from the start: an empty but valid exposition until the first interval */
	ret = publish(&r, false);
	if (!ret && a.listen_arg) {
		srv = metrics_server_start(listen_fd, &r.expo, &a.http, err, sizeof(err));
		listen_fd = -1;
		if (!srv) {
			p_err("%s", err);
			ret = KVMSLB_EXIT_RUNTIME;
		} else {
			say_listening(&a, r.col.choice.chosen);
		}
	}
	next = r.start + a.interval;
	while (!ret && !cli_stop) {
		int w = collector_wait(&r.col, 100);

		if (w && w != -EINTR)
			p_warn("reading the ring buffer failed: %s", strerror(-w));
		if (cli_now() < next)
			continue;
		ret = publish(&r, true);
		next += a.interval;
		if (a.once)
			break;
	}
out:
	metrics_server_stop(srv);
	if (listen_fd >= 0)
		close(listen_fd);
	collector_close(&r.col);
	metrics_free(&r.metrics);
	pbuf_free(&r.buf);
	exposition_free(&r.expo);
	return ret;
}
