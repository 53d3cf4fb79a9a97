/*
 * httpdate: HTTP dates (RFC 7231 IMF-fixdate "Sun, 06 Nov 1994 08:49:37
 * GMT", also without the weekday), as in the Date header the clock-skew
 * correction reads and in Retry-After.  Pure; no allocation.
 */
#ifndef BQ_HTTPDATE_H
#define BQ_HTTPDATE_H

#include <time.h>

/* 0 and *out set, or -1 when s is not an HTTP date. */
int bq_http_date_parse(const char *s, time_t *out);

#endif
