#include "bodypath.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

/* One parsed segment; pointers into the path text, nothing copied. */
struct seg {
	const char *name;
	size_t name_len;
	bool iter;          /* "[...]" present */
	const char *fkey;   /* filter member name, NULL for plain "[]" */
	size_t fkey_len;
	const char *fvals;  /* "a|b" */
	size_t fvals_len;
	const char *rest;   /* the path after this segment, NULL at the end */
};

static int parse_seg(const char *p, struct seg *s)
{
	const char *q = p;

	memset(s, 0, sizeof(*s));
	s->name = p;
	while (*q && *q != '.' && *q != '[' && *q != '{')
		q++;
	s->name_len = (size_t)(q - p);
	if (*q == '[') {
		const char *close = strchr(q, ']');
		const char *eq;

		if (!close)
			return -1;
		s->iter = true;
		eq = memchr(q + 1, '=', (size_t)(close - q - 1));
		if (eq) {
			s->fkey = q + 1;
			s->fkey_len = (size_t)(eq - q - 1);
			s->fvals = eq + 1;
			s->fvals_len = (size_t)(close - eq - 1);
		}
		q = close + 1;
	}
	if (*q == '.')
		s->rest = q + 1;
	else if (*q == '{')
		s->rest = q;  /* a group of alternatives follows */
	else if (*q)
		return -1;  /* junk after "]" */
	return 0;
}

static bool filter_ok(const struct seg *s, const json_t *el)
{
	const char *v, *a, *end;
	size_t vl;
	json_t *m;
	char key[64];

	if (!s->fkey)
		return true;
	if (!json_is_object(el) || s->fkey_len >= sizeof(key))
		return false;
	memcpy(key, s->fkey, s->fkey_len);
	key[s->fkey_len] = '\0';
	m = json_object_get(el, key);
	if (!json_is_string(m))
		return false;
	v = json_string_value(m);
	vl = json_string_length(m);
	a = s->fvals;
	end = s->fvals + s->fvals_len;
	while (a <= end) {
		const char *bar = memchr(a, '|', (size_t)(end - a));
		size_t al = (size_t)((bar ? bar : end) - a);

		if (al == vl && strncasecmp(a, v, vl) == 0)
			return true;
		if (!bar)
			break;
		a = bar + 1;
	}
	return false;
}

static int walk(const json_t *node, const char *path, bq_bodypath_cb cb,
		void *ud);

static int visit(const json_t *node, const struct seg *s, bq_bodypath_cb cb,
		 void *ud)
{
	if (s->rest)
		return walk(node, s->rest, cb, ud);
	return cb(node, ud);
}

/* "{A|B|.}": each alternative from the same node, in order ("." is the
 * node itself).  Alternatives are plain paths without groups. */
static int group(const json_t *node, const char *path, bq_bodypath_cb cb,
		 void *ud)
{
	const char *close = strchr(path, '}');
	const char *a = path + 1;
	char alt[256];
	int r;

	if (!close || close[1])
		return 0;
	while (a < close) {
		const char *bar = memchr(a, '|', (size_t)(close - a));
		size_t l = (size_t)((bar ? bar : close) - a);

		if (l == 1 && *a == '.') {
			r = cb(node, ud);
		} else if (l && l < sizeof(alt)) {
			memcpy(alt, a, l);
			alt[l] = '\0';
			r = walk(node, alt, cb, ud);
		} else {
			r = 0;
		}
		if (r)
			return r;
		a += l + 1;
	}
	return 0;
}

static int walk(const json_t *node, const char *path, bq_bodypath_cb cb,
		void *ud)
{
	struct seg s;
	const json_t *child = node;
	int r;

	if (*path == '{')
		return group(node, path, cb, ud);
	if (parse_seg(path, &s) < 0)
		return 0;
	if (s.name_len) {
		if (!json_is_object(node))
			return 0;
		child = json_object_getn(node, s.name, s.name_len);
		if (!child)
			return 0;
	}
	if (!s.iter)
		return visit(child, &s, cb, ud);
	if (json_is_array(child)) {
		size_t i;
		const json_t *el;

		json_array_foreach(child, i, el) {
			if (!filter_ok(&s, el))
				continue;
			if ((r = visit(el, &s, cb, ud)) != 0)
				return r;
		}
		return 0;
	}
	if (!filter_ok(&s, child))
		return 0;
	return visit(child, &s, cb, ud);
}

int bq_bodypath_each(const json_t *root, const char *path, bq_bodypath_cb cb,
		     void *ud)
{
	if (!root || !path || !*path)
		return 0;
	return walk(root, path, cb, ud);
}

static int take_first(const json_t *v, void *ud)
{
	*(const json_t **)ud = v;
	return 1;
}

const json_t *bq_bodypath_first(const json_t *root, const char *path)
{
	const json_t *v = NULL;

	bq_bodypath_each(root, path, take_first, &v);
	return v;
}

static int take_number(const json_t *v, void *ud)
{
	if (!json_is_number(v))
		return 0;
	*(const json_t **)ud = v;
	return 1;
}

bool bq_bodypath_int(const json_t *root, const char *path, long long *out)
{
	const json_t *v = NULL;

	bq_bodypath_each(root, path, take_number, &v);
	if (!v)
		return false;
	if (json_is_integer(v))
		*out = (long long)json_integer_value(v);
	else
		*out = (long long)llround(json_real_value(v));
	return true;
}

static int take_string(const json_t *v, void *ud)
{
	if (!json_is_string(v) || json_string_length(v) == 0)
		return 0;
	*(const json_t **)ud = v;
	return 1;
}

const char *bq_bodypath_str(const json_t *root, const char *path)
{
	const json_t *v = NULL;

	bq_bodypath_each(root, path, take_string, &v);
	return v ? json_string_value(v) : NULL;
}
