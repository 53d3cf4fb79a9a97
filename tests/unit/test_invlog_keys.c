/* invlog_keys: S3 layout of invocation logs and window -> hour prefixes. */
#include "invlog_keys.h"
#include "timeexpr.h"
#include "t.h"

#include <stdlib.h>

static int64_t ts(const char *s)
{
	int64_t ms = 0;
	bq_err e;

	bq_time_parse_ms(s, 0, &ms, &e);
	return ms;
}

int main(void)
{
	bq_invlog_loc loc;
	bq_err err;
	bq_buf base = BQ_BUF_INIT, hp = BQ_BUF_INIT;
	int64_t first;
	size_t n;
	char *b, *k;

	T_OK(bq_invlog_parse_s3("s3://logs-bucket", &loc, &err) == 0 &&
	     strcmp(loc.bucket, "logs-bucket") == 0 && strcmp(loc.prefix, "") == 0 &&
	     !loc.account && !loc.region, "bucket alone");
	bq_invlog_loc_release(&loc);
	T_OK(bq_invlog_parse_s3("s3://b/team/bedrock", &loc, &err) == 0 &&
	     strcmp(loc.prefix, "team/bedrock/") == 0, "prefix gains a trailing slash");
	bq_invlog_base(&loc, "111122223333", "us-east-1", &base);
	T_STREQ(bq_buf_cstr(&base),
		"team/bedrock/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/",
		"base of the log layout");
	bq_invlog_loc_release(&loc);
	T_OK(bq_invlog_parse_s3("s3://b/p/AWSLogs/111122223333/BedrockModelInvocationLogs/eu-west-1/2025/",
				&loc, &err) == 0 &&
	     strcmp(loc.prefix, "p/") == 0 && strcmp(loc.account, "111122223333") == 0 &&
	     strcmp(loc.region, "eu-west-1") == 0, "account and region taken from a deep URL");
	bq_invlog_loc_release(&loc);
	T_OK(bq_invlog_parse_s3("s3://b/AWSLogs/111122223333/", &loc, &err) == 0 &&
	     strcmp(loc.prefix, "") == 0 && strcmp(loc.account, "111122223333") == 0 &&
	     !loc.region, "account only");
	bq_invlog_loc_release(&loc);
	T_OK(bq_invlog_parse_s3("s3://b/AWSLogs/notanacct/", &loc, &err) == -1 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "not an account id"),
	     "bad account is a usage error");
	T_OK(bq_invlog_parse_s3("https://b/x", &loc, &err) == -1 &&
	     strstr(err.message, "'https://b/x'"), "not s3:// is a usage error naming the URL");
	T_OK(bq_invlog_parse_s3("s3://", &loc, &err) == -1, "empty bucket is an error");

	n = bq_invlog_hours(ts("2026-11-26T10:00:00Z"), ts("2026-11-26T13:00:00Z"), &first);
	T_OK(n == 3 && first == ts("2026-11-26T10:00:00Z"), "3 whole hours: 3 prefixes, until is exclusive");
	n = bq_invlog_hours(ts("2026-11-26T10:59:59Z"), ts("2026-11-26T11:00:00.001Z"), &first);
	T_OK(n == 2 && first == ts("2026-11-26T10:00:00Z"), "a window straddling an hour edge: 2 prefixes");
	n = bq_invlog_hours(ts("2026-11-26T23:30:00Z"), ts("2026-11-27T00:30:00Z"), &first);
	T_OK(n == 2, "across midnight");
	T_OK(bq_invlog_hours(5, 5, &first) == 0, "empty window: no prefixes");
	T_OK(bq_invlog_hour_floor(-1) == -BQ_HOUR_MS, "hour floor before the epoch");
	bq_invlog_hour_prefix("X/", ts("2026-02-28T23:59:59Z") + BQ_HOUR_MS - 999, &hp);
	T_STREQ(bq_buf_cstr(&hp), "X/2026/03/01/00/",
		"hour prefix across a month end");
	bq_invlog_hour_prefix("p/", ts("2024-02-29T07:15:00Z"), &hp);
	T_STREQ(bq_buf_cstr(&hp), "p/2024/02/29/07/", "leap day hour prefix");

	T_OK(bq_invlog_is_log_key("p/2024/02/29/07/", "p/2024/02/29/07/20240229T0715Z_abc.json.gz"),
	     "a log object of the hour");
	T_OK(!bq_invlog_is_log_key("p/2024/02/29/07/", "p/2024/02/29/07/data/x_input.json.gz"),
	     "an offloaded body under data/ is not a log object");
	T_OK(!bq_invlog_is_log_key("p/2024/02/29/07/", "p/2024/02/29/07/"), "the folder marker is not");
	T_OK(!bq_invlog_is_log_key("p/2024/02/29/07/", "q/other"), "a key outside the prefix is not");

	T_OK(bq_invlog_split_s3_url("s3://bk/a/b/data/x_output.json.gz", &b, &k) == 0 &&
	     strcmp(b, "bk") == 0 && strcmp(k, "a/b/data/x_output.json.gz") == 0, "split s3 url");
	free(b);
	free(k);
	T_OK(bq_invlog_split_s3_url("s3://bk", &b, &k) == -1 && !b && !k, "s3 url without a key");
	bq_buf_release(&base);
	bq_buf_release(&hp);
	return T_DONE();
}
