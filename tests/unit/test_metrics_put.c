/* Unit tests of lib/metrics_put: records -> MetricDatum, the checks, and
 * batching within PutMetricData's limits. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "metrics_put.h"
#include "t.h"

#define NOW 1800000000.0 /* 2027-01-15T08:00:00Z */

static bq_metrics_put_opts opts;

/* The datum of a record as sorted compact JSON, or "ERR(status): msg". */
static const char *datum(const char *rec_text)
{
	static char out[2048];
	json_t *rec = json_loads(rec_text, JSON_DECODE_ANY, NULL), *d;
	bq_err e;

	if (!rec)
		return "BAD TEST JSON";
	if (bq_metrics_put_datum(&opts, rec, NOW, &d, &e)) {
		bq_snprintf(out, sizeof out, "ERR(%d): %s", e.exit_status, e.message);
	} else {
		char *s = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);

		bq_strlcpy(out, s, sizeof out);
		free(s);
		json_decref(d);
	}
	json_decref(rec);
	return out;
}

static int rejected(const char *rec_text, const char *why)
{
	const char *d = datum(rec_text);

	return strncmp(d, "ERR(5): ", 8) == 0 && strstr(d, why) != NULL;
}

static void test_kinds(void)
{
	memset(&opts, 0, sizeof opts);
	T_STREQ(datum("{\"kind\":\"datapoint\",\"ts\":\"2027-01-15T07:55:00Z\","
		      "\"namespace\":\"AWS/Bedrock\",\"metric\":\"Invocations\","
		      "\"dimensions\":{\"ModelId\":\"m1\"},\"model_id\":\"m1\","
		      "\"stat\":\"Sum\",\"period\":300,\"value\":7,\"unit\":\"Count\"}"),
		"{\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m1\"}],"
		"\"MetricName\":\"Invocations\",\"Timestamp\":1799999700.0,"
		"\"Unit\":\"Count\",\"Value\":7.0}", "datapoint record");
	T_STREQ(datum("{\"kind\":\"judgment\",\"ts\":\"2027-01-15T07:00:00.5Z\","
		      "\"request_id\":\"r1\",\"model_id\":\"anthropic.claude-3-haiku\","
		      "\"rubric\":\"correctness\",\"score\":0.75,\"raw_score\":4}"),
		"{\"Dimensions\":[{\"Name\":\"Rubric\",\"Value\":\"correctness\"},"
		"{\"Name\":\"ModelId\",\"Value\":\"anthropic.claude-3-haiku\"}],"
		"\"MetricName\":\"JudgeScore\",\"Timestamp\":1799996400.5,"
		"\"Unit\":\"None\",\"Value\":0.75}", "judgment record");
	T_STREQ(datum("{\"kind\":\"judgment\",\"rubric\":\"coherence\",\"score\":1}"),
		"{\"Dimensions\":[{\"Name\":\"Rubric\",\"Value\":\"coherence\"}],"
		"\"MetricName\":\"JudgeScore\",\"Unit\":\"None\",\"Value\":1.0}",
		"judgment without model or time");
	T_OK(rejected("{\"kind\":\"judgment\",\"rubric\":\"x\",\"error\":\"timeout\"}",
		      "score is missing"), "judgment without a score");
	T_OK(rejected("{\"kind\":\"judgment\",\"score\":0.5}", "no rubric"),
	     "judgment without a rubric");
	T_OK(rejected("{\"kind\":\"invocation\",\"latency_ms\":5}", "--value FIELD"),
	     "other kinds need --value");
	T_OK(rejected("{\"latency_ms\":5}", "record without a kind"),
	     "kind-less records need --value");
	T_OK(rejected("[1,2]", "not a JSON object"), "arrays refused");

	/* Generic records with --value, --name, --dimension. */
	{
		static const bq_metrics_dimspec dims[] = {
			{ "ModelId", "model_id" }, { "Op", ".operation" },
			{ "Status", "meta.status" },
		};
		opts.value = ".latency_ms";
		opts.dims = dims;
		opts.ndims = 3;
		opts.unit = "Milliseconds";
		T_STREQ(datum("{\"kind\":\"invocation\",\"ts\":\"2027-01-15T07:59:00Z\","
			      "\"model_id\":\"m2\",\"operation\":\"Converse\","
			      "\"meta\":{\"status\":200},\"latency_ms\":\"812.5\"}"),
			"{\"Dimensions\":[{\"Name\":\"ModelId\",\"Value\":\"m2\"},"
			"{\"Name\":\"Op\",\"Value\":\"Converse\"},{\"Name\":\"Status\","
			"\"Value\":\"200\"}],\"MetricName\":\"latency_ms\",\"Timestamp\":"
			"1799999940.0,\"Unit\":\"Milliseconds\",\"Value\":812.5}",
			"--value, nested --dimension, name from the field, --unit");
		T_OK(rejected("{\"latency_ms\":1,\"operation\":\"x\",\"meta\":{\"status\":1}}",
			      "no field 'model_id' for dimension ModelId"),
		     "missing dimension field");
		T_OK(rejected("{\"latency_ms\":1,\"model_id\":\"\",\"operation\":\"x\","
			      "\"meta\":{\"status\":1}}", "dimension 'ModelId' needs"),
		     "empty dimension value");
		T_OK(rejected("{\"latency_ms\":1,\"model_id\":\"m\\u00e9\",\"operation\":"
			      "\"x\",\"meta\":{\"status\":1}}", "printable ASCII"),
		     "non-ASCII dimension value");
		T_OK(rejected("{\"latency_ms\":1,\"model_id\":{},\"operation\":\"x\","
			      "\"meta\":{\"status\":1}}", "dimension 'ModelId'"),
		     "object dimension value");
		opts.ndims = 0;
		opts.name = "Latency";
		T_STREQ(datum("{\"latency_ms\":3}"),
			"{\"MetricName\":\"Latency\",\"Unit\":\"Milliseconds\",\"Value\":3.0}",
			"--name literal");
		opts.name = ".which";
		T_STREQ(datum("{\"latency_ms\":3,\"which\":\"Other\"}"),
			"{\"MetricName\":\"Other\",\"Unit\":\"Milliseconds\",\"Value\":3.0}",
			"--name .FIELD");
		T_OK(rejected("{\"latency_ms\":3}", "no string field '.which'"),
		     "--name field missing");
		opts.name = NULL;
		T_OK(rejected("{\"latency_ms\":\"fast\"}", "not a number"),
		     "non-numeric string value");
		T_OK(rejected("{\"latency_ms\":null}", "missing or not a number"),
		     "null value");
		T_OK(rejected("{\"latency_ms\":1e300}", "range"), "value too large");
		T_OK(rejected("{\"latency_ms\":1e-100}", "range"), "value too small");
		T_OK(strncmp(datum("{\"latency_ms\":0}"), "{", 1) == 0, "zero is fine");
		T_OK(strncmp(datum("{\"latency_ms\":-1e100}"), "{", 1) == 0,
		     "large negative inside the range is fine");
	}
	memset(&opts, 0, sizeof opts);
	/* Timestamps and units. */
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"ts\":\"2026-12-31T00:00:00Z\"}", "more than two weeks old"),
	     "too old");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"ts\":\"2027-01-15T10:30:00Z\"}", "more than two hours ahead"),
	     "too far ahead");
	T_OK(!rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		       "\"ts\":\"2027-01-15T09:59:00Z\"}", ""), "1h59m ahead is fine");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"ts\":\"yesterday\"}", "RFC 3339"), "bad ts");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"unit\":\"Ms\"}", "not a CloudWatch unit"), "bad unit");
	T_OK(rejected("{\"kind\":\"datapoint\",\"value\":1}", "no metric name"),
	     "datapoint without metric");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"\",\"value\":1}",
		      "not 1 to 255"), "empty metric name");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"a\\nb\",\"value\":1}",
		      "control"), "control character in name");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"dimensions\":{\":x\":\"y\"}}", "bad dimension name"),
	     "dimension name starting with ':'");
	T_OK(rejected("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
		      "\"dimensions\":[]}", "not an object"), "dimensions not an object");
	{
		char big[4096];
		size_t n = 0;
		int i;

		n += (size_t)snprintf(big, sizeof big,
					 "{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":1,"
					 "\"dimensions\":{");
		for (i = 0; i < 31; i++)
			n += (size_t)snprintf(big + n, sizeof big - n, "%s\"d%d\":\"v\"",
					      i ? "," : "", i);
		snprintf(big + n, sizeof big - n, "}}");
		T_OK(rejected(big, "more than 30 dimensions"), "31 dimensions refused");
	}
}

static void test_checks(void)
{
	bq_err e;
	char arg[64];
	bq_metrics_dimspec spec;

	T_OK(bq_metrics_put_check_namespace("BQ/Judge", &e) == 0, "custom namespace");
	T_OK(bq_metrics_put_check_namespace("AWS/Bedrock", &e) == -1 &&
	     e.exit_status == BQ_EXIT_USAGE && strstr(e.message, "reserved"),
	     "AWS/ reserved");
	T_OK(bq_metrics_put_check_namespace(":x", &e) == -1, "leading colon");
	T_OK(bq_metrics_put_check_namespace("", &e) == -1, "empty");
	T_OK(bq_metrics_put_check_namespace(NULL, &e) == -1 &&
	     strstr(e.message, "--namespace"), "missing");
	bq_strlcpy(arg, "ModelId=model_id", sizeof arg);
	T_OK(bq_metrics_put_parse_dimspec(arg, &spec, &e) == 0 &&
	     strcmp(spec.key, "ModelId") == 0 && strcmp(spec.field, "model_id") == 0,
	     "dimspec parsed");
	bq_strlcpy(arg, "ModelId", sizeof arg);
	T_OK(bq_metrics_put_parse_dimspec(arg, &spec, &e) == -1 &&
	     e.exit_status == BQ_EXIT_USAGE, "dimspec without =");
	bq_strlcpy(arg, "=x", sizeof arg);
	T_OK(bq_metrics_put_parse_dimspec(arg, &spec, &e) == -1, "dimspec without key");
	bq_strlcpy(arg, ":K=x", sizeof arg);
	T_OK(bq_metrics_put_parse_dimspec(arg, &spec, &e) == -1, "dimspec bad key");
	memset(&opts, 0, sizeof opts);
	opts.unit = "Parsecs";
	T_OK(bq_metrics_put_check_opts(&opts, &e) == -1 && strstr(e.message, "Parsecs"),
	     "bad --unit");
	opts.unit = NULL;
	opts.storage_resolution = 5;
	T_OK(bq_metrics_put_check_opts(&opts, &e) == -1, "bad storage resolution");
	opts.storage_resolution = 1;
	T_OK(bq_metrics_put_check_opts(&opts, &e) == 0, "storage resolution 1");
	T_STREQ(datum("{\"kind\":\"datapoint\",\"metric\":\"M\",\"value\":2}"),
		"{\"MetricName\":\"M\",\"StorageResolution\":1,\"Value\":2.0}",
		"high resolution datum");
	memset(&opts, 0, sizeof opts);
	{
		json_t *r = json_loads("{\"a\":{\"b\":{\"c\":3}},\"x.y\":1}", 0, NULL);

		T_OK(json_integer_value(bq_metrics_field(r, "a.b.c")) == 3 &&
		     json_integer_value(bq_metrics_field(r, ".a.b.c")) == 3 &&
		     bq_metrics_field(r, "a.c") == NULL &&
		     bq_metrics_field(r, "a..b") == NULL &&
		     bq_metrics_field(r, "a.b.c.d") == NULL &&
		     bq_metrics_field(r, ".") == r, "field paths");
		json_decref(r);
	}
}

static void test_batch(void)
{
	bq_metrics_batch b;
	bq_err e;
	json_t *d, *rec, *req;
	int i, flushes = 0;
	size_t total = 0;
	char *s;

	bq_metrics_batch_init(&b, "BQ/Test", &e);
	rec = json_pack("{s:s}", "kind", "x");
	for (i = 0; i < 2500; i++) {
		d = json_pack("{s:s, s:f}", "MetricName", "M", "Value", (double)i);
		if (bq_metrics_batch_full(&b, d)) {
			total += bq_metrics_batch_len(&b);
			T_OK(bq_metrics_batch_len(&b) == 1000, "batch %d holds 1000", flushes);
			bq_metrics_batch_clear(&b);
			flushes++;
		}
		bq_metrics_batch_add(&b, d, rec, NOW, &e);
		json_decref(d);
	}
	total += bq_metrics_batch_len(&b);
	T_OK(flushes == 2 && total == 2500, "2500 datums: 2 full batches and a rest");
	req = bq_metrics_batch_request(&b);
	T_OK(json_array_size(json_object_get(req, "MetricData")) == 500 &&
	     strcmp(json_string_value(json_object_get(req, "Namespace")), "BQ/Test") == 0 &&
	     json_array_size(b.records) == 500, "request has the rest and the records");
	json_decref(req);
	bq_metrics_batch_clear(&b);

	/* Byte limit: with a small cap every batch stays under it. */
	b.max_bytes = 2000;
	flushes = 0;
	for (i = 0; i < 100; i++) {
		d = json_pack("{s:s, s:f, s:[{s:s, s:s}]}", "MetricName", "LongMetricName",
			      "Value", 1.5, "Dimensions", "Name", "ModelId", "Value",
			      "anthropic.claude-3-haiku-20240307-v1:0");
		if (bq_metrics_batch_full(&b, d)) {
			req = bq_metrics_batch_request(&b);
			s = json_dumps(req, JSON_COMPACT);
			if (strlen(s) > 2000)
				T_OK(0, "request of %zu bytes over the cap", strlen(s));
			free(s);
			json_decref(req);
			bq_metrics_batch_clear(&b);
			flushes++;
		}
		bq_metrics_batch_add(&b, d, rec, NOW, &e);
		json_decref(d);
	}
	T_OK(flushes >= 5, "byte cap splits batches (%d flushes)", flushes);
	/* One datum larger than the cap still goes out alone. */
	bq_metrics_batch_clear(&b);
	b.max_bytes = 10;
	d = json_pack("{s:s, s:f}", "MetricName", "M", "Value", 1.0);
	T_OK(!bq_metrics_batch_full(&b, d), "an empty batch always takes a datum");
	json_decref(d);
	json_decref(rec);
	bq_metrics_batch_release(&b);
}

int main(void)
{
	test_kinds();
	test_checks();
	test_batch();
	return T_DONE();
}
