/*
 * xray_flatten: segment documents -> span records (see the header).
 */
#include "xray_flatten.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "timeexpr.h"
#include "uri.h"

static const char *jstr(const json_t *o, const char *key)
{
	const json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;
	const char *s = json_is_string(v) ? json_string_value(v) : NULL;
	return s && *s ? s : NULL;
}

/* ---- validation ---- */

/* Epoch seconds from 1970 to 5138: anything else is not a time, and would
 * overflow the integer conversions of the formatting below. */
static bool time_ok(double t)
{
	return t >= 0 && t < 1e11;
}

static int check_node(const json_t *n, int depth, const char *parent,
		      size_t index, bq_err *err)
{
	const char *id = jstr(n, "id");
	const json_t *v;

	if (!json_is_object(n))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': subsegment %zu is not an object",
			       parent, index);
	if (!id)
		return parent ? bq_fail(err, BQ_EXIT_INPUT,
					"segment '%s': subsegment %zu has no id",
					parent, index)
			      : bq_fail(err, BQ_EXIT_INPUT,
					"segment document has no id");
	if (!json_is_string(json_object_get(n, "name")))
		return bq_fail(err, BQ_EXIT_INPUT, "segment '%s': no name", id);
	v = json_object_get(n, "start_time");
	if (!json_is_number(v))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': no numeric start_time", id);
	if (!time_ok(json_number_value(v)))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': start_time out of range", id);
	v = json_object_get(n, "end_time");
	if (v && !json_is_number(v))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': end_time is not a number", id);
	if (v && !time_ok(json_number_value(v)))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': end_time out of range", id);
	if (!v && !json_is_true(json_object_get(n, "in_progress")))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': neither end_time nor in_progress", id);
	v = json_object_get(n, "subsegments");
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': subsegments is not an array", id);
	if (json_array_size(v) && depth + 1 >= BQ_XRAY_MAX_DEPTH)
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment '%s': subsegments nested deeper than %d",
			       id, BQ_XRAY_MAX_DEPTH);
	size_t i;
	const json_t *c;
	json_array_foreach(v, i, c)
		if (check_node(c, depth + 1, id, i, err) < 0)
			return -1;
	return 0;
}

int bq_xray_check(const json_t *doc, bq_err *err)
{
	if (!json_is_object(doc))
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment document is not a JSON object");
	return check_node(doc, 0, NULL, 0, err);
}

/* ---- model id ---- */

static const char *const bedrock_ops[] = {
	"InvokeModel", "InvokeModelWithResponseStream",
	"InvokeModelWithBidirectionalStream", "Converse", "ConverseStream",
	"StartAsyncInvoke", "ApplyGuardrail", "CountTokens", NULL
};

static bool mentions_bedrock(const char *s)
{
	for (; s && *s; s++)
		if (strncasecmp(s, "bedrock", 7) == 0)
			return true;
	return false;
}

static bool is_bedrock_call(const json_t *seg, const char *url)
{
	const char *op = jstr(json_object_get(seg, "aws"), "operation");
	if (mentions_bedrock(url) || mentions_bedrock(jstr(seg, "name")))
		return true;
	for (int i = 0; op && bedrock_ops[i]; i++)
		if (strcmp(op, bedrock_ops[i]) == 0)
			return true;
	return false;
}

/* "/model/{id}/..." of a URL (or a bare path): the id still encoded. */
static int model_from_url(const char *url, bq_buf *out)
{
	const char *p = url, *q;

	/* Skip "scheme://host" so a host name cannot fake a path. */
	if ((q = strstr(p, "://")) != NULL) {
		p = strchr(q + 3, '/');
		if (!p)
			return 0;
	}
	for (q = p; (q = strstr(q, "/model/")) != NULL; q += 7) {
		const char *s = q + 7;
		size_t n = strcspn(s, "/?#");
		if (n == 0)
			continue;
		size_t before = out->len;
		if (bq_uri_decode(out, s, n) < 0)
			return -1;
		if (out->len > before)
			return 1;
	}
	return 0;
}

/* gen_ai.request.model may be one dotted key, nested objects, or the
 * underscore form X-Ray annotation keys need; the path of keys is kept with
 * KEY_SEP between keys, and the name's separators match '.', '_' or
 * KEY_SEP.  The match must start at a key boundary or after a '.', so
 * "my_gen_ai.request.model" is not it. */
#define KEY_SEP '\x1f'
static const char GENAI_MODEL[] = "gen_ai.request.model";

static bool is_sep(char c)
{
	return c == '.' || c == '_' || c == KEY_SEP;
}

static bool path_is_model(const bq_buf *path)
{
	size_t n = sizeof GENAI_MODEL - 1;
	if (path->len < n)
		return false;
	const char *tail = path->data + path->len - n;
	for (size_t i = 0; i < n; i++) {
		if (is_sep(GENAI_MODEL[i]) ? !is_sep(tail[i]) : tail[i] != GENAI_MODEL[i])
			return false;
	}
	return path->len == n || tail[-1] == '.' || tail[-1] == KEY_SEP;
}

static int search_model(const json_t *v, bq_buf *path, int depth, bq_buf *out)
{
	if (json_is_string(v)) {
		if (json_string_length(v) && path_is_model(path))
			return bq_buf_append(out, json_string_value(v),
					     json_string_length(v)) < 0 ? -1 : 1;
		return 0;
	}
	if (!json_is_object(v) || depth > 32)
		return 0;
	const char *key;
	json_t *child;
	size_t keep = path->len;
	json_object_foreach((json_t *)v, key, child) {
		if ((keep && bq_buf_putc(path, KEY_SEP) < 0) || bq_buf_puts(path, key) < 0)
			return -1;
		int rc = search_model(child, path, depth + 1, out);
		path->len = keep;
		path->data[keep] = '\0';
		if (rc)
			return rc;
	}
	return 0;
}

int bq_xray_model_id(const json_t *seg, bq_buf *out)
{
	const json_t *http = json_object_get(seg, "http");
	const char *url = jstr(json_object_get(http, "request"), "url");
	const json_t *aws = json_object_get(seg, "aws");
	const char *s;
	int rc;

	if (url && is_bedrock_call(seg, url) && (rc = model_from_url(url, out)) != 0)
		return rc;
	if ((s = jstr(aws, "model_id")) || (s = jstr(aws, "modelId")))
		return bq_buf_puts(out, s) < 0 ? -1 : 1;

	bq_buf path = BQ_BUF_INIT;
	rc = search_model(json_object_get(seg, "annotations"), &path, 0, out);
	if (rc == 0) {
		bq_buf_reset(&path);
		rc = search_model(json_object_get(seg, "metadata"), &path, 0, out);
	}
	bq_buf_release(&path);
	return rc;
}

/* ---- span records ---- */

static void format_ms(double t, char *buf, size_t size)
{
	buf[0] = '\0';
	if (t > -9e15 && t < 9e15)
		bq_time_format_ms(llround(t * 1000.0), buf, size);
}

static json_t *duration_value(double seconds)
{
	double us = nearbyint(seconds * 1e6);
	if (fmod(us, 1000.0) == 0 && fabs(us) < 9e15)
		return json_integer((json_int_t)(us / 1000.0));
	return json_real(us / 1000.0);
}

static int put_str(json_t *o, const char *k, const char *v)
{
	return v ? json_object_set_new(o, k, json_string(v)) : 0;
}

static json_t *make_span(const json_t *n, const char *trace_id,
			 const char *parent_id, bq_xray_span_info *info)
{
	json_t *s = json_object();
	const json_t *http = json_object_get(n, "http");
	const json_t *aws = json_object_get(n, "aws");
	const json_t *resp = json_object_get(http, "response");
	const json_t *v;
	char tbuf[48];

	if (!s)
		return NULL;
	json_object_set_new(s, "kind", json_string("span"));
	put_str(s, "trace_id", trace_id);
	put_str(s, "id", jstr(n, "id"));
	put_str(s, "parent_id", parent_id);
	json_object_set_new(s, "name", json_string(json_string_value(json_object_get(n, "name"))));
	put_str(s, "namespace", jstr(n, "namespace"));
	put_str(s, "origin", jstr(n, "origin"));

	info->start = json_number_value(json_object_get(n, "start_time"));
	v = json_object_get(n, "end_time");
	info->has_end = json_is_number(v);
	info->end = info->has_end ? json_number_value(v) : info->start;
	format_ms(info->start, tbuf, sizeof tbuf);
	put_str(s, "start", tbuf[0] ? tbuf : NULL);
	if (info->has_end) {
		format_ms(info->end, tbuf, sizeof tbuf);
		put_str(s, "end", tbuf[0] ? tbuf : NULL);
		json_object_set_new(s, "duration_ms", duration_value(info->end - info->start));
	}
	if (json_is_true(json_object_get(n, "in_progress")))
		json_object_set_new(s, "in_progress", json_true());
	json_object_set_new(s, "error", json_boolean(json_is_true(json_object_get(n, "error"))));
	json_object_set_new(s, "fault", json_boolean(json_is_true(json_object_get(n, "fault"))));
	json_object_set_new(s, "throttle", json_boolean(json_is_true(json_object_get(n, "throttle"))));
	v = json_object_get(resp, "status");
	if (json_is_integer(v))
		json_object_set_new(s, "http_status", json_integer(json_integer_value(v)));
	put_str(s, "aws_operation", jstr(aws, "operation"));
	put_str(s, "request_id", jstr(aws, "request_id"));

	bq_buf model = BQ_BUF_INIT;
	if (bq_xray_model_id(n, &model) == 1)
		put_str(s, "model_id", bq_buf_cstr(&model));
	bq_buf_release(&model);

	v = json_object_get(n, "annotations");
	if (json_is_object(v) && json_object_size(v))
		json_object_set_new(s, "annotations", json_deep_copy(v));
	return s;
}

static int walk(const json_t *n, const char *trace_id, const char *parent_id,
		int depth, bq_xray_span_fn fn, void *ud, bq_err *err)
{
	bq_xray_span_info info;
	json_t *span = make_span(n, trace_id, parent_id, &info);
	int rc;

	if (!span)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	info.depth = depth;
	rc = fn(span, &info, ud, err);
	json_decref(span);
	if (rc)
		return rc;

	const json_t *subs = json_object_get(n, "subsegments");
	const char *id = jstr(n, "id");
	size_t i;
	const json_t *c;
	json_array_foreach(subs, i, c)
		if ((rc = walk(c, trace_id, id, depth + 1, fn, ud, err)) != 0)
			return rc;
	return 0;
}

int bq_xray_flatten(const json_t *doc, const char *trace_id,
		    bq_xray_span_fn fn, void *ud, bq_err *err)
{
	if (bq_xray_check(doc, err) < 0)
		return -1;
	const char *tid = jstr(doc, "trace_id");
	if (!tid)
		tid = trace_id && *trace_id ? trace_id : NULL;
	if (!tid)
		return bq_fail(err, BQ_EXIT_INPUT, "segment '%s': no trace_id",
			       jstr(doc, "id"));
	return walk(doc, tid, jstr(doc, "parent_id"), 0, fn, ud, err);
}

int bq_xray_flatten_text(const char *text, size_t len, const char *trace_id,
			 bq_xray_span_fn fn, void *ud, bq_err *err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text, len, 0, &jerr);

	if (!doc)
		return bq_fail(err, BQ_EXIT_INPUT,
			       "segment document is not valid JSON: %s", jerr.text);
	int rc = bq_xray_flatten(doc, trace_id, fn, ud, err);
	json_decref(doc);
	return rc;
}
