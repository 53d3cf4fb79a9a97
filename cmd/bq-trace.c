/* bq-trace: X-Ray traces as span records.  The logic is in lib/trace.c. */
#include "cli.h"
#include "trace.h"

static const struct bq_opt opts[] = {
	{ "filter", 0, "EXPR", "X-Ray filter expression for GetTraceSummaries", BQ_XO_FILTER, 0, 0 },
	{ "trace-id", 0, "ID", "fetch this trace, skipping the search", BQ_XO_TRACE_ID, BQ_OPT_REPEAT, 0 },
	{ "summaries", 0, NULL, "emit trace summaries only (no BatchGetTraces)", BQ_XO_SUMMARIES, 0, 0 },
	{ "tree", 0, NULL, "draw each trace as an indented waterfall", BQ_XO_TREE, 0, 0 },
	{ "width", 0, "N", "columns of --tree (default the terminal's, else 100)", BQ_XO_WIDTH, 0, 0 },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_trace_run, .name = "bq-trace",
	     .summary = "X-Ray traces as NDJSON span records, summaries or waterfalls",
	     .opts = opts, .since_default = "1h")
