/* bq-judge: LLM-as-a-judge over invocation records.  See bq-judge(1); the
 * logic is in lib/judge_run.c. */
#include "cli.h"
#include "judge_run.h"

#define JUDGE BQ_VERB_BIT(0)

static const struct bq_verb verbs[] = {
	{ "", "judge the records on stdin with a Bedrock model through Converse",
	  BQ_CLI_STDIN, NULL, NULL },
	{ "rubrics", "list the built-in rubrics (and those of --rubric-file)",
	  0, NULL, NULL },
	BQ_VERB_END
};

static const struct bq_opt opts[] = {
	{ "judge-model", 0, "ID", "the judge: a model id, inference profile or ARN (else $BQ_JUDGE_MODEL)",
	  BQ_JO_JUDGE_MODEL, 0, JUDGE },
	{ "rubric", 0, "NAME", "a built-in rubric (default helpfulness)",
	  BQ_JO_RUBRIC, BQ_OPT_REPEAT, JUDGE },
	{ "rubric-file", 0, "FILE", "a rubric of your own, as JSON",
	  BQ_JO_RUBRIC_FILE, BQ_OPT_REPEAT, 0 },
	{ "jobs", 'j', "N", "judge calls in flight (default 4)",
	  BQ_JO_JOBS, 0, JUDGE },
	{ "rps", 0, "R", "at most R judge calls per second",
	  BQ_JO_RPS, 0, JUDGE },
	{ "sample", 0, "RATE", "judge this fraction of records, chosen by record id (0-1)",
	  BQ_JO_SAMPLE, 0, JUDGE },
	{ "max", 0, "N", "judge at most N records",
	  BQ_JO_MAX, 0, JUDGE },
	{ "fail-under", 0, "X", "exit 4 when a rubric's mean score is below X (0-1)",
	  BQ_JO_FAIL_UNDER, 0, JUDGE },
	BQ_OPT_END
};

BQ_TOOL_MAIN(bq_judge_main_run, .name = "bq-judge",
	     .summary = "LLM-as-a-judge scores of Bedrock invocation records as NDJSON",
	     .verbs = verbs, .opts = opts, .on_option = bq_judge_on_option)
