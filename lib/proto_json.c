#include "proto.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

int bq_proto_json_prepare(const bq_service *s, const char *operation,
			  json_t *input, bq_buf *body, bq_proto_json_req *r,
			  bq_err *err)
{
	int rc;

	memset(r, 0, sizeof(*r));
	if (!s->target_prefix || !s->json_version)
		return bq_fail(err, BQ_EXIT_RUNTIME, "%s does not speak awsJson",
			       s->service_id);
	if (input && !json_is_object(input))
		return bq_fail(err, BQ_EXIT_RUNTIME, "%s input is not a JSON object",
			       operation);
	bq_buf_reset(body);
	if (input) {
		char *txt = json_dumps(input, JSON_COMPACT);

		if (!txt)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "cannot encode the %s input", operation);
		rc = bq_buf_puts(body, txt);
		free(txt);
	} else {
		rc = bq_buf_puts(body, "{}");
	}
	if (rc < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	bq_snprintf(r->content_type, sizeof(r->content_type),
		    "application/x-amz-json-%s", s->json_version);
	if (bq_snprintf(r->target, sizeof(r->target), "X-Amz-Target: %s.%s",
			s->target_prefix, operation) < 0)
		return bq_fail(err, BQ_EXIT_USAGE, "operation name too long '%s'",
			       operation);
	r->headers[0] = r->target;
	r->headers[1] = s->query_mode_header ? "x-amzn-query-mode: true" : NULL;
	r->headers[2] = NULL;
	return 0;
}

int bq_proto_json_parse(const bq_service *s, const char *body, size_t len,
			json_t **out, bq_err *err)
{
	json_error_t je;
	json_t *j;
	size_t i;

	for (i = 0; i < len && isspace((unsigned char)body[i]); i++)
		;
	if (i == len) {
		*out = json_object();
		return *out ? 0 : bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	j = json_loadb(body, len, JSON_ALLOW_NUL, &je);
	if (!j)
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "bad JSON from %s: %s (byte %d)", s->service_id,
			       je.text, je.position);
	if (!json_is_object(j)) {
		json_decref(j);
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "unexpected JSON from %s: not an object",
			       s->service_id);
	}
	*out = j;
	return 0;
}

/* ---- errors ---- */

struct xml_err {
	char code[96];
	char message[1024];
	char request_id[96];
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int xml_err_end(void *ud, const char *path, const char *text,
		       size_t len, bool truncated)
{
	struct xml_err *x = ud;

	(void)len;
	(void)truncated;
	if (ends_with(path, "/Error/Code") && !x->code[0])
		bq_strlcpy(x->code, text, sizeof(x->code));
	else if (ends_with(path, "/Error/Message") && !x->message[0])
		bq_strlcpy(x->message, text, sizeof(x->message));
	else if ((ends_with(path, "/RequestId") || ends_with(path, "/RequestID")) &&
		 !x->request_id[0])
		bq_strlcpy(x->request_id, text, sizeof(x->request_id));
	return 0;
}

static void parse_xml_error(const char *body, size_t len, struct xml_err *x)
{
	bq_xml *p = bq_xml_new(NULL, xml_err_end, x, 4096);
	bq_err ignored;

	if (!p)
		return;
	/* a broken error body still gives whatever was read before the break */
	bq_xml_feed(p, body, len, true, "error body", &ignored);
	bq_xml_free(p);
}

static const char *json_str(json_t *o, const char *a, const char *b,
			    const char *c)
{
	json_t *v = json_object_get(o, a);

	if (!json_is_string(v) && b)
		v = json_object_get(o, b);
	if (!json_is_string(v) && c)
		v = json_object_get(o, c);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* "aws.protocoltests#FooError" and "FooError:http://..." -> "FooError" */
static void clean_code(char *code)
{
	char *p = strrchr(code, '#');
	size_t n;

	if (p)
		memmove(code, p + 1, strlen(p + 1) + 1);
	p = strchr(code, ':');
	if (p)
		*p = '\0';
	n = strlen(code);
	while (n && isspace((unsigned char)code[n - 1]))
		code[--n] = '\0';
}

static const char *status_text(int status)
{
	switch (status) {
	case 400: return "bad request";
	case 401: return "unauthorized";
	case 403: return "forbidden";
	case 404: return "not found";
	case 408: return "request timeout";
	case 429: return "too many requests";
	case 500: return "internal server error";
	case 502: return "bad gateway";
	case 503: return "service unavailable";
	case 504: return "gateway timeout";
	default: return "error";
	}
}

int bq_proto_error(const bq_service *s, int http_status, const char *body,
		   size_t len, bq_proto_header_fn header, const void *hud,
		   bq_err *err)
{
	char code[96] = "", message[1024] = "", rid[96] = "";
	const char *h;

	if (body && len && bq_proto_looks_xml(body, len)) {
		struct xml_err x;

		memset(&x, 0, sizeof(x));
		parse_xml_error(body, len, &x);
		bq_strlcpy(code, x.code, sizeof(code));
		bq_strlcpy(message, x.message, sizeof(message));
		bq_strlcpy(rid, x.request_id, sizeof(rid));
	} else if (body && len) {
		json_t *j = json_loadb(body, len, 0, NULL);

		if (json_is_object(j)) {
			const char *v = json_str(j, "__type", "code", "Code");

			if (v)
				bq_strlcpy(code, v, sizeof(code));
			v = json_str(j, "message", "Message", "errorMessage");
			if (v)
				bq_strlcpy(message, v, sizeof(message));
			v = json_str(j, "RequestId", "requestId", NULL);
			if (v)
				bq_strlcpy(rid, v, sizeof(rid));
		}
		json_decref(j);
	}
	if (header) {
		h = header(hud, "x-amzn-errortype");
		/* the header names the error even when the body has no type */
		if (h && *h && !code[0])
			bq_strlcpy(code, h, sizeof(code));
		if (!rid[0]) {
			h = header(hud, "x-amzn-requestid");
			if (!h)
				h = header(hud, "x-amz-request-id");
			if (h)
				bq_strlcpy(rid, h, sizeof(rid));
		}
	}
	clean_code(code);
	if (!message[0])
		bq_strlcpy(message, status_text(http_status), sizeof(message));
	bq_fail_aws(err, s ? s->endpoint_prefix : "", http_status, code, message,
		    rid);
	/* An unknown 4xx with no code is still a client error, but 429 and
	 * the 5xx are retryable whatever the body said. */
	return -1;
}
