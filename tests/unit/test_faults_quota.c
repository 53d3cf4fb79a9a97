/*
 * test_faults_quota: the retry quota (lib/retry.h) under the fault suite's
 * load (tests/cli/faults_lib.sh: about 30% transient faults, a tenth of
 * them timeouts, --max-attempts 10), over runs far longer than the suite
 * can afford with real backoff sleeps.  One client, requests one after
 * another, faults drawn from a seeded xorshift.
 *
 * What it pins: a run of a few thousand requests (a long bq-logs --follow,
 * a big judge batch) never has a request refused by the quota; with no
 * timeouts the bucket has a positive drift and never empties; with a
 * tenth of the faults being timeouts the drift is slightly negative and
 * the bucket does empty after some ten thousand requests, after which a
 * request that fails is not retried (the quota's purpose: stop
 * amplifying an outage).  The numbers are printed as comments.
 */
#include <stdint.h>
#include <stdio.h>

#include "retry.h"
#include "t.h"

static uint64_t rng = 88172645463325252ull;

static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

typedef struct result {
	long refused;      /* requests that failed because the quota said no */
	long first_refused; /* index of the first, -1 if none */
	long exhausted;    /* requests that used every attempt */
	int min_quota;
} result;

static result simulate(long n, double p_fault, double p_timeout, int max_attempts,
		       uint64_t seed)
{
	bq_retry_quota q;
	result r = { 0, -1, 0, BQ_RETRY_QUOTA_CAPACITY };
	bq_err e;
	long i;

	rng = seed;
	bq_retry_quota_init(&q);
	memset(&e, 0, sizeof(e));
	e.retryable = true;
	for (i = 0; i < n; i++) {
		bq_retry_state st = BQ_RETRY_STATE_INIT;

		for (;;) {
			st.attempts++;
			if (rnd() < p_fault) {
				bool timeout = rnd() < p_timeout;

				if (bq_retry_should(&q, &st, max_attempts, &e, timeout))
					continue;
				if (st.attempts >= max_attempts) {
					r.exhausted++;
				} else {
					r.refused++;
					if (r.first_refused < 0)
						r.first_refused = i;
				}
				break;
			}
			bq_retry_on_success(&q, &st);
			break;
		}
		if (q.available < r.min_quota)
			r.min_quota = q.available;
	}
	return r;
}

int main(void)
{
	static const uint64_t seeds[] = { 1, 2, 3, 4, 5 };
	size_t s;
	result r;

	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		r = simulate(3000, 0.30, 0.10, 10, seeds[s]);
		printf("# seed %llu, 3000 requests, 30%% faults (10%% of them timeouts): "
		       "%ld refused, lowest quota %d\n",
		       (unsigned long long)seeds[s], r.refused, r.min_quota);
		T_OK(r.refused == 0 && r.exhausted == 0,
		     "3000 requests at 30%% faults, seed %llu: none refused by the quota, none out of attempts",
		     (unsigned long long)seeds[s]);

		r = simulate(100000, 0.30, 0.0, 10, seeds[s]);
		T_OK(r.refused == 0 && r.min_quota > 100,
		     "100000 requests at 30%% faults without timeouts, seed %llu: the bucket never empties (lowest %d)",
		     (unsigned long long)seeds[s], r.min_quota);

		r = simulate(100000, 0.30, 0.10, 10, seeds[s]);
		printf("# seed %llu, 100000 requests, 30%% faults (10%% timeouts): %ld refused, "
		       "the first at request %ld\n",
		       (unsigned long long)seeds[s], r.refused, r.first_refused);
		T_OK(r.refused > 0 && r.first_refused > 3000,
		     "100000 requests at 30%% faults with timeouts, seed %llu: the bucket empties only after request 3000 (at %ld)",
		     (unsigned long long)seeds[s], r.first_refused);
	}
	return T_DONE();
}
