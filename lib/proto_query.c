#include "proto.h"
#include "uri.h"

#include <stdlib.h>
#include <string.h>

static int add_pair(bq_buf *b, const char *k, const char *v)
{
	if (b->len && bq_buf_putc(b, '&') < 0)
		return -1;
	if (bq_uri_encode(b, k, strlen(k), false) < 0 || bq_buf_putc(b, '=') < 0)
		return -1;
	return bq_uri_encode(b, v, strlen(v), false);
}

int bq_proto_query_body(const bq_service *s, const char *action,
			const char *const *params, bq_buf *body, bq_err *err)
{
	size_t i;

	bq_buf_reset(body);
	if (add_pair(body, "Action", action) < 0 ||
	    add_pair(body, "Version", s->api_version) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (i = 0; params && params[i]; i += 2) {
		if (!params[i + 1])
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "query parameter '%s' without value", params[i]);
		if (add_pair(body, params[i], params[i + 1]) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

struct qparse {
	char prefix[160];   /* "/<Action>Response/" */
	char result[160];   /* "<Action>Result/" */
	json_t *out;
	bool oom;
	bool seen_root;
};

static int q_start(void *ud, const char *path)
{
	struct qparse *q = ud;

	if (strncmp(path, q->prefix, strlen(q->prefix) - 1) == 0)
		q->seen_root = true;
	return 0;
}

static int q_end(void *ud, const char *path, const char *text, size_t len,
		 bool truncated)
{
	struct qparse *q = ud;
	size_t pl = strlen(q->prefix), rl = strlen(q->result);
	const char *rest;
	json_t *obj = q->out;
	char seg[128];

	(void)truncated;
	if (strncmp(path, q->prefix, pl) != 0)
		return 0;
	rest = path + pl;
	if (strncmp(rest, q->result, rl) == 0)
		rest += rl;
	else if (strncmp(rest, q->result, rl - 1) == 0 && rest[rl - 1] == '\0')
		return 0; /* the result element itself */
	if (!*rest)
		return 0;
	/* walk/create nested objects for every segment but the last */
	for (;;) {
		const char *slash = strchr(rest, '/');
		size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
		json_t *child;

		if (n >= sizeof(seg))
			return 0;
		memcpy(seg, rest, n);
		seg[n] = '\0';
		if (!slash) {
			/* an element with children closes with text "": keep the
			 * object built for it */
			if (json_is_object(json_object_get(obj, seg)) && len == 0)
				return 0;
			if (json_object_set_new(obj, seg, json_stringn(text, len)) < 0)
				q->oom = true;
			return 0;
		}
		child = json_object_get(obj, seg);
		if (!json_is_object(child)) {
			child = json_object();
			if (!child || json_object_set_new(obj, seg, child) < 0) {
				q->oom = true;
				return 0;
			}
		}
		obj = child;
		rest = slash + 1;
	}
}

int bq_proto_query_parse(const bq_service *s, const char *action,
			 const char *body, size_t len, json_t **out,
			 bq_err *err)
{
	struct qparse q;
	bq_xml *x;
	int rc;

	memset(&q, 0, sizeof(q));
	if (bq_snprintf(q.prefix, sizeof(q.prefix), "/%sResponse/", action) < 0 ||
	    bq_snprintf(q.result, sizeof(q.result), "%sResult/", action) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "action name too long");
	q.out = json_object();
	x = bq_xml_new(q_start, q_end, &q, 0);
	if (!q.out || !x) {
		json_decref(q.out);
		bq_xml_free(x);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	rc = bq_xml_feed(x, body, len, true, s->service_id, err);
	bq_xml_free(x);
	if (rc == 0 && q.oom)
		rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (rc == 0 && !q.seen_root)
		rc = bq_fail(err, BQ_EXIT_RUNTIME,
			     "unexpected answer from %s: no %sResponse element",
			     s->service_id, action);
	if (rc < 0) {
		json_decref(q.out);
		return -1;
	}
	*out = q.out;
	return 0;
}
