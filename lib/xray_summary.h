/*
 * xray_summary: a GetTraceSummaries TraceSummary into bq-trace's "trace"
 * record (--summaries).  Pure.
 *
 *   {"kind":"trace","trace_id","start","duration_ms","response_time_ms",
 *    "error","fault","throttle","partial","http_status","http_method",
 *    "http_url","user_agent","client_ip","annotations":{},"users":[],
 *    "services":[{"name","type","account_id"}],"entry_point":{...},
 *    "revision","matched_event_time"}
 *
 * Times are RFC 3339 UTC with milliseconds; Duration and ResponseTime
 * (seconds in the API) become milliseconds.  Annotations map each key to
 * its value, or to an array of values when the trace has several.  Facts
 * the summary lacks are omitted; the four flags are always present.
 *
 * Ownership: the argument is borrowed; the result is a new reference (NULL
 * when out of memory or the summary has no Id).
 */
#ifndef BQ_XRAY_SUMMARY_H
#define BQ_XRAY_SUMMARY_H

#include <jansson.h>

json_t *bq_xray_summary_record(const json_t *summary);

#endif
