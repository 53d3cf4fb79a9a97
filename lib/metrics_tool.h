/*
 * metrics_tool: the verbs of bq-metrics (get, list, put, alarms) on top of
 * the pure modules metrics_query, metrics_assert, metrics_put and
 * metrics_alarm, the AWS client (aws.h) and the record writer (ndjson.h).
 * cmd/bq-metrics.c holds the option table (ids below) and calls
 * bq_metrics_run() through bq_main().
 *
 * Ownership: the context borrows cli, out and the client; run functions
 * return 0, or -1 with err filled (the exit status of interface.md 4).
 */
#ifndef BQ_METRICS_TOOL_H
#define BQ_METRICS_TOOL_H

#include "aws.h"
#include "cli.h"
#include "clock.h"
#include "err.h"
#include "ndjson.h"

/* Option ids of cmd/bq-metrics.c's table. */
enum bq_metrics_opt {
	BQ_MO_MODEL = 1,
	BQ_MO_METRIC,
	BQ_MO_STAT,
	BQ_MO_PERIOD,
	BQ_MO_NAMESPACE,
	BQ_MO_ASSERT,
	BQ_MO_PLOT,
	BQ_MO_VALUE,
	BQ_MO_NAME,
	BQ_MO_DIMENSION,
	BQ_MO_UNIT,
	BQ_MO_HIGH_RES,
	BQ_MO_CREATE,
	BQ_MO_ALARM_ACTION,
	BQ_MO_MAX_DATAPOINTS  /* hidden: GetMetricData MaxDatapoints (paging) */
};

/* Verb indexes of the table (get is the default). */
enum bq_metrics_verb {
	BQ_MV_GET = 0,
	BQ_MV_LIST,
	BQ_MV_PUT,
	BQ_MV_ALARMS
};

typedef struct bq_metrics_ctx {
	struct bq_cli *cli;
	struct bq_out *out;
	bq_aws *aws;
	const char *namespace_;  /* --namespace, else AWS/Bedrock */
	const bq_clock *clock;   /* NULL: the real clock */
} bq_metrics_ctx;

/* bq_main's run function: picks the verb, checks its options (usage errors
 * come before any network call), opens the client and runs the verb. */
int bq_metrics_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);

/* The verbs, each with its options already checked by bq_metrics_run's
 * caller-side checks and an open client in c->aws. */
int bq_metrics_get(bq_metrics_ctx *c, bq_err *err);
int bq_metrics_list(bq_metrics_ctx *c, bq_err *err);
int bq_metrics_put(bq_metrics_ctx *c, bq_err *err);
int bq_metrics_alarms(bq_metrics_ctx *c, bq_err *err);

/* Option checks run before the client is opened (usage errors). */
int bq_metrics_get_check(const struct bq_cli *cli, bq_err *err);
int bq_metrics_put_check(const struct bq_cli *cli, bq_err *err);
int bq_metrics_alarms_check(const struct bq_cli *cli, bq_err *err);

/* True when a ModelId value was selected with --model (or none were). */
bool bq_metrics_model_selected(const struct bq_cli *cli, const char *model);

#endif
