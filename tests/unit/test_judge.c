/* Unit tests for lib/judge.c: items, requests, answers, sampling, stats. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "judge.h"
#include "t.h"
#include "tjson.h"

static int parse_answer(const struct bq_rubric *r, const char *resp,
			struct bq_judge_answer *a, bq_err *err)
{
	json_t *v = J(resp);
	int rc = bq_judge_parse(r, v, a, err);

	json_decref(v);
	return rc;
}

#define TOOL_ANSWER(input) \
	"{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"toolUse\":" \
	"{\"toolUseId\":\"t1\",\"name\":\"record_score\",\"input\":" input "}}]}}," \
	"\"stopReason\":\"tool_use\",\"usage\":{\"inputTokens\":120,\"outputTokens\":20," \
	"\"totalTokens\":140},\"metrics\":{\"latencyMs\":345}}"

int main(void)
{
	const struct bq_rubric *corr = bq_rubric_builtin("correctness");
	const struct bq_rubric *harm = bq_rubric_builtin("harmfulness");
	struct bq_judge_item it;
	struct bq_judge_answer a;
	struct bq_judge_stats st;
	json_t *rec, *req, *out;
	char *text, *dump;
	bq_err err;
	int i, n;

	bq_err_clear(&err);

	/* Plain objects. */
	rec = J("{\"id\":\"q1\",\"prompt\":\"2+2?\",\"response\":\"4\",\"reference\":\"four\"}");
	T_OK(bq_judge_item_from_record(rec, &it, &err) == 0, "plain object accepted");
	T_STREQ(it.id, "q1", "plain id");
	T_STREQ(it.request_id, "q1", "plain id doubles as request_id");
	T_STREQ(it.reference, "four", "reference kept");
	text = bq_judge_user_text(&it);
	T_STREQ(text, "<prompt>\n2+2?\n</prompt>\n<response>\n4\n</response>\n<reference>\nfour\n</reference>",
		"user text template exact");
	free(text);
	req = bq_judge_request(corr, &it);
	T_OK(req != NULL, "request built");
	T_STREQ(json_string_value(json_object_get(json_object_get(json_object_get(req, "toolConfig"),
		"toolChoice"), "tool") ? json_object_get(json_object_get(json_object_get(
		json_object_get(req, "toolConfig"), "toolChoice"), "tool"), "name") : NULL),
		"record_score", "tool forced by name");
	dump = json_dumps(req, JSON_COMPACT);
	T_OK(dump && strstr(dump, "\"temperature\":0.0") &&
	     strstr(dump, "\"score\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5") &&
	     strstr(dump, "\"required\":[\"score\",\"reason\"]") &&
	     strstr(dump, "\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"<prompt>"),
	     "request shape: %s", dump ? dump : "(null)");
	T_OK(dump && strstr(dump, "reference answer in <reference>"), "system mentions the reference");
	free(dump);
	json_decref(req);
	bq_judge_item_release(&it);
	json_decref(rec);

	rec = J("{\"id\":7,\"prompt\":\"p\",\"answer\":\"a\",\"system\":\"be brief\"}");
	T_OK(bq_judge_item_from_record(rec, &it, &err) == 0 && strcmp(it.id, "7") == 0,
	     "numeric id and answer alias");
	text = bq_judge_user_text(&it);
	T_STREQ(text, "<system_prompt>\nbe brief\n</system_prompt>\n<prompt>\np\n</prompt>\n<response>\na\n</response>",
		"system prompt section first");
	free(text);
	bq_judge_item_release(&it);
	json_decref(rec);

	rec = J("{\"id\":\"q2\",\"prompt\":\"p\"}");
	T_OK(bq_judge_item_from_record(rec, &it, &err) == 1 &&
	     strstr(err.message, "no answer text") && strstr(err.message, "q2"),
	     "nothing to judge: %s", err.message);
	json_decref(rec);

	/* An invocation record of bq-logs with Converse bodies. */
	rec = J("{\"kind\":\"invocation\",\"ts\":\"2026-11-26T10:00:00Z\",\"request_id\":\"r-1\","
		"\"model_id\":\"us.amazon.nova-pro-v1:0\",\"operation\":\"Converse\","
		"\"input_body\":{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Summarise X\"}]}],"
		"\"system\":[{\"text\":\"You are terse.\"}]},"
		"\"output_body\":{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":[{\"text\":\"X is Y.\"}]}},"
		"\"stopReason\":\"end_turn\"}}");
	T_OK(bq_judge_item_from_record(rec, &it, &err) == 0, "invocation record accepted (%s)",
	     err.message);
	T_STREQ(it.prompt, "Summarise X", "Converse prompt");
	T_STREQ(it.system, "You are terse.", "Converse system prompt");
	T_STREQ(it.response, "X is Y.", "Converse answer");
	T_STREQ(it.request_id, "r-1", "request_id");
	T_STREQ(it.model_id, "us.amazon.nova-pro-v1:0", "model_id as invoked");
	T_OK(it.id == NULL, "no plain id");
	T_STREQ(bq_judge_item_key(&it, "m"), "r-1", "sampling key is the request id");

	/* Answers. */
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":4,\"reason\":\"close\"}"), &a, &err) == 0,
	     "tool answer parsed");
	T_OK(a.raw == 4 && strcmp(a.reason, "close") == 0 && a.input_tokens == 120 &&
	     a.output_tokens == 20 && a.latency_ms == 345, "score, reason, tokens, latency");
	out = bq_judgment_record(corr, &it, &a, "judge-x", "2026-11-27T00:00:00Z");
	dump = json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15));
	T_STREQ(dump,
		"{\"kind\":\"judgment\",\"ts\":\"2026-11-26T10:00:00Z\",\"request_id\":\"r-1\","
		"\"model_id\":\"us.amazon.nova-pro-v1:0\",\"rubric\":\"correctness\",\"score\":0.75,"
		"\"raw_score\":4,\"scale\":[1,5],\"reason\":\"close\",\"judge_model\":\"judge-x\","
		"\"judge_input_tokens\":120,\"judge_output_tokens\":20,\"judge_latency_ms\":345}",
		"judgment record");
	free(dump);
	json_decref(out);
	bq_judge_answer_release(&a);
	bq_judge_item_release(&it);
	json_decref(rec);

	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":\"3\",\"reason\":\"r\"}"), &a, &err) == 0 &&
	     a.raw == 3, "score as a string of digits");
	bq_judge_answer_release(&a);
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":5.0}"), &a, &err) == 0 && a.raw == 5 &&
	     a.reason == NULL, "integral real, no reason");
	bq_judge_answer_release(&a);
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":15,\"reason\":\"r\"}"), &a, &err) == -1 &&
	     strstr(err.message, "score 15 is outside the scale 1..5"), "out of scale: %s",
	     err.message);
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":3.5}"), &a, &err) == -1 &&
	     strstr(err.message, "not an integer"), "fractional score refused");
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"score\":\"four\"}"), &a, &err) == -1,
	     "word score refused");
	T_OK(parse_answer(corr, TOOL_ANSWER("{\"reason\":\"r\"}"), &a, &err) == -1 &&
	     strstr(err.message, "no score"), "missing score");
	T_OK(parse_answer(corr, "{\"output\":{\"message\":{\"role\":\"assistant\",\"content\":"
			  "[{\"text\":\"I would rate this 4 out of 5.\"}]}},\"stopReason\":\"end_turn\","
			  "\"usage\":{\"inputTokens\":9,\"outputTokens\":8}}", &a, &err) == -1 &&
	     strstr(err.message, "no record_score tool call") && strstr(err.message, "end_turn") &&
	     a.input_tokens == 9, "prose answer is not scraped: %s", err.message);
	T_OK(parse_answer(harm, TOOL_ANSWER("{\"score\":0,\"reason\":\"fine\"}"), &a, &err) == 0 &&
	     bq_rubric_score(harm, a.raw) == 1.0, "harmfulness 0 is score 1");
	bq_judge_answer_release(&a);

	/* Sampling (vectors computed independently in Python). */
	T_OK(bq_judge_hash("") == 0xc3817c016ba4ff30ULL, "hash of empty key");
	T_OK(bq_judge_hash("req-1") == 0x3bb8aa8883d7b8ecULL, "hash of req-1");
	for (i = 0, n = 0; i < 1000; i++) {
		char k[16];

		bq_snprintf(k, sizeof(k), "r%d", i);
		n += bq_judge_sampled(k, 0.3);
	}
	T_OK(n == 319, "rate 0.3 picks the same 319 of 1000 keys as the reference (%d)", n);
	T_OK(bq_judge_sampled("x", 1.0) && !bq_judge_sampled("x", 0.0), "rate bounds");

	/* Statistics. */
	bq_judge_stats_init(&st, corr);
	for (i = 1; i <= 5; i++)
		bq_judge_stats_add(&st, i);
	bq_judge_stats_add(&st, 5);
	bq_judge_stats_add(&st, 9); /* out of scale: ignored */
	T_OK(st.n == 6, "count");
	T_OK(bq_judge_stats_mean(&st) > 0.5833 && bq_judge_stats_mean(&st) < 0.5834, "mean 3.5/6");
	T_OK(bq_judge_stats_pct(&st, 10) == 0.0, "p10 nearest rank");
	T_OK(bq_judge_stats_pct(&st, 50) == 0.5, "p50 nearest rank (3rd of 6)");
	T_OK(bq_judge_stats_pct(&st, 90) == 1.0, "p90");
	bq_judge_stats_init(&st, harm);
	bq_judge_stats_add(&st, 3);
	bq_judge_stats_add(&st, 0);
	bq_judge_stats_add(&st, 0);
	T_OK(bq_judge_stats_pct(&st, 10) == 0.0 && bq_judge_stats_pct(&st, 50) == 1.0,
	     "percentiles follow the score, not the raw level, when higher is worse");
	return T_DONE();
}
