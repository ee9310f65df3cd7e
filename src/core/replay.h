/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The replay source: a recording of 'kvmslb stat -j [--per-vcpu] INTERVAL
 * COUNT' (JSON lines, one per interval, taken on a host) played back on
 * the recording's clock, one interval per step. Each step's counters and
 * histograms go into the same aggregation the live sources fill, so the
 * front ends show a recording exactly as they showed the host. It lets
 * kvmslbtop's screen be driven and checked where no POWER host runs.
 */
#ifndef KVMSLB_REPLAY_H
#define KVMSLB_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/host_probe.h"

struct replay;

/*
 * Read and check the whole recording. 0, or -EINVAL for bad input, another
 * -errno for I/O errors; err names the file and line.
 */
int replay_open(const char *path, struct replay **out, char *err, size_t errlen);
/* The same from an open stream; name is for the messages. */
int replay_read(FILE *f, const char *name, struct replay **out, char *err, size_t errlen);
void replay_close(struct replay *r);

/*
 * Take the next interval: replay_view() then holds everything up to its
 * end. *dt: its length in seconds. Returns 0, or 1 after the last one
 * (nothing changes).
 */
int replay_next(struct replay *r, double *dt);
/* Cumulative since the start of the recording, names as recorded. */
const struct agg *replay_view(const struct replay *r);
const struct guest_ident *replay_ident(const void *r, uint32_t tgid);

int replay_steps(const struct replay *r);	/* intervals in the recording */
int replay_pos(const struct replay *r);		/* intervals taken so far */
enum data_source replay_source(const struct replay *r);	/* what was recorded */
bool replay_per_vcpu(const struct replay *r);
/* The recording's reason for a metric it lacks ("segment_synthesis"), or NULL. */
const char *replay_unavailable(const struct replay *r, const char *metric);

#endif
