/* bq-cost: who spends what on Amazon Bedrock.  See bq-cost(1); the logic
 * is in lib/cost_run.c. */
#include "cli.h"
#include "cost_run.h"

#define REPORT BQ_VERB_BIT(BQ_CV_REPORT)
#define ESTIMATE BQ_VERB_BIT(BQ_CV_ESTIMATE)
#define PRICES BQ_VERB_BIT(BQ_CV_PRICES)

static const struct bq_verb verbs[] = {
	{ "report", "Cost Explorer costs of Bedrock's services over the window",
	  0, "30d", NULL },
	{ "estimate", "price the invocation records on stdin with the price table",
	  BQ_CLI_STDIN, NULL, NULL },
	{ "prices", "the price table in use, one record per row", 0, NULL, NULL },
	BQ_VERB_END
};

static const struct bq_opt opts[] = {
	{ "by", 0, "KEY", "group by KEY (report: tag:KEY, usage-type, model, account, region, operation; estimate: model, identity or a field path)",
	  BQ_CO_BY, BQ_OPT_REPEAT, REPORT | ESTIMATE },
	{ "granularity", 0, "G", "daily (default), monthly or hourly",
	  BQ_CO_GRANULARITY, 0, REPORT },
	{ "metric", 0, "M", "Cost Explorer metric (default UnblendedCost)",
	  BQ_CO_METRIC, 0, REPORT },
	{ "service", 0, "NAME", "a Cost Explorer SERVICE to include (default: those named like Bedrock)",
	  BQ_CO_SERVICE, BQ_OPT_REPEAT, REPORT },
	{ "budget", 0, "USD", "exit 4 when the total is above USD",
	  BQ_CO_BUDGET, 0, REPORT | ESTIMATE },
	{ "prices", 0, "FILE", "a price table of your own instead of the built-in one",
	  BQ_CO_PRICES, 0, ESTIMATE | PRICES },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_cost_main_run, .name = "bq-cost",
	     .summary = "Amazon Bedrock costs from Cost Explorer and token estimates as NDJSON",
	     .verbs = verbs, .opts = opts, .on_option = bq_cost_on_option)
