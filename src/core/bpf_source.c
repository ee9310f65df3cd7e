// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "core/bpf_source.h"
#include "core/tp_format.h"
#include "kvmslb.skel.h"
#include "kvmslb_btf.skel.h"

_Static_assert(KVMSLB_UNIT_VCPU_ID == AGG_VCPU_ID_FLAG, "maps.h and agg.h name vcpus alike");

struct bpf_source {
	struct kvmslb_bpf *skel;	/* one of the two objects */
	struct kvmslb_btf_bpf *skel_btf;
	struct bpf_object *obj;
	struct bpf_map *counts, *hists, *count_cache, *stats, *vcpu_seg;
	struct bpf_map *hist_vals, *slot_alloc;
	/* hist_vals and vcpu_seg mapped, kept from refresh to refresh */
	struct slot_map hist_map, vcpu_map;
	struct bpf_map *events, *new_keys;
	enum bpf_read_units units;
	struct ring_buffer *rb;
	struct bpf_source_info info;
	bpf_event_fn on_event;
	bpf_new_guest_fn on_new_guest;
	void *ctx;
	void *guest_ctx;
	struct bpf_pin_result pin;
	bool pinned;
};

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

static int libbpf_stderr(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	fprintf(stderr, "libbpf: ");
	return vfprintf(stderr, fmt, ap);
}

static int on_rb(void *ctx, void *data, size_t size)
{
	struct bpf_source *s = ctx;

	if (size >= sizeof(struct kvmslb_event))
		s->on_event(data, s->ctx);
	return 0;
}

static int on_new_key(void *ctx, void *data, size_t size)
{
	struct bpf_source *s = ctx;

	if (size >= sizeof(uint32_t) && s->on_new_guest)
		s->on_new_guest(*(uint32_t *)data, s->guest_ctx);
	return 0;
}

static uint32_t at_least_1(uint64_t n)
{
	return n ? (n > UINT32_MAX ? UINT32_MAX : (uint32_t)n) : 1;
}

void bpf_map_sizes(struct bpf_map_sizes *s, enum data_source src, bool one_guest,
		   int host_cpus)
{
	uint64_t guests = one_guest ? 8 : BPF_SIZING_GUESTS;
	uint64_t vcpus = guests * BPF_SIZING_VCPUS;
	bool patched = src == SOURCE_PATCHED;

	/* a host rarely runs more than 4 vcpus per hardware thread */
	if (host_cpus > 0 && (uint64_t)host_cpus * 4 > vcpus)
		vcpus = (uint64_t)host_cpus * 4;
	s->guests = (uint32_t)guests;
	s->vcpus = (uint32_t)vcpus;
	/* keys are per vcpu (one writer each); v1 segments: 2 vectors x injected
	 * or not; stock exits: 4 traps */
	s->counts = at_least_1(vcpus * 4);
	s->hists = at_least_1(vcpus * (patched ? 2 * KVMSLB_OUTCOME_NR : 1));
	/*
	 * In place, the paths vcpus take: a hash guest's vcpu takes 3 to 5 of
	 * its 10 (retry, reflect and segment mostly), so 4 a vcpu on average
	 * (16384 vcpus: 19 MB of kernel memory, allocated at load); keys past
	 * that are counted as exactly in hists, read by copy.
	 */
	s->hist_vals = at_least_1(patched ? vcpus * 4 : vcpus);
	if (s->hist_vals > s->hists)
		s->hist_vals = s->hists;
	s->vcpu_seg = at_least_1(patched ? vcpus : 0);
	/* a direct-mapped array: a power of two, at most half full */
	s->starts = 1;
	while (!patched && s->starts < 2 * vcpus)
		s->starts <<= 1;
}

/* The programs of the kvmslb object for one source. */
static int autoload_only(struct kvmslb_bpf *skel, const struct bpf_source_opts *o)
{
	struct bpf_program *prog, *want[3] = { NULL };

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	if (o->source == SOURCE_PATCHED && o->attribution == ATTR_EVENT) {
		want[0] = skel->progs.kvmslb_segment_synth;
		want[1] = skel->progs.kvmslb_hfault;
	} else if (o->source == SOURCE_PATCHED) {
		want[0] = skel->progs.kvmslb_segment_synth_v1;
		want[1] = skel->progs.kvmslb_hfault_v1;
	} else {
		want[0] = skel->progs.kvmslb_guest_exit;
		want[1] = skel->progs.kvmslb_pf_enter;
		want[2] = skel->progs.kvmslb_pf_exit;
	}
	for (int i = 0; i < 3 && want[i]; i++)
		bpf_program__set_autoload(want[i], true);
	return want[2] ? 3 : 2;
}

#define SET_RODATA(skel, o) do {					\
	(skel)->rodata->targ_tgid = (o)->tgid;				\
	(skel)->rodata->targ_ringbuf = (o)->on_event != NULL;		\
} while (0)

static int open_object(struct bpf_source *s, const struct bpf_source_opts *o, char *err,
		       size_t errlen)
{
	struct tp_field trap;
	int ret;

	if (o->source == SOURCE_STOCK && o->attribution == ATTR_BTF) {
		LIBBPF_OPTS(bpf_object_open_opts, oo, .btf_custom_path = o->btf);

		s->skel_btf = kvmslb_btf_bpf__open_opts(&oo);
		if (!s->skel_btf)
			goto fail;
		SET_RODATA(s->skel_btf, o);
		s->obj = s->skel_btf->obj;
		s->info.object = "kvmslb_btf";
		s->info.programs = 3;
		return 0;
	}
	s->skel = kvmslb_bpf__open();
	if (!s->skel)
		goto fail;
	SET_RODATA(s->skel, o);
	if (o->source == SOURCE_STOCK) {
		ret = tp_field_from_tracefs(o->tracefs, "kvm_hv", "kvm_guest_exit", "trap", &trap,
					    err, errlen);
		if (ret)
			return ret;
		s->skel->rodata->exit_trap_off = trap.offset;
		s->skel->rodata->exit_trap_size = trap.size;
	}
	s->obj = s->skel->obj;
	s->info.object = "kvmslb";
	s->info.programs = autoload_only(s->skel, o);
	return 0;
fail:
	ret = -errno;
	snprintf(err, errlen, "opening the BPF object failed: %s", strerror(-ret));
	return ret ? ret : -EINVAL;
}

static int size_maps(struct bpf_source *s, const struct bpf_source_opts *o)
{
	static const struct { const char *map; size_t off; } tab[] = {
		{ "counts", offsetof(struct bpf_map_sizes, counts) },
		{ "hists", offsetof(struct bpf_map_sizes, hists) },
		{ "hist_vals", offsetof(struct bpf_map_sizes, hist_vals) },
		{ "hist_idx", offsetof(struct bpf_map_sizes, hist_vals) },
		{ "vcpu_seg", offsetof(struct bpf_map_sizes, vcpu_seg) },
		{ "vcpu_idx", offsetof(struct bpf_map_sizes, vcpu_seg) },
		{ "starts", offsetof(struct bpf_map_sizes, starts) },
	};
	struct bpf_map_sizes *z = &s->info.sizes;
	int err = 0;

	bpf_map_sizes(z, o->source, o->tgid != 0, libbpf_num_possible_cpus());
	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]) && !err; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(s->obj, tab[i].map);

		if (m)
			err = bpf_map__set_max_entries(m, *(uint32_t *)((char *)z + tab[i].off));
	}
	/* the starts array is indexed by a hash masked with its size - 1 */
	if (s->skel)
		s->skel->rodata->starts_mask = z->starts - 1;
	else
		s->skel_btf->rodata->starts_mask = z->starts - 1;
	s->events = bpf_object__find_map_by_name(s->obj, "events");
	if (!err && !o->on_event)
		err = bpf_map__set_max_entries(s->events, 4096);
	return err;
}

int bpf_source_open(const struct bpf_source_opts *o, struct bpf_source **out, char *err,
		    size_t errlen)
{
	struct bpf_source *s = calloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->pin.lock_fd = -1;
	slot_map_init(&s->hist_map);
	slot_map_init(&s->vcpu_map);
	libbpf_set_print(o->verbose ? libbpf_stderr : libbpf_quiet);
	ret = open_object(s, o, err, errlen);
	if (ret)
		goto fail;
	ret = size_maps(s, o);
	if (ret) {
		snprintf(err, errlen, "sizing the BPF maps failed: %s", strerror(-ret));
		goto fail;
	}
	if (o->pin_dir) {
		char set[64];

		/* keys differ by object, source and guest filter: one set each */
		snprintf(set, sizeof(set), "%s%s", source_name(o->source),
			 s->skel_btf ? "-btf" : "");
		if (o->tgid)
			snprintf(set + strlen(set), sizeof(set) - strlen(set), "-pid%u", o->tgid);
		ret = bpf_pin_prepare(s->obj, o->pin_dir, set, &s->pin, err, errlen);
		if (ret)
			goto fail;
		s->pinned = true;
	}
	ret = s->skel ? kvmslb_bpf__load(s->skel) : kvmslb_btf_bpf__load(s->skel_btf);
	if (ret) {
		snprintf(err, errlen, "loading the BPF programs failed: %s (run with -v for "
			 "libbpf's log)", ret == -EACCES ?
			 "the kernel's verifier rejected a program" : strerror(-ret));
		goto fail;
	}
	ret = s->skel ? kvmslb_bpf__attach(s->skel) : kvmslb_btf_bpf__attach(s->skel_btf);
	if (ret) {
		snprintf(err, errlen, "attaching to the kvm_hv tracepoints failed: %s "
			 "(is kvm_hv loaded? see 'kvmslb doctor')", strerror(-ret));
		goto fail;
	}
	s->counts = bpf_object__find_map_by_name(s->obj, "counts");
	s->hists = bpf_object__find_map_by_name(s->obj, "hists");
	s->stats = bpf_object__find_map_by_name(s->obj, "stats");
	s->count_cache = bpf_object__find_map_by_name(s->obj, "count_cache");
	s->vcpu_seg = bpf_object__find_map_by_name(s->obj, "vcpu_seg");
	s->hist_vals = bpf_object__find_map_by_name(s->obj, "hist_vals");
	s->slot_alloc = bpf_object__find_map_by_name(s->obj, "slot_alloc");
	s->units = !o->per_vcpu ? BPF_READ_GUESTS :
		   o->vcpu_counts_only ? BPF_READ_VCPU_COUNTS :
		   o->vcpu_paths_merged ? BPF_READ_VCPU_LATENCY : BPF_READ_VCPUS;
	s->new_keys = bpf_object__find_map_by_name(s->obj, "new_keys");
	s->on_event = o->on_event;
	s->on_new_guest = o->on_new_guest;
	s->ctx = o->ctx;
	s->guest_ctx = o->guest_ctx ? o->guest_ctx : o->ctx;
	s->rb = ring_buffer__new(bpf_map__fd(s->new_keys), on_new_key, s, NULL);
	if (!s->rb || (o->on_event && ring_buffer__add(s->rb, bpf_map__fd(s->events),
						       on_rb, s))) {
		ret = -errno;
		snprintf(err, errlen, "ring buffer setup failed: %s", strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	bpf_source_close(s);
	return ret ? ret : -EINVAL;
}

const struct bpf_source_info *bpf_source_info(const struct bpf_source *s)
{
	return &s->info;
}

int bpf_source_wait(struct bpf_source *s, int timeout_ms)
{
	int n = ring_buffer__poll(s->rb, timeout_ms);

	return n < 0 ? n : 0;
}

void bpf_source_close(struct bpf_source *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	slot_map_free(&s->hist_map);
	slot_map_free(&s->vcpu_map);
	kvmslb_bpf__destroy(s->skel);
	kvmslb_btf_bpf__destroy(s->skel_btf);
	if (s->pin.lock_fd >= 0)
		close(s->pin.lock_fd);
	free(s);
}

const struct bpf_pin_result *bpf_source_pinned(const struct bpf_source *s)
{
	return s && s->pinned ? &s->pin : NULL;
}

int bpf_source_read(struct bpf_source *s, struct agg *a)
{
	struct bpf_map_fds fds = {
		.counts = bpf_map__fd(s->counts),
		.hists = bpf_map__fd(s->hists),
		.count_cache = bpf_map__fd(s->count_cache),
		.stats = bpf_map__fd(s->stats),
		.vcpu_seg = s->vcpu_seg ? bpf_map__fd(s->vcpu_seg) : -1,
		.hist_vals = bpf_map__fd(s->hist_vals),
		.slot_alloc = bpf_map__fd(s->slot_alloc),
		.hist_map = &s->hist_map,
		.vcpu_map = &s->vcpu_map,
	};

	return bpf_maps_read(&fds, s->units, a);
}

/* The unit a key's vcpu counts under: itself, or the guest (keys are per vcpu). */
static uint32_t unit_of(uint32_t key_unit, enum bpf_read_units units)
{
	return units != BPF_READ_GUESTS ? key_unit : 0;
}

static int count_one(struct agg *a, uint64_t key, uint64_t n, enum bpf_read_units units)
{
	uint32_t sub = kvmslb_key_sub(key), unit = unit_of(kvmslb_key_unit(key), units);

	a->health.events += n;
	if (sub >> 2 == KVMSLB_CNT_SEGMENT)
		return agg_segment(a, kvmslb_key_tgid(key), unit, kvmslb_key_code(key), sub & 3, n);
	if (sub >> 2 == KVMSLB_CNT_EXIT)
		return agg_exit(a, kvmslb_key_tgid(key), unit, kvmslb_key_code(key), n);
	return 0;
}

static const enum agg_vcpu_hist vcpu_hist_of[] = {
	[BPF_READ_GUESTS] = AGG_VCPU_HIST_NONE,		/* no vcpu unit anyway */
	[BPF_READ_VCPUS] = AGG_VCPU_HIST_PATHS,
	[BPF_READ_VCPU_COUNTS] = AGG_VCPU_HIST_NONE,
	[BPF_READ_VCPU_LATENCY] = AGG_VCPU_HIST_MERGED,
};

static int hist_one(struct agg *a, uint64_t key, const struct kvmslb_hist_val *v,
		    enum bpf_read_units units)
{
	uint32_t outcome = kvmslb_key_sub(key), tgid = kvmslb_key_tgid(key);
	uint32_t unit = unit_of(kvmslb_key_unit(key), units), trap = kvmslb_key_code(key);
	__u64 slots[HIST_SLOTS];
	struct agg_map_hist h = {
		.slots = slots, .sum_ns = v->sum_ns, .max_ns = v->max_ns,
		.injected = v->injected, .dropped = v->dropped,
	};

	/*
	 * hist_vals is read where it is while the BPF programs count into
	 * it: each slot read once, so the samples are the sum of the buckets
	 * shown, and the guest's and the vcpu's histograms get the same ones.
	 */
	for (int i = 0; i < HIST_SLOTS; i++) {
		slots[i] = __atomic_load_n(&v->slots[i], __ATOMIC_RELAXED);
		h.count += slots[i];
	}
	if (!h.count)
		return 0;
	a->health.events += h.count;
	if (outcome == 0x7f)
		outcome = KVMSLB_OUTCOME_NONE;
	return agg_fault_map_hist(a, tgid, unit, trap, outcome, &h, vcpu_hist_of[units]);
}

/*
 * Each entry of a hash map, by batches (one syscall per batch of entries:
 * a refresh over 1000 guests x 8 vcpus reads about 50 000 keys); kernels
 * without batch operations on hash maps (before 5.6) one key at a time.
 */
typedef int (*entry_fn)(struct agg *a, const void *key, const void *val,
			enum bpf_read_units units);

/* entries per batch: about 128 kB of keys and values, reused */
#define WALK_BATCH_BYTES (128 * 1024)

static int walk_keys(int fd, size_t ksz, size_t vsz, entry_fn fn, enum bpf_read_units units,
		     struct agg *a)
{
	char key[16], next[16], *val = malloc(vsz);
	void *prev = NULL;
	int err = val ? 0 : -ENOMEM;

	while (!err && bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, ksz);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		err = fn(a, key, val, units);
	}
	free(val);
	return err;
}

static int walk_map(int fd, size_t ksz, size_t vsz, entry_fn fn, enum bpf_read_units units,
		    struct agg *a)
{
	__u32 batch = WALK_BATCH_BYTES / (ksz + vsz);
	char *keys = malloc(batch * ksz), *vals = malloc(batch * vsz);
	uint64_t token = 0;
	bool first = true, done = false;
	int err = keys && vals ? 0 : -ENOMEM;

	while (!err && !done) {
		__u32 n = batch;
		int r = bpf_map_lookup_batch(fd, first ? NULL : &token, &token, keys, vals, &n,
					     NULL);

		if (r < 0 && errno == ENOENT) {
			done = true;		/* the last batch, maybe empty */
		} else if (r < 0) {
			/* no batch operations here, or a bucket larger than a batch */
			if (first) {
				free(keys);
				free(vals);
				return walk_keys(fd, ksz, vsz, fn, units, a);
			}
			return -errno;
		}
		for (__u32 i = 0; i < n && !err; i++)
			err = fn(a, keys + i * ksz, vals + i * vsz, units);
		first = false;
	}
	free(keys);
	free(vals);
	return err;
}

static int count_entry(struct agg *a, const void *key, const void *val,
		       enum bpf_read_units units)
{
	return count_one(a, *(const uint64_t *)key, *(const uint64_t *)val, units);
}

static int hist_entry(struct agg *a, const void *key, const void *val,
		      enum bpf_read_units units)
{
	return hist_one(a, *(const uint64_t *)key, val, units);
}

/*
 * The per-CPU count cache: every CPU's slots that a key holds (the
 * histogram cache holds slots of hist_vals, not values).
 */
static int read_count_cache(int count_fd, int ncpus, enum bpf_read_units units,
			    struct agg *a)
{
	struct kvmslb_count_slot *cs = calloc(ncpus, sizeof(*cs));
	int err = cs ? 0 : -ENOMEM;

	for (uint32_t i = 0; !err && i < KVMSLB_CACHE_SLOTS; i++)
		if (!bpf_map_lookup_elem(count_fd, &i, cs))
			for (int c = 0; !err && c < ncpus; c++)
				if (cs[c].key)
					err = count_one(a, cs[c].key, cs[c].n, units);
	free(cs);
	return err;
}

/*
 * An array of slots where it is (core/slot_map.h): the slots taken, *n on
 * return; *spilled: keys found every slot taken (hist_vals: they are in
 * hists). m NULL: mapped for this read only, into *once.
 */
static int slots_of(const struct bpf_map_fds *fds, int fd, enum kvmslb_alloc which,
		    size_t size, struct slot_map *m, struct slot_map *once, uint64_t *n,
		    const void **slots, bool *spilled)
{
	uint32_t k = which;
	uint64_t next;
	int err;

	slot_map_init(once);
	if (bpf_map_lookup_elem(fds->slot_alloc, &k, &next))
		return -errno;
	*n = next;
	err = slot_map_get(m ? m : once, fd, size, n, slots);
	*spilled = next > *n;
	return err;
}

/* hist_vals, where it is: every slot taken. */
static int read_hist_vals(const struct bpf_map_fds *fds, enum bpf_read_units units,
			  struct agg *a, bool *spilled)
{
	const struct kvmslb_hist_slot *slots;
	struct slot_map once;
	uint64_t n;
	int err = slots_of(fds, fds->hist_vals, KVMSLB_ALLOC_HIST, sizeof(*slots),
			   fds->hist_map, &once, &n, (const void **)&slots, spilled);

	for (uint64_t i = 0; !err && i < n; i++) {
		/* taken, its key not written yet: nothing counted in it yet */
		uint64_t key = __atomic_load_n(&slots[i].key, __ATOMIC_RELAXED);

		if (key)
			err = hist_one(a, key, &slots[i].v, units);
	}
	slot_map_free(&once);
	return err;
}

/*
 * vcpu_seg: series v2 segment counts per vcpu (recovered ones are not
 * events), both vectors in one update: a vcpu with none adds no unit.
 */
static int vcpu_seg_entry(struct agg *a, const void *k, const void *val,
			  enum bpf_read_units units)
{
	const struct kvmslb_vcpu_key *key = k;
	const struct kvmslb_vcpu_seg *v = val;
	struct agg_counters c = { 0 };
	uint64_t n[2];

	for (int i = 0; i < 2; i++) {
		/* in place, counted into meanwhile: each read once */
		uint64_t real = __atomic_load_n(&v->n[i][KVMSLB_SEG_REAL], __ATOMIC_RELAXED);
		uint64_t rec = __atomic_load_n(&v->n[i][KVMSLB_SEG_RECOVERED], __ATOMIC_RELAXED);
		uint64_t inj = __atomic_load_n(&v->n[i][KVMSLB_SEG_INJECTED], __ATOMIC_RELAXED);

		n[i] = real + rec + inj;
		a->health.events += real + inj;
		c.seg_injected += inj;
	}
	if (!n[0] && !n[1])
		return 0;
	c.dsegi = n[0];
	c.isegi = n[1];
	return agg_counters_add(a, key->vm, unit_of(AGG_VCPU_ID(key->vcpu_id), units), &c);
}

/* vcpu_seg, where it is: every vcpu's slot (no vcpu past the end: VCPU_OVERFLOW). */
static int read_vcpu_seg(const struct bpf_map_fds *fds, enum bpf_read_units units,
			 struct agg *a)
{
	const struct kvmslb_vcpu_slot *slots;
	struct slot_map once;
	bool spilled;
	uint64_t n;
	int err = slots_of(fds, fds->vcpu_seg, KVMSLB_ALLOC_VCPU, sizeof(*slots), fds->vcpu_map,
			   &once, &n, (const void **)&slots, &spilled);

	for (uint64_t i = 0; !err && i < n; i++) {
		/* taken, its vcpu not written yet: nothing counted in it yet */
		if (__atomic_load_n(&slots[i].key.vm, __ATOMIC_RELAXED))
			err = vcpu_seg_entry(a, &slots[i].key, &slots[i].seg, units);
	}
	slot_map_free(&once);
	return err;
}

static int read_stats(int fd, int ncpus, struct agg *a)
{
	uint64_t *vals = calloc(ncpus, sizeof(*vals)), sum[KVMSLB_STAT_NR] = { 0 };

	if (!vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < KVMSLB_STAT_NR; i++) {
		if (bpf_map_lookup_elem(fd, &i, vals))
			continue;
		for (int c = 0; c < ncpus; c++)
			sum[i] += vals[c];
	}
	free(vals);
	/* events the maps could not hold were handled too */
	a->health.events += sum[KVMSLB_STAT_COUNT_OVERFLOW] + sum[KVMSLB_STAT_HIST_OVERFLOW];
	/* map full either way: counts lost, or a vcpu's dropped records unrecoverable */
	a->health.count_overflow = sum[KVMSLB_STAT_COUNT_OVERFLOW] +
				   sum[KVMSLB_STAT_VCPU_OVERFLOW];
	a->health.hist_overflow = sum[KVMSLB_STAT_HIST_OVERFLOW];
	a->health.start_overflow = sum[KVMSLB_STAT_START_OVERFLOW];
	a->health.unpaired = sum[KVMSLB_STAT_UNPAIRED_EXIT];
	a->health.rb_lost = sum[KVMSLB_STAT_RB_LOST];
	a->health.rb_sent = sum[KVMSLB_STAT_RB_SENT];
	return 0;
}

int bpf_maps_read(const struct bpf_map_fds *fds, enum bpf_read_units units, struct agg *a)
{
	int ncpus = libbpf_num_possible_cpus();
	bool spilled = fds->hist_vals < 0;
	int err;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	a->health.events = 0;
	err = read_count_cache(fds->count_cache, ncpus, units, a);
	if (!err)
		err = walk_map(fds->counts, sizeof(uint64_t), sizeof(uint64_t), count_entry,
			       units, a);
	if (!err && fds->vcpu_seg >= 0)
		err = read_vcpu_seg(fds, units, a);
	if (!err && fds->hist_vals >= 0)
		err = read_hist_vals(fds, units, a, &spilled);
	if (!err && spilled)
		err = walk_map(fds->hists, sizeof(uint64_t), sizeof(struct kvmslb_hist_val),
			       hist_entry, units, a);
	if (!err)
		err = read_stats(fds->stats, ncpus, a);
	return err;
}
