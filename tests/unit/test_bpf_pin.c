// SPDX-License-Identifier: GPL-2.0
/*
 * Maps pinned across runs (core/bpf_pin.c) with the real BPF object of
 * bpf/kvmslb.bpf.c, loaded but not attached, on a bpf filesystem mounted
 * in a private mount namespace: a second run finds the first run's counts;
 * another definition replaces the set (and says why); a set in use is
 * refused; --cleanup removes everything. Needs root (skipped otherwise).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpf_pin.h"
#include "kvmslb/maps.h"
#include "kvmslb.skel.h"

static char root[] = "/tmp/kvmslb-bpffs-XXXXXX";
static char dir[64];

/* One run: open, size, pin, load (no attach). NULL on error, with err. */
static struct kvmslb_bpf *run(uint32_t counts_max, struct bpf_pin_result *r, char *err,
			      size_t errlen)
{
	struct kvmslb_bpf *skel = kvmslb_bpf__open();
	struct bpf_program *prog;

	if (!skel)
		return NULL;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_map__set_max_entries(skel->maps.counts, counts_max);
	if (bpf_pin_prepare(skel->obj, dir, "patched", r, err, errlen) ||
	    kvmslb_bpf__load(skel)) {
		kvmslb_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The maps a run keeps: all but ring buffers and the object's data sections. */
static int kept_maps(void)
{
	struct kvmslb_bpf *skel = kvmslb_bpf__open();
	struct bpf_map *m;
	int n = 0;

	bpf_object__for_each_map(m, skel->obj)
		n += !bpf_map__is_internal(m) && bpf_map__type(m) != BPF_MAP_TYPE_RINGBUF;
	kvmslb_bpf__destroy(skel);
	return n;
}

static int check(void)
{
	/* a count in the health map (its layout is the steadiest) */
	uint32_t key = KVMSLB_STAT_RB_SENT;
	int ncpus = libbpf_num_possible_cpus(), nmaps = kept_maps();
	uint64_t *v = calloc(ncpus, sizeof(*v));
	struct bpf_pin_result r, r2;
	struct kvmslb_bpf *a, *b;
	char err[512];
	int n;

	/* first run: everything new; count 7 */
	a = run(8192, &r, err, sizeof(err));
	if (nmaps < 4 || !a || r.created != nmaps || r.reused || r.replaced)
		return 1;
	v[0] = 7;
	if (bpf_map_update_elem(bpf_map__fd(a->maps.stats), &key, v, BPF_ANY))
		return 2;
	/* a second run on the same set while the first holds it: refused */
	if (run(8192, &r2, err, sizeof(err)) || !strstr(err, "another kvmslb counts in them now"))
		return 3;
	kvmslb_bpf__destroy(a);
	close(r.lock_fd);
	/* the next run: the same maps, the count still there */
	b = run(8192, &r, err, sizeof(err));
	if (!b || r.reused != nmaps || r.created || r.replaced)
		return 4;
	memset(v, 0, ncpus * sizeof(*v));
	if (bpf_map_lookup_elem(bpf_map__fd(b->maps.stats), &key, v) || v[0] != 7)
		return 5;
	kvmslb_bpf__destroy(b);
	close(r.lock_fd);
	/* sized differently: the set is replaced, counts from zero, and why */
	b = run(16384, &r, err, sizeof(err));
	if (!b || r.replaced != nmaps || r.created != nmaps ||
	    !strstr(r.why, "counts holds 8192 keys, 16384 now"))
		return 6;
	memset(v, 0, ncpus * sizeof(*v));
	if (bpf_map_lookup_elem(bpf_map__fd(b->maps.stats), &key, v) || v[0] != 0)
		return 7;
	kvmslb_bpf__destroy(b);
	close(r.lock_fd);
	/* a set missing a map (the allocator of its slots): replaced whole */
	{
		char path[600];

		snprintf(path, sizeof(path), "%s/patched/slot_alloc", dir);
		if (unlink(path))
			return 10;
	}
	b = run(16384, &r, err, sizeof(err));
	if (!b || r.replaced != nmaps - 1 || r.created != nmaps ||
	    !strstr(r.why, "map slot_alloc is missing from the set"))
		return 11;
	kvmslb_bpf__destroy(b);
	close(r.lock_fd);
	/* --cleanup */
	n = bpf_pin_cleanup(dir, err, sizeof(err));
	if (n != nmaps || !access(dir, F_OK))
		return 8;
	if (bpf_pin_cleanup(dir, err, sizeof(err)) != 0)
		return 9;
	free(v);
	return 0;
}

static int in_namespace(void)
{
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return 100;
	if (mount("bpf", root, "bpf", 0, NULL))
		return 101;
	snprintf(dir, sizeof(dir), "%s/kvmslb", root);
	if (!bpf_pin_supported(dir) || bpf_pin_supported("/tmp"))
		return 102;
	libbpf_set_print(NULL);
	return check();
}

static void test_pin_across_runs(void **state)
{
	pid_t p;
	int st;

	(void)state;
	if (geteuid())
		skip();
	assert_non_null(mkdtemp(root));
	p = fork();
	if (!p)
		_exit(in_namespace());
	assert_int_equal(waitpid(p, &st, 0), p);
	rmdir(root);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pin_across_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
