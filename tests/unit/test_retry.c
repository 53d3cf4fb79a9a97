/* retry: standard-mode decisions, backoff and quota, driven through a fake
 * clock (no waiting); HTTP dates. */
#include "clock.h"
#include "httpdate.h"
#include "retry.h"
#include "t.h"

#include <math.h>
#include <stdlib.h>

static bq_err aws_err(int status, const char *code)
{
	bq_err e;

	bq_fail_aws(&e, "logs", status, code, "m", "");
	return e;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-9)

int main(void)
{
	bq_retry_quota q;
	bq_retry_state st = BQ_RETRY_STATE_INIT;
	bq_fake_clock fc;
	bq_err e, net;
	int max, i, n;
	time_t t;

	/* which errors are retried */
	bq_retry_quota_init(&q);
	T_OK(q.available == 500, "quota starts at 500");
	e = aws_err(400, "ThrottlingException");
	st.attempts = 1;
	T_OK(bq_retry_should(&q, &st, 3, &e, false), "throttling is retried");
	T_OK(q.available == 495 && st.last_cost == 5, "a retry costs 5");
	e = aws_err(400, "ValidationException");
	st.attempts = 1;
	T_OK(!bq_retry_should(&q, &st, 3, &e, false), "validation errors are not retried");
	e = aws_err(403, "AccessDeniedException");
	T_OK(!bq_retry_should(&q, &st, 3, &e, false), "access denied is not retried");
	for (i = 0; i < 4; i++) {
		static const int codes[] = { 500, 502, 503, 504 };

		e = aws_err(codes[i], "");
		st.attempts = 1;
		T_OK(bq_retry_should(&q, &st, 3, &e, false), "HTTP %d is retried", codes[i]);
	}
	e = aws_err(501, "");
	T_OK(!bq_retry_should(&q, &st, 3, &e, false), "HTTP 501 is not retried");
	e = aws_err(400, "RequestTimeout");
	T_OK(bq_retry_should(&q, &st, 3, &e, false), "RequestTimeout (transient) is retried");
	e = aws_err(400, "ModelNotReadyException");
	T_OK(bq_retry_should(&q, &st, 3, &e, false), "ModelNotReadyException is retried");
	st.attempts = 3;
	e = aws_err(503, "");
	T_OK(!bq_retry_should(&q, &st, 3, &e, false), "no retry once max attempts are used");

	/* a network failure marked retryable, timeouts cost 10 */
	bq_retry_quota_init(&q);
	bq_fail(&net, BQ_EXIT_RUNTIME, "timed out");
	net.retryable = true;
	st.attempts = 1;
	T_OK(bq_retry_should(&q, &st, 3, &net, true) && q.available == 490 &&
	     st.last_cost == 10, "a timeout retry costs 10");

	/* quota: refunds, +1 on first-try success, cap, exhaustion */
	bq_retry_on_success(&q, &st);
	T_OK(q.available == 500, "success after a retry refunds its cost");
	st.last_cost = 0;
	bq_retry_on_success(&q, &st);
	T_OK(q.available == 500, "the bucket never goes above 500");
	q.available = 495;
	bq_retry_on_success(&q, &st);
	T_OK(q.available == 496, "a first-try success adds 1");
	q.available = 4;
	st.attempts = 1;
	e = aws_err(503, "");
	T_OK(!bq_retry_should(&q, &st, 3, &e, false) && q.available == 4,
	     "an empty bucket stops retries at once");
	bq_retry_quota_init(&q);
	for (n = 0;; n++) {
		st.attempts = 1;
		if (!bq_retry_should(&q, &st, 3, &e, false))
			break;
	}
	T_OK(n == 100, "500 tokens pay for exactly 100 retries (got %d)", n);

	/* backoff: rand * min(2^(i-1), 20) */
	st.attempts = 1;
	T_OK(NEAR(bq_retry_delay(&st, 0.5, -1), 0.5), "after attempt 1: rand * 1 s");
	st.attempts = 2;
	T_OK(NEAR(bq_retry_delay(&st, 0.5, -1), 1.0), "after attempt 2: rand * 2 s");
	st.attempts = 5;
	T_OK(NEAR(bq_retry_delay(&st, 0.5, -1), 8.0), "after attempt 5: rand * 16 s");
	st.attempts = 6;
	T_OK(NEAR(bq_retry_delay(&st, 0.5, -1), 10.0), "capped at 20 s");
	st.attempts = 30;
	T_OK(NEAR(bq_retry_delay(&st, 0.99, -1), 19.8), "still capped far out");
	st.attempts = 1;
	T_OK(NEAR(bq_retry_delay(&st, 0.0, -1), 0.0), "full jitter reaches 0");
	/* server hints, bounded to [delay, delay + 5] and the cap */
	T_OK(NEAR(bq_retry_delay(&st, 0.5, 3.0), 3.0), "a Retry-After hint is honoured");
	T_OK(NEAR(bq_retry_delay(&st, 0.5, 60.0), 5.5), "a hint is bounded to delay + 5 s");
	T_OK(NEAR(bq_retry_delay(&st, 0.5, 0.1), 0.5), "a hint never shortens the delay");
	T_OK(NEAR(bq_retry_hint("1500", NULL, 0), 1.5), "x-amz-retry-after is milliseconds");
	T_OK(NEAR(bq_retry_hint(NULL, "7", 0), 7.0), "Retry-After is seconds");
	T_OK(NEAR(bq_retry_hint(NULL, "Thu, 01 Jan 1970 00:01:40 GMT", 90), 10.0),
	     "Retry-After as an HTTP date");
	T_OK(bq_retry_hint(NULL, "soon", 0) < 0, "an unusable hint is ignored");

	/* max attempts */
	unsetenv("AWS_MAX_ATTEMPTS");
	T_OK(bq_retry_max_attempts(0, &max, &e) == 0 && max == 3, "default 3 attempts");
	setenv("AWS_MAX_ATTEMPTS", "5", 1);
	T_OK(bq_retry_max_attempts(0, &max, &e) == 0 && max == 5, "AWS_MAX_ATTEMPTS");
	T_OK(bq_retry_max_attempts(2, &max, &e) == 0 && max == 2, "--max-attempts wins");
	setenv("AWS_MAX_ATTEMPTS", "zero", 1);
	T_OK(bq_retry_max_attempts(0, &max, &e) < 0 && e.exit_status == BQ_EXIT_USAGE,
	     "a bad AWS_MAX_ATTEMPTS is a usage error");
	unsetenv("AWS_MAX_ATTEMPTS");

	/* the fake clock drives sleeps without waiting */
	bq_fake_clock_init(&fc, 1000.0, 0.25);
	bq_clock_sleep(&fc.clock, 2.5);
	T_OK(NEAR(bq_clock_now(&fc.clock), 1002.5) && fc.ndelays == 1 &&
	     NEAR(fc.delays[0], 2.5), "fake sleep advances fake time");
	T_OK(NEAR(bq_clock_random(&fc.clock), 0.25), "fake random is pinned");
	{
		double r = bq_clock_random(NULL);

		T_OK(r >= 0 && r < 1, "real random is in [0,1)");
	}
	/* a whole retry sequence, as the client runs it */
	bq_retry_quota_init(&q);
	bq_fake_clock_init(&fc, 0, 0.5);
	{
		bq_retry_state s2 = BQ_RETRY_STATE_INIT;

		e = aws_err(503, "ServiceUnavailable");
		for (;;) {
			s2.attempts++;
			if (!bq_retry_should(&q, &s2, 4, &e, false))
				break;
			bq_clock_sleep(&fc.clock,
				       bq_retry_delay(&s2, bq_clock_random(&fc.clock), -1));
		}
		T_OK(s2.attempts == 4 && fc.ndelays == 3 && NEAR(fc.delays[0], 0.5) &&
		     NEAR(fc.delays[1], 1.0) && NEAR(fc.delays[2], 2.0) &&
		     q.available == 485,
		     "4 attempts: delays 0.5, 1, 2 s and 15 tokens spent");
	}

	/* HTTP dates */
	T_OK(bq_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t) == 0 &&
	     t == 784111777, "IMF-fixdate");
	T_OK(bq_http_date_parse("06 Nov 1994 08:49:37 GMT", &t) == 0 && t == 784111777,
	     "date without weekday");
	T_OK(bq_http_date_parse("Sun, 06 Nov 1994 08:49:37 PST", &t) < 0,
	     "non-GMT zones are refused");
	T_OK(bq_http_date_parse("yesterday", &t) < 0, "garbage is refused");
	return T_DONE();
}
