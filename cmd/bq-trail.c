/* bq-trail: CloudTrail events of Bedrock.  The logic is in lib/trail.c. */
#include "cli.h"
#include "trail.h"

static const struct bq_opt opts[] = {
	{ "event", 0, "NAME", "only events with this name", BQ_TO_EVENT, BQ_OPT_REPEAT, 0 },
	{ "user", 0, "NAME", "only this user, principal ARN or ARN's last part", BQ_TO_USER, BQ_OPT_REPEAT, 0 },
	{ "errors", 0, NULL, "only events with an error code", BQ_TO_ERRORS, 0, 0 },
	{ "source", 0, "SOURCE", "event source (default bedrock.amazonaws.com)", BQ_TO_SOURCE, 0, 0 },
	{ "s3", 0, "URL", "read trail log files under s3://bucket[/prefix] instead of LookupEvents", BQ_TO_S3, 0, 0 },
	{ "account", 0, "ID", "account folder of the trail files (default the caller's)", BQ_TO_ACCOUNT, 0, 0 },
	{ "raw", 0, NULL, "emit the full CloudTrail record", BQ_TO_RAW, 0, 0 },
	{ "jobs", 'j', "N", "trail files fetched at once with --s3 (default 8)", BQ_TO_JOBS, 0, 0 },
	{ "page-size", 0, "N", "LookupEvents MaxResults (1-50, default 50)", BQ_TO_PAGE_SIZE, BQ_OPT_HIDDEN, 0 },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_trail_run, .name = "bq-trail",
	     .summary = "CloudTrail events of Amazon Bedrock as NDJSON",
	     .opts = opts, .since_default = "1d")
