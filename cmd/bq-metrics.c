/* bq-metrics: CloudWatch metrics of Amazon Bedrock.  See bq-metrics(1). */
#include "cli.h"
#include "metrics_tool.h"

#define GET BQ_VERB_BIT(BQ_MV_GET)
#define LIST BQ_VERB_BIT(BQ_MV_LIST)
#define PUT BQ_VERB_BIT(BQ_MV_PUT)
#define ALARMS BQ_VERB_BIT(BQ_MV_ALARMS)

static const struct bq_verb verbs[] = {
	{ "get", "datapoints of Bedrock metrics over the window",
	  0, "3h", NULL },
	{ "list", "the metrics CloudWatch has for the namespace", 0, NULL, NULL },
	{ "put", "publish records from stdin with PutMetricData and pass them through",
	  BQ_CLI_STDIN, NULL, NULL },
	{ "alarms", "alarms on Bedrock metrics; --create makes the recommended set",
	  0, NULL, NULL },
	BQ_VERB_END
};

static const struct bq_opt opts[] = {
	{ "model", 0, "ID", "a ModelId to read (default: every model ListMetrics shows)",
	  BQ_MO_MODEL, BQ_OPT_REPEAT, GET | LIST | ALARMS },
	{ "metric", 0, "NAME", "a metric to read (default: the Bedrock runtime set)",
	  BQ_MO_METRIC, BQ_OPT_REPEAT, GET | LIST },
	{ "stat", 0, "S", "Sum, Average, Minimum, Maximum, SampleCount or pNN",
	  BQ_MO_STAT, BQ_OPT_REPEAT, GET },
	{ "period", 0, "P", "datapoint period: seconds or a duration (default 5m)",
	  BQ_MO_PERIOD, 0, GET },
	{ "namespace", 0, "NS", "CloudWatch namespace (default AWS/Bedrock; put: required)",
	  BQ_MO_NAMESPACE, 0, 0 },
	{ "assert", 0, "EXPR", "check e.g. 'p99(InvocationLatency) < 4000' per model, exit 4 if false",
	  BQ_MO_ASSERT, BQ_OPT_REPEAT, GET },
	{ "plot", 0, NULL, "one summary row per series with a sparkline",
	  BQ_MO_PLOT, 0, GET },
	{ "value", 0, "FIELD", "the field holding the value (records of other kinds)",
	  BQ_MO_VALUE, 0, PUT },
	{ "name", 0, "NAME|.FIELD", "the metric name, or the field holding it",
	  BQ_MO_NAME, 0, PUT },
	{ "dimension", 0, "KEY=FIELD", "add a dimension taken from a field",
	  BQ_MO_DIMENSION, BQ_OPT_REPEAT, PUT },
	{ "unit", 0, "UNIT", "CloudWatch unit for records that name none",
	  BQ_MO_UNIT, 0, PUT },
	{ "high-resolution", 0, NULL, "store with 1-second resolution",
	  BQ_MO_HIGH_RES, 0, PUT },
	{ "create", 0, NULL, "create or update the recommended alarms for each --model",
	  BQ_MO_CREATE, 0, ALARMS },
	{ "alarm-action", 0, "ARN", "with --create: notify this ARN (e.g. an SNS topic)",
	  BQ_MO_ALARM_ACTION, BQ_OPT_REPEAT, ALARMS },
	/* Datapoints per GetMetricData page: lets tests page with little data. */
	{ "max-datapoints", 0, "N", "datapoints per GetMetricData page",
	  BQ_MO_MAX_DATAPOINTS, BQ_OPT_HIDDEN, GET },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_metrics_run, .name = "bq-metrics",
	     .summary = "CloudWatch metrics of Amazon Bedrock as NDJSON",
	     .verbs = verbs, .opts = opts)
