/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Live collection, shared by stat, top and export: probe the host, select
 * a source (patched, stock, stats), open it, and keep a cumulative
 * per-guest view with names, exits and pid reuse resolved (core/tracker.c).
 */
#ifndef KVMSLB_COLLECTOR_H
#define KVMSLB_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/bpf_source.h"
#include "core/host_probe.h"
#include "core/source.h"
#include "core/tracker.h"

struct collector_opts {
	int source;			/* enum data_source, or -1 for the first usable */
	uint32_t tgid;			/* only this guest; 0: all */
	bool per_vcpu;
	bool vcpu_counts_only;		/* per_vcpu without per-vcpu histograms (export) */
	bool vcpu_paths_merged;		/* per_vcpu: one histogram a vcpu, not a path (top, stat -j) */
	const char *btf;		/* --btf FILE for the stock source; NULL: the kernel's */
	bpf_event_fn on_event;		/* individual events (eBPF sources only) */
	void *ctx;
	bool verbose;
	const char *pin_dir;		/* eBPF sources: keep the maps there (core/bpf_pin.h) */
};

struct collector {
	struct host_probe probe;
	struct source_choice choice;
	struct bpf_source *bpf;		/* NULL for the stats source */
	struct tracker tracker;
	struct agg view;		/* cumulative since open, names resolved */
	uint32_t tgid;
	const char *warn_ptrs[SOURCE_WARN_MAX];
};

enum collector_err {
	COLLECTOR_NO_SOURCE = 1,	/* nothing can run here (or the forced source cannot) */
	COLLECTOR_BAD_OPTION,		/* an option the chosen source cannot honour, a bad --btf */
	COLLECTOR_OPEN_FAILED,		/* the source failed to load or attach */
};

/* 0, or an enum collector_err with a one-line reason in err. */
int collector_open(struct collector *c, const struct collector_opts *o, char *err,
		   size_t errlen);
/*
 * The source is attached and counting (collector_open() succeeded): what a
 * front end says in its readiness line (view/attached.c).
 */
struct collector_ready {
	const char *source;		/* "patched", "stock", "stats" */
	const char *attribution;	/* attribution_name() */
	const char *how;		/* one line: how events find their guest */
	const char *btf;		/* "kernel", a --btf file, or NULL (no CO-RE) */
	int programs;			/* attached BPF programs (0: stats) */
	const struct bpf_map_sizes *sizes;	/* NULL: stats */
	int nwarn;
	const char *const *warn;	/* attribution warnings */
};
void collector_ready(const struct collector *c, struct collector_ready *r);

/* Wait up to timeout_ms for the source (events, new guests); 0 or -errno. */
int collector_wait(struct collector *c, int timeout_ms);
/* Refresh c->view from the source; 0 or -errno. */
int collector_snapshot(struct collector *c);
/*
 * The view moves into dst (freed first), without a copy, and c->view is
 * left empty: for front ends that keep the previous view for rates (a copy
 * of 1000 guests x 8 vcpus costs as much as reading them). The tracker
 * still reads the view it built last until the next snapshot: keep dst
 * until collector_snapshot() has returned.
 */
void collector_take_view(struct collector *c, struct agg *dst);
void collector_close(struct collector *c);

const struct guest_ident *collector_ident(const void *c, uint32_t tgid);

#endif
