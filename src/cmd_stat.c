// SPDX-License-Identifier: GPL-2.0
/* kvmslb stat: per-guest totals and log2 fault-latency histograms over an interval. */
#include "kvmslb.h"
#include "core/cli.h"

static const char doc[] =
	"kvmslb stat: per-guest totals and log2 fault-latency histograms over an interval.\v"
	"USAGE: kvmslb stat [interval [count]]\n\n"
	"EXAMPLES:\n"
	"  kvmslb stat 5              # one 5 s interval\n  kvmslb stat -j 1 10        # ten 1 s intervals as JSON\n";

static const struct argp_option options[] = {
	{ 0 },
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_ARG)
		return 0;
	(void)state;
	return ARGP_ERR_UNKNOWN;
}

int cmd_stat(int argc, char **argv)
{
	const struct argp argp = { options, parse, "[interval [count]]", doc, NULL, NULL, NULL };
	int err = cli_parse("stat", &argp, argc, argv, NULL);

	if (err)
		return err;
	return cli_not_built("stat", "the eBPF collection engine (issue 5) is being built");
}
