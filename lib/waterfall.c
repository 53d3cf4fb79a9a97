/*
 * waterfall: a trace as an indented tree with time bars (see the header).
 */
#include "waterfall.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_COLS 40
#define TAIL_COLS 14 /* "| " + "%9.1f" + " ms" */
#define INDENT_MAX 16

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_FAULT "\033[31m"
#define C_WARN "\033[33m"
#define C_OK "\033[36m"
#define C_DIM "\033[2m"

static const char BAR_FULL[] = "\xe2\x96\x88";  /* U+2588 full block */
static const char BAR_OPEN[] = "\xe2\x96\x91";  /* U+2591 light shade */

typedef struct wf {
	const bq_wf_span *s;
	size_t n;
	size_t *order;    /* indices sorted by (parent, start, id) */
	size_t *first;    /* first child position in order[], per parent + roots */
	size_t *count;
	bool *done;
	double t0, total;
	int bar_cols;
	const bq_wf_opts *o;
	bq_buf *out;
} wf;

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

/* qsort has no user pointer, so each sort key carries what it compares. */
typedef struct wf_key {
	size_t idx;
	size_t parent;
	double start;
	const char *id;
} wf_key;

static int cmp_by_id(const void *pa, const void *pb)
{
	const wf_key *a = pa, *b = pb;
	int c = cmp_str(a->id, b->id);
	return c ? c : a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int cmp_order(const void *pa, const void *pb)
{
	const wf_key *a = pa, *b = pb;
	if (a->parent != b->parent)
		return a->parent < b->parent ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	return cmp_by_id(pa, pb);
}

/* Appends up to `cols` columns of s (UTF-8 aware: a column per code
 * point), padded with spaces to exactly cols.  A cut label ends in '~'. */
static int put_cols(bq_buf *out, const char *s, int cols)
{
	int used = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t len = strlen((const char *)p);
	int total = 0;

	for (size_t i = 0; i < len; i++)
		if ((p[i] & 0xC0) != 0x80)
			total++;
	int room = total > cols ? cols - 1 : cols;
	size_t i = 0;
	while (i < len && used < room) {
		size_t k = 1;
		while (i + k < len && (p[i + k] & 0xC0) == 0x80)
			k++;
		if (bq_buf_append(out, p + i, k) < 0)
			return -1;
		i += k;
		used++;
	}
	if (total > cols && bq_buf_putc(out, '~') < 0)
		return -1;
	if (total > cols)
		used++;
	for (; used < cols; used++)
		if (bq_buf_putc(out, ' ') < 0)
			return -1;
	return 0;
}

/* Clamped before the conversion: an end before its start, or a trace
 * spanning centuries, must not overflow int. */
static int cell(double x, int max)
{
	if (!(x > 0))
		return 0;
	return x > max ? max : (int)x;
}

static const char *row_color(const bq_wf_span *s)
{
	if (s->fault)
		return C_FAULT;
	if (s->error || s->throttle)
		return C_WARN;
	if (!s->has_end)
		return C_DIM;
	return C_OK;
}

static int draw_row(wf *w, size_t i, int depth)
{
	const bq_wf_span *s = &w->s[i];
	bq_buf *out = w->out;
	int indent = 2 * (depth < INDENT_MAX ? depth : INDENT_MAX);
	double end = s->has_end ? s->end : w->t0 + w->total;
	int a, b;

	for (int k = 0; k < indent; k++)
		if (bq_buf_putc(out, ' ') < 0)
			return -1;
	if (put_cols(out, s->label, LABEL_COLS - indent) < 0 || bq_buf_puts(out, " |") < 0)
		return -1;

	a = cell(floor((s->start - w->t0) / w->total * w->bar_cols), w->bar_cols - 1);
	b = cell(ceil((end - w->t0) / w->total * w->bar_cols), w->bar_cols);
	if (b < a + 1)
		b = a + 1;
	for (int c = 0; c < a; c++)
		if (bq_buf_putc(out, ' ') < 0)
			return -1;
	if (w->o->color && bq_buf_puts(out, row_color(s)) < 0)
		return -1;
	for (int c = a; c < b; c++)
		if (bq_buf_puts(out, s->has_end ? BAR_FULL : BAR_OPEN) < 0)
			return -1;
	if (w->o->color && bq_buf_puts(out, C_RESET) < 0)
		return -1;
	for (int c = b; c < w->bar_cols; c++)
		if (bq_buf_putc(out, ' ') < 0)
			return -1;
	if (s->has_end) {
		if (bq_buf_printf(out, "| %9.1f ms", (s->end - s->start) * 1000.0) < 0)
			return -1;
	} else if (bq_buf_puts(out, "|   running") < 0) {
		return -1;
	}

	bool flagged = s->fault || s->error || s->throttle || s->http_status >= 400;
	if (flagged && w->o->color && bq_buf_puts(out, row_color(s)) < 0)
		return -1;
	if (flagged && bq_buf_putc(out, ' ') < 0)
		return -1;
	if (s->fault && bq_buf_puts(out, " fault") < 0)
		return -1;
	if (s->error && bq_buf_puts(out, " error") < 0)
		return -1;
	if (s->throttle && bq_buf_puts(out, " throttle") < 0)
		return -1;
	if (s->http_status >= 400 && bq_buf_printf(out, " %d", s->http_status) < 0)
		return -1;
	if (flagged && w->o->color && bq_buf_puts(out, C_RESET) < 0)
		return -1;
	return bq_buf_putc(out, '\n');
}

static int draw(wf *w, size_t i, int depth)
{
	if (w->done[i])
		return 0;
	w->done[i] = true;
	if (draw_row(w, i, depth) < 0)
		return -1;
	for (size_t k = 0; k < w->count[i]; k++)
		if (draw(w, w->order[w->first[i] + k], depth + 1) < 0)
			return -1;
	return 0;
}

int bq_waterfall_render(const char *trace_id, const bq_wf_span *spans,
			size_t n, const bq_wf_opts *opts, bq_buf *out)
{
	bq_wf_opts defaults = { 100, false };
	const bq_wf_opts *o = opts ? opts : &defaults;
	int width = o->width <= 0 ? 100 : o->width < 60 ? 60 : o->width;
	wf w = { spans, n, NULL, NULL, NULL, NULL, 0, 0,
		 width - LABEL_COLS - 2 - TAIL_COLS, o, out };
	wf_key *by_id = NULL, *keys = NULL;
	int rc = -1;

	double t0 = 0, t1 = 0;
	for (size_t i = 0; i < n; i++) {
		double e = spans[i].has_end && spans[i].end > spans[i].start
			   ? spans[i].end : spans[i].start;
		if (i == 0 || spans[i].start < t0)
			t0 = spans[i].start;
		if (i == 0 || e > t1)
			t1 = e;
	}
	w.t0 = t0;
	w.total = t1 - t0 > 1e-9 ? t1 - t0 : 1e-3;

	if (o->color && bq_buf_puts(out, C_BOLD) < 0)
		return -1;
	if (bq_buf_printf(out, "trace %s  %.1f ms  %zu span%s", trace_id ? trace_id : "?",
			  (t1 - t0) * 1000.0, n, n == 1 ? "" : "s") < 0)
		return -1;
	if (o->color && bq_buf_puts(out, C_RESET) < 0)
		return -1;
	if (bq_buf_putc(out, '\n') < 0)
		return -1;
	if (n == 0)
		return 0;

	w.order = calloc(n, sizeof *w.order);
	w.first = calloc(n + 1, sizeof *w.first);
	w.count = calloc(n + 1, sizeof *w.count);
	w.done = calloc(n, sizeof *w.done);
	by_id = calloc(n, sizeof *by_id);
	keys = calloc(n, sizeof *keys);
	if (!keys || !w.order || !w.first || !w.count || !w.done || !by_id)
		goto done;

	for (size_t i = 0; i < n; i++) {
		by_id[i].idx = i;
		by_id[i].id = spans[i].id;
		by_id[i].start = spans[i].start;
	}
	qsort(by_id, n, sizeof *by_id, cmp_by_id);
	for (size_t i = 0; i < n; i++) {
		const char *pid = spans[i].parent_id;
		keys[i] = (wf_key){ i, n, spans[i].start, spans[i].id };
		if (!pid)
			continue;
		size_t lo = 0, hi = n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (cmp_str(by_id[mid].id, pid) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < n && cmp_str(by_id[lo].id, pid) == 0 && by_id[lo].idx != i)
			keys[i].parent = by_id[lo].idx;
	}
	qsort(keys, n, sizeof *keys, cmp_order);
	for (size_t k = 0; k < n; k++)
		w.order[k] = keys[k].idx;
	for (size_t k = n; k-- > 0;) {
		size_t p = keys[k].parent;
		w.first[p] = k;
		w.count[p]++;
	}

	/* Roots are the children of the virtual index n. */
	for (size_t k = 0; k < w.count[n]; k++)
		if (draw(&w, w.order[w.first[n] + k], 0) < 0)
			goto done;
	for (size_t k = 0; k < n; k++)
		if (!w.done[w.order[k]] && draw(&w, w.order[k], 0) < 0)
			goto done;
	rc = 0;
done:
	free(keys);
	free(w.order);
	free(w.first);
	free(w.count);
	free(w.done);
	free(by_id);
	return rc;
}
