/*
 * aws_call: the client struct and one call's state machine, shared by
 * aws.c (blocking calls) and aws_batch.c (many in flight).  Private to
 * lib/.
 *
 * A call: bq_call_init (copies the request description; the body is
 * copied only when copy_body, else borrowed), then per attempt
 * bq_call_prepare (resolve endpoint, build, sign) -> HTTP ->
 * bq_call_complete (OK / FAILED with err / RETRY after *delay seconds),
 * then bq_call_release.
 */
#ifndef BQ_AWS_CALL_H
#define BQ_AWS_CALL_H

#include "aws_internal.h"
#include "endpoint.h"
#include "retry.h"
#include "sigv4.h"

struct bq_aws {
	char *profile;
	char *region;
	char *endpoint_url;
	bq_config *conf;
	bq_http *http;
	const bq_clock *clock;
	int max_attempts;
	double connect_timeout;
	double read_timeout;      /* 0: per service default */
	bool debug;
	bool no_credentials;
	bool s3_path_style;
	bq_retry_quota quota;
	double skew;              /* server clock minus ours, seconds */
	bq_creds creds;
	char *creds_source;
	bool resolving;
	bool refresh_warned;
	bq_endpoint ep[BQ_SVC_COUNT];
	bool ep_ok[BQ_SVC_COUNT];
	bq_sigv4_cache sigcache;
};

typedef struct bq_call {
	bq_aws *a;
	const bq_service *svc;
	char *method, *path, *query, *content_type, *label, *s3_bucket, *region;
	char **headers;           /* NULL-terminated "Name: value" */
	const void *body;
	size_t body_len;
	bq_buf body_own;
	bq_aws_xopts xo;
	bq_endpoint ep_own;
	bool ep_own_set;
	bq_request req;
	bq_http_xfer x;
	bq_retry_state rs;
	bool skew_retried, refresh_retried;
} bq_call;

enum bq_call_outcome { BQ_CALL_OK, BQ_CALL_FAILED, BQ_CALL_RETRY };

int bq_call_init(bq_call *c, bq_aws *a, const bq_aws_request *r,
		 const bq_aws_xopts *xo, bool copy_body, bq_err *err);
void bq_call_release(bq_call *c);
int bq_call_prepare(bq_call *c, bq_err *err);
enum bq_call_outcome bq_call_complete(bq_call *c, const bq_err *sink_err,
				      double *delay, bq_err *err);
int bq_call_run(bq_call *c, const bq_err *sink_err, bq_err *err);

/* The request of an awsJson call (shared by blocking and batch calls):
 * body gets the encoded input, pj the protocol headers; r and xo are
 * filled, borrowing body, pj and operation. */
struct bq_proto_json_req;
int bq_call_json_request(bq_service_id svc, const char *operation,
			 json_t *input, bq_buf *body,
			 struct bq_proto_json_req *pj, bq_aws_request *r,
			 bq_aws_xopts *xo, bq_err *err);
/* The same for rest-json: body gets the encoded JSON (nothing for NULL),
 * label "METHOD /path"; r and xo borrow path, query, body and label. */
int bq_call_rest_request(bq_service_id svc, const char *method,
			 const char *path, const char *query, json_t *json,
			 bq_buf *body, char *label, size_t label_size,
			 bq_aws_request *r, bq_aws_xopts *xo, bq_err *err);

/* The client's endpoint for a service (cached), or NULL with err. */
const bq_endpoint *bq_aws_ep(bq_aws *a, bq_service_id svc, bq_err *err);
/* Current credentials, resolving or refreshing them as needed. */
int bq_aws_creds_get(bq_aws *a, const bq_creds **out, bq_err *err);

#endif
