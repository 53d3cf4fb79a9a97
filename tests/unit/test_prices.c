/* Unit tests for lib/prices.c: the price table and model id keys. */
#include <string.h>

#include "prices.h"
#include "t.h"

#define HDR "model\trouting\tinput\toutput\tcache_read\tcache_write\tdate\tsource\n"

static int parse(const char *text, struct bq_prices **p, bq_err *err)
{
	return bq_prices_parse(text, strlen(text), "t.tsv", p, err);
}

static const char *key(const char *id, const char *base, enum bq_routing *r)
{
	static char out[256];

	if (bq_model_price_key(id, base, out, sizeof(out), r) < 0)
		return "(none)";
	return out;
}

static const char *cost(const struct bq_price *p, int64_t in, int64_t out,
			int64_t cr, int64_t cw)
{
	static char buf[BQ_DEC_BUFSZ];
	int64_t tok[BQ_TOK_KINDS] = { in, out, cr, cw };
	bq_dec usd = BQ_DEC_ZERO;
	enum bq_token_kind miss;
	int rc = bq_price_cost(p, tok, &usd, &miss);

	if (rc == 1)
		return bq_token_kind_name(miss);
	if (rc < 0)
		return "(overflow)";
	return bq_dec_format(usd, 0, buf, sizeof(buf));
}

int main(void)
{
	struct bq_prices *p = NULL;
	const struct bq_price *r;
	enum bq_routing rt;
	bq_err err;
	size_t i;

	bq_err_clear(&err);
	T_OK(bq_prices_builtin(&p, &err) == 0, "built-in table parses (%s)", err.message);
	T_OK(bq_prices_count(p) >= 15, "built-in table has rows");
	for (i = 0; i < bq_prices_count(p); i++) {
		r = bq_prices_row(p, i);
		if (!r->known[BQ_TOK_INPUT] || !r->source[0] || !r->date[0])
			break;
	}
	T_OK(i == bq_prices_count(p), "every built-in row has input price, date and source");
	r = bq_prices_lookup(p, "amazon.nova-micro-v1:0", BQ_ROUTE_GEO);
	T_OK(r && strcmp(r->model, "amazon.nova-micro-v1:0") == 0, "geo falls back to the any row");
	T_STREQ(cost(r, 1000000, 1000000, 0, 0), "0.175", "nova micro 1M in + 1M out");
	T_STREQ(cost(r, 1, 0, 0, 0), "0.000000035", "one token is exact");
	T_STREQ(cost(r, 0, 0, 8, 0), "0.00000007", "nova micro cache read (0.00875 per 1M)");
	r = bq_prices_lookup(p, "meta.llama3-1-70b-instruct-v1:0", BQ_ROUTE_GEO);
	T_OK(r && !r->known[BQ_TOK_CACHE_READ], "llama 3.1 70B has no cache-read price");
	T_STREQ(cost(r, 0, 0, 5, 0), "cache-read", "unknown cache price leaves it unpriced");
	T_STREQ(cost(r, 10, 0, 0, 0), "0.0000072", "zero cache tokens do not need a cache price");
	r = bq_prices_lookup(p, "anthropic.claude-haiku-4-5-20251001-v1:0", BQ_ROUTE_GEO);
	T_OK(r && r->routing == BQ_ROUTE_GEO, "geo row wins for geo routing");
	r = bq_prices_lookup(p, "anthropic.claude-haiku-4-5-20251001-v1:0", BQ_ROUTE_GLOBAL);
	T_OK(r && r->routing == BQ_ROUTE_ANY, "global uses the any row");
	T_STREQ(cost(r, 1000, 2000, 3000, 4000), "0.0163", "haiku 4.5 all four kinds");
	T_OK(bq_prices_lookup(p, "example.no-such-model-v1:0", BQ_ROUTE_ANY) == NULL,
	     "unknown model has no row");
	bq_prices_free(p);
	p = NULL;

	/* Parsing and validation. */
	T_OK(parse("# c\n\n" HDR "m.x\tany\t1\t2\t-\t-\t2026-01-02\tsrc text\n", &p, &err) == 0,
	     "minimal table");
	r = bq_prices_lookup(p, "m.x", BQ_ROUTE_IN_REGION);
	T_OK(r && strcmp(r->source, "src text") == 0 && strcmp(r->date, "2026-01-02") == 0,
	     "row fields");
	bq_prices_free(p);
	p = NULL;
	T_OK(parse("m.x\tany\t1\t2\t-\t-\t2026-01-02\ts\n", &p, &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "line 1") &&
	     strstr(err.message, "header"), "missing header: %s", err.message);
	T_OK(parse(HDR "m.x\tany\tabc\t2\t-\t-\t2026-01-02\ts\n", &p, &err) < 0 &&
	     strstr(err.message, "prices file 't.tsv': line 2: bad input price 'abc'"),
	     "bad price names file, line and text: %s", err.message);
	T_OK(parse(HDR "m.x\tany\t1\t-\t-\t-\t2026-01-02\ts\n", &p, &err) < 0 &&
	     strstr(err.message, "bad output price"), "output price required");
	T_OK(parse(HDR "m.x\tany\t-1\t2\t-\t-\t2026-01-02\ts\n", &p, &err) < 0,
	     "negative price rejected");
	T_OK(parse(HDR "m.x\tsomewhere\t1\t2\t-\t-\t2026-01-02\ts\n", &p, &err) < 0 &&
	     strstr(err.message, "bad routing 'somewhere'"), "bad routing: %s", err.message);
	T_OK(parse(HDR "m.x\tany\t1\t2\t-\t-\t2026-02-30\ts\n", &p, &err) < 0 &&
	     strstr(err.message, "bad date '2026-02-30'"), "bad date: %s", err.message);
	T_OK(parse(HDR "m.x\tany\t1\t2\t-\t-\n", &p, &err) < 0 &&
	     strstr(err.message, "6 fields"), "short row: %s", err.message);
	T_OK(parse(HDR "m.x\tany\t1\t2\t-\t-\t2026-01-02\t\n", &p, &err) < 0 &&
	     strstr(err.message, "empty source"), "empty source");
	T_OK(parse(HDR "m.x\tgeo\t1\t2\t-\t-\t2026-01-02\ta\nm.x\tgeo\t1\t2\t-\t-\t2026-01-02\tb\n",
		   &p, &err) < 0 && strstr(err.message, "appears twice"), "duplicate row");
	T_OK(parse("# only comments\n", &p, &err) < 0, "empty table rejected");
	T_OK(bq_prices_load("/nonexistent/p.tsv", &p, &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE && strstr(err.message, "/nonexistent/p.tsv"),
	     "unreadable file named");

	/* Model id keys. */
	T_STREQ(key("us.anthropic.claude-3-haiku-20240307-v1:0", NULL, &rt),
		"anthropic.claude-3-haiku-20240307-v1:0", "us. prefix stripped");
	T_OK(rt == BQ_ROUTE_GEO, "us. is geo");
	T_STREQ(key("global.anthropic.claude-haiku-4-5-20251001-v1:0", NULL, &rt),
		"anthropic.claude-haiku-4-5-20251001-v1:0", "global. stripped");
	T_OK(rt == BQ_ROUTE_GLOBAL, "global. is global");
	T_STREQ(key("apac.amazon.nova-micro-v1:0", NULL, &rt), "amazon.nova-micro-v1:0", "apac.");
	T_STREQ(key("eu.meta.llama3-1-8b-instruct-v1:0", NULL, &rt),
		"meta.llama3-1-8b-instruct-v1:0", "eu.");
	T_STREQ(key("amazon.nova-pro-v1:0", NULL, &rt), "amazon.nova-pro-v1:0", "bare id kept");
	T_OK(rt == BQ_ROUTE_IN_REGION, "bare id is in-region");
	T_STREQ(key("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0", NULL, &rt),
		"amazon.nova-lite-v1:0", "foundation-model ARN");
	T_OK(rt == BQ_ROUTE_IN_REGION, "foundation-model ARN is in-region");
	T_STREQ(key("arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-lite-v1:0",
		    NULL, &rt), "amazon.nova-lite-v1:0", "system profile ARN");
	T_OK(rt == BQ_ROUTE_GEO, "system profile ARN is geo");
	T_STREQ(key("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
		    NULL, &rt), "(none)", "application profile without base");
	T_STREQ(key("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
		    "anthropic.claude-3-haiku-20240307-v1:0", &rt),
		"anthropic.claude-3-haiku-20240307-v1:0", "application profile priced by its base");
	T_OK(rt == BQ_ROUTE_ANY, "base routing unknown");
	T_STREQ(key("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123",
		    "us.anthropic.claude-3-haiku-20240307-v1:0", &rt),
		"anthropic.claude-3-haiku-20240307-v1:0", "base that is a geo profile");
	T_OK(rt == BQ_ROUTE_GEO, "base geo routing kept");
	T_STREQ(key("arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz", NULL, &rt),
		"(none)", "provisioned model has no token price");
	T_STREQ(key("", NULL, &rt), "(none)", "empty id");
	T_STREQ(key("amazon.titan-text-express-v1", NULL, &rt), "amazon.titan-text-express-v1",
		"id with one dot kept");
	return T_DONE();
}
