/*
 * aws_pager.c: following next tokens.  The token names come from the
 * services' paginators-1.json: every awsJson paginator there uses the same
 * member name for input and output (NextToken, nextToken, NextPageToken,
 * PaginationToken), so the pager finds it in the response; the table below
 * holds the exceptions.
 */
#include "aws.h"

#include <stdbool.h>
#include <stdlib.h>
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

/* One paging run: fetch asks for a page with the previous page's token
 * (NULL for the first); out_name is the token member found so far. */
struct pager {
	bq_aws *a;
	bq_service_id svc;
	const char *in_token, *out_name;
	int (*fetch)(struct pager *p, const char *token, json_t **page,
		     bq_err *err);
	/* awsJson */
	const char *operation;
	json_t *in;
	/* rest-json */
	const char *method, *path, *query;
	bool get;
	json_t *body;
	bq_buf q;
};

static int run_pages(struct pager *pg, const char *out_token,
		     bq_aws_page_fn fn, void *ud, bq_err *err)
{
	json_t *page = NULL;
	char *prev = NULL;
	int rc = 0;

	for (;;) {
		const char *tok, *out_name = out_token;
		int cb;

		if (pg->fetch(pg, prev, &page, err) < 0) {
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
		if (!(prev = strdup(tok))) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		pg->out_name = out_name;
		json_decref(page);
		page = NULL;
	}
	json_decref(page);
	free(prev);
	return rc;
}

static int fetch_json(struct pager *pg, const char *token, json_t **page,
		      bq_err *err)
{
	if (token && json_object_set_new(pg->in, pg->in_token ? pg->in_token : pg->out_name,
					 json_string(token)) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return bq_aws_json_call(pg->a, pg->svc, pg->operation, pg->in, page, err);
}

static int fetch_rest(struct pager *pg, const char *token, json_t **page,
		      bq_err *err)
{
	bq_buf_reset(&pg->q);
	if ((pg->query && *pg->query && bq_buf_puts(&pg->q, pg->query) < 0) ||
	    (token && pg->get && bq_aws_query_add(&pg->q, pg->in_token, token) < 0) ||
	    (token && !pg->get &&
	     json_object_set_new(pg->body, pg->in_token, json_string(token)) < 0))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return bq_aws_rest_call(pg->a, pg->svc, pg->method, pg->path,
				pg->q.len ? bq_buf_cstr(&pg->q) : NULL, pg->body,
				page, err);
}

static void pager_init(struct pager *pg, bq_aws *a, bq_service_id svc,
		       int (*fetch)(struct pager *, const char *, json_t **, bq_err *))
{
	memset(pg, 0, sizeof(*pg));
	pg->a = a;
	pg->svc = svc;
	pg->fetch = fetch;
	bq_buf_init(&pg->q, 0);
}

int bq_aws_paginate(bq_aws *a, bq_service_id svc, const char *operation,
		    json_t *input, const char *in_token, const char *out_token,
		    bq_aws_page_fn fn, void *ud, bq_err *err)
{
	struct pager pg;
	int rc;

	pager_init(&pg, a, svc, fetch_json);
	pg.operation = operation;
	if (!(pg.in = input ? json_copy(input) : json_object()))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	names_for(svc, operation, &in_token, &out_token);
	pg.in_token = in_token;
	rc = run_pages(&pg, out_token, fn, ud, err);
	json_decref(pg.in);
	return rc;
}

int bq_aws_rest_paginate(bq_aws *a, bq_service_id svc, const char *method,
			 const char *path, const char *query, json_t *body,
			 const char *in_token, const char *out_token,
			 bq_aws_page_fn fn, void *ud, bq_err *err)
{
	struct pager pg;
	int rc;

	pager_init(&pg, a, svc, fetch_rest);
	pg.method = method ? method : "GET";
	pg.path = path;
	pg.query = query;
	pg.get = strcmp(pg.method, "GET") == 0;
	pg.in_token = in_token ? in_token : pg.get ? "nextToken" : "NextToken";
	pg.body = body ? json_copy(body) : pg.get ? NULL : json_object();
	if ((body || !pg.get) && !pg.body)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = run_pages(&pg, out_token, fn, ud, err);
	json_decref(pg.body);
	bq_buf_release(&pg.q);
	return rc;
}
