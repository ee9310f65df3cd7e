// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the perf.data pipe-mode reader (a stream) must reject any input cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_sink.h"
#include "record/rd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_read_stats st;
	struct rd in = { .swap = false };
	char err[256];

	rd_mem(&in, data, size, 0);
	perf_data_read_stream(&in, &fuzz_sink, &st, err, sizeof(err));
	return 0;
}
