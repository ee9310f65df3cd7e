/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Each guest's recent synthesis rate (DSegI/s + ISegI/s; HDSI/s + HISI/s
 * for a source without segment counts), one value per refresh, drawn as a
 * sparkline: the newest on the right, scaled to the largest value shown.
 */
#ifndef KVMSLB_TOP_TREND_H
#define KVMSLB_TOP_TREND_H

#include <stddef.h>
#include <stdint.h>

#include "core/agg.h"

#define TREND_KEEP 60

struct trend_entry {
	uint32_t tgid;
	double v[TREND_KEEP];	/* ring, newest at (head - 1) */
	int head, n;
};

struct top_trends {
	struct trend_entry *e;	/* sorted by tgid */
	int n;
	unsigned long long pushes;
};

void top_trends_free(struct top_trends *t);
/* One value per guest of cur: its rate over the dt seconds since prev. 0 or -ENOMEM. */
int top_trends_push(struct top_trends *t, const struct agg *cur, const struct agg *prev,
		    double dt, bool segments);
/* The last len values of tgid as a sparkline of len columns (UTF-8 blocks, or ASCII). */
void top_trend_draw(const struct top_trends *t, uint32_t tgid, int len, char *buf, size_t n);

#endif
