/*
 * metrics_alarm: alarm records, the namespace/model filter and the
 * recommended alarm set.  See metrics_alarm.h for the set and why.
 */
#include "metrics_alarm.h"

#include <string.h>

#include "buf.h"
#include "metrics_query.h"

/* Copies a member if present, under a new key. */
static void copy(json_t *dst, const char *key, const json_t *src, const char *member)
{
	json_t *v = json_object_get(src, member);

	if (v && !json_is_null(v))
		json_object_set(dst, key, v);
}

/* The metric an alarm watches: itself, or its first MetricStat. */
static const json_t *watched_metric(const json_t *alarm, const json_t **stat_holder)
{
	const json_t *metrics = json_object_get(alarm, "Metrics"), *q;
	size_t i;

	*stat_holder = alarm;
	if (json_object_get(alarm, "MetricName"))
		return alarm;
	json_array_foreach(metrics, i, q) {
		const json_t *ms = json_object_get(q, "MetricStat");

		if (ms) {
			*stat_holder = ms;
			return json_object_get(ms, "Metric");
		}
	}
	return NULL;
}

static json_t *dims_object(const json_t *dims)
{
	json_t *o = json_object();
	const json_t *d;
	size_t i;

	json_array_foreach(dims, i, d) {
		const char *n = json_string_value(json_object_get(d, "Name"));
		json_t *v = json_object_get(d, "Value");

		if (n && json_is_string(v))
			json_object_set(o, n, v);
	}
	return o;
}

json_t *bq_metrics_alarm_record(const json_t *alarm)
{
	const json_t *holder, *m = watched_metric(alarm, &holder);
	json_t *r, *dims, *v;
	const char *model;

	if (!json_is_string(json_object_get(alarm, "AlarmName")))
		return NULL;
	r = json_object();
	if (!r)
		return NULL;
	json_object_set_new(r, "kind", json_string("alarm"));
	copy(r, "name", alarm, "AlarmName");
	copy(r, "arn", alarm, "AlarmArn");
	copy(r, "description", alarm, "AlarmDescription");
	copy(r, "state", alarm, "StateValue");
	copy(r, "state_reason", alarm, "StateReason");
	v = json_object_get(alarm, "StateUpdatedTimestamp");
	if (v) {
		double t;
		char buf[40];

		if (bq_metrics_parse_ts(v, &t) == 0 && bq_metrics_fmt_time(t, buf, sizeof buf) == 0)
			json_object_set_new(r, "state_updated", json_string(buf));
	}
	if (m) {
		copy(r, "namespace", m, "Namespace");
		copy(r, "metric", m, "MetricName");
		dims = dims_object(json_object_get(m, "Dimensions"));
		model = json_string_value(json_object_get(dims, "ModelId"));
		if (model)
			json_object_set_new(r, "model_id", json_string(model));
		json_object_set_new(r, "dimensions", dims);
	}
	if (holder == alarm) {
		copy(r, "stat", alarm, "Statistic");
		copy(r, "stat", alarm, "ExtendedStatistic");
		copy(r, "period", alarm, "Period");
	} else {
		copy(r, "stat", holder, "Stat");
		copy(r, "period", holder, "Period");
	}
	copy(r, "evaluation_periods", alarm, "EvaluationPeriods");
	copy(r, "datapoints_to_alarm", alarm, "DatapointsToAlarm");
	v = json_object_get(alarm, "Threshold");
	if (json_is_number(v))
		json_object_set_new(r, "threshold", bq_metrics_number(json_number_value(v)));
	copy(r, "comparison", alarm, "ComparisonOperator");
	copy(r, "treat_missing_data", alarm, "TreatMissingData");
	copy(r, "actions_enabled", alarm, "ActionsEnabled");
	copy(r, "alarm_actions", alarm, "AlarmActions");
	return r;
}

bool bq_metrics_alarm_in_namespace(const json_t *alarm, const char *ns)
{
	const json_t *holder, *m = watched_metric(alarm, &holder);
	const char *an = json_string_value(json_object_get(m, "Namespace"));
	size_t n = strlen(ns);

	if (!an)
		return false;
	if (strcmp(an, ns) == 0)
		return true;
	return strcmp(ns, BQ_METRICS_NAMESPACE) == 0 && strncmp(an, ns, n) == 0 &&
	       an[n] == '/';
}

const char *bq_metrics_alarm_model(const json_t *alarm)
{
	const json_t *holder, *m = watched_metric(alarm, &holder);
	const json_t *d;
	size_t i;

	json_array_foreach(json_object_get(m, "Dimensions"), i, d) {
		const char *n = json_string_value(json_object_get(d, "Name"));

		if (n && strcmp(n, "ModelId") == 0)
			return json_string_value(json_object_get(d, "Value"));
	}
	return NULL;
}

struct spec {
	const char *suffix;
	const char *metric;
	const char *stat;      /* Statistic, or NULL */
	const char *ext_stat;  /* ExtendedStatistic, or NULL */
	double threshold;
	int evaluation_periods, datapoints;
	const char *missing;
	const char *why;
};

static const struct spec per_model[] = {
	{ "throttles", "InvocationThrottles", "Sum", NULL, 10, 3, 2, "notBreaching",
	  "more than 10 throttled invocations in 2 of 3 five-minute periods" },
	{ "server-errors", "InvocationServerErrors", "Sum", NULL, 0, 3, 2, "notBreaching",
	  "server errors in 2 of 3 five-minute periods" },
	{ "p99-latency", "InvocationLatency", NULL, "p99", 10000, 3, 3, "missing",
	  "p99 invocation latency above 10 s for 15 minutes" },
};

static const struct spec logging[] = {
	{ "logging/cloudwatch-delivery-failures",
	  "ModelInvocationLogsCloudWatchDeliveryFailure", "Sum", NULL, 0, 1, 1,
	  "notBreaching", "invocation logs failed to reach CloudWatch Logs" },
	{ "logging/s3-delivery-failures", "ModelInvocationLogsS3DeliveryFailure", "Sum",
	  NULL, 0, 1, 1, "notBreaching", "invocation logs failed to reach S3" },
	{ "logging/large-data-s3-delivery-failures",
	  "ModelInvocationLargeDataS3DeliveryFailure", "Sum", NULL, 0, 1, 1,
	  "notBreaching", "large invocation payloads failed to reach S3" },
};

static json_t *alarm_input(const struct spec *s, const char *model,
			   const json_t *actions, bq_err *err)
{
	bq_buf name = BQ_BUF_INIT, desc = BQ_BUF_INIT;
	json_t *in;

	bq_buf_puts(&name, BQ_ALARM_PREFIX);
	if (model) {
		bq_buf_puts(&name, model);
		bq_buf_putc(&name, '/');
	}
	bq_buf_puts(&name, s->suffix);
	bq_buf_printf(&desc, "bq-metrics recommended alarm: %s%s%s", s->why,
		      model ? " for " : "", model ? model : "");
	if (name.len > 255) {
		bq_fail(err, BQ_EXIT_USAGE, "alarm name '%s' is longer than 255 bytes",
			bq_buf_cstr(&name));
		bq_buf_release(&name);
		bq_buf_release(&desc);
		return NULL;
	}
	in = json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:f, s:s, s:s, s:b}",
		       "AlarmName", bq_buf_cstr(&name), "AlarmDescription", bq_buf_cstr(&desc),
		       "Namespace", BQ_METRICS_NAMESPACE, "MetricName", s->metric,
		       "Period", 300, "EvaluationPeriods", s->evaluation_periods,
		       "DatapointsToAlarm", s->datapoints, "Threshold", s->threshold,
		       "ComparisonOperator", "GreaterThanThreshold",
		       "TreatMissingData", s->missing, "ActionsEnabled", 1);
	bq_buf_release(&name);
	bq_buf_release(&desc);
	if (!in) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		return NULL;
	}
	if (s->stat)
		json_object_set_new(in, "Statistic", json_string(s->stat));
	else
		json_object_set_new(in, "ExtendedStatistic", json_string(s->ext_stat));
	if (s->ext_stat)
		json_object_set_new(in, "EvaluateLowSampleCountPercentile",
				    json_string("ignore"));
	if (model)
		json_object_set_new(in, "Dimensions",
				    json_pack("[{s:s, s:s}]", "Name", "ModelId", "Value", model));
	if (actions && json_array_size(actions))
		json_object_set(in, "AlarmActions", (json_t *)actions);
	return in;
}

int bq_metrics_alarm_recommended(const char *const *models, size_t nmodels,
				 const json_t *actions, json_t **out, bq_err *err)
{
	json_t *arr = json_array();
	size_t i, j;

	if (!arr)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (i = 0; i < nmodels; i++) {
		for (j = 0; j < sizeof per_model / sizeof per_model[0]; j++) {
			json_t *in = alarm_input(&per_model[j], models[i], actions, err);

			if (!in || json_array_append_new(arr, in)) {
				json_decref(arr);
				return -1;
			}
		}
	}
	for (j = 0; j < sizeof logging / sizeof logging[0]; j++) {
		json_t *in = alarm_input(&logging[j], NULL, actions, err);

		if (!in || json_array_append_new(arr, in)) {
			json_decref(arr);
			return -1;
		}
	}
	*out = arr;
	return 0;
}
