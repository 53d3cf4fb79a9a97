/*
 * bqlogs: the bq-logs tool (see bq-logs(1)): Bedrock model invocation logs
 * from S3, CloudWatch Logs or local files as `invocation` records
 * (lib/invocation.h), Logs Insights queries, and the logging configuration.
 *
 * cmd/bq-logs.c holds the option table with the ids below and calls
 * bq_logs_run(); everything else lives in lib/bqlogs*.c.
 *
 * Ownership: bq_logs_run borrows cli and out.
 */
#ifndef BQ_BQLOGS_H
#define BQ_BQLOGS_H

#include "cli.h"
#include "err.h"

struct bq_out;

/* Verbs, in the order of the tool's verb table. */
enum bq_logs_verb {
	BQ_LV_READ = 0, /* default: stream invocation records */
	BQ_LV_CONFIG    /* show or set the logging configuration */
};

/* Option ids of cmd/bq-logs.c's table. */
enum bq_logs_opt {
	BQ_LO_S3 = 1,      /* --s3 s3://bucket/prefix */
	BQ_LO_LOG_GROUP,   /* --log-group NAME (repeatable) */
	BQ_LO_FILE,        /* --file PATH|- (repeatable) */
	BQ_LO_JOBS,        /* -j N */
	BQ_LO_FOLLOW,      /* --follow */
	BQ_LO_INTERVAL,    /* --interval S: follow poll interval */
	BQ_LO_OVERLAP,     /* --overlap S: follow re-read window */
	BQ_LO_MODEL,       /* --model ID|GLOB (repeatable) */
	BQ_LO_OPERATION,   /* --operation NAME (repeatable) */
	BQ_LO_IDENTITY,    /* --identity TEXT|GLOB (repeatable) */
	BQ_LO_ERRORS,      /* --errors */
	BQ_LO_NO_BODIES,   /* --no-bodies */
	BQ_LO_REDACT,      /* --redact */
	BQ_LO_RAW,         /* --raw */
	BQ_LO_RESOLVE,     /* --resolve-bodies */
	BQ_LO_NO_LOOKUP,   /* --no-profile-lookup */
	BQ_LO_INSIGHTS,    /* --insights QUERY */
	BQ_LO_LIMIT,       /* --limit N (insights rows) */
	BQ_LO_ENABLE,      /* config --enable */
	BQ_LO_ROLE_ARN     /* config --role-arn ARN */
};

/* The run function for bq_main(). */
int bq_logs_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);

/* Validates tool options as they are parsed (bq_tool.on_option). */
int bq_logs_on_option(struct bq_cli *cli, int id, const char *arg,
		      bq_err *err);

#endif
