// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "top/screen.h"
#include "top/textw.h"
#include "view/agg_view.h"
#include "view/units.h"

static const char *const help_text[] = {
	"kvmslbtop keys (any other key returns; j/k scroll this page)",
	"  q          quit                       h ?        this help",
	"  p space    pause / resume             r          reset the totals to zero",
	"  s          type a refresh delay (0.1 to 3600 s); + and - double or halve it",
	"  o O        sort by the next / previous column shown; i reverses the order",
	"  f          filter guests by name: a POSIX extended regular expression",
	"             (Enter applies it, an empty one clears it, Esc keeps the old one)",
	"  g          show one guest, by name or pid      c   clear the filter and guest",
	"  j k Up Dn  select a guest; the selection stays with it when rows move",
	"  PgUp PgDn Home End   move by a page, to the first or the last guest",
	"  Enter      the selected guest: per-vcpu table and latency histogram by path",
	"  Esc Left   back to the table        .   refresh now (one step while paused)",
	"  Ctrl-L     repaint the whole screen (after a console message)",
	"",
	"columns (rates and latency are of the last refresh interval)",
	"  DSEGI/s ISEGI/s  Data/Instruction Segment interrupts synthesized per second",
	"  TREND            DSEGI/s + ISEGI/s of the last 10 refreshes, newest right",
	"                   (HDSI/s + HISI/s when the source has no segment counts)",
	"  DSEGI ISEGI      synthesized since start or reset; INJ: forced by injection",
	"  HDSI/s HISI/s    hypervisor data/instruction storage fault paths per second",
	"  P50 P99 MAX      fault-path latency; " VIEW_BUCKET_LEGEND_SHORT,
	"  DROP             fault records the kernel's real-mode log dropped: not in",
	"                   the counts (KVM stats keep exact totals: --source stats)",
	"  PID              the guest's VMM process",
	"  > x            before a name: the selected guest; a guest that has exited",
	"",
	"header",
	"  dropped by the kernel's log   all guests' DROP",
	"  lost to full maps             increments the BPF maps had no room for",
	"  unpaired exits                fault exits whose start was not seen",
	"  ring buffer lost              individual events dropped (stat --events)",
	"  n/a: ...                      what this source cannot measure, and why",
};

#define NHELP ((int)(sizeof(help_text) / sizeof(help_text[0])))

/* ---- a page of lines (help, drill-down) ----------------------------------- */
struct page {
	char **line;
	int n, cap;
};

static void page_add(struct page *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void page_add(struct page *p, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (p->n == p->cap) {
		char **l = realloc(p->line, (p->cap ? p->cap * 2 : 64) * sizeof(*l));

		if (!l)
			return;
		p->line = l;
		p->cap = p->cap ? p->cap * 2 : 64;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		p->line[p->n++] = s;
	va_end(ap);
}

static void page_free(struct page *p)
{
	for (int i = 0; i < p->n; i++)
		free(p->line[i]);
	free(p->line);
}

/* ---- drill-down ---------------------------------------------------------- */
static const struct agg_unit *unit_in(const struct agg_guest *g, uint32_t tid)
{
	for (int i = 0; g && i < g->nvcpus; i++)
		if (g->vcpus[i].tid == tid)
			return &g->vcpus[i];
	return NULL;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* u - base, counters and the merged histogram */
static void unit_since(const struct agg_unit *u, const struct agg_unit *base,
		       struct agg_counters *c, struct log2_hist *h)
{
	struct log2_hist all, then;

	*c = u->c;
	agg_unit_hist(u, &all);
	if (!base) {
		*h = all;
		return;
	}
	c->dsegi = less(c->dsegi, base->c.dsegi);
	c->isegi = less(c->isegi, base->c.isegi);
	c->hdsi = less(c->hdsi, base->c.hdsi);
	c->hisi = less(c->hisi, base->c.hisi);
	c->seg_injected = less(c->seg_injected, base->c.seg_injected);
	c->dropped = less(c->dropped, base->c.dropped);
	agg_unit_hist(base, &then);
	hist_sub(h, &all, &then);
}

static const struct agg_path *path_in(const struct agg_unit *u, const struct agg_path *p)
{
	for (int i = 0; u && i < u->npaths; i++)
		if (u->paths[i].trap == p->trap && u->paths[i].outcome == p->outcome)
			return &u->paths[i];
	return NULL;
}

static void hist_lines(struct page *pg, const struct log2_hist *h, int width)
{
	int top = hist_top(h), first = 0, bar_max = width - 24;
	uint64_t vmax = 0;

	if (top < 0)
		return;
	if (bar_max > 50)
		bar_max = 50;
	if (bar_max < 4)
		bar_max = 4;
	while (!h->slots[first])
		first++;
	for (int k = first; k <= top; k++)
		if (h->slots[k] > vmax)
			vmax = h->slots[k];
	for (int k = first; k <= top; k++) {
		char b[16], bar[64];
		int len = vmax ? (int)((double)h->slots[k] * bar_max / (double)vmax + 0.5) : 0;

		if (h->slots[k] && !len)
			len = 1;
		view_fmt_bucket(b, sizeof(b), k);
		memset(bar, '*', (size_t)len);
		bar[len] = '\0';
		page_add(pg, "  %8s %10" PRIu64 " |%s", b, h->slots[k], bar);
	}
}

static void guest_page(struct page *pg, const struct top_frame *f, const struct top_detail *d,
		       int width)
{
	const struct agg_guest *g = d->cur, *b = d->base, *p = d->prev;
	const char *since = f->since_reset_s >= 0 ? "since reset" : "since start";
	struct agg_counters c;
	struct log2_hist h;
	char trend[256], p50[16], p99[16], max[16];
	/* the sparkline takes what its label leaves of the line */
	int tlen = width - (int)strlen("DSEGI/s+ISEGI/s, a mark per refresh: ");

	if (!g) {
		page_add(pg, "the selected guest is gone; Esc returns to the table");
		return;
	}
	unit_since(&g->total, b ? &b->total : NULL, &c, &h);
	page_add(pg, "guest %s  pid %" PRIu32 "  %s  (name from %s)",
		 d->id && d->id->name[0] ? d->id->name : "?", g->tgid,
		 d->id && d->id->alive ? "running" : "exited",
		 guest_name_from_str(d->id ? d->id->from : NAME_UNKNOWN));
	if (f->has_segments)
		page_add(pg, "%s: DSegI %" PRIu64 "  ISegI %" PRIu64 "  injected %" PRIu64
			 "  dropped %" PRIu64 "  HDSI %" PRIu64 "  HISI %" PRIu64, since, c.dsegi,
			 c.isegi, c.seg_injected, c.dropped, c.hdsi, c.hisi);
	else
		page_add(pg, "%s: HDSI %" PRIu64 "  HISI %" PRIu64, since, c.hdsi, c.hisi);
	if (p && d->dt > 0) {
		const struct agg_counters *n = &g->total.c, *o = &p->total.c;
		char seg[96] = "";

		if (f->has_segments)
			snprintf(seg, sizeof(seg), "DSegI/s %.1f  ISegI/s %.1f  ",
				 less(n->dsegi, o->dsegi) / d->dt, less(n->isegi, o->isegi) / d->dt);
		page_add(pg, "last %.2f s: %sHDSI/s %.1f  HISI/s %.1f", d->dt, seg,
			 less(n->hdsi, o->hdsi) / d->dt, less(n->hisi, o->hisi) / d->dt);
	}
	if (tlen > TREND_KEEP)
		tlen = TREND_KEEP;
	if (tlen > 4) {
		top_trend_draw(f->trends, g->tgid, tlen, trend, sizeof(trend));
		page_add(pg, "%s, a mark per refresh: %s", f->has_segments ? "DSEGI/s+ISEGI/s" :
			 "HDSI/s+HISI/s", trend);
	}
	page_add(pg, "%s", "");
	if (!f->has_vcpus) {
		page_add(pg, "per vcpu: n/a: %s", f->no_vcpus_why ? f->no_vcpus_why :
			 "not collected by this source");
	} else if (!g->nvcpus) {
		page_add(pg, "per vcpu: no activity yet");
	} else {
		bool ids = agg_unit_is_vcpu_id(g->vcpus[0].tid);

		page_add(pg, "per %s, %s:", ids ? "vcpu (KVM vcpu id)" :
			 "vcpu thread (these events carry no vcpu id)", since);
		if (f->has_segments)
			page_add(pg, "  %8s %8s %8s %8s %8s %8s %7s %7s", ids ? "VCPU" : "THREAD",
				 "DSEGI/s", "DSEGI", "ISEGI", "HDSI", "HISI", "P99", "MAX");
		else
			page_add(pg, "  %8s %8s %8s %8s %7s %7s", ids ? "VCPU" : "THREAD", "HDSI/s",
				 "HDSI", "HISI", "P99", "MAX");
		for (int i = 0; i < g->nvcpus; i++) {
			const struct agg_unit *u = &g->vcpus[i], *pu = unit_in(p, u->tid);
			uint32_t id = agg_unit_is_vcpu_id(u->tid) ? agg_unit_vcpu_id(u->tid) : u->tid;
			double ds = d->dt > 0 ? less(u->c.dsegi, pu ? pu->c.dsegi : 0) / d->dt : 0;
			double hd = d->dt > 0 ? less(u->c.hdsi, pu ? pu->c.hdsi : 0) / d->dt : 0;

			unit_since(u, unit_in(b, u->tid), &c, &h);
			view_fmt_pct(p99, sizeof(p99), &h, 99);
			view_fmt_max(max, sizeof(max), &h);
			if (!f->has_latency) {
				snprintf(p99, sizeof(p99), "n/a");
				snprintf(max, sizeof(max), "n/a");
			}
			if (f->has_segments)
				page_add(pg, "  %8" PRIu32 " %8.1f %8" PRIu64 " %8" PRIu64 " %8" PRIu64
					 " %8" PRIu64 " %7s %7s", id, ds, c.dsegi, c.isegi, c.hdsi,
					 c.hisi, p99, max);
			else
				page_add(pg, "  %8" PRIu32 " %8.1f %8" PRIu64 " %8" PRIu64 " %7s %7s",
					 id, hd, c.hdsi, c.hisi, p99, max);
		}
	}
	page_add(pg, "%s", "");
	if (!f->has_latency) {
		page_add(pg, "latency: n/a: %s", f->no_latency_why ? f->no_latency_why :
			 "not measured by this source");
		return;
	}
	page_add(pg, "latency by path, %s (%s):", since, VIEW_BUCKET_LEGEND_SHORT);
	if (!g->total.npaths)
		page_add(pg, "  no samples yet");
	for (int i = 0; i < g->total.npaths; i++) {
		const struct agg_path *ap = &g->total.paths[i];
		const struct agg_path *bp = b ? path_in(&b->total, ap) : NULL;

		h = ap->hist;
		if (bp)
			hist_sub(&h, &ap->hist, &bp->hist);
		view_fmt_pct(p50, sizeof(p50), &h, 50);
		view_fmt_pct(p99, sizeof(p99), &h, 99);
		view_fmt_max(max, sizeof(max), &h);
		page_add(pg, "%s / %s: %" PRIu64 " samples, p50 %s, p99 %s, max %s",
			 view_trap_str(ap->trap), agg_outcome_name(ap->outcome), h.count, p50, p99,
			 max);
		hist_lines(pg, &h, width);
	}
}

/* ---- the table -------------------------------------------------------- */
#define SCREEN_HEADER_MAX 12

/*
 * The header as screen lines, wrapped at the width rather than cut: the
 * filter, the counts at the end of a line, and why the source cannot show
 * something are what an operator needs to read.
 */
static int header_screen(const struct top_frame *f, int cols, char out[][512])
{
	char head[TOP_HEADER_MAX][512];
	int nh = top_header(head, f), n = 0;

	for (int i = 0; i < nh && n < SCREEN_HEADER_MAX; i++) {
		const char *p = head[i];
		bool first = true;

		if (textw_width(p) <= cols || cols < 20) {
			snprintf(out[n++], 512, "%s", p);
			continue;
		}
		while (*p && n < SCREEN_HEADER_MAX) {
			int room = cols - (first ? 0 : 5), w = 0, cut = 0, field = 0, at = 0;

			/* the last field (two spaces apart), else word, that fits */
			while (p[at]) {
				int cw;
				char one[8] = "";
				size_t len = 1;

				while (((unsigned char)p[at + len] & 0xc0) == 0x80)
					len++;
				memcpy(one, p + at, len);
				cw = textw_width(one);
				if (w + cw > room)
					break;
				w += cw;
				at += (int)len;
				if (p[at] == ' ')
					cut = at;
				if (p[at] == ' ' && p[at + 1] == ' ')
					field = at;
			}
			if (p[at] && field)
				cut = field;
			if (!p[at] || !cut)
				cut = at;
			snprintf(out[n++], 512, "%s%.*s", first ? "" : "     ", cut, p);
			p += cut;
			while (*p == ' ')
				p++;
			first = false;
		}
	}
	return n;
}

static void header_lines(struct tui *t, const struct top_frame *f, int cols, int *y)
{
	char head[SCREEN_HEADER_MAX][512];
	int nh = header_screen(f, cols, head);
	bool note = false;

	for (int i = 0; i < nh; i++) {
		/* continuation lines start with five spaces */
		note = !strncmp(head[i], "n/a:", 4) || (note && !strncmp(head[i], "     ", 5));
		tui_line(t, (*y)++, head[i], note ? TUI_NOTE : TUI_NORMAL);
	}
}

int top_screen_table_height(struct tui *t, const struct top_frame *f)
{
	char head[SCREEN_HEADER_MAX][512];
	int rows, cols, h;

	tui_size(t, &rows, &cols);
	/* header, titles, legend, status */
	h = rows - header_screen(f, cols, head) - 1 - (*top_legend(f) ? 1 : 0) - 1;
	return h < 1 ? 1 : h;
}

static void table(struct tui *t, const struct top_frame *f, const struct top_row *rows, int n,
		  struct top_ui *ui, int y, int cols)
{
	int height = top_screen_table_height(t, f);
	struct top_layout l;
	size_t len = (size_t)cols * 4 + 64;
	char *line = malloc(len), trend[64];

	if (!line)
		return;
	top_frame_layout(f, rows, n, cols, &l);
	top_layout_titles(&l, line, len);
	tui_line(t, y++, line, TUI_TITLE);
	if (ui->sel >= ui->first + height)
		ui->first = ui->sel - height + 1;
	if (ui->sel < ui->first)
		ui->first = ui->sel;
	if (ui->first > 0 && ui->first + height > n)
		ui->first = n > height ? n - height : 0;
	for (int i = ui->first; i < n && i < ui->first + height; i++) {
		top_trend_draw(f->trends, rows[i].pid, TOP_TREND_LEN, trend, sizeof(trend));
		top_layout_row(&l, &rows[i], trend, i == ui->sel, line, len);
		tui_line(t, y++, line, i == ui->sel ? TUI_SELECTED : rows[i].alive ? TUI_NORMAL :
			 TUI_DIM);
	}
	if (!n)
		tui_line(t, y, f->refresh ? "(no guest activity yet)" : "collecting...",
			 TUI_NORMAL);
	free(line);
}

static void page(struct tui *t, struct page *pg, struct top_ui *ui, int y, int rows)
{
	int height = rows - y - 1;

	if (height < 1)
		height = 1;
	if (ui->scroll > pg->n - height)
		ui->scroll = pg->n - height;
	if (ui->scroll < 0)
		ui->scroll = 0;
	ui->page_lines = pg->n;
	ui->page_height = height;
	for (int i = ui->scroll; i < pg->n && y < rows - 1; i++)
		tui_line(t, y++, pg->line[i], !strncmp(pg->line[i], "kvmslbtop keys", 14) ||
			 !strncmp(pg->line[i], "guest ", 6) ? TUI_BOLD : TUI_NORMAL);
}

static const char *hints(const struct top_ui *ui)
{
	switch (ui->view) {
	case TOP_VIEW_HELP:
		return "any key: back  j/k PgUp/PgDn: scroll  q: quit";
	case TOP_VIEW_GUEST:
		return "Esc: back to the table  j/k PgUp/PgDn: scroll  r reset  p pause  q quit";
	default:
		return "h help  q quit  Enter guest  o/O/i sort  f filter  p pause  r reset  s delay";
	}
}

void top_screen_draw(struct tui *t, bool repaint, const struct top_frame *f,
		     const struct top_row *rows, int n, struct top_ui *ui,
		     const struct top_detail *d)
{
	int nrows, cols, y = 0, at, cx = -1, cy = -1;
	char status[512];

	tui_size(t, &nrows, &cols);
	/* the selection follows its guest; if it is gone, the row where it was */
	at = ui->pid ? top_rows_find(rows, n, ui->pid) : -1;
	if (at >= 0)
		ui->sel = at;
	if (ui->sel >= n)
		ui->sel = n - 1;
	if (ui->sel < 0)
		ui->sel = 0;
	ui->pid = n ? rows[ui->sel].pid : ui->pid;
	tui_begin(t, repaint);
	header_lines(t, f, cols, &y);
	if (ui->view == TOP_VIEW_TABLE) {
		table(t, f, rows, n, ui, y, cols);
		if (*top_legend(f))
			tui_line(t, nrows - 2, top_legend(f), TUI_DIM);
	} else {
		struct page pg = { 0 };

		if (ui->view == TOP_VIEW_HELP)
			for (int i = 0; i < NHELP; i++)
				page_add(&pg, "%s", help_text[i]);
		else
			guest_page(&pg, f, d, cols);
		page(t, &pg, ui, y, nrows);
		page_free(&pg);
	}
	if (ui->prompt) {
		snprintf(status, sizeof(status), "%s%s", ui->prompt, ui->input);
		tui_line(t, nrows - 1, status, TUI_NORMAL);
		cy = nrows - 1;
		cx = textw_width(status);
		if (cx >= cols)
			cx = cols - 1;
	} else if (ui->message[0]) {
		tui_line(t, nrows - 1, ui->message, TUI_STATUS);
	} else {
		snprintf(status, sizeof(status), "%s%s", f->paused ? "PAUSED (p resumes)  " : "",
			 hints(ui));
		tui_line(t, nrows - 1, status, TUI_STATUS);
	}
	tui_end(t, cy, cx);
}
