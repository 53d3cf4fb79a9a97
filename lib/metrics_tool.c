/*
 * metrics_tool: bq-metrics' run function (verb dispatch, option checks
 * before any network call, the client) and the two small verbs, list and
 * alarms.  get lives in metrics_get.c, put in metrics_publish.c.
 */
#include <stdlib.h>
#include <string.h>

#include "metrics_alarm.h"
#include "metrics_query.h"
#include "metrics_tool.h"

/* ---- list -------------------------------------------------------------- */

static bool metric_wanted(const struct bq_cli *cli, const char *metric)
{
	size_t i, n = bq_cli_count(cli, BQ_MO_METRIC);

	for (i = 0; i < n; i++)
		if (strcmp(bq_cli_nth(cli, BQ_MO_METRIC, i), metric) == 0)
			return true;
	return n == 0;
}

static int on_list_page(json_t *page, void *ud, bq_err *err)
{
	bq_metrics_ctx *c = ud;
	size_t i;
	json_t *m;

	json_array_foreach(json_object_get(page, "Metrics"), i, m) {
		json_t *rec = bq_metrics_list_record(m);
		const json_t *dims;
		int rc;

		if (!rec)
			continue;
		dims = json_object_get(rec, "dimensions");
		if (!metric_wanted(c->cli, json_string_value(json_object_get(rec, "metric"))) ||
		    !bq_metrics_model_selected(c->cli,
					       json_string_value(json_object_get(dims, "ModelId")))) {
			json_decref(rec);
			continue;
		}
		rc = bq_out_emit_new(c->out, rec, err);
		if (rc == BQ_OUT_CLOSED)
			return 1;
		if (rc < 0)
			return -1;
	}
	return 0;
}

int bq_metrics_list(bq_metrics_ctx *c, bq_err *err)
{
	json_t *in = json_pack("{s:s}", "Namespace", c->namespace_);
	int rc;

	if (!in)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	/* Narrow the listing server-side where one value allows it; more
	 * values are filtered here. */
	if (bq_cli_count(c->cli, BQ_MO_METRIC) == 1)
		json_object_set_new(in, "MetricName",
				    json_string(bq_cli_get(c->cli, BQ_MO_METRIC)));
	if (bq_cli_count(c->cli, BQ_MO_MODEL) == 1)
		json_object_set_new(in, "Dimensions",
				    json_pack("[{s:s, s:s}]", "Name", "ModelId", "Value",
					      bq_cli_get(c->cli, BQ_MO_MODEL)));
	rc = bq_aws_paginate(c->aws, BQ_SVC_CLOUDWATCH, "ListMetrics", in, "NextToken",
			     "NextToken", on_list_page, c, err);
	json_decref(in);
	return rc;
}

/* ---- alarms ------------------------------------------------------------ */

int bq_metrics_alarms_check(const struct bq_cli *cli, bq_err *err)
{
	if (bq_cli_count(cli, BQ_MO_ALARM_ACTION) > 5)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "an alarm takes at most 5 --alarm-action ARNs");
	if (bq_cli_has(cli, BQ_MO_CREATE) && !bq_cli_has(cli, BQ_MO_MODEL))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "--create needs --model ID (repeatable): the models to "
			       "watch");
	if (!bq_cli_has(cli, BQ_MO_CREATE) && bq_cli_has(cli, BQ_MO_ALARM_ACTION))
		return bq_fail(err, BQ_EXIT_USAGE, "--alarm-action only goes with --create");
	if (bq_cli_has(cli, BQ_MO_CREATE) && bq_cli_has(cli, BQ_MO_NAMESPACE) &&
	    strcmp(bq_cli_get(cli, BQ_MO_NAMESPACE), BQ_METRICS_NAMESPACE) != 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "--create makes alarms on %s metrics only", BQ_METRICS_NAMESPACE);
	return 0;
}

static int emit_alarm(bq_metrics_ctx *c, const json_t *alarm, bq_err *err)
{
	json_t *rec = bq_metrics_alarm_record(alarm);

	if (!rec)
		return 0;
	return bq_out_emit_new(c->out, rec, err);
}

static int on_alarm_page(json_t *page, void *ud, bq_err *err)
{
	bq_metrics_ctx *c = ud;
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(page, "MetricAlarms"), i, a) {
		int rc;

		if (!bq_metrics_alarm_in_namespace(a, c->namespace_) ||
		    !bq_metrics_model_selected(c->cli, bq_metrics_alarm_model(a)))
			continue;
		rc = emit_alarm(c, a, err);
		if (rc == BQ_OUT_CLOSED)
			return 1;
		if (rc < 0)
			return -1;
	}
	return 0;
}

/* Lists the alarms named in names (array of strings), at most 100 per
 * DescribeAlarms call, in the order given. */
static int emit_named(bq_metrics_ctx *c, const json_t *names, bq_err *err)
{
	size_t lo, i, n = json_array_size(names);

	for (lo = 0; lo < n; lo += 100) {
		json_t *chunk = json_array(), *in, *outp = NULL, *alarms;
		size_t hi = lo + 100 < n ? lo + 100 : n;
		int rc = 0;

		for (i = lo; i < hi; i++)
			json_array_append(chunk, json_array_get(names, i));
		in = json_pack("{s:o}", "AlarmNames", chunk);
		if (!in)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		rc = bq_aws_json_call(c->aws, BQ_SVC_CLOUDWATCH, "DescribeAlarms", in, &outp, err);
		json_decref(in);
		if (rc < 0)
			return -1;
		alarms = json_object_get(outp, "MetricAlarms");
		for (i = lo; i < hi && rc == 0; i++) {
			const char *want = json_string_value(json_array_get(names, i));
			size_t j;
			json_t *a;

			json_array_foreach(alarms, j, a) {
				const char *got = json_string_value(json_object_get(a, "AlarmName"));

				if (got && strcmp(got, want) == 0) {
					rc = emit_alarm(c, a, err);
					break;
				}
			}
		}
		json_decref(outp);
		if (rc == BQ_OUT_CLOSED)
			return 0;
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int alarms_create(bq_metrics_ctx *c, bq_err *err)
{
	size_t i, n = bq_cli_count(c->cli, BQ_MO_MODEL);
	const char **models = calloc(n ? n : 1, sizeof *models);
	json_t *actions = json_array(), *inputs = NULL, *names = json_array(), *in;
	int rc = -1;

	if (!models || !actions || !names) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		models[i] = bq_cli_nth(c->cli, BQ_MO_MODEL, i);
	for (i = 0; i < bq_cli_count(c->cli, BQ_MO_ALARM_ACTION); i++)
		json_array_append_new(actions,
				      json_string(bq_cli_nth(c->cli, BQ_MO_ALARM_ACTION, i)));
	if (bq_metrics_alarm_recommended(models, n, actions, &inputs, err))
		goto out;
	json_array_foreach(inputs, i, in) {
		if (bq_aws_json_call(c->aws, BQ_SVC_CLOUDWATCH, "PutMetricAlarm", in, NULL, err))
			goto out;
		json_array_append(names, json_object_get(in, "AlarmName"));
	}
	if (!c->cli->quiet)
		bq_msg("%zu alarm%s created or updated", json_array_size(names),
		       json_array_size(names) == 1 ? "" : "s");
	rc = emit_named(c, names, err);
out:
	free(models);
	json_decref(actions);
	json_decref(inputs);
	json_decref(names);
	return rc;
}

int bq_metrics_alarms(bq_metrics_ctx *c, bq_err *err)
{
	json_t *in;
	int rc;

	if (bq_cli_has(c->cli, BQ_MO_CREATE))
		return alarms_create(c, err);
	in = json_pack("{s:i}", "MaxRecords", 100);
	if (!in)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = bq_aws_paginate(c->aws, BQ_SVC_CLOUDWATCH, "DescribeAlarms", in, "NextToken",
			     "NextToken", on_alarm_page, c, err);
	json_decref(in);
	return rc;
}

/* ---- run --------------------------------------------------------------- */

static int check_namespace(const char *ns, bq_err *err)
{
	size_t i, n = strlen(ns);

	if (n == 0 || n > BQ_METRICS_NAME_MAX || ns[0] == ':')
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad namespace '%s': 1 to 255 characters, not starting "
			       "with ':'", ns);
	for (i = 0; i < n; i++)
		if ((unsigned char)ns[i] < 0x20 || (unsigned char)ns[i] > 0x7e)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad namespace '%s': printable ASCII only", ns);
	return 0;
}

int bq_metrics_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	bq_metrics_ctx c;
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	int rc;

	memset(&c, 0, sizeof c);
	c.cli = cli;
	c.out = out;
	c.namespace_ = bq_cli_get(cli, BQ_MO_NAMESPACE);
	if (!c.namespace_)
		c.namespace_ = BQ_METRICS_NAMESPACE;
	if (check_namespace(c.namespace_, err))
		return -1;
	switch (cli->verb) {
	case BQ_MV_GET: rc = bq_metrics_get_check(cli, err); break;
	case BQ_MV_PUT: rc = bq_metrics_put_check(cli, err); break;
	case BQ_MV_ALARMS: rc = bq_metrics_alarms_check(cli, err); break;
	default: rc = 0; break;
	}
	if (rc < 0)
		return -1;

	bq_aws_config_from_cli(&cfg, cli);
	cfg.user_agent = "bq-metrics/" BQ_VERSION;
	if (bq_aws_open(&c.aws, &cfg, err) < 0)
		return -1;
	switch (cli->verb) {
	case BQ_MV_GET: rc = bq_metrics_get(&c, err); break;
	case BQ_MV_LIST: rc = bq_metrics_list(&c, err); break;
	case BQ_MV_PUT: rc = bq_metrics_put(&c, err); break;
	case BQ_MV_ALARMS: rc = bq_metrics_alarms(&c, err); break;
	default: rc = bq_fail(err, BQ_EXIT_USAGE, "unknown verb");
	}
	bq_aws_close(c.aws);
	return rc;
}
