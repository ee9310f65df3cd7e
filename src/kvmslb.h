/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by every front end: exit codes, global options, the command table. */
#ifndef KVMSLB_H
#define KVMSLB_H

#include <stdbool.h>

#ifndef KVMSLB_VERSION
#define KVMSLB_VERSION "0.0.0"
#endif

enum kvmslb_exit {
	KVMSLB_EXIT_OK = 0,
	KVMSLB_EXIT_RUNTIME = 1,	/* something failed at run time */
	KVMSLB_EXIT_USAGE = 2,		/* bad usage or bad input */
};

struct kvmslb_global {
	bool json;		/* -j/--json */
	bool pretty;		/* -p/--pretty (implies json) */
	bool verbose;		/* -v: libbpf and probe details on stderr */
	const char *btf;	/* --btf FILE: BTF for the stock source (kvmslb btf) */
	const char *prog;	/* "kvmslb" or "kvmslbtop" */
};

extern struct kvmslb_global kvmslb_g;

struct kvmslb_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_top(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_btf(int argc, char **argv);

#endif /* KVMSLB_H */
