/*
 * metrics_assert: recursive-descent parser and evaluator of the --assert
 * grammar in metrics_assert.h.  The tree lives in one array of nodes; the
 * only recursion on input is through parentheses, capped at
 * BQ_ASSERT_MAX_DEPTH, so hostile input cannot exhaust the stack.
 */
#include "metrics_assert.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum node_kind { N_CMP, N_AND, N_OR };
enum cmp_op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

struct node {
	enum node_kind kind;
	enum cmp_op op;   /* N_CMP */
	size_t term;      /* N_CMP */
	double num;       /* N_CMP */
	size_t l, r;      /* N_AND, N_OR */
};

struct bq_assert {
	char *text;
	struct node *nodes;
	size_t nnodes, capnodes;
	bq_assert_term *terms;
	size_t nterms, capterms;
	size_t root;
};

struct parser {
	const char *s;
	size_t len, pos;
	int depth;
	bq_assert *a;
	bq_err *err;
};

static const char *const op_text[] = { "<", "<=", ">", ">=", "==", "!=" };

static int perr(struct parser *p, const char *what)
{
	int n = (int)(p->len > 200 ? 200 : p->len);

	return bq_fail(p->err, BQ_EXIT_USAGE, "bad assertion '%.*s%s': %s at column %zu",
		       n, p->s, p->len > 200 ? "..." : "", what, p->pos + 1);
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Matches a keyword (case-insensitive, not followed by an identifier
 * character) or a symbol at the current position, after blanks. */
static bool accept(struct parser *p, const char *kw, const char *sym)
{
	size_t n;

	skip_ws(p);
	n = strlen(sym);
	if (p->len - p->pos >= n && memcmp(p->s + p->pos, sym, n) == 0) {
		p->pos += n;
		return true;
	}
	n = strlen(kw);
	if (p->len - p->pos >= n && strncasecmp(p->s + p->pos, kw, n) == 0 &&
	    (p->pos + n == p->len || !ident_char(p->s[p->pos + n]))) {
		p->pos += n;
		return true;
	}
	return false;
}

static int new_node(struct parser *p, struct node nd, size_t *out)
{
	bq_assert *a = p->a;

	if (a->nnodes == a->capnodes) {
		size_t nc = a->capnodes ? a->capnodes * 2 : 8;
		struct node *nn = realloc(a->nodes, nc * sizeof *nn);

		if (!nn)
			return bq_fail(p->err, BQ_EXIT_RUNTIME, "out of memory");
		a->nodes = nn;
		a->capnodes = nc;
	}
	a->nodes[a->nnodes] = nd;
	*out = a->nnodes++;
	return 0;
}

static int add_term(struct parser *p, const bq_assert_term *t, size_t *out)
{
	bq_assert *a = p->a;
	size_t i;

	for (i = 0; i < a->nterms; i++) {
		if (strcmp(a->terms[i].stat, t->stat) == 0 &&
		    strcmp(a->terms[i].metric, t->metric) == 0) {
			*out = i;
			return 0;
		}
	}
	if (a->nterms == a->capterms) {
		size_t nc = a->capterms ? a->capterms * 2 : 4;
		bq_assert_term *nt = realloc(a->terms, nc * sizeof *nt);

		if (!nt)
			return bq_fail(p->err, BQ_EXIT_RUNTIME, "out of memory");
		a->terms = nt;
		a->capterms = nc;
	}
	a->terms[a->nterms] = *t;
	*out = a->nterms++;
	return 0;
}

static int parse_term(struct parser *p, size_t *term)
{
	bq_assert_term t;
	size_t start, end, save;
	bq_err serr;

	skip_ws(p);
	start = p->pos;
	while (p->pos < p->len && ident_char(p->s[p->pos]))
		p->pos++;
	if (p->pos == start)
		return perr(p, "expected a statistic such as p99, avg or sum");
	save = p->pos;
	p->pos = start;
	if (bq_metrics_stat_norm(p->s + start, save - start, t.stat, &serr))
		return perr(p, serr.message);
	p->pos = save;
	skip_ws(p);
	if (p->pos >= p->len || p->s[p->pos] != '(')
		return perr(p, "expected '(' and a metric name after the statistic");
	p->pos++;
	skip_ws(p);
	start = p->pos;
	while (p->pos < p->len && p->s[p->pos] != ')') {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c == '(' || c < 0x20 || c == 0x7f)
			return perr(p, "unexpected character in a metric name");
		p->pos++;
	}
	if (p->pos >= p->len)
		return perr(p, "missing ')' after the metric name");
	end = p->pos;
	while (end > start && (p->s[end - 1] == ' ' || p->s[end - 1] == '\t'))
		end--;
	if (end == start)
		return perr(p, "empty metric name");
	if (end - start > BQ_METRICS_NAME_MAX)
		return perr(p, "metric name longer than 255 bytes");
	memcpy(t.metric, p->s + start, end - start);
	t.metric[end - start] = '\0';
	p->pos++; /* ')' */
	return add_term(p, &t, term);
}

static bool accept_sym(struct parser *p, const char *sym)
{
	size_t n = strlen(sym);

	skip_ws(p);
	if (p->len - p->pos >= n && memcmp(p->s + p->pos, sym, n) == 0) {
		p->pos += n;
		return true;
	}
	return false;
}

static int parse_op(struct parser *p, enum cmp_op *op)
{
	/* Two-character operators first, so "<=" is not read as "<". */
	static const struct { const char *sym; enum cmp_op op; } ops[] = {
		{ "<=", OP_LE }, { ">=", OP_GE }, { "==", OP_EQ }, { "!=", OP_NE },
		{ "<", OP_LT }, { ">", OP_GT }, { "=", OP_EQ },
	};
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (accept_sym(p, ops[i].sym)) {
			*op = ops[i].op;
			return 0;
		}
	}
	return perr(p, "expected a comparison (<, <=, >, >=, ==, !=)");
}

static bool number_start(const struct parser *p)
{
	char c;

	if (p->pos >= p->len)
		return false;
	c = p->s[p->pos];
	if ((c == '+' || c == '-') && p->pos + 1 < p->len)
		c = p->s[p->pos + 1];
	return isdigit((unsigned char)c) || c == '.';
}

static int parse_number(struct parser *p, double *out)
{
	size_t start, nd = 0;
	char tmp[80];
	char *end;

	skip_ws(p);
	start = p->pos;
	if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
		p->pos++;
	while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) {
		p->pos++;
		nd++;
	}
	if (p->pos < p->len && p->s[p->pos] == '.') {
		p->pos++;
		while (p->pos < p->len && isdigit((unsigned char)p->s[p->pos])) {
			p->pos++;
			nd++;
		}
	}
	if (nd == 0) {
		p->pos = start;
		return perr(p, "expected a number");
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		size_t e = p->pos + 1, ed = 0;

		if (e < p->len && (p->s[e] == '+' || p->s[e] == '-'))
			e++;
		while (e < p->len && isdigit((unsigned char)p->s[e])) {
			e++;
			ed++;
		}
		if (ed == 0)
			return perr(p, "bad exponent in a number");
		p->pos = e;
	}
	if (p->pos < p->len && ident_char(p->s[p->pos]))
		return perr(p, "unexpected text after a number");
	if (p->pos - start >= sizeof tmp) {
		p->pos = start;
		return perr(p, "number too long");
	}
	memcpy(tmp, p->s + start, p->pos - start);
	tmp[p->pos - start] = '\0';
	*out = strtod(tmp, &end);
	if (*end || !isfinite(*out)) {
		p->pos = start;
		return perr(p, "number out of range");
	}
	return 0;
}

static enum cmp_op flip(enum cmp_op op)
{
	switch (op) {
	case OP_LT: return OP_GT;
	case OP_LE: return OP_GE;
	case OP_GT: return OP_LT;
	case OP_GE: return OP_LE;
	default: return op;
	}
}

static int parse_cmp(struct parser *p, size_t *out)
{
	struct node nd;

	memset(&nd, 0, sizeof nd);
	nd.kind = N_CMP;
	skip_ws(p);
	if (number_start(p)) {
		if (parse_number(p, &nd.num) || parse_op(p, &nd.op) ||
		    parse_term(p, &nd.term))
			return -1;
		nd.op = flip(nd.op);
	} else {
		if (parse_term(p, &nd.term) || parse_op(p, &nd.op) ||
		    parse_number(p, &nd.num))
			return -1;
	}
	return new_node(p, nd, out);
}

static int parse_or(struct parser *p, size_t *out);

static int parse_prim(struct parser *p, size_t *out)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return perr(p, "unexpected end, expected a comparison");
	if (p->s[p->pos] == '(') {
		if (++p->depth > BQ_ASSERT_MAX_DEPTH)
			return perr(p, "parentheses nested too deeply");
		p->pos++;
		if (parse_or(p, out))
			return -1;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ')')
			return perr(p, "missing ')'");
		p->pos++;
		p->depth--;
		return 0;
	}
	return parse_cmp(p, out);
}

static int parse_and(struct parser *p, size_t *out)
{
	size_t l, r;
	struct node nd;

	if (parse_prim(p, &l))
		return -1;
	while (accept(p, "and", "&&")) {
		if (parse_prim(p, &r))
			return -1;
		memset(&nd, 0, sizeof nd);
		nd.kind = N_AND;
		nd.l = l;
		nd.r = r;
		if (new_node(p, nd, &l))
			return -1;
	}
	*out = l;
	return 0;
}

static int parse_or(struct parser *p, size_t *out)
{
	size_t l, r;
	struct node nd;

	if (parse_and(p, &l))
		return -1;
	while (accept(p, "or", "||")) {
		if (parse_and(p, &r))
			return -1;
		memset(&nd, 0, sizeof nd);
		nd.kind = N_OR;
		nd.l = l;
		nd.r = r;
		if (new_node(p, nd, &l))
			return -1;
	}
	*out = l;
	return 0;
}

int bq_assert_parse_n(const char *text, size_t len, bq_assert **out, bq_err *err)
{
	struct parser p;
	bq_assert *a;
	size_t i;

	*out = NULL;
	if (len > BQ_ASSERT_MAX_TEXT)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "bad assertion: longer than %d bytes", BQ_ASSERT_MAX_TEXT);
	for (i = 0; i < len; i++)
		if (text[i] == '\0')
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad assertion: contains a NUL byte");
	a = calloc(1, sizeof *a);
	if (!a || !(a->text = malloc(len + 1))) {
		free(a);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	memcpy(a->text, text, len);
	a->text[len] = '\0';
	memset(&p, 0, sizeof p);
	p.s = a->text;
	p.len = len;
	p.a = a;
	p.err = err;
	if (parse_or(&p, &a->root))
		goto fail;
	skip_ws(&p);
	if (p.pos < p.len) {
		perr(&p, p.s[p.pos] == ')' ? "unmatched ')'"
					     : "expected 'and', 'or' or the end");
		goto fail;
	}
	*out = a;
	return 0;
fail:
	bq_assert_free(a);
	return -1;
}

int bq_assert_parse(const char *text, bq_assert **out, bq_err *err)
{
	return bq_assert_parse_n(text ? text : "", text ? strlen(text) : 0, out, err);
}

void bq_assert_free(bq_assert *a)
{
	if (!a)
		return;
	free(a->text);
	free(a->nodes);
	free(a->terms);
	free(a);
}

const char *bq_assert_text(const bq_assert *a)
{
	return a->text;
}

size_t bq_assert_nterms(const bq_assert *a)
{
	return a->nterms;
}

const bq_assert_term *bq_assert_term_at(const bq_assert *a, size_t i)
{
	return i < a->nterms ? &a->terms[i] : NULL;
}

const char *bq_assert_stat_name(const char *stat)
{
	if (strcmp(stat, "Sum") == 0) return "sum";
	if (strcmp(stat, "Average") == 0) return "avg";
	if (strcmp(stat, "Minimum") == 0) return "min";
	if (strcmp(stat, "Maximum") == 0) return "max";
	if (strcmp(stat, "SampleCount") == 0) return "count";
	return stat;
}

/* Shortest text that reads back as the same double. */
static int put_number(bq_buf *b, double v)
{
	char tmp[40];
	int prec;

	for (prec = 6; prec <= 17; prec++) {
		bq_snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	return bq_buf_puts(b, tmp);
}

static bool term_value(const bq_assert_term *t, const double *values,
		       const bool *present, size_t i, double *v)
{
	if (present[i]) {
		*v = values[i];
		return true;
	}
	if (strcmp(t->stat, "Sum") == 0 || strcmp(t->stat, "SampleCount") == 0) {
		*v = 0;
		return true;
	}
	return false;
}

static bool eval_node(const bq_assert *a, size_t n, const double *values,
		      const bool *present)
{
	const struct node *nd = &a->nodes[n];
	double v;

	switch (nd->kind) {
	case N_AND:
		return eval_node(a, nd->l, values, present) &&
		       eval_node(a, nd->r, values, present);
	case N_OR:
		return eval_node(a, nd->l, values, present) ||
		       eval_node(a, nd->r, values, present);
	case N_CMP:
		if (!term_value(&a->terms[nd->term], values, present, nd->term, &v))
			return false;
		switch (nd->op) {
		case OP_LT: return v < nd->num;
		case OP_LE: return v <= nd->num;
		case OP_GT: return v > nd->num;
		case OP_GE: return v >= nd->num;
		case OP_EQ: return v == nd->num;
		case OP_NE: return v != nd->num;
		}
	}
	return false;
}

bool bq_assert_eval(const bq_assert *a, const double *values,
		    const bool *present, bq_buf *why)
{
	size_t i;

	if (why) {
		for (i = 0; i < a->nterms; i++) {
			double v;

			bq_buf_printf(why, "%s%s(%s) = ", i ? ", " : "",
				      bq_assert_stat_name(a->terms[i].stat),
				      a->terms[i].metric);
			if (term_value(&a->terms[i], values, present, i, &v))
				put_number(why, v);
			else
				bq_buf_puts(why, "no data");
		}
	}
	return eval_node(a, a->root, values, present);
}

static int format_node(const bq_assert *a, size_t n, bq_buf *out)
{
	const struct node *nd = &a->nodes[n];
	const struct node *l, *r;
	int rc = 0;

	if (nd->kind == N_CMP) {
		const bq_assert_term *t = &a->terms[nd->term];

		rc |= bq_buf_printf(out, "%s(%s) %s ", bq_assert_stat_name(t->stat),
				    t->metric, op_text[nd->op]);
		rc |= put_number(out, nd->num);
		return rc ? -1 : 0;
	}
	l = &a->nodes[nd->l];
	r = &a->nodes[nd->r];
	/* Only an "or" inside an "and" needs parentheses; the right operand
	 * of a chain needs them when it is itself a chain of the same kind,
	 * because the parser builds chains leaning left. */
	if (nd->kind == N_AND && l->kind == N_OR) rc |= bq_buf_putc(out, '(');
	rc |= format_node(a, nd->l, out);
	if (nd->kind == N_AND && l->kind == N_OR) rc |= bq_buf_putc(out, ')');
	rc |= bq_buf_puts(out, nd->kind == N_AND ? " and " : " or ");
	if (r->kind != N_CMP && (nd->kind == N_AND || r->kind == N_OR)) {
		rc |= bq_buf_putc(out, '(');
		rc |= format_node(a, nd->r, out);
		rc |= bq_buf_putc(out, ')');
	} else {
		rc |= format_node(a, nd->r, out);
	}
	return rc ? -1 : 0;
}

int bq_assert_format(const bq_assert *a, bq_buf *out)
{
	return format_node(a, a->root, out);
}
