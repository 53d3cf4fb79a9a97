/*
 * cost_report: the pure parts of `bq-cost report`: --by keys to Cost
 * Explorer GroupBy definitions, the GetCostAndUsage (and service discovery
 * GetDimensionValues) request bodies, the date window, the model name
 * inside a usage type, and turning result pages into `cost` records.
 *
 * Records, one per time period and group:
 *   {"kind":"cost","start","end","group":{},"metric","amount","unit",
 *    "estimated"}
 * start/end are Cost Explorer's TimePeriod (end exclusive); group has one
 * member per --by key: "tag:KEY" (the tag value, "" when untagged),
 * "usage_type", "model", "account", "region", "operation"; amount is the
 * exact decimal of the API's string, as bq_money_format writes it (a JSON
 * string in the shortest form: "12.34" for "12.3400000000").
 *
 * --by model groups by USAGE_TYPE on the server and sums, exactly, the rows
 * whose usage types name the same model; those rows are held until
 * bq_cost_report_finish (memory grows with periods x groups).  Other
 * groupings stream.
 *
 * Ownership: a report borrows its query (which must outlive it); records
 * handed to emit are new references the callback steals.
 */
#ifndef BQ_COST_REPORT_H
#define BQ_COST_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "money.h"

#define BQ_COST_MAX_BY 2
#define BQ_COST_MAX_SERVICES 64

enum bq_cost_dim {
	BQ_BY_TAG = 0,
	BQ_BY_USAGE_TYPE,
	BQ_BY_MODEL,
	BQ_BY_ACCOUNT,
	BQ_BY_REGION,
	BQ_BY_OPERATION
};

struct bq_cost_by {
	enum bq_cost_dim dim;
	char name[160];  /* key in "group": "usage_type", "tag:team", ... */
	char tag[140];   /* tag key for BQ_BY_TAG */
};

/* Parses one --by value: tag:KEY, usage-type (or usage_type), model,
 * account, region, operation.  Usage error naming the value otherwise. */
int bq_cost_by_parse(const char *s, struct bq_cost_by *out, bq_err *err);

struct bq_cost_query {
	char start[32], end[32];      /* TimePeriod */
	const char *granularity;      /* DAILY, MONTHLY, HOURLY */
	const char *metric;           /* UnblendedCost, ... */
	const char *services[BQ_COST_MAX_SERVICES];
	size_t nservices;
	struct bq_cost_by by[BQ_COST_MAX_BY];
	size_t nby;
};

/* Checks granularity ("daily" etc., any case) and metric names against
 * the API's lists; fills q->granularity / q->metric with the API's
 * spelling (static strings). */
int bq_cost_set_granularity(struct bq_cost_query *q, const char *s, bq_err *err);
int bq_cost_set_metric(struct bq_cost_query *q, const char *s, bq_err *err);

/* Cost Explorer takes dates, start inclusive and end exclusive: start is
 * since's UTC day, end the day after until's (until itself when it is a
 * midnight).  HOURLY takes hours: "2026-11-26T10:00:00Z", since floored,
 * until rounded up.  Usage error when the window is empty. */
int bq_cost_window(struct bq_cost_query *q, int64_t since_ms,
		   int64_t until_ms, bq_err *err);

/* GetCostAndUsage input (without NextPageToken). */
json_t *bq_cost_request(const struct bq_cost_query *q);
/* GetDimensionValues input listing SERVICE values containing "Bedrock" in
 * the window (the Marketplace-billed model services are named like
 * "Claude 3 Haiku (Amazon Bedrock Edition)"). */
json_t *bq_cost_services_request(const struct bq_cost_query *q);
/* The services used when discovery is not possible. */
extern const char *const bq_cost_default_services[];

/* The model billing name inside a usage type:
 *   USE1-Claude3Haiku-input-tokens                       -> Claude3Haiku
 *   USE1-NovaPro-cache-read-input-token-count            -> NovaPro
 *   USE1-Claude4Sonnet-cache-read-input-token-count-cross-region-global
 *                                                        -> Claude4Sonnet
 *   USE1-openai.gpt-oss-120b-mantle-input-tokens-standard -> openai.gpt-oss-120b
 * The region code prefix (USE1, EUC1, ...) and the token-type suffix are
 * cut; a usage type without a token-type part keeps everything after the
 * region code.  Returns out. */
char *bq_usage_type_model(const char *usage_type, char *out, size_t size);

typedef int (*bq_cost_emit_fn)(void *ud, json_t *rec, bq_err *err);

struct bq_cost_report;

int bq_cost_report_new(struct bq_cost_report **out,
		       const struct bq_cost_query *q, bq_cost_emit_fn emit,
		       void *ud, bq_err *err);
void bq_cost_report_free(struct bq_cost_report *r);
/* One GetCostAndUsage response page.  Returns 0, the emit callback's
 * positive stop value, or -1 (err filled; status 1 for a malformed page). */
int bq_cost_report_page(struct bq_cost_report *r, const json_t *page,
			bq_err *err);
/* Emits held (aggregated) rows.  Same returns. */
int bq_cost_report_finish(struct bq_cost_report *r, bq_err *err);
/* Sum of every amount emitted so far, and how many records. */
bq_dec bq_cost_report_total(const struct bq_cost_report *r);
size_t bq_cost_report_rows(const struct bq_cost_report *r);
/* The unit of the amounts seen ("USD"), "" before any. */
const char *bq_cost_report_unit(const struct bq_cost_report *r);

#endif
