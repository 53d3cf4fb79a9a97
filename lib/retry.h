/*
 * retry: the "standard" retry mode (bedrock-facts.md 9.3, botocore
 * retries/standard.py and quota.py).
 *
 *   - Retried: throttling and transient error codes, HTTP 500/502/503/504,
 *     network failures (connect, reset, truncated body, timeout); that is
 *     bq_err.retryable as lib/err.c classifies it.
 *   - max_attempts counts the first try (AWS_MAX_ATTEMPTS / --max-attempts,
 *     default 3).
 *   - Backoff before retry i (i = 1 after the first failure):
 *       delay = random[0,1) * min(base * 2^(i-1), cap), base 1 s, cap 20 s.
 *     A server hint (x-amz-retry-after in ms, Retry-After in seconds) is
 *     honoured within [delay, delay + 5 s] and never above the cap.
 *   - Retry quota: a token bucket per client, capacity 500; a retry costs 5
 *     (10 after a timeout); when the bucket cannot pay, the error is
 *     returned at once.  A success after retries refunds the last cost; a
 *     first-try success adds 1 (up to capacity).  First attempts are never
 *     blocked.
 *
 * Ownership: plain structs, no allocation.  Time and randomness are the
 * caller's (bq_clock), so tests assert delays and quota without waiting.
 */
#ifndef BQ_RETRY_H
#define BQ_RETRY_H

#include <stdbool.h>

#include "clock.h"
#include "err.h"

#define BQ_RETRY_DEFAULT_ATTEMPTS 3
#define BQ_RETRY_BASE 1.0
#define BQ_RETRY_CAP 20.0
#define BQ_RETRY_QUOTA_CAPACITY 500
#define BQ_RETRY_COST 5
#define BQ_RETRY_TIMEOUT_COST 10
#define BQ_RETRY_SUCCESS_REFILL 1
#define BQ_RETRY_HINT_SLACK 5.0

typedef struct bq_retry_quota {
	int available;
} bq_retry_quota;

/* Per-call state: start each call with BQ_RETRY_STATE_INIT. */
typedef struct bq_retry_state {
	int attempts;  /* attempts made so far */
	int last_cost; /* quota taken for the latest retry, 0 if none */
} bq_retry_state;

#define BQ_RETRY_STATE_INIT { 0, 0 }

void bq_retry_quota_init(bq_retry_quota *q);

/* AWS_MAX_ATTEMPTS unless opt > 0; BQ_RETRY_DEFAULT_ATTEMPTS when neither
 * is valid.  A bad AWS_MAX_ATTEMPTS is a usage error. */
int bq_retry_max_attempts(int opt, int *out, bq_err *err);

/* After a failed attempt (st->attempts already counts it): whether to try
 * again.  Takes the quota cost when it says yes. timeout: the failure was
 * a timeout (costs more). */
bool bq_retry_should(bq_retry_quota *q, bq_retry_state *st, int max_attempts,
		     const bq_err *e, bool timeout);

/* Delay before the next attempt; hint < 0 means no server hint. */
double bq_retry_delay(const bq_retry_state *st, double rnd, double hint);

/* Parses x-amz-retry-after (ms) or Retry-After (seconds, or an HTTP date
 * relative to now); either may be NULL.  -1 when absent or unusable. */
double bq_retry_hint(const char *x_amz_retry_after, const char *retry_after,
		     double now);

/* After a successful response. */
void bq_retry_on_success(bq_retry_quota *q, const bq_retry_state *st);

#endif
