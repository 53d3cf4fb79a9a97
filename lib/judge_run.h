/*
 * judge_run: bq-judge, LLM-as-a-judge over invocation records, on top of
 * judge (requests, answers, records, sampling, statistics), rubric, the
 * reorder buffer, the pacer (--rps and throttling backoff), the AWS
 * client's concurrent batch (aws.h) and the record reader/writer
 * (ndjson.h).  cmd/bq-judge.c holds the option table (ids below) and calls
 * bq_judge_run() through bq_main().
 *
 * Flow: records are read from stdin one at a time; each is turned into an
 * item (judge.h), sampled, and judged once per rubric by a Converse call;
 * at most -j calls are in flight, submissions are paced by --rps, and
 * results leave through a bounded reorder buffer so judgments come out in
 * input order while memory stays bounded.  An answer without a usable
 * score is asked once more; a call throttled even after the client's own
 * retries (--max-attempts requests in all) fails and makes every later
 * submission wait (the pacer's backoff).  A judgment that still
 * fails is reported on stderr and the run ends with status 1.
 *
 * Ownership: the context borrows cli and out; it owns the client, the
 * batch and the loaded rubrics.
 */
#ifndef BQ_JUDGE_RUN_H
#define BQ_JUDGE_RUN_H

#include "cli.h"
#include "err.h"
#include "ndjson.h"

/* Option ids of cmd/bq-judge.c's table. */
enum bq_judge_opt {
	BQ_JO_JUDGE_MODEL = 1,
	BQ_JO_RUBRIC,
	BQ_JO_RUBRIC_FILE,
	BQ_JO_JOBS,
	BQ_JO_RPS,
	BQ_JO_SAMPLE,
	BQ_JO_MAX,
	BQ_JO_FAIL_UNDER
};

#define BQ_JUDGE_DEFAULT_JOBS 4
#define BQ_JUDGE_MAX_JOBS 64
#define BQ_JUDGE_MAX_RUBRICS 16
#define BQ_JUDGE_DEFAULT_RUBRIC "helpfulness"

/* Validates option values as they are parsed (usage errors). */
int bq_judge_on_option(struct bq_cli *cli, int id, const char *arg,
		       bq_err *err);
/* The default verb: judge records from stdin. */
int bq_judge_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);
/* `bq-judge rubrics`: one {"kind":"rubric",...} record per built-in (and
 * per --rubric-file). */
int bq_judge_rubrics_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);
/* Dispatches on the verb. */
int bq_judge_main_run(struct bq_cli *cli, struct bq_out *out, bq_err *err);

#endif
