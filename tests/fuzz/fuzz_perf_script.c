// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the perf script text reader must reject any input cleanly. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/trace_rec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(const struct trace_rec *r, void *ctx)
{
	(void)r;
	(*(uint64_t *)ctx)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_read_stats st;
	uint64_t n = 0;
	char err[256];
	FILE *f;

	if (!size)
		return 0;
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	perf_script_read(f, count, &n, &st, err, sizeof(err));
	fclose(f);
	return 0;
}
