/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An aggregation as Prometheus metrics: per guest (labels guest, pid)
 * HDSI/HISI fault paths, segment interrupts synthesized and injected,
 * outcomes, log drops, and the fault-latency histogram in seconds; plus
 * what the collector itself lost. Counters are cumulative since kvmslb
 * started (a restart is a counter reset, which Prometheus handles).
 */
#ifndef KVMSLB_EXPORT_METRICS_H
#define KVMSLB_EXPORT_METRICS_H

#include <stdio.h>

#include "core/agg.h"
#include "core/guest.h"
#include "core/host_probe.h"
#include "export/prom.h"

struct metrics_input {
	const struct agg *agg;
	enum data_source source;
	const struct guest_ident *(*ident)(const void *ctx, uint32_t tgid);
	const void *ident_ctx;
};

void metrics_write(FILE *f, enum prom_format fmt, const struct metrics_input *in);

#endif
