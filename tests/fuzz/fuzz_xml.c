/*
 * libFuzzer target: any bytes as an AWS XML body: the streaming parser
 * (lib/proto_xml.c) that S3 ListObjectsV2 and STS answers go through, the
 * query-protocol result parser (STS) and the error-body mapper.
 *
 * The first byte picks a chunk size (1..64) and a text cap; the rest is
 * the body.  Checks, besides the sanitizers:
 *   - fed whole or in chunks, the parser reports the same elements, texts
 *     and outcome (text split over chunks must arrive whole);
 *   - element paths are absolute and each end matches an open start;
 *   - a ListObjectsV2-shaped walk (Contents/Key etc.) over the events gets
 *     the same keys either way;
 *   - bq_s3_list_parse (aws_s3.c's ListObjectsV2 parser) succeeds exactly
 *     when the document parses, hands over one object per Contents and
 *     one prefix per CommonPrefixes element, stops after the first object
 *     when asked to (status 0), and an abort returns the callback's own
 *     error;
 *   - the query parser returns an object that serialises, or an error;
 *   - the error mapper always returns -1 with a status of 1 or 3 and a
 *     non-empty message, for XML and JSON bodies and any HTTP status.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "ndjson.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

typedef struct events {
	bq_buf log;     /* "S<path>\n" / "E<path>=<len>:<text><t>\n" */
	int depth;
	size_t keys;    /* /ListBucketResult/Contents/Key seen */
	size_t contents, prefixes; /* Contents, CommonPrefixes elements ended */
} events;

static int ev_start(void *ud, const char *path)
{
	events *e = ud;

	if (path[0] != '/')
		FAIL();
	e->depth++;
	bq_buf_printf(&e->log, "S%s\n", path);
	return 0;
}

static int ev_end(void *ud, const char *path, const char *text, size_t len,
		  bool truncated)
{
	events *e = ud;

	if (path[0] != '/' || e->depth <= 0 || (len && !text) ||
	    (text && strlen(text) > len))
		FAIL();
	e->depth--;
	bq_buf_printf(&e->log, "E%s=%zu:", path, len);
	bq_buf_append(&e->log, text, len);
	bq_buf_printf(&e->log, "%c\n", truncated ? 'T' : '-');
	if (strcmp(path, "/ListBucketResult/Contents/Key") == 0)
		e->keys++;
	else if (strcmp(path, "/ListBucketResult/Contents") == 0)
		e->contents++;
	else if (strcmp(path, "/ListBucketResult/CommonPrefixes") == 0)
		e->prefixes++;
	return 0;
}

/* ---- bq_s3_list_parse ---- */

typedef struct listing {
	int mode;              /* 0 go on, 1 stop after the first, 2 abort */
	size_t objects, prefixes;
} listing;

static int on_obj(const bq_s3_object *o, void *ud, bq_err *err)
{
	listing *l = ud;

	if (!o->key || !o->etag || !o->last_modified || !o->storage_class)
		FAIL();
	(void)strlen(o->key); /* ASan: NUL-terminated, still alive */
	(void)strlen(o->etag);
	l->objects++;
	if (l->mode == 2)
		return bq_fail(err, BQ_EXIT_RUNTIME, "fuzz abort");
	return l->mode == 1;
}

static int on_pfx(const char *prefix, void *ud, bq_err *err)
{
	listing *l = ud;

	(void)err;
	(void)strlen(prefix);
	l->prefixes++;
	return 0;
}

static void s3_list(const char *body, size_t n, int mode, int doc_rc,
		    const events *e)
{
	listing l;
	bq_err err;
	char *tok = (char *)1;
	bool trunc = true;
	int rc;

	memset(&l, 0, sizeof(l));
	memset(&err, 0, sizeof(err));
	l.mode = mode;
	rc = bq_s3_list_parse(body, n, on_obj, on_pfx, &l, &tok, &trunc, &err);
	if (rc != 0 && rc != -1)
		FAIL();
	if (rc < 0 && (tok || !err.message[0] || err.exit_status != BQ_EXIT_RUNTIME))
		FAIL();
	if (mode == 2 && l.objects) {
		if (rc != -1 || l.objects != 1 || strcmp(err.message, "fuzz abort") != 0)
			FAIL();
	} else if (mode == 1 && l.objects) {
		if (rc != 0 || l.objects != 1)
			FAIL();
	} else if (rc != doc_rc || (rc == 0 && (l.objects != e->contents ||
						 l.prefixes != e->prefixes))) {
		FAIL();
	}
	if (tok)
		(void)strlen(tok);
	free(tok);
}

static int run(const char *body, size_t n, size_t chunk, size_t cap,
	       events *e)
{
	bq_xml *x = bq_xml_new(ev_start, ev_end, e, cap);
	bq_err err;
	size_t off = 0;
	int rc = 0;

	if (!x)
		FAIL();
	while (rc == 0 && off < n) {
		size_t k = n - off < chunk ? n - off : chunk;

		rc = bq_xml_feed(x, body + off, k, false, "fuzz", &err);
		off += k;
	}
	/* ended as aws_s3.c ends a listing (corpus/xml/regress-null-final-feed.xml) */
	if (rc == 0)
		rc = bq_xml_feed(x, NULL, 0, true, "fuzz", &err);
	if (rc < 0 && (err.exit_status != BQ_EXIT_RUNTIME || !err.message[0]))
		FAIL();
	if (bq_xml_stopped(x) != 0 && bq_xml_stopped(x) != -1)
		FAIL(); /* our callbacks never stop; only a DOCTYPE does (-1) */
	bq_xml_free(x);
	return rc;
}

static const char *hdr(const void *ud, const char *name)
{
	const char *body = ud;

	if (strcmp(name, "x-amzn-errortype") == 0)
		return body[0] & 1 ? "ThrottlingException:http://internal" : NULL;
	if (strcmp(name, "x-amzn-requestid") == 0)
		return body[0] & 2 ? "11111111-2222-3333-4444-555555555555" : NULL;
	return NULL;
}

static void proto(const char *body, size_t n, uint8_t sel)
{
	static const char *const actions[] = { "AssumeRole",
		"AssumeRoleWithWebIdentity", "GetCallerIdentity", "" };
	static const int statuses[] = { 400, 403, 404, 429, 500, 503, 301, 0 };
	static const bq_service_id svcs[] = { BQ_SVC_STS, BQ_SVC_S3,
		BQ_SVC_LOGS, BQ_SVC_BEDROCK_RUNTIME };
	const bq_service *s = bq_service_get(svcs[sel & 3]);
	json_t *out = NULL;
	bq_err err;
	bq_buf b = BQ_BUF_INIT;

	if (bq_proto_query_parse(bq_service_get(BQ_SVC_STS), actions[(sel >> 2) & 3],
				 body, n, &out, &err) == 0) {
		if (!json_is_object(out) || bq_json_dump_compact(out, &b) < 0)
			FAIL();
		json_decref(out);
		bq_buf_release(&b);
	} else if (err.exit_status != BQ_EXIT_RUNTIME || out) {
		FAIL();
	}
	memset(&err, 0, sizeof(err));
	if (bq_proto_error(s, statuses[(sel >> 4) & 7], body, n,
			   (sel & 0x80) ? hdr : NULL, n ? body : "", &err) != -1)
		FAIL();
	if ((err.exit_status != BQ_EXIT_RUNTIME && err.exit_status != BQ_EXIT_CREDS) ||
	    !err.message[0] || !memchr(err.code, 0, sizeof(err.code)) ||
	    !memchr(err.message, 0, sizeof(err.message)) ||
	    !memchr(err.request_id, 0, sizeof(err.request_id)))
		FAIL();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	events whole, split;
	const char *body;
	size_t n, chunk, cap;
	int r1, r2;
	uint8_t sel;

	if (size < 1 || size > (1 << 20))
		return 0;
	sel = data[0];
	body = (const char *)data + 1;
	n = size - 1;
	chunk = (size_t)(sel & 63) + 1;
	cap = (sel & 64) ? 7 : 0; /* a tiny cap exercises truncation */
	memset(&whole, 0, sizeof(whole));
	memset(&split, 0, sizeof(split));
	r1 = run(body, n, n ? n : 1, cap, &whole);
	r2 = run(body, n, chunk, cap, &split);
	if (r1 != r2 || whole.log.len != split.log.len || whole.keys != split.keys ||
	    (whole.log.len && memcmp(whole.log.data, split.log.data, whole.log.len) != 0))
		FAIL();
	if (r1 == 0 && whole.depth != 0)
		FAIL(); /* a complete document closes every element */
	if (cap == 0) /* the same parser with the same (64 KiB) text cap */
		s3_list(body, n, (sel & 0x80) ? 1 + (sel & 1) : 0, r1, &whole);
	bq_buf_release(&whole.log);
	bq_buf_release(&split.log);
	proto(body, n, sel);
	return 0;
}
