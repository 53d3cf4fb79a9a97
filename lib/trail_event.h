/*
 * trail_event: CloudTrail records into bq-trail's "event" records, and the
 * client-side filters (--event, --user, --errors, event source).
 *
 * Pure: no I/O, no clock.  Two inputs are understood:
 *   - a LookupEvents `Event` envelope ({EventId, EventName, EventTime,
 *     Username, Resources, ReadOnly, CloudTrailEvent: "<JSON string>"}),
 *     whose CloudTrailEvent string is parsed a second time;
 *   - a full CloudTrail record (an element of a trail file's "Records").
 *
 * Ownership: json_t * arguments are borrowed; json_t ** outputs and
 * returned json_t * are new references the caller json_decref()s.
 */
#ifndef BQ_TRAIL_EVENT_H
#define BQ_TRAIL_EVENT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "err.h"

/* Parses the envelope's CloudTrailEvent string into *raw (a JSON object).
 * An envelope without CloudTrailEvent gives *raw = NULL and 0 (the record
 * is then built from the envelope alone).  A string that is not a JSON
 * object fails with BQ_EXIT_INPUT and a message naming the event id:
 * "event 'ID': CloudTrailEvent is not valid JSON: <reason>". */
int bq_trail_parse_lookup(const json_t *envelope, json_t **raw, bq_err *err);

/* Builds {"kind":"event","ts","event_id","event_name","event_source",
 * "identity","user","account_id","region","source_ip","user_agent",
 * "request_id","model_id","inference_region","error_code","error_message",
 * "read_only","resources":[],"request":{},"response":{}} from a CloudTrail
 * record (raw) and/or a LookupEvents envelope; either may be NULL (not
 * both).  Facts the sources lack are omitted; resources is always there.
 * Field choices:
 *   ts          raw eventTime (kept as CloudTrail wrote it, "...Z"), else
 *               the envelope's EventTime (epoch seconds) formatted
 *   identity    userIdentity.arn
 *   user        the envelope's Username, else userIdentity.userName, else
 *               the session name of an assumed role (the ARN's last part),
 *               else "root" for the root user, else principalId
 *   account_id  recipientAccountId, else userIdentity.accountId
 *   model_id    requestParameters.modelId, else .modelIdentifier
 *   inference_region  additionalEventData.inferenceRegion
 *   read_only   readOnly (boolean; the envelope's "true"/"false" string)
 *   resources   [{"type","name"[,"account_id"]}]: name is the ARN of a
 *               trail record's resource, or the envelope's ResourceName
 *   request / response  requestParameters / responseElements (omitted when
 *               null)
 * NULL when out of memory. */
json_t *bq_trail_event_record(const json_t *raw, const json_t *envelope);

/* Client-side filters.  Every set criterion must match; within one
 * criterion any of the given values may match. */
typedef struct bq_trail_filter {
	const char *const *events; /* exact event_name values */
	size_t nevents;
	const char *const *users;  /* user, identity, or identity ending in "/NAME" */
	size_t nusers;
	bool errors_only;          /* only records with an error_code */
	const char *source;        /* exact event_source, or NULL for any */
} bq_trail_filter;

#define BQ_TRAIL_FILTER_INIT { NULL, 0, NULL, 0, false, NULL }

/* True when the event record (from bq_trail_event_record) passes f. */
bool bq_trail_filter_match(const bq_trail_filter *f, const json_t *event);

/* Seconds since the epoch of a CloudTrail eventTime
 * ("2026-11-26T21:00:00Z", fractions and offsets accepted); -1 when it
 * cannot be read.  For windowing records read from trail files. */
double bq_trail_time(const char *event_time);

#endif
