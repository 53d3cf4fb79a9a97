#include "clock.h"

#include <errno.h>
#include <sys/random.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static double real_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void real_sleep(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* No generator state to keep (the library has no global mutable state):
 * the kernel hands out a fresh 64-bit value per retry, which is rare. */
static double real_random(void)
{
	uint64_t x = 0;

	if (getrandom(&x, sizeof(x), 0) != (ssize_t)sizeof(x))
		x = (uint64_t)(real_now() * 1e6) * 0x9E3779B97F4A7C15ull;
	return (double)(x >> 11) / 9007199254740992.0; /* 2^53 */
}

double bq_clock_now(const bq_clock *c)
{
	return c && c->now ? c->now(c->ud) : real_now();
}

void bq_clock_sleep(const bq_clock *c, double seconds)
{
	if (c && c->sleep)
		c->sleep(c->ud, seconds);
	else
		real_sleep(seconds);
}

double bq_clock_random(const bq_clock *c)
{
	return c && c->random ? c->random(c->ud) : real_random();
}

static double fake_now(void *ud)
{
	return ((bq_fake_clock *)ud)->t;
}

static void fake_sleep(void *ud, double s)
{
	bq_fake_clock *fc = ud;

	if (s < 0)
		s = 0;
	fc->t += s;
	fc->slept += s;
	if (fc->ndelays < (int)(sizeof(fc->delays) / sizeof(fc->delays[0])))
		fc->delays[fc->ndelays++] = s;
}

static double fake_random(void *ud)
{
	return ((bq_fake_clock *)ud)->rnd;
}

void bq_fake_clock_init(bq_fake_clock *fc, double start, double rnd)
{
	fc->clock.now = fake_now;
	fc->clock.sleep = fake_sleep;
	fc->clock.random = fake_random;
	fc->clock.ud = fc;
	fc->t = start;
	fc->slept = 0;
	fc->rnd = rnd;
	fc->ndelays = 0;
}
