/*
 * bqlogs_internal: what the bq-logs source modules share (bqlogs.c: option
 * handling, record pipeline and file source; bqlogs_s3.c; bqlogs_cwl.c:
 * log groups, follow and Insights; bqlogs_config.c).  Not for other tools.
 *
 * Ownership: a bqlogs context borrows cli and out, owns the AWS client it
 * opens and the profile-lookup cache; bqlogs_release frees them.
 */
#ifndef BQ_BQLOGS_INTERNAL_H
#define BQ_BQLOGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "aws.h"
#include "cli.h"
#include "err.h"
#include "invocation.h"

struct bq_out;

struct bqlogs_profile {
	char *arn;
	char *base; /* NULL: could not be told */
};

typedef struct bqlogs {
	struct bq_cli *cli;
	struct bq_out *out;
	bq_aws_config cfg;
	bq_aws *aws;          /* opened on first use (bqlogs_aws) */
	bool aws_tried;
	bq_err aws_err;       /* why opening failed */

	bool window;          /* apply [since, until) to record timestamps */
	int64_t since_ms, until_ms;
	bool raw, no_bodies, redact, resolve, errors_only, quiet, follow;
	bool lookup;          /* GetInferenceProfile for application profiles */
	int jobs;
	int64_t interval_ms, overlap_ms;
	bq_inv_opts inv;

	struct bqlogs_profile *prof;
	size_t nprof;
	char *config_group;   /* the log group the logging configuration names */

	size_t records;       /* records read (before filters) */
	size_t emitted;
	size_t objects;       /* S3 objects / files / log pages read */
	bool closed;          /* our reader went away: stop quietly */
	bool failed;          /* a fetch failed after retries: status 1 */
	bq_err fail;          /* the first such failure */
} bqlogs;

/* The AWS client, opened on first use; -1 with err when it cannot be
 * (no region, bad config).  Also for calls made while an S3 batch is
 * running, from inside its callbacks (profile lookups, offloaded bodies):
 * the client serves those on a connection of its own. */
int bqlogs_aws(bqlogs *L, bq_aws **aws, bq_err *err);

/* One line of NDJSON from src (a log record, or an array of them): parsed,
 * windowed, filtered, normalised and emitted.  A malformed line is
 * reported as "bq-logs: SRC:LINE: why" and counted (exit status 5).
 * Returns 0, BQ_OUT_CLOSED, or -1 with err (a write error). */
int bqlogs_line(bqlogs *L, const char *line, size_t n, const char *src,
		size_t lineno, bq_err *err);
/* The same for a parsed record (borrowed); lineno 0 = no line numbers. */
int bqlogs_record(bqlogs *L, json_t *log, const char *src, size_t lineno,
		  bq_err *err);
/* Reports and counts a rejected input. */
void bqlogs_reject(bqlogs *L, const char *src, size_t lineno,
		   const char *why);
/* Reports a failed fetch ("bq-logs: WHAT: message (code...)"), remembers
 * the first one so the run ends with status 1, and goes on. */
void bqlogs_failed(bqlogs *L, const char *what, const bq_err *e);

/* Sources. */
int bqlogs_read_s3(bqlogs *L, const char *url, bq_err *err);
int bqlogs_read_groups(bqlogs *L, bq_err *err);
int bqlogs_follow(bqlogs *L, bq_err *err);
int bqlogs_insights(bqlogs *L, const char *query, bq_err *err);
int bqlogs_config(bqlogs *L, bq_err *err);

/* The log groups to read: --log-group values, or config_group (the
 * zero-configuration path). */
size_t bqlogs_ngroups(const bqlogs *L);
const char *bqlogs_group(const bqlogs *L, size_t i);

/* One GetQueryResults row ([{"field","value"}...]) as an insights_row
 * record: {"kind":"insights_row", field: value...}, @ptr left out.  New
 * reference, NULL when out of memory. */
json_t *bqlogs_insights_row(const json_t *fields);

/* What a GetQueryResults status means: 0 complete, 1 keep polling
 * (Scheduled, Running), -1 ended without results (Failed, Cancelled,
 * Timeout, Unknown, anything else). */
int bqlogs_query_status(const char *status);

/* GetModelInvocationLoggingConfiguration: *cfg is the loggingConfig object
 * (new reference), or NULL when logging is not configured. */
int bqlogs_get_config(bqlogs *L, json_t **cfg, bq_err *err);

/* Fetches an S3 object whole (gunzipped when gzip) and parses it as JSON
 * (a JSON document, or NDJSON lines as an array).  -1 with err. */
int bqlogs_s3_json(bqlogs *L, const char *url, json_t **out, bq_err *err);

#endif
