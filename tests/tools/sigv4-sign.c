/*
 * sigv4-sign: signs NDJSON requests from stdin with lib/sigv4 and writes one
 * NDJSON result per line to stdout, so a script can sign thousands of
 * requests with one process (tests/sigv4/test_sigv4_botocore.py).
 *
 * Input object fields:
 *   id                any JSON value, echoed back
 *   mode              "header" (default) or "presign"
 *   method, scheme, host (no port), port (0/absent = none), path (wire
 *   form), query (wire form without '?', optional)
 *   headers           [[name, value], ...] in order, duplicates allowed
 *   body              string (its UTF-8 bytes), optional
 *   access_key_id, secret_access_key, session_token (optional)
 *   region, service, time (Unix seconds), expires (presign, default 3600)
 *   s3, normalize     true/false to force, absent/null = auto
 *   unsigned_payload, content_sha256, token_after_signing   booleans
 *   payload_hash      string, optional
 * Output: {"id", "authorization" | "url", "headers", "canonical_request",
 * "string_to_sign", "signature"} or {"id", "error"}.  The exit status is 0
 * unless stdin could not be read.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "request.h"
#include "sigv4.h"

static const char *sget(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int tristate(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	if (json_is_true(v))
		return BQ_SIGV4_YES;
	if (json_is_false(v))
		return BQ_SIGV4_NO;
	return BQ_SIGV4_AUTO;
}

static json_t *headers_json(const bq_request *r)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		json_array_append_new(a, json_pack("[ss]", r->headers[i].name,
						   r->headers[i].value));
	return a;
}

static json_t *sign_one(json_t *in, bq_sigv4_cache *cache)
{
	bq_request r;
	bq_err err;
	bq_sigv4_opts o = BQ_SIGV4_OPTS_INIT;
	bq_sigv4_result res = BQ_SIGV4_RESULT_INIT;
	bq_sigv4_creds c;
	json_t *out = json_object(), *hs, *v;
	const char *mode = sget(in, "mode"), *body;
	char *q = NULL, *url = NULL;
	size_t i;
	long expires = 3600;
	int port = 0, rc;
	time_t when = 0;

	json_object_set(out, "id", json_object_get(in, "id"));
	bq_request_init(&r);
	memset(&err, 0, sizeof(err));
	c.access_key_id = sget(in, "access_key_id");
	c.secret_access_key = sget(in, "secret_access_key");
	c.session_token = sget(in, "session_token");
	if ((v = json_object_get(in, "port")) && json_is_integer(v))
		port = (int)json_integer_value(v);
	if ((v = json_object_get(in, "time")) && json_is_integer(v))
		when = (time_t)json_integer_value(v);
	if ((v = json_object_get(in, "expires")) && json_is_integer(v))
		expires = (long)json_integer_value(v);
	o.s3 = tristate(in, "s3");
	o.normalize_path = tristate(in, "normalize");
	o.unsigned_payload = json_is_true(json_object_get(in, "unsigned_payload"));
	o.content_sha256 = json_is_true(json_object_get(in, "content_sha256"));
	o.token_after_signing =
		json_is_true(json_object_get(in, "token_after_signing"));
	o.payload_hash = sget(in, "payload_hash");
	o.cache = cache;

	rc = bq_request_set_target(&r, sget(in, "method"), sget(in, "scheme"),
				   "placeholder", sget(in, "path"),
				   sget(in, "query"), &err);
	if (rc == 0)
		rc = bq_request_set_host(&r, sget(in, "scheme"), sget(in, "host"),
					 port, &err);
	hs = json_object_get(in, "headers");
	for (i = 0; rc == 0 && i < json_array_size(hs); i++) {
		json_t *h = json_array_get(hs, i);

		rc = bq_request_add_header(&r, json_string_value(json_array_get(h, 0)),
					   json_string_value(json_array_get(h, 1)),
					   &err);
	}
	if ((body = sget(in, "body")))
		bq_request_set_body(&r, body,
				    json_string_length(json_object_get(in, "body")));
	if (rc == 0 && mode && strcmp(mode, "presign") == 0) {
		rc = bq_sigv4_presign(&r, &c, when, sget(in, "region"),
				      sget(in, "service"), expires, &o, &q, &res,
				      &err);
		if (rc == 0 && (rc = bq_request_set_query(&r, q, &err)) == 0 &&
		    (rc = bq_request_url(&r, &url, &err)) == 0)
			json_object_set_new(out, "url", json_string(url));
	} else if (rc == 0) {
		rc = bq_sigv4_sign(&r, &c, when, sget(in, "region"),
				   sget(in, "service"), &o, &res, &err);
		if (rc == 0)
			json_object_set_new(out, "authorization",
					    json_string(bq_request_get_header(
						    &r, "authorization")));
	}
	if (rc == 0) {
		json_object_set_new(out, "headers", headers_json(&r));
		json_object_set_new(out, "canonical_request",
				    json_string(res.canonical_request));
		json_object_set_new(out, "string_to_sign",
				    json_string(res.string_to_sign));
		json_object_set_new(out, "signature", json_string(res.signature));
	} else {
		json_object_set_new(out, "error", json_string(err.message));
	}
	free(q);
	free(url);
	bq_sigv4_result_free(&res);
	bq_request_free(&r);
	return out;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bq_sigv4_cache *cache = bq_sigv4_cache_new();

	if (!cache)
		return 1;
	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_error_t je;
		json_t *in = json_loadb(line, (size_t)n, 0, &je), *out;
		char *s;

		if (!in) {
			out = json_pack("{s:n, s:s}", "id", "error", je.text);
		} else {
			out = sign_one(in, cache);
			json_decref(in);
		}
		s = json_dumps(out, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (s) {
			fputs(s, stdout);
			fputc('\n', stdout);
			free(s);
		}
		json_decref(out);
	}
	free(line);
	bq_sigv4_cache_free(cache);
	return ferror(stdin) ? 1 : 0;
}
