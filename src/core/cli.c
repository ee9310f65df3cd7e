// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/host_probe.h"
#include "core/msg.h"

/* long-only global options: keys outside the commands' ranges */
enum { OPT_GLOBAL_BTF = 0x4254 };

static const struct argp_option global_options[] = {
	{ "json", 'j', NULL, 0, "JSON output", -1 },
	{ "pretty", 'p', NULL, 0, "pretty-printed JSON output (implies -j)", -1 },
	{ "verbose", 'v', NULL, 0, "details of probes and libbpf on stderr", -1 },
	{ "btf", OPT_GLOBAL_BTF, "FILE", 0, "BTF describing this kernel's KVM, for the stock "
	  "source where the kernel has none (see kvmslb btf)", -1 },
	{ 0 },
};

static error_t global_parse(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		kvmslb_g.json = true;
		return 0;
	case 'p':
		kvmslb_g.json = kvmslb_g.pretty = true;
		return 0;
	case 'v':
		kvmslb_g.verbose = true;
		return 0;
	case OPT_GLOBAL_BTF:
		if (!*arg) {
			argp_error(state, "--btf needs a file");
			return EINVAL;
		}
		kvmslb_g.btf = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp cli_global_argp = { .options = global_options, .parser = global_parse };

struct parse_ctx {
	int status;
};

int cli_parse(const char *name, const struct argp *argp, int argc, char **argv,
	      void *input)
{
	static char prog[64];
	struct argp_child children[] = {
		{ &cli_global_argp, 0, "Global options:", 0 },
		{ 0 },
	};
	struct argp full = *argp;
	char *saved = argv[0];
	int idx = 0;
	error_t err;

	snprintf(prog, sizeof(prog), "%s %s", kvmslb_g.prog, name);
	if (!strcmp(kvmslb_g.prog, "kvmslbtop"))
		snprintf(prog, sizeof(prog), "kvmslbtop");
	msg_set_prog(prog);
	full.children = children;
	argv[0] = prog;
	/* argp prints its own one-line error plus a --help hint, exit 2 (argp_err_exit_status) */
	err = argp_parse(&full, argc, argv, 0, &idx, input);
	argv[0] = saved;
	if (err)
		return err == EINVAL || err == ARGP_ERR_UNKNOWN ? KVMSLB_EXIT_USAGE :
		       KVMSLB_EXIT_RUNTIME;
	return 0;
}

int cli_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_seconds(const char *s, double min, double max, double *out)
{
	double v;
	char *end;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

error_t cli_arg_source(struct argp_state *state, const char *arg, int *source)
{
	enum data_source s;

	if (source_from_name(arg, &s)) {
		argp_error(state, "unknown source '%s' (patched, stock or stats)", arg);
		return EINVAL;
	}
	*source = s;
	return 0;
}

error_t cli_arg_guest(struct argp_state *state, const char *arg, const char **name,
		      uint32_t *pid)
{
	unsigned long long v;

	if (!*arg) {
		argp_error(state, "--guest needs a name or a pid");
		return EINVAL;
	}
	*name = arg;
	if (!cli_parse_u64(arg, 1, UINT32_MAX, &v))
		*pid = (uint32_t)v;
	return 0;
}

volatile sig_atomic_t cli_stop;

static void on_stop(int sig)
{
	cli_stop = sig;
}

void cli_catch_stop(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
