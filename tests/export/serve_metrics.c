// SPDX-License-Identifier: GPL-2.0
/*
 * Test server: kvmslb's exporter (export/metrics.c, export/exposition.c,
 * export/http.c, export/listen.c, core/tracker.c) over known counts, for
 * real Prometheus and promtool on this machine, which has no kvm_hv to
 * collect from. Only the collector is a stand-in: it hands the tracker a
 * snapshot built here instead of one read from BPF maps. Serves until
 * SIGTERM, re-rendering every 0.1 s.
 *
 *   serve_metrics [options] ADDR [PID...]
 *
 * Guests:
 *  - "alpha" (pid 101): 7 DSegI (3 injected), 2 ISegI, HDSI latencies
 *    1000 ns x 4 and 5000 ns x 1 (outcome host), HISI 300 ns x 2 (retry);
 *  - "beta" (pid 202): 1 HDSI of 70000 ns (host);
 *  - with --grow, alpha also gains 10 DSegI, 4 ISegI and 5 HDSI of 1000 ns
 *    per second, and beta 1 HDSI of 70000 ns per second: counts at time t
 *    (seconds since start) are the above plus floor(rate * t);
 *  - each PID given: a guest named by the real tracker from /proc/PID
 *    (QEMU's -name, else comm), with k+1 DSegI, 2(k+1) ISegI and one HDSI
 *    of 1000 ns, k its place in the list;
 *  - with --vcpus N, alpha's counts are spread over vcpu ids 0..N-1 (the
 *    series v2 units), and --per-vcpu shows them.
 *
 * Options: --per-vcpu --per-outcome --pid-label --guest-histograms
 * --retire-after S --max-connections N --max-per-ip N --idle-timeout S
 * --source patched|stock|stats --grow --vcpus N. A PID whose process
 * exits is seen exited by the tracker, as in kvmslb export.
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/agg.h"
#include "core/tracker.h"
#include "export/http.h"
#include "export/listen.h"
#include "export/metrics.h"

static struct guest_ident fixed[2] = {
	{ .tgid = 101, .name = "alpha", .from = NAME_QEMU_GUEST, .alive = true, .starttime = 1 },
	{ .tgid = 202, .name = "beta", .from = NAME_QEMU, .alive = true, .starttime = 1 },
};

static struct tracker tracker;

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	for (int i = 0; i < 2; i++)
		if (fixed[i].tgid == tgid)
			return &fixed[i];
	return tracker_ident(&tracker, tgid);
}

struct plan {
	bool grow;
	int vcpus;
	uint32_t *pids;
	int npids;
};

static uint32_t unit(const struct plan *p, int i)
{
	return p->vcpus ? AGG_VCPU_ID(i % p->vcpus) : 0;
}

/* The counts at time t, as the BPF source would read them. */
static void build(const struct plan *p, double t, struct agg *a)
{
	uint64_t g = p->grow ? 1 : 0;
	uint64_t dseg = 4 + g * (uint64_t)floor(10 * t), iseg = 2 + g * (uint64_t)floor(4 * t);
	uint64_t hdsi = g * (uint64_t)floor(5 * t), beta = g * (uint64_t)floor(t);

	agg_segment(a, 101, unit(p, 0), 0x380, true, 3);
	for (uint64_t i = 0; i < dseg; i++)
		agg_segment(a, 101, unit(p, (int)i), 0x380, false, 1);
	for (uint64_t i = 0; i < iseg; i++)
		agg_segment(a, 101, unit(p, (int)i), 0x480, false, 1);
	for (uint64_t i = 0; i < 4 + hdsi; i++)
		agg_fault(a, 101, unit(p, (int)i), 0xe00, 3, 1000, false, 0);
	agg_fault(a, 101, unit(p, 1), 0xe00, 3, 5000, false, 0);
	agg_fault(a, 101, unit(p, 2), 0xe20, 0, 300, false, 0);
	agg_fault(a, 101, unit(p, 3), 0xe20, 0, 300, false, 0);
	for (uint64_t i = 0; i < 1 + beta; i++)
		agg_fault(a, 202, 0, 0xe00, 3, 70000, false, 0);
	for (int k = 0; k < p->npids; k++) {
		agg_segment(a, p->pids[k], 0, 0x380, false, (uint64_t)k + 1);
		agg_segment(a, p->pids[k], 0, 0x480, false, 2 * ((uint64_t)k + 1));
		agg_fault(a, p->pids[k], 0, 0xe00, 3, 1000, false, 0);
	}
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

enum {
	O_PER_VCPU = 1000, O_PER_OUTCOME, O_PID_LABEL, O_GUEST_HIST, O_RETIRE, O_MAXCONN,
	O_PERIP, O_IDLE, O_SOURCE, O_GROW, O_VCPUS,
};

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "per-vcpu", no_argument, NULL, O_PER_VCPU },
		{ "per-outcome", no_argument, NULL, O_PER_OUTCOME },
		{ "pid-label", no_argument, NULL, O_PID_LABEL },
		{ "guest-histograms", no_argument, NULL, O_GUEST_HIST },
		{ "retire-after", required_argument, NULL, O_RETIRE },
		{ "max-connections", required_argument, NULL, O_MAXCONN },
		{ "max-per-ip", required_argument, NULL, O_PERIP },
		{ "idle-timeout", required_argument, NULL, O_IDLE },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "grow", no_argument, NULL, O_GROW },
		{ "vcpus", required_argument, NULL, O_VCPUS },
		{ 0 },
	};
	struct metrics_opts mo = { .series.retire_after = 300 };
	struct http_opts ho = { HTTP_DEFAULT_MAX_CONNECTIONS, 0, HTTP_DEFAULT_IDLE_TIMEOUT };
	enum data_source src = SOURCE_PATCHED;
	struct plan plan = { 0 };
	struct metrics_server *s;
	struct exposition expo;
	struct listen_addr la;
	struct metrics m;
	struct pbuf buf = { 0 };
	struct agg prev;
	char err[512];
	double t0;
	int c, fd;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_PER_VCPU: mo.per_vcpu = true; break;
		case O_PER_OUTCOME: mo.per_outcome = true; break;
		case O_PID_LABEL: mo.series.pid_label = true; break;
		case O_GUEST_HIST: mo.guest_histograms = true; break;
		case O_RETIRE: mo.series.retire_after = atof(optarg); break;
		case O_MAXCONN: ho.max_connections = (unsigned int)atoi(optarg); break;
		case O_PERIP: ho.max_per_ip = (unsigned int)atoi(optarg); break;
		case O_IDLE: ho.idle_timeout = (unsigned int)atoi(optarg); break;
		case O_SOURCE:
			src = !strcmp(optarg, "stock") ? SOURCE_STOCK :
			      !strcmp(optarg, "stats") ? SOURCE_STATS : SOURCE_PATCHED;
			break;
		case O_GROW: plan.grow = true; break;
		case O_VCPUS: plan.vcpus = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: serve_metrics [options] ADDR [PID...]\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: serve_metrics [options] ADDR [PID...]\n");
		return 2;
	}
	if (listen_addr_parse(argv[optind], &la, err, sizeof(err))) {
		fprintf(stderr, "serve_metrics: %s\n", err);
		return 2;
	}
	plan.npids = argc - optind - 1;
	plan.pids = calloc(plan.npids + 1, sizeof(*plan.pids));
	for (int i = 0; i < plan.npids; i++)
		plan.pids[i] = (uint32_t)atoi(argv[optind + 1 + i]);
	fd = listen_open(&la, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "serve_metrics: %s\n", err);
		return 1;
	}
	tracker_init(&tracker, "");
	metrics_init(&m, &mo);
	exposition_init(&expo);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
	t0 = now();
	s = NULL;
	agg_init(&prev);
	while (!stop) {
		struct agg raw, view;
		double t = now() - t0;
		struct metrics_input in = {
			.agg = &view, .source = src, .ident = ident, .now = now(),
		};

		agg_init(&raw);
		agg_init(&view);
		build(&plan, t, &raw);
		if (tracker_update(&tracker, &raw, &view)) {
			fprintf(stderr, "serve_metrics: out of memory\n");
			return 1;
		}
		in.retired = tracker.retired;
		in.nretired = tracker.nretired;
		if (metrics_update(&m, &in)) {
			fprintf(stderr, "serve_metrics: out of memory\n");
			return 1;
		}
		for (int f = 0; f < PROM_NFORMATS; f++) {
			buf.len = 0;
			metrics_write(&m, &buf, f, &in);
			exposition_publish(&expo, f, &buf);
		}
		/* the tracker reads the last view in its next update */
		agg_free(&prev);
		prev = view;
		if (!s) {
			s = metrics_server_start(fd, &expo, &ho, err, sizeof(err));
			if (!s) {
				fprintf(stderr, "serve_metrics: %s\n", err);
				return 1;
			}
			printf("serving %s\n", la.text);
			fflush(stdout);
		}
		usleep(100000);
	}
	metrics_server_stop(s);
	agg_free(&prev);
	metrics_free(&m);
	pbuf_free(&buf);
	exposition_free(&expo);
	tracker_free(&tracker);
	free(plan.pids);
	return 0;
}
