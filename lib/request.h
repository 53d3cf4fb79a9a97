/*
 * request: the one in-memory form of an HTTP request, shared by the signer
 * (sigv4), the HTTP client and the protocol serialisers.
 *
 * Ownership: a bq_request owns every string in it (method, scheme, host,
 * path, query, each header name and value); the setters copy their
 * arguments.  The body is BORROWED: the caller keeps it alive until the
 * request is sent and freed.  bq_request_free() wipes header values before
 * freeing them (Authorization and x-amz-security-token live there) and
 * leaves the struct re-initialised, so it may be reused or freed twice.
 *
 * Field conventions (what the signer relies on):
 *   method  upper case, "GET"
 *   scheme  "https" or "http"
 *   host    exactly the Host header that will be sent: "bedrock.us-east-1.
 *           amazonaws.com", or "127.0.0.1:8765" with a non-default port
 *           (bq_request_set_host drops :443 for https and :80 for http)
 *   path    the wire form, percent-encoded once ("/model/a%3Ab/converse");
 *           never NULL after set_target, "/" at least
 *   query   the wire form without '?', percent-encoded, or NULL for none
 *   headers in insertion order; names keep their case; duplicates allowed
 *           (add_header appends, set_header replaces every same-named one)
 * Header names compare case-insensitively.  The Host header is not stored
 * in headers: the client sends r->host, and the signer signs r->host.
 *
 * All int functions return 0, or -1 with err filled (out of memory or a bad
 * argument); on failure the request is unchanged.
 */
#ifndef BQ_REQUEST_H
#define BQ_REQUEST_H

#include <stddef.h>

#include "err.h"

typedef struct bq_header {
	char *name;
	char *value;
} bq_header;

typedef struct bq_request {
	char *method;
	char *scheme;
	char *host;   /* as sent, with :port when non-default */
	char *path;   /* wire form, encoded once */
	char *query;  /* wire form without '?', or NULL */
	bq_header *headers;
	size_t nheaders, cap;
	const unsigned char *body; /* borrowed */
	size_t body_len;
} bq_request;

#define BQ_REQUEST_INIT { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, NULL, 0 }

void bq_request_init(bq_request *r);
void bq_request_free(bq_request *r);

/* Sets method, scheme, host, path and query in one go (query may be NULL,
 * path NULL or "" means "/").  host is taken as is (see set_host). */
int bq_request_set_target(bq_request *r, const char *method, const char *scheme,
			  const char *host, const char *path, const char *query,
			  bq_err *err);
/* Sets r->scheme and builds r->host from a host name and port: port 0, or
 * the scheme's default port (443 for https, 80 for http), is left out.  An
 * IPv6 literal is given with its brackets ("[::1]"). */
int bq_request_set_host(bq_request *r, const char *scheme, const char *hostname,
			int port, bq_err *err);
int bq_request_set_method(bq_request *r, const char *method, bq_err *err);
int bq_request_set_path(bq_request *r, const char *path, bq_err *err);
/* NULL or "" removes the query. */
int bq_request_set_query(bq_request *r, const char *query, bq_err *err);
/* Borrows body for the life of the request. */
void bq_request_set_body(bq_request *r, const void *body, size_t len);

/* Appends a header, keeping any existing ones with the same name. */
int bq_request_add_header(bq_request *r, const char *name, const char *value,
			  bq_err *err);
/* Replaces every header with this name by one header at the position of
 * the first (appended when there was none). */
int bq_request_set_header(bq_request *r, const char *name, const char *value,
			  bq_err *err);
/* The value of the first header with this name, borrowed, or NULL. */
const char *bq_request_get_header(const bq_request *r, const char *name);
/* Removes (and wipes) every header with this name; returns how many. */
size_t bq_request_remove_header(bq_request *r, const char *name);

/* "scheme://host/path[?query]" as a new malloc'd string (caller frees). */
int bq_request_url(const bq_request *r, char **out, bq_err *err);

#endif
