/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Counters that survive a restart: a BPF object's maps pinned in a bpffs
 * directory and reused by the next run, whose programs go on counting in
 * them. Between runs nothing counts (the programs detach with the process),
 * but nothing counted is lost, so every counter stays monotonic.
 *
 * The maps of one object and source live in DIR/NAME (NAME: "patched",
 * "stock", with "-per-vcpu" when the keys are per vcpu), one file per map.
 * Ring buffers and the object's own data sections are never pinned. Maps
 * pinned by a run whose definitions differ (another kvmslb version, other
 * sizes) are replaced as a set: counts restart from zero, and that is said.
 */
#ifndef KVMSLB_BPF_PIN_H
#define KVMSLB_BPF_PIN_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;

#define BPF_PIN_DEFAULT_DIR	"/sys/fs/bpf/kvmslb"

struct bpf_pin_result {
	char dir[256];		/* DIR/NAME */
	int reused;		/* maps pinned earlier, reused: their counts go on */
	int created;		/* maps that will be created and pinned at load */
	int replaced;		/* maps pinned earlier with another definition, dropped */
	char why[160];		/* the first difference, when replaced */
	int lock_fd;		/* held while the set is in use; -1: none */
};

/* Is dir (or the nearest parent that exists) on a bpf filesystem? */
bool bpf_pin_supported(const char *dir);

/*
 * Before bpf_object__load(): give each map to keep its pin path under
 * DIR/NAME (created if needed; DIR must be on a bpf filesystem), dropping
 * an earlier set that does not match. libbpf then reuses or creates and
 * pins at load. The set is locked (r->lock_fd, to close at the end): a
 * second run on it is refused. 0, or -errno with a one-line reason in err.
 */
int bpf_pin_prepare(struct bpf_object *obj, const char *dir, const char *name,
		    struct bpf_pin_result *r, char *err, size_t errlen);

/* Unpin every set under DIR and remove it. The number of maps unpinned, or -errno. */
int bpf_pin_cleanup(const char *dir, char *err, size_t errlen);

#endif
