// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/json.h"
#include "top/log.h"
#include "view/agg_view.h"

struct top_log {
	char *path;
	bool json;
	FILE *f;
};

static const char csv_header[] =
	"time,guest,pid,alive,interval_s,source,dsegi_per_s,isegi_per_s,hdsi_per_s,hisi_per_s,"
	"dsegi,isegi,seg_injected,hdsi,hisi,dropped,latency_samples,p50_lt_ns,p99_lt_ns,"
	"max_lt_ns\n";

static int open_file(struct top_log *l, char *err, size_t errlen)
{
	struct stat st;

	l->f = fopen(l->path, "a");
	if (!l->f) {
		int e = errno;

		snprintf(err, errlen, "log file %s: %s", l->path, strerror(e));
		return -e;
	}
	/* a new (or rotated) file starts with the header */
	if (!l->json && !fstat(fileno(l->f), &st) && st.st_size == 0)
		fputs(csv_header, l->f);
	return 0;
}

struct top_log *top_log_open(const char *path, bool json, char *err, size_t errlen)
{
	struct top_log *l = calloc(1, sizeof(*l));

	if (!l || !(l->path = strdup(path))) {
		free(l);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	l->json = json;
	if (open_file(l, err, errlen)) {
		free(l->path);
		free(l);
		return NULL;
	}
	return l;
}

static int check(struct top_log *l, char *err, size_t errlen)
{
	if (fflush(l->f) || ferror(l->f)) {
		int e = errno ? errno : EIO;

		snprintf(err, errlen, "writing log file %s: %s", l->path, strerror(e));
		return -e;
	}
	return 0;
}

int top_log_reopen(struct top_log *l, char *err, size_t errlen)
{
	int ret = check(l, err, errlen);

	if (fclose(l->f) && !ret) {
		ret = -errno;
		snprintf(err, errlen, "closing log file %s: %s", l->path, strerror(errno));
	}
	l->f = NULL;
	return ret ? ret : open_file(l, err, errlen);
}

void top_log_close(struct top_log *l)
{
	if (!l)
		return;
	if (l->f)
		fclose(l->f);
	free(l->path);
	free(l);
}

/* Exclusive upper bound of the bucket holding p, as a number (empty if none). */
static void lt(char *buf, size_t n, const struct log2_hist *h, double p)
{
	int k = p > 100 ? hist_top(h) : hist_percentile(h, p);

	buf[0] = '\0';
	if (k >= 0 && hist_bucket_hi(k) != UINT64_MAX)
		snprintf(buf, n, "%" PRIu64, hist_bucket_hi(k));
}

static void csv_name(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_line(FILE *f, const char *ts, double interval_s, const char *source,
		      const struct top_row *r)
{
	struct json_writer *w = json_new(f, false);

	json_obj_begin(w);
	json_key_str(w, "time", ts);
	json_key_str(w, "guest", r->name);
	json_key_u64(w, "pid", r->pid);
	json_key_bool(w, "alive", r->alive);
	json_key(w, "interval_s");
	json_double(w, interval_s);
	json_key_str(w, "source", source);
	json_key(w, "dsegi_per_s");
	json_double(w, r->dsegi_rate);
	json_key(w, "isegi_per_s");
	json_double(w, r->isegi_rate);
	json_key(w, "hdsi_per_s");
	json_double(w, r->hdsi_rate);
	json_key(w, "hisi_per_s");
	json_double(w, r->hisi_rate);
	json_key_u64(w, "dsegi", r->dsegi);
	json_key_u64(w, "isegi", r->isegi);
	json_key_u64(w, "seg_injected", r->seg_injected);
	json_key_u64(w, "hdsi", r->hdsi);
	json_key_u64(w, "hisi", r->hisi);
	json_key_u64(w, "dropped", r->dropped);
	json_key(w, "interval_latency");
	json_obj_begin(w);
	json_key_u64(w, "samples", r->lat.count);
	view_json_pct(w, "p50", &r->lat, 50);
	view_json_pct(w, "p99", &r->lat, 99);
	json_key(w, "max");
	if (hist_top(&r->lat) < 0) {
		json_null(w);
	} else {
		json_obj_begin(w);
		view_json_bounds(w, hist_top(&r->lat));
		json_obj_end(w);
	}
	json_obj_end(w);
	json_obj_end(w);
	json_free(w);
}

int top_log_write(struct top_log *l, double now, double interval_s, const char *source,
		  const struct top_row *rows, int n, char *err, size_t errlen)
{
	time_t secs = (time_t)now;
	struct tm tm;
	char ts[40];

	gmtime_r(&secs, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];
		char p50[24], p99[24], max[24];

		if (!r->alive && !r->dsegi_rate && !r->isegi_rate && !r->hdsi_rate &&
		    !r->hisi_rate && !r->lat.count)
			continue;
		if (l->json) {
			json_line(l->f, ts, interval_s, source, r);
			continue;
		}
		lt(p50, sizeof(p50), &r->lat, 50);
		lt(p99, sizeof(p99), &r->lat, 99);
		lt(max, sizeof(max), &r->lat, 101);
		fprintf(l->f, "%s,", ts);
		csv_name(l->f, r->name);
		fprintf(l->f, ",%u,%d,%.3f,%s,%.3f,%.3f,%.3f,%.3f,%" PRIu64 ",%" PRIu64 ",%" PRIu64
			",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%s,%s,%s\n", r->pid,
			r->alive, interval_s, source, r->dsegi_rate, r->isegi_rate, r->hdsi_rate,
			r->hisi_rate, r->dsegi, r->isegi, r->seg_injected, r->hdsi, r->hisi,
			r->dropped, r->lat.count, p50, p99, max);
	}
	return check(l, err, errlen);
}
