/* Unit tests for lib/cost_estimate.c. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cost_estimate.h"
#include "t.h"

static char warnings[4][256];
static int nwarn;

static void warn(void *ud, const char *why)
{
	(void)ud;
	if (nwarn < 4)
		bq_strlcpy(warnings[nwarn], why, sizeof(warnings[0]));
	nwarn++;
}

static int add(struct bq_estimate *e, const char *text, bq_err *err)
{
	json_error_t je;
	json_t *v = json_loads(text, 0, &je);
	int rc;

	if (!v) {
		printf("# bad test JSON: %s\n", je.text);
		return -9;
	}
	rc = bq_estimate_add(e, v, err);
	json_decref(v);
	return rc;
}

static const char *rec(struct bq_estimate *e, size_t i)
{
	static char buf[1024];
	json_t *r = bq_estimate_record(e, i);
	char *d = r ? json_dumps(r, JSON_COMPACT) : NULL;

	bq_strlcpy(buf, d ? d : "(none)", sizeof(buf));
	free(d);
	json_decref(r);
	return buf;
}

#define HDR "model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\n"

int main(void)
{
	const char *table = HDR
		"a.m1\tany\t1.00\t2.00\t0.10\t1.25\t2026-01-01\tt\n"
		"a.m1\tgeo\t1.10\t2.20\t0.11\t1.375\t2026-01-01\tt\n"
		"b.m2\tany\t0.035\t0.14\t-\t-\t2026-01-01\tt\n";
	const char *by[] = { "model", "request_metadata.team" };
	struct bq_prices *prices;
	struct bq_estimate *e;
	struct bq_estimate_opts o;
	char money[BQ_DEC_BUFSZ];
	bq_err err;

	bq_err_clear(&err);
	T_OK(bq_prices_parse(table, strlen(table), "t", &prices, &err) == 0, "table");
	memset(&o, 0, sizeof(o));
	o.prices = prices;
	o.by = by;
	o.nby = 2;
	o.warn = warn;
	T_OK(bq_estimate_new(&e, &o, &err) == 0, "new");

	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"a.m1\",\"input_tokens\":1000,"
		 "\"output_tokens\":500,\"request_metadata\":{\"team\":\"search\"}}", &err) == 0, "add 1");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"us.a.m1\",\"input_tokens\":1000,"
		 "\"output_tokens\":500,\"cache_read_tokens\":2000,\"cache_write_tokens\":400,"
		 "\"request_metadata\":{\"team\":\"search\"}}", &err) == 0, "add geo");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"arn:aws:bedrock:us-east-1::foundation-model/b.m2\","
		 "\"input_tokens\":1234}", &err) == 0, "add ARN, no team");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"b.m2\",\"input_tokens\":10,"
		 "\"cache_read_tokens\":5}", &err) == 0, "add cache tokens without a cache price");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"c.unknown-v1\",\"input_tokens\":7,"
		 "\"output_tokens\":3}", &err) == 0, "add unknown model");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"c.unknown-v1\",\"input_tokens\":1}", &err) == 0,
	     "add unknown model again");
	T_OK(add(e, "{\"kind\":\"invocation\",\"model_id\":\"arn:aws:bedrock:us-east-1:1:application-inference-profile/x\","
		 "\"base_model_id\":\"a.m1\",\"input_tokens\":1000000,\"request_metadata\":{\"team\":\"search\"}}",
		 &err) == 0, "application profile priced by its base");
	T_OK(add(e, "{\"kind\":\"invocation\",\"input_tokens\":1}", &err) == -1 &&
	     err.exit_status == BQ_EXIT_INPUT, "record without a model rejected");
	/* A raw log record goes through the invocation normaliser. */
	T_OK(add(e, "{\"schemaType\":\"ModelInvocationLog\",\"schemaVersion\":\"1.0\","
		 "\"timestamp\":\"2026-11-26T10:00:00Z\",\"requestId\":\"r9\",\"modelId\":\"b.m2\","
		 "\"operation\":\"InvokeModel\",\"input\":{\"inputTokenCount\":100},"
		 "\"output\":{\"outputTokenCount\":100}}", &err) == 0, "raw log record (%s)", err.message);
	bq_estimate_finish(e);

	T_OK(bq_estimate_ngroups(e) == 3, "three groups (%zu)", bq_estimate_ngroups(e));
	/* search/a.m1: 1000*1 + 500*2 = 2000; geo: 1000*1.1 + 500*2.2 + 2000*0.11
	 * + 400*1.375 = 1100+1100+220+550 = 2970; app profile: 1e6*1.00 ->
	 * (2000 + 2970 + 1000000) / 1e6 = 1.00497 */
	T_STREQ(rec(e, 0), "{\"kind\":\"cost_estimate\",\"group\":{\"model\":\"a.m1\","
		"\"request_metadata.team\":\"search\"},\"requests\":3,\"input_tokens\":1002000,"
		"\"output_tokens\":1000,\"cache_read_tokens\":2000,\"cache_write_tokens\":400,"
		"\"usd\":\"1.00497\",\"unpriced_requests\":0}", "priced group, geo and base routing");
	/* b.m2 without team: 1234*0.035 + (100*0.035+100*0.14) = 43.19 + 17.5 =
	 * 60.69 per 1e6; the cache-read record is unpriced. */
	T_STREQ(rec(e, 1), "{\"kind\":\"cost_estimate\",\"group\":{\"model\":\"b.m2\"},"
		"\"requests\":3,\"input_tokens\":1344,\"output_tokens\":100,\"cache_read_tokens\":5,"
		"\"cache_write_tokens\":0,\"usd\":\"0.00006069\",\"unpriced_requests\":1}",
		"missing field omitted from group; unpriced kept in the group");
	T_STREQ(rec(e, 2), "{\"kind\":\"cost_estimate\",\"group\":{\"model\":\"c.unknown-v1\"},"
		"\"requests\":2,\"input_tokens\":8,\"output_tokens\":3,\"cache_read_tokens\":0,"
		"\"cache_write_tokens\":0,\"usd\":\"0\",\"unpriced_requests\":2}",
		"unknown model: counts kept, usd 0 (by the same rule as every amount)");
	T_STREQ(bq_money_format(bq_estimate_total_usd(e), money, sizeof(money)), "1.00503069",
		"total exact");
	T_OK(bq_estimate_requests(e) == 8 && bq_estimate_unpriced(e) == 3, "request counts");
	T_OK(nwarn == 2, "one warning per model (%d)", nwarn);
	T_OK(strstr(warnings[0], "no cache-read price for model 'b.m2'") != NULL, "cache warning: %s",
	     warnings[0]);
	T_OK(strstr(warnings[1], "no price for model 'c.unknown-v1'") != NULL, "price warning: %s",
	     warnings[1]);
	bq_estimate_free(e);

	{
		const char *bad[] = { "a..b" };

		o.by = bad;
		o.nby = 1;
		T_OK(bq_estimate_new(&e, &o, &err) == -1 && err.exit_status == BQ_EXIT_USAGE &&
		     strstr(err.message, "'a..b'"), "bad --by key");
	}
	bq_prices_free(prices);
	return T_DONE();
}
