// SPDX-License-Identifier: GPL-2.0
/* kvmslb export: fleet telemetry: Prometheus/OpenMetrics over HTTP, node_exporter textfile, JSON lines. */
#include "kvmslb.h"
#include "core/cli.h"

static const char doc[] =
	"kvmslb export: fleet telemetry: Prometheus/OpenMetrics over HTTP, node_exporter textfile, JSON lines.\v"
	"USAGE: kvmslb export [--listen ADDR:PORT | --textfile FILE | --jsonl]\n\n"
	"EXAMPLES:\n"
	"  kvmslb export --listen 127.0.0.1:9464\n  kvmslb export --textfile /var/lib/node_exporter/kvmslb.prom\n";

static error_t parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_ARG)
		return 0;
	(void)state;
	return ARGP_ERR_UNKNOWN;
}

int cmd_export(int argc, char **argv)
{
	const struct argp argp = { NULL, parse, "[--listen ADDR:PORT | --textfile FILE | --jsonl]", doc, NULL, NULL, NULL };
	int err = cli_parse("export", &argp, argc, argv, NULL);

	if (err)
		return err;
	return cli_not_built("export", "the exporter has its own issue");
}
