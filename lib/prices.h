/*
 * prices: the dated token price table of bq-cost estimate, and the model id
 * normalisation that finds a price for a model id as invoked.
 *
 * The table is data (lib/prices.tsv, embedded at build time as
 * bq_prices_builtin_tsv by lib/prices_data.c, which lib/prices_embed.sh
 * generates); --prices FILE replaces it.  Format, one TAB between fields:
 *   '#' comment lines and blank lines are skipped;
 *   the first other line is the header
 *     model routing input output cache_read cache_write date source
 *   then one row per (model, routing):
 *     model       foundation-model id without cross-Region prefix
 *     routing     any | in-region | geo | global
 *     input .. cache_write   decimal USD per 1,000,000 tokens, or "-"
 *                 (unknown: tokens of that kind leave a request unpriced;
 *                 input and output must be given)
 *     date        YYYY-MM-DD, when the price was observed
 *     source      free text (may hold spaces) to the end of the line
 * A (model, routing) pair may appear once.  Errors are usage errors
 * (status 2) naming the file and line: "prices file 'p.tsv': line 7: bad
 * output price 'x'".
 *
 * Ownership: a struct bq_prices owns its rows and strings; rows returned
 * by lookups are borrowed from it.  Everything is exact decimal (money.h).
 */
#ifndef BQ_PRICES_H
#define BQ_PRICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "money.h"

/* How a request reached the model, as far as price goes. */
enum bq_routing {
	BQ_ROUTE_ANY = 0,   /* table: every routing; lookup: routing unknown */
	BQ_ROUTE_IN_REGION, /* a bare foundation-model id or ARN */
	BQ_ROUTE_GEO,       /* us. eu. apac. jp. au. ca. us-gov. profiles */
	BQ_ROUTE_GLOBAL     /* global. profiles */
};

/* Token kinds, in the order of bq_price.per_mtok. */
enum bq_token_kind {
	BQ_TOK_INPUT = 0,
	BQ_TOK_OUTPUT,
	BQ_TOK_CACHE_READ,
	BQ_TOK_CACHE_WRITE,
	BQ_TOK_KINDS
};

struct bq_price {
	char *model;
	enum bq_routing routing;
	bq_dec per_mtok[BQ_TOK_KINDS]; /* USD per 1M tokens */
	bool known[BQ_TOK_KINDS];
	char date[11];
	char *source;
};

struct bq_prices;

/* The text of lib/prices.tsv as built into the binary. */
extern const char bq_prices_builtin_tsv[];
extern const size_t bq_prices_builtin_len;

/* Parses a table from text; name is used in messages ("prices file
 * 'NAME'"). */
int bq_prices_parse(const char *text, size_t len, const char *name,
		    struct bq_prices **out, bq_err *err);
/* Reads and parses a file (status 2 when it cannot be read). */
int bq_prices_load(const char *path, struct bq_prices **out, bq_err *err);
/* The built-in table. */
int bq_prices_builtin(struct bq_prices **out, bq_err *err);
void bq_prices_free(struct bq_prices *p);

size_t bq_prices_count(const struct bq_prices *p);
/* Row i in table order (model, then routing), borrowed. */
const struct bq_price *bq_prices_row(const struct bq_prices *p, size_t i);
/* The row for model with this routing, else its "any" row, else NULL. */
const struct bq_price *bq_prices_lookup(const struct bq_prices *p,
					const char *model,
					enum bq_routing routing);

/* "any", "in-region", "geo", "global". */
const char *bq_routing_name(enum bq_routing r);

/* Cost of tokens[BQ_TOK_KINDS] at this price, added to *usd.  Returns 0
 * when priced, 1 when a kind with a non-zero count has no known price
 * (*missing gets that kind, *usd is unchanged), -1 on overflow. */
int bq_price_cost(const struct bq_price *p, const int64_t *tokens,
		  bq_dec *usd, enum bq_token_kind *missing);
/* "input", "output", "cache-read", "cache-write". */
const char *bq_token_kind_name(enum bq_token_kind k);

/*
 * The foundation-model id a price table knows for a model id as invoked:
 *   us.anthropic.claude-3-haiku-20240307-v1:0          -> geo
 *   global.anthropic.claude-haiku-4-5-20251001-v1:0    -> global
 *   arn:aws:bedrock:us-east-1::foundation-model/ID     -> in-region
 *   arn:aws:bedrock:R:A:inference-profile/eu.ID        -> geo
 *   arn:aws:bedrock:R:A:application-inference-profile/x -> base_model_id
 *   amazon.nova-pro-v1:0                               -> in-region
 * base_model_id (may be NULL) is what the record says is behind an
 * application inference profile (or any other ARN); when it is used the
 * routing is its own (a bare id there means "unknown": BQ_ROUTE_ANY).
 * Returns 0 with out filled, or -1 when no foundation model can be told
 * (out then holds model_id, cut to size, for messages).
 * Built on bq_model_parse (invocation.h).
 */
int bq_model_price_key(const char *model_id, const char *base_model_id,
		       char *out, size_t size, enum bq_routing *routing);

#endif
