#include "output.h"
#include "ndjson.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, one column */

size_t bq_utf8_width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

int bq_cell_text(const json_t *v, bq_buf *out)
{
	char num[32];

	switch (json_typeof(v)) {
	case JSON_STRING:
		return bq_buf_append(out, json_string_value(v), json_string_length(v));
	case JSON_NULL:
		return 0;
	case JSON_TRUE:
		return bq_buf_puts(out, "true");
	case JSON_FALSE:
		return bq_buf_puts(out, "false");
	case JSON_INTEGER:
		bq_snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v));
		return bq_buf_puts(out, num);
	default:
		return bq_json_dump_compact(v, out);
	}
}

/* ---- table ---- */

struct col {
	char *key;
	size_t width;
	bool numeric; /* every non-empty cell is a number: align right */
};

struct row {
	char **cells; /* ncells entries, NULL = missing */
	size_t ncells;
};

struct bq_table {
	size_t max_width;
	struct col *cols;
	size_t ncols, capcols;
	struct row *rows;
	size_t nrows, caprows;
};

struct bq_table *bq_table_new(size_t max_width)
{
	struct bq_table *t = calloc(1, sizeof(*t));

	if (t)
		t->max_width = max_width ? max_width : BQ_TABLE_MAX_WIDTH;
	if (t && t->max_width < 2)
		t->max_width = 2;
	return t;
}

static void forget_rows(struct bq_table *t)
{
	size_t i, j;

	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->rows[i].ncells; j++)
			free(t->rows[i].cells[j]);
		free(t->rows[i].cells);
	}
	t->nrows = 0;
}

static void forget_cols(struct bq_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		free(t->cols[i].key);
	t->ncols = 0;
}

void bq_table_free(struct bq_table *t)
{
	if (!t)
		return;
	forget_rows(t);
	forget_cols(t);
	free(t->rows);
	free(t->cols);
	free(t);
}

size_t bq_table_rows(const struct bq_table *t)
{
	return t->nrows;
}

/* A cell for people: control characters would break the alignment (or
 * the terminal), so they become '?'; long text is cut with an ellipsis. */
static char *cell_for_table(const json_t *v, size_t max_width)
{
	bq_buf raw = BQ_BUF_INIT, out = BQ_BUF_INIT;
	size_t i, w = 0;

	if (bq_cell_text(v, &raw) < 0) {
		bq_buf_release(&raw);
		return NULL;
	}
	for (i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.data[i];

		if ((c & 0xC0) != 0x80) {
			if (w == max_width - 1 &&
			    bq_utf8_width(raw.data + i, raw.len - i) > 1) {
				bq_buf_puts(&out, ELLIPSIS);
				break;
			}
			w++;
		}
		bq_buf_putc(&out, c < 0x20 || c == 0x7f ? '?' : (char)c);
	}
	bq_buf_release(&raw);
	if (!out.data)
		return strdup("");
	return bq_buf_detach(&out);
}

static long col_index(struct bq_table *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].key, key) == 0)
			return (long)i;
	if (t->ncols == t->capcols) {
		size_t n = t->capcols ? t->capcols * 2 : 8;
		struct col *c = realloc(t->cols, n * sizeof(*c));

		if (!c)
			return -1;
		t->cols = c;
		t->capcols = n;
	}
	t->cols[t->ncols].key = strdup(key);
	if (!t->cols[t->ncols].key)
		return -1;
	t->cols[t->ncols].width = 0;
	t->cols[t->ncols].numeric = true;
	return (long)t->ncols++;
}

static int set_cell(struct bq_table *t, struct row *r, const char *key,
		    const json_t *v)
{
	long ci = col_index(t, key);
	char *text;

	if (ci < 0)
		return -1;
	if ((size_t)ci >= r->ncells) {
		char **c = realloc(r->cells, (size_t)(ci + 1) * sizeof(*c));

		if (!c)
			return -1;
		memset(c + r->ncells, 0, ((size_t)ci + 1 - r->ncells) * sizeof(*c));
		r->cells = c;
		r->ncells = (size_t)ci + 1;
	}
	text = cell_for_table(v, t->max_width);
	if (!text)
		return -1;
	free(r->cells[ci]);
	r->cells[ci] = text;
	if (!json_is_number(v) && !json_is_null(v))
		t->cols[ci].numeric = false;
	return 0;
}

int bq_table_add(struct bq_table *t, const json_t *rowv)
{
	struct row r = { NULL, 0 };
	const char *key;
	json_t *v;

	if (t->nrows == t->caprows) {
		size_t n = t->caprows ? t->caprows * 2 : 64;
		struct row *rows = realloc(t->rows, n * sizeof(*rows));

		if (!rows)
			return -1;
		t->rows = rows;
		t->caprows = n;
	}
	if (json_is_object(rowv)) {
		json_object_foreach((json_t *)rowv, key, v) {
			if (set_cell(t, &r, key, v) < 0)
				goto fail;
		}
	} else if (set_cell(t, &r, "value", rowv) < 0) {
		goto fail;
	}
	t->rows[t->nrows++] = r;
	return 0;
fail:
	while (r.ncells)
		free(r.cells[--r.ncells]);
	free(r.cells);
	return -1;
}

static void pad(bq_buf *out, size_t n)
{
	while (n--)
		bq_buf_putc(out, ' ');
}

/* Cells of one line; the last column is not padded on the right so lines
 * carry no trailing blanks. */
static void put_line(struct bq_table *t, bq_buf *out, char *const *cells,
		     size_t ncells, bool header)
{
	size_t j, last = t->ncols;
	bq_buf line = BQ_BUF_INIT;

	for (j = 0; j < t->ncols; j++) {
		const char *c = j < ncells && cells[j] ? cells[j] : "";
		size_t w = bq_utf8_width(c, strlen(c));
		size_t fill = t->cols[j].width > w ? t->cols[j].width - w : 0;

		if (j)
			bq_buf_puts(&line, "  ");
		if (t->cols[j].numeric && !header) {
			pad(&line, fill);
			bq_buf_puts(&line, c);
		} else {
			bq_buf_puts(&line, c);
			if (j + 1 < last)
				pad(&line, fill);
		}
	}
	while (line.len && line.data[line.len - 1] == ' ')
		line.len--;
	bq_buf_append(out, line.data ? line.data : "", line.len);
	bq_buf_putc(out, '\n');
	bq_buf_release(&line);
}

int bq_table_flush(struct bq_table *t, bq_buf *out)
{
	size_t i, j;
	char **hdr;
	size_t before = out->len;

	if (t->nrows == 0)
		return 0;
	hdr = calloc(t->ncols, sizeof(*hdr));
	if (!hdr)
		return -1;
	for (j = 0; j < t->ncols; j++) {
		hdr[j] = t->cols[j].key;
		t->cols[j].width = bq_utf8_width(hdr[j], strlen(hdr[j]));
	}
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->rows[i].ncells; j++)
			if (t->rows[i].cells[j]) {
				size_t w = bq_utf8_width(t->rows[i].cells[j],
							 strlen(t->rows[i].cells[j]));

				if (w > t->cols[j].width)
					t->cols[j].width = w;
			}
	put_line(t, out, hdr, t->ncols, true);
	for (i = 0; i < t->nrows; i++)
		put_line(t, out, t->rows[i].cells, t->rows[i].ncells, false);
	free(hdr);
	forget_rows(t);
	forget_cols(t);
	/* bq_buf appends are all-or-nothing; a short result means memory ran out */
	return out->len > before ? 0 : -1;
}

/* ---- csv ---- */

struct bq_csv {
	char **keys;
	size_t nkeys;
	bool started;
};

struct bq_csv *bq_csv_new(void)
{
	return calloc(1, sizeof(struct bq_csv));
}

void bq_csv_free(struct bq_csv *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nkeys; i++)
		free(c->keys[i]);
	free(c->keys);
	free(c);
}

static int csv_field(bq_buf *out, const char *s, size_t n)
{
	size_t i;
	int rc = 0;

	if (strcspn(s, ",\"\r\n") >= n)
		return bq_buf_append(out, s, n);
	rc |= bq_buf_putc(out, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			rc |= bq_buf_putc(out, '"');
		rc |= bq_buf_putc(out, s[i]);
	}
	rc |= bq_buf_putc(out, '"');
	return rc ? -1 : 0;
}

static int csv_value(bq_buf *out, const json_t *v)
{
	bq_buf cell = BQ_BUF_INIT;
	int rc = -1;

	if (!v)
		return 0;
	if (bq_cell_text(v, &cell) == 0)
		rc = csv_field(out, cell.data ? cell.data : "", cell.len);
	bq_buf_release(&cell);
	return rc;
}

int bq_csv_add(struct bq_csv *c, const json_t *row, bq_buf *out)
{
	size_t i;
	int rc = 0;

	if (!c->started) {
		const char *key;
		json_t *v;
		size_t n = json_is_object(row) ? json_object_size(row) : 1;

		c->keys = calloc(n ? n : 1, sizeof(*c->keys));
		if (!c->keys)
			return -1;
		if (json_is_object(row)) {
			json_object_foreach((json_t *)row, key, v) {
				(void)v;
				c->keys[c->nkeys] = strdup(key);
				if (!c->keys[c->nkeys])
					return -1;
				c->nkeys++;
			}
		} else {
			c->keys[0] = strdup("value");
			if (!c->keys[0])
				return -1;
			c->nkeys = 1;
		}
		c->started = true;
		for (i = 0; i < c->nkeys; i++) {
			if (i)
				rc |= bq_buf_putc(out, ',');
			rc |= csv_field(out, c->keys[i], strlen(c->keys[i]));
		}
		rc |= bq_buf_puts(out, "\r\n");
	}
	for (i = 0; i < c->nkeys; i++) {
		const json_t *v;

		if (i)
			rc |= bq_buf_putc(out, ',');
		if (json_is_object(row))
			v = json_object_get(row, c->keys[i]);
		else
			v = c->nkeys == 1 && strcmp(c->keys[0], "value") == 0 ? row : NULL;
		rc |= csv_value(out, v);
	}
	rc |= bq_buf_puts(out, "\r\n");
	return rc ? -1 : 0;
}

/* ---- sparkline ---- */

int bq_sparkline(const double *v, size_t n, bq_buf *out)
{
	static const char *const bars[8] = {
		"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
		"\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88",
	};
	double lo = INFINITY, hi = -INFINITY;
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		if (v[i] < lo)
			lo = v[i];
		if (v[i] > hi)
			hi = v[i];
	}
	for (i = 0; i < n; i++) {
		int level = 0;

		if (!isfinite(v[i])) {
			rc |= bq_buf_putc(out, ' ');
			continue;
		}
		if (hi > lo)
			level = (int)((v[i] - lo) / (hi - lo) * 7.0 + 0.5);
		if (level < 0)
			level = 0;
		if (level > 7)
			level = 7;
		rc |= bq_buf_puts(out, bars[level]);
	}
	return rc ? -1 : 0;
}
