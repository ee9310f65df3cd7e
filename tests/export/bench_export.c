// SPDX-License-Identifier: GPL-2.0
/*
 * Export benchmarks: the exporter's own work for G guests x V vcpus (the
 * data of bench_data.h), in CPU time of the thread doing it. Built twice by
 * tests/bench/40-export.sh: against this tree, and with -DBENCH_V0 against
 * the exporter before issue 12 (git), the peer of the same run.
 *
 *   bench_export render G V RUNS    render one scrape (text, OpenMetrics)
 *   bench_export refresh G V RUNS   a refresh as export does it: the guests
 *                                   are G real processes (named with -name
 *                                   guest=...), the tracker checks them, the
 *                                   metrics are rendered
 *   bench_export serve G V          refresh every second and serve /metrics
 *                                   on 127.0.0.1 (an ephemeral port, printed)
 *                                   until SIGTERM, for RSS under scrapes; this
 *                                   tree's reads the counts from real BPF maps
 *                                   as export does (their arrays mapped into
 *                                   it count in its RSS; needs root)
 *
 * Each prints "key=value" lines; times are medians over RUNS, in ms.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/agg.h"
#include "core/tracker.h"
#include "export/http.h"
#include "export/metrics.h"
#include "bench_data.h"

#ifndef BENCH_V0
#include "export/listen.h"
#include "bench_bpf.h"
#endif

static double cpu_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- guests: names without processes (render), or real processes (refresh) ---- */
static struct guest_ident *idents;
static unsigned int nidents;
static struct tracker tracker;
static bool use_tracker;

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	if (use_tracker)
		return tracker_ident(&tracker, tgid);
	if (tgid >= BENCH_PID0 && tgid - BENCH_PID0 < nidents)
		return &idents[tgid - BENCH_PID0];
	return NULL;
}

static void make_idents(unsigned int n)
{
	idents = calloc(n, sizeof(*idents));
	nidents = n;
	for (unsigned int g = 0; g < n; g++) {
		idents[g].tgid = BENCH_PID0 + g;
		bench_name(g, idents[g].name, sizeof(idents[g].name));
		idents[g].from = NAME_QEMU_GUEST;
		idents[g].starttime = 1000 + g;
		idents[g].alive = true;
	}
}

static pid_t *children;
static unsigned int nchildren;

static void kill_children(void)
{
	for (unsigned int i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	for (unsigned int i = 0; i < nchildren; i++)
		waitpid(children[i], NULL, 0);
	nchildren = 0;
}

/* n idle processes whose command lines name them like QEMU guests. */
static uint32_t *spawn_guests(unsigned int n)
{
	uint32_t *pids = calloc(n, sizeof(*pids));

	children = calloc(n, sizeof(*children));
	for (unsigned int g = 0; g < n; g++) {
		char name[64], opt[80];
		pid_t p = fork();

		if (p == 0) {
			/* a small process that stops itself, its command line QEMU's options */
			char *argv[] = { "sh", "-c", "kill -STOP $$", "qemu-system-ppc64", "-name",
					 opt, NULL };

			prctl(PR_SET_PDEATHSIG, SIGKILL);
			bench_name(g, name, sizeof(name));
			snprintf(opt, sizeof(opt), "guest=%s,debug-threads=on", name);
			execv("/bin/sh", argv);
			_exit(127);
		}
		if (p < 0) {
			perror("fork");
			kill_children();
			exit(1);
		}
		children[nchildren++] = p;
		pids[g] = (uint32_t)p;
	}
	/* named once they have run exec: each stops itself after it */
	for (unsigned int g = 0; g < n; g++) {
		int st;

		if (waitpid(children[g], &st, WUNTRACED) < 0 || !WIFSTOPPED(st)) {
			fprintf(stderr, "bench_export: guest process %u did not start\n", g);
			kill_children();
			exit(1);
		}
	}
	return pids;
}

/* ---- rendering, in this tree's exporter and in the one before ---- */
#ifdef BENCH_V0
struct renderer {
	int unused;
};

static void renderer_init(struct renderer *r, bool per_vcpu)
{
	(void)r;
	(void)per_vcpu;
}

/* The v0 exporter rendered each format with stdio into a memory stream. */
static size_t render(struct renderer *r, const struct agg *a, enum prom_format fmt,
		     double *ms)
{
	struct metrics_input in = { .agg = a, .source = SOURCE_PATCHED, .ident = ident };
	char *buf = NULL;
	size_t len = 0;
	double t = cpu_ms();
	FILE *f = open_memstream(&buf, &len);

	(void)r;
	metrics_write(f, fmt, &in);
	fclose(f);
	*ms = cpu_ms() - t;
	free(buf);
	return len;
}

static void renderer_free(struct renderer *r)
{
	(void)r;
}
#else
struct renderer {
	struct metrics m;
	struct pbuf b;
};

static void renderer_init(struct renderer *r, bool per_vcpu)
{
	struct metrics_opts o = { .per_vcpu = per_vcpu, .series.retire_after = 300 };

	memset(r, 0, sizeof(*r));
	metrics_init(&r->m, &o);
}

/* One scrape's worth: which guests and labels (once per refresh), then the format. */
static size_t render(struct renderer *r, const struct agg *a, enum prom_format fmt,
		     double *ms)
{
	struct metrics_input in = { .agg = a, .source = SOURCE_PATCHED, .ident = ident,
				    .now = 1 };
	double t = cpu_ms();

	if (metrics_update(&r->m, &in)) {
		fprintf(stderr, "bench_export: out of memory\n");
		exit(1);
	}
	r->b.len = 0;
	metrics_write(&r->m, &r->b, fmt, &in);
	*ms = cpu_ms() - t;
	return r->b.len;
}

static void renderer_free(struct renderer *r)
{
	metrics_free(&r->m);
	pbuf_free(&r->b);
}
#endif

static void print_rss(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6) || !strncmp(line, "VmRSS:", 6))
			printf("%.5s_kb=%lld\n", line, atoll(line + 6));
	if (f)
		fclose(f);
}

static int bench_render(unsigned int g, unsigned int v, int runs)
{
	double *t[2] = { calloc(runs, sizeof(double)), calloc(runs, sizeof(double)) };
	size_t bytes[2] = { 0, 0 };
	struct renderer r;
	struct agg a;

	make_idents(g);
	agg_init(&a);
	if (bench_agg(&a, g, v, NULL))
		return 1;
	renderer_init(&r, v > 0);
	for (int i = 0; i < runs; i++)
		for (int f = 0; f < 2; f++)
			bytes[f] = render(&r, &a, f, &t[f][i]);
	printf("render_text_ms=%.3f\nbytes_text=%zu\nrender_openmetrics_ms=%.3f\n"
	       "bytes_openmetrics=%zu\n", median(t[0], runs), bytes[0], median(t[1], runs),
	       bytes[1]);
	print_rss();
	renderer_free(&r);
	agg_free(&a);
	return 0;
}

/*
 * A refresh as export does one, after the source is read: the tracker
 * (names, exits, reused pids of G real processes), then one scrape rendered.
 */
static int bench_refresh(unsigned int g, unsigned int v, int runs)
{
	double *tt = calloc(runs, sizeof(double)), *tr = calloc(runs, sizeof(double));
	uint32_t *pids = spawn_guests(g);
	struct renderer r;
	struct agg raw, prev;

	use_tracker = true;
	tracker_init(&tracker, "");
	renderer_init(&r, v > 0);
	fprintf(stderr, "bench_export: %u guest processes running\n", g);
	agg_init(&prev);
	for (int i = -1; i < runs; i++) {
		struct agg view;
		double t, ms;

		agg_init(&raw);
		agg_init(&view);
		if (bench_agg(&raw, g, v, pids))
			return 1;
		/* what the collector does with a snapshot */
		t = cpu_ms();
		if (tracker_update(&tracker, &raw, &view))
			return 1;
		agg_free(&raw);
		agg_free(&prev);
		agg_init(&prev);
		t = cpu_ms() - t;
		render(&r, &view, PROM_TEXT, &ms);
		/* the first refresh names every guest: the steady state is what repeats */
		if (i >= 0) {
			tt[i] = t;
			tr[i] = ms;
		}
		/* the collector frees the previous view after the update */
		agg_free(&prev);
		prev = view;
	}
	agg_free(&prev);
	printf("tracker_ms=%.3f\nrender_ms=%.3f\n", median(tt, runs), median(tr, runs));
	for (unsigned int i = 0; i < g; i++) {
		const struct guest_ident *id = tracker_ident(&tracker, pids[i]);
		char want[64];

		bench_name(i, want, sizeof(want));
		if (!id || strcmp(id->name, want) || !id->alive) {
			fprintf(stderr, "bench_export: guest %u not named '%s' by the tracker\n",
				i, want);
			return 1;
		}
	}
	kill_children();
	renderer_free(&r);
	tracker_free(&tracker);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

#ifdef BENCH_V0
/* As the v0 exporter (src/cmd_export.c at cb41074) kept them: under a lock. */
struct v0_expo {
	pthread_mutex_t lock;
	char *text[2];
	size_t len[2];
};

static int serve_cached(FILE *out, enum prom_format fmt, void *ctx)
{
	struct v0_expo *e = ctx;
	int ret;

	pthread_mutex_lock(&e->lock);
	ret = fwrite(e->text[fmt], 1, e->len[fmt], out) == e->len[fmt] ? 0 : -EIO;
	pthread_mutex_unlock(&e->lock);
	return ret;
}

/* The v0 exporter: both formats rendered every interval, served from memory streams. */
static int bench_serve(unsigned int g, unsigned int v)
{
	struct v0_expo e = { PTHREAD_MUTEX_INITIALIZER, { NULL, NULL }, { 0, 0 } };
	struct metrics_server *s = NULL;
	uint32_t *pids = spawn_guests(g);
	char err[256], addr[32];
	int port = 39000 + getpid() % 20000;

	use_tracker = true;
	tracker_init(&tracker, "");
	while (!stop) {
		struct agg raw, view;
		struct metrics_input in = { .agg = &view, .source = SOURCE_PATCHED,
					    .ident = ident };

		agg_init(&raw);
		agg_init(&view);
		bench_agg(&raw, g, v, pids);
		tracker_update(&tracker, &raw, &view);
		for (int f = 0; f < 2; f++) {
			char *buf = NULL;
			size_t len = 0;
			FILE *m = open_memstream(&buf, &len);

			metrics_write(m, f, &in);
			fclose(m);
			pthread_mutex_lock(&e.lock);
			free(e.text[f]);
			e.text[f] = buf;
			e.len[f] = len;
			pthread_mutex_unlock(&e.lock);
		}
		agg_free(&raw);
		agg_free(&view);
		if (!s) {
			snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
			s = metrics_server_start(addr, serve_cached, &e, err, sizeof(err));
			if (!s) {
				fprintf(stderr, "bench_export: %s\n", err);
				return 1;
			}
			printf("serving %s\n", addr);
			fflush(stdout);
		}
		sleep(1);
	}
	metrics_server_stop(s);
	kill_children();
	return 0;
}
#else
/*
 * This tree's exporter: every second a refresh as export does it, the
 * counts read from the real maps (bench_bpf.h), served over HTTP.
 */
static int bench_serve(unsigned int g, unsigned int v)
{
	struct metrics_opts o = { .per_vcpu = v > 0, .series.retire_after = 300 };
	struct http_opts ho = { HTTP_DEFAULT_MAX_CONNECTIONS, 0, HTTP_DEFAULT_IDLE_TIMEOUT };
	struct metrics_server *s = NULL;
	uint32_t *pids = spawn_guests(g);
	struct kvmslb_bpf *skel = bench_maps_load(g, v);
	struct slot_map hmap, vmap;
	struct bpf_map_fds fds;
	struct exposition expo;
	struct listen_addr la;
	struct pbuf b = { 0 };
	struct metrics m;
	struct agg prev;
	char err[256];
	int fd;

	if (!skel || bench_fill_maps(skel, g, v, pids)) {
		fprintf(stderr, "bench_export: the BPF maps: %s\n", strerror(errno));
		return 1;
	}
	fds = bench_map_fds(skel, &hmap, &vmap);
	use_tracker = true;
	tracker_init(&tracker, "");
	agg_init(&prev);
	metrics_init(&m, &o);
	exposition_init(&expo);
	if (listen_addr_parse("127.0.0.1:0", &la, err, sizeof(err)) ||
	    (fd = listen_open(&la, err, sizeof(err))) < 0) {
		fprintf(stderr, "bench_export: %s\n", err);
		return 1;
	}
	while (!stop) {
		struct agg raw, view;
		struct metrics_input in = { .agg = &view, .source = SOURCE_PATCHED,
					    .ident = ident, .now = 1 };

		agg_init(&raw);
		agg_init(&view);
		if (bpf_maps_read(&fds, v ? BPF_READ_VCPU_COUNTS : BPF_READ_GUESTS, &raw)) {
			fprintf(stderr, "bench_export: reading the maps failed\n");
			return 1;
		}
		tracker_update(&tracker, &raw, &view);
		metrics_update(&m, &in);
		for (int f = 0; f < PROM_NFORMATS; f++) {
			b.len = 0;
			metrics_write(&m, &b, f, &in);
			exposition_publish(&expo, f, &b);
		}
		agg_free(&raw);
		agg_free(&prev);
		prev = view;
		if (!s) {
			s = metrics_server_start(fd, &expo, &ho, err, sizeof(err));
			if (!s) {
				fprintf(stderr, "bench_export: %s\n", err);
				return 1;
			}
			printf("serving %s\n", la.text);
			fflush(stdout);
		}
		sleep(1);
	}
	metrics_server_stop(s);
	kill_children();
	slot_map_free(&hmap);
	slot_map_free(&vmap);
	kvmslb_bpf__destroy(skel);
	return 0;
}
#endif

int main(int argc, char **argv)
{
	unsigned int g, v;
	int runs;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_export render|refresh|serve GUESTS VCPUS [RUNS]\n");
		return 2;
	}
	g = (unsigned int)atoi(argv[2]);
	v = (unsigned int)atoi(argv[3]);
	runs = argc > 4 ? atoi(argv[4]) : 9;
	if (runs < 1)
		runs = 1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGPIPE, SIG_IGN);
#ifndef BENCH_V0
	/* as src/cmd_export.c does */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 64 << 20);
#endif
	if (!strcmp(argv[1], "render"))
		return bench_render(g, v, runs);
	if (!strcmp(argv[1], "refresh"))
		return bench_refresh(g, v, runs);
	if (!strcmp(argv[1], "serve"))
		return bench_serve(g, v);
	fprintf(stderr, "bench_export: unknown mode '%s'\n", argv[1]);
	return 2;
}
