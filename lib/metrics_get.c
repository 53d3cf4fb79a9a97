/*
 * metrics_get: `bq-metrics [get]` in its three forms.
 *
 *   records   one datapoint record per value in ascending time: the pages
 *             of each GetMetricData call are merged across series by
 *             timestamp (bq_metrics_merge), holding back only what a later
 *             page could still precede.
 *   summary   -o table or --plot: one series record per model and metric
 *             (points, min, max, last, total, sparkline), emitted at the end
 *             because a row needs the whole window.
 *   assert    --assert: one query per (subject, statistic, metric) with the
 *             whole window as the period, so percentiles are CloudWatch's
 *             own over the window, never averages of per-period values.
 *
 * A subject is a dimension set: {ModelId: m} in AWS/Bedrock, or each
 * dimension set ListMetrics shows in another namespace.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_assert.h"
#include "metrics_query.h"
#include "metrics_tool.h"
#include "output.h"
#include "timeexpr.h"

#define PLOT_MAX_COLS 48 /* the table's default column width */

enum get_mode { MODE_RECORDS, MODE_SUMMARY, MODE_ASSERT };

struct acc {
	size_t n;
	double min, max, total, last, last_ts;
};

struct fetch {
	bq_metrics_ctx *c;
	const bq_metrics_plan *plan;
	enum get_mode mode;
	struct acc *acc;      /* per series (summary and assert) */
	double *col_sum;      /* per series x ncols (plot) */
	unsigned *col_n;
	size_t ncols, nbuckets;
	double start, end;
	bq_metrics_points pts;  /* one page (summary, assert) */
	bq_metrics_merge merge; /* the current call (records) */
	bq_buf warn;
	size_t calls;
	long max_datapoints;  /* 0: the API's default */
	bool closed;
};

static bool is_bedrock_ns(const char *ns)
{
	return strcmp(ns, BQ_METRICS_NAMESPACE) == 0;
}

/* ---- fetching ---------------------------------------------------------- */

static void accumulate(struct fetch *f, const bq_metrics_point *pt)
{
	struct acc *a = &f->acc[pt->series];

	if (a->n == 0 || pt->value < a->min)
		a->min = pt->value;
	if (a->n == 0 || pt->value > a->max)
		a->max = pt->value;
	a->total += pt->value;
	if (a->n == 0 || pt->ts >= a->last_ts) {
		a->last = pt->value;
		a->last_ts = pt->ts;
	}
	a->n++;
	if (f->col_sum && f->nbuckets) {
		double idx = floor((pt->ts - f->start) / (double)f->plan->s[pt->series].period);
		size_t col;

		if (idx < 0 || idx >= (double)f->nbuckets)
			return;
		col = (size_t)idx * f->ncols / f->nbuckets;
		f->col_sum[pt->series * f->ncols + col] += pt->value;
		f->col_n[pt->series * f->ncols + col]++;
	}
}

static void print_warnings(struct fetch *f)
{
	const char *s = bq_buf_cstr(&f->warn), *nl;

	while ((nl = strchr(s, '\n')) != NULL) {
		bq_warn("%.*s", (int)(nl - s), s);
		s = nl + 1;
	}
	bq_buf_reset(&f->warn);
}

/* Writes the first k merged points as datapoint records. */
static int emit_ready(struct fetch *f, size_t k, bq_err *err)
{
	size_t i;

	for (i = 0; i < k; i++) {
		json_t *rec = bq_metrics_datapoint(f->plan, &f->merge.pending.v[i]);
		int rc;

		if (!rec)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		rc = bq_out_emit_new(f->c->out, rec, err);
		if (rc == BQ_OUT_CLOSED) {
			f->closed = true;
			return 1;
		}
		if (rc < 0)
			return -1;
	}
	bq_metrics_merge_consume(&f->merge, k);
	return 0;
}

static int on_page(json_t *page, void *ud, bq_err *err)
{
	struct fetch *f = ud;
	const char *next = json_string_value(json_object_get(page, "NextToken"));
	size_t i;
	int rc;

	f->calls++;
	if (f->mode == MODE_RECORDS) {
		rc = bq_metrics_merge_page(&f->merge, f->plan, page, &f->warn, err);
		print_warnings(f);
		if (rc < 0)
			return -1;
		return emit_ready(f, bq_metrics_merge_ready(&f->merge, !next || !*next), err);
	}
	f->pts.n = 0;
	rc = bq_metrics_page_collect(f->plan, page, &f->pts, &f->warn, err);
	print_warnings(f);
	if (rc < 0)
		return -1;
	for (i = 0; i < f->pts.n; i++)
		accumulate(f, &f->pts.v[i]);
	return 0;
}

/* Runs every batch of the plan over [start, end), following NextToken. */
static int fetch_all(struct fetch *f, double start, double end, bq_err *err)
{
	size_t b, nb = bq_metrics_plan_nbatches(f->plan);

	for (b = 0; b < nb && !f->closed; b++) {
		size_t lo = b * f->plan->batch_size, n = f->plan->n - lo;
		json_t *queries = bq_metrics_plan_queries(f->plan, b), *in;
		int rc;

		if (n > f->plan->batch_size)
			n = f->plan->batch_size;
		if (!queries)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		in = json_pack("{s:o, s:I, s:I, s:s}", "MetricDataQueries", queries,
			       "StartTime", (json_int_t)start, "EndTime", (json_int_t)end,
			       "ScanBy", "TimestampAscending");
		if (!in)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		if (f->max_datapoints)
			json_object_set_new(in, "MaxDatapoints",
					    json_integer((json_int_t)f->max_datapoints));
		if (bq_metrics_merge_init(&f->merge, lo, n, err)) {
			json_decref(in);
			return -1;
		}
		rc = bq_aws_paginate(f->c->aws, BQ_SVC_CLOUDWATCH, "GetMetricData", in,
				     "NextToken", "NextToken", on_page, f, err);
		json_decref(in);
		/* Whatever the last page left (e.g. paging ended on a repeated
		 * token) is complete now. */
		if (rc == 0 && !f->closed && f->merge.pending.n)
			rc = emit_ready(f, f->merge.pending.n, err) < 0 ? -1 : 0;
		bq_metrics_merge_release(&f->merge);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int fetch_init(struct fetch *f, bq_metrics_ctx *c, const bq_metrics_plan *plan,
		      enum get_mode mode, bool plot, double start, double end,
		      long period, bq_err *err)
{
	memset(f, 0, sizeof *f);
	f->c = c;
	f->plan = plan;
	f->mode = mode;
	f->start = start;
	f->end = end;
	if (bq_cli_has(c->cli, BQ_MO_MAX_DATAPOINTS) &&
	    bq_cli_parse_int("max-datapoints", bq_cli_get(c->cli, BQ_MO_MAX_DATAPOINTS),
			     1, 100800, &f->max_datapoints, err))
		return -1;
	if (mode == MODE_RECORDS || plan->n == 0)
		return 0;
	f->acc = calloc(plan->n, sizeof *f->acc);
	if (!f->acc)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (plot) {
		f->nbuckets = (size_t)((end - start) / (double)period);
		f->ncols = f->nbuckets < PLOT_MAX_COLS ? f->nbuckets : PLOT_MAX_COLS;
		if (f->ncols == 0)
			f->ncols = f->nbuckets = 1;
		f->col_sum = calloc(plan->n * f->ncols, sizeof *f->col_sum);
		f->col_n = calloc(plan->n * f->ncols, sizeof *f->col_n);
		if (!f->col_sum || !f->col_n)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

static void fetch_release(struct fetch *f)
{
	free(f->acc);
	free(f->col_sum);
	free(f->col_n);
	bq_metrics_points_release(&f->pts);
	bq_metrics_merge_release(&f->merge);
	bq_buf_release(&f->warn);
}

/* ---- listing ----------------------------------------------------------- */

struct disc_ctx {
	bq_metrics_discovery *d;
};

static int on_disc_page(json_t *page, void *ud, bq_err *err)
{
	struct disc_ctx *dc = ud;

	return bq_metrics_discovery_add(dc->d, json_object_get(page, "Metrics"), err);
}

/* ModelId values and metric names of AWS/Bedrock from ListMetrics. */
static int discover(bq_metrics_ctx *c, bq_metrics_discovery *d, bq_err *err)
{
	struct disc_ctx dc = { d };
	json_t *in = json_pack("{s:s, s:[{s:s}]}", "Namespace", c->namespace_,
			       "Dimensions", "Name", "ModelId");
	int rc;

	if (!in)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = bq_aws_paginate(c->aws, BQ_SVC_CLOUDWATCH, "ListMetrics", in, "NextToken",
			     "NextToken", on_disc_page, &dc, err);
	json_decref(in);
	if (rc == 0)
		bq_metrics_discovery_finish(d);
	return rc;
}

bool bq_metrics_model_selected(const struct bq_cli *cli, const char *model)
{
	size_t i, n = bq_cli_count(cli, BQ_MO_MODEL);

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (model && strcmp(bq_cli_nth(cli, BQ_MO_MODEL, i), model) == 0)
			return true;
	return false;
}

static bool metric_selected(const struct bq_cli *cli, const char *metric)
{
	size_t i, n = bq_cli_count(cli, BQ_MO_METRIC);

	if (n == 0)
		return true;
	for (i = 0; i < n; i++)
		if (strcmp(bq_cli_nth(cli, BQ_MO_METRIC, i), metric) == 0)
			return true;
	return false;
}

/* Every (metric, dimensions) ListMetrics shows in a namespace, filtered by
 * --metric and --model, as an array of {"metric","dims"} (new reference). */
struct series_list {
	const struct bq_cli *cli;
	json_t *items;
	const char *only_metric; /* one metric of interest, or NULL */
	const char *const *metrics; /* NULL-terminated filter, or NULL */
};

static bool in_list(const char *const *list, const char *s)
{
	for (; list && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return list == NULL;
}

static int on_list_page(json_t *page, void *ud, bq_err *err)
{
	struct series_list *sl = ud;
	const json_t *metrics = json_object_get(page, "Metrics");
	size_t i;
	json_t *m;

	json_array_foreach(metrics, i, m) {
		json_t *rec = bq_metrics_list_record(m), *dims;
		const char *name;

		if (!rec)
			continue;
		name = json_string_value(json_object_get(rec, "metric"));
		dims = json_object_get(rec, "dimensions");
		if (metric_selected(sl->cli, name) && (!sl->metrics || in_list(sl->metrics, name)) &&
		    bq_metrics_model_selected(sl->cli,
					      json_string_value(json_object_get(dims, "ModelId"))) &&
		    json_array_append_new(sl->items, json_pack("{s:s, s:O}", "metric", name,
							       "dims", dims))) {
			json_decref(rec);
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		json_decref(rec);
	}
	return 0;
}

static int list_series(bq_metrics_ctx *c, const char *const *metrics, json_t **out,
		       bq_err *err)
{
	struct series_list sl;
	json_t *in;
	int rc;

	memset(&sl, 0, sizeof sl);
	sl.cli = c->cli;
	sl.metrics = metrics;
	sl.items = json_array();
	in = json_pack("{s:s}", "Namespace", c->namespace_);
	if (!in || !sl.items) {
		json_decref(in);
		json_decref(sl.items);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	if (bq_cli_count(c->cli, BQ_MO_METRIC) == 1)
		json_object_set_new(in, "MetricName",
				    json_string(bq_cli_get(c->cli, BQ_MO_METRIC)));
	rc = bq_aws_paginate(c->aws, BQ_SVC_CLOUDWATCH, "ListMetrics", in, "NextToken",
			     "NextToken", on_list_page, &sl, err);
	json_decref(in);
	if (rc < 0) {
		json_decref(sl.items);
		return -1;
	}
	*out = sl.items;
	return 0;
}

/* ---- option checks ----------------------------------------------------- */

static int get_period(const struct bq_cli *cli, long *period, bq_err *err)
{
	const char *p = bq_cli_get(cli, BQ_MO_PERIOD);

	return bq_metrics_period_parse(p ? p : "5m", period, err);
}

int bq_metrics_get_check(const struct bq_cli *cli, bq_err *err)
{
	size_t i;
	long period;
	char stat[BQ_METRICS_STAT_MAX];
	double now = (double)cli->now_ms / 1000.0;
	double start = (double)cli->since_ms / 1000.0, end = (double)cli->until_ms / 1000.0;

	if (bq_cli_has(cli, BQ_MO_MAX_DATAPOINTS) &&
	    bq_cli_parse_int("max-datapoints", bq_cli_get(cli, BQ_MO_MAX_DATAPOINTS), 1,
			     100800, &period, err))
		return -1;
	for (i = 0; i < bq_cli_count(cli, BQ_MO_STAT); i++) {
		const char *s = bq_cli_nth(cli, BQ_MO_STAT, i);

		if (bq_metrics_stat_norm(s, strlen(s), stat, err))
			return -1;
	}
	if (bq_cli_count(cli, BQ_MO_ASSERT)) {
		if (bq_cli_has(cli, BQ_MO_STAT) || bq_cli_has(cli, BQ_MO_PERIOD) ||
		    bq_cli_has(cli, BQ_MO_METRIC) || bq_cli_has(cli, BQ_MO_PLOT))
			return bq_fail(err, BQ_EXIT_USAGE,
				       "--assert names its own statistics and metrics and "
				       "uses the whole window: drop --stat, --metric, "
				       "--period and --plot");
		for (i = 0; i < bq_cli_count(cli, BQ_MO_ASSERT); i++) {
			bq_assert *a;

			if (bq_assert_parse(bq_cli_nth(cli, BQ_MO_ASSERT, i), &a, err))
				return -1;
			bq_assert_free(a);
		}
		if (end <= start)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "empty window: --since must be before --until");
		return 0;
	}
	if (get_period(cli, &period, err))
		return -1;
	return bq_metrics_period_check(period, start, end, now, err);
}

/* ---- get: records and summaries ---------------------------------------- */

static int add_stats(bq_metrics_ctx *c, bq_metrics_plan *plan, const char *metric,
		     const json_t *dims, long period, bq_err *err)
{
	size_t i, n = bq_cli_count(c->cli, BQ_MO_STAT);
	char stat[BQ_METRICS_STAT_MAX];

	if (n == 0)
		return bq_metrics_plan_add(plan, metric, dims,
					   bq_metrics_default_stat(c->namespace_, metric),
					   period, err);
	for (i = 0; i < n; i++) {
		const char *s = bq_cli_nth(c->cli, BQ_MO_STAT, i);

		if (bq_metrics_stat_norm(s, strlen(s), stat, err) ||
		    bq_metrics_plan_add(plan, metric, dims, stat, period, err))
			return -1;
	}
	return 0;
}

/* The metric names to fetch in AWS/Bedrock: --metric, else the default list
 * plus the cache-token metrics ListMetrics showed (whatever their
 * spelling). */
static int bedrock_metrics(const struct bq_cli *cli, const bq_metrics_discovery *d,
			   const char ***out, size_t *n, bq_err *err)
{
	size_t i, k = 0, cap = bq_cli_count(cli, BQ_MO_METRIC) + 16 + d->nnames;
	const char **v = calloc(cap + 1, sizeof *v);

	if (!v)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (bq_cli_count(cli, BQ_MO_METRIC)) {
		for (i = 0; i < bq_cli_count(cli, BQ_MO_METRIC); i++)
			v[k++] = bq_cli_nth(cli, BQ_MO_METRIC, i);
	} else {
		for (i = 0; bq_metrics_default_metrics[i]; i++)
			v[k++] = bq_metrics_default_metrics[i];
		for (i = 0; i < d->nnames; i++)
			if (bq_metrics_is_cache_metric(d->names[i]))
				v[k++] = d->names[i];
	}
	*out = v;
	*n = k;
	return 0;
}

/* The models of AWS/Bedrock: --model, else every ModelId discovered. */
static void bedrock_models(const struct bq_cli *cli, const bq_metrics_discovery *d,
			   const char ***models, size_t *n)
{
	if (bq_cli_count(cli, BQ_MO_MODEL)) {
		*n = bq_cli_count(cli, BQ_MO_MODEL);
		*models = NULL;
	} else {
		*n = d->nmodels;
		*models = (const char **)d->models;
	}
}

static const char *model_at(const struct bq_cli *cli, const char **models, size_t i)
{
	return models ? models[i] : bq_cli_nth(cli, BQ_MO_MODEL, i);
}

static bool need_discovery(const struct bq_cli *cli)
{
	return !bq_cli_count(cli, BQ_MO_MODEL) || !bq_cli_count(cli, BQ_MO_METRIC);
}

static json_t *summary_record(const struct fetch *f, size_t i, bool plot, bq_err *err)
{
	const bq_metrics_series *s = &f->plan->s[i];
	const struct acc *a = &f->acc[i];
	json_t *r = json_object();
	bool counts = strcmp(s->stat, "Sum") == 0 || strcmp(s->stat, "SampleCount") == 0;

	if (!r)
		goto oom;
	json_object_set_new(r, "kind", json_string("series"));
	if (s->model_id)
		json_object_set_new(r, "model_id", json_string(s->model_id));
	else
		json_object_set(r, "dimensions", s->dims);
	json_object_set_new(r, "metric", json_string(s->metric));
	json_object_set_new(r, "stat", json_string(s->stat));
	json_object_set_new(r, "period", json_integer(s->period));
	json_object_set_new(r, "points", json_integer((json_int_t)a->n));
	if (a->n) {
		json_object_set_new(r, "min", bq_metrics_number(a->min));
		json_object_set_new(r, "max", bq_metrics_number(a->max));
		json_object_set_new(r, "last", bq_metrics_number(a->last));
		if (counts)
			json_object_set_new(r, "total", bq_metrics_number(a->total));
	}
	if (s->unit)
		json_object_set_new(r, "unit", json_string(s->unit));
	if (plot) {
		double *v = malloc(f->ncols * sizeof *v);
		bq_buf line = BQ_BUF_INIT;
		size_t k;

		if (!v)
			goto oom;
		for (k = 0; k < f->ncols; k++) {
			unsigned n = f->col_n[i * f->ncols + k];

			v[k] = n ? f->col_sum[i * f->ncols + k] / n : NAN;
		}
		if (bq_sparkline(v, f->ncols, &line)) {
			free(v);
			bq_buf_release(&line);
			goto oom;
		}
		free(v);
		json_object_set_new(r, "plot", json_string(bq_buf_cstr(&line)));
		bq_buf_release(&line);
	}
	return r;
oom:
	json_decref(r);
	bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return NULL;
}

static int get_series(bq_metrics_ctx *c, bq_err *err)
{
	const struct bq_cli *cli = c->cli;
	bool plot = bq_cli_has(cli, BQ_MO_PLOT);
	enum get_mode mode = plot || cli->format == BQ_FORMAT_TABLE ? MODE_SUMMARY
								     : MODE_RECORDS;
	double start = (double)cli->since_ms / 1000.0, end = (double)cli->until_ms / 1000.0;
	bq_metrics_discovery d;
	bq_metrics_plan plan;
	struct fetch f;
	long period;
	size_t i, j;
	int rc = -1;

	bq_metrics_discovery_init(&d);
	memset(&f, 0, sizeof f);
	if (get_period(cli, &period, err) || bq_metrics_plan_init(&plan, c->namespace_, err))
		return -1;
	bq_metrics_align_window(period, &start, &end);

	if (is_bedrock_ns(c->namespace_)) {
		const char **metrics = NULL, **models;
		size_t nmetrics = 0, nmodels = 0;

		if (need_discovery(cli) && discover(c, &d, err))
			goto out;
		if (bedrock_metrics(cli, &d, &metrics, &nmetrics, err))
			goto out;
		bedrock_models(cli, &d, &models, &nmodels);
		for (i = 0; i < nmodels; i++) {
			json_t *dims = json_pack("{s:s}", "ModelId", model_at(cli, models, i));

			for (j = 0; j < nmetrics; j++)
				if (!dims || add_stats(c, &plan, metrics[j], dims, period, err))
					break;
			json_decref(dims);
			if (j < nmetrics) {
				if (!dims)
					bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				free(metrics);
				goto out;
			}
		}
		free(metrics);
		if (nmodels == 0 && !cli->quiet)
			bq_msg("no model has metrics in %s (ListMetrics shows metrics "
			       "with data in the last two weeks); name one with --model",
			       c->namespace_);
	} else {
		json_t *items, *it;

		if (list_series(c, NULL, &items, err))
			goto out;
		json_array_foreach(items, i, it) {
			if (add_stats(c, &plan, json_string_value(json_object_get(it, "metric")),
				      json_object_get(it, "dims"), period, err)) {
				json_decref(items);
				goto out;
			}
		}
		json_decref(items);
	}
	if (fetch_init(&f, c, &plan, mode, plot, start, end, period, err) ||
	    fetch_all(&f, start, end, err))
		goto out;
	if (mode == MODE_SUMMARY) {
		for (i = 0; i < plan.n; i++) {
			json_t *r = summary_record(&f, i, plot, err);
			int erc;

			if (!r)
				goto out;
			erc = bq_out_emit_new(c->out, r, err);
			if (erc == BQ_OUT_CLOSED)
				break;
			if (erc < 0)
				goto out;
		}
	}
	rc = 0;
out:
	fetch_release(&f);
	bq_metrics_plan_release(&plan);
	bq_metrics_discovery_release(&d);
	return rc;
}

/* ---- get --assert ------------------------------------------------------ */

struct assertions {
	bq_assert **a;
	size_t n;
	bq_assert_term *terms; /* distinct over all expressions */
	size_t nterms;
	size_t **map;          /* map[k][local term] = global term */
};

static void assertions_release(struct assertions *as)
{
	size_t i;

	for (i = 0; i < as->n; i++) {
		bq_assert_free(as->a[i]);
		if (as->map)
			free(as->map[i]);
	}
	free(as->a);
	free(as->map);
	free(as->terms);
	memset(as, 0, sizeof *as);
}

static int assertions_parse(const struct bq_cli *cli, struct assertions *as, bq_err *err)
{
	size_t k, i, j, n = bq_cli_count(cli, BQ_MO_ASSERT), total = 0;

	memset(as, 0, sizeof *as);
	as->a = calloc(n, sizeof *as->a);
	as->map = calloc(n, sizeof *as->map);
	if (!as->a || !as->map)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	as->n = n;
	for (k = 0; k < n; k++) {
		if (bq_assert_parse(bq_cli_nth(cli, BQ_MO_ASSERT, k), &as->a[k], err))
			return -1;
		total += bq_assert_nterms(as->a[k]);
	}
	as->terms = calloc(total ? total : 1, sizeof *as->terms);
	if (!as->terms)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (k = 0; k < n; k++) {
		size_t nt = bq_assert_nterms(as->a[k]);

		as->map[k] = calloc(nt ? nt : 1, sizeof **as->map);
		if (!as->map[k])
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		for (i = 0; i < nt; i++) {
			const bq_assert_term *t = bq_assert_term_at(as->a[k], i);

			for (j = 0; j < as->nterms; j++)
				if (strcmp(as->terms[j].stat, t->stat) == 0 &&
				    strcmp(as->terms[j].metric, t->metric) == 0)
					break;
			if (j == as->nterms)
				as->terms[as->nterms++] = *t;
			as->map[k][i] = j;
		}
	}
	return 0;
}

/* The window rounded out to the coarsest step retention needs (1 minute,
 * 5 minutes past 15 days, 1 hour past 63 days); returns a period that
 * covers it in one bucket however the service aligns buckets. */
static long assert_window(double now, double *start, double *end)
{
	double age = now - *start;
	long step = age > 63 * 86400.0 ? 3600 : age > 15 * 86400.0 ? 300 : 60;

	bq_metrics_align_window(step, start, end);
	return bq_metrics_cover_period(*start, *end, step);
}

/* Combines several whole-window values (only if CloudWatch split the
 * window): sums and counts add, min and max combine, anything else keeps
 * the largest value (the conservative reading of an upper bound). */
static double assert_value(const struct acc *a, const char *stat)
{
	if (strcmp(stat, "Sum") == 0 || strcmp(stat, "SampleCount") == 0)
		return a->total;
	if (strcmp(stat, "Minimum") == 0)
		return a->min;
	return a->max;
}

static int get_assert(bq_metrics_ctx *c, bq_err *err)
{
	const struct bq_cli *cli = c->cli;
	double now = (double)cli->now_ms / 1000.0;
	double start = (double)cli->since_ms / 1000.0, end = (double)cli->until_ms / 1000.0;
	struct assertions as;
	bq_metrics_discovery d;
	bq_metrics_plan plan;
	json_t *subjects = json_array();
	struct fetch f;
	size_t i, j, k, failed = 0, checks = 0;
	long period;
	int rc = -1;
	char t0[BQ_TIME_BUFSZ], t1[BQ_TIME_BUFSZ];

	bq_metrics_discovery_init(&d);
	memset(&f, 0, sizeof f);
	memset(&plan, 0, sizeof plan);
	if (!subjects)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (assertions_parse(cli, &as, err) || bq_metrics_plan_init(&plan, c->namespace_, err))
		goto out;
	period = assert_window(now, &start, &end);

	/* The subjects each expression is checked for. */
	if (is_bedrock_ns(c->namespace_)) {
		const char **models;
		size_t nmodels;

		if (!bq_cli_count(cli, BQ_MO_MODEL) && discover(c, &d, err))
			goto out;
		bedrock_models(cli, &d, &models, &nmodels);
		for (i = 0; i < nmodels; i++)
			json_array_append_new(subjects, json_pack("{s:s}", "ModelId",
								  model_at(cli, models, i)));
	} else {
		const char **names = calloc(as.nterms + 1, sizeof *names);
		json_t *items, *it;

		if (!names) {
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}
		for (i = 0; i < as.nterms; i++)
			names[i] = as.terms[i].metric;
		rc = list_series(c, names, &items, err);
		free(names);
		if (rc < 0)
			goto out;
		rc = -1;
		json_array_foreach(items, i, it) {
			const json_t *dims = json_object_get(it, "dims"), *s;

			json_array_foreach(subjects, j, s)
				if (json_equal(s, dims))
					break;
			if (j == json_array_size(subjects))
				json_array_append(subjects, (json_t *)dims);
		}
		json_decref(items);
	}
	if (json_array_size(subjects) == 0) {
		/* A gate that checks nothing must not pass silently. */
		bq_fail(err, BQ_EXIT_GATE,
			"no %s in %s to check the assertions against (ListMetrics shows "
			"metrics with data in the last two weeks); name one with --model",
			is_bedrock_ns(c->namespace_) ? "model" : "metric", c->namespace_);
		goto out;
	}
	for (i = 0; i < json_array_size(subjects); i++)
		for (j = 0; j < as.nterms; j++)
			if (bq_metrics_plan_add(&plan, as.terms[j].metric,
						json_array_get(subjects, i), as.terms[j].stat,
						period, err))
				goto out;
	if (fetch_init(&f, c, &plan, MODE_ASSERT, false, start, end, period, err) ||
	    fetch_all(&f, start, end, err))
		goto out;

	bq_metrics_fmt_time(start, t0, sizeof t0);
	bq_metrics_fmt_time(end, t1, sizeof t1);
	for (k = 0; k < as.n; k++) {
		size_t nt = bq_assert_nterms(as.a[k]);
		double *vals = calloc(nt ? nt : 1, sizeof *vals);
		bool *has = calloc(nt ? nt : 1, sizeof *has);

		if (!vals || !has) {
			free(vals);
			free(has);
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}
		for (i = 0; i < json_array_size(subjects); i++) {
			const bq_metrics_series *s0 = &plan.s[i * as.nterms];
			bq_buf why = BQ_BUF_INIT, text = BQ_BUF_INIT;
			json_t *rec, *values = json_object();
			bool ok;
			int erc;

			for (j = 0; j < nt; j++) {
				size_t g = as.map[k][j];
				const struct acc *a = &f.acc[i * as.nterms + g];
				const bq_assert_term *t = bq_assert_term_at(as.a[k], j);

				has[j] = a->n > 0;
				vals[j] = a->n ? assert_value(a, t->stat) : 0;
			}
			ok = bq_assert_eval(as.a[k], vals, has, &why);
			checks++;
			/* The measured values by term, as the expression names them. */
			for (j = 0; j < nt; j++) {
				const bq_assert_term *t = bq_assert_term_at(as.a[k], j);
				bool counts = strcmp(t->stat, "Sum") == 0 ||
					      strcmp(t->stat, "SampleCount") == 0;

				bq_buf_reset(&text);
				bq_buf_printf(&text, "%s(%s)", bq_assert_stat_name(t->stat),
					      t->metric);
				if (has[j] || counts)
					json_object_set_new(values, bq_buf_cstr(&text),
							    bq_metrics_number(has[j] ? vals[j] : 0));
			}
			rec = json_pack("{s:s, s:s, s:s*, s:O, s:b, s:o, s:s, s:s}",
					"kind", "assertion", "expr", bq_assert_text(as.a[k]),
					"model_id", s0->model_id, "dimensions", s0->dims,
					"ok", ok, "values", values, "since", t0, "until", t1);
			if (!ok) {
				failed++;
				if (s0->model_id) {
					bq_msg("assertion failed for model %s: '%s' (%s)",
					       s0->model_id, bq_assert_text(as.a[k]),
					       bq_buf_cstr(&why));
				} else {
					char *dj = json_dumps(s0->dims, JSON_COMPACT);

					bq_msg("assertion failed for %s: '%s' (%s)",
					       dj ? dj : "{}", bq_assert_text(as.a[k]),
					       bq_buf_cstr(&why));
					free(dj);
				}
			}
			bq_buf_release(&why);
			bq_buf_release(&text);
			erc = rec ? bq_out_emit_new(c->out, rec, err)
				  : bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			if (erc < 0 || erc == BQ_OUT_CLOSED) {
				free(vals);
				free(has);
				rc = erc == BQ_OUT_CLOSED ? 0 : -1;
				goto out;
			}
		}
		free(vals);
		free(has);
	}
	if (failed) {
		bq_fail(err, BQ_EXIT_GATE, "%zu of %zu assertion check%s failed", failed,
			checks, checks == 1 ? "" : "s");
		goto out;
	}
	if (!cli->quiet)
		bq_msg("%zu assertion check%s passed (%zu expression%s, %zu %s)", checks,
		       checks == 1 ? "" : "s", as.n, as.n == 1 ? "" : "s",
		       json_array_size(subjects),
		       is_bedrock_ns(c->namespace_) ? "models" : "dimension sets");
	rc = 0;
out:
	fetch_release(&f);
	bq_metrics_plan_release(&plan);
	bq_metrics_discovery_release(&d);
	assertions_release(&as);
	json_decref(subjects);
	return rc;
}

int bq_metrics_get(bq_metrics_ctx *c, bq_err *err)
{
	if (bq_cli_count(c->cli, BQ_MO_ASSERT))
		return get_assert(c, err);
	return get_series(c, err);
}
