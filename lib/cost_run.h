/*
 * cost_run: bq-cost, who spends what on Bedrock.  cmd/bq-cost.c holds the
 * option table (ids below) and calls bq_cost_main_run() through bq_main().
 *
 *   report (default)  Cost Explorer GetCostAndUsage over the window,
 *                     filtered to Bedrock's services, grouped by up to two
 *                     --by keys, every page followed once (cost_report.h).
 *                     The services are listed first with one
 *                     GetDimensionValues call unless --service names them.
 *                     Each Cost Explorer request is billed, so the number
 *                     made is said on stderr.
 *   estimate          prices invocation records from stdin with the price
 *                     table (cost_estimate.h, prices.h), grouped by --by.
 *   prices            the price table in use, one record per row.
 * --budget USD (report, estimate): a total above it exits 4.
 *
 * Ownership: the run functions borrow cli and out.
 */
#ifndef BQ_COST_RUN_H
#define BQ_COST_RUN_H

#include "cli.h"
#include "err.h"
#include "ndjson.h"

enum bq_cost_verb {
	BQ_CV_REPORT = 0,
	BQ_CV_ESTIMATE,
	BQ_CV_PRICES
};

/* Option ids of cmd/bq-cost.c's table. */
enum bq_cost_opt {
	BQ_CO_BY = 1,
	BQ_CO_GRANULARITY,
	BQ_CO_METRIC,
	BQ_CO_SERVICE,
	BQ_CO_BUDGET,
	BQ_CO_PRICES
};

/* Validates option values as they are parsed (usage errors). */
int bq_cost_on_option(struct bq_cli *cli, int id, const char *arg,
		      bq_err *err);
int bq_cost_report_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);
int bq_cost_estimate_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);
int bq_cost_prices_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);
/* Dispatches on the verb. */
int bq_cost_main_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);

#endif
