/*
 * bq_s3_list_parse: one ListObjectsV2 answer from a buffer, through the
 * parser bq_s3_list streams pages into.
 */
#include "aws.h"
#include "buf.h"
#include "t.h"

#include <stdlib.h>

struct seen {
	bq_buf log;
	int stop_after; /* 0: never */
	int n;
};

static int on_obj(const bq_s3_object *o, void *ud, bq_err *err)
{
	struct seen *s = ud;

	bq_buf_printf(&s->log, "%s %lld %s %s %s|", o->key, o->size, o->etag,
		      o->last_modified, o->storage_class);
	if (++s->n == s->stop_after)
		return 1;
	if (s->stop_after < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "no more please");
	return 0;
}

static int on_pfx(const char *prefix, void *ud, bq_err *err)
{
	struct seen *s = ud;

	(void)err;
	bq_buf_printf(&s->log, "P:%s|", prefix);
	return 0;
}

static const char page[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>b</Name><IsTruncated>true</IsTruncated>"
	"<Contents><Key>logs/a+b%2Fc.json.gz</Key><LastModified>2026-11-26T10:00:00.000Z</LastModified>"
	"<ETag>\"e1\"</ETag><Size>42</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<Contents><Key>logs/x</Key><LastModified>2026-11-26T11:00:00.000Z</LastModified>"
	"<ETag>\"e2\"</ETag><Size>7</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<CommonPrefixes><Prefix>logs/AWSLogs%2F</Prefix></CommonPrefixes>"
	"<NextContinuationToken>tok/1==</NextContinuationToken>"
	"</ListBucketResult>";

int main(void)
{
	struct seen s = { BQ_BUF_INIT, 0, 0 };
	char *tok = NULL;
	bool trunc = false;
	bq_err err;
	int rc;

	rc = bq_s3_list_parse(page, sizeof(page) - 1, on_obj, on_pfx, &s, &tok, &trunc, &err);
	T_OK(rc == 0, "a page parses");
	T_STREQ(bq_buf_cstr(&s.log),
		"logs/a b/c.json.gz 42 \"e1\" 2026-11-26T10:00:00.000Z STANDARD|"
		"logs/x 7 \"e2\" 2026-11-26T11:00:00.000Z STANDARD|P:logs/AWSLogs/|",
		"objects and prefixes in document order, keys url-decoded");
	T_OK(trunc && tok && strcmp(tok, "tok/1==") == 0, "IsTruncated and the continuation token");
	free(tok);

	bq_buf_reset(&s.log);
	s.n = 0;
	s.stop_after = 1;
	rc = bq_s3_list_parse(page, sizeof(page) - 1, on_obj, NULL, &s, &tok, &trunc, &err);
	T_OK(rc == 0 && s.n == 1 && !tok, "a callback stop ends quietly after one object");

	s.n = 0;
	s.stop_after = -1;
	rc = bq_s3_list_parse(page, sizeof(page) - 1, on_obj, NULL, &s, &tok, &trunc, &err);
	T_OK(rc == -1 && s.n == 1 && !tok, "a callback abort fails the parse");
	T_STREQ(err.message, "no more please", "with the callback's own message");

	rc = bq_s3_list_parse("<ListBucketResult><Contents>", 28, on_obj, NULL, &s, &tok,
			      &trunc, &err);
	T_OK(rc == -1 && err.exit_status == BQ_EXIT_RUNTIME && !tok, "a cut document is an error");
	T_OK(strstr(err.message, "ListObjectsV2") != NULL, "naming ListObjectsV2: %s", err.message);

	rc = bq_s3_list_parse("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>",
			      69, NULL, NULL, NULL, &tok, &trunc, &err);
	T_OK(rc == 0 && !trunc && !tok, "the last page: not truncated, no token");
	bq_buf_release(&s.log);
	return T_DONE();
}
