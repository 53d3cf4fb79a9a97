/* Unit tests for lib/cost_report.c. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cost_report.h"
#include "t.h"
#include "tjson.h"

struct sink {
	char lines[16][512];
	int n;
};

static int emit(void *ud, json_t *rec, bq_err *err)
{
	struct sink *s = ud;
	char *d = json_dumps(rec, JSON_COMPACT);

	(void)err;
	if (s->n < 16 && d)
		bq_strlcpy(s->lines[s->n++], d, sizeof(s->lines[0]));
	free(d);
	json_decref(rec);
	return 0;
}

static const char *ut(const char *s)
{
	static char out[128];

	return bq_usage_type_model(s, out, sizeof(out));
}

int main(void)
{
	struct bq_cost_query q;
	struct bq_cost_report *r;
	struct sink sink;
	json_t *req, *page;
	char *d;
	bq_err err;
	char money[BQ_DEC_BUFSZ];

	bq_err_clear(&err);
	memset(&q, 0, sizeof(q));
	T_OK(bq_cost_by_parse("tag:team", &q.by[0], &err) == 0 &&
	     q.by[0].dim == BQ_BY_TAG && strcmp(q.by[0].tag, "team") == 0 &&
	     strcmp(q.by[0].name, "tag:team") == 0, "tag:KEY");
	T_OK(bq_cost_by_parse("usage-type", &q.by[1], &err) == 0 &&
	     strcmp(q.by[1].name, "usage_type") == 0, "usage-type");
	T_OK(bq_cost_by_parse("colour", &q.by[1], &err) == -1 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "'colour'"), "bad --by");
	T_OK(bq_cost_by_parse("tag:", &q.by[1], &err) == -1, "empty tag key");
	T_OK(bq_cost_set_granularity(&q, "daily", &err) == 0 &&
	     strcmp(q.granularity, "DAILY") == 0, "granularity any case");
	T_OK(bq_cost_set_granularity(&q, "weekly", &err) == -1, "bad granularity");
	T_OK(bq_cost_set_metric(&q, "unblendedcost", &err) == 0 &&
	     strcmp(q.metric, "UnblendedCost") == 0, "metric spelling");
	T_OK(bq_cost_set_metric(&q, "Cost", &err) == -1, "bad metric");

	/* Windows: 2026-11-26T10:30:00Z back 30 days. */
	T_OK(bq_cost_window(&q, 1761993000000LL /* 2025-11-01T10:30:00Z */,
			    1764153000000LL /* 2025-11-26T10:30:00Z */, &err) == 0,
	     "daily window");
	T_STREQ(q.start, "2025-11-01", "start day inclusive");
	T_STREQ(q.end, "2025-11-27", "end day exclusive, after until");
	T_OK(bq_cost_window(&q, 1761955200000LL, 1764115200000LL, &err) == 0, "midnights");
	T_STREQ(q.end, "2025-11-26", "until at midnight is the end itself");
	bq_cost_set_granularity(&q, "hourly", &err);
	T_OK(bq_cost_window(&q, 1764144000000LL + 1800000, 1764153000000LL, &err) == 0,
	     "hourly window");
	T_STREQ(q.start, "2025-11-26T08:00:00Z", "hourly start floored");
	T_STREQ(q.end, "2025-11-26T11:00:00Z", "hourly end rounded up");
	T_OK(bq_cost_window(&q, 1764153000000LL, 1764153000000LL - 1, &err) == -1,
	     "empty window refused");

	/* Request body. */
	bq_cost_set_granularity(&q, "monthly", &err);
	bq_strlcpy(q.start, "2026-10-01", sizeof(q.start));
	bq_strlcpy(q.end, "2026-11-01", sizeof(q.end));
	q.services[0] = "Amazon Bedrock";
	q.services[1] = "Claude 3 Haiku (Amazon Bedrock Edition)";
	q.nservices = 2;
	bq_cost_by_parse("model", &q.by[0], &err);
	bq_cost_by_parse("tag:team", &q.by[1], &err);
	q.nby = 2;
	req = bq_cost_request(&q);
	d = json_dumps(req, JSON_COMPACT);
	T_STREQ(d, "{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-11-01\"},"
		"\"Granularity\":\"MONTHLY\",\"Metrics\":[\"UnblendedCost\"],"
		"\"Filter\":{\"Dimensions\":{\"Key\":\"SERVICE\",\"Values\":[\"Amazon Bedrock\","
		"\"Claude 3 Haiku (Amazon Bedrock Edition)\"]}},"
		"\"GroupBy\":[{\"Type\":\"DIMENSION\",\"Key\":\"USAGE_TYPE\"},"
		"{\"Type\":\"TAG\",\"Key\":\"team\"}]}", "GetCostAndUsage body");
	free(d);
	json_decref(req);

	/* Usage types to model names. */
	T_STREQ(ut("USE1-Claude3Haiku-input-tokens"), "Claude3Haiku", "input tokens");
	T_STREQ(ut("USE1-NovaPro-output-tokens"), "NovaPro", "output tokens");
	T_STREQ(ut("USE1-NovaPro-cache-read-input-token-count"), "NovaPro", "cache read");
	T_STREQ(ut("USW2-Claude4Sonnet-cache-write-input-token-count-cross-region-global"),
		"Claude4Sonnet", "cache write with routing suffix");
	T_STREQ(ut("USE1-Nova2.0Lite-input-tokens-flex"), "Nova2.0Lite", "tier suffix");
	T_STREQ(ut("USE1-openai.gpt-oss-120b-mantle-input-tokens-standard"),
		"openai.gpt-oss-120b", "mantle");
	T_STREQ(ut("EUC1-MistralLarge-batch-input-tokens"), "MistralLarge", "batch");
	T_STREQ(ut("USE1-ProvisionedThroughput-Claude3Haiku"),
		"ProvisionedThroughput-Claude3Haiku", "no token part: rest kept");
	T_STREQ(ut("Claude3Haiku-input-tokens"), "Claude3Haiku", "no region code");

	/* Pages: --by model aggregates usage types exactly; tags split. */
	memset(&sink, 0, sizeof(sink));
	T_OK(bq_cost_report_new(&r, &q, emit, &sink, &err) == 0, "report");
	page = J("{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-11-01\"},"
		 "\"Total\":{},\"Estimated\":true,\"Groups\":["
		 "{\"Keys\":[\"USE1-Claude3Haiku-input-tokens\",\"team$search\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"0.1\",\"Unit\":\"USD\"}}},"
		 "{\"Keys\":[\"USE1-Claude3Haiku-output-tokens\",\"team$search\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"0.2\",\"Unit\":\"USD\"}}},"
		 "{\"Keys\":[\"USE1-Claude3Haiku-input-tokens\",\"team$\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"12.3400000000\",\"Unit\":\"USD\"}}}"
		 "]}],\"NextPageToken\":\"p2\"}");
	T_OK(bq_cost_report_page(r, page, &err) == 0 && sink.n == 0, "aggregated rows held");
	json_decref(page);
	T_OK(bq_cost_report_finish(r, &err) == 0 && sink.n == 2, "two groups emitted");
	T_STREQ(sink.lines[0], "{\"kind\":\"cost\",\"start\":\"2026-10-01\",\"end\":\"2026-11-01\","
		"\"group\":{\"model\":\"Claude3Haiku\",\"tag:team\":\"search\"},\"metric\":\"UnblendedCost\","
		"\"amount\":\"0.3\",\"unit\":\"USD\",\"estimated\":true}",
		"0.1 + 0.2 is exactly 0.3");
	T_STREQ(sink.lines[1], "{\"kind\":\"cost\",\"start\":\"2026-10-01\",\"end\":\"2026-11-01\","
		"\"group\":{\"model\":\"Claude3Haiku\",\"tag:team\":\"\"},\"metric\":\"UnblendedCost\","
		"\"amount\":\"12.34\",\"unit\":\"USD\",\"estimated\":true}",
		"untagged is the empty string; amount exact");
	T_STREQ(bq_dec_format(bq_cost_report_total(r), 2, money, sizeof(money)), "12.64", "total");
	bq_cost_report_free(r);

	/* No --by: totals, streamed. */
	q.nby = 0;
	memset(&sink, 0, sizeof(sink));
	bq_cost_report_new(&r, &q, emit, &sink, &err);
	page = J("{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		 "\"Total\":{\"UnblendedCost\":{\"Amount\":\"1.5E-7\",\"Unit\":\"USD\"}},\"Groups\":[],\"Estimated\":false}]}");
	T_OK(bq_cost_report_page(r, page, &err) == 0 && sink.n == 1, "total row streamed");
	T_STREQ(sink.lines[0], "{\"kind\":\"cost\",\"start\":\"2026-10-01\",\"end\":\"2026-10-02\","
		"\"group\":{},\"metric\":\"UnblendedCost\",\"amount\":\"0.00000015\",\"unit\":\"USD\","
		"\"estimated\":false}", "exponent amount printed as a decimal");
	json_decref(page);
	page = J("{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"a\",\"End\":\"b\"},"
		 "\"Total\":{\"UnblendedCost\":{\"Amount\":\"lots\",\"Unit\":\"USD\"}}}]}");
	T_OK(bq_cost_report_page(r, page, &err) == -1 && strstr(err.message, "'lots'"),
	     "bad amount reported: %s", err.message);
	json_decref(page);
	bq_cost_report_free(r);
	return T_DONE();
}
