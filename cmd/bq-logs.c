/* bq-logs: Bedrock model invocation logs as NDJSON.  See bq-logs(1). */
#include "bqlogs.h"
#include "cli.h"

#define READ BQ_VERB_BIT(BQ_LV_READ)
#define CONFIG BQ_VERB_BIT(BQ_LV_CONFIG)

static const struct bq_verb verbs[] = {
	{ "", "stream invocation records", 0, "1h", NULL },
	{ "config", "show the logging configuration; --enable sets it", 0, NULL, NULL },
	BQ_VERB_END
};

static const struct bq_opt opts[] = {
	{ "s3", 0, "URL", "read the log objects under s3://bucket/prefix (config --enable: deliver there)",
	  BQ_LO_S3, 0, READ | CONFIG },
	{ "log-group", 0, "NAME", "read a log group (merged in time order)",
	  BQ_LO_LOG_GROUP, BQ_OPT_REPEAT, READ | CONFIG },
	{ "file", 0, "PATH", "read a local .json or .json.gz file, - for stdin",
	  BQ_LO_FILE, BQ_OPT_REPEAT, READ },
	{ "jobs", 'j', "N", "S3 objects fetched at once (default 8)", BQ_LO_JOBS, 0, READ },
	{ "follow", 'f', NULL, "keep polling the log group(s) for new records", BQ_LO_FOLLOW, 0, READ },
	{ "interval", 0, "S", "with --follow: seconds between polls (default 2)",
	  BQ_LO_INTERVAL, 0, READ },
	{ "overlap", 0, "S", "with --follow: re-read this far back for late events (default 60)",
	  BQ_LO_OVERLAP, 0, READ },
	{ "model", 0, "ID", "only this model id or base model id; globs allowed",
	  BQ_LO_MODEL, BQ_OPT_REPEAT, READ },
	{ "operation", 0, "NAME", "only this operation, e.g. Converse",
	  BQ_LO_OPERATION, BQ_OPT_REPEAT, READ },
	{ "identity", 0, "TEXT", "only callers whose ARN contains TEXT or matches a glob",
	  BQ_LO_IDENTITY, BQ_OPT_REPEAT, READ },
	{ "errors", 0, NULL, "only failed invocations (records with an error code)",
	  BQ_LO_ERRORS, 0, READ },
	{ "no-bodies", 0, NULL, "leave the request and response bodies out", BQ_LO_NO_BODIES, 0, READ },
	{ "redact", 0, NULL, "replace the text inside bodies with [redacted N chars]",
	  BQ_LO_REDACT, 0, READ },
	{ "raw", 0, NULL, "emit the log records as AWS wrote them", BQ_LO_RAW, 0, READ },
	{ "resolve-bodies", 0, NULL, "fetch bodies offloaded to S3 (inputBodyS3Path, outputBodyS3Path)",
	  BQ_LO_RESOLVE, 0, READ },
	{ "no-profile-lookup", 0, NULL, "do not ask Bedrock which model an application inference profile uses",
	  BQ_LO_NO_LOOKUP, 0, READ },
	{ "insights", 0, "QUERY", "run a Logs Insights query over the log group(s) and window",
	  BQ_LO_INSIGHTS, 0, READ },
	{ "limit", 0, "N", "with --insights: at most N rows", BQ_LO_LIMIT, 0, READ },
	{ "enable", 0, NULL, "set the configuration from --s3 / --log-group and --role-arn",
	  BQ_LO_ENABLE, 0, CONFIG },
	{ "role-arn", 0, "ARN", "role Bedrock assumes to write to the log group",
	  BQ_LO_ROLE_ARN, 0, CONFIG },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_logs_run, .name = "bq-logs",
	     .summary = "Amazon Bedrock model invocation logs as NDJSON",
	     .verbs = verbs, .opts = opts, .on_option = bq_logs_on_option)
