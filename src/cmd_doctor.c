// SPDX-License-Identifier: GPL-2.0
/* kvmslb doctor: what this host can observe, and for what it cannot, why. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kvmslb.h"
#include "core/cli.h"
#include "core/host_probe.h"
#include "core/json.h"
#include "core/msg.h"
#include "core/source.h"

static const char doc[] =
	"kvmslb doctor: what this host can observe, and why not.\v"
	"Checks the CPU generation, kernel, kvm_hv and its micro-threading parameters, the "
	"kvm_hv tracepoints (and which series of the kvmslb patch), kernel BTF (and whether "
	"it describes KVM's vcpu, or the file given with --btf does), whether bpf() loads a "
	"program, privileges, KVM stats in debugfs, whether the kernel carries the 2015 "
	"SLB-miss fix, which data source (patched, stock, stats) can run here, and how it "
	"charges events to guests.\n\n"
	"USAGE: kvmslb doctor [-j] [--btf FILE] [--root DIR] [--no-mount]\n\n"
	"EXAMPLES:\n"
	"  kvmslb doctor              # human-readable report\n"
	"  kvmslb doctor -j           # the same as JSON\n"
	"  kvmslb doctor --btf kvm.btf  # would the stock source use this BTF?\n";

struct doctor_args {
	const char *root;
	bool no_mount;
};

enum { OPT_ROOT = 1000, OPT_NO_MOUNT };

static const struct argp_option options[] = {
	{ "root", OPT_ROOT, "DIR", 0, "probe files under DIR instead of / (for tests)", 0 },
	{ "no-mount", OPT_NO_MOUNT, NULL, 0, "do not try to mount tracefs", 0 },
	{ 0 },
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	struct doctor_args *a = state->input;

	switch (key) {
	case OPT_ROOT:
		a->root = arg;
		return 0;
	case OPT_NO_MOUNT:
		a->no_mount = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

static void mt_text(const struct host_probe *p, char *buf, size_t len)
{
	if (p->mt_modes < 0 || p->one_vm_per_core < 0)
		snprintf(buf, len, "unknown (/sys/module/kvm_hv/parameters unreadable)");
	else
		snprintf(buf, len, "dynamic_mt_modes=%d one_vm_per_core=%c%s", p->mt_modes,
			 p->one_vm_per_core ? 'Y' : 'N', host_mt_can_mix_vms(p) ?
			 ": one core can run vcores of several VMs" : "");
}

static void print_text(const struct host_probe *p, const struct source_choice *c,
		       const char *btf_file, const char *btf_file_why)
{
	char why[512];
	int first_ok = -1;

	printf("host\n");
	printf("  %-28s %s\n", "architecture", p->machine);
	printf("  %-28s %s (%s)\n", "cpu", p->cpu, cpu_gen_name(p->gen));
	printf("  %-28s %s\n", "kernel", p->release);
	printf("  %-28s %s\n", "/dev/kvm", p->kvm_dev ? "present" : "absent");
	printf("  %-28s %s\n", "kvm_hv", p->kvm_hv ? "loaded" : "not loaded");
	mt_text(p, why, sizeof(why));
	printf("  %-28s %s\n", "kvm_hv micro-threading", why);
	if (p->hfault_stats >= 0)
		printf("  %-28s %s\n", "kvm_hv hfault_stats", p->hfault_stats ?
		       "Y: fault paths timed and counted without a tracepoint" :
		       "N: fault paths counted only while a kvmslb tracepoint is enabled");
	printf("  %-28s %s\n", "2015 SLB-miss fix", p->fix_2015_why);
	printf("tracing\n");
	printf("  %-28s %s\n", "tracefs", p->tracefs[0] ? p->tracefs : p->tracefs_err);
	for (int t = 0; t < TP_NR; t++) {
		char name[64];

		snprintf(name, sizeof(name), "kvm_hv:%s", tp_name(t));
		printf("  %-28s %s\n", name, p->tracefs[0] ? (p->tp[t] ? "present" : "absent") :
		       "unknown (no tracefs)");
	}
	if (p->tp[TP_SEGMENT_SYNTH])
		printf("  %-28s %s\n", "kvmslb patch series", p->patched_v2 ?
		       "v2 (events name their VM and vcpu)" :
		       "v1 (events carry no VM identity)");
	printf("  %-28s %s\n", "kernel BTF", p->btf ? "present (/sys/kernel/btf/vmlinux)" :
	       "absent (tracepoint fields come from tracefs formats)");
	printf("  %-28s %s\n", "BTF for KVM (CO-RE)", p->btf_kvm_why);
	if (btf_file)
		printf("  %-28s %s\n", "--btf", btf_file_why);
	printf("  %-28s %s\n", "bpf()", p->bpf_ok ? "loads programs" : p->bpf_err);
	printf("  %-28s CAP_BPF %s, CAP_PERFMON %s, CAP_SYS_ADMIN %s\n", "privileges",
	       yn(p->cap_bpf), yn(p->cap_perfmon), yn(p->cap_sys_admin));
	printf("  %-28s %s\n", "KVM stats (debugfs)",
	       p->debugfs_kvm[0] ? (p->stats_patched ? "readable, with SLB-synthesis counters" :
				    "readable, no SLB-synthesis counters") : p->debugfs_err);
	printf("data sources (tried in this order)\n");
	for (int s = 0; s < SOURCE_NR; s++) {
		bool ok = source_usable(p, s, why, sizeof(why));

		if (ok && first_ok < 0)
			first_ok = s;
		printf("  %-8s %-4s %s\n", source_name(s), ok ? "yes" : "no", ok ? "" : why);
	}
	printf("selected source: %s\n", first_ok >= 0 ? source_name(first_ok) :
	       "none: kvmslb cannot observe KVM on this host (reasons above)");
	if (c->chosen < 0)
		return;
	printf("attribution: %s: %s\n", attribution_name(c->attribution), c->how);
	for (int i = 0; i < c->nwarn; i++)
		printf("warning: %s\n", c->warn[i]);
}

static void print_json(const struct host_probe *p, const struct source_choice *c,
		       const char *btf_file, bool btf_file_ok, const char *btf_file_why)
{
	struct json_writer *w = json_new(stdout, kvmslb_g.pretty);
	char why[512];
	int first_ok = -1;

	json_obj_begin(w);
	json_key(w, "host");
	json_obj_begin(w);
	json_key_str(w, "architecture", p->machine);
	json_key_str(w, "cpu", p->cpu);
	json_key_str(w, "cpu_generation", cpu_gen_name(p->gen));
	json_key_str(w, "kernel", p->release);
	json_key_bool(w, "dev_kvm", p->kvm_dev);
	json_key_bool(w, "kvm_hv_loaded", p->kvm_hv);
	json_key(w, "micro_threading");
	json_obj_begin(w);
	json_key(w, "dynamic_mt_modes");
	if (p->mt_modes >= 0)
		json_i64(w, p->mt_modes);
	else
		json_null(w);
	json_key(w, "one_vm_per_core");
	if (p->one_vm_per_core >= 0)
		json_bool(w, p->one_vm_per_core);
	else
		json_null(w);
	json_key_bool(w, "can_mix_vms_on_a_core", host_mt_can_mix_vms(p));
	json_obj_end(w);
	json_key(w, "hfault_stats");
	if (p->hfault_stats >= 0)
		json_bool(w, p->hfault_stats);
	else
		json_null(w);
	json_key(w, "fix_2015");
	json_obj_begin(w);
	json_key_str(w, "present", p->fix_2015 > 0 ? "yes" : p->fix_2015 == 0 ? "unknown" :
		     "not_applicable");
	json_key_str(w, "reason", p->fix_2015_why);
	json_obj_end(w);
	json_obj_end(w);

	json_key(w, "tracing");
	json_obj_begin(w);
	json_key_str(w, "tracefs", p->tracefs[0] ? p->tracefs : NULL);
	if (!p->tracefs[0])
		json_key_str(w, "tracefs_error", p->tracefs_err);
	json_key(w, "tracepoints");
	json_obj_begin(w);
	for (int t = 0; t < TP_NR; t++) {
		char name[64];

		snprintf(name, sizeof(name), "kvm_hv:%s", tp_name(t));
		json_key_bool(w, name, p->tp[t]);
	}
	json_obj_end(w);
	json_key_str(w, "patch_series", p->tp[TP_SEGMENT_SYNTH] ? (p->patched_v2 ? "v2" : "v1") :
		     NULL);
	json_key_bool(w, "btf", p->btf);
	json_key_bool(w, "btf_kvm", p->btf_kvm);
	json_key_str(w, "btf_kvm_reason", p->btf_kvm_why);
	if (btf_file) {
		json_key(w, "btf_file");
		json_obj_begin(w);
		json_key_str(w, "path", btf_file);
		json_key_bool(w, "usable", btf_file_ok);
		json_key_str(w, "reason", btf_file_why);
		json_obj_end(w);
	}
	json_key_bool(w, "bpf", p->bpf_ok);
	if (!p->bpf_ok)
		json_key_str(w, "bpf_error", p->bpf_err);
	json_key_bool(w, "cap_bpf", p->cap_bpf);
	json_key_bool(w, "cap_perfmon", p->cap_perfmon);
	json_key_bool(w, "cap_sys_admin", p->cap_sys_admin);
	json_key_str(w, "kvm_debugfs", p->debugfs_kvm[0] ? p->debugfs_kvm : NULL);
	if (!p->debugfs_kvm[0])
		json_key_str(w, "kvm_debugfs_error", p->debugfs_err);
	json_key_bool(w, "kvm_stats_slb_counters", p->stats_patched);
	json_obj_end(w);

	json_key(w, "sources");
	json_arr_begin(w);
	for (int s = 0; s < SOURCE_NR; s++) {
		bool ok = source_usable(p, s, why, sizeof(why));

		if (ok && first_ok < 0)
			first_ok = s;
		json_obj_begin(w);
		json_key_str(w, "name", source_name(s));
		json_key_bool(w, "usable", ok);
		if (!ok)
			json_key_str(w, "reason", why);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key_str(w, "selected", first_ok >= 0 ? source_name(first_ok) : NULL);
	json_key(w, "attribution");
	if (c->chosen >= 0) {
		json_obj_begin(w);
		json_key_str(w, "mode", attribution_name(c->attribution));
		json_key_str(w, "how", c->how);
		json_key(w, "warnings");
		json_arr_begin(w);
		for (int i = 0; i < c->nwarn; i++)
			json_str(w, c->warn[i]);
		json_arr_end(w);
		json_obj_end(w);
	} else {
		json_null(w);
	}
	json_obj_end(w);
	json_free(w);
}

int cmd_doctor(int argc, char **argv)
{
	struct doctor_args a = { .root = "" };
	const struct argp argp = { options, parse, NULL, doc, NULL, NULL, NULL };
	struct source_prefs prefs = { .forced = -1 };
	struct source_choice c;
	struct host_probe p;
	char btf_why[512] = "";
	bool btf_ok = false;
	struct stat st;
	int err = cli_parse("doctor", &argp, argc, argv, &a);

	if (err)
		return err;
	/* a root that is not a directory would give a report of blanks */
	errno = 0;
	if (a.root[0] && (stat(a.root, &st) || !S_ISDIR(st.st_mode))) {
		p_err("--root %s: %s", a.root, errno ? strerror(errno) : "not a directory");
		return KVMSLB_EXIT_USAGE;
	}
	host_probe(&p, a.root, !a.no_mount && !a.root[0]);
	if (kvmslb_g.btf) {
		btf_ok = btf_describes_kvm(a.root, kvmslb_g.btf, btf_why, sizeof(btf_why));
		if (btf_ok)
			prefs.btf = kvmslb_g.btf;
	}
	source_select(&p, &prefs, &c);
	if (kvmslb_g.json)
		print_json(&p, &c, kvmslb_g.btf, btf_ok, btf_why);
	else
		print_text(&p, &c, kvmslb_g.btf, btf_why);
	return KVMSLB_EXIT_OK;
}
