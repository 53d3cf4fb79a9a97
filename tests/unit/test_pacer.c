/* Unit tests for lib/pacer: token bucket pacing and throttle backoff,
 * driven by a fake clock so nothing waits. */
#include <math.h>

#include "pacer.h"
#include "t.h"

/* The largest number of take() instants inside any closed window of
 * `span` seconds. */
static int max_in_window(const double *t, int n, double span)
{
	int best = 0;
	for (int i = 0; i < n; i++) {
		int c = 0;
		for (int j = i; j < n && t[j] <= t[i] + span + 1e-12; j++)
			c++;
		if (c > best)
			best = c;
	}
	return best;
}

static void test_rate(void)
{
	bq_fake_clock fc;
	bq_pacer p;
	double t[400];

	bq_fake_clock_init(&fc, 1000.0, 0.5);
	bq_pacer_init(&p, &fc.clock, 2.0, 1.0);
	for (int i = 0; i < 400; i++) {
		bq_pacer_take(&p);
		t[i] = fc.t;
		/* the request itself takes a varying time */
		fc.t += (i % 7) * 0.03;
	}
	T_OK(t[0] == 1000.0, "first token is immediate");
	T_OK(max_in_window(t, 400, 0.999) <= 2, "never more than 2 requests within any second");
	double rate = 399 / (t[399] - t[0]);
	T_OK(rate > 1.95 && rate <= 2.0 + 1e-9, "long run rate is 2/s (%.4f)", rate);
	T_OK(p.taken == 400, "taken counts every token");
}

static void test_idle_burst(void)
{
	bq_fake_clock fc;
	bq_pacer p;

	bq_fake_clock_init(&fc, 0, 0.5);
	bq_pacer_init(&p, &fc.clock, 2.0, 3.0);
	for (int i = 0; i < 3; i++)
		bq_pacer_take(&p);
	T_OK(fc.t == 0, "a burst of 3 goes out at once with burst 3");
	bq_pacer_take(&p);
	T_OK(fabs(fc.t - 0.5) < 1e-9, "the 4th waits 0.5 s");
	fc.t += 100;
	for (int i = 0; i < 3; i++)
		bq_pacer_take(&p);
	T_OK(fabs(fc.t - 100.5) < 1e-9, "idle time refills only up to the burst");
	bq_pacer_take(&p);
	T_OK(fabs(fc.t - 101.0) < 1e-9, "then the rate applies again");
}

static void test_backoff(void)
{
	bq_fake_clock fc;
	bq_pacer p;

	bq_fake_clock_init(&fc, 0, 1.0 - 1e-12); /* random() ~ 1: full delay */
	bq_pacer_init(&p, &fc.clock, 2.0, 1.0);
	bq_pacer_take(&p);
	double d1 = bq_pacer_throttled(&p);
	T_OK(fabs(d1 - 1.0) < 1e-6, "first backoff is the base (1 s): %.3f", d1);
	bq_pacer_take(&p);
	T_OK(fc.t >= 1.0 - 1e-9, "the retried request waits out the backoff (%.3f)", fc.t);
	double d2 = bq_pacer_throttled(&p);
	T_OK(fabs(d2 - 2.0) < 1e-6, "second backoff doubles: %.3f", d2);
	for (int i = 0; i < 10; i++)
		bq_pacer_throttled(&p);
	double d3 = bq_pacer_throttled(&p);
	T_OK(fabs(d3 - 20.0) < 1e-6, "backoff capped at 20 s: %.3f", d3);
	bq_pacer_ok(&p);
	double before = fc.t;
	bq_pacer_take(&p);
	double d4 = bq_pacer_throttled(&p);
	T_OK(fabs(d4 - 1.0) < 1e-6 && fc.t - before >= 20.0 - 1e-9,
	     "success resets the streak; the hold was honoured");
	T_OK(p.throttles == 14, "throttles counted (%lu)", p.throttles);

	bq_fake_clock_init(&fc, 0, 0.0);
	bq_pacer_init(&p, &fc.clock, 2.0, 1.0);
	T_OK(fabs(bq_pacer_throttled(&p) - 0.5) < 1e-9, "jitter keeps at least half the delay");
}

static void test_wait_ms(void)
{
	bq_fake_clock fc;
	bq_pacer p;

	bq_fake_clock_init(&fc, 0, 1.0 - 1e-12);
	bq_pacer_init(&p, &fc.clock, 2.0, 1.0);
	T_OK(bq_pacer_wait_ms(&p) == 0, "a full bucket: no wait");
	bq_pacer_take(&p);
	T_OK(bq_pacer_wait_ms(&p) == 500, "empty at 2/s: 500 ms (%ld)", bq_pacer_wait_ms(&p));
	T_OK(p.taken == 1 && fc.t == 0, "the query takes nothing and does not sleep");
	fc.t = 0.2;
	T_OK(bq_pacer_wait_ms(&p) == 300, "refilled for 200 ms: 300 ms left (%ld)", bq_pacer_wait_ms(&p));
	fc.t = 0.5;
	T_OK(bq_pacer_wait_ms(&p) == 0, "token due now");
	bq_pacer_take(&p);
	bq_pacer_throttled(&p); /* full delay: 1 s hold, bucket emptied */
	T_OK(bq_pacer_wait_ms(&p) == 1500, "a hold earns no tokens: 1 s + 500 ms (%ld)",
	     bq_pacer_wait_ms(&p));
	long w = bq_pacer_wait_ms(&p);
	double t0 = fc.t;
	bq_pacer_take(&p);
	T_OK(fabs((fc.t - t0) * 1000.0 - (double)w) < 1.0,
	     "agrees with what bq_pacer_take sleeps (%.3f s)", fc.t - t0);
}

int main(void)
{
	test_wait_ms();
	test_rate();
	test_idle_burst();
	test_backoff();
	return T_DONE();
}
