// SPDX-License-Identifier: GPL-2.0
/* kvmslb report: summarize recorded kvm_hv data: perf.data, perf script text on stdin, trace-cmd trace.dat. */
#include "kvmslb.h"
#include "core/cli.h"

static const char doc[] =
	"kvmslb report: summarize recorded kvm_hv data: perf.data, perf script text on stdin, trace-cmd trace.dat.\v"
	"USAGE: kvmslb report [-i FILE|-]\n\n"
	"EXAMPLES:\n"
	"  perf record -e 'kvm_hv:*' -a -- sleep 10 && kvmslb report -i perf.data\n  perf script | kvmslb report -\n";

static error_t parse(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	if (key == ARGP_KEY_ARG)
		return 0;
	(void)state;
	return ARGP_ERR_UNKNOWN;
}

int cmd_report(int argc, char **argv)
{
	const struct argp argp = { NULL, parse, "[-i FILE|-]", doc, NULL, NULL, NULL };
	int err = cli_parse("report", &argp, argc, argv, NULL);

	if (err)
		return err;
	return cli_not_built("report", "the perf.data/perf script/trace.dat readers have their own issue");
}
