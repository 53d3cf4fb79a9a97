/*
 * clock: the time, sleep and randomness a component uses, passed in so that
 * tests can pin them (retry backoff, credential expiry, clock skew) without
 * waiting.  A bq_clock is a plain struct of function pointers; it owns
 * nothing.  Any NULL member falls back to the real thing: wall clock
 * (clock_gettime REALTIME), nanosleep, and a per-process xorshift seeded
 * from /dev/urandom.
 *
 * bq_clock_now / bq_clock_sleep / bq_clock_random accept a NULL clock
 * (= the real one).
 */
#ifndef BQ_CLOCK_H
#define BQ_CLOCK_H

typedef struct bq_clock {
	/* Seconds since the epoch (UTC), with fractions. */
	double (*now)(void *ud);
	/* Sleeps (or pretends to) for this many seconds. */
	void (*sleep)(void *ud, double seconds);
	/* Uniform in [0, 1). */
	double (*random)(void *ud);
	void *ud;
} bq_clock;

double bq_clock_now(const bq_clock *c);
void bq_clock_sleep(const bq_clock *c, double seconds);
double bq_clock_random(const bq_clock *c);

/* A fake clock for tests: now() returns t, sleep() adds to t and to
 * slept (and records each delay in delays[], up to 64), random() returns
 * rnd.  Initialise with bq_fake_clock_init and hand out fc.clock. */
typedef struct bq_fake_clock {
	bq_clock clock;
	double t;
	double slept;
	double rnd;
	double delays[64];
	int ndelays;
} bq_fake_clock;

void bq_fake_clock_init(bq_fake_clock *fc, double start, double rnd);

#endif
