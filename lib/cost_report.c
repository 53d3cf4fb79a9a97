/*
 * cost_report: Cost Explorer requests and result pages for bq-cost report
 * (see cost_report.h).
 */
#include "cost_report.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "group.h"
#include "ndjson.h"
#include "timeexpr.h"

const char *const bq_cost_default_services[] = { "Amazon Bedrock", NULL };

static const char *const GRANULARITIES[] = { "DAILY", "MONTHLY", "HOURLY", NULL };
static const char *const METRICS[] = {
	"AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost",
	"NormalizedUsageAmount", "UnblendedCost", "UsageQuantity", NULL
};

int bq_cost_by_parse(const char *s, struct bq_cost_by *out, bq_err *err)
{
	static const struct {
		const char *word;
		enum bq_cost_dim dim;
		const char *name;
	} WORDS[] = {
		{ "usage-type", BQ_BY_USAGE_TYPE, "usage_type" },
		{ "usage_type", BQ_BY_USAGE_TYPE, "usage_type" },
		{ "model", BQ_BY_MODEL, "model" },
		{ "account", BQ_BY_ACCOUNT, "account" },
		{ "region", BQ_BY_REGION, "region" },
		{ "operation", BQ_BY_OPERATION, "operation" },
	};
	size_t i;

	memset(out, 0, sizeof(*out));
	if (strncmp(s, "tag:", 4) == 0) {
		/* Tag keys are 1-128 characters. */
		if (!s[4] || strlen(s + 4) > 128)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad --by '%s': want tag:KEY with a tag key of 1 to 128 characters", s);
		out->dim = BQ_BY_TAG;
		bq_strlcpy(out->tag, s + 4, sizeof(out->tag));
		bq_snprintf(out->name, sizeof(out->name), "tag:%s", s + 4);
		return 0;
	}
	for (i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]); i++)
		if (strcmp(s, WORDS[i].word) == 0) {
			out->dim = WORDS[i].dim;
			bq_strlcpy(out->name, WORDS[i].name, sizeof(out->name));
			return 0;
		}
	return bq_fail(err, BQ_EXIT_USAGE,
		       "bad --by '%s' (want tag:KEY, usage-type, model, account, region or operation)", s);
}

static const char *pick(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i]; i++)
		if (strcasecmp(list[i], s) == 0)
			return list[i];
	return NULL;
}

int bq_cost_set_granularity(struct bq_cost_query *q, const char *s, bq_err *err)
{
	const char *g = pick(GRANULARITIES, s);

	if (!g)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad --granularity '%s' (want daily, monthly or hourly)", s);
	q->granularity = g;
	return 0;
}

int bq_cost_set_metric(struct bq_cost_query *q, const char *s, bq_err *err)
{
	const char *m = pick(METRICS, s);

	if (!m)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad --metric '%s' (want AmortizedCost, BlendedCost, NetAmortizedCost, NetUnblendedCost, NormalizedUsageAmount, UnblendedCost or UsageQuantity)",
			       s);
	q->metric = m;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int bq_cost_window(struct bq_cost_query *q, int64_t since_ms, int64_t until_ms,
		   bq_err *err)
{
	bool hourly = q->granularity && strcmp(q->granularity, "HOURLY") == 0;
	int64_t unit = hourly ? 3600 : 86400;
	int64_t s = floor_div(since_ms, 1000 * unit) * unit;
	int64_t u = floor_div(until_ms, 1000 * unit) * unit;
	char buf[BQ_TIME_BUFSZ];

	if (u * 1000 < until_ms)
		u += unit;
	if (until_ms <= since_ms || u <= s)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "empty window: --since must be before --until");
	if (!bq_time_format((time_t)s, buf, sizeof(buf)))
		return bq_fail(err, BQ_EXIT_USAGE, "--since is out of range");
	if (!hourly)
		buf[10] = '\0';
	bq_strlcpy(q->start, buf, sizeof(q->start));
	if (!bq_time_format((time_t)u, buf, sizeof(buf)))
		return bq_fail(err, BQ_EXIT_USAGE, "--until is out of range");
	if (!hourly)
		buf[10] = '\0';
	bq_strlcpy(q->end, buf, sizeof(q->end));
	return 0;
}

static json_t *services_filter(const struct bq_cost_query *q)
{
	json_t *vals = json_array();
	size_t i;

	for (i = 0; i < q->nservices; i++)
		json_array_append_new(vals, json_string(q->services[i]));
	return json_pack("{s:{s:s, s:o}}", "Dimensions", "Key", "SERVICE", "Values", vals);
}

static const char *dimension_key(enum bq_cost_dim d)
{
	switch (d) {
	case BQ_BY_USAGE_TYPE:
	case BQ_BY_MODEL:
		return "USAGE_TYPE";
	case BQ_BY_ACCOUNT:
		return "LINKED_ACCOUNT";
	case BQ_BY_REGION:
		return "REGION";
	case BQ_BY_OPERATION:
		return "OPERATION";
	case BQ_BY_TAG:
		break;
	}
	return NULL;
}

/* The GroupBy list: each distinct server-side grouping once, in the order
 * the --by keys first need it.  map[i] = GroupBy index of by[i]. */
static json_t *group_by(const struct bq_cost_query *q, size_t map[BQ_COST_MAX_BY])
{
	json_t *gb = json_array();
	const char *types[BQ_COST_MAX_BY], *keys[BQ_COST_MAX_BY];
	size_t n = 0, i, j;

	for (i = 0; i < q->nby; i++) {
		const char *type = q->by[i].dim == BQ_BY_TAG ? "TAG" : "DIMENSION";
		const char *key = q->by[i].dim == BQ_BY_TAG ? q->by[i].tag :
				  dimension_key(q->by[i].dim);

		for (j = 0; j < n; j++)
			if (strcmp(types[j], type) == 0 && strcmp(keys[j], key) == 0)
				break;
		if (j == n) {
			types[n] = type;
			keys[n] = key;
			json_array_append_new(gb, json_pack("{s:s, s:s}", "Type", type, "Key", key));
			n++;
		}
		map[i] = j;
	}
	return gb;
}

json_t *bq_cost_request(const struct bq_cost_query *q)
{
	size_t map[BQ_COST_MAX_BY];
	json_t *req = json_pack("{s:{s:s, s:s}, s:s, s:[s]}",
				"TimePeriod", "Start", q->start, "End", q->end,
				"Granularity", q->granularity, "Metrics", q->metric);

	if (!req)
		return NULL;
	if (q->nservices)
		json_object_set_new(req, "Filter", services_filter(q));
	if (q->nby)
		json_object_set_new(req, "GroupBy", group_by(q, map));
	return req;
}

json_t *bq_cost_services_request(const struct bq_cost_query *q)
{
	return json_pack("{s:{s:s, s:s}, s:s, s:s, s:s}",
			 "TimePeriod", "Start", q->start, "End", q->end,
			 "Dimension", "SERVICE", "SearchString", "Bedrock",
			 "Context", "COST_AND_USAGE");
}

/* ---- usage types ---- */

static bool region_code(const char *s, size_t n)
{
	size_t i = 0, letters = 0, digits = 0;

	for (; i < n && isupper((unsigned char)s[i]); i++)
		letters++;
	for (; i < n && isdigit((unsigned char)s[i]); i++)
		digits++;
	return i == n && letters >= 2 && letters <= 4 && digits <= 2;
}

char *bq_usage_type_model(const char *ut, char *out, size_t size)
{
	static const char *const MARKERS[] = {
		"-cache-read-", "-cache-write-", "-mantle-input-", "-mantle-output-",
		"-batch-input-", "-batch-output-", "-input-token", "-output-token",
		NULL
	};
	const char *dash = strchr(ut, '-'), *start = ut, *end = NULL;
	size_t i;

	if (dash && region_code(ut, (size_t)(dash - ut)))
		start = dash + 1;
	for (i = 0; MARKERS[i]; i++) {
		const char *m = strstr(start, MARKERS[i]);

		if (m && m > start && (!end || m < end))
			end = m;
	}
	if (!end)
		end = start + strlen(start);
	if ((size_t)(end - start) >= size)
		end = start + size - 1;
	memcpy(out, start, (size_t)(end - start));
	out[end - start] = '\0';
	return out;
}

/* ---- pages ---- */

struct held {
	char start[32], end[32];
	json_t *group;
	bq_dec amount;
	char unit[16];
	bool estimated;
};

struct bq_cost_report {
	const struct bq_cost_query *q;
	bq_cost_emit_fn emit;
	void *ud;
	size_t map[BQ_COST_MAX_BY];
	bool aggregate;             /* --by model without usage-type */
	struct bq_groups *held;
	bq_dec total;
	size_t rows;
	char unit[16];
	bq_buf key;
};

static void held_release(void *p)
{
	json_decref(((struct held *)p)->group);
}

int bq_cost_report_new(struct bq_cost_report **out,
		       const struct bq_cost_query *q, bq_cost_emit_fn emit,
		       void *ud, bq_err *err)
{
	struct bq_cost_report *r = calloc(1, sizeof(*r));
	json_t *gb;
	size_t i;
	bool model = false, ut = false;

	if (!r)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	r->q = q;
	r->emit = emit;
	r->ud = ud;
	gb = group_by(q, r->map);
	json_decref(gb);
	for (i = 0; i < q->nby; i++) {
		model |= q->by[i].dim == BQ_BY_MODEL;
		ut |= q->by[i].dim == BQ_BY_USAGE_TYPE;
	}
	r->aggregate = model && !ut;
	if (r->aggregate && !(r->held = bq_groups_new(sizeof(struct held)))) {
		free(r);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	*out = r;
	return 0;
}

void bq_cost_report_free(struct bq_cost_report *r)
{
	if (!r)
		return;
	bq_groups_free(r->held, held_release);
	bq_buf_release(&r->key);
	free(r);
}

bq_dec bq_cost_report_total(const struct bq_cost_report *r)
{
	return r->total;
}

size_t bq_cost_report_rows(const struct bq_cost_report *r)
{
	return r->rows;
}

const char *bq_cost_report_unit(const struct bq_cost_report *r)
{
	return r->unit;
}

static int emit_row(struct bq_cost_report *r, const char *start, const char *end,
		    json_t *group, bq_dec amount, const char *unit, bool estimated,
		    bq_err *err)
{
	char text[BQ_DEC_BUFSZ];
	json_t *rec;

	if (!r->unit[0] && unit)
		bq_strlcpy(r->unit, unit, sizeof(r->unit));
	if (bq_dec_add(&r->total, amount) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "amounts too large to add up");
	r->rows++;
	rec = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s}",
			"kind", "cost", "start", start, "end", end, "group", group,
			"metric", r->q->metric,
			"amount", bq_money_format(amount, text, sizeof(text)));
	if (!rec)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (unit)
		json_object_set_new(rec, "unit", json_string(unit));
	json_object_set_new(rec, "estimated", json_boolean(estimated));
	return r->emit(r->ud, rec, err);
}

/* The group object of one Groups[] entry. */
static json_t *group_of(struct bq_cost_report *r, const json_t *keys)
{
	json_t *g = json_object();
	size_t i;

	for (i = 0; i < r->q->nby; i++) {
		const struct bq_cost_by *by = &r->q->by[i];
		const char *k = json_string_value(json_array_get(keys, r->map[i]));
		char model[256];

		if (!k)
			k = "";
		if (by->dim == BQ_BY_TAG) {
			/* Tag values come back as "KEY$value" ("KEY$" untagged). */
			const char *d = strchr(k, '$');

			k = d ? d + 1 : k;
		} else if (by->dim == BQ_BY_MODEL) {
			k = bq_usage_type_model(k, model, sizeof(model));
		}
		json_object_set_new(g, by->name, json_string(k));
	}
	return g;
}

static int metric_value(const json_t *metrics, const char *metric, bq_dec *amount,
			const char **unit, bq_err *err)
{
	const json_t *m = json_object_get(metrics, metric);
	const char *a = json_string_value(json_object_get(m, "Amount"));

	if (!m)
		return 1;
	*unit = json_string_value(json_object_get(m, "Unit"));
	if (!a || bq_dec_parse(a, amount) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "Cost Explorer sent an amount that is not a decimal: '%.40s'",
			       a ? a : "(none)");
	return 0;
}

static int hold(struct bq_cost_report *r, const char *start, const char *end,
		json_t *group, bq_dec amount, const char *unit, bool estimated,
		bq_err *err)
{
	struct held *h;
	bool created;

	bq_buf_reset(&r->key);
	bq_buf_printf(&r->key, "%s\t%s\t", start, end);
	if (bq_json_dump_compact(group, &r->key) < 0 ||
	    !(h = bq_groups_get(r->held, r->key.data, r->key.len, &created)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (created) {
		bq_strlcpy(h->start, start, sizeof(h->start));
		bq_strlcpy(h->end, end, sizeof(h->end));
		h->group = json_incref(group);
		bq_strlcpy(h->unit, unit ? unit : "", sizeof(h->unit));
	}
	h->estimated |= estimated;
	if (bq_dec_add(&h->amount, amount) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "amounts too large to add up");
	return 0;
}

int bq_cost_report_page(struct bq_cost_report *r, const json_t *page,
			bq_err *err)
{
	const json_t *results = json_object_get(page, "ResultsByTime"), *res;
	size_t i, j;
	int rc;

	if (results && !json_is_array(results))
		return bq_fail(err, BQ_EXIT_RUNTIME, "Cost Explorer answer without a ResultsByTime list");
	json_array_foreach(results, i, res) {
		const json_t *tp = json_object_get(res, "TimePeriod"), *grp;
		const char *start = json_string_value(json_object_get(tp, "Start"));
		const char *end = json_string_value(json_object_get(tp, "End"));
		bool est = json_is_true(json_object_get(res, "Estimated"));
		const char *unit = NULL;
		bq_dec amount;

		if (!start || !end)
			return bq_fail(err, BQ_EXIT_RUNTIME, "Cost Explorer result without a TimePeriod");
		if (!r->q->nby) {
			json_t *empty = json_object();

			rc = metric_value(json_object_get(res, "Total"), r->q->metric,
					  &amount, &unit, err);
			if (rc == 0)
				rc = emit_row(r, start, end, empty, amount, unit, est, err);
			else if (rc == 1)
				rc = 0; /* no such metric in this period */
			json_decref(empty);
			if (rc != 0)
				return rc;
			continue;
		}
		json_array_foreach(json_object_get(res, "Groups"), j, grp) {
			json_t *g;

			rc = metric_value(json_object_get(grp, "Metrics"), r->q->metric,
					  &amount, &unit, err);
			if (rc < 0)
				return rc;
			if (rc == 1)
				continue;
			g = group_of(r, json_object_get(grp, "Keys"));
			if (!g)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			if (r->aggregate)
				rc = hold(r, start, end, g, amount, unit, est, err);
			else
				rc = emit_row(r, start, end, g, amount, unit, est, err);
			json_decref(g);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

int bq_cost_report_finish(struct bq_cost_report *r, bq_err *err)
{
	size_t i, n = bq_groups_count(r->held);
	int rc;

	for (i = 0; i < n; i++) {
		struct held *h = bq_groups_at(r->held, i);

		rc = emit_row(r, h->start, h->end, h->group, h->amount,
			      h->unit[0] ? h->unit : NULL, h->estimated, err);
		if (rc != 0)
			return rc;
	}
	return 0;
}
