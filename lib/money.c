/*
 * money: exact decimals on a 128-bit integer.  Cost Explorer hands amounts
 * over as strings and the price table holds decimal prices; both are kept
 * digit for digit here, because a double turns 12.34 into
 * 12.339999999999999 and sums of many small amounts drift.
 */
#include "money.h"

#include <string.h>

/* The largest magnitude we accept: 10^38 - 1 fits easily in 127 bits and
 * leaves room for one addition without overflow checks in the parser. */
#define MAX_DIGITS 38

static int pow10_i128(int k, __int128 *out)
{
	__int128 p = 1;

	if (k < 0 || k > MAX_DIGITS)
		return -1;
	while (k-- > 0)
		p *= 10;
	*out = p;
	return 0;
}

static int mul_ovf(__int128 a, __int128 b, __int128 *out)
{
	return __builtin_mul_overflow(a, b, out) ? -1 : 0;
}

int bq_dec_parse_n(const char *s, size_t n, bq_dec *out)
{
	size_t i = 0;
	int neg = 0, ndig = 0, nfrac = 0, seen_digit = 0, seen_dot = 0;
	long exp10 = 0;
	__int128 m = 0;
	bq_dec d;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	for (; i < n; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9') {
			seen_digit = 1;
			if (m == 0 && c == '0') {
				/* Leading zeros carry no digits, only position. */
				if (seen_dot)
					nfrac++;
				continue;
			}
			if (++ndig > MAX_DIGITS)
				return -1;
			m = m * 10 + (c - '0');
			if (seen_dot)
				nfrac++;
		} else if (c == '.' && !seen_dot) {
			seen_dot = 1;
		} else {
			break;
		}
	}
	if (!seen_digit)
		return -1;
	/* "1." is not a number JSON or Cost Explorer would write. */
	if (seen_dot && i > 0 && s[i - 1] == '.')
		return -1;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		int eneg = 0, edig = 0;

		i++;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
			if (++edig > 4)
				return -1;
			exp10 = exp10 * 10 + (s[i] - '0');
		}
		if (!edig)
			return -1;
		if (eneg)
			exp10 = -exp10;
	}
	if (i != n)
		return -1;

	exp10 -= nfrac;
	if (m == 0) {
		*out = BQ_DEC_ZERO;
		return 0;
	}
	while (m % 10 == 0) {
		m /= 10;
		exp10++;
	}
	if (exp10 >= 0) {
		__int128 p;

		if (pow10_i128((int)exp10, &p) < 0 || mul_ovf(m, p, &m) < 0)
			return -1;
		d.scale = 0;
	} else {
		if (-exp10 > BQ_DEC_MAX_SCALE)
			return -1;
		d.scale = (int)-exp10;
	}
	d.units = neg ? -m : m;
	*out = d;
	return 0;
}

int bq_dec_parse(const char *s, bq_dec *out)
{
	if (!s)
		return -1;
	return bq_dec_parse_n(s, strlen(s), out);
}

int bq_dec_parse_opt(const char *what, const char *s, bq_dec *out,
		     bq_err *err)
{
	if (bq_dec_parse(s, out) < 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad amount for %s: '%s' (want a decimal such as 12.50)",
			       what, s ? s : "");
	return 0;
}

bq_dec bq_dec_from_int(int64_t n)
{
	bq_dec d = { n, 0 };

	return d;
}

/* Brings d to a larger scale (more fractional digits) without loss. */
static int rescale_up(bq_dec *d, int scale)
{
	__int128 p, u;

	if (scale < d->scale || scale > BQ_DEC_MAX_SCALE)
		return -1;
	if (pow10_i128(scale - d->scale, &p) < 0 || mul_ovf(d->units, p, &u) < 0)
		return -1;
	d->units = u;
	d->scale = scale;
	return 0;
}

/* Drops trailing fractional zeros so scales stay small. */
static void normalise(bq_dec *d)
{
	if (d->units == 0) {
		d->scale = 0;
		return;
	}
	while (d->scale > 0 && d->units % 10 == 0) {
		d->units /= 10;
		d->scale--;
	}
}

int bq_dec_add(bq_dec *acc, bq_dec x)
{
	bq_dec a = *acc;
	int scale = a.scale > x.scale ? a.scale : x.scale;
	__int128 sum;

	if (rescale_up(&a, scale) < 0 || rescale_up(&x, scale) < 0)
		return -1;
	if (__builtin_add_overflow(a.units, x.units, &sum))
		return -1;
	a.units = sum;
	normalise(&a);
	*acc = a;
	return 0;
}

int bq_dec_mul_int(bq_dec *d, int64_t n)
{
	__int128 u;

	if (mul_ovf(d->units, (__int128)n, &u) < 0)
		return -1;
	d->units = u;
	normalise(d);
	return 0;
}

int bq_dec_shift(bq_dec *d, int k)
{
	bq_dec x = *d;

	if (k < 0)
		return -1;
	x.scale += k;
	normalise(&x);
	if (x.scale > BQ_DEC_MAX_SCALE)
		return -1;
	*d = x;
	return 0;
}

int bq_dec_cmp(bq_dec a, bq_dec b)
{
	int scale = a.scale > b.scale ? a.scale : b.scale;

	/* Both fit at the larger scale unless one is astronomically large;
	 * then the integer parts alone decide. */
	if (rescale_up(&a, scale) < 0 || rescale_up(&b, scale) < 0) {
		__int128 ia, ib, p = 1;

		pow10_i128(a.scale, &p);
		ia = a.units / p;
		pow10_i128(b.scale, &p);
		ib = b.units / p;
		if (ia != ib)
			return ia < ib ? -1 : 1;
		return 0;
	}
	return a.units < b.units ? -1 : a.units > b.units ? 1 : 0;
}

int bq_dec_is_zero(bq_dec d)
{
	return d.units == 0;
}

char *bq_money_format(bq_dec d, char *buf, size_t size)
{
	return bq_dec_format(d, 0, buf, size);
}

char *bq_dec_format(bq_dec d, int min_frac, char *buf, size_t size)
{
	char digits[64];
	int nd = 0, i, frac, pos = 0;
	unsigned __int128 u;
	int neg = d.units < 0;

	if (min_frac < 0)
		min_frac = 0;
	if (min_frac > BQ_DEC_MAX_SCALE)
		min_frac = BQ_DEC_MAX_SCALE;
	normalise(&d);
	u = neg ? (unsigned __int128)0 - (unsigned __int128)d.units
		: (unsigned __int128)d.units;
	do {
		digits[nd++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	frac = d.scale > min_frac ? d.scale : min_frac;
	/* digits[] is reversed; pad so there is at least one integer digit
	 * and frac fractional digits. */
	while (nd < d.scale + 1)
		digits[nd++] = '0';
	if ((size_t)(neg + (nd - d.scale) + (frac ? frac + 1 : 0) + 1) > size)
		return NULL;
	if (neg)
		buf[pos++] = '-';
	for (i = nd - 1; i >= d.scale; i--)
		buf[pos++] = digits[i];
	if (frac) {
		buf[pos++] = '.';
		for (i = d.scale - 1; i >= 0; i--)
			buf[pos++] = digits[i];
		for (i = d.scale; i < frac; i++)
			buf[pos++] = '0';
	}
	buf[pos] = '\0';
	return buf;
}
