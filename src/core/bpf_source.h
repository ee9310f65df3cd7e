/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live eBPF sources (patched, stock): load the programs of one source
 * (bpf/kvmslb.bpf.c, or bpf/kvmslb_btf.bpf.c for the stock source with
 * BTF), size their maps, attach, and read the maps into an agg (a
 * cumulative snapshot since attach).
 */
#ifndef KVMSLB_BPF_SOURCE_H
#define KVMSLB_BPF_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"
#include "core/slot_map.h"
#include "core/bpf_pin.h"
#include "core/host_probe.h"
#include "core/source.h"
#include "kvmslb/maps.h"

typedef void (*bpf_event_fn)(const struct kvmslb_event *e, void *ctx);
typedef void (*bpf_new_guest_fn)(uint32_t tgid, void *ctx);

struct bpf_source_opts {
	enum data_source source;	/* SOURCE_PATCHED or SOURCE_STOCK */
	int attribution;		/* patched: ATTR_EVENT (v2) or ATTR_TASK (v1);
					 * stock: ATTR_BTF or ATTR_TASK (tracefs offsets) */
	const char *btf;		/* ATTR_BTF: a BTF file, NULL for the kernel's */
	uint32_t tgid;			/* guest filter, 0 for all */
	bool per_vcpu;
	bool vcpu_counts_only;		/* per_vcpu: no per-vcpu histograms (export shows none) */
	bool vcpu_paths_merged;		/* per_vcpu: one histogram a vcpu (top, stat -j) */
	const char *tracefs;		/* for the stock source's field offsets */
	bpf_event_fn on_event;		/* non-NULL: ring buffer of individual events */
	bpf_new_guest_fn on_new_guest;	/* a guest's first event (may repeat) */
	void *ctx;			/* for on_event */
	void *guest_ctx;		/* for on_new_guest; NULL: ctx */
	bool verbose;			/* libbpf messages on stderr */
	const char *pin_dir;		/* keep the maps there across runs (core/bpf_pin.h); NULL: no */
};

/*
 * Map capacities (keys), from the options and the host, set before load.
 * Every map is sized for 'guests' VMM processes (the live ones and those
 * that exited since attach) and 'vcpus' vcpus over all of them: keys are
 * per vcpu (one writer each), --per-vcpu or not. The hash maps are not
 * preallocated, so memory follows the keys in use.
 */
struct bpf_map_sizes {
	uint32_t guests;
	uint32_t vcpus;
	uint32_t counts;	/* per vcpu: 2 vectors x 2 (patched v1), 4 traps (stock) */
	uint32_t hists;		/* per vcpu: 2 traps x 5 outcomes (patched), 1 (stock) */
	uint32_t hist_vals;	/* of them in place (hist_vals, hist_idx): the paths taken */
	uint32_t vcpu_seg;	/* one per vcpu (patched v2: segment counts and state) */
	uint32_t starts;	/* page faults in flight (stock): a power of two >= 2 x vcpus */
};

#define BPF_SIZING_GUESTS	2048	/* 1000 guests, and as many exited since */
#define BPF_SIZING_VCPUS	8	/* vcpus per guest, at least */

void bpf_map_sizes(struct bpf_map_sizes *s, enum data_source src, bool one_guest,
		   int host_cpus);

/* What bpf_source_open() loaded. */
struct bpf_source_info {
	const char *object;		/* "kvmslb" or "kvmslb_btf" */
	int programs;			/* attached programs */
	struct bpf_map_sizes sizes;
};

struct bpf_source;

/* 0, or -errno with a one-line reason in err. */
int bpf_source_open(const struct bpf_source_opts *o, struct bpf_source **out, char *err,
		    size_t errlen);
const struct bpf_source_info *bpf_source_info(const struct bpf_source *s);
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
struct bpf_map_fds {
	int counts, hists, stats;
	int count_cache;	/* the per-CPU cache in front of counts */
	/*
	 * Counts in place: the arrays of slots (-1: none; without hist_vals
	 * every histogram is in hists), their allocator, and their mappings
	 * kept from read to read (NULL: map them for this read only).
	 */
	int hist_vals, vcpu_seg, slot_alloc;
	struct slot_map *hist_map, *vcpu_map;
};
/* What a read keeps below each guest. */
enum bpf_read_units {
	BPF_READ_GUESTS = 0,	/* nothing */
	BPF_READ_VCPUS = 1,	/* each vcpu's counters and histograms (stat, top) */
	/*
	 * Each vcpu's counters, histograms per guest only: a third of the
	 * work and of the memory at 8 vcpus a guest (export renders no
	 * per-vcpu latency).
	 */
	BPF_READ_VCPU_COUNTS,
	/*
	 * Each vcpu's counters and one histogram of all its fault paths
	 * (AGG_VCPU_HIST_MERGED): what top and stat -j show of a vcpu.
	 */
	BPF_READ_VCPU_LATENCY,
};
int bpf_maps_read(const struct bpf_map_fds *fds, enum bpf_read_units units, struct agg *a);

#endif
