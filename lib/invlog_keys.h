/*
 * invlog_keys: where model invocation logs sit in S3, and which hourly
 * prefixes a time window needs (bedrock-facts.md 3.2):
 *
 *   <keyPrefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/<name>.json.gz
 *
 * (hours in UTC).  Offloaded bodies live below a data/ folder of the same
 * hour and are not log objects.
 *
 * Ownership: a bq_invlog_loc owns its strings (release with
 * bq_invlog_loc_release); everything else writes into caller buffers.
 */
#ifndef BQ_INVLOG_KEYS_H
#define BQ_INVLOG_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

#define BQ_HOUR_MS INT64_C(3600000)

typedef struct bq_invlog_loc {
	char *bucket;
	char *prefix;  /* the keyPrefix part: "" or ending in "/" */
	char *account; /* when the URL reaches AWSLogs/<account>/, else NULL */
	char *region;  /* when it reaches .../BedrockModelInvocationLogs/<region>/ */
} bq_invlog_loc;

/*
 * Parses an --s3 URL: "s3://bucket", "s3://bucket/prefix[/]", or one that
 * goes on into "AWSLogs/<account>[/BedrockModelInvocationLogs[/<region>]]"
 * (the account and region are then taken from it).  Usage error naming the
 * URL when it is not s3://bucket...
 */
int bq_invlog_parse_s3(const char *url, bq_invlog_loc *loc, bq_err *err);
void bq_invlog_loc_release(bq_invlog_loc *loc);

/* "<prefix>AWSLogs/<account>/BedrockModelInvocationLogs/<region>/" into b
 * (reset first).  0 or -1. */
int bq_invlog_base(const bq_invlog_loc *loc, const char *account,
		   const char *region, bq_buf *b);

/* The start of the UTC hour holding ms. */
int64_t bq_invlog_hour_floor(int64_t ms);

/* The hours a window [since, until) touches: first hour start in *first,
 * count returned (0 when since >= until). */
size_t bq_invlog_hours(int64_t since_ms, int64_t until_ms, int64_t *first);

/* base + "YYYY/MM/DD/HH/" for the hour starting at hour_ms, into b (reset
 * first).  0 or -1. */
int bq_invlog_hour_prefix(const char *base, int64_t hour_ms, bq_buf *b);

/* True when key, listed under hour_prefix, is a log object of that hour:
 * not below a sub-folder (data/ offloads) and not empty. */
int bq_invlog_is_log_key(const char *hour_prefix, const char *key);

/* Splits "s3://bucket/key" into bucket and key copies (malloc'd).  Used for
 * inputBodyS3Path / outputBodyS3Path.  0 or -1 (not an s3:// URL). */
int bq_invlog_split_s3_url(const char *url, char **bucket, char **key);

#endif
