// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * slbguest: ground-truth reproducer for kvmslb. A static ppc64le mini VMM
 * that runs a tiny KVM-HV hash-MMU guest which turns relocation on, takes
 * HDSI/HISI in the host, handles Data/Instruction Segment interrupts by
 * reloading its SLB, and reports how many interrupts of each kind it took.
 * Command line and output: tools/slbguest/README.md, man/slbguest.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest.h"
#include "vmm.h"

#define MAX_PAGES	4096
#define MAX_MEMORY	(1ULL << 30)

static const char usage_text[] =
"Usage: slbguest [-name [guest=]NAME] [options]\n"
"Run a tiny KVM-HV hash-MMU guest that takes HDSI/HISI with relocation on,\n"
"handles Data/Instruction Segment interrupts by reloading its SLB, and prints\n"
"the interrupt counts it saw (the ground truth for kvmslb).\n"
"\n"
"  -name guest=NAME[,...]  guest name, QEMU syntax (also -name NAME, --name)\n"
"  --data-pages N          data pages per vcpu, stored to each pass (default 16)\n"
"  --code-pages M          code pages per vcpu, executed each pass (default 4)\n"
"  --vcpus V               vcpus, one thread each, 1-32 (default 1)\n"
"  --loops L               passes over the pages (default 1 without --duration)\n"
"  --duration S            repeat passes for S seconds (with --loops: first limit)\n"
"  --inject K              write K to this VM's debugfs slb_miss_inject knob\n"
"                          before starting (needs the kvmslb-patched kernel)\n"
"  --hw-stale-erat         attempt the real stale-ERAT sequence (slbmte without\n"
"                          slbie, then access the old segment); for POWER8\n"
"                          hardware, emulators do not model stale ERAT entries\n"
"  --pace                  make an hcall (an exit to the host) from every segment\n"
"                          interrupt handler, so the kernel emits its real-mode\n"
"                          event log after each one instead of in bursts\n"
"  --dup-test              test the duplicate-SLB-entry check: segment handlers\n"
"                          reload the entry before checking, as if the kernel had\n"
"                          left it; a run with segment interrupts must fail\n"
"  --timeout S             fail if the guest has not finished after S seconds\n"
"                          (plus --duration); 0 = never (default 300)\n"
"  --hold                  after the total line, keep the VM (and its debugfs\n"
"                          directory) until SIGUSR1, then exit\n"
"  --quiet                 no informational messages on stderr\n"
"  --help                  this text\n"
"\n"
"Output (stdout):\n"
"  slbguest: vm name=NAME pid=PID debugfs=DIR vcpus=V inject=K\n"
"  slbguest: vcpu name=NAME vcpu=I dsegi=A isegi=B dsi=C isi=D other=E hcalls=H\n"
"  slbguest: total name=NAME pid=PID dsegi=A isegi=B dsi=C isi=D other=E\n"
"Exit status: 0 guest ran to completion, 1 runtime failure, 2 bad usage.\n";

static void __attribute__((noreturn, format(printf, 1, 2))) usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("slbguest: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'slbguest --help'.\n", stderr);
	exit(2);
}

static unsigned long parse_num(const char *opt, const char *s, unsigned long min,
			       unsigned long max)
{
	unsigned long v;
	char *end;

	if (!s)
		usage_error("%s needs a value", opt);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || s[0] == '+')
		usage_error("%s: '%s' is not a number", opt, s);
	if (v < min || v > max)
		usage_error("%s: %lu is out of range %lu-%lu", opt, v, min, max);
	return v;
}

/*
 * QEMU's -name: "guest=NAME,process=...,debug-threads=on" or "NAME[,...]"
 * (the first, key-less part is the guest name). Returns a new string.
 */
static char *parse_name(const char *arg)
{
	char *copy, *tok, *save = NULL, *name = NULL;
	bool first = true;

	if (!arg || !*arg)
		usage_error("-name needs a value");
	copy = strdup(arg);
	if (!copy) {
		fputs("slbguest: out of memory\n", stderr);
		exit(1);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "guest=", 6))
			name = tok + 6;
		else if (first && !strchr(tok, '='))
			name = tok;
		first = false;
	}
	if (!name || !*name)
		usage_error("-name '%s': no guest name", arg);
	if (strpbrk(name, " \t\n\r\v\f"))
		usage_error("-name '%s': the guest name must not contain white space", arg);
	name = strdup(name);
	free(copy);
	if (!name) {
		fputs("slbguest: out of memory\n", stderr);
		exit(1);
	}
	return name;
}

/* "--opt value" or "--opt=value"; advances *i past a separate value. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		usage_error("%s needs a value", name);
	return argv[++*i];
}

static bool opt_is(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

static bool hold;

static void parse_args(int argc, char **argv, struct slbg_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->name = "slbguest";
	o->ndata = 16;
	o->ncode = 4;
	o->nvcpus = 1;
	o->timeout = 300;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (opt_is(a, "-name") || opt_is(a, "--name"))
			o->name = parse_name(opt_value(argc, argv, &i, a[1] == '-' ? "--name" : "-name"));
		else if (opt_is(a, "--data-pages"))
			o->ndata = parse_num("--data-pages", opt_value(argc, argv, &i, "--data-pages"),
					     0, MAX_PAGES);
		else if (opt_is(a, "--code-pages"))
			o->ncode = parse_num("--code-pages", opt_value(argc, argv, &i, "--code-pages"),
					     0, MAX_PAGES);
		else if (opt_is(a, "--vcpus"))
			o->nvcpus = parse_num("--vcpus", opt_value(argc, argv, &i, "--vcpus"),
					      1, SLBG_MAX_VCPUS);
		else if (opt_is(a, "--loops"))
			o->loops = parse_num("--loops", opt_value(argc, argv, &i, "--loops"),
					     1, 1000000000UL);
		else if (opt_is(a, "--duration"))
			o->duration = parse_num("--duration", opt_value(argc, argv, &i, "--duration"),
						1, 86400);
		else if (opt_is(a, "--inject"))
			o->inject = parse_num("--inject", opt_value(argc, argv, &i, "--inject"),
					      0, 1000000000UL);
		else if (opt_is(a, "--timeout"))
			o->timeout = parse_num("--timeout", opt_value(argc, argv, &i, "--timeout"),
					       0, 86400);
		else if (!strcmp(a, "--hw-stale-erat"))
			o->stale_erat = true;
		else if (!strcmp(a, "--pace"))
			o->pace = true;
		else if (!strcmp(a, "--dup-test"))
			o->dup_test = true;
		else if (!strcmp(a, "--hold"))
			hold = true;
		else if (!strcmp(a, "--quiet"))
			o->quiet = true;
		else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage_text, stdout);
			exit(0);
		} else
			usage_error("unknown argument '%s'", a);
	}
	if (!o->loops && !o->duration)
		o->loops = 1;
	if ((unsigned long long)o->nvcpus * (o->ndata + o->ncode) * SLBG_STRIDE > MAX_MEMORY)
		usage_error("%u vcpus x (%u + %u) pages x 64K is more than 1 GiB of guest memory",
			    o->nvcpus, o->ndata, o->ncode);
}

static void add_counts(struct slbg_counts *t, const struct slbg_counts *c)
{
	t->dsegi += c->dsegi;
	t->isegi += c->isegi;
	t->dsi += c->dsi;
	t->isi += c->isi;
	t->other += c->other;
	t->hcalls += c->hcalls;
	t->passes += c->passes;
	t->stub += c->stub;
}

int main(int argc, char **argv)
{
	struct slbg_opts o;
	struct slbg_vm vm;
	struct slbg_counts total = { 0 };
	char err[400] = "";
	unsigned int i;
	sigset_t usr1;
	long left;
	int sig;

	parse_args(argc, argv, &o);

	/* --hold: block SIGUSR1 in every thread; one sent early stays pending */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (hold)
		pthread_sigmask(SIG_BLOCK, &usr1, NULL);

	if (slbg_vm_create(&vm, &o)) {
		fprintf(stderr, "slbguest: %s\n", vm.err);
		return 1;
	}
	if (o.inject && slbg_vm_inject(&vm, o.inject)) {
		fprintf(stderr, "slbguest: %s\n", vm.err);
		return 1;
	}
	printf("slbguest: vm name=%s pid=%d debugfs=%s vcpus=%u inject=%lu\n", o.name,
	       (int)vm.pid, vm.debugfs, o.nvcpus, o.inject);
	fflush(stdout);

	if (slbg_vm_run(&vm)) {
		fprintf(stderr, "slbguest: %s\n", vm.err);
		return 1;
	}

	for (i = 0; i < o.nvcpus; i++) {
		struct slbg_vcpu *c = &vm.vcpus[i];
		uint64_t want_stub;

		if (!c->reported)
			slbg_vm_peek_counts(&vm, i, &c->counts);
		add_counts(&total, &c->counts);
		printf("slbguest: vcpu name=%s vcpu=%u dsegi=%llu isegi=%llu dsi=%llu isi=%llu "
		       "other=%llu hcalls=%llu\n", o.name, i,
		       (unsigned long long)c->counts.dsegi, (unsigned long long)c->counts.isegi,
		       (unsigned long long)c->counts.dsi, (unsigned long long)c->counts.isi,
		       (unsigned long long)c->counts.other, (unsigned long long)c->counts.hcalls);

		if (err[0])
			continue;
		want_stub = (uint64_t)o.ncode * c->counts.passes * (o.stale_erat ? 2 : 1);
		if (c->failed)
			snprintf(err, sizeof(err), "%s", c->err);
		else if (!c->reported)
			snprintf(err, sizeof(err), "vcpu %u stopped without reporting its counts", i);
		else if (c->counts.status != SLBG_STATUS_OK)
			snprintf(err, sizeof(err), "guest vcpu %u stopped early (status %llu)", i,
				 (unsigned long long)c->counts.status);
		else if (o.pace && (c->seg_dsegi != c->counts.dsegi || c->seg_isegi != c->counts.isegi))
			snprintf(err, sizeof(err), "guest vcpu %u: --pace hcalls for %llu/%llu segment "
				 "interrupts, but it counted dsegi=%llu isegi=%llu", i,
				 (unsigned long long)c->seg_dsegi, (unsigned long long)c->seg_isegi,
				 (unsigned long long)c->counts.dsegi, (unsigned long long)c->counts.isegi);
		else if (c->counts.stub != want_stub)
			snprintf(err, sizeof(err), "guest vcpu %u ran its code-page stub %llu times, "
				 "expected %llu", i, (unsigned long long)c->counts.stub,
				 (unsigned long long)want_stub);
	}
	printf("slbguest: total name=%s pid=%d dsegi=%llu isegi=%llu dsi=%llu isi=%llu other=%llu\n",
	       o.name, (int)vm.pid, (unsigned long long)total.dsegi,
	       (unsigned long long)total.isegi, (unsigned long long)total.dsi,
	       (unsigned long long)total.isi, (unsigned long long)total.other);
	fflush(stdout);

	if (!o.quiet) {
		fprintf(stderr, "slbguest: note: name=%s passes=%llu hpt_order=%u mmu=%s",
			o.name, (unsigned long long)total.passes, vm.hpt_order,
			vm.hash_v3 ? "hpt-v3" : "hpt");
		if (o.inject && !slbg_vm_inject_left(&vm, &left))
			fprintf(stderr, " inject_left=%ld", left);
		fputc('\n', stderr);
	}
	if (hold) {
		if (!o.quiet)
			fprintf(stderr, "slbguest: note: name=%s holding the VM until SIGUSR1 (pid %d)\n",
				o.name, (int)vm.pid);
		while (sigwait(&usr1, &sig))
			;
	}
	if (err[0]) {
		fprintf(stderr, "slbguest: %s\n", err);
		return 1;
	}
	return 0;
}
