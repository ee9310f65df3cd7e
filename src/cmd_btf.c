// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb btf: the BTF file that lets the stock source read struct kvm_vcpu
 * with CO-RE on a kernel without BTF (kvmslb --btf FILE), from the
 * distribution's debug vmlinux (and kvm-hv.ko), with pahole and bpftool.
 */
#include <stdio.h>

#include "kvmslb.h"
#include "core/btf_make.h"
#include "core/cli.h"
#include "core/json.h"
#include "core/msg.h"

static const char doc[] =
	"kvmslb btf: make the BTF that the stock source needs on a kernel without one.\v"
	"The stock kvm_hv tracepoints pass struct kvm_vcpu pointers; with BTF, kvmslb "
	"reads each event's VM (vcpu->arch.run_task->tgid) and vcpu id with CO-RE, so "
	"events are charged to the right guest even when POWER8 micro-threading reports "
	"them from another VM's thread. Kernels without /sys/kernel/btf/vmlinux "
	"(Debian's ppc64el) need a BTF file: this command encodes one with pahole from "
	"the debug vmlinux (Debian: linux-image-VERSION-dbg, "
	"/usr/lib/debug/boot/vmlinux-VERSION) and, where KVM is a module, kvm-hv.ko "
	"(/usr/lib/debug/lib/modules/VERSION/kernel/arch/powerpc/kvm/kvm-hv.ko), then "
	"keeps only what kvmslb reads (bpftool gen min_core_btf). --vmlinux also takes "
	"a BTF file (one made with --full, or another machine's /sys/kernel/btf/vmlinux). "
	"Needs pahole (dwarves) and bpftool; runs on any machine, the POWER host only "
	"needs the result.\n\n"
	"USAGE: kvmslb btf --vmlinux FILE [--module FILE]... -o OUT [--full]\n\n"
	"EXAMPLES:\n"
	"  kvmslb btf --vmlinux /usr/lib/debug/boot/vmlinux-6.1.0-50-powerpc64le \\\n"
	"      --module .../kvm-hv.ko -o kvmslb-6.1.0-50.btf\n"
	"  kvmslb stat --btf kvmslb-6.1.0-50.btf   # on the POWER host\n";

enum { OPT_VMLINUX = 1100, OPT_MODULE, OPT_FULL };

static const struct argp_option options[] = {
	{ "vmlinux", OPT_VMLINUX, "FILE", 0, "the kernel's vmlinux with DWARF (debug package), "
	  "or a BTF file", 0 },
	{ "module", OPT_MODULE, "FILE", 0, "a module with DWARF (kvm-hv.ko); repeatable", 0 },
	{ "output", 'o', "FILE", 0, "the BTF file to write", 0 },
	{ "full", OPT_FULL, NULL, 0, "keep every type (not only what kvmslb reads)", 0 },
	{ 0 },
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct btf_make_opts *o = state->input;

	switch (key) {
	case OPT_VMLINUX:
		o->vmlinux = arg;
		return 0;
	case OPT_MODULE:
		if (o->nmodules >= BTF_MAKE_MAX_MODULES) {
			argp_error(state, "at most %d --module", BTF_MAKE_MAX_MODULES);
			return EINVAL;
		}
		o->modules[o->nmodules++] = arg;
		return 0;
	case 'o':
		o->out = arg;
		return 0;
	case OPT_FULL:
		o->full = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	case ARGP_KEY_END:
		if (!o->vmlinux || !*o->vmlinux || !o->out || !*o->out) {
			argp_error(state, "--vmlinux FILE and -o OUT are needed");
			return EINVAL;
		}
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cmd_btf(int argc, char **argv)
{
	struct btf_make_opts o = { 0 };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	char err[1024];
	size_t bytes;
	int ret = cli_parse("btf", &argp, argc, argv, &o);

	if (ret)
		return ret;
	o.verbose = kvmslb_g.verbose;
	ret = btf_make(&o, err, sizeof(err), &bytes);
	if (ret) {
		p_err("%s", err);
		return ret == BTF_MAKE_BAD_INPUT ? KVMSLB_EXIT_USAGE : KVMSLB_EXIT_RUNTIME;
	}
	if (kvmslb_g.json) {
		struct json_writer *w = json_new(stdout, kvmslb_g.pretty);

		json_obj_begin(w);
		json_key_str(w, "btf", o.out);
		json_key_u64(w, "bytes", bytes);
		json_key_bool(w, "minimized", !o.full);
		json_obj_end(w);
		json_free(w);
	} else {
		printf("%s: %zu bytes of BTF describing struct kvm_vcpu%s; use it with "
		       "--btf %s\n", o.out, bytes, o.full ? "" : " (only what kvmslb reads)",
		       o.out);
	}
	return KVMSLB_EXIT_OK;
}
