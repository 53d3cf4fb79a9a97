/*
 * aws_s3: the streaming GetObject machinery shared by bq_s3_get and the
 * batch runner (aws_batch.c).  Private to lib/.
 *
 * A bq_s3get counts the bytes handed to the caller's callback; when an
 * attempt breaks midway, the next one asks for "Range: bytes=N-" and the
 * sink skips whatever the server sends again, so the callback never sees
 * a byte twice.
 */
#ifndef BQ_AWS_S3_H
#define BQ_AWS_S3_H

#include "aws_call.h"

typedef struct bq_s3get {
	bq_aws_data_fn fn;
	void *ud;
	bq_err err;            /* what fn reported when it returned -1 */
	bq_buf path;           /* the encoded key path */
	const bq_http_xfer *x; /* the call's transfer (for its status) */
	size_t delivered;      /* bytes handed to fn */
	size_t range_from;     /* first byte asked for in this attempt */
	size_t attempt_pos;    /* bytes received in this attempt */
} bq_s3get;

/* Fills r and xo for a GET of bucket/key streamed through g; set g->x to
 * the call's transfer once the call exists. */
int bq_s3get_init(bq_s3get *g, const char *bucket, const char *key,
		  bq_aws_data_fn fn, void *ud, bq_aws_request *r,
		  bq_aws_xopts *xo, bq_err *err);
void bq_s3get_release(bq_s3get *g);
int bq_s3get_attempt(void *ud, bq_request *req, bq_err *err);
int bq_s3get_sink(void *ud, const char *data, size_t n);

#endif
