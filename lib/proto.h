/*
 * proto: the AWS wire protocols, request building and response/error
 * parsing, split over proto_json.c (awsJson 1.0/1.1 and the one error
 * mapper), proto_rest.c (rest-json and URI encoding), proto_xml.c
 * (streaming expat helpers, XML errors) and proto_query.c (STS).
 *
 * Ownership: request builders write into caller-owned bq_bufs and
 * structs; the client (aws.c) turns them into signed requests.  json_t *
 * inputs are borrowed; json_t **
 * outputs are new references.  A bq_xml is created and freed by the caller.
 */
#ifndef BQ_PROTO_H
#define BQ_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "service.h"

/* ---- awsJson 1.0 / 1.1 (proto_json.c) ---- */

/* The parts of an awsJson request (POST / is implied): the body (input,
 * NULL = {}, dumped compactly) and, in *r, the Content-Type
 * ("application/x-amz-json-1.0"/"1.1") and a NULL-terminated header list
 * with "X-Amz-Target: <prefix>.<operation>" (plus "x-amzn-query-mode:
 * true" for CloudWatch, as botocore sends). */
typedef struct bq_proto_json_req {
	char content_type[48];
	char target[256];
	const char *headers[3];
} bq_proto_json_req;
int bq_proto_json_prepare(const bq_service *s, const char *operation,
			  json_t *input, bq_buf *body, bq_proto_json_req *r,
			  bq_err *err);
/* Decodes a JSON response body; an empty body is {}.  A body that is
 * not a JSON object is a runtime error naming the service. */
int bq_proto_json_parse(const bq_service *s, const char *body, size_t len,
			json_t **out, bq_err *err);

/* Fills err from a non-2xx response: JSON bodies (__type with or without
 * "prefix#", code/Code, message/Message), the x-amzn-errortype header
 * (":..." suffix stripped), XML bodies (S3 <Error>, query
 * <ErrorResponse><Error>, <ErrorResponse><Errors><Error>, <Response>
 * <Errors><Error>), and the request id from x-amzn-requestid /
 * x-amz-request-id or the body.  header(ud, name) looks a response header
 * up (NULL when absent).  Always returns -1. */
typedef const char *(*bq_proto_header_fn)(const void *ud, const char *name);
int bq_proto_error(const bq_service *s, int http_status, const char *body,
		   size_t len, bq_proto_header_fn header, const void *hud,
		   bq_err *err);

/* ---- rest-json (proto_rest.c) ---- */

/* Percent-encodes s as a path segment ('/' encoded too) onto out. */
int bq_proto_encode_segment(bq_buf *out, const char *s);
/* Percent-encodes an S3 object key as a path ('/' kept) onto out. */
int bq_proto_encode_key(bq_buf *out, const char *key);

/* ---- streaming XML (proto_xml.c) ---- */

typedef struct bq_xml bq_xml;

/* Called when an element opens: path is "/Root/Child/Leaf" (borrowed).
 * Return 0 to go on, non-zero to stop (bq_xml_feed then fails with that
 * value in bq_xml_stopped). */
typedef int (*bq_xml_start_fn)(void *ud, const char *path);
/* Called when an element closes, with its text when it had no child
 * elements (text cut at the cap; truncated says so), else "". */
typedef int (*bq_xml_end_fn)(void *ud, const char *path, const char *text,
			     size_t len, bool truncated);

/* text_cap: most bytes of text kept per element (0: 64 KiB). NULL when
 * out of memory.  A DOCTYPE is refused (AWS never sends one). */
bq_xml *bq_xml_new(bq_xml_start_fn on_start, bq_xml_end_fn on_end, void *ud,
		   size_t text_cap);
/* Feeds a chunk; final = true for the end of the document.  -1 with err
 * (runtime, "bad XML from <what>: <expat message> at line L") on a parse
 * error or a callback stop. */
int bq_xml_feed(bq_xml *x, const char *data, size_t n, bool final,
		const char *what, bq_err *err);
/* The non-zero value a callback stopped with, else 0. */
int bq_xml_stopped(const bq_xml *x);
void bq_xml_free(bq_xml *x);

/* Whether a body looks like XML (first non-blank byte is '<'). */
bool bq_proto_looks_xml(const char *body, size_t len);

/* ---- query protocol (proto_query.c) ---- */

#define BQ_PROTO_QUERY_CONTENT_TYPE \
	"application/x-www-form-urlencoded; charset=utf-8"
/* The form body of a query call (POST / with BQ_PROTO_QUERY_CONTENT_TYPE):
 * "Action=<action>&Version=<api version>" then each params[i]=params[i+1]
 * pair of the NULL-terminated list, encoded. */
int bq_proto_query_body(const bq_service *s, const char *action,
			const char *const *params, bq_buf *body, bq_err *err);
/* Parses "<ActionResponse><ActionResult>..." into a JSON object of the
 * result's elements (nested objects for nested elements, strings for
 * leaves; repeated names: the last wins), plus "ResponseMetadata". */
int bq_proto_query_parse(const bq_service *s, const char *action,
			 const char *body, size_t len, json_t **out,
			 bq_err *err);

#endif
