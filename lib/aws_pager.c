/*
 * aws_pager.c: following next tokens.  The token names come from the
 * services' paginators-1.json: every awsJson paginator there uses the same
 * member name for input and output (NextToken, nextToken, NextPageToken,
 * PaginationToken), so the pager finds it in the response; the table below
 * holds the exceptions.
 */
#include "aws.h"

#include <string.h>

static const struct {
	bq_service_id svc;
	const char *op, *in, *out;
} exceptions[] = {
	/* GetLogEvents pages forward and repeats its token at the end */
	{ BQ_SVC_LOGS, "GetLogEvents", "nextToken", "nextForwardToken" },
};

static const char *const auto_tokens[] = {
	"NextToken", "nextToken", "NextPageToken", "PaginationToken", NULL
};

static void names_for(bq_service_id svc, const char *op, const char **in,
		      const char **out)
{
	size_t i;

	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++) {
		if (exceptions[i].svc == svc && strcmp(exceptions[i].op, op) == 0) {
			if (!*in)
				*in = exceptions[i].in;
			if (!*out)
				*out = exceptions[i].out;
			return;
		}
	}
}

/* The next token in page (borrowed), or NULL at the end. */
static const char *next_token(json_t *page, const char **out_name)
{
	size_t i;

	if (*out_name) {
		json_t *t = json_object_get(page, *out_name);

		return json_is_string(t) && *json_string_value(t) ?
			json_string_value(t) : NULL;
	}
	for (i = 0; auto_tokens[i]; i++) {
		json_t *t = json_object_get(page, auto_tokens[i]);

		if (json_is_string(t) && *json_string_value(t)) {
			*out_name = auto_tokens[i];
			return json_string_value(t);
		}
	}
	return NULL;
}

int bq_aws_paginate(bq_aws *a, bq_service_id svc, const char *operation,
		    json_t *input, const char *in_token, const char *out_token,
		    bq_aws_page_fn fn, void *ud, bq_err *err)
{
	json_t *in = input ? json_copy(input) : json_object();
	json_t *page = NULL;
	char *prev = NULL;
	int rc = 0;

	if (!in)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	names_for(svc, operation, &in_token, &out_token);
	for (;;) {
		const char *tok, *out_name = out_token;
		int cb;

		if (bq_aws_json_call(a, svc, operation, in, &page, err) < 0) {
			rc = -1;
			break;
		}
		cb = fn(page, ud, err);
		if (cb != 0) {
			rc = cb > 0 ? 0 : -1;
			break;
		}
		tok = next_token(page, &out_name);
		/* the end: no token, or the same token again (GetLogEvents) */
		if (!tok || (prev && strcmp(prev, tok) == 0))
			break;
		free(prev);
		prev = strdup(tok);
		if (!prev || json_object_set_new(in, in_token ? in_token : out_name,
						 json_string(prev)) < 0) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		json_decref(page);
		page = NULL;
	}
	json_decref(page);
	json_decref(in);
	free(prev);
	return rc;
}

int bq_aws_rest_paginate(bq_aws *a, bq_service_id svc, const char *method,
			 const char *path, const char *query, json_t *body,
			 const char *in_token, const char *out_token,
			 bq_aws_page_fn fn, void *ud, bq_err *err)
{
	bool get = !method || strcmp(method, "GET") == 0;
	json_t *b = body ? json_copy(body) : NULL;
	json_t *page = NULL;
	bq_buf q = BQ_BUF_INIT;
	char *prev = NULL;
	int rc = 0;

	if (!in_token)
		in_token = get ? "nextToken" : "NextToken";
	if (!get && !b)
		b = json_object();
	if (!get && !b)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	for (;;) {
		const char *tok, *out_name = out_token;
		int cb;

		bq_buf_reset(&q);
		if (query && *query && bq_buf_puts(&q, query) < 0) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		if (get && prev && bq_aws_query_add(&q, in_token, prev) < 0) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		if (bq_aws_rest_call(a, svc, method ? method : "GET", path,
				     q.len ? bq_buf_cstr(&q) : NULL, b, &page,
				     err) < 0) {
			rc = -1;
			break;
		}
		cb = fn(page, ud, err);
		if (cb != 0) {
			rc = cb > 0 ? 0 : -1;
			break;
		}
		tok = next_token(page, &out_name);
		if (!tok || (prev && strcmp(prev, tok) == 0))
			break;
		free(prev);
		prev = strdup(tok);
		if (!prev || (!get && json_object_set_new(b, in_token,
							  json_string(prev)) < 0)) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		json_decref(page);
		page = NULL;
	}
	json_decref(page);
	json_decref(b);
	bq_buf_release(&q);
	free(prev);
	return rc;
}
