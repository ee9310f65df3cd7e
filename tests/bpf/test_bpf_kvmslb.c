// SPDX-License-Identifier: GPL-2.0
/*
 * kvmslb's BPF programs through BPF_PROG_TEST_RUN (raw_tp programs,
 * crafted tracepoint arguments; exact map contents), plus the tp/ and
 * ring-buffer paths attached to stand-in tracepoints that fire here.
 *
 *   bpf/kvmslb.bpf.c      patched v2 and v1 programs run as they are;
 *                         the stock tp/ programs attached to sys_enter
 *   bpf/kvmslb_btf.bpf.c  the CO-RE programs, loaded with a BTF file of
 *                         POWER-like types (power_kvm.h) and run on fake
 *                         struct kvm_vcpu objects laid out in map memory
 *   tests/bpf/standin     the stock handlers with scalar arguments
 *
 * The test process plays "VM B": whatever an event names, the current
 * task is ours.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf_test.h"
#include "core/agg.h"
#include "core/bpf_source.h"
#include "core/host_probe.h"
#include "core/tp_format.h"
#include "kvmslb/abi.h"
#include "kvmslb/maps.h"
#include "kvmslb.skel.h"
#include "kvmslb_btf.skel.h"
#include "power_kvm.h"
#include "standin.skel.h"

#define VM_A	4242u		/* a VM that is not the test process */
#define VCPU_PTR 0xc0000000deadbeefULL

/* build/bpf-tests, from the Makefile */
#ifndef KVMSLB_BPFT_DIR
#define KVMSLB_BPFT_DIR "."
#endif

struct cfg {
	uint32_t tgid;
	bool per_vcpu;
	bool ringbuf;
	uint32_t counts_max, hists_max, vcpus_max, rb_bytes;
	uint32_t hist_vals_max;		/* slots of histograms in place */
};

static uint32_t self(void)
{
	return (uint32_t)getpid();
}

static uint32_t vcpu_unit(uint32_t id)
{
	return AGG_VCPU_ID(id);
}

/* The unit of keys charged to the current task: this thread (one writer per key). */
static uint32_t me(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

/* --per-vcpu is the reader's choice: the programs always key by vcpu or thread */
static bool reader_per_vcpu;

static struct kvmslb_bpf *open_load(const struct cfg *c)
{
	struct kvmslb_bpf *s = kvmslb_bpf__open();

	assert_non_null(s);
	s->rodata->targ_tgid = c->tgid;
	s->rodata->targ_ringbuf = c->ringbuf;
	reader_per_vcpu = c->per_vcpu;
	if (c->counts_max)
		bpf_map__set_max_entries(s->maps.counts, c->counts_max);
	if (c->hists_max)
		bpf_map__set_max_entries(s->maps.hists, c->hists_max);
	if (c->hist_vals_max) {
		bpf_map__set_max_entries(s->maps.hist_vals, c->hist_vals_max);
		bpf_map__set_max_entries(s->maps.hist_idx, c->hist_vals_max);
	}
	if (c->vcpus_max) {
		bpf_map__set_max_entries(s->maps.vcpu_seg, c->vcpus_max);
		bpf_map__set_max_entries(s->maps.vcpu_idx, c->vcpus_max);
	}
	if (c->rb_bytes)
		bpf_map__set_max_entries(s->maps.events, c->rb_bytes);
	assert_int_equal(kvmslb_bpf__load(s), 0);
	return s;
}

static uint64_t stat_sum(const struct bpf_map *stats, uint32_t idx)
{
	uint64_t v;

	assert_int_equal(bpft_percpu_sum(stats, &idx, &v, 1), 0);
	return v;
}

static uint64_t stat_get(struct kvmslb_bpf *s, uint32_t idx)
{
	return stat_sum(s->maps.stats, idx);
}

/*
 * Counts live in a per-CPU cache slot or, when another key holds the slot,
 * in the hash map: these read a key's total from both, every CPU.
 * Histograms live in a slot of hist_vals or, when every slot is taken, in
 * the hash map (their cache holds slots, not values).
 */
struct cached {
	const struct bpf_map *cache, *map;
	const struct bpf_map *vals, *alloc;	/* histograms in place; NULL: counts */
};

#define COUNTS(o) ((struct cached){ (o)->maps.count_cache, (o)->maps.counts, NULL, NULL })
#define HISTS(o) ((struct cached){ (o)->maps.hist_cache, (o)->maps.hists, \
				   (o)->maps.hist_vals, (o)->maps.slot_alloc })

/* The slots of hist_vals taken; each read with bpf_map_lookup_elem (no mmap). */
static uint32_t slots_taken(struct cached c)
{
	uint64_t next;
	uint32_t k = KVMSLB_ALLOC_HIST;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(c.alloc), &k, &next), 0);
	return next < bpf_map__max_entries(c.vals) ? (uint32_t)next :
						     bpf_map__max_entries(c.vals);
}

static struct kvmslb_hist_slot slot_at(struct cached c, uint32_t i)
{
	struct kvmslb_hist_slot e;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(c.vals), &i, &e), 0);
	return e;
}

static void *percpu_slots(const struct bpf_map *cache, uint32_t i, size_t size)
{
	void *buf = calloc(libbpf_num_possible_cpus(), size);

	assert_non_null(buf);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(cache), &i, buf), 0);
	return buf;
}

/* A count's total; UINT64_MAX if no CPU's cache nor the hash map has the key. */
static uint64_t count_in(struct cached c, uint32_t tgid, uint32_t unit, uint8_t kind,
			 uint16_t code, uint8_t flag)
{
	uint64_t key = kvmslb_key(tgid, unit, code, kvmslb_count_sub(kind, flag)), v, sum = 0;
	bool found = false;

	for (int way = 0; way < 2; way++) {
		struct kvmslb_count_slot *e = percpu_slots(c.cache, kvmslb_cache_slot(key) ^ way,
							  sizeof(*e));

		for (int i = 0; i < libbpf_num_possible_cpus(); i++)
			if (e[i].key == key) {
				sum += e[i].n;
				found = true;
			}
		free(e);
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(c.map), &key, &v)) {
		sum += v;
		found = true;
	}
	return found ? sum : UINT64_MAX;
}

static void hist_sum(struct kvmslb_hist_val *v, const struct kvmslb_hist_val *x)
{
	for (int k = 0; k < KVMSLB_HIST_SLOTS; k++)
		v->slots[k] += x->slots[k];
	v->sum_ns += x->sum_ns;
	v->injected += x->injected;
	v->dropped += x->dropped;
	if (x->max_ns > v->max_ns)
		v->max_ns = x->max_ns;
}

/* A histogram's total (samples = the sum of the slots); -ENOENT if none. */
static int hist_in(struct cached c, uint32_t tgid, uint32_t unit, uint16_t trap,
		   uint8_t outcome, struct kvmslb_hist_val *v, uint64_t *samples)
{
	uint64_t key = kvmslb_key(tgid, unit, trap, outcome);
	struct kvmslb_hist_val h;
	bool found = false;

	memset(v, 0, sizeof(*v));
	for (uint32_t i = 0, n = slots_taken(c); i < n; i++) {
		struct kvmslb_hist_slot e = slot_at(c, i);

		if (e.key == key) {
			hist_sum(v, &e.v);
			found = true;
		}
	}
	if (!bpf_map_lookup_elem(bpf_map__fd(c.map), &key, &h)) {
		hist_sum(v, &h);
		found = true;
	}
	*samples = 0;
	for (int k = 0; k < KVMSLB_HIST_SLOTS; k++)
		*samples += v->slots[k];
	return found ? 0 : -ENOENT;
}

/* Distinct keys held by the caches (every CPU) and the hash map. */
static int nkeys(struct cached c)
{
	size_t stride = (bpf_map__value_size(c.cache) + 7) & ~7UL;
	enum { MAX = 1 << 16 };
	uint64_t *keys = calloc(MAX, sizeof(*keys)), key, next, *prev = NULL;
	int n = 0;

	assert_non_null(keys);
	/* histograms in place: distinct keys by construction (one slot each) */
	for (uint32_t i = 0, n_in = c.vals ? slots_taken(c) : 0; i < n_in && n < MAX; i++) {
		uint64_t k = slot_at(c, i).key;

		if (k)
			keys[n++] = k;
	}
	for (uint32_t i = 0; !c.vals && i < KVMSLB_CACHE_SLOTS; i++) {
		char *e = percpu_slots(c.cache, i, stride);

		for (int cpu = 0; cpu < libbpf_num_possible_cpus(); cpu++) {
			uint64_t k = *(uint64_t *)(e + cpu * stride);
			bool dup = !k || k == ~0ULL;	/* free, or blocked (cache_block) */

			for (int j = 0; j < n && !dup; j++)
				dup = keys[j] == k;
			if (!dup && n < MAX)
				keys[n++] = k;
		}
		free(e);
	}
	/* hash keys are distinct; one in a cache too is counted once */
	while (bpf_map_get_next_key(bpf_map__fd(c.map), prev, &next) == 0) {
		bool dup = false;

		key = next;
		prev = &key;
		for (int j = 0; j < n && !dup && j < KVMSLB_CACHE_SLOTS * 256; j++)
			dup = keys[j] == key;
		if (!dup && n < MAX)
			keys[n++] = key;
	}
	free(keys);
	return n;
}

/* Every cache slot of every CPU held by a key no event has: the hash maps only. */
static void cache_block(const struct bpf_map *cache)
{
	size_t stride = (bpf_map__value_size(cache) + 7) & ~7UL;
	char *buf = calloc(libbpf_num_possible_cpus(), stride);

	assert_non_null(buf);
	for (int cpu = 0; cpu < libbpf_num_possible_cpus(); cpu++)
		*(uint64_t *)(buf + cpu * stride) = ~0ULL;
	for (uint32_t i = 0; i < KVMSLB_CACHE_SLOTS; i++)
		assert_int_equal(bpf_map_update_elem(bpf_map__fd(cache), &i, buf, 0), 0);
	free(buf);
}

/* v2 segment counts of one vcpu: [0 DSegI, 1 ISegI][enum kvmslb_seg_kind] */
static struct kvmslb_vcpu_seg vseg(struct kvmslb_bpf *s, uint32_t vm, uint32_t vcpu)
{
	struct kvmslb_vcpu_key k = { .vm = vm, .vcpu_id = vcpu };
	struct kvmslb_vcpu_slot e;
	uint32_t slot;

	/* its slot, through the index; the slot names the vcpu */
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.vcpu_idx), &k, &slot), 0);
	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(s->maps.vcpu_seg), &slot, &e), 0);
	assert_int_equal(e.key.vm, vm);
	assert_int_equal(e.key.vcpu_id, vcpu);
	return e.seg;
}

static uint64_t count_get(struct kvmslb_bpf *s, uint32_t tgid, uint32_t tid, uint8_t kind,
			  uint16_t code, uint8_t flag)
{
	return count_in(COUNTS(s), tgid, tid, kind, code, flag);
}

/* The pending page-fault start of this thread (0: none). */
static uint64_t start_of(const struct bpf_map *starts)
{
	uint32_t k = kvmslb_start_slot(me(), bpf_map__max_entries(starts) - 1);
	uint64_t v;

	assert_int_equal(bpf_map_lookup_elem(bpf_map__fd(starts), &k, &v), 0);
	if (!v)
		return 0;
	assert_int_equal(v >> KVMSLB_START_TIME_BITS, me());
	return v & KVMSLB_START_TIME_MASK;
}

/* ---- argument vectors of the patched tracepoints (abi.h) -------------------- */
/* v2 kvm_segment_synth(vcpu, vm_pid, vcpu_id, fault_ns, ea, srr0, srr1, vector,
 * injected, dropped, dsegi, isegi) */
static void seg_v2(struct kvmslb_bpf *s, uint32_t vm, uint32_t vcpu, uint32_t vector,
		   bool injected, uint32_t dropped, uint64_t dsegi, uint64_t isegi)
{
	uint64_t a[12] = { VCPU_PTR, vm, vcpu, 123456789, 0x2000, 0x700, 0x8000000000000000ULL,
			   vector, injected, dropped, dsegi, isegi };

	assert_int_equal(bpft_run(s->progs.kvmslb_segment_synth, a, 12, NULL), 0);
}

/* v2 kvm_hfault(vcpu, vm_pid, vcpu_id, fault_ns, ea, srr0, dsisr, trap, outcome,
 * latency_ns, injected, dropped) */
static void hfault_v2(struct kvmslb_bpf *s, uint32_t vm, uint32_t vcpu, uint32_t trap,
		      uint32_t outcome, uint64_t lat, bool injected, uint32_t dropped)
{
	uint64_t a[12] = { VCPU_PTR, vm, vcpu, 123456789, 0x1000, 0x700, 0x40000000, trap,
			   outcome, lat, injected, dropped };

	assert_int_equal(bpft_run(s->progs.kvmslb_hfault, a, 12, NULL), 0);
}

/* v1 kvm_hfault(vcpu, trap, ea, dsisr, outcome, latency_ns, injected, dropped) */
static void hfault_v1(struct kvmslb_bpf *s, uint64_t trap, uint64_t outcome, uint64_t lat,
		      uint64_t injected, uint64_t dropped)
{
	uint64_t a[8] = { VCPU_PTR, trap, 0x1000, 0x40000000, outcome, lat, injected, dropped };

	assert_int_equal(bpft_run(s->progs.kvmslb_hfault_v1, a, 8, NULL), 0);
}

/* v1 kvm_segment_synth(vcpu, ea, vector, srr1, injected) */
static void seg_v1(struct kvmslb_bpf *s, uint64_t vector, uint64_t injected, int n)
{
	uint64_t a[5] = { VCPU_PTR, 0x2000, vector, 0x8000000000000000ULL, injected };

	assert_int_equal(bpft_run_n(s->progs.kvmslb_segment_synth_v1, a, 5, n), 0);
}

static void read_agg_pv(struct kvmslb_bpf *s, enum bpf_read_units units, struct agg *a)
{
	struct bpf_map_fds fds = {
		.counts = bpf_map__fd(s->maps.counts),
		.hists = bpf_map__fd(s->maps.hists),
		.count_cache = bpf_map__fd(s->maps.count_cache),
		.stats = bpf_map__fd(s->maps.stats),
		.vcpu_seg = bpf_map__fd(s->maps.vcpu_seg),
		.hist_vals = bpf_map__fd(s->maps.hist_vals),
		.slot_alloc = bpf_map__fd(s->maps.slot_alloc),
	};

	agg_init(a);
	assert_int_equal(bpf_maps_read(&fds, units, a), 0);
}

static void read_agg(struct kvmslb_bpf *s, struct agg *a)
{
	read_agg_pv(s, reader_per_vcpu ? BPF_READ_VCPUS : BPF_READ_GUESTS, a);
}

/* events handled, as the reader counts them */
static uint64_t events(struct kvmslb_bpf *s)
{
	struct agg a;
	uint64_t n;

	read_agg(s, &a);
	n = a.health.events;
	agg_free(&a);
	return n;
}

/* ---- loading ------------------------------------------------------------- */
static void test_load_all(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s;

	(void)state;
	/* every program of the no-BTF object, tp/ and raw_tp/, loads here */
	s = open_load(&c);
	assert_true(bpf_program__fd(s->progs.kvmslb_segment_synth) >= 0);
	assert_true(bpf_program__fd(s->progs.kvmslb_hfault_v1) >= 0);
	assert_true(bpf_program__fd(s->progs.kvmslb_guest_exit) >= 0);
	assert_true(bpf_program__fd(s->progs.kvmslb_pf_exit) >= 0);
	kvmslb_bpf__destroy(s);
}

/* ---- patched v2: attribution ---------------------------------------------- */
/*
 * The micro-threading case: an event naming VM A and its vcpu 3 is
 * handled while the current task belongs to VM B (this process). v2 charges
 * it to A; v1, which can only look at the current task, charges B.
 */
static void test_v2_charged_to_the_vm_it_names(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct kvmslb_hist_val v;
	struct kvmslb_vcpu_seg st;
	struct agg a;
	const struct agg_guest *g;
	uint64_t n;

	(void)state;
	seg_v2(s, VM_A, 3, KVMSLB_TRAP_DATA_SEGMENT, true, 0, 1, 0);
	hfault_v2(s, VM_A, 3, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_SEGMENT, 700, true, 0);
	st = vseg(s, VM_A, 3);
	assert_int_equal(st.n[0][KVMSLB_SEG_INJECTED], 1);
	assert_int_equal(st.n[0][KVMSLB_SEG_REAL] + st.n[0][KVMSLB_SEG_RECOVERED], 0);
	assert_int_equal(st.last_dsegi, 1);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 1);
	assert_int_equal(nkeys(COUNTS(s)), 0);
	assert_int_equal(hist_in(HISTS(s), VM_A, vcpu_unit(3), 0xe00,
				 KVMSLB_OUTCOME_SEGMENT, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.injected, 1);
	assert_int_equal(nkeys(HISTS(s)), 1);

	/* the reader gives VM A its counts, under vcpu 3; nothing for this process */
	read_agg(s, &a);
	assert_int_equal(a.nguests, 1);
	g = agg_find(&a, VM_A);
	assert_non_null(g);
	assert_null(agg_find(&a, self()));
	assert_int_equal(g->total.c.dsegi, 1);
	assert_int_equal(g->total.c.seg_injected, 1);
	assert_int_equal(g->total.c.hdsi, 1);
	assert_int_equal(g->nvcpus, 1);
	assert_true(agg_unit_is_vcpu_id(g->vcpus[0].tid));
	assert_int_equal(agg_unit_vcpu_id(g->vcpus[0].tid), 3);
	assert_int_equal(a.health.events, 2);
	agg_free(&a);
	kvmslb_bpf__destroy(s);

	/* v1 on the same exit: the current task, i.e. VM B */
	s = open_load(&c);
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 1, 1);
	assert_int_equal(count_get(s, self(), (uint32_t)syscall(SYS_gettid), KVMSLB_CNT_SEGMENT,
				   0x380, KVMSLB_SEG_INJECTED), 1);
	assert_int_equal(nkeys(COUNTS(s)), 1);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 0);
	kvmslb_bpf__destroy(s);
}

/* The guest filter is on vm_pid; without --per-vcpu the reader sums the vcpus. */
static void test_v2_guest_filter(void **state)
{
	struct cfg c = { .tgid = self() };
	struct kvmslb_bpf *s = open_load(&c);
	struct agg a;
	const struct agg_guest *g;

	(void)state;
	/* filtering on VM B (us): VM A's events are not ours, whoever runs them */
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	hfault_v2(s, VM_A, 0, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, 10, false, 0);
	assert_int_equal(nkeys(COUNTS(s)), 0);
	assert_int_equal(nkeys(HISTS(s)), 0);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 0);
	assert_int_equal(events(s), 0);
	kvmslb_bpf__destroy(s);

	c.tgid = VM_A;
	s = open_load(&c);
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	seg_v2(s, VM_A, 1, KVMSLB_TRAP_INST_SEGMENT, false, 0, 0, 1);
	seg_v2(s, VM_A, 1, KVMSLB_TRAP_INST_SEGMENT, false, 0, 0, 2);
	assert_int_equal(vseg(s, VM_A, 0).n[0][KVMSLB_SEG_REAL], 1);
	assert_int_equal(vseg(s, VM_A, 1).n[1][KVMSLB_SEG_REAL], 2);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 2);
	read_agg(s, &a);
	g = agg_find(&a, VM_A);
	assert_non_null(g);
	assert_int_equal(g->total.c.dsegi, 1);
	assert_int_equal(g->total.c.isegi, 2);
	assert_int_equal(g->nvcpus, 0);
	assert_int_equal(a.health.events, 3);
	agg_free(&a);
	kvmslb_bpf__destroy(s);
}

/* ---- patched v2: totals from the cumulative counts ------------------------ */
static void test_v2_cumulative_counts(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct kvmslb_vcpu_seg st;
	struct agg a;
	const struct agg_guest *g;

	(void)state;
	/* vcpu 0: its first record, then one that follows 5 dropped ones (4 D, 1 I) */
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_INST_SEGMENT, true, 5, 5, 2);
	st = vseg(s, VM_A, 0);
	assert_int_equal(st.n[0][KVMSLB_SEG_REAL], 1);
	assert_int_equal(st.n[0][KVMSLB_SEG_INJECTED], 0);
	assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED], 4);
	assert_int_equal(st.n[1][KVMSLB_SEG_REAL], 0);
	assert_int_equal(st.n[1][KVMSLB_SEG_INJECTED], 1);
	assert_int_equal(st.n[1][KVMSLB_SEG_RECOVERED], 1);
	assert_int_equal(st.last_dsegi, 5);
	assert_int_equal(st.last_isegi, 2);
	assert_int_equal(st.dropped, 5);

	/* vcpu 1: first seen after all 2 earlier records of its life were dropped */
	seg_v2(s, VM_A, 1, KVMSLB_TRAP_DATA_SEGMENT, false, 2, 3, 0);
	st = vseg(s, VM_A, 1);
	assert_int_equal(st.n[0][KVMSLB_SEG_REAL], 1);
	assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED], 2);
	/* vcpu 2: its counts predate the attach (dropped 0): they are not ours */
	seg_v2(s, VM_A, 2, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 10, 4);
	st = vseg(s, VM_A, 2);
	assert_int_equal(st.n[0][KVMSLB_SEG_REAL], 1);
	assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED] + st.n[1][KVMSLB_SEG_RECOVERED], 0);
	/* ... and from there on it is exact: 10,4 -> 13,6 is 5 more, this one included */
	seg_v2(s, VM_A, 2, KVMSLB_TRAP_INST_SEGMENT, false, 4, 13, 6);
	st = vseg(s, VM_A, 2);
	assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED], 3);
	assert_int_equal(st.n[1][KVMSLB_SEG_RECOVERED], 1);
	assert_int_equal(st.n[1][KVMSLB_SEG_REAL], 1);
	/* a new vcpu 0 under the same pid (counts went back): starts over */
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	st = vseg(s, VM_A, 0);
	assert_int_equal(st.n[0][KVMSLB_SEG_REAL], 2);
	assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED], 4);
	assert_int_equal(st.last_dsegi, 1);
	assert_int_equal(st.last_isegi, 0);

	/* the reader: recovered ones count as synthesized, not as injected, nor as events */
	read_agg(s, &a);
	g = agg_find(&a, VM_A);
	assert_non_null(g);
	assert_int_equal(g->total.c.dsegi, (1 + 4 + 1) + (1 + 2) + (1 + 3));
	assert_int_equal(g->total.c.isegi, 2 + 2);
	assert_int_equal(g->total.c.seg_injected, 1);
	assert_int_equal(g->nvcpus, 3);
	assert_int_equal(a.health.events, 6);
	assert_int_equal(a.health.count_overflow, 0);
	agg_free(&a);
	kvmslb_bpf__destroy(s);
}

/*
 * Exact at any rate: a model of the kernel's per-vcpu log (8 segment
 * slots, emitted at the next exit, drops counted on the next emitted
 * record) under random bursts of syntheses and rare exits, keeping either
 * its oldest or its newest records. kvmslb's per-vcpu totals must equal
 * the vcpus' own counts exactly, however many records were dropped.
 */
struct model_rec {
	uint32_t vector;
	bool injected;
	uint64_t dsegi, isegi;
};

struct model_vcpu {
	uint64_t dsegi, isegi, injected_emitted, dropped;
	struct model_rec log[8];
	int n;
	uint32_t pending_drops;
};

static uint32_t rnd(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return (uint32_t)(*x >> 11);
}

/* An exit of vcpu k: its log is emitted, the first record carrying the drops. */
static void model_exit(struct kvmslb_bpf *s, struct model_vcpu *v, uint32_t k)
{
	for (int i = 0; i < v->n; i++) {
		struct model_rec *e = &v->log[i];

		seg_v2(s, VM_A, k, e->vector, e->injected, i ? 0 : v->pending_drops, e->dsegi,
		       e->isegi);
		v->injected_emitted += e->injected;
		if (!i)
			v->pending_drops = 0;
	}
	v->n = 0;
}

static void model_run(bool keep_newest, uint64_t seed)
{
	enum { VCPUS = 4, STEPS = 4000 };
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct model_vcpu m[VCPUS];
	uint64_t drops = 0, x = seed;
	struct agg a;
	const struct agg_guest *g;

	memset(m, 0, sizeof(m));
	for (int step = 0; step < STEPS; step++) {
		uint32_t k = rnd(&x) % VCPUS, r = rnd(&x) % 100;
		struct model_vcpu *v = &m[k];

		if (r < 80) {	/* a synthesis */
			struct model_rec rec = { .vector = rnd(&x) & 1 ? 0x480 : 0x380,
						 .injected = rnd(&x) & 1 };

			if (rec.vector == 0x380)
				v->dsegi++;
			else
				v->isegi++;
			rec.dsegi = v->dsegi;
			rec.isegi = v->isegi;
			if (v->n < 8) {
				v->log[v->n++] = rec;
			} else {
				if (keep_newest) {
					memmove(v->log, v->log + 1, 7 * sizeof(rec));
					v->log[7] = rec;
				}
				v->pending_drops++;
				v->dropped++;
				drops++;
			}
		} else if (k != 3 || r >= 97) {	/* an exit; vcpu 3 floods: rare exits */
			model_exit(s, v, k);
		}
	}
	for (uint32_t k = 0; k < VCPUS; k++)	/* the last exit of every vcpu */
		model_exit(s, &m[k], k);
	print_message("model (%s): %llu of the syntheses' records dropped\n",
		      keep_newest ? "keeps newest" : "keeps oldest", (unsigned long long)drops);
	assert_true(drops > 100);
	read_agg(s, &a);
	g = agg_find(&a, VM_A);
	assert_non_null(g);
	assert_int_equal(g->nvcpus, VCPUS);
	for (uint32_t k = 0; k < VCPUS; k++) {
		const struct agg_unit *u = &g->vcpus[k];
		struct kvmslb_vcpu_seg st = vseg(s, VM_A, k);

		assert_int_equal(agg_unit_vcpu_id(u->tid), k);
		assert_int_equal(u->c.dsegi, m[k].dsegi);
		assert_int_equal(u->c.isegi, m[k].isegi);
		assert_int_equal(u->c.seg_injected, m[k].injected_emitted);
		assert_int_equal(st.n[0][KVMSLB_SEG_RECOVERED] + st.n[1][KVMSLB_SEG_RECOVERED],
				 m[k].dropped);
		assert_int_equal(st.dropped, m[k].dropped);
	}
	agg_free(&a);
	kvmslb_bpf__destroy(s);
}

static void test_v2_exact_through_drops(void **state)
{
	(void)state;
	model_run(false, 0x9e3779b97f4a7c15ULL);
	model_run(true, 0xd1b54a32d192ed03ULL);
}

/* The vcpu map full: the event still counts; what it cannot recover is said. */
static void test_v2_vcpu_map_full(void **state)
{
	struct cfg c = { .vcpus_max = 2 };
	struct kvmslb_bpf *s = open_load(&c);
	struct agg a;

	(void)state;
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	seg_v2(s, VM_A, 1, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	seg_v2(s, VM_A, 2, KVMSLB_TRAP_DATA_SEGMENT, true, 0, 1, 0);
	seg_v2(s, VM_A, 2, KVMSLB_TRAP_DATA_SEGMENT, false, 3, 5, 0);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 2);
	assert_int_equal(count_get(s, VM_A, vcpu_unit(2), KVMSLB_CNT_SEGMENT, 0x380,
				   KVMSLB_SEG_INJECTED), 1);
	assert_int_equal(count_get(s, VM_A, vcpu_unit(2), KVMSLB_CNT_SEGMENT, 0x380,
				   KVMSLB_SEG_REAL), 1);
	assert_int_equal(stat_get(s, KVMSLB_STAT_VCPU_OVERFLOW), 2);
	read_agg(s, &a);
	assert_int_equal(agg_find(&a, VM_A)->total.c.dsegi, 4);
	assert_int_equal(a.health.count_overflow, 2);
	assert_int_equal(a.health.events, 4);
	agg_free(&a);
	kvmslb_bpf__destroy(s);
}

/* ---- histograms, counts, overflow (v1 and v2 share the handlers) ---------- */
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
	uint64_t want[KVMSLB_HIST_SLOTS] = { 0 }, n;
	struct agg a;
	const struct agg_guest *g;

	(void)state;
	want[0] = 2;
	want[1] = 2;
	want[2] = 2;
	want[3] = 1;
	want[30] = 1;
	want[31] = 3;
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++)
		hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, lat[i], i & 1, 3);
	hfault_v1(s, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_SEGMENT, 1000, 1, 0);

	assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_H_DATA_STORAGE,
				 KVMSLB_OUTCOME_RETRY, &v, &n), 0);
	assert_memory_equal(v.slots, want, sizeof(want));
	assert_int_equal(n, 11);
	assert_int_equal(v.max_ns, UINT64_MAX);
	assert_int_equal(v.injected, 5);
	assert_int_equal(v.dropped, 33);
	assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_H_INST_STORAGE,
				 KVMSLB_OUTCOME_SEGMENT, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.slots[9], 1);	/* 1000 in [512, 1024) */
	assert_int_equal(v.sum_ns, 1000);
	assert_int_equal(nkeys(HISTS(s)), 2);
	assert_int_equal(stat_get(s, KVMSLB_STAT_HIST_OVERFLOW), 0);

	/* the userspace reader sums the same thing */
	read_agg(s, &a);
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
	kvmslb_bpf__destroy(s);
}

static void test_v2_hfault_drops(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s = open_load(&c);
	struct kvmslb_hist_val v;
	uint64_t n;

	(void)state;
	hfault_v2(s, VM_A, 0, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_REFLECT, 5000, false, 0);
	hfault_v2(s, VM_A, 1, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_REFLECT, 9000, false, 17);
	assert_int_equal(hist_in(HISTS(s), VM_A, vcpu_unit(0), KVMSLB_TRAP_H_INST_STORAGE,
				 KVMSLB_OUTCOME_REFLECT, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.slots[12], 1);	/* 5000 in [4096, 8192) */
	assert_int_equal(hist_in(HISTS(s), VM_A, vcpu_unit(1), KVMSLB_TRAP_H_INST_STORAGE,
				 KVMSLB_OUTCOME_REFLECT, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(v.slots[13], 1);
	assert_int_equal(v.max_ns, 9000);
	assert_int_equal(v.dropped, 17);
	assert_int_equal(v.injected, 0);
	/* the reader sums the vcpus into the guest's path */
	{
		struct agg a;
		const struct agg_guest *g;

		read_agg(s, &a);
		g = agg_find(&a, VM_A);
		assert_non_null(g);
		assert_int_equal(g->total.npaths, 1);
		assert_int_equal(g->total.paths[0].hist.count, 2);
		assert_int_equal(g->total.paths[0].hist.sum_ns, 14000);
		assert_int_equal(g->total.paths[0].hist.max_ns, 9000);
		assert_int_equal(g->total.c.dropped, 17);
		assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_REFLECT], 2);
		agg_free(&a);
	}
	kvmslb_bpf__destroy(s);
}

static void test_v1_segment_counts(void **state)
{
	struct cfg c = { 0 };
	struct kvmslb_bpf *s = open_load(&c);

	(void)state;
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 3);
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 1, 4);
	seg_v1(s, KVMSLB_TRAP_INST_SEGMENT, 1, 2);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x380, 0), 3);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x380, 1), 4);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x480, 1), 2);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x480, 0), UINT64_MAX);
	assert_int_equal(nkeys(COUNTS(s)), 3);
	/* v1 keeps no cumulative state */
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 0);
	assert_int_equal(events(s), 9);
	kvmslb_bpf__destroy(s);
}

static void test_map_full_overflow(void **state)
{
	struct cfg c = { .counts_max = 2, .hists_max = 1, .hist_vals_max = 1 };
	struct kvmslb_bpf *s = open_load(&c);

	(void)state;
	/* the hash maps behind the caches */
	cache_block(s->maps.count_cache);
	cache_block(s->maps.hist_cache);
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 1);
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 1, 1);
	/* a third key does not fit: its increments are counted as overflow */
	seg_v1(s, KVMSLB_TRAP_INST_SEGMENT, 0, 3);
	/* existing keys still count */
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	assert_int_equal(nkeys(COUNTS(s)), 2);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x380, 0), 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_COUNT_OVERFLOW), 3);

	/* histograms: one in place, one in the hash map, the third lost and counted */
	hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, 100, 0, 0);
	hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_MMIO, 100, 0, 0);
	hfault_v1(s, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_RETRY, 100, 0, 0);
	hfault_v1(s, KVMSLB_TRAP_H_INST_STORAGE, KVMSLB_OUTCOME_RETRY, 100, 0, 0);
	hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_MMIO, 200, 0, 0);
	assert_int_equal(nkeys(HISTS(s)), 2);
	assert_int_equal(slots_taken(HISTS(s)), 1);
	assert_int_equal(bpft_map_keys(s->maps.hists), 1);
	assert_int_equal(stat_get(s, KVMSLB_STAT_HIST_OVERFLOW), 2);
	{
		struct kvmslb_hist_val v;
		uint64_t n;

		assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_H_DATA_STORAGE,
					 KVMSLB_OUTCOME_RETRY, &v, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_H_DATA_STORAGE,
					 KVMSLB_OUTCOME_MMIO, &v, &n), 0);
		assert_int_equal(n, 2);
		assert_int_equal(v.sum_ns, 300);
	}
	/* the events the maps could not hold were handled too */
	assert_int_equal(events(s), 12);
	kvmslb_bpf__destroy(s);
}

/*
 * A key whose cache slots other keys hold finds its histogram through
 * hist_idx; a key that found every slot of hist_vals taken goes to the
 * hash map. The totals are the same whichever way an event went, and the
 * reader adds them up.
 */
static void cache_events(struct kvmslb_bpf *s, uint32_t vm_a, uint32_t vm_b, uint32_t vm_c)
{
	hfault_v2(s, vm_c, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 1, false, 0);
	hfault_v2(s, vm_a, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 100, false, 0);
	hfault_v2(s, vm_b, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 200, true, 2);
	hfault_v2(s, vm_a, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 300, false, 0);
	hfault_v2(s, vm_b, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 400, false, 0);
}

static void test_cache_slot_taken(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c), *h;
	uint32_t slot = kvmslb_cache_slot(kvmslb_key(VM_A, vcpu_unit(0), 0xe00,
						     KVMSLB_OUTCOME_RETRY));
	uint32_t vm_b = VM_A + 1, vm_c;
	struct kvmslb_hist_val v;
	struct agg a, b;
	uint64_t n;

	(void)state;
	/* three VMs whose (vcpu 0, 0xe00, retry) keys have the same two cache slots */
	while (kvmslb_cache_slot(kvmslb_key(vm_b, vcpu_unit(0), 0xe00, KVMSLB_OUTCOME_RETRY)) !=
	       slot)
		vm_b++;
	vm_c = vm_b + 1;
	while (kvmslb_cache_slot(kvmslb_key(vm_c, vcpu_unit(0), 0xe00, KVMSLB_OUTCOME_RETRY)) !=
	       slot)
		vm_c++;
	/*
	 * C takes the first cache slot, A the one next to it, B finds its
	 * histogram through hist_idx at every event: all three in place
	 */
	cache_events(s, VM_A, vm_b, vm_c);
	assert_int_equal(bpft_map_keys(s->maps.hists), 0);
	assert_int_equal(bpft_map_keys(s->maps.hist_idx), 3);
	assert_int_equal(slots_taken(HISTS(s)), 3);
	{
		struct kvmslb_hist_ref *e = percpu_slots(s->maps.hist_cache, slot, sizeof(*e));
		struct kvmslb_hist_ref *f = percpu_slots(s->maps.hist_cache, slot ^ 1,
							 sizeof(*f));
		int cpu = sched_getcpu();

		assert_int_equal(kvmslb_key_tgid(e[cpu].key), vm_c);
		assert_int_equal(slot_at(HISTS(s), e[cpu].slot).key, e[cpu].key);
		assert_int_equal(kvmslb_key_tgid(f[cpu].key), VM_A);
		assert_int_equal(slot_at(HISTS(s), f[cpu].slot).key, f[cpu].key);
		free(e);
		free(f);
	}
	assert_int_equal(hist_in(HISTS(s), vm_b, vcpu_unit(0), 0xe00, KVMSLB_OUTCOME_RETRY, &v,
				 &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.sum_ns, 600);
	assert_int_equal(v.max_ns, 400);
	assert_int_equal(v.injected, 1);
	assert_int_equal(v.dropped, 2);
	assert_int_equal(hist_in(HISTS(s), VM_A, vcpu_unit(0), 0xe00, KVMSLB_OUTCOME_RETRY, &v,
				 &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.sum_ns, 400);

	/*
	 * the same events with no cache and one slot in place (C's), A and B
	 * in the hash map: the same reading
	 */
	c.hist_vals_max = 1;
	h = open_load(&c);
	cache_block(h->maps.count_cache);
	cache_block(h->maps.hist_cache);
	cache_events(h, VM_A, vm_b, vm_c);
	assert_int_equal(slots_taken(HISTS(h)), 1);
	assert_int_equal(kvmslb_key_tgid(slot_at(HISTS(h), 0).key), vm_c);
	assert_int_equal(bpft_map_keys(h->maps.hists), 2);
	read_agg(s, &a);
	read_agg(h, &b);
	assert_int_equal(a.nguests, 3);
	assert_int_equal(b.nguests, 3);
	for (int i = 0; i < 3; i++) {
		const struct agg_unit *x = &a.guests[i].total, *y = &b.guests[i].total;

		assert_int_equal(a.guests[i].tgid, b.guests[i].tgid);
		assert_memory_equal(&x->c, &y->c, sizeof(x->c));
		assert_int_equal(x->npaths, 1);
		assert_memory_equal(x->paths[0].hist.slots, y->paths[0].hist.slots,
				    sizeof(x->paths[0].hist.slots));
		assert_int_equal(x->paths[0].hist.max_ns, y->paths[0].hist.max_ns);
	}
	assert_int_equal(a.health.events, 5);
	assert_int_equal(b.health.events, 5);
	agg_free(&a);
	agg_free(&b);
	kvmslb_bpf__destroy(h);
	kvmslb_bpf__destroy(s);
}

/*
 * The reader keeps hist_vals and vcpu_seg mapped from refresh to refresh
 * (bpf_source does): a mapping covers the slots taken and grows with them;
 * a slot is read where it is, so an event after one read shows in the next.
 */
static void test_in_place_mappings_grow(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct slot_map m, vm;
	struct bpf_map_fds fds = {
		.counts = bpf_map__fd(s->maps.counts),
		.hists = bpf_map__fd(s->maps.hists),
		.count_cache = bpf_map__fd(s->maps.count_cache),
		.stats = bpf_map__fd(s->maps.stats),
		.vcpu_seg = bpf_map__fd(s->maps.vcpu_seg),
		.hist_vals = bpf_map__fd(s->maps.hist_vals),
		.slot_alloc = bpf_map__fd(s->maps.slot_alloc),
		.hist_map = &m,
		.vcpu_map = &vm,
	};
	const struct agg_guest *g;
	struct agg a;
	size_t first_len;

	(void)state;
	slot_map_init(&m);
	slot_map_init(&vm);
	hfault_v2(s, VM_A, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 100, false, 0);
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	agg_init(&a);
	assert_int_equal(bpf_maps_read(&fds, BPF_READ_VCPUS, &a), 0);
	assert_int_equal(a.health.events, 2);
	agg_free(&a);
	first_len = m.len;
	assert_true(vm.len > 0);
	assert_true(vm.nmapped < 1000);
	assert_true(first_len > 0);
	assert_true(m.nmapped < 1000);

	/* the same key again, and 999 vcpus more of VM A: past the first mapping */
	hfault_v2(s, VM_A, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 300, false, 0);
	for (uint32_t v = 1; v < 1000; v++) {
		hfault_v2(s, VM_A, v, 0xe20, KVMSLB_OUTCOME_SEGMENT, 1000 + v, v & 1, 0);
		seg_v2(s, VM_A, v, KVMSLB_TRAP_INST_SEGMENT, false, 0, 0, 1);
	}
	/* vcpu 0's second DSegI, after two the kernel's log dropped */
	seg_v2(s, VM_A, 0, KVMSLB_TRAP_DATA_SEGMENT, false, 2, 4, 0);
	assert_int_equal(slots_taken(HISTS(s)), 1000);
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 1000);
	agg_init(&a);
	assert_int_equal(bpf_maps_read(&fds, BPF_READ_VCPUS, &a), 0);
	assert_true(m.len > first_len);
	assert_true(m.nmapped >= 1000);
	assert_true(vm.nmapped >= 1000);
	/* events: 1001 fault paths, 1001 segment records (2 recovered are not events) */
	assert_int_equal(a.health.events, 2002);
	g = agg_find(&a, VM_A);
	assert_non_null(g);
	assert_int_equal(g->nvcpus, 1000);
	assert_int_equal(g->total.c.hdsi, 2);
	assert_int_equal(g->total.c.hisi, 999);
	assert_int_equal(g->total.c.fault_injected, 500);
	assert_int_equal(g->total.c.dsegi, 4);
	assert_int_equal(g->total.c.isegi, 999);
	assert_int_equal(g->vcpus[0].c.dsegi, 4);
	assert_int_equal(g->vcpus[0].c.isegi, 0);
	assert_int_equal(g->vcpus[999].c.isegi, 1);
	assert_int_equal(g->vcpus[0].c.hdsi, 2);
	assert_int_equal(g->vcpus[0].paths[0].hist.sum_ns, 400);
	assert_int_equal(g->vcpus[0].paths[0].hist.max_ns, 300);
	assert_int_equal(g->vcpus[999].paths[0].hist.max_ns, 1999);
	agg_free(&a);
	slot_map_free(&m);
	slot_map_free(&vm);
	kvmslb_bpf__destroy(s);
}

/*
 * top and stat -j read one histogram a vcpu (BPF_READ_VCPU_LATENCY): the
 * same guests, counters and per-vcpu latency as a read with a histogram a
 * vcpu's path (what stat's text prints), in one path of trap AGG_TRAP_ALL.
 */
static void test_vcpu_paths_merged(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct agg paths, merged;

	(void)state;
	/* vcpu 0: three paths; vcpu 1: one; vcpu 2: segment interrupts only */
	hfault_v2(s, VM_A, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 100, false, 0);
	hfault_v2(s, VM_A, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 900, false, 0);
	hfault_v2(s, VM_A, 0, 0xe00, KVMSLB_OUTCOME_SEGMENT, 70000, true, 0);
	hfault_v2(s, VM_A, 0, 0xe20, KVMSLB_OUTCOME_REFLECT, 3000, false, 2);
	hfault_v2(s, VM_A, 1, 0xe20, KVMSLB_OUTCOME_SEGMENT, 5, false, 0);
	seg_v2(s, VM_A, 2, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	read_agg_pv(s, BPF_READ_VCPUS, &paths);
	read_agg_pv(s, BPF_READ_VCPU_LATENCY, &merged);
	assert_int_equal(merged.nguests, 1);
	assert_int_equal(merged.health.events, paths.health.events);
	{
		const struct agg_guest *p = agg_find(&paths, VM_A), *m = agg_find(&merged, VM_A);

		assert_non_null(p);
		assert_non_null(m);
		assert_int_equal(m->total.npaths, 4);
		assert_int_equal(p->total.npaths, m->total.npaths);
		for (int i = 0; i < m->total.npaths; i++) {
			assert_int_equal(m->total.paths[i].trap, p->total.paths[i].trap);
			assert_int_equal(m->total.paths[i].outcome, p->total.paths[i].outcome);
			assert_memory_equal(&m->total.paths[i].hist, &p->total.paths[i].hist,
					    sizeof(struct log2_hist));
		}
		assert_memory_equal(&m->total.c, &p->total.c, sizeof(m->total.c));
		assert_int_equal(m->nvcpus, 3);
		assert_int_equal(p->nvcpus, 3);
		for (int v = 0; v < 3; v++) {
			const struct agg_unit *pu = &p->vcpus[v], *mu = &m->vcpus[v];
			struct log2_hist ph, mh;

			assert_int_equal(mu->tid, pu->tid);
			assert_memory_equal(&mu->c, &pu->c, sizeof(mu->c));
			assert_int_equal(mu->npaths, v < 2 ? 1 : 0);
			if (mu->npaths) {
				assert_int_equal(mu->paths[0].trap, AGG_TRAP_ALL);
				assert_int_equal(mu->paths[0].outcome, KVMSLB_OUTCOME_NONE);
			}
			agg_unit_hist(pu, &ph);
			agg_unit_hist(mu, &mh);
			assert_memory_equal(&mh, &ph, sizeof(mh));
		}
		assert_int_equal(p->vcpus[0].npaths, 3);
		assert_int_equal(m->vcpus[0].paths[0].hist.count, 4);
		assert_int_equal(m->vcpus[0].paths[0].hist.sum_ns, 100 + 900 + 70000 + 3000);
		assert_int_equal(m->vcpus[0].paths[0].hist.max_ns, 70000);
		assert_true(m->vcpus[0].paths[0].hist.max_exact);
		assert_int_equal(m->vcpus[0].c.hdsi, 3);
		assert_int_equal(m->vcpus[0].c.hisi, 1);
		assert_int_equal(m->vcpus[0].c.dropped, 2);
		assert_int_equal(m->vcpus[0].c.fault_injected, 1);
		assert_int_equal(m->vcpus[2].c.dsegi, 1);
	}
	agg_free(&paths);
	agg_free(&merged);
	kvmslb_bpf__destroy(s);
}

/* The writer of test_read_while_counting: events on 64 vcpus of VM A. */
struct counting {
	struct kvmslb_bpf *s;
	int events;
	int err;
	int done;	/* __atomic: the reader polls it */
};

#define COUNTING_VCPUS 64

static void *count_events(void *arg)
{
	struct counting *w = arg;

	for (int i = 0; i < w->events && !w->err; i++) {
		uint64_t a[12] = { VCPU_PTR, VM_A, i % COUNTING_VCPUS, 123456789, 0x1000,
				   0x700, 0x40000000, 0xe00, KVMSLB_OUTCOME_RETRY,
				   1ULL << (i % 20), false, 0 };

		w->err = bpft_run(w->s->progs.kvmslb_hfault, a, 12, NULL);
	}
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static uint64_t slots_sum(const struct log2_hist *h)
{
	uint64_t n = 0;

	for (int i = 0; i < HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

/*
 * Histograms are read in place while another CPU counts into them (an
 * SLB-miss storm while top or stat reads): every read shows histograms
 * whose buckets add up to their samples, a guest equal to the sum of its
 * vcpus, counts that never go back; the last read, every event.
 */
static void test_read_while_counting(void **state)
{
	struct cfg c = { .per_vcpu = true };
	struct kvmslb_bpf *s = open_load(&c);
	struct counting w = { .s = s, .events = 200000 };
	struct slot_map m, vm;
	struct bpf_map_fds fds = {
		.counts = bpf_map__fd(s->maps.counts),
		.hists = bpf_map__fd(s->maps.hists),
		.count_cache = bpf_map__fd(s->maps.count_cache),
		.stats = bpf_map__fd(s->maps.stats),
		.vcpu_seg = bpf_map__fd(s->maps.vcpu_seg),
		.hist_vals = bpf_map__fd(s->maps.hist_vals),
		.slot_alloc = bpf_map__fd(s->maps.slot_alloc),
		.hist_map = &m,
		.vcpu_map = &vm,
	};
	uint64_t last = 0, torn = 0, reads = 0;
	pthread_t t;
	bool done;

	(void)state;
	slot_map_init(&m);
	slot_map_init(&vm);
	assert_int_equal(pthread_create(&t, NULL, count_events, &w), 0);
	do {
		const struct agg_guest *g;
		uint64_t vcpus = 0;
		struct agg a;

		done = __atomic_load_n(&w.done, __ATOMIC_ACQUIRE);
		agg_init(&a);
		assert_int_equal(bpf_maps_read(&fds, BPF_READ_VCPUS, &a), 0);
		reads++;
		g = agg_find(&a, VM_A);
		if (g) {
			assert_int_equal(g->total.npaths, 1);
			torn += slots_sum(&g->total.paths[0].hist) !=
				g->total.paths[0].hist.count;
			for (int i = 0; i < g->nvcpus; i++) {
				const struct log2_hist *h = &g->vcpus[i].paths[0].hist;

				torn += slots_sum(h) != h->count;
				vcpus += h->count;
			}
			assert_int_equal(vcpus, g->total.paths[0].hist.count);
			assert_true(g->total.c.hdsi >= last);
			assert_int_equal(g->total.c.hdsi, g->total.paths[0].hist.count);
			last = g->total.c.hdsi;
		}
		agg_free(&a);
	} while (!done);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(w.err, 0);
	assert_int_equal(torn, 0);
	assert_int_equal(last, w.events);
	print_message("# %llu reads while counting %d events\n", (unsigned long long)reads,
		      w.events);
	slot_map_free(&m);
	slot_map_free(&vm);
	kvmslb_bpf__destroy(s);
}

/*
 * The sizes bpf_source gives the maps: 1000 guests fit, and 1000 x 8 vcpus
 * with --per-vcpu; loading maps of those sizes works here.
 */
static void test_map_sizes(void **state)
{
	struct bpf_map_sizes z;
	struct kvmslb_bpf *s;
	struct agg a;

	(void)state;
	/* keys are per vcpu (one writer each): sized for every vcpu */
	bpf_map_sizes(&z, SOURCE_PATCHED, false, 2);
	assert_int_equal(z.guests, BPF_SIZING_GUESTS);
	assert_true(z.guests >= 2 * 1000);
	assert_int_equal(z.vcpus, z.guests * 8);
	assert_true(z.vcpus >= 2 * 1000 * 8);
	assert_int_equal(z.counts, z.vcpus * 4);
	assert_int_equal(z.hists, z.vcpus * 10);
	assert_int_equal(z.hist_vals, z.vcpus * 4);	/* in place: 4 paths a vcpu */
	assert_int_equal(z.vcpu_seg, z.vcpus);
	assert_int_equal(z.starts, 1);
	bpf_map_sizes(&z, SOURCE_STOCK, false, 2);
	assert_int_equal(z.counts, z.vcpus * 4);
	assert_int_equal(z.hists, z.vcpus);
	assert_int_equal(z.hist_vals, z.vcpus);
	assert_int_equal(z.starts, 32768);	/* a power of two >= 2 x 16384 vcpus */
	assert_int_equal(z.vcpu_seg, 1);
	/* a big host: 4 vcpus per possible CPU when that is more */
	bpf_map_sizes(&z, SOURCE_PATCHED, false, 8192);
	assert_int_equal(z.vcpus, 8192 * 4);
	/* one guest (--guest PID) */
	bpf_map_sizes(&z, SOURCE_PATCHED, true, 2);
	assert_int_equal(z.guests, 8);
	assert_int_equal(z.vcpus, 64);

	bpf_map_sizes(&z, SOURCE_PATCHED, false, libbpf_num_possible_cpus());
	s = kvmslb_bpf__open();
	assert_non_null(s);
	bpf_map__set_max_entries(s->maps.counts, z.counts);
	bpf_map__set_max_entries(s->maps.hists, z.hists);
	bpf_map__set_max_entries(s->maps.hist_vals, z.hist_vals);
	bpf_map__set_max_entries(s->maps.hist_idx, z.hist_vals);
	bpf_map__set_max_entries(s->maps.vcpu_seg, z.vcpu_seg);
	bpf_map__set_max_entries(s->maps.vcpu_idx, z.vcpu_seg);
	assert_int_equal(kvmslb_bpf__load(s), 0);
	/* 1000 guests x 8 vcpus, one DSegI and one HDSI path each: every key fits */
	for (uint32_t vm = 1; vm <= 1000; vm++)
		for (uint32_t cpu = 0; cpu < 8; cpu++) {
			uint64_t d[12] = { VCPU_PTR, vm, cpu, 0, 0, 0, 0, 0x380, 0, 0, 1, 0 };
			uint64_t h[12] = { VCPU_PTR, vm, cpu, 0, 0, 0, 0, 0xe00, 0, 100, 0, 0 };

			assert_int_equal(bpft_run(s->progs.kvmslb_segment_synth, d, 12, NULL), 0);
			assert_int_equal(bpft_run(s->progs.kvmslb_hfault, h, 12, NULL), 0);
		}
	assert_int_equal(bpft_map_keys(s->maps.vcpu_idx), 8000);
	assert_int_equal(nkeys(HISTS(s)), 8000);
	assert_int_equal(slots_taken(HISTS(s)), 8000);	/* all in place */
	assert_int_equal(stat_get(s, KVMSLB_STAT_COUNT_OVERFLOW), 0);
	assert_int_equal(stat_get(s, KVMSLB_STAT_HIST_OVERFLOW), 0);
	assert_int_equal(stat_get(s, KVMSLB_STAT_VCPU_OVERFLOW), 0);
	/*
	 * per guest, and with --per-vcpu per vcpu (export: counters only, the
	 * histograms per guest): all 1000 guests, all counted
	 */
	for (int pv = BPF_READ_GUESTS; pv <= BPF_READ_VCPU_COUNTS; pv++) {
		read_agg_pv(s, pv, &a);
		assert_int_equal(a.nguests, 1000);
		for (int i = 0; i < a.nguests; i++) {
			const struct agg_guest *g = &a.guests[i];

			assert_int_equal(g->nvcpus, pv != BPF_READ_GUESTS ? 8 : 0);
			assert_int_equal(g->total.c.dsegi, 8);
			assert_int_equal(g->total.c.hdsi, 8);
			assert_int_equal(g->total.npaths, 1);
			assert_int_equal(g->total.paths[0].hist.count, 8);
			assert_int_equal(g->total.paths[0].hist.slots[6], 8);	/* 100 ns */
			for (int v = 0; v < g->nvcpus; v++) {
				assert_int_equal(g->vcpus[v].tid, AGG_VCPU_ID(v));
				assert_int_equal(g->vcpus[v].c.dsegi, 1);
				assert_int_equal(g->vcpus[v].c.hdsi, 1);
				assert_int_equal(g->vcpus[v].c.outcome[0], 1);
				assert_int_equal(g->vcpus[v].npaths, pv == BPF_READ_VCPUS);
			}
		}
		assert_int_equal(a.health.events, 16000);
		agg_free(&a);
	}
	kvmslb_bpf__destroy(s);
}

/* ---- ring buffer --------------------------------------------------------- */
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
	seg_v1(s, KVMSLB_TRAP_INST_SEGMENT, 1, fit + 3);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_SENT), fit);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_LOST), 3);
	/* the counters never depend on the ring buffer */
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_SEGMENT, 0x480, 1), fit + 3);
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
	seg_v1(s, KVMSLB_TRAP_INST_SEGMENT, 1, 1);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(stat_get(s, KVMSLB_STAT_RB_LOST), 3);
	/* a v2 event names its VM and vcpu */
	seg_v2(s, VM_A, 5, KVMSLB_TRAP_DATA_SEGMENT, false, 0, 1, 0);
	assert_int_equal(ring_buffer__consume(rb), 1);
	assert_int_equal(r.last.tgid, VM_A);
	assert_int_equal(r.last.tid, vcpu_unit(5));
	assert_int_equal(r.last.code, 0x380);
	assert_int_equal(r.last.aux, 0x8000000000000000ULL);
	ring_buffer__free(rb);
	kvmslb_bpf__destroy(s);
}

static void test_v1_guest_filter_per_vcpu(void **state)
{
	struct cfg c = { .tgid = 1 };	/* init is never us */
	struct kvmslb_bpf *s = open_load(&c);
	uint32_t tid = (uint32_t)syscall(SYS_gettid);
	struct kvmslb_hist_val v;
	uint64_t n;

	(void)state;
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_RETRY, 10, 0, 0);
	assert_int_equal(nkeys(COUNTS(s)), 0);
	assert_int_equal(nkeys(HISTS(s)), 0);
	assert_int_equal(events(s), 0);
	kvmslb_bpf__destroy(s);

	c.tgid = self();
	c.per_vcpu = true;
	s = open_load(&c);
	seg_v1(s, KVMSLB_TRAP_DATA_SEGMENT, 0, 2);
	hfault_v1(s, KVMSLB_TRAP_H_DATA_STORAGE, KVMSLB_OUTCOME_REFLECT, 10, 0, 0);
	assert_int_equal(count_get(s, self(), tid, KVMSLB_CNT_SEGMENT, 0x380, 0), 2);
	assert_int_equal(hist_in(HISTS(s), self(), tid, KVMSLB_TRAP_H_DATA_STORAGE,
				 KVMSLB_OUTCOME_REFLECT, &v, &n), 0);
	assert_int_equal(n, 1);
	kvmslb_bpf__destroy(s);
}

/*
 * The production stock path without BTF: tp/kvm_hv/kvm_guest_exit reads
 * the trap at an offset parsed from a tracefs format file. Here it is
 * attached to raw_syscalls:sys_enter with the offset of its 'id' field, and
 * invalid syscall numbers 0xe00/0xe20/0x380 stand for traps.
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
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_EXIT, 0xe00, 0), 7);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_EXIT, 0xe20, 0), 3);
	assert_int_equal(count_get(s, self(), me(), KVMSLB_CNT_EXIT, 0x380, 0), 1);
	/* every syscall in between is an enter/exit pair: at least the 11 above */
	assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_PAGE_FAULT,
				 KVMSLB_OUTCOME_NONE, &v, &n), 0);
	assert_true(n >= 11);
	/* only the syscall that attached the exit program can be unpaired */
	n = stat_get(s, KVMSLB_STAT_UNPAIRED_EXIT);
	if (n > 1)
		print_message("unpaired exits: %llu\n", (unsigned long long)n);
	assert_true(n <= 1);
	kvmslb_bpf__destroy(s);
}

/* ---- stock handlers through the stand-ins ---------------------------------- */
static struct standin_bpf *standin_load(uint32_t tgid)
{
	struct standin_bpf *s = standin_bpf__open();
	struct bpf_program *p;

	assert_non_null(s);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), "test_", 5));
	s->rodata->targ_tgid = tgid;
	assert_int_equal(standin_bpf__load(s), 0);
	return s;
}

static void test_stock_guest_exit_traps(void **state)
{
	struct standin_bpf *s = standin_load(0);
	uint64_t t;

	(void)state;
	t = 0xe00;
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit, &t, 1, 5), 0);
	t = 0xe20;
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit, &t, 1, 2), 0);
	t = 0x380;
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit, &t, 1, 1), 0);
	t = 0x980;	/* HV_DECREMENTER: not on the fault path, not counted */
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit, &t, 1, 7), 0);
	t = 0xe40;
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit, &t, 1, 1), 0);
	assert_int_equal(count_in(COUNTS(s), self(), me(), KVMSLB_CNT_EXIT, 0xe00, 0), 5);
	assert_int_equal(count_in(COUNTS(s), self(), me(), KVMSLB_CNT_EXIT, 0xe20, 0), 2);
	assert_int_equal(count_in(COUNTS(s), self(), me(), KVMSLB_CNT_EXIT, 0x380, 0), 1);
	assert_int_equal(nkeys(COUNTS(s)), 3);
	standin_bpf__destroy(s);
}

/* stock with BTF, after its reads: the exit names VM A's vcpu 2; we are VM B */
static void test_stock_btf_charged_to_the_vcpus_vm(void **state)
{
	struct standin_bpf *s = standin_load(0);
	uint64_t a[3] = { VM_A, 2, 0xe20 };

	(void)state;
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit_vcpu, a, 3, 4), 0);
	assert_int_equal(count_in(COUNTS(s), VM_A, vcpu_unit(2), KVMSLB_CNT_EXIT, 0xe20, 0),
			 4);
	assert_int_equal(nkeys(COUNTS(s)), 1);
	standin_bpf__destroy(s);
	/* filtered on VM B: nothing */
	s = standin_load(self());
	assert_int_equal(bpft_run_n(s->progs.test_guest_exit_vcpu, a, 3, 4), 0);
	assert_int_equal(nkeys(COUNTS(s)), 0);
	standin_bpf__destroy(s);
}

static void test_stock_page_fault_pairing(void **state)
{
	struct standin_bpf *s = standin_load(0);
	struct kvmslb_hist_val v;
	uint64_t t, n;

	(void)state;
	t = 2000;	/* exit with no enter: unpaired, no sample */
	assert_int_equal(bpft_run(s->progs.test_pf_exit, &t, 1, NULL), 0);
	t = 1000000;
	assert_int_equal(bpft_run(s->progs.test_pf_enter, &t, 1, NULL), 0);
	assert_int_equal(start_of(s->maps.starts), 1000000);
	t = 1000000 + 4096;	/* 4096 ns: slot 12, [4096, 8192) */
	assert_int_equal(bpft_run(s->progs.test_pf_exit, &t, 1, NULL), 0);
	assert_int_equal(start_of(s->maps.starts), 0);
	/* a second exit without an enter is unpaired */
	assert_int_equal(bpft_run(s->progs.test_pf_exit, &t, 1, NULL), 0);
	t = 5000000;
	assert_int_equal(bpft_run(s->progs.test_pf_enter, &t, 1, NULL), 0);
	t = 5000000 + 4095;	/* slot 11 */
	assert_int_equal(bpft_run(s->progs.test_pf_exit, &t, 1, NULL), 0);
	assert_int_equal(hist_in(HISTS(s), self(), me(), KVMSLB_TRAP_PAGE_FAULT,
				 KVMSLB_OUTCOME_NONE, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v.slots[12], 1);
	assert_int_equal(v.slots[11], 1);
	assert_int_equal(v.max_ns, 4096);
	assert_int_equal(stat_sum(s->maps.stats, KVMSLB_STAT_UNPAIRED_EXIT), 2);
	standin_bpf__destroy(s);
}

/* Two threads' faults in one slot of the starts array: both said, none mixed. */
struct pf_thread {
	struct standin_bpf *s;
	uint64_t t;
	int err;
};

static void *pf_enter_thread(void *arg)
{
	struct pf_thread *p = arg;

	p->err = bpft_run(p->s->progs.test_pf_enter, &p->t, 1, NULL);
	return NULL;
}

static void test_stock_page_fault_slot_shared(void **state)
{
	struct standin_bpf *s = standin_bpf__open();
	struct pf_thread other;
	struct bpf_program *p;
	pthread_t th;
	uint64_t t;

	(void)state;
	assert_non_null(s);
	bpf_object__for_each_program(p, s->obj)
		bpf_program__set_autoload(p, !strncmp(bpf_program__name(p), "test_", 5));
	s->rodata->starts_mask = 0;	/* one slot for every thread */
	assert_int_equal(standin_bpf__load(s), 0);
	t = 1000;
	assert_int_equal(bpft_run(s->progs.test_pf_enter, &t, 1, NULL), 0);
	other = (struct pf_thread){ .s = s, .t = 2000 };
	assert_int_equal(pthread_create(&th, NULL, pf_enter_thread, &other), 0);
	pthread_join(th, NULL);
	assert_int_equal(other.err, 0);
	/* the other thread's start took the slot: ours is lost, and said so */
	assert_int_equal(stat_sum(s->maps.stats, KVMSLB_STAT_START_OVERFLOW), 1);
	t = 5000;
	assert_int_equal(bpft_run(s->progs.test_pf_exit, &t, 1, NULL), 0);
	assert_int_equal(stat_sum(s->maps.stats, KVMSLB_STAT_UNPAIRED_EXIT), 1);
	assert_int_equal(nkeys(HISTS(s)), 0);
	standin_bpf__destroy(s);
}

/* The ring-buffer path of a real handler, on a tracepoint that fires here. */
static void test_standin_ringbuf(void **state)
{
	struct standin_bpf *s = standin_bpf__open();
	struct bpf_program *p;
	struct ring_buffer *rb;
	struct rb_ctx r = { 0 };
	uint64_t n;

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
	n = count_in(COUNTS(s), self(), me(), KVMSLB_CNT_SEGMENT, 0x380, KVMSLB_SEG_INJECTED);
	assert_int_equal(n, 25);
	assert_int_equal(stat_sum(s->maps.stats, KVMSLB_STAT_RB_LOST), 0);
	ring_buffer__free(rb);
	standin_bpf__destroy(s);
}

/* ---- the CO-RE object (kvmslb_btf.bpf.c) ------------------------------------ */
static const char *test_btf(void)
{
	return KVMSLB_BPFT_DIR "/power_kvm.btf.o";
}

/* Fake objects in map memory: a struct kvm_vcpu at 0, its run_task at 1024. */
struct fake {
	struct standin_bpf *s;
	uint64_t addr;
	unsigned char mem[2048];
};

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->s = standin_bpf__open();
	assert_non_null(f->s);
	assert_int_equal(standin_bpf__load(f->s), 0);
	assert_int_equal(bpft_run(f->s->progs.test_fake_addr, &f->addr, 1, NULL), 0);
	f->addr = f->s->bss->fake_addr;
	assert_true(f->addr != 0);
}

static void fake_vcpu(struct fake *f, int vm, int vcpu_id, int trap)
{
	struct kvm_vcpu *v = (struct kvm_vcpu *)f->mem;
	struct task_struct *task = (struct task_struct *)(f->mem + 1024);
	uint32_t k = 0;

	_Static_assert(sizeof(struct kvm_vcpu) <= 1024 && sizeof(struct task_struct) <= 1024,
		       "fake objects fit");
	memset(f->mem, 0x5a, sizeof(f->mem));
	v->arch.run_task = (struct task_struct *)(uintptr_t)(f->addr + 1024);
	v->vcpu_id = vcpu_id;
	v->arch.trap = trap;
	task->tgid = vm;
	assert_int_equal(bpf_map_update_elem(bpf_map__fd(f->s->maps.fake), &k, f->mem, 0), 0);
}

static struct kvmslb_btf_bpf *btf_load(const char *btf, int *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = btf);
	struct kvmslb_btf_bpf *s = kvmslb_btf_bpf__open_opts(&oo);

	assert_non_null(s);
	*err = kvmslb_btf_bpf__load(s);
	if (*err) {
		kvmslb_btf_bpf__destroy(s);
		return NULL;
	}
	return s;
}

static void test_btf_check(void **state)
{
	char why[256];

	(void)state;
	assert_true(btf_describes_kvm("", test_btf(), why, sizeof(why)));
	assert_non_null(strstr(why, "describes struct kvm_vcpu"));
	/* this x86 kernel's BTF has a struct kvm_vcpu, but no arch.trap */
	assert_false(btf_describes_kvm("", NULL, why, sizeof(why)));
	if (access("/sys/kernel/btf/vmlinux", F_OK) == 0)
		assert_non_null(strstr(why, "lacks kvm_vcpu.arch.trap"));
	else
		assert_non_null(strstr(why, "no kernel BTF"));
	assert_false(btf_describes_kvm("", "/nonexistent.btf", why, sizeof(why)));
	assert_non_null(strstr(why, "not a BTF file"));
}

static void test_btf_object_needs_btf(void **state)
{
	struct kvmslb_btf_bpf *s;
	int err;

	(void)state;
	/* against this kernel's own BTF (or none), the relocation of arch.trap fails */
	s = btf_load(NULL, &err);
	assert_null(s);
	assert_true(err < 0);
	s = btf_load(test_btf(), &err);
	assert_non_null(s);
	kvmslb_btf_bpf__destroy(s);
}

/*
 * The CO-RE programs on fake vcpus: the offsets come from the BTF file,
 * and the exit is charged to the VM of the vcpu, not to us (VM B).
 */
static void test_btf_guest_exit_reads_the_vcpu(void **state)
{
	struct kvmslb_btf_bpf *s;
	struct fake f;
	uint64_t ctx;
	int err;

	(void)state;
	fake_init(&f);
	s = btf_load(test_btf(), &err);
	assert_non_null(s);
	ctx = f.addr;
	fake_vcpu(&f, VM_A, 7, 0xe00);
	assert_int_equal(bpft_run_n(s->progs.kvmslb_guest_exit_btf, &ctx, 1, 3), 0);
	fake_vcpu(&f, VM_A, 7, 0x480);
	assert_int_equal(bpft_run(s->progs.kvmslb_guest_exit_btf, &ctx, 1, NULL), 0);
	fake_vcpu(&f, VM_A + 1, 0, 0x980);	/* not on the fault path */
	assert_int_equal(bpft_run(s->progs.kvmslb_guest_exit_btf, &ctx, 1, NULL), 0);
	assert_int_equal(count_in(COUNTS(s), VM_A, vcpu_unit(7), KVMSLB_CNT_EXIT, 0xe00, 0),
			 3);
	assert_int_equal(count_in(COUNTS(s), VM_A, vcpu_unit(7), KVMSLB_CNT_EXIT, 0x480, 0),
			 1);
	assert_int_equal(nkeys(COUNTS(s)), 2);

	/* page faults: paired in this thread, charged to the vcpu's VM */
	fake_vcpu(&f, VM_A, 1, 0xe00);
	assert_int_equal(bpft_run(s->progs.kvmslb_pf_enter_btf, &ctx, 1, NULL), 0);
	assert_true(start_of(s->maps.starts) > 0);
	assert_int_equal(bpft_run(s->progs.kvmslb_pf_exit_btf, &ctx, 1, NULL), 0);
	assert_int_equal(start_of(s->maps.starts), 0);
	{
		struct kvmslb_hist_val v;
		uint64_t n;

		assert_int_equal(hist_in(HISTS(s), VM_A, vcpu_unit(1), KVMSLB_TRAP_PAGE_FAULT,
					 KVMSLB_OUTCOME_NONE, &v, &n), 0);
		assert_int_equal(n, 1);
	}
	kvmslb_btf_bpf__destroy(s);
	standin_bpf__destroy(f.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_all),
		cmocka_unit_test(test_v2_charged_to_the_vm_it_names),
		cmocka_unit_test(test_v2_guest_filter),
		cmocka_unit_test(test_v2_cumulative_counts),
		cmocka_unit_test(test_v2_exact_through_drops),
		cmocka_unit_test(test_v2_vcpu_map_full),
		cmocka_unit_test(test_v2_hfault_drops),
		cmocka_unit_test(test_hist_bucket_edges),
		cmocka_unit_test(test_v1_segment_counts),
		cmocka_unit_test(test_map_full_overflow),
		cmocka_unit_test(test_cache_slot_taken),
		cmocka_unit_test(test_in_place_mappings_grow),
		cmocka_unit_test(test_read_while_counting),
		cmocka_unit_test(test_vcpu_paths_merged),
		cmocka_unit_test(test_map_sizes),
		cmocka_unit_test(test_ringbuf_lost),
		cmocka_unit_test(test_v1_guest_filter_per_vcpu),
		cmocka_unit_test(test_tp_offsets_attached),
		cmocka_unit_test(test_stock_guest_exit_traps),
		cmocka_unit_test(test_stock_btf_charged_to_the_vcpus_vm),
		cmocka_unit_test(test_stock_page_fault_pairing),
		cmocka_unit_test(test_stock_page_fault_slot_shared),
		cmocka_unit_test(test_standin_ringbuf),
		cmocka_unit_test(test_btf_check),
		cmocka_unit_test(test_btf_object_needs_btf),
		cmocka_unit_test(test_btf_guest_exit_reads_the_vcpu),
	};

	bpft_quiet_libbpf();
	/* one CPU: each key's cache slot is that CPU's (test runs run where we are) */
	{
		cpu_set_t one;

		CPU_ZERO(&one);
		CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
		sched_setaffinity(0, sizeof(one), &one);
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
