/* Unit tests for lib/rubric.c: built-in rubrics and rubric files. */
#include <stdlib.h>
#include <string.h>

#include "rubric.h"
#include "t.h"

static int from_text(const char *text, struct bq_rubric **r, bq_err *err)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	int rc;

	if (!doc)
		return -2;
	rc = bq_rubric_from_json(doc, "rubric file 'r.json'", r, err);
	json_decref(doc);
	return rc;
}

int main(void)
{
	static const char *const names[] = {
		"correctness", "completeness", "faithfulness", "helpfulness",
		"coherence", "relevance", "following-instructions",
		"professional-style", "harmfulness", "refusal"
	};
	const struct bq_rubric *b;
	struct bq_rubric *r = NULL;
	bq_err err;
	size_t i;
	int v, ok;

	bq_err_clear(&err);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		b = bq_rubric_builtin(names[i]);
		ok = b && b->criteria && b->max > b->min &&
		     b->max - b->min + 1 <= BQ_RUBRIC_MAX_LEVELS;
		for (v = b ? b->min : 0; ok && v <= b->max; v++)
			ok = b->labels[v - b->min] && b->labels[v - b->min][0];
		T_OK(ok, "built-in %s has criteria and a labelled scale", names[i]);
	}
	T_OK(bq_rubric_builtin_at(10) == NULL && bq_rubric_builtin_at(9) != NULL,
	     "ten built-ins");
	T_OK(bq_rubric_builtin("Builtin.FollowingInstructions") ==
	     bq_rubric_builtin("following-instructions"), "Bedrock metric id accepted");
	T_OK(bq_rubric_builtin("professional_style") != NULL, "underscore spelling accepted");
	T_OK(bq_rubric_builtin("nope") == NULL, "unknown name");

	b = bq_rubric_builtin("correctness");
	T_OK(bq_rubric_score(b, 5) == 1.0 && bq_rubric_score(b, 1) == 0.0 &&
	     bq_rubric_score(b, 4) == 0.75, "correctness normalises 1..5 onto 0..1");
	b = bq_rubric_builtin("harmfulness");
	T_OK(b->higher_is_worse, "harmfulness: higher is worse");
	T_OK(bq_rubric_score(b, 0) == 1.0 && bq_rubric_score(b, 3) == 0.0,
	     "harmfulness: not harmful scores 1");
	b = bq_rubric_builtin("refusal");
	T_OK(b->higher_is_worse && bq_rubric_score(b, 1) == 0.5 &&
	     bq_rubric_score(b, 2) == 0.0, "refusal flipped");
	T_OK(!bq_rubric_in_scale(b, 3) && bq_rubric_in_scale(b, 0), "in scale");

	T_OK(from_text("{\"name\":\"tone\",\"criteria\":\"be kind\",\"scale\":["
		       "{\"value\":1,\"label\":\"rude\"},{\"value\":2,\"label\":\"ok\"},"
		       "{\"value\":3,\"label\":\"warm\"}],\"higher_is_worse\":false}",
		       &r, &err) == 0, "valid rubric file (%s)", err.message);
	T_OK(r && r->min == 1 && r->max == 3 && strcmp(r->labels[2], "warm") == 0 &&
	     strcmp(r->name, "tone") == 0, "fields loaded");
	T_OK(r && bq_rubric_score(r, 2) == 0.5, "custom scale normalised");
	bq_rubric_free(r);
	r = NULL;

#define BAD(text, want, what) \
	T_OK(from_text(text, &r, &err) == -1 && err.exit_status == BQ_EXIT_USAGE && \
	     strstr(err.message, want), what ": %s", err.message)
	BAD("[]", "want a JSON object", "not an object");
	BAD("{\"criteria\":\"c\",\"scale\":[]}", "missing \"name\"", "no name");
	BAD("{\"name\":\"Tone!\",\"criteria\":\"c\",\"scale\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"}]}",
	    "name 'Tone!'", "bad name");
	BAD("{\"name\":\"t\",\"scale\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"}]}",
	    "missing \"criteria\"", "no criteria");
	BAD("{\"name\":\"t\",\"criteria\":\"c\"}", "missing \"scale\"", "no scale");
	BAD("{\"name\":\"t\",\"criteria\":\"c\",\"scale\":[{\"value\":1,\"label\":\"a\"}]}",
	    "1 levels, want 2 to 11", "one level");
	BAD("{\"name\":\"t\",\"criteria\":\"c\",\"scale\":[{\"value\":1,\"label\":\"a\"},{\"value\":3,\"label\":\"b\"}]}",
	    "scale[1].value: want 2", "gap in values");
	BAD("{\"name\":\"t\",\"criteria\":\"c\",\"scale\":[{\"value\":1,\"label\":\"a\"},{\"value\":2}]}",
	    "scale[1].label", "missing label");
	BAD("{\"name\":\"t\",\"criteria\":\"c\",\"scale\":[{\"value\":1.5,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"}]}",
	    "scale[0].value: want an integer", "real value");
	BAD("{\"name\":\"t\",\"critera\":\"c\"}", "unknown key \"critera\"", "typo key");
	BAD("{\"name\":\"t\",\"criteria\":\"c\",\"higher_is_worse\":\"yes\",\"scale\":[{\"value\":1,\"label\":\"a\"},{\"value\":2,\"label\":\"b\"}]}",
	    "must be true or false", "bad boolean");
	T_OK(strstr(err.message, "rubric file 'r.json'") != NULL, "message names the file");
	T_OK(bq_rubric_load("/nonexistent/r.json", &r, &err) == -1 &&
	     strstr(err.message, "cannot read rubric file '/nonexistent/r.json'"),
	     "unreadable file: %s", err.message);
	bq_rubric_free(NULL);
	bq_rubric_free((struct bq_rubric *)bq_rubric_builtin("coherence"));
	T_OK(1, "free ignores NULL and built-ins");
	return T_DONE();
}
