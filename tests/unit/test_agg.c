// SPDX-License-Identifier: GPL-2.0
/* Aggregation (events, histograms, interval differences) and the guest tracker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "core/agg.h"
#include "core/tracker.h"

static void test_events(void **state)
{
	const struct agg_guest *g;
	struct log2_hist h;
	struct agg a;

	(void)state;
	agg_init(&a);
	/* as a perf.data reader would feed it, one event at a time */
	assert_int_equal(agg_segment(&a, 20, 0, 0x380, false, 1), 0);
	assert_int_equal(agg_segment(&a, 20, 0, 0x480, true, 2), 0);
	assert_int_equal(agg_segment(&a, 20, 0, 0x300, false, 9), 0);	/* not a segment vector */
	assert_int_equal(agg_fault(&a, 20, 0, 0xe00, KVMSLB_OUTCOME_SEGMENT, 700, true, 0), 0);
	assert_int_equal(agg_fault(&a, 20, 0, 0xe00, KVMSLB_OUTCOME_RETRY, 3000, false, 4), 0);
	assert_int_equal(agg_fault(&a, 20, 0, 0xe20, KVMSLB_OUTCOME_RETRY, 90, false, 0), 0);
	assert_int_equal(agg_exit(&a, 10, 0, 0xe00, 5), 0);
	assert_int_equal(agg_exit(&a, 10, 0, 0x380, 2), 0);
	assert_int_equal(agg_exit(&a, 10, 0, 0x980, 100), 0);	/* ignored */
	assert_int_equal(a.nguests, 2);
	assert_int_equal(a.guests[0].tgid, 10);	/* sorted */
	g = agg_find(&a, 20);
	assert_int_equal(g->total.c.dsegi, 1);
	assert_int_equal(g->total.c.isegi, 2);
	assert_int_equal(g->total.c.seg_injected, 2);
	assert_int_equal(g->total.c.hdsi, 2);
	assert_int_equal(g->total.c.hisi, 1);
	assert_int_equal(g->total.c.dropped, 4);
	assert_int_equal(g->total.c.fault_injected, 1);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_RETRY], 2);
	assert_int_equal(g->total.npaths, 3);
	/* sorted by (trap, outcome) */
	assert_int_equal(g->total.paths[0].trap, 0xe00);
	assert_int_equal(g->total.paths[0].outcome, KVMSLB_OUTCOME_RETRY);
	agg_unit_hist(&g->total, &h);
	assert_int_equal(h.count, 3);
	assert_int_equal(h.max_ns, 3000);
	g = agg_find(&a, 10);
	assert_int_equal(g->total.c.hdsi, 5);
	assert_int_equal(g->total.c.dseg_exits, 2);
	assert_int_equal(g->total.npaths, 0);
	assert_null(agg_find(&a, 30));
	agg_free(&a);
}

/* vcpu 0 by id is a unit of its own, apart from the whole guest and from threads. */
static void test_vcpu_id_units(void **state)
{
	const struct agg_guest *g;
	struct agg a;

	(void)state;
	agg_init(&a);
	assert_int_equal(agg_segment(&a, 20, AGG_VCPU_ID(0), 0x380, false, 3), 0);
	assert_int_equal(agg_segment(&a, 20, AGG_VCPU_ID(1), 0x480, false, 4), 0);
	assert_int_equal(agg_segment(&a, 20, 0, 0x380, false, 1), 0);
	g = agg_find(&a, 20);
	assert_int_equal(g->total.c.dsegi, 4);
	assert_int_equal(g->total.c.isegi, 4);
	assert_int_equal(g->nvcpus, 2);
	assert_true(agg_unit_is_vcpu_id(g->vcpus[0].tid));
	assert_int_equal(agg_unit_vcpu_id(g->vcpus[0].tid), 0);
	assert_int_equal(g->vcpus[0].c.dsegi, 3);
	assert_int_equal(agg_unit_vcpu_id(g->vcpus[1].tid), 1);
	assert_int_equal(g->vcpus[1].c.isegi, 4);
	assert_false(agg_unit_is_vcpu_id(1234));
	agg_free(&a);
}

/*
 * A pid reused by a new VMM process: the earlier process's counts are
 * subtracted, and its vcpus the new one never ran are gone, not zero rows.
 */
static void test_sub_drops_the_earlier_vcpus(void **state)
{
	struct agg cur, base;
	struct agg_guest *g;

	(void)state;
	agg_init(&cur);
	agg_init(&base);
	/* the earlier guest: 2 vcpus */
	assert_int_equal(agg_segment(&base, 30, AGG_VCPU_ID(0), 0x380, false, 5), 0);
	assert_int_equal(agg_segment(&base, 30, AGG_VCPU_ID(1), 0x480, false, 7), 0);
	/* the maps now: the same counts plus 6 on vcpu 0 of the new guest */
	assert_int_equal(agg_segment(&cur, 30, AGG_VCPU_ID(0), 0x380, false, 11), 0);
	assert_int_equal(agg_segment(&cur, 30, AGG_VCPU_ID(1), 0x480, false, 7), 0);
	g = &cur.guests[0];
	agg_guest_sub(g, agg_find(&base, 30));
	assert_int_equal(g->total.c.dsegi, 6);
	assert_int_equal(g->total.c.isegi, 0);
	assert_int_equal(g->nvcpus, 1);
	assert_int_equal(agg_unit_vcpu_id(g->vcpus[0].tid), 0);
	assert_int_equal(g->vcpus[0].c.dsegi, 6);
	agg_free(&cur);
	agg_free(&base);
}

static void test_per_vcpu_and_diff(void **state)
{
	struct agg prev, cur, d;
	const struct agg_guest *g;

	(void)state;
	agg_init(&prev);
	agg_init(&cur);
	agg_init(&d);
	agg_fault(&prev, 5, 51, 0xe00, KVMSLB_OUTCOME_RETRY, 100, false, 0);
	prev.health.events = 1;
	/* cumulative: cur holds prev and more */
	agg_fault(&cur, 5, 51, 0xe00, KVMSLB_OUTCOME_RETRY, 100, false, 0);
	agg_fault(&cur, 5, 51, 0xe00, KVMSLB_OUTCOME_RETRY, 5000, false, 0);
	agg_fault(&cur, 5, 52, 0xe20, KVMSLB_OUTCOME_MMIO, 100, false, 2);
	agg_segment(&cur, 6, 61, 0x380, false, 3);
	cur.health.events = 4;
	cur.health.rb_lost = 2;
	g = agg_find(&cur, 5);
	assert_int_equal(g->nvcpus, 2);
	assert_int_equal(g->vcpus[0].tid, 51);
	assert_int_equal(g->vcpus[0].c.hdsi, 2);
	assert_int_equal(g->vcpus[1].c.hisi, 1);
	assert_int_equal(g->total.c.hdsi + g->total.c.hisi, 3);

	assert_int_equal(agg_diff(&d, &cur, &prev), 0);
	g = agg_find(&d, 5);
	assert_int_equal(g->total.c.hdsi, 1);
	assert_int_equal(g->total.c.hisi, 1);
	assert_int_equal(g->total.c.dropped, 2);
	assert_int_equal(g->vcpus[0].c.hdsi, 1);
	assert_int_equal(g->total.paths[0].hist.count, 1);
	assert_int_equal(g->total.paths[0].hist.slots[12], 1);
	assert_int_equal(agg_find(&d, 6)->total.c.dsegi, 3);
	assert_int_equal(d.health.events, 3);
	assert_int_equal(d.health.rb_lost, 2);
	agg_remove(&d, 5);
	assert_null(agg_find(&d, 5));
	assert_int_equal(d.nguests, 1);
	agg_free(&prev);
	agg_free(&cur);
	agg_free(&d);
}

/* Two units hold the same counters and paths (trap, outcome, histogram). */
static void assert_unit_equal(const struct agg_unit *x, const struct agg_unit *y)
{
	assert_int_equal(x->tid, y->tid);
	assert_memory_equal(&x->c, &y->c, sizeof(x->c));
	assert_int_equal(x->npaths, y->npaths);
	for (int i = 0; i < x->npaths; i++) {
		assert_int_equal(x->paths[i].trap, y->paths[i].trap);
		assert_int_equal(x->paths[i].outcome, y->paths[i].outcome);
		assert_memory_equal(&x->paths[i].hist, &y->paths[i].hist, sizeof(x->paths[i].hist));
	}
}

/*
 * agg_diff copies each guest whole: the same as merging it path by path and
 * subtracting (idle vcpus of the earlier snapshot dropped), and the copy
 * takes more vcpus and paths afterwards (the arrays' room as agg.c keeps it).
 */
static void test_diff_equals_merge_and_sub(void **state)
{
	struct agg prev, cur, d, ref;

	(void)state;
	agg_init(&prev);
	agg_init(&cur);
	agg_init(&d);
	agg_init(&ref);
	for (uint32_t g = 1; g <= 20; g++) {
		for (uint32_t v = 0; v < g % 11; v++) {
			for (uint32_t k = 0; k <= (g + v) % 5; k++) {
				uint64_t lat = 50u << ((g * 7 + v * 3 + k) % 14);
				unsigned int trap = k & 1 ? 0xe20 : 0xe00, outcome = (g + k) % 5;

				agg_fault(&cur, g, AGG_VCPU_ID(v), trap, outcome, lat, k == 2, k);
				/* prev: the same, earlier, for every other vcpu and guest */
				if ((g + v) % 2 && g % 3)
					agg_fault(&prev, g, AGG_VCPU_ID(v), trap, outcome, lat, k == 2, k);
			}
			agg_segment(&cur, g, AGG_VCPU_ID(v), v % 2 ? 0x480 : 0x380, false, g + v);
			if (g % 4 == 1)		/* idle since prev: dropped from the diff */
				agg_segment(&prev, g, AGG_VCPU_ID(v), v % 2 ? 0x480 : 0x380, false,
					    g + v);
		}
	}
	assert_int_equal(agg_diff(&d, &cur, &prev), 0);
	for (int i = 0; i < cur.nguests; i++) {
		const struct agg_guest *base = agg_find(&prev, cur.guests[i].tgid);

		assert_int_equal(agg_guest_merge(&ref, &cur.guests[i]), 0);
		if (base)
			agg_guest_sub(agg_find(&ref, cur.guests[i].tgid), base);
	}
	assert_int_equal(d.nguests, ref.nguests);
	for (int i = 0; i < d.nguests; i++) {
		const struct agg_guest *x = &d.guests[i], *y = &ref.guests[i];

		assert_int_equal(x->tgid, y->tgid);
		assert_int_equal(x->nvcpus, y->nvcpus);
		assert_unit_equal(&x->total, &y->total);
		for (int v = 0; v < x->nvcpus; v++)
			assert_unit_equal(&x->vcpus[v], &y->vcpus[v]);
	}
	/* guest 5 had 5 vcpus, 3 of them idle since prev: 2 left; 9 more and new paths fit */
	assert_int_equal(agg_find(&d, 5)->nvcpus, 2);
	assert_int_equal(agg_find(&d, 10)->nvcpus, 10);
	for (uint32_t v = 20; v < 29; v++)
		assert_int_equal(agg_fault(&d, 5, AGG_VCPU_ID(v), 0xe00, KVMSLB_OUTCOME_MMIO, 100,
					   false, 0), 0);
	assert_int_equal(agg_fault(&d, 5, AGG_VCPU_ID(1), 0xe20, KVMSLB_OUTCOME_HOST, 100,
				   false, 0), 0);
	assert_int_equal(agg_find(&d, 5)->nvcpus, 11);
	assert_int_equal(agg_find(&d, 5)->vcpus[10].tid, AGG_VCPU_ID(28));
	agg_free(&prev);
	agg_free(&cur);
	agg_free(&d);
	agg_free(&ref);
}

/* A fake /proc under root for one pid. */
static void fake_proc(const char *root, int pid, const char *cmdline, size_t len,
		      unsigned long long starttime)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%d", root, pid);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/proc/%d/stat", root, pid);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%d (qemu) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 %llu 0 0\n", pid, starttime);
	fclose(f);
	snprintf(path, sizeof(path), "%s/proc/%d/cmdline", root, pid);
	f = fopen(path, "w");
	fwrite(cmdline, 1, len, f);
	fclose(f);
}

static void gone(const char *root, int pid)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/%d'", root, pid);
	assert_int_equal(system(cmd), 0);
}

static void test_tracker_exit_and_reuse(void **state)
{
	char root[] = "/tmp/kvmslb-tracker-XXXXXX";
	static const char web1[] = "qemu\0-name\0guest=web1,debug-threads=on\0";
	static const char web2[] = "qemu\0-name\0web2\0";
	struct agg raw, view, prev;
	const struct guest_ident *id;
	struct tracker t;

	(void)state;
	assert_non_null(mkdtemp(root));
	fake_proc(root, 100, web1, sizeof(web1), 5000);
	tracker_init(&t, root);
	agg_init(&raw);
	agg_init(&view);
	agg_init(&prev);

	/* poll 1: web1 has 3 HDSI */
	agg_exit(&raw, 100, 0, 0xe00, 3);
	assert_int_equal(tracker_update(&t, &raw, &view), 0);
	id = tracker_ident(&t, 100);
	assert_string_equal(id->name, "web1");
	assert_int_equal(id->from, NAME_QEMU_GUEST);
	assert_true(id->alive);
	assert_int_equal(agg_find(&view, 100)->total.c.hdsi, 3);
	/* the tracker reads this view in the next update: keep it until then */
	agg_free(&prev);
	prev = view;
	agg_init(&view);

	/* poll 2: web1 exited; its counts stay (the tracker took raw: a new, cumulative one) */
	gone(root, 100);
	agg_exit(&raw, 100, 0, 0xe00, 3);
	assert_int_equal(tracker_update(&t, &raw, &view), 0);
	id = tracker_ident(&t, 100);
	assert_false(id->alive);
	assert_string_equal(id->name, "web1");
	assert_int_equal(agg_find(&view, 100)->total.c.hdsi, 3);
	/* the tracker reads this view in the next update: keep it until then */
	agg_free(&prev);
	prev = view;
	agg_init(&view);

	/* poll 3: pid 100 is now web2 (another starttime), which added 2 */
	fake_proc(root, 100, web2, sizeof(web2), 9000);
	agg_exit(&raw, 100, 0, 0xe00, 3 + 2);
	assert_int_equal(tracker_update(&t, &raw, &view), 0);
	id = tracker_ident(&t, 100);
	assert_string_equal(id->name, "web2");
	assert_int_equal(id->from, NAME_QEMU);
	assert_true(id->alive);
	assert_int_equal(agg_find(&view, 100)->total.c.hdsi, 2);
	assert_int_equal(t.nretired, 1);
	assert_string_equal(t.retired[0].id.name, "web1");
	assert_false(t.retired[0].id.alive);
	assert_int_equal(t.retired[0].data.guests[0].total.c.hdsi, 3);
	/* the tracker reads this view in the next update: keep it until then */
	agg_free(&prev);
	prev = view;
	agg_init(&view);

	/* poll 4: a source that stops reporting a guest (debugfs dir gone) keeps it */
	assert_int_equal(tracker_update(&t, &raw, &view), 0);
	assert_non_null(agg_find(&view, 100));
	assert_int_equal(agg_find(&view, 100)->total.c.hdsi, 2);
	/* the tracker reads this view in the next update: keep it until then */
	agg_free(&prev);
	prev = view;
	agg_init(&view);

	agg_free(&prev);
	tracker_free(&t);
	{
		char cmd[256];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		assert_int_equal(system(cmd), 0);
	}
}

/* A vcpu's histogram kept on its guest only (export): exact counters everywhere. */
static void test_fault_hist_guest(void **state)
{
	struct log2_hist h = { .count = 5, .sum_ns = 900, .max_ns = 400, .max_exact = true };
	const struct agg_guest *g;
	struct agg a;

	(void)state;
	h.slots[7] = 3;
	h.slots[8] = 2;
	agg_init(&a);
	for (uint32_t v = 0; v < 2; v++) {
		assert_int_equal(agg_fault_hist_guest(&a, 30, AGG_VCPU_ID(v), 0xe20,
						      KVMSLB_OUTCOME_SEGMENT, &h, 1, 2), 0);
		assert_int_equal(agg_fault_hist_guest(&a, 30, AGG_VCPU_ID(v), 0xe00,
						      KVMSLB_OUTCOME_RETRY, &h, 0, 0), 0);
	}
	/* no vcpu: the guest alone, as agg_fault_hist */
	assert_int_equal(agg_fault_hist_guest(&a, 40, 0, 0xe00, KVMSLB_OUTCOME_HOST, &h, 0, 0), 0);
	g = agg_find(&a, 30);
	assert_int_equal(g->total.c.hisi, 10);
	assert_int_equal(g->total.c.hdsi, 10);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_SEGMENT], 10);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_RETRY], 10);
	assert_int_equal(g->total.c.fault_injected, 2);
	assert_int_equal(g->total.c.dropped, 4);
	assert_int_equal(g->total.npaths, 2);
	assert_int_equal(g->total.paths[0].trap, 0xe00);	/* sorted by (trap, outcome) */
	assert_int_equal(g->total.paths[1].hist.count, 10);
	assert_int_equal(g->total.paths[1].hist.slots[7], 6);
	assert_int_equal(g->total.paths[1].hist.sum_ns, 1800);
	assert_int_equal(g->total.paths[1].hist.max_ns, 400);
	assert_int_equal(g->nvcpus, 2);
	for (int v = 0; v < 2; v++) {
		assert_int_equal(g->vcpus[v].tid, AGG_VCPU_ID(v));
		assert_int_equal(g->vcpus[v].c.hisi, 5);
		assert_int_equal(g->vcpus[v].c.hdsi, 5);
		assert_int_equal(g->vcpus[v].c.outcome[KVMSLB_OUTCOME_SEGMENT], 5);
		assert_int_equal(g->vcpus[v].c.fault_injected, 1);
		assert_int_equal(g->vcpus[v].c.dropped, 2);
		assert_int_equal(g->vcpus[v].npaths, 0);
	}
	g = agg_find(&a, 40);
	assert_int_equal(g->nvcpus, 0);
	assert_int_equal(g->total.c.outcome[KVMSLB_OUTCOME_HOST], 5);
	assert_int_equal(g->total.paths[0].hist.count, 5);
	agg_free(&a);
}

/*
 * Guests in hash order (as a map walk brings them): each insert moves the
 * guests after it, whose index positions are found again when looked up.
 */
static void test_guests_out_of_order(void **state)
{
	struct agg a;

	(void)state;
	agg_init(&a);
	/* 1000 tgids in a scattered order (7919 is prime: a permutation of 0..999) */
	for (uint32_t i = 0; i < 1000; i++)
		assert_int_equal(agg_exit(&a, 1 + (i * 7919) % 1000, 0, 0xe00, i + 1), 0);
	assert_int_equal(a.nguests, 1000);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(a.guests[i].tgid, i + 1);
	/* every guest found where it is now, again and again */
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t tgid = 1 + (i * 7919) % 1000;

		assert_ptr_equal(agg_find(&a, tgid), &a.guests[tgid - 1]);
		assert_int_equal(agg_find(&a, tgid)->total.c.hdsi, i + 1);
		assert_int_equal(agg_exit(&a, tgid, 0, 0xe00, 1), 0);
		assert_int_equal(a.guests[tgid - 1].total.c.hdsi, i + 2);
	}
	assert_null(agg_find(&a, 1001));
	assert_null(agg_find(&a, 0));
	/* removed from the middle: the guests after it move back */
	agg_remove(&a, 500);
	agg_remove(&a, 1);
	assert_int_equal(a.nguests, 998);
	assert_null(agg_find(&a, 500));
	assert_int_equal(agg_find(&a, 501)->tgid, 501);
	assert_ptr_equal(agg_find(&a, 1000), &a.guests[997]);
	assert_ptr_equal(agg_find(&a, 2), &a.guests[0]);
	/* and inserted again: before everything */
	assert_int_equal(agg_exit(&a, 1, 0, 0xe20, 4), 0);
	assert_int_equal(a.guests[0].tgid, 1);
	assert_int_equal(a.guests[0].total.c.hisi, 4);
	assert_int_equal(a.guests[0].total.c.hdsi, 0);
	assert_ptr_equal(agg_find(&a, 999), &a.guests[997]);
	for (int i = 1; i < a.nguests; i++)
		assert_true(a.guests[i - 1].tgid < a.guests[i].tgid);
	agg_free(&a);

	/* in bulk: appended in arrival order, sorted at the end */
	agg_init(&a);
	agg_bulk_begin(&a);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(agg_exit(&a, 1 + (i * 37) % 100, 0, 0xe00, 1), 0);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(agg_exit(&a, 1 + i, 0, 0xe00, 1), 0);
	assert_int_equal(a.guests[0].tgid, 1);
	assert_int_equal(a.guests[1].tgid, 38);
	agg_bulk_end(&a);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(a.guests[i].tgid, i + 1);
		assert_int_equal(a.guests[i].total.c.hdsi, 2);
		assert_ptr_equal(agg_find(&a, i + 1), &a.guests[i]);
	}
	agg_free(&a);
}

/*
 * Paths taken in any order stay sorted by (trap, outcome) and each sample
 * lands in its own, whether path_at caches the pair (placed from the table
 * alone) or not (an unknown trap or outcome: placed by reading the paths).
 */
static void test_paths_any_order(void **state)
{
	static const struct { unsigned int trap, outcome; } pairs[] = {
		{ 0xe20, KVMSLB_OUTCOME_MMIO }, { 0xe00, KVMSLB_OUTCOME_NONE },
		{ 0, KVMSLB_OUTCOME_NONE }, { 0xe00, KVMSLB_OUTCOME_RETRY },
		{ 0xe20, KVMSLB_OUTCOME_RETRY }, { 0xe00, KVMSLB_OUTCOME_HOST },
		{ 0x300, KVMSLB_OUTCOME_RETRY }, { 0xe00, 7 }, { 0, KVMSLB_OUTCOME_SEGMENT },
		{ 0xe20, KVMSLB_OUTCOME_REFLECT },
	};
	static const int sorted[] = { 8, 2, 6, 3, 5, 7, 1, 4, 9, 0 };
	const int n = sizeof(pairs) / sizeof(pairs[0]);
	const struct agg_unit *u;
	struct agg a;

	(void)state;
	agg_init(&a);
	/* pair k: k + 1 samples of 2^k ns, on the guest and on vcpu 3 */
	for (int round = 0; round < 2; round++)
		for (int k = 0; k < n; k++)
			for (int s = 0; s < k + 1; s++)
				assert_int_equal(agg_fault(&a, 9, AGG_VCPU_ID(3), pairs[k].trap,
							   pairs[k].outcome, 1ull << k, false, 0), 0);
	for (int w = 0; w < 2; w++) {
		u = w ? &a.guests[0].vcpus[0] : &a.guests[0].total;
		assert_int_equal(u->npaths, n);
		for (int i = 0; i < n; i++) {
			int k = sorted[i];

			assert_int_equal(u->paths[i].trap, pairs[k].trap);
			assert_int_equal(u->paths[i].outcome, pairs[k].outcome);
			assert_int_equal(u->paths[i].hist.count, 2 * (k + 1));
			assert_int_equal(u->paths[i].hist.slots[k], 2 * (k + 1));
			assert_int_equal(u->paths[i].hist.max_ns, 1ull << k);
		}
		assert_int_equal(u->c.hdsi, 2 * (2 + 4 + 6 + 8));
		assert_int_equal(u->c.hisi, 2 * (1 + 5 + 10));
		assert_int_equal(u->c.outcome[KVMSLB_OUTCOME_RETRY], 2 * (4 + 5 + 7));
	}
	agg_free(&a);
}

/*
 * A histogram as the BPF maps hold it, merged in place: the same as
 * agg_fault_hist (AGG_VCPU_HIST_PATHS) or agg_fault_hist_guest (_NONE) of
 * its log2_hist; AGG_VCPU_HIST_MERGED as _PATHS but for the vcpu's path,
 * one for all (AGG_TRAP_ALL).
 */
static void test_fault_map_hist(void **state)
{
	__u64 slots[HIST_SLOTS] = { 0 };
	struct agg_map_hist m = { .slots = slots, .count = 7, .sum_ns = 5000, .max_ns = 2047,
				  .injected = 1, .dropped = 3 };
	struct log2_hist h = { .count = 7, .sum_ns = 5000, .max_ns = 2047, .max_exact = true };
	struct agg x, y;

	(void)state;
	slots[9] = h.slots[9] = 4;
	slots[10] = h.slots[10] = 3;
	for (int k = 0; k < 3; k++) {
		static const enum agg_vcpu_hist vh[3] = {
			AGG_VCPU_HIST_NONE, AGG_VCPU_HIST_PATHS, AGG_VCPU_HIST_MERGED,
		};
		enum agg_vcpu_hist vcpu_hist = vh[k];

		agg_init(&x);
		agg_init(&y);
		for (uint32_t v = 0; v < 3; v++) {
			assert_int_equal(agg_fault_map_hist(&x, 50, AGG_VCPU_ID(v), 0xe00,
							    KVMSLB_OUTCOME_SEGMENT, &m, vcpu_hist), 0);
			if (vcpu_hist != AGG_VCPU_HIST_NONE)
				assert_int_equal(agg_fault_hist(&y, 50, AGG_VCPU_ID(v), 0xe00,
								KVMSLB_OUTCOME_SEGMENT, &h, 1, 3), 0);
			else
				assert_int_equal(agg_fault_hist_guest(&y, 50, AGG_VCPU_ID(v), 0xe00,
								      KVMSLB_OUTCOME_SEGMENT, &h, 1, 3), 0);
		}
		for (int w = -1; w < 3; w++) {
			const struct agg_unit *a = w < 0 ? &x.guests[0].total : &x.guests[0].vcpus[w];
			const struct agg_unit *b = w < 0 ? &y.guests[0].total : &y.guests[0].vcpus[w];

			assert_memory_equal(&a->c, &b->c, sizeof(a->c));
			assert_int_equal(a->npaths, b->npaths);
			for (int i = 0; i < a->npaths; i++) {
				bool all = w >= 0 && vcpu_hist == AGG_VCPU_HIST_MERGED;

				assert_int_equal(a->paths[i].trap, all ? AGG_TRAP_ALL : 0xe00);
				assert_int_equal(a->paths[i].outcome, all ? KVMSLB_OUTCOME_NONE :
						 KVMSLB_OUTCOME_SEGMENT);
				assert_memory_equal(&a->paths[i].hist, &b->paths[i].hist,
						    sizeof(a->paths[i].hist));
			}
		}
		assert_int_equal(x.guests[0].total.c.hdsi, 21);
		assert_int_equal(x.guests[0].total.c.outcome[KVMSLB_OUTCOME_SEGMENT], 21);
		assert_int_equal(x.guests[0].total.c.fault_injected, 3);
		assert_int_equal(x.guests[0].total.c.dropped, 9);
		assert_int_equal(x.guests[0].total.paths[0].hist.slots[9], 12);
		assert_int_equal(x.guests[0].total.paths[0].hist.sum_ns, 15000);
		assert_true(x.guests[0].total.paths[0].hist.max_exact);
		assert_int_equal(x.guests[0].vcpus[2].c.hdsi, 7);
		assert_int_equal(x.guests[0].vcpus[2].npaths, vcpu_hist != AGG_VCPU_HIST_NONE);
		agg_free(&x);
		agg_free(&y);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_vcpu_id_units),
		cmocka_unit_test(test_sub_drops_the_earlier_vcpus),
		cmocka_unit_test(test_per_vcpu_and_diff),
		cmocka_unit_test(test_diff_equals_merge_and_sub),
		cmocka_unit_test(test_fault_hist_guest),
		cmocka_unit_test(test_guests_out_of_order),
		cmocka_unit_test(test_paths_any_order),
		cmocka_unit_test(test_fault_map_hist),
		cmocka_unit_test(test_tracker_exit_and_reuse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
