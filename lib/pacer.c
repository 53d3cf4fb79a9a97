/*
 * pacer: token bucket with throttle backoff (see the header).
 */
#include "pacer.h"

#include <math.h>

/* Sleeping exactly (1 - tokens) / rate can leave tokens a rounding error
 * short of 1; without slack the loop would sleep again for nothing. */
#define PACER_SLACK 1e-9

void bq_pacer_init(bq_pacer *p, const bq_clock *clock, double rate,
		   double burst)
{
	p->clock = clock;
	p->rate = rate > 0 ? rate : 1.0;
	p->burst = burst >= 1 ? burst : 1.0;
	p->tokens = p->burst;
	p->last = bq_clock_now(clock);
	p->hold_until = 0;
	p->backoff_base = 1.0;
	p->backoff_cap = 20.0;
	p->streak = 0;
	p->taken = 0;
	p->throttles = 0;
	p->waited = 0;
}

static void refill(bq_pacer *p, double now)
{
	if (now > p->last) {
		p->tokens += (now - p->last) * p->rate;
		if (p->tokens > p->burst)
			p->tokens = p->burst;
	}
	p->last = now;
}

double bq_pacer_take(bq_pacer *p)
{
	double slept = 0;

	for (;;) {
		double now = bq_clock_now(p->clock);
		/* Time spent held by a backoff earns no tokens: the point of
		 * holding is to send nothing, then resume at the base rate. */
		if (now < p->hold_until) {
			double d = p->hold_until - now;
			bq_clock_sleep(p->clock, d);
			slept += d;
			p->last = p->hold_until;
			continue;
		}
		refill(p, now);
		if (p->tokens >= 1.0 - PACER_SLACK) {
			p->tokens -= 1.0;
			if (p->tokens < 0)
				p->tokens = 0;
			p->taken++;
			p->waited += slept;
			return slept;
		}
		double d = (1.0 - p->tokens) / p->rate;
		bq_clock_sleep(p->clock, d);
		slept += d;
	}
}

double bq_pacer_throttled(bq_pacer *p)
{
	double now = bq_clock_now(p->clock);
	unsigned n = p->streak < 30 ? p->streak : 30;
	double full = p->backoff_base * ldexp(1.0, (int)n);

	if (full > p->backoff_cap)
		full = p->backoff_cap;
	double d = full * (0.5 + 0.5 * bq_clock_random(p->clock));
	p->streak++;
	p->throttles++;
	p->tokens = 0;
	if (now + d > p->hold_until)
		p->hold_until = now + d;
	p->last = now;
	return d;
}

void bq_pacer_ok(bq_pacer *p)
{
	p->streak = 0;
}

long bq_pacer_wait_ms(const bq_pacer *p)
{
	double now = bq_clock_now(p->clock), tokens = p->tokens, from = p->last;
	double d = 0;

	if (now < p->hold_until) {
		d = p->hold_until - now;
		from = now = p->hold_until;
	}
	if (now > from) {
		tokens += (now - from) * p->rate;
		if (tokens > p->burst)
			tokens = p->burst;
	}
	if (tokens < 1.0 - PACER_SLACK)
		d += (1.0 - tokens) / p->rate;
	/* the slack keeps an exact 0.5 s from reading as 501 ms */
	return d > 0 ? (long)ceil(d * 1000.0 - 1e-6) : 0;
}
