/* bq-metrics: CloudWatch metrics of Amazon Bedrock.  See bq-metrics(1). */
#include "cli.h"
#include "metrics_tool.h"

#define V(v) (1u << (v))

static const struct bq_verb verbs[] = {
	{ "get", "datapoints of Bedrock metrics over the window",
	  0, "3h", NULL },
	{ "list", "the metrics CloudWatch has for the namespace", 0, NULL, NULL },
	{ "put", "publish records from stdin with PutMetricData and pass them through",
	  BQ_CLI_STDIN, NULL, NULL },
	{ "alarms", "alarms on Bedrock metrics; --create makes the recommended set",
	  0, NULL, NULL },
	{ NULL, NULL, 0, NULL, NULL }
};

static const struct bq_opt opts[] = {
	{ "model", 0, "ID", "a ModelId to read (default: every model ListMetrics shows)",
	  BQ_MO_MODEL, BQ_OPT_REPEAT, V(BQ_MV_GET) | V(BQ_MV_LIST) | V(BQ_MV_ALARMS) },
	{ "metric", 0, "NAME", "a metric to read (default: the Bedrock runtime set)",
	  BQ_MO_METRIC, BQ_OPT_REPEAT, V(BQ_MV_GET) | V(BQ_MV_LIST) },
	{ "stat", 0, "S", "Sum, Average, Minimum, Maximum, SampleCount or pNN",
	  BQ_MO_STAT, BQ_OPT_REPEAT, V(BQ_MV_GET) },
	{ "period", 0, "P", "datapoint period: seconds or a duration (default 5m)",
	  BQ_MO_PERIOD, 0, V(BQ_MV_GET) },
	{ "namespace", 0, "NS", "CloudWatch namespace (default AWS/Bedrock; put: required)",
	  BQ_MO_NAMESPACE, 0, 0 },
	{ "assert", 0, "EXPR", "check e.g. 'p99(InvocationLatency) < 4000' per model, exit 4 if false",
	  BQ_MO_ASSERT, BQ_OPT_REPEAT, V(BQ_MV_GET) },
	{ "plot", 0, NULL, "one summary row per series with a sparkline",
	  BQ_MO_PLOT, 0, V(BQ_MV_GET) },
	{ "value", 0, "FIELD", "the field holding the value (records of other kinds)",
	  BQ_MO_VALUE, 0, V(BQ_MV_PUT) },
	{ "name", 0, "NAME|.FIELD", "the metric name, or the field holding it",
	  BQ_MO_NAME, 0, V(BQ_MV_PUT) },
	{ "dimension", 0, "KEY=FIELD", "add a dimension taken from a field",
	  BQ_MO_DIMENSION, BQ_OPT_REPEAT, V(BQ_MV_PUT) },
	{ "unit", 0, "UNIT", "CloudWatch unit for records that name none",
	  BQ_MO_UNIT, 0, V(BQ_MV_PUT) },
	{ "high-resolution", 0, NULL, "store with 1-second resolution",
	  BQ_MO_HIGH_RES, 0, V(BQ_MV_PUT) },
	{ "create", 0, NULL, "create or update the recommended alarms for each --model",
	  BQ_MO_CREATE, 0, V(BQ_MV_ALARMS) },
	{ "alarm-action", 0, "ARN", "with --create: notify this ARN (e.g. an SNS topic)",
	  BQ_MO_ALARM_ACTION, BQ_OPT_REPEAT, V(BQ_MV_ALARMS) },
	/* Datapoints per GetMetricData page: lets tests page with little data. */
	{ "max-datapoints", 0, "N", "datapoints per GetMetricData page",
	  BQ_MO_MAX_DATAPOINTS, BQ_OPT_HIDDEN, V(BQ_MV_GET) },
	{ NULL, 0, NULL, NULL, 0, 0, 0 }
};

static const struct bq_tool tool = {
	"bq-metrics",
	"CloudWatch metrics of Amazon Bedrock as NDJSON",
	verbs,
	opts,
	0,
	NULL,
	NULL,
	NULL
};

int main(int argc, char **argv)
{
	return bq_main(&tool, argc, argv, bq_metrics_run, NULL);
}
