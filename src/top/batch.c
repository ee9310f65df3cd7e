// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <string.h>

#include "core/json.h"
#include "top/batch.h"
#include "view/agg_view.h"

void top_header(char *buf, unsigned long n, const struct top_frame *f, int nrows)
{
	snprintf(buf, n, "kvmslbtop  source %s  refresh %llu (%.2f s)  guests %d  sort %s%s%s%s"
		 "  events %" PRIu64 "  lost %" PRIu64,
		 f->source, f->refresh, f->interval_s, nrows, top_sort_name(f->sort),
		 f->ascending ? " asc" : "", f->filter && *f->filter ? "  filter " : "",
		 f->filter && *f->filter ? f->filter : "", f->health->events,
		 f->health->count_overflow + f->health->hist_overflow +
		 f->health->start_overflow + f->health->rb_lost);
}

void top_titles(char *buf, unsigned long n, const struct top_frame *f)
{
	(void)f;
	snprintf(buf, n, "%-16s %7s %8s %8s %7s %9s %9s %8s %8s %8s %6s",
		 "GUEST", "PID", "DSEGI", "ISEGI", "INJECT", "HDSI/s", "HISI/s", "P50", "P99",
		 "MAX", "DROP");
}

void top_row_text(char *buf, unsigned long n, const struct top_frame *f,
		  const struct top_row *r)
{
	char p50[16], p99[16], max[16], dseg[24], iseg[24], inj[24], drop[24], name[20];

	if (f->has_latency) {
		top_fmt_pct(p50, sizeof(p50), &r->lat, 50);
		top_fmt_pct(p99, sizeof(p99), &r->lat, 99);
		top_fmt_max(max, sizeof(max), &r->lat);
	} else {
		snprintf(p50, sizeof(p50), "n/a");
		snprintf(p99, sizeof(p99), "n/a");
		snprintf(max, sizeof(max), "n/a");
	}
	if (f->has_segments) {
		snprintf(dseg, sizeof(dseg), "%" PRIu64, r->dsegi);
		snprintf(iseg, sizeof(iseg), "%" PRIu64, r->isegi);
		snprintf(inj, sizeof(inj), "%" PRIu64, r->seg_injected);
		snprintf(drop, sizeof(drop), "%" PRIu64, r->dropped);
	} else {
		snprintf(dseg, sizeof(dseg), "n/a");
		snprintf(iseg, sizeof(iseg), "n/a");
		snprintf(inj, sizeof(inj), "n/a");
		snprintf(drop, sizeof(drop), "n/a");
	}
	snprintf(name, sizeof(name), "%s%s", r->alive ? "" : "*", r->name);
	snprintf(buf, n, "%-16.16s %7" PRIu32 " %8s %8s %7s %9.1f %9.1f %8s %8s %8s %6s",
		 name, r->pid, dseg, iseg, inj, r->hdsi_rate, r->hisi_rate, p50, p99, max, drop);
}

void top_batch_text(FILE *out, const struct top_frame *f, const struct top_row *rows, int n)
{
	char line[512];

	top_header(line, sizeof(line), f, n);
	fprintf(out, "\n%s\n", line);
	if (!f->has_segments && f->unavailable)
		fprintf(out, "SLB synthesis n/a: %s\n", f->unavailable);
	top_titles(line, sizeof(line), f);
	fprintf(out, "%s\n", line);
	for (int i = 0; i < n; i++) {
		top_row_text(line, sizeof(line), f, &rows[i]);
		fprintf(out, "%s\n", line);
	}
	if (!n)
		fprintf(out, "(no guest activity yet)\n");
	fflush(out);
}

void top_batch_json(FILE *out, const struct top_frame *f, const struct top_row *rows, int n,
		    bool pretty)
{
	struct json_writer *w = json_new(out, pretty);

	json_obj_begin(w);
	json_key_u64(w, "refresh", f->refresh);
	json_key(w, "interval_s");
	json_double(w, f->interval_s);
	json_key(w, "elapsed_s");
	json_double(w, f->elapsed_s);
	json_key_str(w, "source", f->source);
	json_key_bool(w, "segment_synthesis", f->has_segments);
	if (!f->has_segments && f->unavailable)
		json_key_str(w, "segment_synthesis_unavailable", f->unavailable);
	json_key_str(w, "sort", top_sort_name(f->sort));
	json_key(w, "health");
	json_obj_begin(w);
	json_key_u64(w, "events", f->health->events);
	json_key_u64(w, "count_overflow", f->health->count_overflow);
	json_key_u64(w, "hist_overflow", f->health->hist_overflow);
	json_key_u64(w, "start_overflow", f->health->start_overflow);
	json_key_u64(w, "unpaired_exits", f->health->unpaired);
	json_key_u64(w, "ringbuf_lost", f->health->rb_lost);
	json_obj_end(w);
	json_key(w, "guests");
	json_arr_begin(w);
	for (int i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];

		json_obj_begin(w);
		json_key_u64(w, "pid", r->pid);
		json_key_str(w, "name", r->name);
		json_key_bool(w, "alive", r->alive);
		json_key_u64(w, "dsegi", r->dsegi);
		json_key_u64(w, "isegi", r->isegi);
		json_key_u64(w, "seg_injected", r->seg_injected);
		json_key_u64(w, "dropped", r->dropped);
		json_key_u64(w, "hdsi", r->hdsi);
		json_key_u64(w, "hisi", r->hisi);
		json_key(w, "hdsi_per_s");
		json_double(w, r->hdsi_rate);
		json_key(w, "hisi_per_s");
		json_double(w, r->hisi_rate);
		json_key(w, "interval_latency");
		json_obj_begin(w);
		json_key_u64(w, "samples", r->lat.count);
		view_json_pct(w, "p50", &r->lat, 50);
		view_json_pct(w, "p99", &r->lat, 99);
		json_key(w, "max_ns");
		if (r->lat.count)
			json_u64(w, r->lat.max_ns);
		else
			json_null(w);
		json_key_bool(w, "max_exact", r->lat.count && r->lat.max_exact);
		json_obj_end(w);
		json_key_u64(w, "latency_samples_total", r->lat_total.count);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
	json_free(w);
	fflush(out);
}
