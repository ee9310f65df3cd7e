/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live eBPF sources (patched, stock): load bpf/kvmslb.bpf.c with the
 * programs of one source, attach, and read its per-CPU maps into an agg
 * (a cumulative snapshot since attach).
 */
#ifndef KVMSLB_BPF_SOURCE_H
#define KVMSLB_BPF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/bpf_pin.h"
#include "core/host_probe.h"
#include "kvmslb/maps.h"

typedef void (*bpf_event_fn)(const struct kvmslb_event *e, void *ctx);
typedef void (*bpf_new_guest_fn)(uint32_t tgid, void *ctx);

struct bpf_source_opts {
	enum data_source source;	/* SOURCE_PATCHED or SOURCE_STOCK */
	uint32_t tgid;			/* guest filter, 0 for all */
	bool per_vcpu;
	const char *tracefs;		/* for the stock source's field offsets */
	bpf_event_fn on_event;		/* non-NULL: ring buffer of individual events */
	bpf_new_guest_fn on_new_guest;	/* a guest's first event (may repeat) */
	void *ctx;			/* for on_event */
	void *guest_ctx;		/* for on_new_guest; NULL: ctx */
	bool verbose;			/* libbpf messages on stderr */
	const char *pin_dir;		/* keep the maps there across runs (core/bpf_pin.h); NULL: no */
};

struct bpf_source;

/* 0, or -errno with a one-line reason in err. */
int bpf_source_open(const struct bpf_source_opts *o, struct bpf_source **out, char *err,
		    size_t errlen);
/* Fill the (empty) agg with everything counted since attach. */
int bpf_source_read(struct bpf_source *s, struct agg *a);
/*
 * Wait up to timeout_ms for events, then deliver what is buffered (new
 * guests, individual events). 0 or -errno; -EINTR on a signal.
 */
int bpf_source_wait(struct bpf_source *s, int timeout_ms);
void bpf_source_close(struct bpf_source *s);
/* Where the maps are pinned and what was reused; NULL without pinning. */
const struct bpf_pin_result *bpf_source_pinned(const struct bpf_source *s);

/* The map reader, on bare map fds (for tests of other BPF objects). */
int bpf_maps_read(int counts_fd, int hists_fd, int stats_fd, struct agg *a);

#endif
