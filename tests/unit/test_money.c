/* Unit tests for lib/money.c: exact decimals. */
#include <stdint.h>

#include "money.h"
#include "t.h"

static const char *fmt(bq_dec d, int min_frac)
{
	static char buf[BQ_DEC_BUFSZ];

	return bq_dec_format(d, min_frac, buf, sizeof(buf));
}

static const char *roundtrip(const char *s)
{
	bq_dec d;

	if (bq_dec_parse(s, &d) < 0)
		return "(error)";
	return fmt(d, 0);
}

int main(void)
{
	bq_dec a, b, sum;
	int i;
	char small[4];

	T_STREQ(roundtrip("12.34"), "12.34", "12.34 stays 12.34");
	T_STREQ(roundtrip("12.3400000000"), "12.34", "trailing zeros dropped");
	T_STREQ(roundtrip("0"), "0", "zero");
	T_STREQ(roundtrip("-0.00"), "0", "negative zero is zero");
	T_STREQ(roundtrip("0.0101516483"), "0.0101516483", "ten decimals kept");
	T_STREQ(roundtrip("1.2E-7"), "0.00000012", "exponent form");
	T_STREQ(roundtrip("5e2"), "500", "positive exponent");
	T_STREQ(roundtrip("-3.5"), "-3.5", "negative");
	T_STREQ(roundtrip(".5"), "0.5", "leading dot accepted");
	T_STREQ(roundtrip("007"), "7", "leading zeros");
	T_STREQ(roundtrip("1234567.1234567891"), "1234567.1234567891",
		"17 significant digits exact (a double would lose them)");
	T_STREQ(roundtrip("1."), "(error)", "'1.' rejected");
	T_STREQ(roundtrip(""), "(error)", "empty rejected");
	T_STREQ(roundtrip(" 1"), "(error)", "blank rejected");
	T_STREQ(roundtrip("1e"), "(error)", "bare exponent rejected");
	T_STREQ(roundtrip("nan"), "(error)", "nan rejected");
	T_STREQ(roundtrip("1.2.3"), "(error)", "two dots rejected");
	T_STREQ(roundtrip("0.0000000000000000001"), "(error)", "beyond 18 decimals rejected");
	T_STREQ(roundtrip("123456789012345678901234567890123456789"), "(error)",
		"39 digits rejected");

	bq_dec_parse("12.3", &a);
	T_STREQ(fmt(a, 2), "12.30", "min_frac pads");
	T_STREQ(fmt(bq_dec_from_int(5), 2), "5.00", "integer with min_frac 2");

	/* Amounts: one rule for zero and the rest, the shortest exact form. */
	{
		char m[BQ_DEC_BUFSZ];
		static const char *const amounts[][2] = {
			{ "0", "0" }, { "0.00", "0" }, { "-0.00", "0" }, { "0.20", "0.2" },
			{ "12.3400000000", "12.34" }, { "6000.00", "6000" },
			{ "0.0396792", "0.0396792" }, { "1.5E-7", "0.00000015" },
			{ "-2.50", "-2.5" },
		};
		size_t k;

		for (k = 0; k < sizeof(amounts) / sizeof(amounts[0]); k++) {
			bq_dec_parse(amounts[k][0], &a);
			T_STREQ(bq_money_format(a, m, sizeof(m)), amounts[k][1], "amount %s", amounts[k][0]);
		}
		T_OK(bq_money_format(a, m, 3) == NULL, "amount: too small a buffer is NULL");
	}

	/* 0.1 added ten times is exactly 1 (in double it is 0.9999999999999999). */
	sum = BQ_DEC_ZERO;
	bq_dec_parse("0.1", &a);
	for (i = 0; i < 10; i++)
		bq_dec_add(&sum, a);
	T_STREQ(fmt(sum, 0), "1", "ten times 0.1 is 1");

	bq_dec_parse("0.0101516483", &a);
	bq_dec_parse("12.34", &b);
	sum = a;
	T_OK(bq_dec_add(&sum, b) == 0, "add ok");
	T_STREQ(fmt(sum, 0), "12.3501516483", "mixed scales add exactly");

	/* Token pricing: 1234 tokens at 0.035 USD per 1M = 0.00004319. */
	bq_dec_parse("0.035", &a);
	T_OK(bq_dec_mul_int(&a, 1234) == 0 && bq_dec_shift(&a, 6) == 0, "mul and shift");
	T_STREQ(fmt(a, 0), "0.00004319", "price times tokens");

	bq_dec_parse("10.00", &a);
	bq_dec_parse("9.999999999", &b);
	T_OK(bq_dec_cmp(a, b) > 0, "compare across scales");
	T_OK(bq_dec_cmp(b, a) < 0, "compare reversed");
	bq_dec_parse("10", &b);
	T_OK(bq_dec_cmp(a, b) == 0, "10.00 equals 10");

	bq_dec_parse("999999999999999999999", &a);
	b = a;
	T_OK(bq_dec_shift(&b, 18) == 0 && bq_dec_add(&a, b) < 0, "overflow reported");
	T_OK(bq_dec_format(bq_dec_from_int(12345), 0, small, sizeof(small)) == NULL,
	     "small buffer refused");
	return T_DONE();
}
