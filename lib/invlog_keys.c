#include "invlog_keys.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

void bq_invlog_loc_release(bq_invlog_loc *loc)
{
	free(loc->bucket);
	free(loc->prefix);
	free(loc->account);
	free(loc->region);
	memset(loc, 0, sizeof(*loc));
}

/* Next '/'-separated component of *p (advances past it). */
static const char *component(const char **p, size_t *n)
{
	const char *s = *p, *slash;

	if (!*s)
		return NULL;
	slash = strchr(s, '/');
	*n = slash ? (size_t)(slash - s) : strlen(s);
	*p = slash ? slash + 1 : s + *n;
	return s;
}

static int is_account(const char *s, size_t n)
{
	size_t i;

	if (n != 12)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int bq_invlog_parse_s3(const char *url, bq_invlog_loc *loc, bq_err *err)
{
	const char *p, *b, *c, *awslogs = NULL;
	size_t n;

	memset(loc, 0, sizeof(*loc));
	if (!url || strncmp(url, "s3://", 5) != 0 || !url[5] || url[5] == '/')
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad S3 location '%s' (want s3://bucket[/prefix])",
			       url ? url : "");
	b = url + 5;
	p = strchr(b, '/');
	loc->bucket = dupn(b, p ? (size_t)(p - b) : strlen(b));
	p = p ? p + 1 : b + strlen(b);
	/* Find an "AWSLogs" component: what precedes it is the keyPrefix. */
	{
		const char *q = p;

		while ((c = component(&q, &n)) != NULL) {
			if (n == 7 && memcmp(c, "AWSLogs", 7) == 0) {
				awslogs = c;
				break;
			}
		}
	}
	if (!awslogs) {
		size_t l = strlen(p);

		loc->prefix = malloc(l + 2);
		if (loc->prefix) {
			memcpy(loc->prefix, p, l);
			loc->prefix[l] = '\0';
			if (l && p[l - 1] != '/')
				memcpy(loc->prefix + l, "/", 2);
		}
	} else {
		const char *q = awslogs + 7;

		loc->prefix = dupn(p, (size_t)(awslogs - p));
		if (*q == '/')
			q++;
		if ((c = component(&q, &n)) != NULL) {
			if (!is_account(c, n)) {
				bq_invlog_loc_release(loc);
				return bq_fail(err, BQ_EXIT_USAGE,
					       "bad S3 location '%s': '%.*s' is not an account id",
					       url, (int)n, c);
			}
			loc->account = dupn(c, n);
			c = component(&q, &n);
			if (c && !(n == 26 && memcmp(c, "BedrockModelInvocationLogs", 26) == 0)) {
				bq_invlog_loc_release(loc);
				return bq_fail(err, BQ_EXIT_USAGE,
					       "bad S3 location '%s': expected BedrockModelInvocationLogs after the account",
					       url);
			}
			if (c && (c = component(&q, &n)) != NULL)
				loc->region = dupn(c, n);
		}
	}
	if (!loc->bucket || !loc->prefix) {
		bq_invlog_loc_release(loc);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

int bq_invlog_base(const bq_invlog_loc *loc, const char *account,
		   const char *region, bq_buf *b)
{
	bq_buf_reset(b);
	return bq_buf_printf(b, "%sAWSLogs/%s/BedrockModelInvocationLogs/%s/",
			     loc->prefix ? loc->prefix : "", account, region);
}

int64_t bq_invlog_hour_floor(int64_t ms)
{
	int64_t q = ms / BQ_HOUR_MS;

	if (ms % BQ_HOUR_MS < 0)
		q--;
	return q * BQ_HOUR_MS;
}

size_t bq_invlog_hours(int64_t since_ms, int64_t until_ms, int64_t *first)
{
	int64_t a, z;

	*first = bq_invlog_hour_floor(since_ms);
	if (since_ms >= until_ms)
		return 0;
	a = *first;
	z = bq_invlog_hour_floor(until_ms - 1); /* until is exclusive */
	return (size_t)((z - a) / BQ_HOUR_MS + 1);
}

int bq_invlog_hour_prefix(const char *base, int64_t hour_ms, bq_buf *b)
{
	time_t t = (time_t)(hour_ms / 1000);
	struct tm tm;

	if (!gmtime_r(&t, &tm))
		return -1;
	bq_buf_reset(b);
	return bq_buf_printf(b, "%s%04d/%02d/%02d/%02d/", base,
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour);
}

int bq_invlog_is_log_key(const char *hour_prefix, const char *key)
{
	size_t l = strlen(hour_prefix);

	if (strncmp(key, hour_prefix, l) != 0)
		return 0;
	key += l;
	return *key && !strchr(key, '/');
}

int bq_invlog_split_s3_url(const char *url, char **bucket, char **key)
{
	const char *b, *slash;

	*bucket = *key = NULL;
	if (!url || strncmp(url, "s3://", 5) != 0)
		return -1;
	b = url + 5;
	slash = strchr(b, '/');
	if (!slash || slash == b || !slash[1])
		return -1;
	*bucket = dupn(b, (size_t)(slash - b));
	*key = strdup(slash + 1);
	if (!*bucket || !*key) {
		free(*bucket);
		free(*key);
		*bucket = *key = NULL;
		return -1;
	}
	return 0;
}
