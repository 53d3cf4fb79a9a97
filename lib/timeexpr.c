#include "timeexpr.h"
#include "buf.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define MS_PER_S INT64_C(1000)
#define MS_PER_DAY (INT64_C(86400) * MS_PER_S)
/* About 292 000 years either way: far beyond any window, yet doubling it
 * cannot overflow int64. */
#define MS_LIMIT (INT64_MAX / 4)

static const char hint[] = "use now, 15m, 1h30m, 2026-11-26T10:00:00Z, "
			   "2026-11-26 or @EPOCH";

/* Howard Hinnant's days_from_civil: exact for the whole proleptic
 * Gregorian calendar, no tables, no timegm (which is not POSIX). */
int64_t bq_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m)
{
	static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

/* Exactly n digits at *p; advances. */
static bool digits(const char **p, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return false;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static int bad(bq_err *err, const char *s, const char *why)
{
	return bq_fail(err, BQ_EXIT_USAGE, "bad time expression '%s': %s", s,
		       why);
}

/* Fraction digits after '.', as milliseconds (extra digits cut). */
static bool fraction_ms(const char **p, int64_t *ms)
{
	int n = 0;
	int64_t v = 0;

	if (!isdigit((unsigned char)**p))
		return false;
	while (isdigit((unsigned char)**p)) {
		if (n < 3)
			v = v * 10 + (**p - '0');
		n++;
		(*p)++;
	}
	for (; n < 3; n++)
		v *= 10;
	*ms = v;
	return true;
}

static int parse_rfc3339(const char *s, int64_t *out, bq_err *err)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0;
	int64_t frac = 0, offset_ms = 0, t;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) ||
	    *p++ != '-' || !digits(&p, 2, &d))
		return bad(err, s, "expected a date YYYY-MM-DD");
	if (mo < 1 || mo > 12)
		return bad(err, s, "month out of range");
	if (d < 1 || d > days_in_month(y, mo))
		return bad(err, s, "day out of range");
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return bad(err, s, "expected a time HH:MM[:SS]");
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &sec))
				return bad(err, s, "expected seconds SS");
			if (*p == '.' || *p == ',') {
				p++;
				if (!fraction_ms(&p, &frac))
					return bad(err, s, "expected digits after the decimal point");
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return bad(err, s, "time of day out of range");
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1;

			if (!digits(&p, 2, &oh))
				return bad(err, s, "expected a zone offset +HH:MM");
			if (*p == ':')
				p++;
			if (isdigit((unsigned char)*p) && !digits(&p, 2, &om))
				return bad(err, s, "expected a zone offset +HH:MM");
			if (oh > 23 || om > 59)
				return bad(err, s, "zone offset out of range");
			offset_ms = sign * ((int64_t)oh * 3600 + om * 60) * MS_PER_S;
		}
	}
	if (*p)
		return bad(err, s, *p == 'T' || *p == ' ' || *p == 't' ?
			   "expected a time HH:MM[:SS]" : "unexpected text after the date");
	/* A leap second (:60) is the first instant of the next minute. */
	t = bq_days_from_civil(y, mo, d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec) * MS_PER_S + frac - offset_ms;
	*out = t;
	return 0;
}

static int parse_epoch(const char *s, int64_t *out, bq_err *err)
{
	const char *p = s + 1;
	int sign = 1;
	int64_t v = 0, frac = 0;

	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (!isdigit((unsigned char)*p))
		return bad(err, s, "expected seconds since the epoch after '@'");
	while (isdigit((unsigned char)*p)) {
		if (v > (MS_LIMIT / MS_PER_S - 9) / 10)
			return bad(err, s, "out of range");
		v = v * 10 + (*p++ - '0');
	}
	if (*p == '.') {
		p++;
		if (!fraction_ms(&p, &frac))
			return bad(err, s, "expected digits after the decimal point");
	}
	if (*p)
		return bad(err, s, "expected seconds since the epoch after '@'");
	*out = sign * (v * MS_PER_S + frac);
	return 0;
}

/* "1h30m", "90s", "250ms": units in descending order, each once. */
static int parse_duration(const char *s, int64_t *out, bq_err *err)
{
	static const struct {
		const char *name;
		int64_t ms;
	} units[] = {
		{ "w", 7 * MS_PER_DAY }, { "d", MS_PER_DAY },
		{ "h", 3600 * MS_PER_S }, { "ms", 1 }, { "m", 60 * MS_PER_S },
		{ "s", MS_PER_S },
	};
	const char *p = s;
	int64_t total = 0, last = INT64_MAX;
	size_t i;

	if (!*p)
		return bq_fail(err, BQ_EXIT_USAGE, "empty time expression (%s)", hint);
	while (*p) {
		int64_t v = 0, unit = 0;
		size_t ulen = 0;

		if (!isdigit((unsigned char)*p)) {
			if (p == s)
				return bq_fail(err, BQ_EXIT_USAGE,
					       "bad time expression '%s' (%s)", s, hint);
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad time expression '%s': unexpected text '%s'", s, p);
		}
		while (isdigit((unsigned char)*p)) {
			if (v > (MS_LIMIT - 9) / 10)
				return bad(err, s, "out of range");
			v = v * 10 + (*p++ - '0');
		}
		if (!*p)
			return bad(err, s, "missing unit after the number (s, m, h, d, w)");
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t n = strlen(units[i].name);

			/* "ms" must not match "m" followed by another number */
			if (strncmp(p, units[i].name, n) == 0 &&
			    !isalpha((unsigned char)p[n])) {
				unit = units[i].ms;
				ulen = n;
				break;
			}
		}
		if (!unit) {
			size_t n = 0;

			while (p[n] && !isdigit((unsigned char)p[n]))
				n++;
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad time expression '%s': unknown unit '%.*s' (use s, m, h, d, w)",
				       s, (int)n, p);
		}
		if (unit >= last)
			return bad(err, s, "units must go from largest to smallest, each once");
		last = unit;
		if (v > (MS_LIMIT - total) / unit)
			return bad(err, s, "out of range");
		total += v * unit;
		p += ulen;
	}
	*out = total;
	return 0;
}

int bq_duration_parse_ms(const char *s, int64_t *out_ms, bq_err *err)
{
	int64_t v = 0;

	if (!s)
		s = "";
	if (parse_duration(s, &v, err) < 0) {
		if (strstr(err->message, "(use now"))
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad duration '%s' (use e.g. 90s, 15m, 1h30m, 7d)", s);
		return -1;
	}
	*out_ms = v;
	return 0;
}

/* A date: four digits then '-'. */
static bool looks_like_date(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[4] == '-';
}

int bq_time_parse_ms(const char *s, int64_t now_ms, int64_t *out_ms,
		     bq_err *err)
{
	int64_t v = 0;

	if (!s || !*s)
		return bq_fail(err, BQ_EXIT_USAGE, "empty time expression (%s)", hint);
	if (strcmp(s, "now") == 0) {
		*out_ms = now_ms;
		return 0;
	}
	if (s[0] == '@') {
		if (parse_epoch(s, &v, err) < 0)
			return -1;
	} else if (looks_like_date(s)) {
		if (parse_rfc3339(s, &v, err) < 0)
			return -1;
	} else {
		if (parse_duration(s, &v, err) < 0)
			return -1;
		if (now_ms < -MS_LIMIT || now_ms > MS_LIMIT)
			return bad(err, s, "out of range");
		v = now_ms - v;
	}
	*out_ms = v;
	return 0;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int bq_time_parse(const char *s, time_t now, time_t *out, bq_err *err)
{
	int64_t ms;

	if (bq_time_parse_ms(s, (int64_t)now * MS_PER_S, &ms, err) < 0)
		return -1;
	*out = (time_t)floor_div(ms, MS_PER_S);
	return 0;
}

static char *format(int64_t ms, bool with_ms, char *buf, size_t size)
{
	struct tm tm;
	time_t t;
	char tmp[BQ_TIME_BUFSZ];

	if (size)
		buf[0] = '\0';
	if (ms < -MS_LIMIT || ms > MS_LIMIT)
		return NULL;
	t = (time_t)floor_div(ms, MS_PER_S);
	if (!gmtime_r(&t, &tm) ||
	    strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		return NULL;
	if (with_ms) {
		if (bq_snprintf(buf, size, "%s.%03dZ", tmp,
				(int)(ms - floor_div(ms, MS_PER_S) * MS_PER_S)) < 0)
			goto cut;
	} else if (bq_snprintf(buf, size, "%sZ", tmp) < 0) {
		goto cut;
	}
	return buf;
cut:
	if (size)
		buf[0] = '\0';
	return NULL;
}

char *bq_time_format(time_t t, char *buf, size_t size)
{
	if ((int64_t)t < -MS_LIMIT / MS_PER_S || (int64_t)t > MS_LIMIT / MS_PER_S) {
		if (size)
			buf[0] = '\0';
		return NULL;
	}
	return format((int64_t)t * MS_PER_S, false, buf, size);
}

char *bq_time_format_ms(int64_t ms, char *buf, size_t size)
{
	return format(ms, true, buf, size);
}

char *bq_time_format_auto(int64_t ms, char *buf, size_t size)
{
	return format(ms, ms % MS_PER_S != 0, buf, size);
}
