/* Unit tests of lib/metrics_query: statistics, units, periods, discovery,
 * the query plan and result mapping. */
#include <stdlib.h>
#include <string.h>

#include "metrics_query.h"
#include "t.h"

static const char *norm(const char *s)
{
	static char out[BQ_METRICS_STAT_MAX];
	bq_err e;

	if (bq_metrics_stat_norm(s, strlen(s), out, &e))
		return "ERR";
	return out;
}

static void test_stats(void)
{
	T_STREQ(norm("sum"), "Sum", "sum normalises");
	T_STREQ(norm("AVG"), "Average", "AVG normalises");
	T_STREQ(norm("Average"), "Average", "Average kept");
	T_STREQ(norm("min"), "Minimum", "min");
	T_STREQ(norm("Maximum"), "Maximum", "Maximum");
	T_STREQ(norm("count"), "SampleCount", "count is SampleCount");
	T_STREQ(norm("SampleCount"), "SampleCount", "SampleCount kept");
	T_STREQ(norm("p99"), "p99", "p99");
	T_STREQ(norm("P50"), "p50", "P50 lower-cased");
	T_STREQ(norm("p99.9"), "p99.9", "p99.9");
	T_STREQ(norm("p99.99"), "p99.99", "p99.99");
	T_STREQ(norm("p0"), "p0", "p0");
	T_STREQ(norm("p100"), "p100", "p100");
	T_STREQ(norm("p101"), "ERR", "p101 refused");
	T_STREQ(norm("p999"), "ERR", "p999 refused");
	T_STREQ(norm("p99.999"), "ERR", "three decimals refused");
	T_STREQ(norm("p99."), "ERR", "trailing dot refused");
	T_STREQ(norm("p"), "ERR", "bare p refused");
	T_STREQ(norm("median"), "ERR", "unknown name refused");
	T_STREQ(norm(""), "ERR", "empty refused");
	{
		bq_err e;
		char out[BQ_METRICS_STAT_MAX];

		bq_metrics_stat_norm("bogus", 5, out, &e);
		T_OK(e.exit_status == BQ_EXIT_USAGE && strstr(e.message, "'bogus'"),
		     "unknown statistic is a usage error naming it: %s", e.message);
	}
	T_OK(bq_metrics_stat_is_percentile("p99.9"), "p99.9 is a percentile");
	T_OK(!bq_metrics_stat_is_percentile("Sum"), "Sum is not");

	T_STREQ(bq_metrics_default_stat("AWS/Bedrock", "Invocations"), "Sum",
		"counts default to Sum");
	T_STREQ(bq_metrics_default_stat("AWS/Bedrock", "InvocationLatency"), "Average",
		"latencies default to Average");
	T_STREQ(bq_metrics_default_stat("AWS/Bedrock", "CacheReadInputTokenCount"), "Sum",
		"cache token counts default to Sum");
	T_STREQ(bq_metrics_default_stat("BQ/Judge", "JudgeScore"), "Average",
		"unknown metrics default to Average");

	T_STREQ(bq_metrics_unit("AWS/Bedrock", "InvocationLatency", "p99"),
		"Milliseconds", "latency unit");
	T_STREQ(bq_metrics_unit("AWS/Bedrock", "InputTokenCount", "Sum"), "Count",
		"token unit");
	T_STREQ(bq_metrics_unit("AWS/Bedrock/Guardrails", "Latency", "Average"),
		"Milliseconds", "guardrails namespace known");
	T_STREQ(bq_metrics_unit("AWS/Bedrock", "InvocationLatency", "SampleCount"),
		"Count", "SampleCount is a count whatever the metric");
	T_OK(bq_metrics_unit("BQ/Judge", "InvocationLatency", "Average") == NULL,
	     "custom namespaces have no known units");
	T_OK(bq_metrics_unit("AWS/BedrockX", "Invocations", "Sum") == NULL,
	     "AWS/BedrockX is not a Bedrock namespace");
	T_OK(bq_metrics_unit_valid("Count/Second") && !bq_metrics_unit_valid("Ms"),
	     "StandardUnit check");
	T_OK(bq_metrics_is_cache_metric("CacheReadInputTokens") &&
	     bq_metrics_is_cache_metric("CacheWriteInputTokenCount") &&
	     !bq_metrics_is_cache_metric("InputTokenCount"),
	     "cache metric family");
}

static long period(const char *s)
{
	long p = -1;
	bq_err e;

	if (bq_metrics_period_parse(s, &p, &e))
		return -1;
	return p;
}

static void test_periods(void)
{
	double now = 1800000000.0, s, e;
	bq_err err;

	T_OK(period("300") == 300, "plain seconds");
	T_OK(period("5m") == 300, "5m");
	T_OK(period("1h") == 3600, "1h");
	T_OK(period("1h30m") == 5400, "1h30m");
	T_OK(period("90s") == 90, "90s");
	T_OK(period("1d") == 86400, "1d");
	T_OK(period("1h30") == -1, "bare number after a unit refused");
	T_OK(period("0") == -1, "zero refused");
	T_OK(period("5x") == -1, "bad unit refused");
	T_OK(period("") == -1, "empty refused");
	T_OK(period("-5m") == -1, "negative refused");

	T_OK(bq_metrics_period_check(300, now - 3 * 3600, now, now, &err) == 0,
	     "5m over 3h is fine");
	T_OK(bq_metrics_period_check(90, now - 3600, now, now, &err) == -1 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "multiple of 60"),
	     "90s is not a multiple of 60: %s", err.message);
	T_OK(bq_metrics_period_check(45, now - 600, now, now, &err) == -1,
	     "45s refused");
	T_OK(bq_metrics_period_check(10, now - 3600, now, now, &err) == 0,
	     "10s inside the last 3 hours is fine");
	T_OK(bq_metrics_period_check(10, now - 86400, now, now, &err) == -1 &&
	     strstr(err.message, "3 hours"),
	     "10s over a day says why: %s", err.message);
	T_OK(bq_metrics_period_check(60, now - 20 * 86400.0, now, now, &err) == -1 &&
	     strstr(err.message, "15 days"), "1m past 15 days: %s", err.message);
	T_OK(bq_metrics_period_check(300, now - 20 * 86400.0, now, now, &err) == 0,
	     "5m past 15 days fine");
	T_OK(bq_metrics_period_check(300, now - 70 * 86400.0, now, now, &err) == -1 &&
	     strstr(err.message, "63 days"), "5m past 63 days: %s", err.message);
	T_OK(bq_metrics_period_check(3600, now - 70 * 86400.0, now, now, &err) == 0,
	     "1h past 63 days fine");
	T_OK(bq_metrics_period_check(3600, now - 500 * 86400.0, now - 460 * 86400.0,
				     now, &err) == -1 && strstr(err.message, "455"),
	     "window older than 455 days");
	T_OK(bq_metrics_period_check(300, now, now - 10, now, &err) == -1,
	     "empty window refused");

	s = 1000;
	e = 1601;
	bq_metrics_align_window(300, &s, &e);
	T_OK(s == 900 && e == 1800, "window aligned out to the period");
	s = 1000.5;
	e = 1000.7;
	bq_metrics_align_window(60, &s, &e);
	T_OK(s == 960 && e == 1020, "a window inside one minute widens to that minute");
	{
		/* Every cover period is a multiple of the step, spans the window,
		 * and puts no bucket boundary inside it. */
		int good = 1, k;
		long worst = 0;
		unsigned x = 12345;

		for (k = 0; k < 2000; k++) {
			long long st, w, p;

			x = x * 1103515245u + 12345u;
			st = 1800000000LL + (long long)(x % 10000000u) / 60 * 60;
			x = x * 1103515245u + 12345u;
			w = 60 * (1 + (long long)(x % 10080u));
			p = bq_metrics_cover_period((double)st, (double)(st + w), 60);
			if (p % 60 || p < w || st / p != (st + w - 1) / p)
				good = 0;
			if (p / w > worst)
				worst = (long)(p / w);
		}
		T_OK(good, "cover period: multiple of 60, spans the window, one bucket");
		T_OK(worst < 8, "cover period stays within a few windows (%ld)", worst);
		T_OK(bq_metrics_cover_period(3600, 7200, 60) == 3600,
		     "an aligned hour is its own period");
		T_OK(bq_metrics_cover_period(3000, 6000, 60) == 3000,
		     "a window on a period boundary is its own period");
		T_OK(bq_metrics_cover_period(3000, 6060, 60) == 6060,
		     "3000..6060 needs 6060: shorter periods put a boundary inside");
	}
}

static void test_time(void)
{
	char buf[40];
	double t;

	bq_metrics_fmt_time(1700000000, buf, sizeof buf);
	T_STREQ(buf, "2023-11-14T22:13:20Z", "format whole seconds");
	bq_metrics_fmt_time(1700000000.25, buf, sizeof buf);
	T_STREQ(buf, "2023-11-14T22:13:20.250Z", "format milliseconds");
	T_OK(bq_metrics_parse_iso("2023-11-14T22:13:20Z", &t) == 0 && t == 1700000000,
	     "parse Z");
	T_OK(bq_metrics_parse_iso("2023-11-14T23:13:20+01:00", &t) == 0 &&
	     t == 1700000000, "parse offset");
	T_OK(bq_metrics_parse_iso("2023-11-14T22:13:20.5Z", &t) == 0 &&
	     t == 1700000000.5, "parse fraction");
	T_OK(bq_metrics_parse_iso("2023-11-14", &t) == 0 && t == 1699920000,
	     "parse date");
	T_OK(bq_metrics_parse_iso("2023-13-14T00:00:00Z", &t) == -1, "bad month");
	T_OK(bq_metrics_parse_iso("2023-11-14T22:13:20Zjunk", &t) == -1,
	     "trailing junk");
	{
		json_t *n = json_real(1700000000.0), *ms = json_integer(1700000000000LL);

		T_OK(bq_metrics_parse_ts(n, &t) == 0 && t == 1700000000, "epoch seconds");
		T_OK(bq_metrics_parse_ts(ms, &t) == 0 && t == 1700000000,
		     "epoch milliseconds");
		json_decref(n);
		json_decref(ms);
	}
}

static void test_discovery(void)
{
	bq_metrics_discovery d;
	bq_err err;
	json_t *page1 = json_loads(
		"[{\"Namespace\":\"AWS/Bedrock\",\"MetricName\":\"Invocations\","
		"\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m-b\"}]},"
		"{\"Namespace\":\"AWS/Bedrock\",\"MetricName\":\"CacheReadInputTokenCount\","
		"\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m-a\"}]},"
		"{\"Namespace\":\"AWS/Bedrock\",\"MetricName\":\"OutputImageCount\","
		"\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m-img\"},"
		"{\"Name\":\"ImageSize\",\"Value\":\"1024\"}]},"
		"{\"Namespace\":\"AWS/Bedrock\",\"MetricName\":\"ModelInvocationLogsS3DeliveryFailure\"}]",
		0, NULL);
	json_t *page2 = json_loads(
		"[{\"Namespace\":\"AWS/Bedrock\",\"MetricName\":\"Invocations\","
		"\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m-a\"}]}]", 0, NULL);
	json_t *rec;
	char *s;

	bq_metrics_discovery_init(&d);
	T_OK(bq_metrics_discovery_add(&d, page1, &err) == 0 &&
	     bq_metrics_discovery_add(&d, page2, &err) == 0, "discovery pages added");
	bq_metrics_discovery_finish(&d);
	T_OK(d.nmodels == 2, "two models found (image and account-wide metrics "
	     "do not count): %zu", d.nmodels);
	T_STREQ(d.nmodels ? d.models[0] : NULL, "m-a", "models sorted (1)");
	T_STREQ(d.nmodels > 1 ? d.models[1] : NULL, "m-b", "models sorted (2)");
	T_OK(bq_metrics_discovery_has_name(&d, "CacheReadInputTokenCount") &&
	     !bq_metrics_discovery_has_name(&d, "OutputImageCount"),
	     "metric names found");
	bq_metrics_discovery_release(&d);

	rec = bq_metrics_list_record(json_array_get(page1, 2));
	s = json_dumps(rec, JSON_COMPACT);
	T_STREQ(s, "{\"kind\":\"metric\",\"namespace\":\"AWS/Bedrock\","
		"\"metric\":\"OutputImageCount\",\"dimensions\":{\"ModelId\":"
		"\"m-img\",\"ImageSize\":\"1024\"}}", "list record");
	free(s);
	json_decref(rec);
	rec = bq_metrics_list_record(json_array_get(page1, 3));
	s = json_dumps(rec, JSON_COMPACT);
	T_STREQ(s, "{\"kind\":\"metric\",\"namespace\":\"AWS/Bedrock\",\"metric\":"
		"\"ModelInvocationLogsS3DeliveryFailure\",\"dimensions\":{}}",
		"list record without dimensions");
	free(s);
	json_decref(rec);
	json_decref(page1);
	json_decref(page2);
}

static void test_plan(void)
{
	bq_metrics_plan p;
	bq_err err;
	json_t *dims, *q, *resp;
	char *s;
	size_t i;
	bq_metrics_points pts = { 0 };
	bq_buf warn = BQ_BUF_INIT;
	int ok = 1;

	bq_metrics_plan_init(&p, "AWS/Bedrock", &err);
	for (i = 0; i < 1001; i++) {
		char model[32];

		bq_snprintf(model, sizeof model, "model-%zu", i);
		dims = json_pack("{s:s}", "ModelId", model);
		ok &= bq_metrics_plan_add(&p, i % 2 ? "InvocationLatency" : "Invocations",
					  dims, i % 2 ? "p99" : "Sum", 300, &err) == 0;
		json_decref(dims);
	}
	T_OK(ok && p.n == 1001, "1001 series added");
	T_OK(bq_metrics_plan_nbatches(&p) == 3, "1001 series need 3 calls");
	q = bq_metrics_plan_queries(&p, 0);
	T_OK(json_array_size(q) == 500, "first call has 500 queries");
	s = json_dumps(json_array_get(q, 1), JSON_COMPACT | JSON_SORT_KEYS);
	T_STREQ(s, "{\"Id\":\"q1\",\"MetricStat\":{\"Metric\":{\"Dimensions\":"
		"[{\"Name\":\"ModelId\",\"Value\":\"model-1\"}],\"MetricName\":"
		"\"InvocationLatency\",\"Namespace\":\"AWS/Bedrock\"},\"Period\":300,"
		"\"Stat\":\"p99\"},\"ReturnData\":true}", "query shape");
	free(s);
	json_decref(q);
	q = bq_metrics_plan_queries(&p, 2);
	T_OK(json_array_size(q) == 1 &&
	     strcmp(json_string_value(json_object_get(json_array_get(q, 0), "Id")),
		    "q1000") == 0, "last call has the one remaining query, id q1000");
	json_decref(q);
	T_OK(bq_metrics_plan_lookup(&p, "q0") == 0 && bq_metrics_plan_lookup(&p, "q1000") == 1000,
	     "ids map back");
	T_OK(bq_metrics_plan_lookup(&p, "q1001") == -1 && bq_metrics_plan_lookup(&p, "q01") == -1 &&
	     bq_metrics_plan_lookup(&p, "x1") == -1 && bq_metrics_plan_lookup(&p, "q") == -1 &&
	     bq_metrics_plan_lookup(&p, NULL) == -1 && bq_metrics_plan_lookup(&p, "q1x") == -1,
	     "bad ids do not map");

	/* Two series in one page, interleaved by time after sorting. */
	resp = json_loads(
		"{\"MetricDataResults\":["
		"{\"Id\":\"q1\",\"Label\":\"x\",\"Timestamps\":[1700000000,1700000300],"
		"\"Values\":[812.5,900],\"StatusCode\":\"Complete\"},"
		"{\"Id\":\"q0\",\"Timestamps\":[\"2023-11-14T22:13:20Z\",1700000600],"
		"\"Values\":[3,4],\"StatusCode\":\"Forbidden\"}],"
		"\"Messages\":[{\"Code\":\"MaxDatapointsExceeded\",\"Value\":\"x\"}]}", 0, NULL);
	T_OK(bq_metrics_page_collect(&p, resp, &pts, &warn, &err) == 0 && pts.n == 4,
	     "page collected");
	bq_metrics_points_sort(&pts);
	T_OK(pts.v[0].ts == 1700000000 && pts.v[0].series == 0 && pts.v[1].series == 1 &&
	     pts.v[2].ts == 1700000300 && pts.v[3].ts == 1700000600, "sorted by time, series");
	T_OK(strstr(bq_buf_cstr(&warn), "status Forbidden") &&
	     strstr(bq_buf_cstr(&warn), "MaxDatapointsExceeded"), "warnings collected");
	{
		json_t *r0 = bq_metrics_datapoint(&p, &pts.v[0]);
		json_t *r1 = bq_metrics_datapoint(&p, &pts.v[1]);
		char *a = json_dumps(r0, JSON_COMPACT), *b = json_dumps(r1, JSON_COMPACT);

		T_STREQ(a, "{\"kind\":\"datapoint\",\"ts\":\"2023-11-14T22:13:20Z\","
			"\"namespace\":\"AWS/Bedrock\",\"metric\":\"Invocations\","
			"\"dimensions\":{\"ModelId\":\"model-0\"},\"model_id\":\"model-0\","
			"\"stat\":\"Sum\",\"period\":300,\"value\":3,\"unit\":\"Count\"}",
			"datapoint record (integral value)");
		T_STREQ(b, "{\"kind\":\"datapoint\",\"ts\":\"2023-11-14T22:13:20Z\","
			"\"namespace\":\"AWS/Bedrock\",\"metric\":\"InvocationLatency\","
			"\"dimensions\":{\"ModelId\":\"model-1\"},\"model_id\":\"model-1\","
			"\"stat\":\"p99\",\"period\":300,\"value\":812.5,\"unit\":"
			"\"Milliseconds\"}", "datapoint record (fractional value)");
		free(a);
		free(b);
		json_decref(r0);
		json_decref(r1);
	}
	json_decref(resp);

	resp = json_loads("{\"MetricDataResults\":[{\"Id\":\"q9999\",\"Timestamps\":[],"
			  "\"Values\":[]}]}", 0, NULL);
	T_OK(bq_metrics_page_collect(&p, resp, &pts, NULL, &err) == -1 &&
	     strstr(err.message, "q9999"), "unknown id is an error");
	json_decref(resp);
	resp = json_loads("{\"MetricDataResults\":[{\"Id\":\"q3\",\"Timestamps\":[1],"
			  "\"Values\":[]}]}", 0, NULL);
	T_OK(bq_metrics_page_collect(&p, resp, &pts, NULL, &err) == -1,
	     "length mismatch is an error");
	json_decref(resp);
	resp = json_loads("{}", 0, NULL);
	T_OK(bq_metrics_page_collect(&p, resp, &pts, NULL, &err) == 0,
	     "empty page is fine");
	json_decref(resp);

	bq_metrics_points_release(&pts);
	bq_buf_release(&warn);
	bq_metrics_plan_release(&p);

	/* A series without ModelId (account-wide) has no model_id and, in a
	 * custom namespace, no unit. */
	bq_metrics_plan_init(&p, "BQ/Judge", &err);
	dims = json_pack("{s:s}", "Rubric", "correctness");
	bq_metrics_plan_add(&p, "JudgeScore", dims, "Average", 60, &err);
	json_decref(dims);
	{
		bq_metrics_point pt = { 1700000000, 0.75, 0 };
		json_t *r = bq_metrics_datapoint(&p, &pt);

		s = json_dumps(r, JSON_COMPACT);
		T_STREQ(s, "{\"kind\":\"datapoint\",\"ts\":\"2023-11-14T22:13:20Z\","
			"\"namespace\":\"BQ/Judge\",\"metric\":\"JudgeScore\",\"dimensions\":"
			"{\"Rubric\":\"correctness\"},\"stat\":\"Average\",\"period\":60,"
			"\"value\":0.75}", "custom datapoint: no model_id, no unit");
		free(s);
		json_decref(r);
	}
	bq_metrics_plan_release(&p);
}

static void test_merge(void)
{
	bq_metrics_plan p;
	bq_metrics_merge m;
	bq_err err;
	json_t *page;
	size_t i, k, total = 0;
	double prev_ts = -1;
	size_t prev_series = 0;
	int ordered = 1;
	static const char *const pages[] = {
		/* Query after query, as the peers page: q0 done, q1 cut. */
		"{\"MetricDataResults\":[{\"Id\":\"q0\",\"StatusCode\":\"Complete\","
		"\"Timestamps\":[100,200,300],\"Values\":[1,2,3]},"
		"{\"Id\":\"q1\",\"StatusCode\":\"PartialData\",\"Timestamps\":[100],"
		"\"Values\":[4]},{\"Id\":\"q2\",\"StatusCode\":\"PartialData\","
		"\"Timestamps\":[],\"Values\":[]}],\"NextToken\":\"t1\"}",
		"{\"MetricDataResults\":[{\"Id\":\"q0\",\"StatusCode\":\"Complete\","
		"\"Timestamps\":[],\"Values\":[]},{\"Id\":\"q1\",\"StatusCode\":"
		"\"Complete\",\"Timestamps\":[200,300],\"Values\":[5,6]},"
		"{\"Id\":\"q2\",\"StatusCode\":\"PartialData\",\"Timestamps\":[100,200],"
		"\"Values\":[7,8]}],\"NextToken\":\"t2\"}",
		"{\"MetricDataResults\":[{\"Id\":\"q2\",\"StatusCode\":\"Complete\","
		"\"Timestamps\":[300],\"Values\":[9]}]}",
	};
	static const size_t want_ready[] = { 0, 6, 3 };

	bq_metrics_plan_init(&p, "AWS/Bedrock", &err);
	for (i = 0; i < 3; i++)
		bq_metrics_plan_add(&p, "Invocations", NULL, "Sum", 100, &err);
	bq_metrics_merge_init(&m, 0, 3, &err);
	for (i = 0; i < 3; i++) {
		page = json_loads(pages[i], 0, NULL);
		T_OK(bq_metrics_merge_page(&m, &p, page, NULL, &err) == 0, "page %zu merged", i);
		k = bq_metrics_merge_ready(&m, i == 2);
		T_OK(k == want_ready[i], "page %zu releases %zu points (got %zu)", i,
		     want_ready[i], k);
		for (size_t j = 0; j < k; j++) {
			const bq_metrics_point *pt = &m.pending.v[j];

			if (pt->ts < prev_ts || (pt->ts == prev_ts && pt->series < prev_series))
				ordered = 0;
			prev_ts = pt->ts;
			prev_series = pt->series;
		}
		total += k;
		bq_metrics_merge_consume(&m, k);
		json_decref(page);
	}
	T_OK(ordered && total == 9 && m.pending.n == 0,
	     "all 9 points released in (time, series) order across query-sliced pages");
	bq_metrics_merge_release(&m);

	/* Time-sliced pages stream: every series advanced, so page 1 is out. */
	bq_metrics_merge_init(&m, 0, 3, &err);
	page = json_loads("{\"MetricDataResults\":["
			  "{\"Id\":\"q0\",\"StatusCode\":\"PartialData\",\"Timestamps\":[100],\"Values\":[1]},"
			  "{\"Id\":\"q1\",\"StatusCode\":\"PartialData\",\"Timestamps\":[100],\"Values\":[1]},"
			  "{\"Id\":\"q2\",\"StatusCode\":\"PartialData\",\"Timestamps\":[100],\"Values\":[1]}],"
			  "\"NextToken\":\"x\"}", 0, NULL);
	bq_metrics_merge_page(&m, &p, page, NULL, &err);
	T_OK(bq_metrics_merge_ready(&m, false) == 3, "time-sliced page released at once");
	json_decref(page);
	/* A result for a query of another call is an error. */
	bq_metrics_merge_release(&m);
	bq_metrics_merge_init(&m, 0, 2, &err);
	page = json_loads("{\"MetricDataResults\":[{\"Id\":\"q2\",\"Timestamps\":[1],"
			  "\"Values\":[1]}]}", 0, NULL);
	T_OK(bq_metrics_merge_page(&m, &p, page, NULL, &err) == -1, "foreign query refused");
	json_decref(page);
	bq_metrics_merge_release(&m);
	bq_metrics_plan_release(&p);
}

int main(void)
{
	test_stats();
	test_periods();
	test_time();
	test_discovery();
	test_plan();
	test_merge();
	return T_DONE();
}
