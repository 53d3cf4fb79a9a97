#include "clock.h"

#include <errno.h>
#include <fcntl.h>
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

/* Jitter only needs to decorrelate clients, not to be unpredictable, so a
 * xorshift seeded once per process is enough. */
static uint64_t rng_state;

static double real_random(void)
{
	uint64_t x;

	if (!rng_state) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			if (read(fd, &rng_state, sizeof(rng_state)) != (ssize_t)sizeof(rng_state))
				rng_state = 0;
			close(fd);
		}
		if (!rng_state)
			rng_state = (uint64_t)real_now() * 2654435761u ^ (uint64_t)getpid();
		if (!rng_state)
			rng_state = 88172645463325252ull;
	}
	x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
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
