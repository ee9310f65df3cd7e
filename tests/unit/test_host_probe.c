// SPDX-License-Identifier: GPL-2.0
/* host_probe: parsers and the reasons source selection gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/host_probe.h"
#include "core/source.h"

/* /proc/cpuinfo excerpts as Linux prints them on these machines */
static const char cpuinfo_p8[] =
	"processor\t: 0\n"
	"cpu\t\t: POWER8 (raw), altivec supported\n"
	"clock\t\t: 1000.000000MHz\n"
	"revision\t: 2.0 (pvr 004d 0200)\n\n"
	"timebase\t: 512000000\n"
	"platform\t: PowerNV\n"
	"model\t\t: IBM PowerNV (emulated by qemu)\n";
static const char cpuinfo_p9[] =
	"processor\t: 0\ncpu\t\t: POWER9 (raw), altivec supported\n"
	"clock\t\t: 1000.000000MHz\nrevision\t: 2.2 (pvr 004e 1202)\n";
static const char cpuinfo_x86[] =
	"processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\n"
	"model\t\t: 1\nmodel name\t: AMD EPYC 7B13\n";

static void test_cpu_generation(void **state)
{
	char cpu[128];

	(void)state;
	assert_int_equal(cpu_gen_from_cpuinfo(cpuinfo_p8, cpu, sizeof(cpu)), CPU_GEN_POWER8);
	assert_string_equal(cpu, "POWER8 (raw), altivec supported");
	assert_int_equal(cpu_gen_from_cpuinfo(cpuinfo_p9, cpu, sizeof(cpu)), CPU_GEN_POWER9);
	assert_int_equal(cpu_gen_from_cpuinfo(cpuinfo_x86, cpu, sizeof(cpu)), CPU_GEN_OTHER);
	/* "cpu family" must not be taken for "cpu" */
	assert_string_equal(cpu, "AMD EPYC 7B13");
	assert_int_equal(cpu_gen_from_cpuinfo("", cpu, sizeof(cpu)), CPU_GEN_OTHER);
	assert_string_equal(cpu, "unknown");
	assert_int_equal(cpu_gen_from_cpuinfo("cpu\t: POWER11 (raw)\n", cpu, sizeof(cpu)),
			 CPU_GEN_POWER_OTHER);
}

static void test_caps(void **state)
{
	/* CAP_PERFMON (38) and CAP_BPF (39) only: 0xc000000000 */
	const char status[] = "Name:\tx\nCapInh:\t0000000000000000\n"
			      "CapEff:\t000000c000000000\nCapBnd:\t000001ffffffffff\n";

	(void)state;
	assert_true(caps_from_status(status, 38));
	assert_true(caps_from_status(status, 39));
	assert_false(caps_from_status(status, 21));
	assert_false(caps_from_status("no caps here", 39));
	assert_false(caps_from_status(status, 64));
}

static void test_source_reasons(void **state)
{
	struct host_probe p;
	char why[512];

	(void)state;
	memset(&p, 0, sizeof(p));
	/* stock kernel, kvm_hv loaded, bpf works */
	p.kvm_hv = true;
	p.bpf_ok = true;
	strcpy(p.tracefs, "/sys/kernel/tracing");
	p.tp[TP_GUEST_EXIT] = p.tp[TP_PAGE_FAULT_ENTER] = p.tp[TP_PAGE_FAULT_EXIT] = true;
	assert_false(source_usable(&p, SOURCE_PATCHED, why, sizeof(why)));
	assert_non_null(strstr(why, "does not carry the kvmslb patch"));
	assert_true(source_usable(&p, SOURCE_STOCK, why, sizeof(why)));
	strcpy(p.debugfs_err, "/sys/kernel/debug/kvm: Permission denied");
	assert_false(source_usable(&p, SOURCE_STATS, why, sizeof(why)));
	assert_string_equal(why, "/sys/kernel/debug/kvm: Permission denied");

	/* patched kernel: all three */
	p.tp[TP_SEGMENT_SYNTH] = p.tp[TP_HFAULT] = true;
	strcpy(p.debugfs_kvm, "/sys/kernel/debug/kvm");
	p.stats_patched = true;
	for (int s = 0; s < SOURCE_NR; s++)
		assert_true(source_usable(&p, s, why, sizeof(why)));

	/* bpf() refused: eBPF sources say why, stats still works */
	p.bpf_ok = false;
	strcpy(p.bpf_err, "bpf(BPF_PROG_LOAD) failed: Operation not permitted");
	assert_false(source_usable(&p, SOURCE_PATCHED, why, sizeof(why)));
	assert_string_equal(why, p.bpf_err);
	assert_true(source_usable(&p, SOURCE_STATS, why, sizeof(why)));

	/* kvm_hv not loaded */
	memset(&p, 0, sizeof(p));
	strcpy(p.tracefs, "/sys/kernel/tracing");
	p.bpf_ok = true;
	assert_false(source_usable(&p, SOURCE_STOCK, why, sizeof(why)));
	assert_non_null(strstr(why, "modprobe kvm_hv"));
}

static void test_source_names(void **state)
{
	enum data_source s;

	(void)state;
	assert_int_equal(source_from_name("stats", &s), 0);
	assert_int_equal(s, SOURCE_STATS);
	assert_int_equal(source_from_name("patch", &s), -1);
	assert_string_equal(source_name(SOURCE_STOCK), "stock");
	assert_string_equal(tp_name(TP_HFAULT), "kvm_hfault");
}

/* How events are charged, and when the user is warned about it. */
static void test_attribution(void **state)
{
	struct source_prefs prefs = { .forced = -1 };
	struct source_choice c;
	struct host_probe p;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kvm_hv = p.bpf_ok = true;
	strcpy(p.tracefs, "/sys/kernel/tracing");
	p.tp[TP_GUEST_EXIT] = true;
	p.gen = CPU_GEN_POWER8;
	p.mt_modes = 6;
	p.one_vm_per_core = 0;
	strcpy(p.btf_kvm_why, "no kernel BTF (/sys/kernel/btf/vmlinux)");

	/* stock, no BTF, POWER8 defaults: task attribution and the warning */
	assert_int_equal(source_select(&p, &prefs, &c), 0);
	assert_int_equal(c.chosen, SOURCE_STOCK);
	assert_int_equal(c.attribution, ATTR_TASK);
	assert_string_equal(attribution_name(c.attribution), "task");
	assert_int_equal(c.nwarn, 1);
	assert_non_null(strstr(c.warn[0], "dynamic_mt_modes=6 one_vm_per_core=N"));
	assert_non_null(strstr(c.warn[0], "--btf"));
	/* --per-vcpu adds the runner-thread warning */
	prefs.per_vcpu = true;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 2);
	assert_non_null(strstr(c.warn[1], "per-vcpu rows are threads"));
	/* one_vm_per_core=Y: no VM mixing; dynamic_mt_modes=0 either */
	prefs.per_vcpu = false;
	p.one_vm_per_core = 1;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 0);
	p.one_vm_per_core = 0;
	p.mt_modes = 0;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 0);
	/* unknown parameters (kvm_hv not readable): warned, said so */
	p.mt_modes = p.one_vm_per_core = -1;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 1);
	assert_non_null(strstr(c.warn[0], "unknown"));
	/* POWER9 never mixes VMs on a core */
	p.gen = CPU_GEN_POWER9;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 0);

	/* BTF: the kernel's, or a file: CO-RE, no warning even on POWER8 */
	p.gen = CPU_GEN_POWER8;
	p.mt_modes = 6;
	p.one_vm_per_core = 0;
	prefs.btf = "/tmp/k.btf";
	source_select(&p, &prefs, &c);
	assert_int_equal(c.attribution, ATTR_BTF);
	assert_string_equal(c.btf, "/tmp/k.btf");
	assert_int_equal(c.nwarn, 0);
	assert_non_null(strstr(c.how, "/tmp/k.btf"));
	prefs.btf = NULL;
	p.btf_kvm = true;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.attribution, ATTR_BTF);
	assert_null(c.btf);

	/* patched: v2 names the VM, v1 is the task (with the warning) */
	p.btf_kvm = false;
	p.tp[TP_SEGMENT_SYNTH] = p.tp[TP_HFAULT] = true;
	p.patched_v2 = true;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.chosen, SOURCE_PATCHED);
	assert_int_equal(c.attribution, ATTR_EVENT);
	assert_int_equal(c.nwarn, 0);
	p.patched_v2 = false;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.attribution, ATTR_TASK);
	assert_int_equal(c.nwarn, 1);
	assert_non_null(strstr(c.how, "series v1"));

	/* stats source on series v2 with hfault_stats=N: its counters stand still */
	memset(&p, 0, sizeof(p));
	strcpy(p.debugfs_kvm, "/sys/kernel/debug/kvm");
	p.stats_patched = true;
	p.hfault_stats = 0;
	p.mt_modes = p.one_vm_per_core = -1;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.chosen, SOURCE_STATS);
	assert_int_equal(c.attribution, ATTR_KVM_STATS);
	assert_int_equal(c.nwarn, 1);
	assert_non_null(strstr(c.warn[0], "hfault_stats"));
	p.hfault_stats = 1;
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 0);
	p.hfault_stats = -1;	/* series v1: always counted */
	source_select(&p, &prefs, &c);
	assert_int_equal(c.nwarn, 0);

	/* nothing usable: no attribution */
	memset(&p, 0, sizeof(p));
	assert_int_equal(source_select(&p, &prefs, &c), -1);
	assert_int_equal(c.attribution, ATTR_NONE);
	assert_int_equal(c.nwarn, 0);
}

/* The fix first shipped in v4.4. */
static void test_fix_2015_release(void **state)
{
	static const char *const root_fmt = "/tmp/kvmslb-probe-%d";
	char root[64], path[512];
	struct host_probe p;
	FILE *f;

	(void)state;
	snprintf(root, sizeof(root), root_fmt, (int)getpid());
	snprintf(path, sizeof(path), "mkdir -p %s/proc/sys/kernel", root);
	assert_int_equal(system(path), 0);
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(cpuinfo_p8, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/osrelease", root);
	for (int i = 0; i < 3; i++) {
		static const char *const rel[] = { "4.4.0-21-generic\n", "4.3.6\n", "3.10.0-1160.el7\n" };
		static const int want[] = { 1, 0, 0 };

		f = fopen(path, "w");
		assert_non_null(f);
		fputs(rel[i], f);
		fclose(f);
		host_probe(&p, root, false);
		assert_int_equal(p.gen, CPU_GEN_POWER8);
		assert_int_equal(p.fix_2015, want[i]);
		assert_non_null(strstr(p.fix_2015_why, i ? "unknown" : "v4.4"));
		/* no kvm_hv parameters under this root */
		assert_int_equal(p.mt_modes, -1);
		assert_int_equal(p.one_vm_per_core, -1);
	}
	snprintf(path, sizeof(path), "mkdir -p %s/sys/module/kvm_hv/parameters && "
		 "echo 6 > %s/sys/module/kvm_hv/parameters/dynamic_mt_modes && "
		 "echo N > %s/sys/module/kvm_hv/parameters/one_vm_per_core", root, root, root);
	assert_int_equal(system(path), 0);
	host_probe(&p, root, false);
	assert_int_equal(p.mt_modes, 6);
	assert_int_equal(p.one_vm_per_core, 0);
	assert_true(host_mt_can_mix_vms(&p));
	snprintf(path, sizeof(path), "rm -rf %s", root);
	assert_int_equal(system(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_generation),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_source_reasons),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_fix_2015_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
