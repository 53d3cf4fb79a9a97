/*
 * xray_flatten: X-Ray segment documents into flat "span" records, one per
 * segment and subsegment, keeping the parent links.
 *
 * Pure: no I/O, no clock, no global state, so it is unit-tested and fuzzed
 * (tests/fuzz/fuzz_xray_flatten.c).
 *
 * A document is checked as a whole before anything is emitted: it must be
 * a JSON object whose every (sub)segment has a non-empty string id, a
 * string name, a numeric start_time, and a numeric end_time or
 * in_progress: true; subsegments, when present, must be an array of such
 * objects (nested at most BQ_XRAY_MAX_DEPTH deep).  A document that fails
 * gives -1 with err (BQ_EXIT_INPUT) naming the segment and the reason, and
 * no span: the caller reports it and goes on with the next document.
 *
 * Span record, in this key order (absent facts omitted):
 *   {"kind":"span","trace_id","id","parent_id","name","namespace","origin",
 *    "start","end","duration_ms","in_progress","error","fault","throttle",
 *    "http_status","aws_operation","request_id","model_id","annotations":{}}
 * - parent_id: a subsegment's enclosing (sub)segment; for the document's
 *   top object its own parent_id field (absent for a root segment).
 * - start/end: RFC 3339 UTC with milliseconds; duration_ms = end - start,
 *   rounded to the microsecond (an integer when whole).  An in-progress
 *   (sub)segment has "in_progress":true and no end or duration.
 * - error/fault/throttle: always present, false when the document does not
 *   set them.
 * - model_id: see bq_xray_model_id.
 * Spans come in document order, depth first: a (sub)segment, then its
 * subsegments.
 *
 * Ownership: json_t * arguments are borrowed.  The span handed to the
 * callback is borrowed for the call (json_incref to keep it).
 */
#ifndef BQ_XRAY_FLATTEN_H
#define BQ_XRAY_FLATTEN_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

#define BQ_XRAY_MAX_DEPTH 64

/* Numbers the renderers want without parsing the record's strings back. */
typedef struct bq_xray_span_info {
	double start;      /* epoch seconds */
	double end;        /* epoch seconds; meaningful when has_end */
	bool has_end;      /* false for in-progress (sub)segments */
	int depth;         /* 0 for the document's top object */
} bq_xray_span_info;

/* Called once per span.  Return 0 to go on, 1 to stop quietly (e.g. the
 * output closed), -1 to abort with err filled. */
typedef int (*bq_xray_span_fn)(json_t *span, const bq_xray_span_info *info,
			       void *ud, bq_err *err);

/* Flattens a parsed document.  trace_id is used when the document has none
 * (a subsegment sent on its own always has one; BatchGetTraces also gives
 * the trace's Id); may be NULL.  Returns 0, 1 (the callback stopped), or
 * -1 (malformed document, or the callback's error) with err filled. */
int bq_xray_flatten(const json_t *doc, const char *trace_id,
		    bq_xray_span_fn fn, void *ud, bq_err *err);
/* Same from the JSON text of a document (BatchGetTraces' Document). */
int bq_xray_flatten_text(const char *text, size_t len, const char *trace_id,
			 bq_xray_span_fn fn, void *ud, bq_err *err);

/* The model a (sub)segment called, first found of:
 *   1. the /model/{id}/ part of http.request.url, URL-decoded, when the
 *      call went to Bedrock (the URL or the name mentions "bedrock", or
 *      aws.operation is a Bedrock Runtime operation);
 *   2. aws.model_id or aws.modelId;
 *   3. OpenTelemetry's gen_ai.request.model anywhere under annotations,
 *      then metadata (any namespace; as one dotted key, nested objects, or
 *      the underscore form annotation keys must use: gen_ai_request_model).
 * Appends it to out and returns 1, 0 when there is none, -1 when out of
 * memory. */
int bq_xray_model_id(const json_t *seg, bq_buf *out);

/* Validation alone (what bq_xray_flatten checks first). 0 or -1 with err. */
int bq_xray_check(const json_t *doc, bq_err *err);

#endif
