/*
 * judge: the pure parts of bq-judge: what to judge from an input record,
 * the Converse request a rubric turns into, parsing the judge's forced tool
 * call, the judgment record, deterministic sampling, and the summary
 * statistics.  No I/O here (lib/judge_run.c drives the calls).
 *
 * The judge request (Converse, bedrock-runtime POST /model/{id}/converse):
 *   system        the rubric in our words (bq_judge_system_text)
 *   messages      one user turn whose only text block is the material
 *                 (bq_judge_user_text), exactly:
 *                   [<system_prompt>\n{system}\n</system_prompt>\n]
 *                   <prompt>\n{prompt}\n</prompt>\n
 *                   <response>\n{response}\n</response>
 *                   [\n<reference>\n{reference}\n</reference>]
 *                 (bracketed parts only when the record has them)
 *   inferenceConfig  {"maxTokens": 512, "temperature": 0}
 *   toolConfig    one tool BQ_JUDGE_TOOL whose input schema is
 *                 {"score": integer min..max, "reason": string}, forced
 *                 with toolChoice {"tool": {"name": BQ_JUDGE_TOOL}}
 *
 * Ownership: functions taking json_t * borrow it; functions returning
 * json_t * or char * return new references / malloc'd strings.  A
 * bq_judge_item owns its strings (bq_judge_item_release).
 */
#ifndef BQ_JUDGE_H
#define BQ_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "rubric.h"

#define BQ_JUDGE_TOOL "record_score"
#define BQ_JUDGE_MAX_TOKENS 512

/* What one input record gives to judge. */
struct bq_judge_item {
	char *request_id; /* invocation request_id, or a plain object's
			   * request_id / id; NULL when none */
	char *id;         /* a plain object's "id", NULL otherwise */
	char *model_id;   /* the judged model, when the record says */
	char *ts;         /* the record's ts, when it has one */
	char *prompt;
	char *system;
	char *response;
	char *reference;
};

/*
 * Fills item from an input record: an `invocation` record of bq-logs (or a
 * raw invocation log record), whose prompt, system prompt and answer come
 * from the bodies (invocation.h), or a plain object with "prompt",
 * "response" (alias "answer"), optional "reference" (alias
 * "referenceResponse"), "system", "id", "model_id".  Returns 0, or 1 when
 * there is nothing to judge (no prompt or no answer text), with the reason
 * in err->message and item released.
 */
int bq_judge_item_from_record(const json_t *rec, struct bq_judge_item *item,
			      bq_err *err);
void bq_judge_item_release(struct bq_judge_item *item);

/* The key sampling hashes: request_id, else id, else the material. */
const char *bq_judge_item_key(const struct bq_judge_item *item,
			      const char *material);

/* The user turn and system prompt texts (malloc'd). */
char *bq_judge_user_text(const struct bq_judge_item *item);
char *bq_judge_system_text(const struct bq_rubric *r, bool with_reference);
/* The Converse request body. */
json_t *bq_judge_request(const struct bq_rubric *r,
			 const struct bq_judge_item *item);

/* What a Converse answer says. */
struct bq_judge_answer {
	long raw;              /* the level the judge chose */
	char *reason;          /* malloc'd, NULL when the judge gave none */
	long long input_tokens, output_tokens, latency_ms; /* -1: absent */
};

/*
 * Reads the forced tool call from a Converse response: a toolUse block
 * named BQ_JUDGE_TOOL whose input.score is an integer level of the scale
 * (a real with an integral value, or a string holding just an integer, is
 * accepted too).  Returns 0, or -1 with err->message saying what was wrong
 * ("no tool call in the answer (stop reason end_turn)", "score 15 is
 * outside the scale 1..5").  Token counts and latency are filled either
 * way when the response has them.
 */
int bq_judge_parse(const struct bq_rubric *r, const json_t *resp,
		   struct bq_judge_answer *ans, bq_err *err);
void bq_judge_answer_release(struct bq_judge_answer *ans);

/* The judgment record:
 * {"kind":"judgment","ts","request_id","id","model_id","rubric","score",
 *  "raw_score","scale":[min,max],"reason","judge_model",
 *  "judge_input_tokens","judge_output_tokens","judge_latency_ms"}
 * ts is the item's ts, else now_ts (the judging time). */
json_t *bq_judgment_record(const struct bq_rubric *r,
			   const struct bq_judge_item *item,
			   const struct bq_judge_answer *ans,
			   const char *judge_model, const char *now_ts);

/*
 * Deterministic sampling: a record is judged when
 *   splitmix64(fnv1a64(key)) >> 11  <  rate * 2^53
 * (fnv1a64: offset basis 0xcbf29ce484222325, prime 0x100000001b3, over the
 * key's bytes; splitmix64 is the finaliser of Steele et al.:
 * z += 0x9e3779b97f4a7c15; z = (z ^ z>>30) * 0xbf58476d1ce4e5b9;
 * z = (z ^ z>>27) * 0x94d049bb133111eb; z ^= z>>31).  rate >= 1 takes all.
 */
uint64_t bq_judge_hash(const char *key);
bool bq_judge_sampled(const char *key, double rate);

/* Summary statistics of one rubric's judgments, in memory bounded by the
 * scale (a histogram of levels), not by the number of records. */
struct bq_judge_stats {
	const struct bq_rubric *rubric;
	unsigned long long counts[BQ_RUBRIC_MAX_LEVELS];
	unsigned long long n, failed;
	double score_sum;
	long long judge_input_tokens, judge_output_tokens;
};

void bq_judge_stats_init(struct bq_judge_stats *s, const struct bq_rubric *r);
void bq_judge_stats_add(struct bq_judge_stats *s, long raw);
double bq_judge_stats_mean(const struct bq_judge_stats *s);
/* Nearest-rank percentile of the normalised score (p in 0..100): the
 * smallest score s such that at least ceil(p/100 * n) judgments score <= s.
 * 0 when there are none. */
double bq_judge_stats_pct(const struct bq_judge_stats *s, double p);

#endif
