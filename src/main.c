// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb: how often KVM on POWER synthesizes segment faults for its guests,
 * for which guests, and how long the HDSI/HISI fault path takes.
 *
 * Command dispatch in the manner of bpftool: a table of subcommands,
 * unambiguous prefixes accepted, -j/--json global.
 */
#include <argp.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/msg.h"
#include "core/out.h"

struct kvmslb_global kvmslb_g = { .prog = "kvmslb" };
const char *argp_program_version = "kvmslb " KVMSLB_VERSION;

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const struct kvmslb_cmd cmds[] = {
	{ "top", cmd_top, "live per-guest view (also started as kvmslbtop)" },
	{ "stat", cmd_stat, "per-guest totals and latency histograms for an interval" },
	{ "report", cmd_report, "summarize recorded data: perf.data, perf script, trace.dat" },
	{ "export", cmd_export, "fleet telemetry: Prometheus/OpenMetrics, textfile, JSON lines" },
	{ "doctor", cmd_doctor, "what this host can observe, and why not" },
	{ "btf", cmd_btf, "make the BTF the stock source needs where the kernel has none" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "this help" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kvmslb [-j|--json] [-p|--pretty] [-v] COMMAND [ARGS...]\n"
		"       kvmslbtop [ARGS...]        (same as kvmslb top)\n\n"
		"Commands (unambiguous prefixes are accepted):\n");
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'kvmslb COMMAND --help' shows a command's options and examples.\n"
		"Exit status: 0 success, 1 runtime failure, 2 bad usage or bad input.\n");
}

static const struct kvmslb_cmd *cmd_select(const char *word, bool *ambiguous);

/* 'kvmslb help' is the general help; 'kvmslb help COMMAND' is 'COMMAND --help'. */
static int cmd_help(int argc, char **argv)
{
	const struct kvmslb_cmd *cmd;
	char *args[3];
	bool ambiguous;

	if (argc < 2) {
		usage(stdout);
		return KVMSLB_EXIT_OK;
	}
	if (argc > 2) {
		p_err("help takes one command; see 'kvmslb help'");
		return KVMSLB_EXIT_USAGE;
	}
	cmd = cmd_select(argv[1], &ambiguous);
	if (!cmd) {
		p_err("%s command '%s'; see 'kvmslb help'", ambiguous ? "ambiguous" : "unknown",
		      argv[1]);
		return KVMSLB_EXIT_USAGE;
	}
	if (cmd->run == cmd_help || cmd->run == cmd_version) {
		usage(stdout);
		return KVMSLB_EXIT_OK;
	}
	args[0] = (char *)cmd->name;
	args[1] = "--help";
	args[2] = NULL;
	return cmd->run(2, args);
}

static int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (kvmslb_g.json)
		printf("{\"version\":\"%s\"}\n", KVMSLB_VERSION);
	else
		printf("kvmslb %s\n", KVMSLB_VERSION);
	return KVMSLB_EXIT_OK;
}

/* Exact name first, then a unique prefix; NULL with *ambiguous set if not unique. */
static const struct kvmslb_cmd *cmd_select(const char *word, bool *ambiguous)
{
	const struct kvmslb_cmd *found = NULL;
	size_t len = strlen(word);

	*ambiguous = false;
	for (size_t i = 0; i < NR_CMDS; i++)
		if (!strcmp(cmds[i].name, word))
			return &cmds[i];
	for (size_t i = 0; i < NR_CMDS && len; i++) {
		if (strncmp(cmds[i].name, word, len))
			continue;
		if (found) {
			*ambiguous = true;
			return NULL;
		}
		found = &cmds[i];
	}
	return found;
}

/* Whatever a command printed must have reached stdout: a write error is a failure. */
static int finish(int ret)
{
	if (out_flush(stdout, "standard output") && ret == KVMSLB_EXIT_OK)
		return KVMSLB_EXIT_RUNTIME;
	return ret;
}

int main(int argc, char **argv)
{
	const struct kvmslb_cmd *cmd;
	char *base = basename(argv[0]);
	bool ambiguous;
	int i = 1;

	argp_err_exit_status = KVMSLB_EXIT_USAGE;
	if (!strcmp(base, "kvmslbtop")) {
		kvmslb_g.prog = "kvmslbtop";
		msg_set_prog("kvmslbtop");
		return finish(cmd_top(argc, argv));
	}

	/* an error about one global option is JSON if another one asks for it */
	for (int j = 1; j < argc && argv[j][0] == '-'; j++)
		if (!strcmp(argv[j], "-j") || !strcmp(argv[j], "--json") ||
		    !strcmp(argv[j], "-p") || !strcmp(argv[j], "--pretty"))
			kvmslb_g.json = true;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-j") || !strcmp(a, "--json")) {
			kvmslb_g.json = true;
		} else if (!strcmp(a, "-p") || !strcmp(a, "--pretty")) {
			kvmslb_g.json = kvmslb_g.pretty = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			kvmslb_g.verbose = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return finish(KVMSLB_EXIT_OK);
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			return finish(cmd_version(0, NULL));
		} else {
			p_err("unknown option '%s'; see 'kvmslb --help'", a);
			return KVMSLB_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		if (kvmslb_g.json)
			p_err("no command given; see 'kvmslb help'");
		else
			usage(stderr);
		return KVMSLB_EXIT_USAGE;
	}
	cmd = cmd_select(argv[i], &ambiguous);
	if (!cmd) {
		p_err("%s command '%s'; see 'kvmslb help'",
		      ambiguous ? "ambiguous" : "unknown", argv[i]);
		return KVMSLB_EXIT_USAGE;
	}
	return finish(cmd->run(argc - i, argv + i));
}
