/*
 * metrics_alarm: CloudWatch alarms on Bedrock metrics, as pure functions.
 *
 *   records      one DescribeAlarms MetricAlarm -> {"kind":"alarm",...}
 *   filter       is an alarm about a namespace (AWS/Bedrock and its
 *                sub-namespaces by default) and the selected models?
 *   recommended  the PutMetricAlarm inputs of the recommended set.
 *
 * The recommended set (thresholds also in bq-metrics(1)); per model:
 *   bq/bedrock/MODEL/throttles      Sum(InvocationThrottles) > 10 in a
 *                                   5-minute period, 2 of the last 3
 *   bq/bedrock/MODEL/server-errors  Sum(InvocationServerErrors) > 0 in a
 *                                   5-minute period, 2 of the last 3
 *   bq/bedrock/MODEL/p99-latency    p99(InvocationLatency) > 10000 ms in a
 *                                   5-minute period, 3 of the last 3
 * and once per account and region (the delivery metrics have no ModelId):
 *   bq/bedrock/logging/cloudwatch-delivery-failures
 *   bq/bedrock/logging/s3-delivery-failures
 *   bq/bedrock/logging/large-data-s3-delivery-failures
 *                                   Sum(...DeliveryFailure) > 0 in a
 *                                   5-minute period, 1 of 1
 * Missing data never breaches (no traffic is not an incident), except for
 * latency, where it keeps the alarm's state.  Names are fixed, so creating
 * the set again updates the same alarms (PutMetricAlarm overwrites).
 *
 * Ownership: returned json_t * are new references; arguments are borrowed.
 */
#ifndef BQ_METRICS_ALARM_H
#define BQ_METRICS_ALARM_H

#include <stdbool.h>

#include <jansson.h>

#include "err.h"

#define BQ_ALARM_PREFIX "bq/bedrock/"

/* {"kind":"alarm","name","arn","description","state","state_reason",
 *  "state_updated","namespace","metric","dimensions","model_id","stat",
 *  "period","evaluation_periods","datapoints_to_alarm","threshold",
 *  "comparison","treat_missing_data","actions_enabled","alarm_actions"}
 * (keys present when the alarm has them; a metric-math alarm names the
 * namespace and metric of its first MetricStat).  NULL when the element has
 * no AlarmName. */
json_t *bq_metrics_alarm_record(const json_t *alarm);

/* True when the alarm watches namespace ns (with ns "AWS/Bedrock", also
 * its sub-namespaces AWS/Bedrock/...). */
bool bq_metrics_alarm_in_namespace(const json_t *alarm, const char *ns);
/* The alarm's ModelId dimension value (borrowed) or NULL. */
const char *bq_metrics_alarm_model(const json_t *alarm);

/* The PutMetricAlarm inputs of the recommended set: the per-model alarms
 * for each of models[0..nmodels), then the account-wide logging ones.
 * actions: array of ARNs for AlarmActions (borrowed, may be NULL).  Usage
 * error when a name would pass 255 bytes. */
int bq_metrics_alarm_recommended(const char *const *models, size_t nmodels,
				 const json_t *actions, json_t **out, bq_err *err);

#endif
