/*
 * libFuzzer target: any bytes as a bq-metrics --assert expression.  The
 * parser must accept or refuse with a usage error; an accepted expression
 * must reformat to a fixed point (format, reparse, format again: same
 * text, whenever the canonical form fits the input cap) and evaluate with
 * and without data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics_assert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bq_assert *a, *b;
	bq_err err;
	bq_buf f1 = BQ_BUF_INIT, f2 = BQ_BUF_INIT;
	double vals[64];
	bool has[64];
	size_t i, n;

	if (bq_assert_parse_n((const char *)data, size, &a, &err) < 0) {
		if (err.exit_status != BQ_EXIT_USAGE && err.exit_status != BQ_EXIT_RUNTIME)
			abort();
		return 0;
	}
	n = bq_assert_nterms(a);
	for (i = 0; i < n && i < 64; i++) {
		vals[i] = (double)i * 1.5 - 3;
		has[i] = i % 3 != 0;
	}
	if (n <= 64) {
		bq_assert_eval(a, vals, has, &f1);
		bq_buf_reset(&f1);
	}
	if (bq_assert_format(a, &f1) < 0)
		abort();
	/* The canonical form may outgrow the input cap (numbers print in full,
	 * "||" becomes " or "); within the cap it must reparse to itself. */
	if (f1.len <= BQ_ASSERT_MAX_TEXT) {
		if (bq_assert_parse(bq_buf_cstr(&f1), &b, &err) < 0)
			abort();
		bq_assert_format(b, &f2);
		if (strcmp(bq_buf_cstr(&f1), bq_buf_cstr(&f2)) != 0)
			abort();
		bq_assert_free(b);
	}
	bq_assert_free(a);
	bq_buf_release(&f1);
	bq_buf_release(&f2);
	return 0;
}
