/*
 * pacer: a token bucket that keeps a caller under an API's request rate
 * (CloudTrail LookupEvents allows 2 requests per second per account and
 * Region), and backs off after the service says it was throttled.
 *
 * Time comes from a bq_clock (clock.h), so tests drive it with a fake clock
 * and no test waits for real.  A pacer owns nothing; the clock is borrowed
 * and must outlive it.  Not thread-safe (one pacer per loop).
 *
 * Use:
 *     bq_pacer p;
 *     bq_pacer_init(&p, clock, 2.0, 1.0);
 *     for (;;) {
 *         bq_pacer_take(&p);            (sleeps until a request may go)
 *         send ...
 *         if (throttled) { bq_pacer_throttled(&p); continue; }  (same page again)
 *         bq_pacer_ok(&p);
 *     }
 */
#ifndef BQ_PACER_H
#define BQ_PACER_H

#include "clock.h"

typedef struct bq_pacer {
	const bq_clock *clock; /* borrowed; NULL = the real clock */
	double rate;           /* tokens added per second (> 0) */
	double burst;          /* bucket capacity (>= 1) */
	double tokens;         /* tokens in the bucket now */
	double last;           /* clock time tokens was last brought up to date */
	double hold_until;     /* no token before this time (throttle backoff) */
	double backoff_base;   /* first backoff, seconds (default 1) */
	double backoff_cap;    /* longest backoff, seconds (default 20) */
	unsigned streak;       /* throttles since the last success */
	unsigned long taken;   /* tokens handed out */
	unsigned long throttles; /* bq_pacer_throttled calls */
	double waited;         /* seconds slept in bq_pacer_take */
} bq_pacer;

/* Starts with a full bucket (burst tokens).  rate <= 0 is taken as 1;
 * burst < 1 as 1. */
void bq_pacer_init(bq_pacer *p, const bq_clock *clock, double rate,
		   double burst);
/* Sleeps (through the clock) until a token is there and no backoff holds,
 * then takes it.  Returns the seconds slept. */
double bq_pacer_take(bq_pacer *p);
/* The service throttled the last request: empty the bucket and hold every
 * token for an exponential backoff with jitter, half to all of
 * min(cap, base * 2^streak).  Returns that delay in seconds. */
double bq_pacer_throttled(bq_pacer *p);
/* The last request went through: the backoff streak starts again. */
void bq_pacer_ok(bq_pacer *p);
/* Milliseconds until bq_pacer_take would hand out a token without sleeping
 * (0: now), rounded up; takes nothing and never sleeps, so an event loop
 * can drive other work meanwhile.  Counts as bq_pacer_take does: a backoff
 * hold earns no tokens, then the bucket refills at the rate. */
long bq_pacer_wait_ms(const bq_pacer *p);

#endif
