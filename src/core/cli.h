/* SPDX-License-Identifier: GPL-2.0 */
/* Pieces every subcommand's argp parser shares. */
#ifndef KVMSLB_CLI_H
#define KVMSLB_CLI_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

/* -j/--json, -p/--pretty, -v/--verbose, accepted after the subcommand too. */
extern const struct argp cli_global_argp;

/*
 * Parse argv for subcommand 'name' with 'argp' (global options added:
 * -j, -p, -v, -h/--help, --usage). Returns 0, or the exit status to return
 * right away (2 on bad usage); after -h/--help it exits 0 itself, as argp
 * would. Errors print one line and a hint, or {"error": ...} on stdout with
 * -j anywhere on the command line.
 */
int cli_parse(const char *name, const struct argp *argp, int argc, char **argv,
	      void *input);

/* -j/--json/-p/--pretty anywhere in argv (before argp has seen them). */
bool cli_wants_json(int argc, char **argv);

/* Strict number parsing for options: whole string, in range. 0 or -1. */
int cli_parse_u64(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *out);
int cli_parse_seconds(const char *s, double min, double max, double *out);

/* --source SRC for an argp parser: 0, or argp_error() and EINVAL. */
error_t cli_arg_source(struct argp_state *state, const char *arg, int *source);
/* --guest NAME|PID: a number is a pid (*pid set), anything else a name. */
error_t cli_arg_guest(struct argp_state *state, const char *arg, const char **name,
		      uint32_t *pid);

/* Set by SIGINT/SIGTERM once cli_catch_stop() has run: the signal number. */
extern volatile sig_atomic_t cli_stop;
void cli_catch_stop(void);
/* Seconds on the monotonic clock. */
double cli_now(void);

#endif
