// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the perf.data reader must reject any input cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "record/trace_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const struct trace_rec *r, void *ctx)
{
	uint64_t v;

	(*(uint64_t *)ctx)++;
	trace_rec_get(r, "trap", &v);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_read_stats st;
	uint64_t n = 0;
	char err[256];

	perf_data_read_mem(data, size, count, &n, &st, err, sizeof(err));
	return 0;
}
