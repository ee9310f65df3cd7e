/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Data source selection: patched, else stock, else stats, unless one is
 * forced. The reasons are host_probe's, so 'doctor' and every front end
 * say the same thing.
 */
#ifndef KVMSLB_SOURCE_H
#define KVMSLB_SOURCE_H

#include <stdbool.h>

#include "core/host_probe.h"

struct source_choice {
	int chosen;			/* enum data_source, or -1 */
	bool forced;
	int requested;			/* the forced source, or -1 */
	bool usable[SOURCE_NR];
	char why[SOURCE_NR][512];	/* reason for each unusable source */
};

/* forced: -1 for automatic. 0 if a source was chosen, -1 if none can run. */
int source_select(const struct host_probe *p, int forced, struct source_choice *c);
/* One line for an error: why the forced source, or every source, cannot run. */
void source_failure_line(const struct source_choice *c, char *buf, unsigned long len);

#endif
