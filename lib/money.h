/*
 * money: exact decimal arithmetic for amounts of money (and token counts
 * times prices), so that "12.34" stays 12.34 and sums never pick up binary
 * floating-point dust.  A bq_dec is a 128-bit integer of units of
 * 10^-scale: value = units / 10^scale.  Nothing here goes through double.
 *
 * Ownership: bq_dec is a plain value type; nothing to free.  Functions
 * return 0, or -1 on bad syntax or overflow (the value is then unchanged).
 * Format buffers are the caller's; BQ_DEC_BUFSZ always suffices.
 */
#ifndef BQ_MONEY_H
#define BQ_MONEY_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The most fractional digits a bq_dec keeps.  With 128 bits this still
 * leaves 20 integer digits, far beyond any bill. */
#define BQ_DEC_MAX_SCALE 18
/* "-" + 39 digits + "." + NUL, rounded up. */
#define BQ_DEC_BUFSZ 48

typedef struct bq_dec {
	__int128 units;
	int scale; /* 0..BQ_DEC_MAX_SCALE */
} bq_dec;

#define BQ_DEC_ZERO ((bq_dec){ 0, 0 })

/* Parses a decimal: optional sign, digits with at most one '.', optional
 * exponent ("1.2E-7", as Cost Explorer sometimes sends tiny amounts).
 * Trailing fractional zeros are dropped.  -1 on anything else (empty,
 * blanks, "1.", ".5" is accepted, "nan") or when more than
 * BQ_DEC_MAX_SCALE significant fractional digits would be needed. */
int bq_dec_parse(const char *s, bq_dec *out);
/* Same over s[0..n). */
int bq_dec_parse_n(const char *s, size_t n, bq_dec *out);
/* Like bq_dec_parse, with a usage error naming what and the text:
 * "bad amount for --budget: 'x'" (status 2). */
int bq_dec_parse_opt(const char *what, const char *s, bq_dec *out,
		     bq_err *err);

bq_dec bq_dec_from_int(int64_t n);
/* acc += x.  -1 on overflow (acc unchanged). */
int bq_dec_add(bq_dec *acc, bq_dec x);
/* d *= n.  -1 on overflow. */
int bq_dec_mul_int(bq_dec *d, int64_t n);
/* d /= 10^k exactly (scale grows by k).  -1 past BQ_DEC_MAX_SCALE. */
int bq_dec_shift(bq_dec *d, int k);
/* -1, 0, 1 like strcmp. */
int bq_dec_cmp(bq_dec a, bq_dec b);
int bq_dec_is_zero(bq_dec d);

/* Exact text: no exponent, trailing fractional zeros dropped but at
 * least min_frac fractional digits kept ("12.3" with 2 -> "12.30";
 * "0.000001" stays).  Returns buf, or NULL when size is too small. */
char *bq_dec_format(bq_dec d, int min_frac, char *buf, size_t size);

/* An amount as bq-cost writes it (usd, amount, prices, totals): one rule
 * for every amount, zero included: the exact value in its shortest form,
 * no exponent, no trailing zeros, no padding ("0", "0.2", "12.44",
 * "0.000000035", "6000").  Padding to "0.00" while keeping every digit of
 * "0.0396792" would look like rounding to cents, which it is not. */
char *bq_money_format(bq_dec d, char *buf, size_t size);

#endif
