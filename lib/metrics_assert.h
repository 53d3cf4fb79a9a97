/*
 * metrics_assert: the --assert expressions of bq-metrics, parsed once and
 * evaluated against whole-window statistics.  Pure: no I/O, no AWS.
 *
 * (Named metrics_assert, not assert: a lib/assert.h would shadow the C
 * library's <assert.h> for every file built with -Ilib.)
 *
 * Grammar (keywords and statistic names are case-insensitive):
 *
 *   expr   := and ( ("or" | "||") and )*
 *   and    := prim ( ("and" | "&&") prim )*
 *   prim   := "(" expr ")" | cmp
 *   cmp    := term op number | number op term
 *   term   := stat "(" metric ")"
 *   stat   := sum | avg | average | mean | min | minimum | max | maximum
 *           | count | samplecount | n | pNN | pNN.N | pNN.NN | p100
 *   op     := "<" | "<=" | ">" | ">=" | "==" | "=" | "!="
 *   number := [+-]? digits [ "." digits ] [ (e|E) [+-]? digits ]
 *   metric := any characters but "(", ")" and control characters,
 *             surrounding blanks dropped, 1 to 255 bytes
 *
 * "and" binds tighter than "or".  Each distinct (statistic, metric) pair is
 * one term; the caller fetches one value per term (and per model) and hands
 * the values to bq_assert_eval().
 *
 * No data: a term whose metric had no datapoint in the window is 0 when its
 * statistic is Sum or SampleCount (nothing happened); for every other
 * statistic the comparison using it is false and reported as "no data".
 *
 * Ownership: bq_assert_parse() returns a new expression that the caller
 * frees with bq_assert_free().  Terms and text are borrowed from it.
 */
#ifndef BQ_METRICS_ASSERT_H
#define BQ_METRICS_ASSERT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"
#include "metrics_query.h"

#define BQ_ASSERT_MAX_TEXT 4096 /* longer expressions are refused */
#define BQ_ASSERT_MAX_DEPTH 32  /* parentheses nesting */

typedef struct bq_assert bq_assert;

typedef struct bq_assert_term {
	char stat[BQ_METRICS_STAT_MAX]; /* normalised: "Sum", "p99.9" */
	char metric[BQ_METRICS_NAME_MAX + 1];
} bq_assert_term;

/* Parses text (NUL-terminated).  A syntax error is a usage error:
 * "bad assertion 'TEXT': WHAT at column N" (1-based). */
int bq_assert_parse(const char *text, bq_assert **out, bq_err *err);
/* Same, for len bytes that need not be NUL-terminated (fuzzers). */
int bq_assert_parse_n(const char *text, size_t len, bq_assert **out,
		      bq_err *err);
void bq_assert_free(bq_assert *a);

/* The text as given. */
const char *bq_assert_text(const bq_assert *a);
size_t bq_assert_nterms(const bq_assert *a);
const bq_assert_term *bq_assert_term_at(const bq_assert *a, size_t i);

/* Evaluates a with values[i] / present[i] for term i.  Returns true when
 * the expression holds.  When why is given it receives the measured value
 * of every term the expression reads, "p99(InvocationLatency) = 5234.5,
 * sum(InvocationThrottles) = 0", with "no data" for missing ones. */
bool bq_assert_eval(const bq_assert *a, const double *values,
		    const bool *present, bq_buf *why);

/* The expression in canonical form (normalised statistics, single spaces,
 * parentheses only where needed): "p99(InvocationLatency) < 4000 and
 * sum(InvocationThrottles) == 0".  Reparsing it gives the same tree. */
int bq_assert_format(const bq_assert *a, bq_buf *out);

/* The short name of a statistic as written in expressions ("sum", "avg",
 * "min", "max", "count", or the pNN itself).  Static or borrowed. */
const char *bq_assert_stat_name(const char *stat);

#endif
