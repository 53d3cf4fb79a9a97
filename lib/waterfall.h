/*
 * waterfall: one trace drawn for people as an indented tree of spans, each
 * with a bar placed and sized on the trace's own time scale.
 *
 *   trace 1-5f84c7a1-0123456789abcdef01234567  1250.0 ms  4 spans
 *   api                           |████████████████████████████████|  1250.0 ms
 *     handler                     |  ████████████████████████████  |  1100.0 ms
 *       bedrock-runtime Converse  |     ███████████████████        |   800.0 ms  fault 500
 *
 * Pure: text is appended to a caller-owned bq_buf, nothing is written
 * anywhere, no clock and no environment are read (the caller decides the
 * width and whether to colour: only on a terminal, never with NO_COLOR).
 *
 * Tree: a span's parent is the span whose id equals its parent_id; spans
 * whose parent is absent from the set are roots.  Roots and the children
 * of each span are ordered by start time, then id, so the same spans in any
 * order draw the same picture.  Spans caught in a parent cycle are drawn as
 * roots after the rest.
 *
 * Ownership: spans and their strings are borrowed for the call.
 */
#ifndef BQ_WATERFALL_H
#define BQ_WATERFALL_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

typedef struct bq_wf_span {
	const char *id;
	const char *parent_id; /* NULL for a root */
	const char *label;     /* what the row says ("name Operation model") */
	double start;          /* epoch seconds */
	double end;            /* epoch seconds, when has_end */
	bool has_end;          /* false: in progress, drawn to the trace's end */
	bool error, fault, throttle;
	int http_status;       /* 0 when unknown; shown when >= 400 */
} bq_wf_span;

typedef struct bq_wf_opts {
	int width;   /* columns of a row; < 60 is taken as 60; 0 = 100 */
	bool color;  /* ANSI colours: fault red, error/throttle yellow */
} bq_wf_opts;

/* Appends the trace's picture (header line and one row per span, each
 * ending in '\n').  0, or -1 when out of memory. */
int bq_waterfall_render(const char *trace_id, const bq_wf_span *spans,
			size_t n, const bq_wf_opts *opts, bq_buf *out);

#endif
