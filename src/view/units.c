// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "view/units.h"

void view_fmt_ns(char *buf, size_t n, uint64_t ns)
{
	static const struct { uint64_t div; const char *unit; } scale[] = {
		{ 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" },
	};

	if (ns == UINT64_MAX) {
		snprintf(buf, n, "inf");
		return;
	}
	for (size_t i = 0; i < sizeof(scale) / sizeof(scale[0]); i++) {
		double v = (double)ns / (double)scale[i].div;

		if (ns < scale[i].div)
			continue;
		/* 9.96 would print as "10.0": switch to whole numbers there */
		if (v < 9.95)
			snprintf(buf, n, "%.1f%s", v, scale[i].unit);
		else
			snprintf(buf, n, "%.0f%s", v, scale[i].unit);
		return;
	}
	snprintf(buf, n, "%lluns", (unsigned long long)ns);
}

void view_fmt_bucket(char *buf, size_t n, int k)
{
	char v[16];

	if (hist_bucket_hi(k) == UINT64_MAX) {
		view_fmt_ns(v, sizeof(v), hist_bucket_lo(k));
		snprintf(buf, n, ">=%s", v);
		return;
	}
	view_fmt_ns(v, sizeof(v), hist_bucket_hi(k));
	snprintf(buf, n, "<%s", v);
}

void view_fmt_pct(char *buf, size_t n, const struct log2_hist *h, double p)
{
	int k = hist_percentile(h, p);

	if (k < 0)
		snprintf(buf, n, "-");
	else
		view_fmt_bucket(buf, n, k);
}

void view_fmt_max(char *buf, size_t n, const struct log2_hist *h)
{
	int k = hist_top(h);

	if (k < 0)
		snprintf(buf, n, "-");
	else
		view_fmt_bucket(buf, n, k);
}
