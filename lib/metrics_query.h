/*
 * metrics_query: the CloudWatch knowledge behind `bq-metrics get`, as pure
 * functions (no I/O, no clock: "now" is always passed in).
 *
 *   statistics   bq_metrics_stat_norm() turns what a user types ("avg",
 *                "p99.9", "SampleCount") into CloudWatch's spelling;
 *                bq_metrics_default_stat() picks Sum for counts and Average
 *                for everything else (latencies, scores, unknown metrics).
 *   units        GetMetricData returns no units, so the unit of a datapoint
 *                comes from a table of the AWS/Bedrock* metrics (or Count for
 *                SampleCount); unknown metrics get none.
 *   periods      parsing ("5m", "300") and checking a period against the
 *                window and CloudWatch's retention rules; window alignment.
 *   discovery    ListMetrics pages -> the ModelId values and metric names
 *                of a namespace (cache-token metric names are discovered,
 *                never assumed).
 *   plan         the series to fetch (metric, dimensions, stat, period),
 *                cut into GetMetricData calls of at most 500 queries with
 *                ids "q<index>"; result pages map back to datapoint records
 *                in ascending time.
 *
 * Ownership: functions taking json_t * borrow it; functions returning
 * json_t * return a new reference.  A plan owns copies of everything added
 * to it; release it with bq_metrics_plan_release().  Int functions return
 * 0, or -1 with err filled (usage errors are BQ_EXIT_USAGE).
 */
#ifndef BQ_METRICS_QUERY_H
#define BQ_METRICS_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"

#define BQ_METRICS_NAMESPACE "AWS/Bedrock"
#define BQ_METRICS_STAT_MAX 16     /* "p99.99" and "SampleCount" fit */
#define BQ_METRICS_MAX_QUERIES 500 /* MetricDataQuery entries per call */
#define BQ_METRICS_NAME_MAX 255    /* MetricName, Namespace, dimension name */
#define BQ_METRICS_DIMVAL_MAX 1024 /* dimension value */
#define BQ_METRICS_MAX_DIMS 30

/* ---- statistics and units ---------------------------------------------- */

/* Normalises the statistic s (len bytes; case-insensitive): sum -> Sum,
 * avg/average/mean -> Average, min/minimum -> Minimum, max/maximum ->
 * Maximum, count/samplecount/n -> SampleCount, pNN and pNN.NN (0 to 100,
 * at most two decimals, as CloudWatch accepts) -> "pNN[.NN]". */
int bq_metrics_stat_norm(const char *s, size_t len,
			 char out[BQ_METRICS_STAT_MAX], bq_err *err);
/* True for a normalised pNN statistic. */
bool bq_metrics_stat_is_percentile(const char *stat);
/* "Sum" for metrics known to count things, "Average" otherwise. */
const char *bq_metrics_default_stat(const char *namespace_, const char *metric);
/* The unit of a datapoint of metric under stat ("Milliseconds", "Count",
 * "None"), or NULL when unknown (only AWS/Bedrock* metrics are known;
 * SampleCount is always "Count").  Static string. */
const char *bq_metrics_unit(const char *namespace_, const char *metric,
			    const char *stat);
/* True when unit is one of CloudWatch's StandardUnit values. */
bool bq_metrics_unit_valid(const char *unit);

/* The default metric list of AWS/Bedrock (interface.md section 5), NULL
 * terminated, static. */
extern const char *const bq_metrics_default_metrics[];
/* True for a metric name of the prompt-cache family (any spelling AWS
 * uses: CacheReadInputTokens, CacheWriteInputTokenCount, ...). */
bool bq_metrics_is_cache_metric(const char *metric);

/* ---- periods and windows ----------------------------------------------- */

/* A period: plain seconds ("300") or a duration ("90s", "5m", "1h", "1d",
 * compounds such as "1h30m").  Must be positive. */
int bq_metrics_period_parse(const char *s, long *out, bq_err *err);
/* Checks period against the window [start, end) seen at time now (epoch
 * seconds): 1, 5, 10, 20, 30 or a multiple of 60; sub-minute periods only
 * while the window stays inside the last 3 hours; multiples of 5 minutes
 * once the start is more than 15 days old, of 1 hour past 63 days; no
 * window that ended more than 455 days ago.  Usage errors say why. */
int bq_metrics_period_check(long period, double start, double end, double now,
			    bq_err *err);
/* Aligns the window to the period: start down, end up to a multiple of it
 * (clock-aligned buckets; moto starts buckets at StartTime). */
void bq_metrics_align_window(long period, double *start, double *end);
/* The smallest multiple of step, at least end - start long, with no multiple
 * of it inside (start, end): the window is then one bucket whether the
 * service starts buckets at StartTime or at multiples of the period since
 * the epoch (the documentation does not say which; the peers do the
 * latter).  start and end are whole seconds.  Falls back to the window
 * rounded up to step when no such period is within 64 windows. */
long bq_metrics_cover_period(double start, double end, long step);

/* ---- time helpers ------------------------------------------------------ */

/* RFC 3339 UTC with Z; milliseconds only when t has a fraction. */
int bq_metrics_fmt_time(double t, char *out, size_t n);
/* A CloudWatch timestamp from a response: epoch seconds (number) or an
 * ISO 8601 string.  Returns 0 and sets *t, or -1. */
int bq_metrics_parse_ts(const json_t *v, double *t);
/* RFC 3339 / ISO 8601 text ("2026-11-26T10:00:00Z", "...+01:00",
 * fractional seconds allowed) to epoch seconds.  Returns 0 or -1. */
int bq_metrics_parse_iso(const char *s, double *t);

/* A value as JSON: an integer when it is integral (counts, sums of token
 * counts: a seeded 5 comes back as 5, not 5.0), a real otherwise. */
json_t *bq_metrics_number(double v);

/* ---- discovery (ListMetrics) ------------------------------------------- */

typedef struct bq_metrics_discovery {
	char **models;   /* distinct ModelId values, sorted after _finish */
	size_t nmodels, capmodels;
	char **names;    /* distinct metric names seen with ModelId alone */
	size_t nnames, capnames;
} bq_metrics_discovery;

void bq_metrics_discovery_init(bq_metrics_discovery *d);
/* Adds the Metrics array of one ListMetrics page.  Only metrics whose sole
 * dimension is ModelId count (OutputImageCount's image dimensions and the
 * account-wide delivery metrics do not name models). */
int bq_metrics_discovery_add(bq_metrics_discovery *d, const json_t *metrics,
			     bq_err *err);
/* Sorts models and names (bytewise) for stable output. */
void bq_metrics_discovery_finish(bq_metrics_discovery *d);
bool bq_metrics_discovery_has_name(const bq_metrics_discovery *d,
				   const char *name);
void bq_metrics_discovery_release(bq_metrics_discovery *d);

/* {"kind":"metric","namespace","metric","dimensions":{}} from one element of
 * ListMetrics' Metrics array; NULL when the element is malformed. */
json_t *bq_metrics_list_record(const json_t *metric);

/* ---- the plan: series -> GetMetricData queries -> records -------------- */

typedef struct bq_metrics_series {
	char *metric;
	json_t *dims;      /* object name -> value (owned reference) */
	char *model_id;    /* the ModelId dimension's value, or NULL */
	char stat[BQ_METRICS_STAT_MAX];
	long period;
	const char *unit;  /* static, or NULL */
} bq_metrics_series;

typedef struct bq_metrics_plan {
	char *namespace_;
	bq_metrics_series *s;
	size_t n, cap;
	size_t batch_size;  /* queries per call: BQ_METRICS_MAX_QUERIES */
} bq_metrics_plan;

int bq_metrics_plan_init(bq_metrics_plan *p, const char *namespace_,
			 bq_err *err);
void bq_metrics_plan_release(bq_metrics_plan *p);
/* Adds a series.  dims (object of string values, may be NULL) is copied;
 * stat must be normalised; unit is looked up. */
int bq_metrics_plan_add(bq_metrics_plan *p, const char *metric,
			const json_t *dims, const char *stat, long period,
			bq_err *err);
/* Number of GetMetricData calls (before paging) the plan needs. */
size_t bq_metrics_plan_nbatches(const bq_metrics_plan *p);
/* The MetricDataQueries array of batch b (series [b*size, (b+1)*size)). */
json_t *bq_metrics_plan_queries(const bq_metrics_plan *p, size_t b);
/* The series index a result Id names, or -1 when it names none. */
long bq_metrics_plan_lookup(const bq_metrics_plan *p, const char *id);

/* One datapoint of one series. */
typedef struct bq_metrics_point {
	double ts;
	double value;
	size_t series;
} bq_metrics_point;

/* Growable array of points. */
typedef struct bq_metrics_points {
	bq_metrics_point *v;
	size_t n, cap;
} bq_metrics_points;

void bq_metrics_points_release(bq_metrics_points *pts);
/* Appends the datapoints of one GetMetricData response page (its
 * MetricDataResults) to pts.  Results naming no series of the plan, and
 * Timestamps/Values arrays of different lengths, are errors (the service
 * broke its contract).  Per-result status codes other than Complete and
 * PartialData, and the page's Messages, are appended to warn as lines of
 * text (warn may be NULL). */
int bq_metrics_page_collect(const bq_metrics_plan *p, const json_t *resp,
			    bq_metrics_points *pts, bq_buf *warn, bq_err *err);
/* Sorts points ascending by time, then series index (stable for equal
 * keys). */
void bq_metrics_points_sort(bq_metrics_points *pts);
/* Merging the pages of one GetMetricData call into one ascending stream,
 * whichever way the service cuts pages (by time, or query after query as
 * the peers do).  A point is released once every series of the call that
 * is not yet Complete has already delivered a later timestamp (their
 * future points can only be later still, ScanBy being ascending), and
 * everything is released after the last page.  Memory holds only points
 * not yet released. */
typedef struct bq_metrics_merge {
	size_t lo, n;        /* the call's series: [lo, lo + n) */
	double *last;        /* per series: newest timestamp seen, or -inf */
	bool *done;          /* per series: StatusCode Complete seen */
	bq_metrics_points pending; /* sorted after each page */
} bq_metrics_merge;

int bq_metrics_merge_init(bq_metrics_merge *m, size_t lo, size_t n, bq_err *err);
void bq_metrics_merge_release(bq_metrics_merge *m);
/* Adds one response page (see bq_metrics_page_collect for warn). */
int bq_metrics_merge_page(bq_metrics_merge *m, const bq_metrics_plan *p,
			  const json_t *resp, bq_buf *warn, bq_err *err);
/* How many of the first pending points may be written now, in order
 * (m->pending.v[0..k)); with last_page, all of them. */
size_t bq_metrics_merge_ready(const bq_metrics_merge *m, bool last_page);
/* Forgets the first k pending points (after they were written). */
void bq_metrics_merge_consume(bq_metrics_merge *m, size_t k);

/* The datapoint record of one point:
 * {"kind":"datapoint","ts","namespace","metric","dimensions","model_id",
 *  "stat","period","value","unit"}. */
json_t *bq_metrics_datapoint(const bq_metrics_plan *p,
			     const bq_metrics_point *pt);

#endif
