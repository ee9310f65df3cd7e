// SPDX-License-Identifier: GPL-2.0
/*
 * Test server: kvmslb's /metrics (export/http.c, export/metrics.c) over a
 * known aggregation, for real Prometheus to scrape on this machine, which
 * has no kvm_hv to collect from. Serves until SIGTERM.
 *   serve_metrics 127.0.0.1:PORT
 * The aggregation: guest "alpha" (pid 101) 7 DSegI (3 injected), 2 ISegI,
 * HDSI latencies 1000 ns x 4 and 5000 ns x 1 (outcome host), HISI 300 ns x 2
 * (outcome retry); guest "beta" (pid 202) nothing but 1 HDSI of 70000 ns.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/agg.h"
#include "export/http.h"
#include "export/metrics.h"

static struct guest_ident ids[2] = {
	{ .tgid = 101, .name = "alpha", .from = NAME_QEMU_GUEST, .alive = true },
	{ .tgid = 202, .name = "beta", .from = NAME_QEMU, .alive = true },
};

static const struct guest_ident *ident(const void *ctx, uint32_t tgid)
{
	(void)ctx;
	for (int i = 0; i < 2; i++)
		if (ids[i].tgid == tgid)
			return &ids[i];
	return NULL;
}

static struct agg agg;

static int render(FILE *out, enum prom_format fmt, void *ctx)
{
	struct metrics_input in = { .agg = &agg, .source = SOURCE_PATCHED, .ident = ident };

	(void)ctx;
	metrics_write(out, fmt, &in);
	return 0;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	struct metrics_server *s;
	char err[256];

	if (argc != 2) {
		fprintf(stderr, "usage: serve_metrics HOST:PORT\n");
		return 2;
	}
	agg_init(&agg);
	agg_segment(&agg, 101, 0, 0x380, true, 3);
	agg_segment(&agg, 101, 0, 0x380, false, 4);
	agg_segment(&agg, 101, 0, 0x480, false, 2);
	for (int i = 0; i < 4; i++)
		agg_fault(&agg, 101, 0, 0xe00, 3, 1000, false, 0);
	agg_fault(&agg, 101, 0, 0xe00, 3, 5000, false, 0);
	agg_fault(&agg, 101, 0, 0xe20, 0, 300, false, 0);
	agg_fault(&agg, 101, 0, 0xe20, 0, 300, false, 0);
	agg_fault(&agg, 202, 0, 0xe00, 3, 70000, false, 0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	s = metrics_server_start(argv[1], render, NULL, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "serve_metrics: %s\n", err);
		return 1;
	}
	printf("serving\n");
	fflush(stdout);
	while (!stop)
		pause();
	metrics_server_stop(s);
	agg_free(&agg);
	return 0;
}
