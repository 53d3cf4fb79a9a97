/*
 * prices: parsing and looking up the token price table (format in
 * prices.h), and turning invoked model ids into the ids the table uses.
 */
#include "prices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "invocation.h"

struct bq_prices {
	struct bq_price *rows;
	size_t n, cap;
};

static const char *const COLUMNS[] = {
	"model", "routing", "input", "output", "cache_read", "cache_write",
	"date", "source"
};
#define NCOLUMNS (sizeof(COLUMNS) / sizeof(COLUMNS[0]))

static const char *const ROUTING_NAMES[] = { "any", "in-region", "geo", "global" };
static const char *const KIND_NAMES[] = { "input", "output", "cache-read", "cache-write" };

const char *bq_routing_name(enum bq_routing r)
{
	return (unsigned)r < 4 ? ROUTING_NAMES[r] : "?";
}

const char *bq_token_kind_name(enum bq_token_kind k)
{
	return (unsigned)k < BQ_TOK_KINDS ? KIND_NAMES[k] : "?";
}

static void row_release(struct bq_price *r)
{
	free(r->model);
	free(r->source);
}

void bq_prices_free(struct bq_prices *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		row_release(&p->rows[i]);
	free(p->rows);
	free(p);
}

size_t bq_prices_count(const struct bq_prices *p)
{
	return p ? p->n : 0;
}

const struct bq_price *bq_prices_row(const struct bq_prices *p, size_t i)
{
	return p && i < p->n ? &p->rows[i] : NULL;
}

static int row_cmp(const void *a, const void *b)
{
	const struct bq_price *x = a, *y = b;
	int c = strcmp(x->model, y->model);

	if (c)
		return c;
	return (int)x->routing - (int)y->routing;
}

static bool valid_date(const char *s, size_t n)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d;
	size_t i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

/* Cuts a field's text for a message so a binary line cannot flood it. */
#define SHOWN(len) ((int)((len) > 60 ? 60 : (len)))

static int parse_row(struct bq_price *r, const char *line, size_t len,
		     const char *name, size_t lineno, bq_err *err)
{
	const char *f[NCOLUMNS];
	size_t fl[NCOLUMNS], nf = 0, i;
	const char *p = line, *end = line + len;
	int k;

	while (nf < NCOLUMNS) {
		const char *tab = nf + 1 < NCOLUMNS ? memchr(p, '\t', (size_t)(end - p)) : NULL;

		f[nf] = p;
		fl[nf] = (size_t)((tab ? tab : end) - p);
		nf++;
		if (!tab)
			break;
		p = tab + 1;
	}
	if (nf < NCOLUMNS)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "prices file '%s': line %zu: %zu fields, want %zu separated by tabs (%s)",
			       name, lineno, nf, NCOLUMNS,
			       "model routing input output cache_read cache_write date source");
	memset(r, 0, sizeof(*r));
	if (fl[0] == 0 || memchr(f[0], ' ', fl[0]))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "prices file '%s': line %zu: bad model id '%.*s'",
			       name, lineno, SHOWN(fl[0]), f[0]);
	for (k = 0; k < 4; k++)
		if (strlen(ROUTING_NAMES[k]) == fl[1] &&
		    memcmp(ROUTING_NAMES[k], f[1], fl[1]) == 0)
			break;
	if (k == 4)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "prices file '%s': line %zu: bad routing '%.*s' (want any, in-region, geo or global)",
			       name, lineno, SHOWN(fl[1]), f[1]);
	r->routing = (enum bq_routing)k;
	for (i = 0; i < BQ_TOK_KINDS; i++) {
		const char *s = f[2 + i];
		size_t n = fl[2 + i];

		if (n == 1 && s[0] == '-' && i >= BQ_TOK_CACHE_READ)
			continue;
		if (bq_dec_parse_n(s, n, &r->per_mtok[i]) < 0 ||
		    r->per_mtok[i].units < 0)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "prices file '%s': line %zu: bad %s price '%.*s' (want a decimal USD per 1M tokens%s)",
				       name, lineno, KIND_NAMES[i], SHOWN(n), s,
				       i >= BQ_TOK_CACHE_READ ? " or -" : "");
		r->known[i] = true;
	}
	if (!valid_date(f[6], fl[6]))
		return bq_fail(err, BQ_EXIT_USAGE,
			       "prices file '%s': line %zu: bad date '%.*s' (want YYYY-MM-DD)",
			       name, lineno, SHOWN(fl[6]), f[6]);
	memcpy(r->date, f[6], 10);
	r->date[10] = '\0';
	if (fl[7] == 0)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "prices file '%s': line %zu: empty source (say where the price comes from)",
			       name, lineno);
	r->model = strndup(f[0], fl[0]);
	r->source = strndup(f[7], fl[7]);
	if (!r->model || !r->source) {
		row_release(r);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

static bool is_header(const char *line, size_t len)
{
	bq_buf want = BQ_BUF_INIT;
	size_t i;
	bool eq;

	for (i = 0; i < NCOLUMNS; i++) {
		if (i)
			bq_buf_putc(&want, '\t');
		bq_buf_puts(&want, COLUMNS[i]);
	}
	eq = want.len == len && memcmp(want.data, line, len) == 0;
	bq_buf_release(&want);
	return eq;
}

int bq_prices_parse(const char *text, size_t len, const char *name,
		    struct bq_prices **out, bq_err *err)
{
	struct bq_prices *p = calloc(1, sizeof(*p));
	const char *s = text, *end = text + len;
	size_t lineno = 0, i;
	bool header = false;

	if (!p)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl ? nl : end) - s);
		const char *line = s;

		s = nl ? nl + 1 : end;
		lineno++;
		if (n && line[n - 1] == '\r')
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (memchr(line, '\0', n)) {
			bq_fail(err, BQ_EXIT_USAGE, "prices file '%s': line %zu: NUL byte",
				name, lineno);
			goto fail;
		}
		if (!header) {
			if (!is_header(line, n)) {
				bq_fail(err, BQ_EXIT_USAGE,
					"prices file '%s': line %zu: want the header line 'model<TAB>routing<TAB>input<TAB>output<TAB>cache_read<TAB>cache_write<TAB>date<TAB>source'",
					name, lineno);
				goto fail;
			}
			header = true;
			continue;
		}
		if (p->n == p->cap) {
			size_t cap = p->cap ? p->cap * 2 : 32;
			struct bq_price *r = realloc(p->rows, cap * sizeof(*r));

			if (!r) {
				bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				goto fail;
			}
			p->rows = r;
			p->cap = cap;
		}
		if (parse_row(&p->rows[p->n], line, n, name, lineno, err) < 0)
			goto fail;
		p->n++;
	}
	if (!header) {
		bq_fail(err, BQ_EXIT_USAGE, "prices file '%s': no header line and no prices",
			name);
		goto fail;
	}
	if (p->n)
		qsort(p->rows, p->n, sizeof(p->rows[0]), row_cmp);
	for (i = 1; i < p->n; i++)
		if (row_cmp(&p->rows[i - 1], &p->rows[i]) == 0) {
			bq_fail(err, BQ_EXIT_USAGE,
				"prices file '%s': model '%s' with routing '%s' appears twice",
				name, p->rows[i].model, bq_routing_name(p->rows[i].routing));
			goto fail;
		}
	*out = p;
	return 0;
fail:
	bq_prices_free(p);
	return -1;
}

int bq_prices_load(const char *path, struct bq_prices **out, bq_err *err)
{
	FILE *f = fopen(path, "rb");
	bq_buf b = BQ_BUF_INIT;
	char chunk[8192];
	size_t n;
	int rc;

	if (!f)
		return bq_fail(err, BQ_EXIT_USAGE, "cannot read prices file '%s': %s",
			       path, strerror(errno));
	bq_buf_init(&b, (size_t)64 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (bq_buf_append(&b, chunk, n) < 0) {
			fclose(f);
			bq_buf_release(&b);
			return bq_fail(err, BQ_EXIT_USAGE,
				       "prices file '%s': too big (64 MiB at most)", path);
		}
	if (ferror(f)) {
		rc = bq_fail(err, BQ_EXIT_USAGE, "cannot read prices file '%s': %s",
			     path, strerror(errno));
		fclose(f);
		bq_buf_release(&b);
		return rc;
	}
	fclose(f);
	rc = bq_prices_parse(bq_buf_cstr(&b), b.len, path, out, err);
	bq_buf_release(&b);
	return rc;
}

int bq_prices_builtin(struct bq_prices **out, bq_err *err)
{
	return bq_prices_parse(bq_prices_builtin_tsv, bq_prices_builtin_len,
			       "(built in)", out, err);
}

static const struct bq_price *find(const struct bq_prices *p, const char *model,
				   enum bq_routing routing)
{
	struct bq_price key;

	memset(&key, 0, sizeof(key));
	key.model = (char *)model;
	key.routing = routing;
	if (!p || !p->n)
		return NULL;
	return bsearch(&key, p->rows, p->n, sizeof(p->rows[0]), row_cmp);
}

const struct bq_price *bq_prices_lookup(const struct bq_prices *p,
					const char *model,
					enum bq_routing routing)
{
	const struct bq_price *r = NULL;

	if (!model)
		return NULL;
	if (routing != BQ_ROUTE_ANY)
		r = find(p, model, routing);
	return r ? r : find(p, model, BQ_ROUTE_ANY);
}

int bq_price_cost(const struct bq_price *p, const int64_t *tokens,
		  bq_dec *usd, enum bq_token_kind *missing)
{
	bq_dec sum = *usd;
	int k;

	for (k = 0; k < BQ_TOK_KINDS; k++) {
		bq_dec c;

		if (tokens[k] == 0)
			continue;
		if (!p->known[k]) {
			if (missing)
				*missing = (enum bq_token_kind)k;
			return 1;
		}
		c = p->per_mtok[k];
		if (bq_dec_mul_int(&c, tokens[k]) < 0 || bq_dec_shift(&c, 6) < 0 ||
		    bq_dec_add(&sum, c) < 0)
			return -1;
	}
	*usd = sum;
	return 0;
}

/* ---- model ids ---- */

/* The price key of one parsed id, or -1 when it names no foundation model. */
static int ref_key(const bq_model_ref *ref, char *out, size_t size,
		   enum bq_routing *routing)
{
	if (!ref->base[0] || bq_strlcpy(out, ref->base, size) < 0)
		return -1;
	if (ref->kind == BQ_MODEL_SYSTEM_PROFILE)
		*routing = strcmp(ref->geo, "global") == 0 ? BQ_ROUTE_GLOBAL : BQ_ROUTE_GEO;
	else if (ref->kind == BQ_MODEL_FOUNDATION)
		*routing = BQ_ROUTE_IN_REGION;
	else
		return -1;
	return 0;
}

int bq_model_price_key(const char *model_id, const char *base_model_id,
		       char *out, size_t size, enum bq_routing *routing)
{
	bq_model_ref ref;
	enum bq_routing r;

	if (!out || size == 0)
		return -1;
	out[0] = '\0';
	bq_model_parse(model_id, &ref);
	if (ref_key(&ref, out, size, routing) == 0)
		return 0;
	if (base_model_id && *base_model_id) {
		bq_model_parse(base_model_id, &ref);
		if (ref_key(&ref, out, size, &r) == 0) {
			/* What is behind an application profile is known, how
			 * it routes is not unless the base says so. */
			*routing = r == BQ_ROUTE_IN_REGION ? BQ_ROUTE_ANY : r;
			return 0;
		}
	}
	bq_strlcpy(out, model_id ? model_id : "", size);
	return -1;
}
