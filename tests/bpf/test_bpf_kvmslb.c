// SPDX-License-Identifier: GPL-2.0
/*
 * bpf/kvmslb.bpf.c through BPF_PROG_TEST_RUN (raw_tp programs, crafted
 * tracepoint arguments; exact map contents), plus the tp/ and ring-buffer
 * paths attached to stand-in tracepoints that fire on this machine.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "core/agg.h"
#include "core/bpf_source.h"
#include "core/tp_format.h"
#include "kvmslb/abi.h"
#include "kvmslb/maps.h"
#include "kvmslb.skel.h"
#include "standin.skel.h"

struct cfg {
	uint32_t tgid;
	bool per_vcpu;
	bool ringbuf;
	uint32_t counts_max, hists_max, rb_bytes;
};

static struct kvmslb_bpf *open_load(const struct cfg *c)
{
	struct kvmslb_bpf *s = kvmslb_bpf__open();

	assert_non_null(s);
	s->rodata->targ_tgid = c->tgid;
	s->rodata->targ_per_vcpu = c->per_vcpu;
	s->rodata->targ_ringbuf = c->ringbuf;
	if (c->counts_max)
		bpf_map__set_max_entries(s->maps.counts, c->counts_max);
	if (c->hists_max)
		bpf_map__set_max_entries(s->maps.hists, c->hists_max);
	if (c->rb_bytes)
		bpf_map__set_max_entries(s->maps.events, c->rb_bytes);
	assert_int_equal(kvmslb_bpf__load(s), 0);
	return s;
}

static uint32_t self(void)
{
	return (uint32_t)getpid();
}

static uint64_t stat_get(struct kvmslb_bpf *s, uint32_t idx)
{
	uint64_t v;

	assert_int_equal(bpft_percpu_sum(s->maps.stats, &idx, &v, 1), 0);
	return v;
}

static uint64_t count_get(struct kvmslb_bpf *s, uint32_t tgid, uint32_t tid, uint8_t kind,
			  uint16_t code, uint8_t flag)
{
	struct kvmslb_count_key k = {
		.tgid = tgid, .tid = tid, .code = code, .kind = kind, .flag = flag,
	};
	uint64_t v;

	if (bpft_percpu_sum(s->maps.counts, &k, &v, 1))
		return UINT64_MAX;	/* no such key */
	return v;
}

static int hist_get(struct kvmslb_bpf *s, uint32_t tid, uint16_t trap, uint8_t outcome,
		    struct kvmslb_hist_val *v)
{
	struct kvmslb_hist_key k = { .tgid = self(), .tid = tid, .trap = trap, .outcome = outcome };

	return bpft_percpu_sum(s->maps.hists, &k, (uint64_t *)v, sizeof(*v) / 8);
}

/* hfault(vcpu, trap, ea, dsisr, outcome, latency_ns, injected, dropped) */
static void hfault(struct kvmslb_bpf *s, uint64_t trap, uint64_t outcome, uint64_t lat,
		   uint64_t injected, uint64_t dropped)
{
	uint64_t a[8] = { 0xc0000000deadbeefULL, trap, 0x1000, 0x40000000, outcome, lat,
			  injected, dropped };

	assert_int_equal(bpft_run(s->progs.kvmslb_hfault, a, 8, NULL), 0);
}

/* segment_synth(vcpu, ea, vector, srr1, injected) */
static void segment(struct kvmslb_bpf *s, uint64_t vector, uint64_t injected, int n)
{
	uint64_t a[5] = { 0xc0000000deadbeefULL, 0x2000, vector, 0x8000000000000000ULL, injected };

	assert_int_equal(bpft_run_n(s->progs.kvmslb_segment_synth, a, 5, n), 0);
}

static void test_load_all(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s;

	(void)state;
	/* every program, tp/ and raw_tp/, loads on this kernel (no kvm_hv here) */
	s = open_load(&c);
	assert_true(bpf_program__fd(s->progs.kvmslb_guest_exit) >= 0);
	assert_true(bpf_program__fd(s->progs.kvmslb_pf_exit) >= 0);
	assert_true(bpf_program__fd(s->progs.kvmslb_hfault) >= 0);
	kvmslb_bpf__destroy(s);
}

static void test_hist_bucket_edges(void **state)
{
	static const uint64_t lat[] = {
		0, 1,				/* slot 0: [0, 2) */
		2, 3,				/* slot 1: [2, 4) */
		4, 7,				/* slot 2 */
		8,				/* slot 3 */
		(1ULL << 31) - 1,		/* slot 30 */
		1ULL << 31, 1ULL << 40, UINT64_MAX,	/* slot 31: open-ended */
	};
	struct cfg c = { 0 };
	struct kvmslb_hist_val v;
	struct kvmslb_bpf *s = open_load(&c);
	uint64_t want[KVMSLB_HIST_SLOTS] = { 0 };

	(void)state;
	want[0] = 2;
	want[1] = 2;
	want[2] = 2;
	want[3] = 1;
	want[30] = 1;
	want[31] = 3;
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++)
		hfault(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, lat[i], i & 1, 3);
	hfault(s, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_SEGMENT, 1000, 1, 0);

	assert_int_equal(hist_get(s, 0, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, &v), 0);
	assert_memory_equal(v.slots, want, sizeof(want));
	assert_int_equal(v.count, 11);
	assert_int_equal(v.max_ns, UINT64_MAX);
	assert_int_equal(v.injected, 5);
	assert_int_equal(v.dropped, 33);
	assert_int_equal(hist_get(s, 0, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_SEGMENT, &v), 0);
	assert_int_equal(v.count, 1);
	assert_int_equal(v.slots[9], 1);	/* 1000 in [512, 1024) */
	assert_int_equal(v.sum_ns, 1000);
	assert_int_equal(bpft_map_keys(s->maps.hists), 2);
	assert_int_equal(stat_get(s, KVMSLB_STAT_EVENTS), 12);
	assert_int_equal(stat_get(s, KVMSLB_STAT_HIST_OVERFLOW), 0);

	/* the userspace reader sums the same thing */
	{
		struct agg a;
		const struct agg_guest *g;

		agg_init(&a);
		assert_int_equal(bpf_maps_read(bpf_map__fd(s->maps.counts),
					       bpf_map__fd(s->maps.hists),
					       bpf_map__fd(s->maps.stats), &a), 0);
		g = agg_find(&a, self());
		assert_non_null(g);
		assert_int_equal(g->total.c.hdsi, 11);
		assert_int_equal(g->total.c.hisi, 1);
		assert_int_equal(g->total.c.dropped, 33);
		assert_int_equal(g->total.c.fault_injected, 6);
		assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_RETRY], 11);
		assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_SEGMENT], 1);
		assert_int_equal(g->total.npaths, 2);
		assert_int_equal(a.health.events, 12);
		agg_free(&a);
	}
	kvmslb_bpf__destroy(s);
}

static void test_segment_counts(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s = open_load(&c);

	(void)state;
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 3);
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 1, 4);
	segment(s, KVMSLB_TRAP_INST_SEGMENT, 1, 2);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x380, 0), 3);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x380, 1), 4);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x480, 1), 2);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x480, 0), UINT64_MAX);
	assert_int_equal(bpft_map_keys(s->maps.counts), 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_EVENTS), 9);
	kvmslb_bpf__destroy(s);
}

static void test_guest_exit_traps(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s = open_load(&c);
	uint64_t t;

	(void)state;
	t = 0xe00;
	assert_int_equal(bpft_run_n(s->progs.kvmslb_test_guest_exit, &t, 1, 5), 0);
	t = 0xe20;
	assert_int_equal(bpft_run_n(s->progs.kvmslb_test_guest_exit, &t, 1, 2), 0);
	t = 0x380;
	assert_int_equal(bpft_run_n(s->progs.kvmslb_test_guest_exit, &t, 1, 1), 0);
	t = 0x980;	/* HV_DECREMENTER: not on the fault path, not counted */
	assert_int_equal(bpft_run_n(s->progs.kvmslb_test_guest_exit, &t, 1, 7), 0);
	t = 0xe40;
	assert_int_equal(bpft_run_n(s->progs.kvmslb_test_guest_exit, &t, 1, 1), 0);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0xe00, 0), 5);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0xe20, 0), 2);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0x380, 0), 1);
	assert_int_equal(bpft_map_keys(s->maps.counts), 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_EVENTS), 8);
	kvmslb_bpf__destroy(s);
}

static void test_page_fault_pairing(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s = open_load(&c);
	struct kvmslb_hist_val v;
	uint64_t t;

	(void)state;
	t = 2000;	/* exit with no enter: unpaired, no sample */
	assert_int_equal(bpft_run(s->progs.kvmslb_test_pf_exit, &t, 1, NULL), 0);
	t = 1000000;
	assert_int_equal(bpft_run(s->progs.kvmslb_test_pf_enter, &t, 1, NULL), 0);
	assert_int_equal(bpft_map_keys(s->maps.starts), 1);
	t = 1000000 + 4096;	/* 4096 ns: slot 12, [4096, 8192) */
	assert_int_equal(bpft_run(s->progs.kvmslb_test_pf_exit, &t, 1, NULL), 0);
	assert_int_equal(bpft_map_keys(s->maps.starts), 0);
	t = 5000000;
	assert_int_equal(bpft_run(s->progs.kvmslb_test_pf_enter, &t, 1, NULL), 0);
	t = 5000000 + 4095;	/* slot 11 */
	assert_int_equal(bpft_run(s->progs.kvmslb_test_pf_exit, &t, 1, NULL), 0);
	assert_int_equal(hist_get(s, 0, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE, &v), 0);
	assert_int_equal(v.count, 2);
	assert_int_equal(v.slots[12], 1);
	assert_int_equal(v.slots[11], 1);
	assert_int_equal(v.max_ns, 4096);
	assert_int_equal(stat_get(s, KVMSLB_STAT_UNPAIRED_EXIT), 1);
	kvmslb_bpf__destroy(s);
}

static void test_map_full_overflow(void **state)
{
	struct cfg c = { .counts_max = 2, .hists_max = 1 };
	struct kvmslb_bpf *s = open_load(&c);

	(void)state;
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 1);
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 1, 1);
	/* a third key does not fit: its increments are counted as overflow */
	segment(s, KVMSLB_TRAP_INST_SEGMENT, 0, 3);
	/* existing keys still count */
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	assert_int_equal(bpft_map_keys(s->maps.counts), 2);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x380, 0), 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_COUNT_OVERFLOW), 3);

	hfault(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, 100, 0, 0);
	hfault(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_MMIO, 100, 0, 0);
	hfault(s, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_RETRY, 100, 0, 0);
	assert_int_equal(bpft_map_keys(s->maps.hists), 1);
	assert_int_equal(stat_get(s, KVMSLB_STAT_HIST_OVERFLOW), 2);
	assert_int_equal(stat_get(s, KVMSLB_STAT_EVENTS), 10);
	kvmslb_bpf__destroy(s);
}

struct rb_ctx {
	int n;
	struct kvmslb_event last;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct rb_ctx *r = ctx;

	assert_int_equal(size, sizeof(struct kvmslb_event));
	r->last = *(struct kvmslb_event *)data;
	r->n++;
	return 0;
}

static void test_ringbuf_lost(void **state)
{
	/*
	 * One page; a record is 8 + 56 = 64 bytes. The kernel refuses a record
	 * that would fill the buffer completely, so (4096 - 1) / 64 = 63 fit.
	 */
	struct cfg c = { .ringbuf = true, .rb_bytes = 4096 };
	struct kvmslb_bpf *s;
	struct ring_buffer *rb;
	struct rb_ctx r = { 0 };
	int fit;

	(void)state;
	if (getpagesize() != 4096)
		skip();
	assert_int_equal(sizeof(struct kvmslb_event), 56);
	fit = (4096 - 1) / 64;
	s = open_load(&c);
	segment(s, KVMSLB_TRAP_INST_SEGMENT, 1, fit + 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_SENT), fit);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_LOST), 3);
	/* the counters never depend on the ring buffer */
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x480, 1), fit + 3);
	rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_event, &r, NULL);
	assert_non_null(rb);
	assert_int_equal(ring_buffer__consume(rb), fit);
	assert_int_equal(r.n, fit);
	assert_int_equal(r.last.type, KVMSLB_EV_SEGMENT);
	assert_int_equal(r.last.code, 0x480);
	assert_int_equal(r.last.flag, 1);
	assert_int_equal(r.last.ea, 0x2000);
	assert_int_equal(r.last.aux, 0x8000000000000000ULL);
	assert_int_equal(r.last.tgid, self());
	assert_int_equal(r.last.tid, (uint32_t)syscall(SYS_gettid));
	/* room again */
	segment(s, KVMSLB_TRAP_INST_SEGMENT, 1, 1);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_LOST), 3);
	ring_buffer__free(rb);
	kvmslb_bpf__destroy(s);
}

static void test_guest_filter(void **state)
{
	struct cfg c = { .tgid = 1 };	/* init is never us */
	struct kvmslb_bpf *s = open_load(&c);

	(void)state;
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	hfault(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, 10, 0, 0);
	assert_int_equal(bpft_map_keys(s->maps.counts), 0);
	assert_int_equal(bpft_map_keys(s->maps.hists), 0);
	assert_int_equal(stat_get(s, KVMSLB_STAT_EVENTS), 0);
	kvmslb_bpf__destroy(s);

	c.tgid = self();
	s = open_load(&c);
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_SEGMENT, 0x380, 0), 2);
	kvmslb_bpf__destroy(s);
}

static void test_per_vcpu(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	struct kvmslb_hist_val v;

	(void)state;
	segment(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	hfault(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_REFLECT, 10, 0, 0);
	assert_int_equal(count_get(s, self(), tid, KVMSLB_CNT_SEGMENT, 0x380, 0), 2);
	assert_int_equal(hist_get(s, tid, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_REFLECT, &v), 0);
	assert_int_equal(v.count, 1);
	kvmslb_bpf__destroy(s);
}

/*
 * The production stock path: tp/kvm_hv/kvm_guest_exit reads the trap at an
 * offset parsed from a tracefs format file. Here it is attached to
 * raw_syscalls:sys_enter with the offset of its 'id' field, and invalid
 * syscall numbers 0xe00/0xe20/0x380 stand for traps.
 */
static void test_tp_offsets_attached(void **state)
{
	struct kvmslb_bpf *s = kvmslb_bpf__open();
	struct bpf_link *l_exit = NULL, *l_enter = NULL, *l_pfx = NULL;
	struct kvmslb_hist_val v;
	struct tp_field f;
	char err[256];
	uint64_t n;

	(void)state;
	assert_non_null(s);
	if (tp_field_from_tracefs("/sys/kernel/tracing", "raw_syscalls", "sys_enter", "id", &f,
				  err, sizeof(err))) {
		kvmslb_bpf__destroy(s);
		print_message("no tracefs: %s\n", err);
		skip();
	}
	assert_int_equal(f.offset, 8);
	assert_int_equal(f.size, 8);
	s->rodata->targ_tgid = self();
	s->rodata->exit_trap_off = f.offset;
	s->rodata->exit_trap_size = f.size;
	assert_int_equal(kvmslb_bpf__load(s), 0);
	l_exit = bpf_program__attach_tracepoint(s->progs.kvmslb_guest_exit, "raw_syscalls",
						"sys_enter");
	assert_non_null(l_exit);
	l_enter = bpf_program__attach_tracepoint(s->progs.kvmslb_pf_enter, "raw_syscalls",
						 "sys_enter");
	l_pfx = bpf_program__attach_tracepoint(s->progs.kvmslb_pf_exit, "raw_syscalls",
					       "sys_exit");
	assert_non_null(l_enter);
	assert_non_null(l_pfx);
	for (int i = 0; i < 7; i++)
		syscall(0xe00);
	for (int i = 0; i < 3; i++)
		syscall(0xe20);
	syscall(0x380);
	/* exit side first: no exit may be seen after its enter stopped being recorded */
	bpf_link__destroy(l_pfx);
	bpf_link__destroy(l_enter);
	bpf_link__destroy(l_exit);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0xe00, 0), 7);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0xe20, 0), 3);
	assert_int_equal(count_get(s, self(), 0, KVMSLB_CNT_EXIT, 0x380, 0), 1);
	/* every syscall in between is an enter/exit pair: at least the 11 above */
	assert_int_equal(hist_get(s, 0, KVMSLB_TRAP_PAGE_FAULT, KVMSLB_OUTCOME_NONE, &v), 0);
	assert_true(v.count >= 11);
	/* only the syscall that attached the exit program can be unpaired */
	n = stat_get(s, KVMSLB_STAT_UNPAIRED_EXIT);
	if (n > 1)
		print_message("unpaired exits: %llu\n", (unsigned long long)n);
	assert_true(n <= 1);
	kvmslb_bpf__destroy(s);
}

/* The ring-buffer path of a real handler, on a tracepoint that fires here. */
static void test_standin_ringbuf(void **state)
{
	struct standin_bpf *s = standin_bpf__open();
	struct bpf_program *p;
	struct ring_buffer *rb;
	struct rb_ctx r = { 0 };
	struct kvmslb_count_key k = {
		.tgid = self(), .code = 0x380, .kind = KVMSLB_CNT_SEGMENT, .flag = 1,
	};
	uint64_t n;
	uint32_t idx = KVMSLB_STAT_RB_LOST;

	(void)state;
	assert_non_null(s);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, p == s->progs.standin_segment);
	s->rodata->targ_tgid = self();
	s->rodata->targ_ringbuf = 1;
	assert_int_equal(standin_bpf__load(s), 0);
	s->links.standin_segment = bpf_program__attach(s->progs.standin_segment);
	assert_non_null(s->links.standin_segment);
	rb = ring_buffer__new(bpf_map__fd(s->maps.events), on_event, &r, NULL);
	assert_non_null(rb);
	for (int i = 0; i < 25; i++)
		syscall(0xe00);
	bpf_link__destroy(s->links.standin_segment);
	s->links.standin_segment = NULL;
	assert_int_equal(ring_buffer__consume(rb), 25);
	assert_int_equal(r.n, 25);
	assert_int_equal(r.last.type, KVMSLB_EV_SEGMENT);
	assert_int_equal(r.last.tgid, self());
	assert_int_equal(bpft_percpu_sum(s->maps.counts, &k, &n, 1), 0);
	assert_int_equal(n, 25);
	assert_int_equal(bpft_percpu_sum(s->maps.stats, &idx, &n, 1), 0);
	assert_int_equal(n, 0);
	ring_buffer__free(rb);
	standin_bpf__destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all),
		cmocka_unit_test(test_hist_bucket_edges),
		cmocka_unit_test(test_segment_counts),
		cmocka_unit_test(test_guest_exit_traps),
		cmocka_unit_test(test_page_fault_pairing),
		cmocka_unit_test(test_map_full_overflow),
		cmocka_unit_test(test_ringbuf_lost),
		cmocka_unit_test(test_guest_filter),
		cmocka_unit_test(test_per_vcpu),
		cmocka_unit_test(test_tp_offsets_attached),
		cmocka_unit_test(test_standin_ringbuf),
	};

	bpft_quiet_libbpf();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
