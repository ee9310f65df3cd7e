// SPDX-License-Identifier: GPL-2.0
/* kvmslb top: live per-guest view: guest, pid, DSegI/ISegI synthesized, HDSI/HISI rate, p50/p99/max fault latency. */
#include "kvmslb.h"
#include "core/cli.h"

static const char doc[] =
	"kvmslb top: live per-guest view: guest, pid, DSegI/ISegI synthesized, HDSI/HISI rate, p50/p99/max fault latency.\v"
	"USAGE: kvmslb top [-b] [-n COUNT] [-d SECONDS] [-g GUEST]\n\n"
	"EXAMPLES:\n"
	"  kvmslb top                 # live table, refreshed every second\n  kvmslb top -b -n 10        # batch mode, 10 refreshes\n  kvmslbtop -g web1          # one guest\n";

static error_t parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_ARG)
		return 0;
	(void)state;
	return ARGP_ERR_UNKNOWN;
}

int cmd_top(int argc, char **argv)
{
	const struct argp argp = { NULL, parse, "[-b] [-n COUNT] [-d SECONDS] [-g GUEST]", doc, NULL, NULL, NULL };
	int err = cli_parse("top", &argp, argc, argv, NULL);

	if (err)
		return err;
	return cli_not_built("top", "the live view lands with the eBPF engine (issue 5) and its own issue");
}
