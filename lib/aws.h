/*
 * aws: the AWS client every tool talks to AWS through.  One call =
 * operation + protocol + SigV4 signing + HTTP (keep-alive) + retries
 * (standard mode) + error mapping into a bq_err (lib/err.h).
 *
 * Ownership rules
 *   - bq_aws_open() gives a client the caller frees with bq_aws_close().
 *     One client per process (or per thread: a client is not thread-safe).
 *   - json_t * arguments are BORROWED (never stolen); json_t ** outputs are
 *     NEW references the caller must json_decref().  Page and completion
 *     callbacks get BORROWED json_t * (json_incref to keep one).
 *   - const char * arguments are borrowed for the duration of the call
 *     (batch submissions copy what they need).
 *   - Every function returning int gives 0 on success or -1 with *err
 *     filled: err->exit_status is the interface.md section 4 status
 *     (1 AWS/network after retries, 2 usage e.g. no region, 3 credentials
 *     or access denied); err->code / err->message / err->request_id /
 *     err->http_status carry the service's answer.  Print with
 *     bq_err_print(err) and exit with err->exit_status.
 *
 * Typical use (tool main):
 *     bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
 *     bq_aws_config_from_cli(&cfg, cli);       (or fill the fields yourself)
 *     bq_aws *aws;
 *     if (bq_aws_open(&aws, &cfg, &err) < 0) { bq_err_print(&err); return err.exit_status; }
 *     json_t *in = json_pack("{s:s}", "logGroupName", name), *out = NULL;
 *     if (bq_aws_json_call(aws, BQ_SVC_LOGS, "DescribeLogStreams", in, &out, &err) < 0) ...
 *     json_decref(in); json_decref(out); bq_aws_close(aws);
 *
 * Paged JSON call (the callback returns 1 to stop early, e.g. on a closed
 * output pipe):
 *     static int on_page(json_t *page, void *ud, bq_err *err) {
 *         json_t *ev; size_t i;
 *         json_array_foreach(json_object_get(page, "events"), i, ev)
 *             if (emit(ud, ev) == CLOSED) return 1;
 *         return 0;
 *     }
 *     bq_aws_paginate(aws, BQ_SVC_LOGS, "FilterLogEvents", in, NULL, NULL,
 *                     on_page, out, &err);
 *
 * rest-json call with a model id in the path:
 *     bq_buf path = BQ_BUF_INIT;
 *     bq_buf_puts(&path, "/model"); bq_aws_path_add(&path, model_id);
 *     bq_buf_puts(&path, "/converse");
 *     bq_aws_rest_call(aws, BQ_SVC_BEDROCK_RUNTIME, "POST", bq_buf_cstr(&path),
 *                      NULL, body, &out, &err);
 *     bq_buf_release(&path);
 *
 * S3 list then get (bytes arrive as stored: gunzip them yourself):
 *     static int on_obj(const bq_s3_object *o, void *ud, bq_err *err) { ... }
 *     static int on_bytes(const void *p, size_t n, void *ud, bq_err *err) { ... }
 *     bq_s3_list(aws, bucket, prefix, NULL, on_obj, ud, &err);
 *     bq_s3_get(aws, bucket, key, on_bytes, ud, &err);
 *
 * Many calls in flight (-j N): submit with an index, run; callbacks come in
 * completion order (reorder by index if needed):
 *     bq_aws_batch *b; bq_aws_batch_new(aws, jobs, &b, &err);
 *     for (i = 0; i < n; i++)
 *         bq_aws_batch_rest(b, i, BQ_SVC_BEDROCK_RUNTIME, "POST", path[i], NULL,
 *                           body[i], on_done, ud, &err);
 *     rc = bq_aws_batch_run(b, &err);       (or bq_aws_batch_step in a loop
 *     bq_aws_batch_free(b);                  that feeds more while pending<N,
 *                                            or bq_aws_batch_poll to feed it
 *                                            on a schedule)
 *
 * bq_aws_open resolves the region (usage error, status 2, when there is
 * none) but not credentials: those are resolved on the first call (status 3
 * when no provider yields any, with the list of what was tried), cached,
 * and refreshed 5 minutes before they expire, so long runs (--follow) need
 * nothing special.  An ExpiredToken answer refreshes once and retries.
 * A clock-skew answer (RequestTimeTooSkewed, "Signature expired") makes
 * the client learn the offset from the answer's Date header, sign later
 * requests with it, and retry once.  AWS_RETRY_MODE is read as "standard"
 * whatever it says (adaptive rate limiting is not implemented).
 */
#ifndef BQ_AWS_H
#define BQ_AWS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "err.h"
#include "service.h"

typedef struct bq_aws bq_aws;

typedef struct bq_aws_config {
	const char *profile;      /* --profile; NULL: AWS_PROFILE, else "default" */
	const char *region;       /* --region; NULL: AWS_REGION, AWS_DEFAULT_REGION, profile */
	const char *endpoint_url; /* --endpoint-url for every service; NULL: env/config */
	int max_attempts;         /* --max-attempts; 0: AWS_MAX_ATTEMPTS, else 3 */
	double connect_timeout;   /* seconds; 0: 10 */
	double read_timeout;      /* seconds without a byte; 0: 60 (300 for Bedrock Runtime) */
	bool debug;               /* --debug: dump exchanges (redacted) via bq_log_write */
	bool no_credentials;      /* send requests unsigned (tests, public buckets) */
	const bq_clock *clock;    /* NULL: the real clock/sleep/random; borrowed */
	const char *user_agent;   /* e.g. "bq-logs/0.1.0"; NULL: "bq/<version>" */
} bq_aws_config;

#define BQ_AWS_CONFIG_INIT { NULL, NULL, NULL, 0, 0, 0, false, false, NULL, NULL }

struct bq_cli;
/* Fills cfg (start from BQ_AWS_CONFIG_INIT) from the shared options that
 * lib/cli.h parsed: profile, region, endpoint_url, max_attempts, timeouts,
 * debug.  The strings stay borrowed from cli. */
void bq_aws_config_from_cli(bq_aws_config *cfg, const struct bq_cli *cli);

int bq_aws_open(bq_aws **out, const bq_aws_config *cfg, bq_err *err);
void bq_aws_close(bq_aws *a); /* NULL is fine */

/* The resolved region (borrowed). */
const char *bq_aws_region(const bq_aws *a);
/* The endpoint URL a service resolves to ("https://logs.us-east-1.amazonaws.com"),
 * borrowed until the client is closed; NULL with err on failure. */
const char *bq_aws_endpoint(bq_aws *a, bq_service_id svc, bq_err *err);

/* ---- one call ---- */

/* awsJson 1.0/1.1 (CloudWatch, Logs, CloudTrail, CE, Pricing, Tagging):
 * POST with X-Amz-Target "<prefix>.<operation>".  input NULL means {}.
 * *output gets the decoded response object (a new reference, {} for an
 * empty body); output may be NULL when the caller does not want it. */
int bq_aws_json_call(bq_aws *a, bq_service_id svc, const char *operation,
		     json_t *input, json_t **output, bq_err *err);

/* rest-json (X-Ray, Bedrock, Bedrock Runtime, SSO): method "GET"/"POST"/...,
 * path already percent-encoded (build it with bq_aws_path_add so model ids
 * with ':' and ARNs work), query already encoded ("a=1&b=x%20y", build with
 * bq_aws_query_add) or NULL, body NULL for none (else sent as JSON).
 * *output: the decoded JSON response ({} when empty). */
int bq_aws_rest_call(bq_aws *a, bq_service_id svc, const char *method,
		     const char *path, const char *query, json_t *body,
		     json_t **output, bq_err *err);

/* Appends "/" + segment percent-encoded (RFC 3986 unreserved kept; ':' and
 * '/' encoded) to an encoded path being built:
 *   bq_buf p = BQ_BUF_INIT; bq_buf_puts(&p, "/model");
 *   bq_aws_path_add(&p, "anthropic.claude-3-haiku-20240307-v1:0");
 *   bq_buf_puts(&p, "/converse");   -> /model/anthropic...-v1%3A0/converse */
int bq_aws_path_add(bq_buf *path, const char *segment);
/* Appends "key=value" percent-encoded, with '&' before it when needed. */
int bq_aws_query_add(bq_buf *query, const char *key, const char *value);

/* The general form behind the calls above, for what they do not cover
 * (raw bodies, response headers).  Fields not set stay NULL/0; headers are
 * sent and signed as given. */
typedef struct bq_aws_request {
	bq_service_id svc;
	const char *method;       /* default "POST" */
	const char *path;         /* encoded; default "/" */
	const char *query;        /* encoded, or NULL */
	const char *const *headers; /* NULL-terminated "Name: value" list, or NULL */
	const void *body;         /* borrowed */
	size_t body_len;
	const char *content_type; /* for the body */
} bq_aws_request;

typedef struct bq_aws_response {
	int status;               /* HTTP status */
	bq_buf body;              /* owned: release with bq_aws_response_free */
	char **headers;           /* "name: value" lines, name lower-cased, NULL-terminated */
} bq_aws_response;

#define BQ_AWS_RESPONSE_INIT { 0, BQ_BUF_INIT, NULL }

/* Sends with signing and retries; a non-2xx answer is mapped into err
 * (and -1 returned) after retries, with resp still holding it. */
int bq_aws_send(bq_aws *a, const bq_aws_request *req, bq_aws_response *resp,
		bq_err *err);
/* Borrowed value of a response header (name case-insensitive) or NULL. */
const char *bq_aws_response_header(const bq_aws_response *r, const char *name);
void bq_aws_response_free(bq_aws_response *r);
/* The same after wiping the body (it held secrets). */
void bq_aws_response_free_secure(bq_aws_response *r);

/* ---- pagination ---- */

/* Page callback: page is borrowed.  Return 0 for the next page, 1 to stop
 * quietly (e.g. the output pipe closed; bq_aws_paginate then returns 0),
 * -1 to abort with *err filled (returned as is). */
typedef int (*bq_aws_page_fn)(json_t *page, void *ud, bq_err *err);

/* Calls a JSON-protocol operation repeatedly, copying the output token
 * into the input token, until there is no token (also across empty
 * pages), the token repeats (GetLogEvents' nextForwardToken), or the
 * callback stops.  in_token / out_token NULL: taken from the service's
 * paginators-1.json (built-in table), else "NextToken"/"nextToken" as found
 * in the response.  input is borrowed and not modified. */
int bq_aws_paginate(bq_aws *a, bq_service_id svc, const char *operation,
		    json_t *input, const char *in_token, const char *out_token,
		    bq_aws_page_fn fn, void *ud, bq_err *err);

/* rest-json paging (X-Ray POST bodies, Bedrock GET lists): for GET the
 * token goes into the query as in_token (NULL: "nextToken"), for other
 * methods into the body's in_token member (NULL: "NextToken"); out_token
 * (NULL: found as for bq_aws_paginate) is read from each page. */
int bq_aws_rest_paginate(bq_aws *a, bq_service_id svc, const char *method,
			 const char *path, const char *query, json_t *body,
			 const char *in_token, const char *out_token,
			 bq_aws_page_fn fn, void *ud, bq_err *err);

/* ---- S3 (rest-xml; virtual-hosted on AWS, path-style on a custom endpoint) ---- */

typedef struct bq_s3_object {
	const char *key;           /* decoded */
	long long size;
	const char *etag;          /* with its quotes, as S3 sends it */
	const char *last_modified; /* "2026-11-26T10:00:00.000Z" */
	const char *storage_class;
} bq_s3_object;

/* Object callback: obj and its strings are borrowed for the call.
 * Return 0 to go on, 1 to stop quietly, -1 to abort (err filled). */
typedef int (*bq_s3_object_fn)(const bq_s3_object *obj, void *ud, bq_err *err);
/* Bytes callback for streamed bodies: return 0 to go on, 1 to stop
 * quietly (the transfer is abandoned, the call returns 0), -1 to abort. */
typedef int (*bq_aws_data_fn)(const void *data, size_t n, void *ud, bq_err *err);

/* ListObjectsV2 over bucket/prefix (prefix and start_after may be NULL),
 * streaming each key to fn as the XML is parsed and following
 * NextContinuationToken. */
int bq_s3_list(bq_aws *a, const char *bucket, const char *prefix,
	       const char *start_after, bq_s3_object_fn fn, void *ud,
	       bq_err *err);
/* Common-prefix callback: prefix (decoded, ending with the delimiter) is
 * borrowed for the call.  Return 0 to go on, 1 to stop quietly, -1 to
 * abort (err filled). */
typedef int (*bq_s3_prefix_fn)(const char *prefix, void *ud, bq_err *err);
/* ListObjectsV2 with a delimiter (NULL or "": "/"): the "folders" one
 * level below prefix, each common prefix once, in key order, following
 * NextContinuationToken; the objects directly under prefix are skipped.
 * E.g. the accounts that deliver logs to a bucket:
 *     bq_s3_list_prefixes(aws, bucket, "logs/AWSLogs/", "/", on_account, ud, &err);
 *     -> "logs/AWSLogs/123456789012/", ... */
int bq_s3_list_prefixes(bq_aws *a, const char *bucket, const char *prefix,
			const char *delimiter, bq_s3_prefix_fn fn, void *ud,
			bq_err *err);
/* One ListObjectsV2 answer already in memory (xml, n bytes), parsed by
 * the same code as bq_s3_list's streamed pages (so it can be fuzzed):
 * objects to on_object, common prefixes to on_prefix (either NULL to skip
 * them; callbacks as above, a stop of 1 ends with 0).  On a full parse,
 * *truncated is IsTruncated and *next_token the NextContinuationToken
 * (NULL when absent; free() it).  -1 with err for bad XML or a callback's
 * abort; *next_token is then NULL. */
int bq_s3_list_parse(const char *xml, size_t n, bq_s3_object_fn on_object,
		     bq_s3_prefix_fn on_prefix, void *ud, char **next_token,
		     bool *truncated, bq_err *err);
/* GetObject, streaming the stored bytes to fn (a gzip object arrives
 * compressed, whatever its Content-Encoding).  A transfer cut midway is
 * resumed with a Range request, so fn never sees a byte twice. */
int bq_s3_get(bq_aws *a, const char *bucket, const char *key,
	      bq_aws_data_fn fn, void *ud, bq_err *err);
/* PutObject; content_type / content_encoding may be NULL. */
int bq_s3_put(bq_aws *a, const char *bucket, const char *key,
	      const void *data, size_t len, const char *content_type,
	      const char *content_encoding, bq_err *err);
/* CreateBucket in the client's region; a bucket we already own
 * (BucketAlreadyOwnedByYou) is success. */
int bq_s3_create_bucket(bq_aws *a, const char *bucket, bq_err *err);
/* Splits "s3://bucket/prefix" into malloc'd bucket and prefix ("" when
 * none); usage error naming the input when it is not an s3:// URL. */
int bq_s3_parse_url(const char *url, char **bucket, char **prefix, bq_err *err);

/* ---- STS (query protocol) ---- */

/* *out: {"Account","Arn","UserId"} (new reference). */
int bq_sts_get_caller_identity(bq_aws *a, json_t **out, bq_err *err);

struct bq_creds;
/* AssumeRole signed with the client's credentials.  *out (lib/creds.h,
 * caller-owned, release with bq_creds_clear) gets the role's temporary
 * credentials, already registered for redaction.  session_name NULL:
 * "bq-<epoch>"; external_id NULL: none; duration_seconds 0: the role's
 * default. */
int bq_sts_assume_role(bq_aws *a, const char *role_arn,
		       const char *session_name, const char *external_id,
		       int duration_seconds, struct bq_creds *out, bq_err *err);
/* AssumeRoleWithWebIdentity (unsigned: the OIDC token is the proof). */
int bq_sts_assume_role_with_web_identity(bq_aws *a, const char *role_arn,
					 const char *session_name,
					 const char *token,
					 struct bq_creds *out, bq_err *err);

/* ---- credentials ---- */

/* Drops the cached credentials and resolves them again now. */
int bq_aws_refresh_credentials(bq_aws *a, bq_err *err);
/* Makes sure credentials are present and not within 5 minutes of expiry
 * (refreshing them if so); for long-running loops that want to fail early.
 * Every call does this anyway. */
int bq_aws_ensure_credentials(bq_aws *a, bq_err *err);
/* Which provider gave the current credentials ("environment", "profile",
 * "assume-role", "web-identity", "process", "sso", "container", "imds"),
 * or NULL before the first resolution.  Borrowed. */
const char *bq_aws_credentials_source(const bq_aws *a);

/* ---- many calls in flight (curl multi) ---- */

/* Completion callback, called once per submitted call in completion order
 * with the index given at submission.  On success output is the decoded
 * JSON (borrowed; NULL for S3 GETs) and call_err is NULL; on failure
 * (after that call's own retries) output is NULL and call_err describes
 * it.  Return 0 to go on, non-zero to stop the batch: calls still queued
 * or in flight are cancelled without callbacks and run/step return that
 * value. */
typedef int (*bq_aws_done_fn)(size_t index, json_t *output,
			      const bq_err *call_err, void *ud);

typedef struct bq_aws_batch bq_aws_batch;

/* max_in_flight < 1 means 1: at most that many calls are under way at
 * once, a call waiting out its retry backoff included (so at -j 1 calls
 * run one after the other).  The batch borrows the client; run one batch
 * at a time per client.  Blocking calls on the same client are fine while
 * a batch runs, from its completion callbacks and from its S3 data
 * callbacks too (those run inside a transfer: the client then makes the
 * call on a connection of its own, and the batch's transfers wait). */
int bq_aws_batch_new(bq_aws *a, int max_in_flight, bq_aws_batch **out,
		     bq_err *err);
void bq_aws_batch_free(bq_aws_batch *b); /* cancels what is left; NULL ok */

/* Submissions queue the call (copying input, path, query, strings); they
 * start as soon as there is room.  They fail only on bad arguments or
 * memory. */
int bq_aws_batch_json(bq_aws_batch *b, size_t index, bq_service_id svc,
		      const char *operation, json_t *input,
		      bq_aws_done_fn done, void *ud, bq_err *err);
int bq_aws_batch_rest(bq_aws_batch *b, size_t index, bq_service_id svc,
		      const char *method, const char *path, const char *query,
		      json_t *body, bq_aws_done_fn done, void *ud, bq_err *err);
/* S3 GET streamed to data (called with this call's ud; bytes of different
 * objects interleave between calls, never within one), then done. */
int bq_aws_batch_s3_get(bq_aws_batch *b, size_t index, const char *bucket,
			const char *key, bq_aws_data_fn data,
			bq_aws_done_fn done, void *ud, bq_err *err);

/* Queued + in-flight calls (for callers that feed a batch from a stream
 * and want to keep memory bounded). */
size_t bq_aws_batch_pending(const bq_aws_batch *b);
/* Starts queued calls while there is room, drives the transfers and
 * returns once a call has completed (its callback has run), nothing is
 * pending, or max_wait_ms (on the client's clock) has passed; 0 does not
 * wait, < 0 waits for a completion.  For callers that feed a batch on
 * their own schedule (a request rate): submit, poll until the next
 * submission is due, repeat.  Returns 0, a callback's stop value, or -1
 * with err. */
int bq_aws_batch_poll(bq_aws_batch *b, int max_wait_ms, bq_err *err);
/* bq_aws_batch_poll(b, -1, err): until at least one call completes or
 * nothing is pending. */
int bq_aws_batch_step(bq_aws_batch *b, bq_err *err);
/* Runs until nothing is pending. Same returns as step. */
int bq_aws_batch_run(bq_aws_batch *b, bq_err *err);

#endif
