/*
 * timeexpr: the time expressions of interface.md section 2, and RFC 3339
 * formatting in UTC.
 *
 * Accepted forms (leading/trailing blanks are an error, case matters only
 * where RFC 3339 allows both: 'T'/'t', 'Z'/'z'):
 *   now                         the instant given as `now`
 *   90s 15m 6h 7d 2w 1h30m      a duration back from now; units s m h d w
 *                               (also "ms"); compounds add up, each unit at
 *                               most once and in descending order
 *   2026-11-26T10:00:00Z        RFC 3339 / ISO 8601; offsets "+01:00",
 *   2026-11-26T10:00:00.250+01:00   "+0100", "-05"; fractional seconds
 *   2026-11-26 10:00:00Z        (kept to the millisecond, extra digits cut);
 *   2026-11-26T10:00            a space for 'T'; seconds optional; no zone
 *   2026-11-26                  means UTC; a date alone is 00:00:00Z
 *   @1700000000  @1700000000.5  seconds since the epoch (may be negative)
 * A bad expression fails with BQ_EXIT_USAGE and a message naming the text,
 * e.g. "bad time expression '3x': unknown unit 'x' (use s, m, h, d, w)".
 *
 * Everything here is pure: "now" is a parameter, no clock is read, no
 * global state is touched.  Instants are int64 milliseconds since the epoch
 * (UTC); the time_t variants floor to whole seconds.
 */
#ifndef BQ_TIMEEXPR_H
#define BQ_TIMEEXPR_H

#include <stdint.h>
#include <time.h>

#include "err.h"

/* Large enough for "-292277026596-12-04T15:30:07.999Z" and a NUL. */
#define BQ_TIME_BUFSZ 40

/* Parses a time expression relative to now_ms.  0, or -1 with err filled
 * (BQ_EXIT_USAGE); *out_ms is untouched on failure. */
int bq_time_parse_ms(const char *s, int64_t now_ms, int64_t *out_ms,
		     bq_err *err);
/* Same in whole seconds (fractions are floored). */
int bq_time_parse(const char *s, time_t now, time_t *out, bq_err *err);

/* A duration alone ("5m", "1h30m", "90s", "250ms"; no sign, no "now"),
 * for options such as --period.  A bare number is rejected: a unit is
 * required so "--period 60" is not silently read as minutes or seconds. */
int bq_duration_parse_ms(const char *s, int64_t *out_ms, bq_err *err);

/* "2026-11-26T21:00:00Z" into buf (BQ_TIME_BUFSZ bytes).  Returns buf, or
 * NULL when the instant cannot be represented (buf then holds ""). */
char *bq_time_format(time_t t, char *buf, size_t size);
/* "2026-11-26T21:00:00.123Z" (always three digits). */
char *bq_time_format_ms(int64_t ms, char *buf, size_t size);
/* Seconds form when ms is a whole second, else the milliseconds form:
 * for sources that have milliseconds only sometimes. */
char *bq_time_format_auto(int64_t ms, char *buf, size_t size);

/* Days since 1970-01-01 of a proleptic Gregorian date (no range checks;
 * month 1-12).  Exposed for tests and for tools that build day windows. */
int64_t bq_days_from_civil(int64_t y, int m, int d);

#endif
