/*
 * metrics_query: statistics, units, periods, discovery and the query plan
 * of bq-metrics get.  See metrics_query.h.
 */
#include "metrics_query.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "timeexpr.h"

/* ---- statistics and units ---------------------------------------------- */

static const struct {
	const char *alias;
	const char *stat;
} stat_aliases[] = {
	{ "sum", "Sum" },
	{ "avg", "Average" },
	{ "average", "Average" },
	{ "mean", "Average" },
	{ "min", "Minimum" },
	{ "minimum", "Minimum" },
	{ "max", "Maximum" },
	{ "maximum", "Maximum" },
	{ "count", "SampleCount" },
	{ "samplecount", "SampleCount" },
	{ "n", "SampleCount" },
};

/* CloudWatch's ExtendedStatistic pattern for percentiles is
 * p(\d{1,2}(\.\d{0,2})?|100); "p100.0" and "p99." are refused here to keep
 * one spelling per percentile. */
static bool percentile_ok(const char *s, size_t len)
{
	size_t i = 1, d = 0;

	if (len < 2 || (s[0] != 'p' && s[0] != 'P'))
		return false;
	if (len == 4 && memcmp(s + 1, "100", 3) == 0)
		return true;
	while (i < len && isdigit((unsigned char)s[i]) && d < 3) {
		i++;
		d++;
	}
	if (d == 0 || d > 2)
		return false;
	if (i == len)
		return true;
	if (s[i] != '.')
		return false;
	i++;
	d = 0;
	while (i < len && isdigit((unsigned char)s[i])) {
		i++;
		d++;
	}
	return i == len && d >= 1 && d <= 2;
}

int bq_metrics_stat_norm(const char *s, size_t len,
			 char out[BQ_METRICS_STAT_MAX], bq_err *err)
{
	size_t i;

	for (i = 0; i < sizeof stat_aliases / sizeof stat_aliases[0]; i++) {
		if (strlen(stat_aliases[i].alias) == len &&
		    strncasecmp(s, stat_aliases[i].alias, len) == 0) {
			bq_strlcpy(out, stat_aliases[i].stat, BQ_METRICS_STAT_MAX);
			return 0;
		}
	}
	if (len < BQ_METRICS_STAT_MAX && percentile_ok(s, len)) {
		memcpy(out, s, len);
		out[0] = 'p';
		out[len] = '\0';
		return 0;
	}
	return bq_fail(err, BQ_EXIT_USAGE,
		       "unknown statistic '%.*s' (use Sum, Average, Minimum, "
		       "Maximum, SampleCount or pNN such as p99 or p99.9)",
		       (int)(len > 64 ? 64 : len), s);
}

bool bq_metrics_stat_is_percentile(const char *stat)
{
	return stat && stat[0] == 'p' && isdigit((unsigned char)stat[1]);
}

/* Units of the metrics AWS publishes under AWS/Bedrock, AWS/Bedrock/
 * Guardrails and AWS/Bedrock/Agents (bedrock-facts.md 2.1-2.5).  The docs
 * print "SampleCount" as the unit of counters; what datapoints carry is
 * Count, which is also a StandardUnit, so counters say Count. */
static const struct {
	const char *metric;
	const char *unit;
} units[] = {
	{ "Invocations", "Count" },
	{ "InvocationLatency", "Milliseconds" },
	{ "InvocationClientErrors", "Count" },
	{ "InvocationServerErrors", "Count" },
	{ "InvocationThrottles", "Count" },
	{ "InputTokenCount", "Count" },
	{ "OutputTokenCount", "Count" },
	{ "LegacyModelInvocations", "Count" },
	{ "OutputImageCount", "Count" },
	{ "TimeToFirstToken", "Milliseconds" },
	{ "EstimatedTPMQuotaUsage", "Count" },
	{ "CacheReadInputTokens", "Count" },
	{ "CacheWriteInputTokens", "Count" },
	{ "CacheReadInputTokenCount", "Count" },
	{ "CacheWriteInputTokenCount", "Count" },
	{ "ModelInvocationLogsCloudWatchDeliverySuccess", "Count" },
	{ "ModelInvocationLogsCloudWatchDeliveryFailure", "Count" },
	{ "ModelInvocationLogsS3DeliverySuccess", "Count" },
	{ "ModelInvocationLogsS3DeliveryFailure", "Count" },
	{ "ModelInvocationLargeDataS3DeliverySuccess", "Count" },
	{ "ModelInvocationLargeDataS3DeliveryFailure", "Count" },
	/* Guardrails */
	{ "TextUnitCount", "Count" },
	{ "InvocationsIntervened", "Count" },
	{ "FindingCounts", "Count" },
	{ "TotalFindings", "Count" },
	{ "Latency", "Milliseconds" },
	/* Agents */
	{ "InvocationCount", "Count" },
	{ "TotalTime", "Milliseconds" },
	{ "TTFT", "Milliseconds" },
	{ "ModelLatency", "Milliseconds" },
	{ "ModelInvocationCount", "Count" },
	{ "ModelInvocationThrottles", "Count" },
	{ "ModelInvocationClientErrors", "Count" },
	{ "ModelInvocationServerErrors", "Count" },
	{ "outputTokenCount", "Count" },
};

static bool bedrock_namespace(const char *ns)
{
	return ns && strncmp(ns, "AWS/Bedrock", 11) == 0 &&
	       (ns[11] == '\0' || ns[11] == '/');
}

static const char *known_unit(const char *ns, const char *metric)
{
	size_t i;

	if (!bedrock_namespace(ns) || !metric)
		return NULL;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(units[i].metric, metric) == 0)
			return units[i].unit;
	/* A cache spelling AWS has not used yet is still a token count. */
	if (bq_metrics_is_cache_metric(metric))
		return "Count";
	return NULL;
}

const char *bq_metrics_default_stat(const char *namespace_, const char *metric)
{
	const char *u = known_unit(namespace_, metric);

	return u && strcmp(u, "Count") == 0 ? "Sum" : "Average";
}

const char *bq_metrics_unit(const char *namespace_, const char *metric,
			    const char *stat)
{
	if (stat && strcmp(stat, "SampleCount") == 0)
		return "Count";
	return known_unit(namespace_, metric);
}

static const char *const standard_units[] = {
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
	"Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits",
	"Gigabits", "Terabits", "Percent", "Count", "Bytes/Second",
	"Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
	"Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
	"Gigabits/Second", "Terabits/Second", "Count/Second", "None",
};

bool bq_metrics_unit_valid(const char *unit)
{
	size_t i;

	for (i = 0; unit && i < sizeof standard_units / sizeof standard_units[0]; i++)
		if (strcmp(unit, standard_units[i]) == 0)
			return true;
	return false;
}

const char *const bq_metrics_default_metrics[] = {
	"Invocations", "InvocationLatency", "TimeToFirstToken",
	"InvocationClientErrors", "InvocationServerErrors",
	"InvocationThrottles", "InputTokenCount", "OutputTokenCount", NULL
};

bool bq_metrics_is_cache_metric(const char *metric)
{
	return metric && strncmp(metric, "Cache", 5) == 0 &&
	       strstr(metric, "Token") != NULL;
}

/* ---- periods and windows ----------------------------------------------- */

int bq_metrics_period_parse(const char *s, long *out, bq_err *err)
{
	int64_t ms;
	size_t i;

	if (!s || !*s)
		return bq_fail(err, BQ_EXIT_USAGE, "empty period");
	/* Bare digits are seconds, as CloudWatch's Period and the AWS CLI's
	 * --period are; anything else is a duration ("5m", "1h30m"). */
	for (i = 0; s[i] && isdigit((unsigned char)s[i]); i++)
		;
	if (!s[i]) {
		if (i > 9)
			return bq_fail(err, BQ_EXIT_USAGE, "period '%s' is too long", s);
		ms = strtoll(s, NULL, 10) * 1000;
	} else if (bq_duration_parse_ms(s, &ms, err)) {
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad period '%s' (seconds, or a duration such as "
			       "60s, 5m, 1h)", s);
	}
	if (ms <= 0)
		return bq_fail(err, BQ_EXIT_USAGE, "period '%s' must be positive", s);
	if (ms % 1000)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period '%s' is not a whole number of seconds", s);
	if (ms / 1000 > 1000L * 86400)
		return bq_fail(err, BQ_EXIT_USAGE, "period '%s' is too long", s);
	*out = (long)(ms / 1000);
	return 0;
}

#define DAY 86400.0

int bq_metrics_period_check(long period, double start, double end, double now,
			    bq_err *err)
{
	double age = now - start;

	if (period <= 0)
		return bq_fail(err, BQ_EXIT_USAGE, "period must be positive");
	if (end <= start)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "empty window: --since must be before --until");
	if (period < 60 && period != 1 && period != 5 && period != 10 &&
	    period != 20 && period != 30)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period %lds is not allowed: CloudWatch takes 1, 5, "
			       "10, 20 or 30 seconds (high-resolution metrics) or a "
			       "multiple of 60", period);
	if (period >= 60 && period % 60 != 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period %lds is not a multiple of 60 seconds", period);
	if (now - end > 455 * DAY)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "the window ended more than 455 days ago: CloudWatch "
			       "keeps no data that old");
	if (period < 60 && age > 3 * 3600.0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period %lds over a window starting more than 3 hours "
			       "ago: CloudWatch keeps sub-minute datapoints for 3 "
			       "hours only; use --period 1m or longer", period);
	if (age > 63 * DAY && period % 3600 != 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period %lds over a window starting more than 63 days "
			       "ago: CloudWatch keeps only hourly data that old; use "
			       "a multiple of 1h", period);
	if (age > 15 * DAY && period % 300 != 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "period %lds over a window starting more than 15 days "
			       "ago: CloudWatch keeps only 5-minute data that old; "
			       "use a multiple of 5m", period);
	return 0;
}

void bq_metrics_align_window(long period, double *start, double *end)
{
	double p = (double)period;

	*start = floor(*start / p) * p;
	*end = ceil(*end / p) * p;
	if (*end <= *start)
		*end = *start + p;
}

long bq_metrics_cover_period(double start, double end, long step)
{
	long long s = (long long)start, e = (long long)end, w = e - s, p;

	if (step <= 0)
		step = 60;
	if (w <= 0)
		return step;
	for (p = (w + step - 1) / step * step; p <= 64 * w + step; p += step)
		if (s / p == (e - 1) / p)
			return (long)p;
	return (long)((w + step - 1) / step * step);
}

/* ---- time helpers ------------------------------------------------------ */

int bq_metrics_fmt_time(double t, char *out, size_t n)
{
	if (!isfinite(t) || fabs(t) > 1e14)
		return -1;
	return bq_time_format_auto((int64_t)llround(t * 1000.0), out, n) ? 0 : -1;
}

int bq_metrics_parse_iso(const char *s, double *t)
{
	int64_t ms;
	bq_err err;

	/* Only absolute RFC 3339 text: a record's "ts" of "1h" or "now" is a
	 * mistake, not a time. */
	if (!s || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || !isdigit((unsigned char)s[3]) ||
	    s[4] != '-')
		return -1;
	if (bq_time_parse_ms(s, 0, &ms, &err))
		return -1;
	*t = (double)ms / 1000.0;
	return 0;
}

int bq_metrics_parse_ts(const json_t *v, double *t)
{
	if (json_is_number(v)) {
		*t = json_number_value(v);
		/* Milliseconds since the epoch (some encoders) are far beyond
		 * any plausible seconds value. */
		if (*t > 1e11)
			*t /= 1000.0;
		return 0;
	}
	if (json_is_string(v))
		return bq_metrics_parse_iso(json_string_value(v), t);
	return -1;
}

json_t *bq_metrics_number(double v)
{
	if (fabs(v) < 9007199254740992.0 && v == floor(v))
		return json_integer((json_int_t)v);
	return json_real(v);
}

/* ---- discovery --------------------------------------------------------- */

void bq_metrics_discovery_init(bq_metrics_discovery *d)
{
	memset(d, 0, sizeof *d);
}

static int strset_add(char ***v, size_t *n, size_t *cap, const char *s,
		      bq_err *err)
{
	size_t i;
	char *copy;

	for (i = 0; i < *n; i++)
		if (strcmp((*v)[i], s) == 0)
			return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		char **nv = realloc(*v, nc * sizeof *nv);

		if (!nv)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		*v = nv;
		*cap = nc;
	}
	copy = strdup(s);
	if (!copy)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	(*v)[(*n)++] = copy;
	return 0;
}

int bq_metrics_discovery_add(bq_metrics_discovery *d, const json_t *metrics,
			     bq_err *err)
{
	size_t i;
	const json_t *m;

	if (!metrics)
		return 0;
	if (!json_is_array(metrics))
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "ListMetrics returned Metrics that is not a list");
	json_array_foreach(metrics, i, m) {
		const json_t *dims = json_object_get(m, "Dimensions");
		const char *name = json_string_value(json_object_get(m, "MetricName"));
		const json_t *d0;
		const char *dn, *dv;

		if (!name || !json_is_array(dims) || json_array_size(dims) != 1)
			continue;
		d0 = json_array_get(dims, 0);
		dn = json_string_value(json_object_get(d0, "Name"));
		dv = json_string_value(json_object_get(d0, "Value"));
		if (!dn || !dv || strcmp(dn, "ModelId") != 0 || !*dv)
			continue;
		if (strset_add(&d->models, &d->nmodels, &d->capmodels, dv, err) ||
		    strset_add(&d->names, &d->nnames, &d->capnames, name, err))
			return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void bq_metrics_discovery_finish(bq_metrics_discovery *d)
{
	if (d->nmodels)
		qsort(d->models, d->nmodels, sizeof *d->models, cmp_str);
	if (d->nnames)
		qsort(d->names, d->nnames, sizeof *d->names, cmp_str);
}

bool bq_metrics_discovery_has_name(const bq_metrics_discovery *d,
				   const char *name)
{
	size_t i;

	for (i = 0; i < d->nnames; i++)
		if (strcmp(d->names[i], name) == 0)
			return true;
	return false;
}

void bq_metrics_discovery_release(bq_metrics_discovery *d)
{
	size_t i;

	for (i = 0; i < d->nmodels; i++)
		free(d->models[i]);
	for (i = 0; i < d->nnames; i++)
		free(d->names[i]);
	free(d->models);
	free(d->names);
	bq_metrics_discovery_init(d);
}

/* Dimensions [{"Name","Value"}] -> {"Name":"Value"}; NULL if malformed. */
static json_t *dims_to_object(const json_t *dims)
{
	json_t *o = json_object();
	size_t i;
	const json_t *d;

	if (!o)
		return NULL;
	if (!dims)
		return o;
	if (!json_is_array(dims))
		goto bad;
	json_array_foreach(dims, i, d) {
		const char *n = json_string_value(json_object_get(d, "Name"));
		json_t *v = json_object_get(d, "Value");

		if (!n || !json_is_string(v) || json_object_set(o, n, v))
			goto bad;
	}
	return o;
bad:
	json_decref(o);
	return NULL;
}

json_t *bq_metrics_list_record(const json_t *metric)
{
	const char *ns = json_string_value(json_object_get(metric, "Namespace"));
	const char *name = json_string_value(json_object_get(metric, "MetricName"));
	json_t *dims, *rec;

	if (!name)
		return NULL;
	dims = dims_to_object(json_object_get(metric, "Dimensions"));
	if (!dims)
		return NULL;
	rec = json_pack("{s:s, s:s*, s:s, s:o}", "kind", "metric", "namespace", ns,
			"metric", name, "dimensions", dims);
	return rec;
}

/* ---- the plan ---------------------------------------------------------- */

int bq_metrics_plan_init(bq_metrics_plan *p, const char *namespace_, bq_err *err)
{
	memset(p, 0, sizeof *p);
	p->batch_size = BQ_METRICS_MAX_QUERIES;
	p->namespace_ = strdup(namespace_ ? namespace_ : BQ_METRICS_NAMESPACE);
	if (!p->namespace_)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return 0;
}

void bq_metrics_plan_release(bq_metrics_plan *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free(p->s[i].metric);
		free(p->s[i].model_id);
		json_decref(p->s[i].dims);
	}
	free(p->s);
	free(p->namespace_);
	memset(p, 0, sizeof *p);
}

int bq_metrics_plan_add(bq_metrics_plan *p, const char *metric,
			const json_t *dims, const char *stat, long period,
			bq_err *err)
{
	bq_metrics_series *s;
	const char *model;

	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		bq_metrics_series *ns = realloc(p->s, nc * sizeof *ns);

		if (!ns)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		p->s = ns;
		p->cap = nc;
	}
	s = &p->s[p->n];
	memset(s, 0, sizeof *s);
	s->metric = strdup(metric);
	s->dims = dims ? json_deep_copy(dims) : json_object();
	model = json_string_value(json_object_get(s->dims, "ModelId"));
	s->model_id = model ? strdup(model) : NULL;
	if (!s->metric || !s->dims || (model && !s->model_id)) {
		free(s->metric);
		free(s->model_id);
		json_decref(s->dims);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	bq_strlcpy(s->stat, stat, sizeof s->stat);
	s->period = period;
	s->unit = bq_metrics_unit(p->namespace_, metric, stat);
	p->n++;
	return 0;
}

size_t bq_metrics_plan_nbatches(const bq_metrics_plan *p)
{
	return (p->n + p->batch_size - 1) / p->batch_size;
}

json_t *bq_metrics_plan_queries(const bq_metrics_plan *p, size_t b)
{
	json_t *arr = json_array();
	size_t i, lo = b * p->batch_size, hi = lo + p->batch_size;

	if (!arr)
		return NULL;
	if (hi > p->n)
		hi = p->n;
	for (i = lo; i < hi; i++) {
		const bq_metrics_series *s = &p->s[i];
		json_t *dims = json_array(), *q;
		const char *k;
		json_t *v;
		char id[32];

		if (!dims)
			goto oom;
		json_object_foreach(s->dims, k, v) {
			if (json_array_append_new(dims, json_pack("{s:s, s:O}",
								  "Name", k, "Value", v))) {
				json_decref(dims);
				goto oom;
			}
		}
		bq_snprintf(id, sizeof id, "q%zu", i);
		q = json_pack("{s:s, s:{s:{s:s, s:s, s:o}, s:I, s:s}, s:b}",
			      "Id", id, "MetricStat", "Metric", "Namespace",
			      p->namespace_, "MetricName", s->metric, "Dimensions",
			      dims, "Period", (json_int_t)s->period, "Stat", s->stat,
			      "ReturnData", 1);
		if (!q || json_array_append_new(arr, q))
			goto oom;
	}
	return arr;
oom:
	json_decref(arr);
	return NULL;
}

long bq_metrics_plan_lookup(const bq_metrics_plan *p, const char *id)
{
	char *end;
	unsigned long long n;

	if (!id || id[0] != 'q' || !isdigit((unsigned char)id[1]) ||
	    (id[1] == '0' && id[2]))
		return -1;
	n = strtoull(id + 1, &end, 10);
	if (*end || n >= p->n)
		return -1;
	return (long)n;
}

void bq_metrics_points_release(bq_metrics_points *pts)
{
	free(pts->v);
	memset(pts, 0, sizeof *pts);
}

static int points_push(bq_metrics_points *pts, double ts, double value,
		       size_t series, bq_err *err)
{
	if (pts->n == pts->cap) {
		size_t nc = pts->cap ? pts->cap * 2 : 256;
		bq_metrics_point *nv = realloc(pts->v, nc * sizeof *nv);

		if (!nv)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		pts->v = nv;
		pts->cap = nc;
	}
	pts->v[pts->n].ts = ts;
	pts->v[pts->n].value = value;
	pts->v[pts->n].series = series;
	pts->n++;
	return 0;
}

static void warn_messages(const json_t *msgs, const char *what, bq_buf *warn)
{
	size_t i;
	const json_t *m;

	if (!warn || !json_is_array(msgs))
		return;
	json_array_foreach(msgs, i, m) {
		const char *c = json_string_value(json_object_get(m, "Code"));
		const char *v = json_string_value(json_object_get(m, "Value"));

		bq_buf_printf(warn, "%s%s%s%s\n", what, c ? c : "message",
			      v ? ": " : "", v ? v : "");
	}
}

int bq_metrics_page_collect(const bq_metrics_plan *p, const json_t *resp,
			    bq_metrics_points *pts, bq_buf *warn, bq_err *err)
{
	const json_t *results = json_object_get(resp, "MetricDataResults");
	size_t i, j;
	const json_t *r;

	warn_messages(json_object_get(resp, "Messages"), "GetMetricData: ", warn);
	if (!results)
		return 0;
	if (!json_is_array(results))
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "GetMetricData returned MetricDataResults that is not a list");
	json_array_foreach(results, i, r) {
		const char *id = json_string_value(json_object_get(r, "Id"));
		const char *status = json_string_value(json_object_get(r, "StatusCode"));
		const json_t *ts = json_object_get(r, "Timestamps");
		const json_t *vs = json_object_get(r, "Values");
		long s = bq_metrics_plan_lookup(p, id);

		if (s < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "GetMetricData returned a result for unknown id '%s'",
				       id ? id : "(none)");
		if (status && strcmp(status, "Complete") != 0 &&
		    strcmp(status, "PartialData") != 0 && warn)
			bq_buf_printf(warn, "%s %s of %s: status %s\n", p->s[s].stat,
				      p->s[s].metric,
				      p->s[s].model_id ? p->s[s].model_id : p->namespace_,
				      status);
		if (warn && json_is_array(json_object_get(r, "Messages"))) {
			char what[300];

			bq_snprintf(what, sizeof what, "%s %s: ", p->s[s].stat,
				    p->s[s].metric);
			warn_messages(json_object_get(r, "Messages"), what, warn);
		}
		if (!ts && !vs)
			continue;
		if (!json_is_array(ts) || !json_is_array(vs) ||
		    json_array_size(ts) != json_array_size(vs))
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "GetMetricData returned %zu timestamps and %zu "
				       "values for id '%s'", json_array_size(ts),
				       json_array_size(vs), id);
		for (j = 0; j < json_array_size(ts); j++) {
			double t, v;
			const json_t *jv = json_array_get(vs, j);

			if (bq_metrics_parse_ts(json_array_get(ts, j), &t))
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "GetMetricData returned a bad timestamp for id '%s'",
					       id);
			if (!json_is_number(jv))
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "GetMetricData returned a value that is not "
					       "a number for id '%s'", id);
			v = json_number_value(jv);
			if (points_push(pts, t, v, (size_t)s, err))
				return -1;
		}
	}
	return 0;
}

static int cmp_point(const void *a, const void *b)
{
	const bq_metrics_point *x = a, *y = b;

	if (x->ts < y->ts)
		return -1;
	if (x->ts > y->ts)
		return 1;
	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	return 0;
}

void bq_metrics_points_sort(bq_metrics_points *pts)
{
	/* (ts, series) is unique within a page unless the service repeats a
	 * timestamp in one series; qsort's instability is then harmless
	 * because both records look alike apart from the value. */
	if (pts->n > 1)
		qsort(pts->v, pts->n, sizeof *pts->v, cmp_point);
}

int bq_metrics_merge_init(bq_metrics_merge *m, size_t lo, size_t n, bq_err *err)
{
	size_t i;

	memset(m, 0, sizeof *m);
	m->lo = lo;
	m->n = n;
	m->last = malloc((n ? n : 1) * sizeof *m->last);
	m->done = calloc(n ? n : 1, sizeof *m->done);
	if (!m->last || !m->done) {
		bq_metrics_merge_release(m);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	for (i = 0; i < n; i++)
		m->last[i] = -INFINITY;
	return 0;
}

void bq_metrics_merge_release(bq_metrics_merge *m)
{
	free(m->last);
	free(m->done);
	bq_metrics_points_release(&m->pending);
	memset(m, 0, sizeof *m);
}

int bq_metrics_merge_page(bq_metrics_merge *m, const bq_metrics_plan *p,
			  const json_t *resp, bq_buf *warn, bq_err *err)
{
	const json_t *r;
	size_t i, from = m->pending.n;

	if (bq_metrics_page_collect(p, resp, &m->pending, warn, err))
		return -1;
	/* Newest timestamp per series from the points just added. */
	for (i = from; i < m->pending.n; i++) {
		const bq_metrics_point *pt = &m->pending.v[i];

		if (pt->series < m->lo || pt->series >= m->lo + m->n)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "GetMetricData returned a result for a query of "
				       "another call");
		if (pt->ts > m->last[pt->series - m->lo])
			m->last[pt->series - m->lo] = pt->ts;
	}
	json_array_foreach(json_object_get(resp, "MetricDataResults"), i, r) {
		const char *status = json_string_value(json_object_get(r, "StatusCode"));
		long s = bq_metrics_plan_lookup(p, json_string_value(json_object_get(r, "Id")));

		if (s >= 0 && (size_t)s >= m->lo && (size_t)s < m->lo + m->n &&
		    (!status || strcmp(status, "PartialData") != 0))
			m->done[(size_t)s - m->lo] = true;
	}
	bq_metrics_points_sort(&m->pending);
	return 0;
}

size_t bq_metrics_merge_ready(const bq_metrics_merge *m, bool last_page)
{
	double w = INFINITY;
	size_t i, k = 0;

	if (last_page)
		return m->pending.n;
	for (i = 0; i < m->n; i++)
		if (!m->done[i] && m->last[i] < w)
			w = m->last[i];
	while (k < m->pending.n && m->pending.v[k].ts <= w)
		k++;
	return k;
}

void bq_metrics_merge_consume(bq_metrics_merge *m, size_t k)
{
	if (k >= m->pending.n) {
		m->pending.n = 0;
		return;
	}
	memmove(m->pending.v, m->pending.v + k, (m->pending.n - k) * sizeof *m->pending.v);
	m->pending.n -= k;
}

json_t *bq_metrics_datapoint(const bq_metrics_plan *p, const bq_metrics_point *pt)
{
	const bq_metrics_series *s = &p->s[pt->series];
	char ts[40];
	json_t *value = bq_metrics_number(pt->value);

	if (bq_metrics_fmt_time(pt->ts, ts, sizeof ts)) {
		json_decref(value);
		return NULL;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:O, s:s*, s:s, s:I, s:o, s:s*}",
			 "kind", "datapoint", "ts", ts, "namespace", p->namespace_,
			 "metric", s->metric, "dimensions", s->dims, "model_id",
			 s->model_id, "stat", s->stat, "period", (json_int_t)s->period,
			 "value", value, "unit", s->unit);
}
