/*
 * aws_internal: the parts of the client that other lib/ modules build on
 * (credentials providers, the S3 and STS helpers, the batch runner), not
 * meant for cmd/.  Same ownership rules as aws.h.
 */
#ifndef BQ_AWS_INTERNAL_H
#define BQ_AWS_INTERNAL_H

#include "aws.h"
#include "config.h"
#include "creds.h"
#include "http.h"
#include "request.h"

/* Extra knobs of one call. Zero-initialise, set what you need. */
typedef struct bq_aws_xopts {
	const char *label;          /* "FilterLogEvents", for messages */
	const char *region;         /* endpoint and signing region override */
	const bq_creds *creds;      /* sign with these instead of the chain */
	bool no_sign;               /* send unsigned (web identity, SSO) */
	const char *s3_bucket;      /* S3: req->path is the encoded key path */
	bool raw;                   /* no Accept-Encoding / decoding */
	bq_http_body_fn sink;       /* 2xx body streaming (see http.h) */
	void *sink_ud;
	/* Before each attempt is signed: add headers (Range), reset parsers.
	 * Return 0, or -1 with err to give up. */
	int (*on_attempt)(void *ud, bq_request *req, bq_err *err);
	void *attempt_ud;
	double total_timeout;       /* 0: none */
	double connect_timeout;     /* 0: client's */
	int max_attempts;           /* 0: client's */
	/* Nobody reads the answer's body (PutMetricData): a 2xx cut short
	 * is success, since sending a non-idempotent call again would do
	 * its work twice. */
	bool answer_unused;
} bq_aws_xopts;

/* bq_aws_send with the extra knobs.  With a sink, 2xx bodies go there
 * and resp->body stays empty.  A sink stop > 0 ends the call with 0; a
 * stop < 0 ends it with -1 and the message the sink left in *sink_err
 * (copied to err) when sink_err is given. */
int bq_aws_send_ex(bq_aws *a, const bq_aws_request *req,
		   const bq_aws_xopts *xo, bq_aws_response *resp,
		   const bq_err *sink_err, bq_err *err);

/* query protocol (STS) call: action + NULL-terminated name/value pairs;
 * *out is the parsed result object (see proto.h). */
int bq_aws_query_call(bq_aws *a, bq_service_id svc, const char *action,
		      const char *const *params, const bq_aws_xopts *xo,
		      json_t **out, bq_err *err);

/* Plain HTTP for metadata services (IMDS, containers): headers are
 * NULL-terminated name, value pairs; unsigned, no
 * retries, with a total timeout.  0 when a response arrived (status in
 * resp), -1 with err on network failure. */
int bq_aws_fetch(bq_aws *a, const char *method, const char *url,
		 const char *const *headers, double timeout,
		 bq_aws_response *resp, bq_err *err);

/* bq_s3_list with a page size (max-keys; 0: the service's 1000), so
 * tests can page through a few objects. */
int bq_s3_list_ex(bq_aws *a, const char *bucket, const char *prefix,
		  const char *start_after, int max_keys, bq_s3_object_fn fn,
		  void *ud, bq_err *err);

/* ListObjectsV2 with every knob: objects to on_object, common prefixes
 * (with a delimiter) to on_prefix, either callback NULL to skip those. */
typedef struct bq_s3_list_opts {
	const char *start_after;  /* NULL: from the start */
	const char *delimiter;    /* NULL: none (every key below prefix) */
	int max_keys;             /* page size; 0: the service's 1000 */
	bq_s3_object_fn on_object;
	bq_s3_prefix_fn on_prefix;
	void *ud;
} bq_s3_list_opts;

int bq_s3_list_with(bq_aws *a, const char *bucket, const char *prefix,
		    const bq_s3_list_opts *o, bq_err *err);

/* bq_sts_assume_role signed with src instead of the client's chain
 * (role chains: each role is assumed with the previous one's keys). */
int bq_sts_assume_role_as(bq_aws *a, const bq_creds *src, const char *role_arn,
			  const char *session_name, const char *external_id,
			  const char *duration_seconds, bq_creds *out,
			  bq_err *err);

const bq_config *bq_aws_conf(const bq_aws *a);
const bq_clock *bq_aws_clock(const bq_aws *a);
const char *bq_aws_profile(const bq_aws *a);
bq_http *bq_aws_http(bq_aws *a);
/* Whether S3 requests must use path-style addressing (profile's
 * s3 addressing_style = path). */
bool bq_aws_s3_path_style(const bq_aws *a);

#endif
