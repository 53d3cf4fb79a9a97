#include "prompt_template.h"

#include <stdbool.h>
#include <string.h>

/* memmem is a GNU extension; this is all we need of it. */
static const char *find(const char *s, const char *end, const char *lit)
{
	size_t l = strlen(lit);

	for (; s && (size_t)(end - s) >= l; s++) {
		s = memchr(s, lit[0], (size_t)(end - s) - l + 1);
		if (!s)
			return NULL;
		if (memcmp(s, lit, l) == 0)
			return s;
	}
	return NULL;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

/* Appends [a, b) trimmed, preceded by sep when out is not empty. */
static int put_turn(bq_buf *out, const char *sep, const char *a,
		    const char *b)
{
	while (a < b && is_space(*a))
		a++;
	while (b > a && is_space(b[-1]))
		b--;
	if (a == b)
		return 0;
	if (out->len && bq_buf_puts(out, sep) < 0)
		return -1;
	return bq_buf_append(out, a, (size_t)(b - a));
}

static enum bq_turn_role role_of(const char *a, const char *b)
{
	size_t l = (size_t)(b - a);

	if (l == 4 && memcmp(a, "user", 4) == 0)
		return BQ_TURN_USER;
	if (l == 6 && memcmp(a, "system", 6) == 0)
		return BQ_TURN_SYSTEM;
	if (l == 9 && memcmp(a, "assistant", 9) == 0)
		return BQ_TURN_ASSISTANT;
	return 0;
}

/* <|start_header_id|>ROLE<|end_header_id|>TEXT<|eot_id|> */
static int llama3(const char *s, const char *end, enum bq_turn_role want,
		  const char *sep, bq_buf *out)
{
	static const char open[] = "<|start_header_id|>";
	static const char close[] = "<|end_header_id|>";
	const char *p = s;

	while ((p = find(p, end, open)) != NULL) {
		const char *r = p + sizeof(open) - 1, *re, *t, *te;

		re = find(r, end, close);
		if (!re)
			break;
		t = re + sizeof(close) - 1;
		te = find(t, end, "<|eot_id|>");
		if (!te)
			te = find(t, end, open);
		if (!te)
			te = end;
		if (role_of(r, re) == want && put_turn(out, sep, t, te) < 0)
			return -1;
		p = te;
	}
	return 1;
}

/* <s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST] A </s><s>[INST] U2 [/INST] */
static int inst(const char *s, const char *end, enum bq_turn_role want,
		const char *sep, bq_buf *out)
{
	const char *p = s;

	while ((p = find(p, end, "[INST]")) != NULL) {
		const char *u = p + 6, *ue, *sys, *syse;

		ue = find(u, end, "[/INST]");
		if (!ue)
			ue = end;
		sys = find(u, ue, "<<SYS>>");
		syse = sys ? find(sys, ue, "<</SYS>>") : NULL;
		if (sys && syse) {
			if (want == BQ_TURN_SYSTEM &&
			    put_turn(out, sep, sys + 7, syse) < 0)
				return -1;
			if (want == BQ_TURN_USER &&
			    (put_turn(out, sep, u, sys) < 0 ||
			     put_turn(out, sep, syse + 8, ue) < 0))
				return -1;
		} else if (want == BQ_TURN_USER && put_turn(out, sep, u, ue) < 0) {
			return -1;
		}
		if (want == BQ_TURN_ASSISTANT && ue < end) {
			const char *a = ue + 7, *ae = find(a, end, "[INST]");
			const char *eos;

			if (!ae)
				ae = end;
			eos = find(a, ae, "</s>");
			if (put_turn(out, sep, a, eos ? eos : ae) < 0)
				return -1;
		}
		p = ue;
	}
	return 1;
}

/* [system]\n\nHuman: U\n\nAssistant: A\n\nHuman: U2\n\nAssistant: */
static int anthropic(const char *s, const char *end, enum bq_turn_role want,
		     const char *sep, bq_buf *out)
{
	const char *h = find(s, end, "Human:");
	const char *p;

	if (want == BQ_TURN_SYSTEM && h && put_turn(out, sep, s, h) < 0)
		return -1;
	for (p = h; p; ) {
		const char *u = p + 6, *a = find(u, end, "\n\nAssistant:");
		const char *next;

		if (want == BQ_TURN_USER &&
		    put_turn(out, sep, u, a ? a : end) < 0)
			return -1;
		if (!a)
			break;
		next = find(a, end, "\n\nHuman:");
		if (want == BQ_TURN_ASSISTANT &&
		    put_turn(out, sep, a + 12, next ? next : end) < 0)
			return -1;
		p = next ? next + 2 : NULL;
	}
	return 1;
}

int bq_prompt_template_turns(const char *s, size_t n, enum bq_turn_role want,
			     const char *sep, bq_buf *out)
{
	const char *end = s + n, *h;

	if (!s)
		return 0;
	if (find(s, end, "<|start_header_id|>"))
		return llama3(s, end, want, sep, out);
	if (find(s, end, "[INST]"))
		return inst(s, end, want, sep, out);
	/* A text-completions prompt starts with its Human turn, or has one
	 * after a system paragraph; "Human:" inside prose is no template. */
	h = find(s, end, "Human:");
	if (h && find(h, end, "\n\nAssistant:")) {
		const char *q = s;

		while (q < h && is_space(*q))
			q++;
		if (q == h || (h - s >= 2 && h[-1] == '\n' && h[-2] == '\n'))
			return anthropic(s, end, want, sep, out);
	}
	return 0;
}
