/*
 * cost_estimate: the aggregation behind `bq-cost estimate`.  Invocation
 * records go in one at a time; each is put in its group (the values of the
 * --by keys), its tokens are counted, and it is priced from the price table
 * (prices.h) when its model has a price.  Memory grows with the number of
 * groups and of distinct unpriced models, not with the number of records.
 *
 * Records: `invocation` records of bq-logs, raw invocation log records
 * (normalised with invocation.h first), or any object with model_id and
 * the token fields input_tokens, output_tokens, cache_read_tokens,
 * cache_write_tokens (missing counts are 0).
 *
 * --by keys (at most BQ_ESTIMATE_MAX_BY):
 *   model       the foundation model the price was looked up for (the
 *               invoked id without us./eu./apac./global. prefix or ARN, or
 *               base_model_id behind an application profile), else
 *               model_id as invoked
 *   any other   a field path into the record, dots between members:
 *               identity, region, model_id, request_metadata.team, ...
 * A group's "group" object has one member per key, named as given; a
 * record without the field has no member for it.
 *
 * Output records (bq_estimate_record), in decreasing usd, then decreasing
 * requests, then group:
 *   {"kind":"cost_estimate","group":{},"requests","input_tokens",
 *    "output_tokens","cache_read_tokens","cache_write_tokens","usd",
 *    "unpriced_requests"}
 * usd is an exact decimal in a JSON string (bq_money_format: "0.004319",
 * "0"), the cost of the priced requests; the token counts cover every
 * request of the group.
 *
 * Ownership: the estimate borrows the price table (it must outlive it)
 * and copies the --by keys.  Records returned are new references.
 */
#ifndef BQ_COST_ESTIMATE_H
#define BQ_COST_ESTIMATE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "money.h"
#include "prices.h"

#define BQ_ESTIMATE_MAX_BY 8

/* Called once per model that cannot be priced; why is e.g. "no price for
 * model 'x'" (lower case, no full stop).  NULL: bq_warn(). */
typedef void (*bq_estimate_warn_fn)(void *ud, const char *why);

struct bq_estimate_opts {
	const struct bq_prices *prices;
	const char *const *by;
	size_t nby;
	bq_estimate_warn_fn warn;
	void *warn_ud;
};

struct bq_estimate;

/* Validates the --by keys (usage error naming a bad one). */
int bq_estimate_new(struct bq_estimate **out,
		    const struct bq_estimate_opts *opts, bq_err *err);
void bq_estimate_free(struct bq_estimate *e);

/* Adds one record.  -1 (status 5) when the record cannot be read as an
 * invocation (err says why: the caller reports and skips it), or on
 * memory/overflow failure (status 1). */
int bq_estimate_add(struct bq_estimate *e, const json_t *rec, bq_err *err);

/* Sorts the groups for output; call once after the last add. */
void bq_estimate_finish(struct bq_estimate *e);
size_t bq_estimate_ngroups(const struct bq_estimate *e);
json_t *bq_estimate_record(const struct bq_estimate *e, size_t i);

/* Totals over every group. */
bq_dec bq_estimate_total_usd(const struct bq_estimate *e);
uint64_t bq_estimate_requests(const struct bq_estimate *e);
uint64_t bq_estimate_unpriced(const struct bq_estimate *e);
size_t bq_estimate_unpriced_models(const struct bq_estimate *e);


#endif
