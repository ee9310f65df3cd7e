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

struct bpf_source {
	struct kvmslb_bpf *skel;
	struct ring_buffer *rb;
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

static void autoload_only(struct kvmslb_bpf *skel, enum data_source src)
{
	struct bpf_program *prog;
	bool patched = src == SOURCE_PATCHED;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, false);
	bpf_program__set_autoload(skel->progs.kvmslb_segment_synth, patched);
	bpf_program__set_autoload(skel->progs.kvmslb_hfault, patched);
	bpf_program__set_autoload(skel->progs.kvmslb_guest_exit, !patched);
	bpf_program__set_autoload(skel->progs.kvmslb_pf_enter, !patched);
	bpf_program__set_autoload(skel->progs.kvmslb_pf_exit, !patched);
}

int bpf_source_open(const struct bpf_source_opts *o, struct bpf_source **out, char *err,
		    size_t errlen)
{
	struct bpf_source *s = calloc(1, sizeof(*s));
	struct tp_field trap;
	int ret;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->pin.lock_fd = -1;
	libbpf_set_print(o->verbose ? libbpf_stderr : libbpf_quiet);
	s->skel = kvmslb_bpf__open();
	if (!s->skel) {
		ret = -errno;
		snprintf(err, errlen, "opening the BPF object failed: %s", strerror(-ret));
		goto fail;
	}
	s->skel->rodata->targ_tgid = o->tgid;
	s->skel->rodata->targ_per_vcpu = o->per_vcpu;
	s->skel->rodata->targ_ringbuf = o->on_event != NULL;
	if (!o->on_event)
		bpf_map__set_max_entries(s->skel->maps.events, 4096);
	if (o->source == SOURCE_STOCK) {
		ret = tp_field_from_tracefs(o->tracefs, "kvm_hv", "kvm_guest_exit", "trap", &trap,
					    err, errlen);
		if (ret)
			goto fail;
		s->skel->rodata->exit_trap_off = trap.offset;
		s->skel->rodata->exit_trap_size = trap.size;
	}
	autoload_only(s->skel, o->source);
	if (o->pin_dir) {
		char set[64];

		/* keys differ by source, per-vcpu keys and guest filter: one set each */
		snprintf(set, sizeof(set), "%s%s", source_name(o->source),
			 o->per_vcpu ? "-per-vcpu" : "");
		if (o->tgid)
			snprintf(set + strlen(set), sizeof(set) - strlen(set), "-pid%u", o->tgid);
		ret = bpf_pin_prepare(s->skel->obj, o->pin_dir, set, &s->pin, err, errlen);
		if (ret)
			goto fail;
		s->pinned = true;
	}
	ret = kvmslb_bpf__load(s->skel);
	if (ret) {
		snprintf(err, errlen, "loading the BPF programs failed: %s (run with -v for "
			 "libbpf's log)", ret == -EACCES ?
			 "the kernel's verifier rejected a program" : strerror(-ret));
		goto fail;
	}
	ret = kvmslb_bpf__attach(s->skel);
	if (ret) {
		snprintf(err, errlen, "attaching to the kvm_hv tracepoints failed: %s "
			 "(is kvm_hv loaded? see 'kvmslb doctor')", strerror(-ret));
		goto fail;
	}
	s->on_event = o->on_event;
	s->on_new_guest = o->on_new_guest;
	s->ctx = o->ctx;
	s->guest_ctx = o->guest_ctx ? o->guest_ctx : o->ctx;
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.new_keys), on_new_key, s, NULL);
	if (!s->rb || (o->on_event && ring_buffer__add(s->rb, bpf_map__fd(s->skel->maps.events),
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
	kvmslb_bpf__destroy(s->skel);
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
	return bpf_maps_read(bpf_map__fd(s->skel->maps.counts), bpf_map__fd(s->skel->maps.hists),
			     bpf_map__fd(s->skel->maps.stats), a);
}

static int read_counts(int fd, int ncpus, struct agg *a)
{
	struct kvmslb_count_key key, next, *prev = NULL;
	uint64_t *vals = calloc(ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	while (!err && bpf_map_get_next_key(fd, prev, &next) == 0) {
		uint64_t sum = 0;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;	/* deleted meanwhile */
		for (int c = 0; c < ncpus; c++)
			sum += vals[c];
		if (key.kind == KVMSLB_CNT_SEGMENT)
			err = agg_segment(a, key.tgid, key.tid, key.code, key.flag, sum);
		else if (key.kind == KVMSLB_CNT_EXIT)
			err = agg_exit(a, key.tgid, key.tid, key.code, sum);
	}
	free(vals);
	return err;
}

static int read_hists(int fd, int ncpus, struct agg *a)
{
	struct kvmslb_hist_key key, next, *prev = NULL;
	struct kvmslb_hist_val *vals = calloc(ncpus, sizeof(*vals));
	int err = 0;

	if (!vals)
		return -ENOMEM;
	while (!err && bpf_map_get_next_key(fd, prev, &next) == 0) {
		uint64_t injected = 0, dropped = 0;
		struct log2_hist h;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, vals))
			continue;
		memset(&h, 0, sizeof(h));
		for (int c = 0; c < ncpus; c++) {
			for (int i = 0; i < HIST_SLOTS; i++)
				h.slots[i] += vals[c].slots[i];
			h.count += vals[c].count;
			h.sum_ns += vals[c].sum_ns;
			if (vals[c].max_ns > h.max_ns)
				h.max_ns = vals[c].max_ns;
			injected += vals[c].injected;
			dropped += vals[c].dropped;
		}
		h.max_exact = true;
		err = agg_fault_hist(a, key.tgid, key.tid, key.trap, key.outcome, &h, injected,
				     dropped);
	}
	free(vals);
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
	a->health.events = sum[KVMSLB_STAT_EVENTS];
	a->health.count_overflow = sum[KVMSLB_STAT_COUNT_OVERFLOW];
	a->health.hist_overflow = sum[KVMSLB_STAT_HIST_OVERFLOW];
	a->health.start_overflow = sum[KVMSLB_STAT_START_OVERFLOW];
	a->health.unpaired = sum[KVMSLB_STAT_UNPAIRED_EXIT];
	a->health.rb_lost = sum[KVMSLB_STAT_RB_LOST];
	a->health.rb_sent = sum[KVMSLB_STAT_RB_SENT];
	return 0;
}

int bpf_maps_read(int counts_fd, int hists_fd, int stats_fd, struct agg *a)
{
	int ncpus = libbpf_num_possible_cpus();
	int err;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	err = read_counts(counts_fd, ncpus, a);
	if (!err)
		err = read_hists(hists_fd, ncpus, a);
	if (!err)
		err = read_stats(stats_fd, ncpus, a);
	return err;
}
