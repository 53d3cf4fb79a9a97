#include "bodypath.h"
#include "t.h"

#include <stdlib.h>

static int join_cb(const json_t *v, void *ud)
{
	char *acc = ud;
	size_t l = strlen(acc);

	if (json_is_string(v))
		snprintf(acc + l, 256 - l, "%s%s", l ? "," : "", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(acc + l, 256 - l, "%s%lld", l ? "," : "",
			 (long long)json_integer_value(v));
	else
		snprintf(acc + l, 256 - l, "%s<%d>", l ? "," : "", (int)json_typeof(v));
	return 0;
}

static const char *all(const json_t *root, const char *path, char *acc)
{
	acc[0] = '\0';
	bq_bodypath_each(root, path, join_cb, acc);
	return acc;
}

int main(void)
{
	char acc[256];
	long long n = 0;
	json_error_t je;
	json_t *j = json_loads(
		"{\"messages\":[{\"role\":\"user\",\"content\":\"plain\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"A\"}]},"
		"{\"role\":\"USER\",\"content\":[{\"type\":\"text\",\"text\":\"B\"},"
		"{\"type\":\"image\",\"source\":{}},{\"type\":\"text\",\"text\":\"C\"}]}],"
		"\"usage\":{\"input_tokens\":12,\"r\":2.6},"
		"\"amazon-bedrock-invocationMetrics\":{\"invocationLatency\":7},"
		"\"s\":\"\",\"t\":\"x\"}", 0, &je);

	T_OK(j != NULL, "fixture parses");
	T_STREQ(all(j, "messages[].role", acc), "user,assistant,USER", "[] visits every element");
	T_STREQ(all(j, "messages[role=user].content[].text", acc), "B,C",
		"filter is case-insensitive; a string promoted by [] has no members");
	T_STREQ(all(j, "messages[role=user].content{.|[type=text].text}", acc),
		"plain,<1>,B,C", "group keeps document order (\".\" yields the block list itself)");
	T_STREQ(all(j, "messages[role=assistant|user].content[type=text].text", acc),
		"A,B,C", "filter with alternatives");
	T_STREQ(all(j, "messages[role=nobody].content", acc), "", "filter that matches nothing");
	T_STREQ(all(j, "missing.path", acc), "", "missing member visits nothing");
	T_STREQ(all(j, "usage.input_tokens", acc), "12", "plain members");
	T_STREQ(all(j, "usage.input_tokens[]", acc), "12", "[] on a scalar promotes it");
	T_OK(bq_bodypath_int(j, "amazon-bedrock-invocationMetrics.invocationLatency", &n) && n == 7,
	     "member names may contain '-'");
	T_OK(bq_bodypath_int(j, "usage.r", &n) && n == 3, "reals round to integers");
	T_OK(!bq_bodypath_int(j, "t", &n), "a string is not a number");
	T_OK(bq_bodypath_str(j, "s") == NULL, "empty strings do not count as found");
	T_STREQ(bq_bodypath_str(j, "t"), "x", "string lookup");
	T_OK(bq_bodypath_first(j, "messages[") == NULL, "unterminated iterator is no match");
	T_OK(bq_bodypath_first(NULL, "a") == NULL && bq_bodypath_first(j, "") == NULL,
	     "NULL root and empty path");
	json_decref(j);
	return T_DONE();
}
