#include "retry.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpdate.h"

void bq_retry_quota_init(bq_retry_quota *q)
{
	q->available = BQ_RETRY_QUOTA_CAPACITY;
}

int bq_retry_max_attempts(int opt, int *out, bq_err *err)
{
	const char *v;
	char *end;
	long n;

	if (opt > 0) {
		*out = opt;
		return 0;
	}
	*out = BQ_RETRY_DEFAULT_ATTEMPTS;
	v = getenv("AWS_MAX_ATTEMPTS");
	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > 100)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad AWS_MAX_ATTEMPTS '%s' (want 1 to 100)", v);
	*out = (int)n;
	return 0;
}

bool bq_retry_should(bq_retry_quota *q, bq_retry_state *st, int max_attempts,
		     const bq_err *e, bool timeout)
{
	int cost = timeout ? BQ_RETRY_TIMEOUT_COST : BQ_RETRY_COST;

	if (!e->retryable || st->attempts >= max_attempts)
		return false;
	if (q->available < cost)
		return false;
	q->available -= cost;
	st->last_cost = cost;
	return true;
}

double bq_retry_delay(const bq_retry_state *st, double rnd, double hint)
{
	int i = st->attempts < 1 ? 1 : st->attempts;
	double ceil_ = BQ_RETRY_BASE * ldexp(1.0, i - 1), d;

	if (ceil_ > BQ_RETRY_CAP)
		ceil_ = BQ_RETRY_CAP;
	if (rnd < 0)
		rnd = 0;
	if (rnd >= 1)
		rnd = 0.999999;
	d = rnd * ceil_;
	if (hint >= 0) {
		if (hint < d)
			hint = d;
		if (hint > d + BQ_RETRY_HINT_SLACK)
			hint = d + BQ_RETRY_HINT_SLACK;
		d = hint;
	}
	if (d > BQ_RETRY_CAP)
		d = BQ_RETRY_CAP;
	return d;
}

double bq_retry_hint(const char *x_amz_retry_after, const char *retry_after,
		     double now)
{
	char *end;
	double v;

	if (x_amz_retry_after && *x_amz_retry_after) {
		v = strtod(x_amz_retry_after, &end);
		if (end != x_amz_retry_after && v >= 0 && isfinite(v))
			return v / 1000.0;
	}
	if (retry_after && *retry_after) {
		time_t t;

		v = strtod(retry_after, &end);
		while (*end == ' ')
			end++;
		if (end != retry_after && !*end && v >= 0 && isfinite(v))
			return v;
		if (bq_http_date_parse(retry_after, &t) == 0)
			return (double)t > now ? (double)t - now : 0;
	}
	return -1;
}

void bq_retry_on_success(bq_retry_quota *q, const bq_retry_state *st)
{
	q->available += st->last_cost ? st->last_cost : BQ_RETRY_SUCCESS_REFILL;
	if (q->available > BQ_RETRY_QUOTA_CAPACITY)
		q->available = BQ_RETRY_QUOTA_CAPACITY;
}
