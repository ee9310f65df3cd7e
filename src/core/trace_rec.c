// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "core/trace_rec.h"

bool trace_rec_get(const struct trace_rec *r, const char *name, uint64_t *val)
{
	for (int i = 0; i < r->nfields; i++) {
		if (!strcmp(r->fields[i].name, name)) {
			*val = r->fields[i].val;
			return true;
		}
	}
	return false;
}
