/*
 * libFuzzer target: any bytes as a time expression (--since, --until) and
 * as a duration (--period).
 *
 * Checks, besides the sanitizers: a refused expression is a usage error
 * and leaves the output alone; the seconds and milliseconds parsers agree;
 * an accepted instant formats, and an RFC 3339 text it formats to (years
 * 1000-9999) parses back to the same instant.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

#define NOW_S INT64_C(1764180000) /* 2025-11-26T18:00:00Z */
#define SENTINEL INT64_C(-777)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void round_trip(int64_t ms)
{
	char buf[BQ_TIME_BUFSZ], sbuf[BQ_TIME_BUFSZ];
	int64_t back = SENTINEL;
	bq_err err;

	if (!bq_time_format_ms(ms, buf, sizeof(buf)))
		return; /* out of the representable range */
	if (!bq_time_format_auto(ms, sbuf, sizeof(sbuf)))
		FAIL();
	/* only four-digit years are RFC 3339 */
	if (strlen(buf) != 24 || buf[0] < '1' || buf[0] > '9')
		return;
	if (bq_time_parse_ms(buf, 0, &back, &err) < 0 || back != ms)
		FAIL();
	back = SENTINEL;
	if (bq_time_parse_ms(sbuf, 0, &back, &err) < 0 || back != ms)
		FAIL();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int64_t ms = SENTINEL, d = SENTINEL;
	time_t t = (time_t)SENTINEL;
	bq_err err;
	int rms, rs;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	rms = bq_time_parse_ms(s, NOW_S * 1000, &ms, &err);
	if (rms < 0 && (err.exit_status != BQ_EXIT_USAGE || ms != SENTINEL ||
			!err.message[0]))
		FAIL();
	rs = bq_time_parse(s, (time_t)NOW_S, &t, &err);
	if (rs != rms)
		FAIL();
	if (rs < 0 && (err.exit_status != BQ_EXIT_USAGE || t != (time_t)SENTINEL))
		FAIL();
	if (rms == 0) {
		if ((int64_t)t != floor_div(ms, 1000))
			FAIL();
		round_trip(ms);
	}
	if (bq_duration_parse_ms(s, &d, &err) == 0) {
		/* a duration is also a time expression: that long before now */
		if (d < 0 || rms < 0 || ms != NOW_S * 1000 - d)
			FAIL();
	} else if (err.exit_status != BQ_EXIT_USAGE || d != SENTINEL) {
		FAIL();
	}
	free(s);
	return 0;
}
