// SPDX-License-Identifier: GPL-2.0
/* libFuzzer target: the trace.dat reader, from trace.dat version 7 seeds (sections, compression) must reject any input cleanly. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_sink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct trace_read_stats st;
	char err[256];

	trace_dat_read_mem(data, size, &fuzz_sink, &st, err, sizeof(err));
	return 0;
}
