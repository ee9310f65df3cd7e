/* SPDX-License-Identifier: GPL-2.0 */
/* The sink every reader's fuzz target feeds: it reads each field a record has. */
#ifndef KVMSLB_FUZZ_SINK_H
#define KVMSLB_FUZZ_SINK_H

#include <stdint.h>
#include <string.h>

#include "record/trace_rec.h"

static uint64_t fuzz_sum;

static int fuzz_rec(void *ctx, const struct trace_rec *r)
{
	(void)ctx;
	fuzz_sum += r->kind + r->code + r->outcome + r->latency_ns + r->dsegi + r->isegi +
		    (uint64_t)r->pid + (uint64_t)r->tid + r->time_ns + (uint64_t)r->vm_pid;
	if (r->comm)
		fuzz_sum += strlen(r->comm);
	return 0;
}

static int fuzz_comm(void *ctx, int32_t pid, int32_t tid, const char *name, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++)
		fuzz_sum += (unsigned char)name[i];
	fuzz_sum += (uint64_t)pid + (uint64_t)tid;
	return 0;
}

static int fuzz_round(void *ctx)
{
	(void)ctx;
	fuzz_sum++;
	return 0;
}

static const struct trace_sink fuzz_sink = {
	.rec = fuzz_rec, .comm = fuzz_comm, .round = fuzz_round,
};

#endif
