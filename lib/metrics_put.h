/*
 * metrics_put: input records -> PutMetricData MetricDatum objects, checked
 * against CloudWatch's rules before anything is sent, and batched within
 * PutMetricData's limits.  Pure: no I/O; "now" is passed in.
 *
 * Which records become which datum:
 *   datapoint  MetricName = metric, Value = value, Timestamp = ts,
 *              Dimensions = dimensions, Unit = unit (a StandardUnit).
 *   judgment   MetricName = "JudgeScore", Value = score (0..1), Timestamp =
 *              ts, Dimensions Rubric = rubric and ModelId = model_id (when
 *              the record has one), Unit = None.
 *   anything   needs --value FIELD; MetricName = --name, else the last
 *              component of the --value field's path; Timestamp = ts when
 *              the record has one, else the time CloudWatch receives it.
 * Options apply to every kind: --value FIELD and --name override the
 * record's own, --dimension KEY=FIELD adds (or replaces) a dimension, --unit
 * sets the unit where the record has none.  A --name starting with "." is
 * a field path; otherwise it is the literal name.  FIELD paths are dotted
 * ("a.b" or ".a.b").
 *
 * Checks (bedrock-facts.md 2.6 and the CloudWatch model): MetricName 1-255
 * bytes without control characters; at most 30 dimensions; dimension names
 * 1-255 and values 1-1024 printable ASCII bytes with a non-blank character,
 * names not starting with ':'; values finite, |v| <= 2^360 and zero or
 * |v| >= 2^-260; timestamps from 14 days before now to 2 hours after.
 *
 * Ownership: bq_metrics_put_datum() returns a new datum; the batch takes
 * its own references to datums and records.  Release with _release().
 */
#ifndef BQ_METRICS_PUT_H
#define BQ_METRICS_PUT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

#define BQ_METRICS_PUT_MAX_DATA 1000       /* MetricData entries per call */
#define BQ_METRICS_PUT_MAX_BYTES 1000000   /* keeps well inside 1 MB */
#define BQ_METRICS_JUDGE_METRIC "JudgeScore"

typedef struct bq_metrics_dimspec {
	const char *key;   /* dimension name */
	const char *field; /* field path in the record */
} bq_metrics_dimspec;

typedef struct bq_metrics_put_opts {
	const char *name;   /* --name NAME | .FIELD, or NULL */
	const char *value;  /* --value FIELD, or NULL */
	const char *unit;   /* --unit, or NULL */
	const bq_metrics_dimspec *dims;
	size_t ndims;
	int storage_resolution; /* 0 (CloudWatch's default, 60) or 1 */
} bq_metrics_put_opts;

/* Checks a namespace for publishing: 1-255 printable ASCII bytes, not
 * starting with ':' and not in the reserved "AWS/" tree.  Usage error. */
int bq_metrics_put_check_namespace(const char *ns, bq_err *err);
/* Parses "KEY=FIELD" into spec (pointers into arg, which must outlive it).
 * Usage error. */
int bq_metrics_put_parse_dimspec(char *arg, bq_metrics_dimspec *spec,
				 bq_err *err);
/* Checks the options themselves (unit, storage resolution, dimension
 * names).  Usage error. */
int bq_metrics_put_check_opts(const bq_metrics_put_opts *o, bq_err *err);

/* The field at a dotted path ("a.b" or ".a.b"), borrowed, or NULL. */
const json_t *bq_metrics_field(const json_t *rec, const char *path);

/* One record -> one MetricDatum.  A record that cannot be published is
 * -1 with err->exit_status BQ_EXIT_INPUT and a reason in err->message. */
int bq_metrics_put_datum(const bq_metrics_put_opts *o, const json_t *rec,
			 double now, json_t **datum, bq_err *err);

/* A batch: the MetricData of one PutMetricData call and the records that
 * produced them (passed through once the call succeeded). */
typedef struct bq_metrics_batch {
	char *namespace_;
	json_t *data;     /* array of MetricDatum */
	json_t *records;  /* array of the input records, same order */
	size_t bytes;     /* serialised size of the request so far */
	double first;     /* "now" when the first pending datum came */
	size_t max_data;  /* BQ_METRICS_PUT_MAX_DATA unless a test lowers it */
	size_t max_bytes; /* BQ_METRICS_PUT_MAX_BYTES likewise */
} bq_metrics_batch;

int bq_metrics_batch_init(bq_metrics_batch *b, const char *ns, bq_err *err);
void bq_metrics_batch_release(bq_metrics_batch *b);
size_t bq_metrics_batch_len(const bq_metrics_batch *b);
/* True when datum would not fit: send the batch first. */
bool bq_metrics_batch_full(const bq_metrics_batch *b, const json_t *datum);
/* Adds datum and its record (both borrowed; the batch keeps references). */
int bq_metrics_batch_add(bq_metrics_batch *b, json_t *datum, json_t *record,
			 double now, bq_err *err);
/* The PutMetricData input {"Namespace","MetricData"} (new reference). */
json_t *bq_metrics_batch_request(const bq_metrics_batch *b);
/* Empties the batch after it was sent. */
void bq_metrics_batch_clear(bq_metrics_batch *b);

#endif
