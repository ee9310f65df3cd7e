// SPDX-License-Identifier: GPL-2.0
/*
 * The recorded-data side of report: the hash index, bulk loading of the
 * aggregation, v2 cumulative segment totals, guest names from comms, page
 * fault pairing across perf's rounds, --time-range parsing, the decoding of
 * kvm_hv records with fixed-width loads and with the general ones.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/agg.h"
#include "core/index.h"
#include "record/tp_decode.h"
#include "record/trace_map.h"

static void test_index(void **state)
{
	struct key_index x;
	uint32_t v;

	(void)state;
	key_index_init(&x);
	assert_false(key_index_get(&x, 5, &v));
	for (uint32_t i = 0; i < 100000; i++)
		assert_int_equal(key_index_put(&x, (uint64_t)i * 7919 + (1ULL << 40), i), 0);
	assert_int_equal(x.n, 100000);
	for (uint32_t i = 0; i < 100000; i += 2)
		key_index_del(&x, (uint64_t)i * 7919 + (1ULL << 40));
	assert_int_equal(x.n, 50000);
	for (uint32_t i = 0; i < 100000; i++) {
		bool found = key_index_get(&x, (uint64_t)i * 7919 + (1ULL << 40), &v);

		assert_int_equal(found, i % 2);
		if (found)
			assert_int_equal(v, i);
	}
	assert_int_equal(key_index_put(&x, 1ULL << 40 | 7919, 42), 0);	/* replace */
	assert_true(key_index_get(&x, 1ULL << 40 | 7919, &v));
	assert_int_equal(v, 42);
	key_index_clear(&x);
	assert_false(key_index_get(&x, 1ULL << 40 | 7919, &v));
	key_index_free(&x);
}

/* Guests arriving in no order: found at once, sorted by tgid in the end. */
static void test_agg_bulk(void **state)
{
	struct agg a;

	(void)state;
	agg_init(&a);
	agg_bulk_begin(&a);
	for (uint32_t i = 0; i < 20000; i++) {
		uint32_t tgid = 1 + (i * 7919) % 20011;

		assert_int_equal(agg_segment(&a, tgid, AGG_VCPU_ID(i % 3), 0x380, false, 1), 0);
		assert_int_equal(agg_fault(&a, tgid, 0, 0xe00, KVMSLB_OUTCOME_RETRY, i, false, 0), 0);
		assert_non_null(agg_find(&a, tgid));
	}
	agg_bulk_end(&a);
	assert_int_equal(a.nguests, 20000);
	for (int i = 1; i < a.nguests; i++)
		assert_true(a.guests[i - 1].tgid < a.guests[i].tgid);
	for (int i = 0; i < a.nguests; i++) {
		assert_ptr_equal(agg_find(&a, a.guests[i].tgid), &a.guests[i]);
		assert_int_equal(a.guests[i].total.c.dsegi, 1);
		assert_int_equal(a.guests[i].total.c.hdsi, 1);
		assert_int_equal(a.guests[i].nvcpus, 1);
	}
	/* sorted inserts and removal keep the index right */
	agg_remove(&a, a.guests[100].tgid);
	assert_int_equal(a.nguests, 19999);
	assert_int_equal(agg_segment(&a, 100000, 0, 0x480, true, 2), 0);
	assert_int_equal(agg_segment(&a, 0, 0, 0x480, true, 2), 0);
	assert_int_equal(a.guests[0].tgid, 0);
	assert_int_equal(a.guests[a.nguests - 1].tgid, 100000);
	for (int i = 0; i < a.nguests; i++)
		assert_ptr_equal(agg_find(&a, a.guests[i].tgid), &a.guests[i]);
	agg_free(&a);
}

static struct trace_rec seg(int32_t vm, int32_t vcpu, uint32_t vector, uint64_t d, uint64_t i,
			    uint64_t t)
{
	return (struct trace_rec){ .kind = TREC_SEGMENT, .v2 = true, .has_vcpu = true,
				   .pid = 77, .tid = 78, .cpu = 0, .time_ns = t, .vm_pid = vm,
				   .vcpu_id = vcpu, .code = vector, .dsegi = d, .isegi = i,
				   .fault_ns = t - 10 };
}

/*
 * vcpu 0 of VM 500: DSegI 1..6 and ISegI 1..3 happened; the file holds
 * D1 I1 D3 D6 (I2, I3 after D3; D2, D4, D5 lost), out of order. vcpu 1
 * starts its window on an ISegI: the DSegI it counts was before the window.
 */
static void test_v2_cumulative(void **state)
{
	const struct trace_rec recs[] = {
		seg(500, 0, 0x380, 6, 3, 9000), seg(500, 0, 0x380, 1, 0, 1000),
		seg(500, 0, 0x480, 1, 1, 2000), seg(500, 0, 0x380, 3, 3, 5000),
		seg(500, 1, 0x480, 4, 10, 1000), seg(500, 1, 0x380, 6, 10, 3000),
	};
	struct trace_sink s;
	struct trace_map m;
	struct agg a;
	const struct agg_guest *g;

	(void)state;
	agg_init(&a);
	trace_map_init(&m, &a);
	m.per_vcpu = true;
	trace_map_sink(&m, &s);
	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		assert_int_equal(s.rec(s.ctx, &recs[i]), 0);
	assert_int_equal(trace_map_finish(&m), 0);
	g = agg_find(&a, 500);	/* charged to vm_pid, not to pid 77 */
	assert_non_null(g);
	assert_null(agg_find(&a, 77));
	assert_int_equal(g->nvcpus, 2);
	assert_int_equal(g->vcpus[0].tid, AGG_VCPU_ID(0));
	assert_int_equal(g->vcpus[0].c.dsegi, 6);
	assert_int_equal(g->vcpus[0].c.isegi, 3);
	/* vcpu 1: DSegI 5 and 6 (4 was before its first record), ISegI 10 */
	assert_int_equal(g->vcpus[1].c.dsegi, 2);
	assert_int_equal(g->vcpus[1].c.isegi, 1);
	assert_int_equal(g->total.c.dsegi, 8);
	assert_int_equal(g->total.c.isegi, 4);
	assert_int_equal(m.st.seg_recovered, 12 - 6);
	trace_map_free(&m);
	agg_free(&a);
}

static void test_names(void **state)
{
	struct guest_ident id;
	struct trace_sink s;
	struct trace_map m;
	struct agg a;
	struct trace_rec r = seg(900, 0, 0x380, 1, 0, 100);

	(void)state;
	agg_init(&a);
	trace_map_init(&m, &a);
	trace_map_sink(&m, &s);
	assert_int_equal(s.rec(s.ctx, &r), 0);
	/* a process comm cut by the kernel inside a character; a thread's name */
	assert_int_equal(s.comm(s.ctx, 800, 800, "abcdefghijklm\xe2\x82", 15), 0);
	assert_int_equal(s.comm(s.ctx, 800, 801, "CPU 0/KVM", 9), 0);
	assert_int_equal(s.comm(s.ctx, -1, 700, "saved\x1b[1m", 10), 0);
	trace_map_ident(&m, 800, &id);
	assert_string_equal(id.name, "abcdefghijklm");
	trace_map_ident(&m, 900, &id);	/* v2, no comm recorded */
	assert_string_equal(id.name, "pid 900");
	trace_map_ident(&m, 700, &id);	/* a thread's saved cmdline does not name a v1 guest */
	assert_string_equal(id.name, "");
	trace_map_free(&m);
	agg_free(&a);
}

/* perf writes cpu by cpu within a round: an exit may come before its enter. */
static void test_pf_rounds(void **state)
{
	struct trace_rec enter = { .kind = TREC_PF_ENTER, .pid = 10, .tid = 11, .time_ns = 1000 };
	struct trace_rec exit_ = { .kind = TREC_PF_EXIT, .pid = 10, .tid = 11, .time_ns = 1500 };
	struct trace_sink s;
	struct trace_map m;
	struct agg a;
	struct log2_hist h;

	(void)state;
	agg_init(&a);
	trace_map_init(&m, &a);
	trace_map_sink(&m, &s);
	assert_int_equal(s.rec(s.ctx, &exit_), 0);	/* cpu 1's buffer first */
	assert_int_equal(s.rec(s.ctx, &enter), 0);
	assert_int_equal(s.round(s.ctx), 0);
	assert_int_equal(trace_map_finish(&m), 0);
	assert_int_equal(a.health.unpaired, 0);
	agg_unit_hist(&agg_find(&a, 10)->total, &h);
	assert_int_equal(h.count, 1);
	assert_int_equal(h.sum_ns, 500);
	trace_map_free(&m);
	agg_free(&a);
}

static void test_time_range(void **state)
{
	struct trace_map m;
	struct agg a;
	char err[256];

	(void)state;
	agg_init(&a);
	trace_map_init(&m, &a);
	assert_int_equal(trace_map_time_range(&m, "1090.5,1091 ,12 1200.000000001,", err,
					      sizeof(err)), 0);
	assert_int_equal(m.nranges, 3);
	assert_true(m.ranges[0].start == 1090500000000ULL && m.ranges[0].end == 1091000000000ULL);
	assert_true(m.ranges[1].start == 0 && m.ranges[1].end == 12000000000ULL);
	assert_true(m.ranges[2].start == 1200000000001ULL && m.ranges[2].end == UINT64_MAX);
	assert_int_equal(trace_map_time_range(&m, "5", err, sizeof(err)), -EINVAL);
	assert_int_equal(trace_map_time_range(&m, ",", err, sizeof(err)), -EINVAL);
	assert_int_equal(trace_map_time_range(&m, "3,2", err, sizeof(err)), -EINVAL);
	assert_int_equal(trace_map_time_range(&m, "1.2.3,4", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "START,END"));
	trace_map_free(&m);
	agg_free(&a);
}

/* kvm_hfault of series v2, with the outcome as wide as FIELD_OUTCOME says. */
static const char *hfault_format(char *buf, size_t len, const char *outcome_field)
{
	snprintf(buf, len,
		 "name: kvm_hfault\nID: 55\nformat:\n"
		 "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		 "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
		 "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
		 "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"
		 "\tfield:pid_t vm_pid;\toffset:8;\tsize:4;\tsigned:1;\n"
		 "\tfield:int vcpu_id;\toffset:12;\tsize:4;\tsigned:1;\n"
		 "\tfield:u64 fault_ns;\toffset:16;\tsize:8;\tsigned:0;\n"
		 "\tfield:unsigned int trap;\toffset:24;\tsize:4;\tsigned:0;\n"
		 "%s"
		 "\tfield:u64 latency_ns;\toffset:32;\tsize:8;\tsigned:0;\n"
		 "\tfield:bool injected;\toffset:40;\tsize:1;\tsigned:0;\n"
		 "\tfield:u32 dropped;\toffset:44;\tsize:4;\tsigned:0;\n\n"
		 "print fmt: \"x\"\n", outcome_field);
	return buf;
}

static void decode_with(const char *outcome_field, bool want_fixed, bool swap)
{
	uint8_t raw[48];
	char fmt[2048];
	struct tp_decoders t;
	struct trace_rec r;
	const struct tp_decoder *d;
	uint32_t u32;
	uint64_t u64;

	assert_int_equal(tp_decoders_init(&t), 0);
	hfault_format(fmt, sizeof(fmt), outcome_field);
	assert_int_equal(tp_decoders_parse(&t, "kvm_hv", fmt, strlen(fmt)), 0);
	assert_int_equal(tp_decoders_build(&t), 0);
	d = tp_decoder_find(&t, 55);
	assert_non_null(d);
	assert_int_equal(d->fixed, want_fixed);
	assert_true(d->v2);
	assert_false(d->missing);
	/* every byte set, so that a field read too wide or at the wrong place shows */
	memset(raw, 0xa5, sizeof(raw));
#define PUT32(off, v) do {						\
	u32 = swap ? __builtin_bswap32(v) : (v);			\
	memcpy(raw + (off), &u32, 4);					\
} while (0)
#define PUT64(off, v) do {						\
	u64 = swap ? __builtin_bswap64(v) : (v);			\
	memcpy(raw + (off), &u64, 8);					\
} while (0)
	PUT32(8, 4242);				/* vm_pid */
	PUT32(12, 0xfffffffeu);			/* vcpu_id -2: the sign is kept */
	PUT64(16, 123456789012345ull);		/* fault_ns */
	PUT32(24, 0xe20);			/* trap */
	if (want_fixed)
		PUT32(28, 3);			/* outcome, 4 bytes */
	else
		raw[28] = 3;			/* outcome, 1 byte: 29-31 stay 0xa5 */
	PUT64(32, 987654321ull);		/* latency_ns */
	raw[40] = 1;				/* injected */
	PUT32(44, 77);				/* dropped */
#undef PUT32
#undef PUT64
	memset(&r, 0xff, sizeof(r));
	assert_true(tp_decode(d, raw, sizeof(raw), swap, &r));
	assert_int_equal(r.kind, TREC_HFAULT);
	assert_int_equal(r.vm_pid, 4242);
	assert_int_equal(r.vcpu_id, -2);
	assert_true(r.has_vcpu);
	assert_int_equal(r.fault_ns, 123456789012345ull);
	assert_int_equal(r.code, 0xe20);
	assert_int_equal(r.outcome, 3);
	assert_int_equal(r.latency_ns, 987654321ull);
	assert_true(r.injected);
	assert_int_equal(r.dropped, 77);
	/* fields the event does not have are 0, whatever the bytes at offset 0 */
	assert_int_equal(r.dsegi, 0);
	assert_int_equal(r.isegi, 0);
	/* too short for its fields: refused */
	assert_false(tp_decode(d, raw, 47, swap, &r));
	tp_decoders_free(&t);
}

/* Fixed-width loads where every field has its usual width, the general ones otherwise. */
static void test_decode_widths(void **state)
{
	(void)state;
	for (int swap = 0; swap < 2; swap++) {
		decode_with("\tfield:unsigned int outcome;\toffset:28;\tsize:4;\tsigned:0;\n",
			    true, swap);
		decode_with("\tfield:unsigned char outcome;\toffset:28;\tsize:1;\tsigned:0;\n",
			    false, swap);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index),
		cmocka_unit_test(test_agg_bulk),
		cmocka_unit_test(test_v2_cumulative),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pf_rounds),
		cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_decode_widths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
