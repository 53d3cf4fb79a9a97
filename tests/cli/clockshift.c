/*
 * clockshift.c: an LD_PRELOAD shim that moves the wall clock of a bq binary
 * by BQ_CLOCKSHIFT seconds (signed), so test_faults_skew.sh can run a client
 * whose clock is off against the front peer's --max-skew check.  The
 * client has no clock hook of its own (lib/clock.h takes a bq_clock from
 * the caller; the binaries always pass the real one).  Only CLOCK_REALTIME
 * (and time(), gettimeofday()) move: timeouts use CLOCK_MONOTONIC.
 *
 * Built by the test itself: cc -shared -fPIC -o clockshift.so clockshift.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static long shift(void)
{
	const char *v = getenv("BQ_CLOCKSHIFT");

	return v ? strtol(v, NULL, 10) : 0;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int rc;

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (rc == 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += shift();
	return rc;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (tv) {
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}

time_t time(time_t *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (out)
		*out = ts.tv_sec;
	return ts.tv_sec;
}
