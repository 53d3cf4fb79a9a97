/*
 * uri: RFC 3986 percent-encoding and decoding, and AWS-style path
 * normalisation, shared by the signer, the HTTP client and the rest-json
 * serialiser (path and query parameters).
 *
 * Ownership: results are appended to a caller-owned bq_buf (see buf.h).
 * Functions return 0, or -1 when the buffer cannot grow (it is then left
 * as it was before the call).
 */
#ifndef BQ_URI_H
#define BQ_URI_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends s[0..n) with every byte outside A-Za-z0-9-_.~ written as %XX
 * (upper-case hex); space is %20, never '+'.  keep_slash leaves '/' as is
 * (for paths). */
int bq_uri_encode(bq_buf *out, const char *s, size_t n, bool keep_slash);
/* Same for a NUL-terminated string, returned malloc'd (NULL when out of
 * memory). */
char *bq_uri_encode_dup(const char *s, bool keep_slash);
/* Appends s[0..n) with %XX sequences decoded.  '+' stays '+' (this is not
 * form decoding); a '%' not followed by two hex digits is kept literally. */
int bq_uri_decode(bq_buf *out, const char *s, size_t n);
/* Appends path with "." and ".." segments removed and empty segments ("//")
 * collapsed, as AWS services other than S3 expect for signing.  A leading
 * '/' is kept; a trailing '/' is kept when something remains after it;
 * "" and "/" give "/".  Percent-encoded dots are not decoded. */
int bq_uri_normalize_path(bq_buf *out, const char *path);

#endif
