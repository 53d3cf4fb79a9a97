/*
 * output: the renderers for people and spreadsheets behind -o, plus small
 * drawing helpers (sparklines).  Tools normally reach these through the
 * record writer (ndjson.h); the functions are public for tests and for
 * tools that draw (bq-metrics --plot, bq-trace --tree).
 *
 * TABLE (-o table): rows are buffered until bq_table_flush(), because
 * column widths need every row of the block; the writer flushes at the end
 * of the run, at bq_out_flush(), and every BQ_TABLE_BLOCK rows, so memory
 * stays bounded and a long run prints in blocks (each with its header).
 * Columns are the union of the rows' keys in order of first appearance;
 * strings print raw (control characters as '?'), null and missing keys as
 * empty, objects/arrays as compact JSON, numbers right-aligned.  A value
 * wider than max_width characters (UTF-8 code points) is cut and ends with
 * an ellipsis (U+2026).  Two spaces between columns; header = the keys.
 *
 * CSV (-o csv, RFC 4180): the first record's keys make the header row and
 * fix the columns; later records fill those columns (missing -> empty,
 * extra keys dropped).  Fields containing ',', '"', CR or LF are quoted
 * with '"' doubled; records end with CRLF as the RFC says; null prints
 * empty, true/false as words, objects/arrays as compact JSON.
 *
 * Ownership: *_add borrow the row; output goes to the caller's bq_buf
 * (appended), so the caller decides when and how bytes are written.
 */
#ifndef BQ_OUTPUT_H
#define BQ_OUTPUT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#define BQ_TABLE_BLOCK 1000
#define BQ_TABLE_MAX_WIDTH 48

struct bq_table;

/* max_width 0 = BQ_TABLE_MAX_WIDTH.  NULL when memory runs out. */
struct bq_table *bq_table_new(size_t max_width);
void bq_table_free(struct bq_table *t);
/* Adds one row (an object; any other value becomes a row with the single
 * column "value").  0 or -1 (memory). */
int bq_table_add(struct bq_table *t, const json_t *row);
size_t bq_table_rows(const struct bq_table *t);
/* Renders the buffered rows into out and forgets them.  Nothing is
 * written for an empty table.  0 or -1. */
int bq_table_flush(struct bq_table *t, bq_buf *out);

struct bq_csv;

struct bq_csv *bq_csv_new(void);
void bq_csv_free(struct bq_csv *c);
/* Appends the record (and, for the first, the header) to out. */
int bq_csv_add(struct bq_csv *c, const json_t *row, bq_buf *out);

/* One cell's text as table and CSV show it (strings raw, numbers in the
 * ndjson number policy, null -> "", containers compact JSON). */
int bq_cell_text(const json_t *v, bq_buf *out);

/* A sparkline of n values with the eight block characters U+2581..U+2588,
 * scaled between the minimum and the maximum; NaN prints as a space.
 * Appended to out. */
int bq_sparkline(const double *v, size_t n, bq_buf *out);

/* Display width of UTF-8 text in code points (continuation bytes do not
 * count).  Wide (CJK) characters count as one. */
size_t bq_utf8_width(const char *s, size_t n);

#endif
