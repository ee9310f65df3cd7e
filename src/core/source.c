// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>

#include "core/source.h"

int source_select(const struct host_probe *p, int forced, struct source_choice *c)
{
	memset(c, 0, sizeof(*c));
	c->chosen = -1;
	c->forced = forced >= 0;
	c->requested = forced;
	for (int s = 0; s < SOURCE_NR; s++) {
		c->usable[s] = source_usable(p, s, c->why[s], sizeof(c->why[s]));
		if (c->usable[s])
			c->why[s][0] = '\0';
	}
	if (c->forced) {
		if (forced < SOURCE_NR && c->usable[forced])
			c->chosen = forced;
		return c->chosen >= 0 ? 0 : -1;
	}
	for (int s = 0; s < SOURCE_NR && c->chosen < 0; s++)
		if (c->usable[s])
			c->chosen = s;
	return c->chosen >= 0 ? 0 : -1;
}

void source_failure_line(const struct source_choice *c, char *buf, unsigned long len)
{
	size_t n;

	if (c->forced && c->requested >= 0 && c->requested < SOURCE_NR) {
		snprintf(buf, len, "source '%s' cannot run here: %s", source_name(c->requested),
			 c->why[c->requested]);
		return;
	}
	n = snprintf(buf, len, "no data source can run here (see 'kvmslb doctor'):");
	for (int s = 0; s < SOURCE_NR && n < len; s++)
		n += snprintf(buf + n, len - n, "%s %s: %s", s ? ";" : "", source_name(s),
			      c->usable[s] ? "usable" : c->why[s]);
}
