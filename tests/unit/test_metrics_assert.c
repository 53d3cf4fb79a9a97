/* Unit tests of lib/metrics_assert: the --assert grammar, evaluation with
 * and without data, canonical form, and a deterministic mutation run (the
 * parser must never crash, and every accepted expression must reformat to
 * a fixed point). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_assert.h"
#include "t.h"

/* The canonical form of s, or "ERR: message". */
static const char *canon(const char *s)
{
	static char out[2048];
	bq_assert *a;
	bq_err e;
	bq_buf b = BQ_BUF_INIT;

	if (bq_assert_parse(s, &a, &e)) {
		bq_snprintf(out, sizeof out, "ERR: %s", e.message);
		return out;
	}
	bq_assert_format(a, &b);
	bq_strlcpy(out, bq_buf_cstr(&b), sizeof out);
	bq_buf_release(&b);
	bq_assert_free(a);
	return out;
}

static int is_err(const char *s)
{
	return strncmp(canon(s), "ERR: ", 5) == 0;
}

static void test_parse(void)
{
	T_STREQ(canon("p99(InvocationLatency) < 4000"), "p99(InvocationLatency) < 4000",
		"simple comparison");
	T_STREQ(canon("  SUM( InvocationThrottles )==0 "), "sum(InvocationThrottles) == 0",
		"blanks and case");
	T_STREQ(canon("avg(InvocationLatency) <= 2500 and max(InvocationLatency) < 10000"),
		"avg(InvocationLatency) <= 2500 and max(InvocationLatency) < 10000", "and");
	T_STREQ(canon("average(X) >= 1 && minimum(X) > 0 || count(Y) != 3"),
		"avg(X) >= 1 and min(X) > 0 or count(Y) != 3", "&& and || aliases");
	T_STREQ(canon("sum(A) = 0 and (max(B) < 1 or max(C) < 2)"),
		"sum(A) == 0 and (max(B) < 1 or max(C) < 2)", "parentheses kept where needed");
	T_STREQ(canon("((sum(A) == 0))"), "sum(A) == 0", "redundant parentheses dropped");
	T_STREQ(canon("4000 > p99.9(InvocationLatency)"), "p99.9(InvocationLatency) < 4000",
		"number first flips the operator");
	T_STREQ(canon("sum(A) > -1.5e3"), "sum(A) > -1500", "signed exponent number");
	T_STREQ(canon("samplecount(Invocations) >= 10"), "count(Invocations) >= 10",
		"samplecount alias");
	T_STREQ(canon("avg(My Metric) < .5"), "avg(My Metric) < 0.5",
		"metric with a blank, number with leading dot");
	T_STREQ(canon("sum(A) == 0 or sum(B) == 0 and sum(C) == 0"),
		"sum(A) == 0 or sum(B) == 0 and sum(C) == 0", "and binds tighter");
	T_STREQ(canon("sum(A) == 0 and (sum(B) == 0 and sum(C) == 0)"),
		"sum(A) == 0 and (sum(B) == 0 and sum(C) == 0)", "right-nested and kept");
	T_STREQ(canon("sum(A)==0 ORsum(B)==0"), "ERR: bad assertion 'sum(A)==0 ORsum(B)==0': "
		"expected 'and', 'or' or the end at column 11", "keyword needs a boundary");

	T_OK(is_err(""), "empty");
	T_OK(is_err("p99(InvocationLatency)"), "missing operator");
	T_OK(is_err("p99(InvocationLatency) <"), "missing number");
	T_OK(is_err("p99(InvocationLatency) < 4000 and"), "dangling and");
	T_OK(is_err("p99 InvocationLatency < 4000"), "missing parenthesis");
	T_OK(is_err("p99(InvocationLatency < 4000"), "unclosed metric");
	T_OK(is_err("p99() < 4000"), "empty metric");
	T_OK(is_err("p99(a(b)) < 4000"), "parenthesis in metric");
	T_OK(is_err("median(X) < 3"), "unknown statistic");
	T_OK(is_err("p101(X) < 3"), "percentile out of range");
	T_OK(is_err("sum(X) < 3 junk"), "trailing junk");
	T_OK(is_err("sum(X) < 3)"), "unmatched )");
	T_OK(is_err("(sum(X) < 3"), "unclosed (");
	T_OK(is_err("sum(X) < 1e999"), "infinite number");
	T_OK(is_err("sum(X) < 3abc"), "number glued to text");
	T_OK(is_err("sum(X) < 1e"), "bad exponent");
	T_OK(is_err("sum(X) <> 3"), "<> is not an operator");
	T_OK(is_err("sum(X) < 3 and not sum(Y) < 3"), "no 'not'");
	T_OK(is_err("sum(X\x01) < 3"), "control character in metric");
	{
		char deep[200];
		size_t i;

		for (i = 0; i < 40; i++)
			deep[i] = '(';
		bq_strlcpy(deep + 40, "sum(X) < 3", sizeof deep - 40);
		T_OK(strstr(canon(deep), "nested too deeply") != NULL, "depth capped");
	}
	{
		char *big = malloc(BQ_ASSERT_MAX_TEXT + 10);

		memset(big, ' ', BQ_ASSERT_MAX_TEXT + 9);
		big[BQ_ASSERT_MAX_TEXT + 9] = '\0';
		T_OK(is_err(big), "over-long text refused");
		free(big);
	}
	{
		bq_assert *a;
		bq_err e;

		T_OK(bq_assert_parse("p99(InvocationLatency) < ", &a, &e) == -1 &&
		     e.exit_status == BQ_EXIT_USAGE &&
		     strstr(e.message, "'p99(InvocationLatency) < '") &&
		     strstr(e.message, "column 26"),
		     "parse error is a usage error with the text and column: %s", e.message);
		T_OK(bq_assert_parse_n("sum(A)<1\0x", 10, &a, &e) == -1,
		     "embedded NUL refused");
	}
}

static void test_eval(void)
{
	bq_assert *a;
	bq_err e;
	bq_buf why = BQ_BUF_INIT;
	double v[3];
	bool has[3];

	bq_assert_parse("p99(InvocationLatency) < 4000 and sum(InvocationThrottles) == 0 "
			"and p99(InvocationLatency) > 1", &a, &e);
	T_OK(bq_assert_nterms(a) == 2, "repeated term counted once");
	T_STREQ(bq_assert_term_at(a, 0)->stat, "p99", "term 0 stat");
	T_STREQ(bq_assert_term_at(a, 0)->metric, "InvocationLatency", "term 0 metric");
	T_STREQ(bq_assert_term_at(a, 1)->stat, "Sum", "term 1 stat");
	T_OK(bq_assert_term_at(a, 2) == NULL, "no term 2");
	T_STREQ(bq_assert_text(a), "p99(InvocationLatency) < 4000 and "
		"sum(InvocationThrottles) == 0 and p99(InvocationLatency) > 1", "text kept");

	v[0] = 3999.5; has[0] = true;
	v[1] = 0; has[1] = true;
	T_OK(bq_assert_eval(a, v, has, &why), "holds");
	T_STREQ(bq_buf_cstr(&why), "p99(InvocationLatency) = 3999.5, "
		"sum(InvocationThrottles) = 0", "measured values");
	bq_buf_reset(&why);
	v[0] = 5234.5;
	T_OK(!bq_assert_eval(a, v, has, &why), "fails when p99 too high");
	T_OK(strstr(bq_buf_cstr(&why), "= 5234.5") != NULL, "why has the value");
	bq_buf_reset(&why);
	v[0] = 100;
	has[1] = false;
	T_OK(bq_assert_eval(a, v, has, &why), "no data for a sum counts as 0");
	T_STREQ(bq_buf_cstr(&why), "p99(InvocationLatency) = 100, "
		"sum(InvocationThrottles) = 0", "sum without data shows 0");
	bq_buf_reset(&why);
	has[0] = false;
	T_OK(!bq_assert_eval(a, v, has, &why), "no data for a percentile fails");
	T_STREQ(bq_buf_cstr(&why), "p99(InvocationLatency) = no data, "
		"sum(InvocationThrottles) = 0", "no data said");
	bq_assert_free(a);

	bq_assert_parse("max(A) > 5 or count(B) == 0", &a, &e);
	has[0] = false;
	has[1] = false;
	bq_buf_reset(&why);
	T_OK(bq_assert_eval(a, v, has, NULL), "or: count without data is 0");
	v[0] = 6;
	has[0] = true;
	v[1] = 2;
	has[1] = true;
	T_OK(bq_assert_eval(a, v, has, NULL), "or: left true");
	v[0] = 5;
	T_OK(!bq_assert_eval(a, v, has, NULL), "or: both false");
	bq_assert_free(a);

	bq_assert_parse("avg(A) != 1 and min(A) >= 1 and max(A) <= 1", &a, &e);
	v[0] = 1;
	v[1] = 1;
	v[2] = 1;
	has[0] = has[1] = has[2] = true;
	T_OK(!bq_assert_eval(a, v, has, NULL), "!= false on equal");
	v[0] = 2;
	T_OK(bq_assert_eval(a, v, has, NULL), "!=, >=, <= hold");
	bq_assert_free(a);
	bq_buf_release(&why);
}

/* xorshift, fixed seed: the run is the same every time. */
static uint32_t rng_state = 2463534242u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static void test_mutations(void)
{
	static const char *const seeds[] = {
		"p99(InvocationLatency) < 4000",
		"sum(InvocationThrottles) == 0 and avg(InvocationLatency) <= 2500",
		"(max(A) < 1 or min(B) > 2) and count(C) != 0",
		"4000 >= p99.9(TimeToFirstToken) || sum(X)=1e3",
	};
	static const char alphabet[] = "()<>=!&|andorsumpavgx0123456789.eE+- \t\x01\xff";
	int i, crashes = 0, accepted = 0, unstable = 0;

	for (i = 0; i < 20000; i++) {
		char buf[256];
		const char *seed = seeds[rnd() % 4];
		size_t len = strlen(seed), j, nmut = 1 + rnd() % 4;
		bq_assert *a;
		bq_err e;

		memcpy(buf, seed, len + 1);
		for (j = 0; j < nmut; j++) {
			size_t pos = rnd() % (len + 1);
			int kind = rnd() % 3;

			if (kind == 0 && len < sizeof buf - 2) { /* insert */
				memmove(buf + pos + 1, buf + pos, len - pos + 1);
				buf[pos] = alphabet[rnd() % (sizeof alphabet - 1)];
				len++;
			} else if (kind == 1 && pos < len) { /* delete */
				memmove(buf + pos, buf + pos + 1, len - pos);
				len--;
			} else if (pos < len) { /* replace */
				buf[pos] = alphabet[rnd() % (sizeof alphabet - 1)];
			}
		}
		if (bq_assert_parse_n(buf, len, &a, &e) == 0) {
			bq_buf f1 = BQ_BUF_INIT, f2 = BQ_BUF_INIT;
			bq_assert *b;

			accepted++;
			bq_assert_format(a, &f1);
			if (bq_assert_parse(bq_buf_cstr(&f1), &b, &e) == 0) {
				bq_assert_format(b, &f2);
				if (strcmp(bq_buf_cstr(&f1), bq_buf_cstr(&f2)) != 0)
					unstable++;
				bq_assert_free(b);
			} else {
				unstable++;
			}
			bq_buf_release(&f1);
			bq_buf_release(&f2);
			bq_assert_free(a);
		} else if (e.exit_status != BQ_EXIT_USAGE) {
			crashes++;
		}
	}
	T_OK(crashes == 0, "mutated input only ever gives usage errors");
	T_OK(accepted > 100, "some mutations still parse (%d)", accepted);
	T_OK(unstable == 0, "canonical form is a fixed point (%d unstable)", unstable);
}

int main(void)
{
	test_parse();
	test_eval();
	test_mutations();
	return T_DONE();
}
