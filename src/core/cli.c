// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/host_probe.h"
#include "core/msg.h"
#include "core/out.h"

enum { OPT_USAGE = -10 };

/* long-only global options: keys outside the commands' ranges */
enum { OPT_GLOBAL_BTF = 0x4254 };

static const struct argp_option global_options[] = {
	{ "json", 'j', NULL, 0, "JSON output", -1 },
	{ "pretty", 'p', NULL, 0, "pretty-printed JSON output (implies -j)", -1 },
	{ "verbose", 'v', NULL, 0, "details of probes and libbpf on stderr", -1 },
	{ "help", 'h', NULL, 0, "this help", -1 },
	{ "usage", OPT_USAGE, NULL, 0, "a short usage message", -1 },
	{ "version", 'V', NULL, 0, "print the version", -1 },
	{ "btf", OPT_GLOBAL_BTF, "FILE", 0, "BTF describing this kernel's KVM, for the stock "
	  "source where the kernel has none (see kvmslb btf)", -1 },
	{ 0 },
};

/* Returned by the help options: stop parsing, exit 0. */
#define CLI_HELP_SHOWN ECANCELED

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
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return CLI_HELP_SHOWN;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE);
		return CLI_HELP_SHOWN;
	case 'V':
		if (kvmslb_g.json)
			printf("{\"version\":\"%s\"}\n", KVMSLB_VERSION);
		else
			printf("kvmslb %s\n", KVMSLB_VERSION);
		return CLI_HELP_SHOWN;
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

bool cli_wants_json(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "--json") || !strcmp(a, "--pretty"))
			return true;
		/* -j, -p, or global short options bundled: -jv */
		if (a[0] == '-' && a[1] && a[1] != '-' && strspn(a + 1, "jpv") == strlen(a + 1) &&
		    strpbrk(a + 1, "jp"))
			return true;
	}
	return false;
}

/* argp's message ("PROG: what\nTry ...") as one {"error": "what"} line. */
static void report_captured(const char *text, const char *prog)
{
	size_t plen = strlen(prog), len = strcspn(text, "\n");
	char line[1024];

	if (!strncmp(text, prog, plen) && !strncmp(text + plen, ": ", 2)) {
		text += plen + 2;
		len -= plen + 2;
	}
	snprintf(line, sizeof(line), "%.*s", (int)len, text);
	p_err("%s", line);
}

/* argp exits by itself after --help and --usage: their output is checked here. */
static void check_stdout_at_exit(void)
{
	if (out_flush(stdout, "standard output"))
		_exit(KVMSLB_EXIT_RUNTIME);
}

int cli_parse(const char *name, const struct argp *argp, int argc, char **argv,
	      void *input)
{
	static char prog[64];
	struct argp_child children[] = {
		{ &cli_global_argp, 0, "Global options:", 0 },
		{ 0 },
	};
	struct argp full = *argp;
	char *saved = argv[0], *captured = NULL;
	FILE *real_stderr = stderr, *errors = NULL;
	size_t captured_len = 0;
	bool json = kvmslb_g.json || cli_wants_json(argc, argv);
	int idx = 0;
	error_t err;

	static bool at_exit;

	if (!at_exit)
		at_exit = !atexit(check_stdout_at_exit);
	snprintf(prog, sizeof(prog), "%s %s", kvmslb_g.prog, name);
	if (!strcmp(kvmslb_g.prog, "kvmslbtop"))
		snprintf(prog, sizeof(prog), "kvmslbtop");
	msg_set_prog(prog);
	full.children = children;
	argv[0] = prog;
	/*
	 * argp's own --help and exit() are off: -h/--help come from the global
	 * options (so they work after every command), and with -j an error
	 * becomes a JSON object instead of argp's two lines on stderr.
	 */
	/*
	 * getopt prints "unrecognized option" straight to stderr, so with -j
	 * stderr itself is caught while parsing (glibc's stderr is a variable).
	 */
	if (json)
		errors = open_memstream(&captured, &captured_len);
	if (errors)
		stderr = errors;
	err = argp_parse(&full, argc, argv, ARGP_NO_EXIT | ARGP_NO_HELP, &idx, input);
	stderr = real_stderr;
	argv[0] = saved;
	if (errors) {
		fclose(errors);
		if (err && err != CLI_HELP_SHOWN && captured && *captured) {
			kvmslb_g.json = true;	/* -j may come after the error */
			report_captured(captured, prog);
		}
		free(captured);
	}
	/* as argp did: the help was the whole job */
	if (err == CLI_HELP_SHOWN)
		exit(out_flush(stdout, "standard output") ? KVMSLB_EXIT_RUNTIME : KVMSLB_EXIT_OK);
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
