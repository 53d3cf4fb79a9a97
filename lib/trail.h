/*
 * trail: bq-trail, CloudTrail events of Bedrock, on top of trail_event
 * (record shape and filters), pacer (LookupEvents' 2 requests per second),
 * the AWS client (aws.h) and the record writer (ndjson.h).
 * cmd/bq-trail.c holds the option table (ids below) and calls
 * bq_trail_run() through bq_main().
 *
 * Two sources:
 *   - LookupEvents (default): AttributeKey EventSource = --source (default
 *     bedrock.amazonaws.com) over [--since, --until], every page followed,
 *     each request (the client's retries too) paced by a token bucket
 *     (rate 2/s, burst 1).  A page
 *     still failing after the client's --max-attempts ends the run; it is
 *     never skipped.  Records
 *     come newest first, as the API gives them.
 *   - --s3 s3://bucket[/prefix]: the trail's log files
 *     <prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz
 *     for the days of the window, fetched -j at a time and emitted file by
 *     file in key order (= delivery time), records in file order.
 * --event, --user, --errors (and the event source for S3) are applied on
 * the client.  A record that cannot be read (a CloudTrailEvent that is not
 * JSON, a trail file that is not gzip JSON with "Records") is reported on
 * stderr and skipped; the run then ends with status 5.
 *
 * Ownership: the context borrows cli, out, the client and the clock.
 */
#ifndef BQ_TRAIL_H
#define BQ_TRAIL_H

#include "aws.h"
#include "cli.h"
#include "clock.h"
#include "err.h"
#include "ndjson.h"
#include "trail_event.h"

/* Option ids of cmd/bq-trail.c's table. */
enum bq_trail_opt {
	BQ_TO_EVENT = 1,
	BQ_TO_USER,
	BQ_TO_ERRORS,
	BQ_TO_SOURCE,
	BQ_TO_S3,
	BQ_TO_ACCOUNT,
	BQ_TO_RAW,
	BQ_TO_JOBS,
	BQ_TO_PAGE_SIZE /* hidden: MaxResults, for tests that want many pages */
};

#define BQ_TRAIL_DEFAULT_SOURCE "bedrock.amazonaws.com"
#define BQ_TRAIL_RATE 2.0          /* LookupEvents requests per second */

typedef struct bq_trail_ctx {
	struct bq_cli *cli;
	struct bq_out *out;
	bq_aws *aws;
	const bq_clock *clock;      /* pacing; NULL = the real clock */
	bq_trail_filter filter;
	const char *source;         /* event source */
	bool raw;                   /* --raw */
	int jobs;                   /* -j, S3 objects in flight */
	int page_size;              /* MaxResults, 1..50 */
	const char *account;        /* --account, S3 layout */
	/* counters for the summary line */
	unsigned long pages, requests, throttled, emitted, rejected, files;
} bq_trail_ctx;

/* bq_main's run function: checks options (usage errors first), opens the
 * client and reads the chosen source. */
int bq_trail_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);

/* The two sources, with c filled and c->aws open. */
int bq_trail_lookup(bq_trail_ctx *c, bq_err *err);
int bq_trail_s3(bq_trail_ctx *c, const char *url, bq_err *err);

/* The time in a trail file name ("..._CloudTrail_us-east-1_20261126T2105Z_x.json.gz"),
 * epoch seconds, or -1 when the name has none. Pure; for tests. */
double bq_trail_file_time(const char *key);

#endif
