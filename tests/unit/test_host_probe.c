// SPDX-License-Identifier: GPL-2.0
/* host_probe: parsers and the reasons source selection gives. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/host_probe.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpu_generation),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_source_reasons),
		cmocka_unit_test(test_source_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
