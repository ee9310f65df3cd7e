// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "top/batch.h"
#include "top/textw.h"
#include "view/agg_view.h"
#include "view/units.h"

int top_header(char lines[][512], const struct top_frame *f)
{
	const struct agg_health *h = f->health;
	char dropped[64];
	int n = 0;

	if (f->replay)
		snprintf(lines[n++], 512, "kvmslbtop  replay interval %d of %d%s  source %s  "
			 "file %s", f->replay_pos, f->replay_steps,
			 f->replay_pos >= f->replay_steps ? " (end)" : "", f->source,
			 strrchr(f->replay, '/') ? strrchr(f->replay, '/') + 1 : f->replay);
	else
		snprintf(lines[n++], 512, "kvmslbtop  host %s  %s  kernel %s  source %s%s",
			 f->host, f->cpu, f->kernel, f->source,
			 f->source_forced ? " (--source)" : "");
	snprintf(lines[n++], 512, "%sguests %d%s%.0d%s  sort %s %s  every %.1f s  since %s%s%s",
		 f->paused ? "PAUSED  " : "", f->nguests, f->nexited ? " (" : "", f->nexited,
		 f->nexited ? " exited)" : "", top_sort_name(f->sort), f->ascending ? "asc" : "desc",
		 f->delay_s, f->since_reset_s >= 0 ? "reset" : "start",
		 f->filter ? "  filter " : "", f->filter ? f->filter : "");
	/* the stock source has no kernel log (its n/a line says so) */
	if (f->has_segments)
		snprintf(dropped, sizeof(dropped), "  kernel log dropped %" PRIu64, f->kernel_dropped);
	else
		dropped[0] = '\0';
	if (f->has_latency)
		snprintf(lines[n++], 512, "events %" PRIu64 "%s  maps full %" PRIu64 "  ring buffer "
			 "lost %" PRIu64 "  unpaired %" PRIu64, h->events, dropped,
			 h->count_overflow + h->hist_overflow + h->start_overflow, h->rb_lost,
			 h->unpaired);
	else
		snprintf(lines[n++], 512, "KVM stats counters, no eBPF: nothing lost%s", dropped);
	if (!f->has_segments)
		snprintf(lines[n++], 512, "n/a: SLB synthesis (DSEGI, ISEGI, DROP): %s",
			 f->no_segments_why ? f->no_segments_why : "not measured by this source");
	if (!f->has_latency)
		snprintf(lines[n++], 512, "n/a: latency (P50, P99, MAX): %s",
			 f->no_latency_why ? f->no_latency_why : "not measured by this source");
	return n;
}

const char *top_legend(const struct top_frame *f)
{
	return f->nexited ? "x: the guest has exited; its counts are kept" : "";
}

void top_frame_layout(const struct top_frame *f, const struct top_row *rows, int n,
		      int width, struct top_layout *l)
{
	struct top_layout_in in = {
		.width = width,
		.has_segments = f->has_segments,
		.has_latency = f->has_latency,
		.sort = f->sort,
		.ascending = f->ascending,
	};

	for (int i = 0; i < n; i++) {
		int w = textw_width(rows[i].name);

		if (w > in.longest_name)
			in.longest_name = w;
	}
	top_layout_make(l, &in);
}

void top_batch_text(FILE *out, const struct top_frame *f, const struct top_row *rows, int n)
{
	char head[TOP_HEADER_MAX][512], trend[64];
	size_t len = 256;
	struct top_layout l;
	char *line;
	int nh = top_header(head, f);

	top_frame_layout(f, rows, n, 0, &l);
	len += (size_t)l.name_width * 4;
	line = malloc(len);
	if (!line)
		return;
	fputc('\n', out);
	for (int i = 0; i < nh; i++)
		fprintf(out, "%s\n", head[i]);
	top_layout_titles(&l, line, len);
	fprintf(out, "%s\n", line);
	for (int i = 0; i < n; i++) {
		top_trend_draw(f->trends, rows[i].pid, TOP_TREND_LEN, trend, sizeof(trend));
		top_layout_row(&l, &rows[i], trend, false, line, len);
		fprintf(out, "%s\n", line);
	}
	if (!n)
		fprintf(out, "(no guest activity yet)\n");
	if (*top_legend(f))
		fprintf(out, "%s\n", top_legend(f));
	free(line);
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
	if (f->replay) {
		json_key_str(w, "replay", f->replay);
		json_key_u64(w, "replay_interval", f->replay_pos);
		json_key_u64(w, "replay_intervals", f->replay_steps);
	} else {
		json_key_str(w, "host", f->host);
		json_key_str(w, "cpu_generation", f->cpu);
		json_key_str(w, "kernel", f->kernel);
	}
	json_key_str(w, "source", f->source);
	json_key_bool(w, "segment_synthesis", f->has_segments);
	if (!f->has_segments && f->no_segments_why)
		json_key_str(w, "segment_synthesis_unavailable", f->no_segments_why);
	json_key_bool(w, "latency", f->has_latency);
	if (!f->has_latency && f->no_latency_why)
		json_key_str(w, "latency_unavailable", f->no_latency_why);
	json_key_str(w, "sort", top_sort_name(f->sort));
	json_key_bool(w, "ascending", f->ascending);
	json_key_bool(w, "since_reset", f->since_reset_s >= 0);
	json_key(w, "health");
	json_obj_begin(w);
	json_key_u64(w, "events", f->health->events);
	json_key_u64(w, "kernel_log_dropped", f->kernel_dropped);
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
		json_key(w, "dsegi_per_s");
		json_double(w, r->dsegi_rate);
		json_key(w, "isegi_per_s");
		json_double(w, r->isegi_rate);
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
		json_key(w, "max");
		if (hist_top(&r->lat) < 0) {
			json_null(w);
		} else {
			json_obj_begin(w);
			view_json_bounds(w, hist_top(&r->lat));
			json_obj_end(w);
		}
		json_obj_end(w);
		json_key_u64(w, "latency_samples_total", r->lat_total.count);
		json_key(w, "max_ns_total");
		if (r->lat_total.count && r->lat_total.max_exact)
			json_u64(w, r->lat_total.max_ns);
		else
			json_null(w);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);
	json_free(w);
	fflush(out);
}
