/*
 * aws_s3.c: the S3 operations bq needs (rest-xml): ListObjectsV2 (keys
 * and, with a delimiter, common prefixes) parsed as it streams in,
 * GetObject streamed to a callback with Range resume, PutObject and
 * CreateBucket.
 */
#include "aws_s3.h"

#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "uri.h"

/* ---- s3:// URLs ---- */

int bq_s3_parse_url(const char *url, char **bucket, char **prefix, bq_err *err)
{
	const char *b, *slash;
	size_t bl;

	*bucket = *prefix = NULL;
	if (!url || strncmp(url, "s3://", 5) != 0)
		return bq_fail(err, BQ_EXIT_USAGE, "'%s' is not an s3://bucket/prefix URL",
			       url ? url : "");
	b = url + 5;
	slash = strchr(b, '/');
	bl = slash ? (size_t)(slash - b) : strlen(b);
	if (bl == 0)
		return bq_fail(err, BQ_EXIT_USAGE, "'%s' has no bucket name", url);
	*bucket = strndup(b, bl);
	*prefix = strdup(slash ? slash + 1 : "");
	if (!*bucket || !*prefix) {
		free(*bucket);
		free(*prefix);
		*bucket = *prefix = NULL;
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

/* ---- ListObjectsV2 ---- */

struct list_state {
	bq_s3_object_fn fn;
	bq_s3_prefix_fn prefix_fn;
	void *ud;
	bq_err *user_err;     /* where fn reports */
	bq_err xml_err;
	bq_xml *xml;
	/* the object being read */
	bq_buf key, etag, modified, sclass;
	long long size;
	bq_buf prefix;        /* the common prefix being read */
	/* page state */
	size_t seen;          /* entries parsed in this attempt */
	size_t delivered;     /* entries of this page handed to a callback */
	bool truncated;
	char *next_token;
	int stop;             /* fn's non-zero answer */
};

/* S3's encoding-type=url: '+' is a space, %XX a byte (botocore's
 * unquote_plus). */
static int url_decode(bq_buf *out, const char *s, size_t n)
{
	bq_buf tmp = BQ_BUF_INIT;
	size_t i;
	int rc;

	bq_buf_reset(out);
	for (i = 0; i < n; i++)
		if (bq_buf_putc(&tmp, s[i] == '+' ? ' ' : s[i]) < 0) {
			bq_buf_release(&tmp);
			return -1;
		}
	rc = bq_uri_decode(out, bq_buf_cstr(&tmp), tmp.len);
	bq_buf_release(&tmp);
	if (rc == 0 && !out->data)
		rc = bq_buf_reserve(out, 1);
	return rc;
}

static int list_start(void *ud, const char *path)
{
	struct list_state *st = ud;

	if (strcmp(path, "/ListBucketResult/CommonPrefixes") == 0) {
		bq_buf_reset(&st->prefix);
	} else if (strcmp(path, "/ListBucketResult/Contents") == 0) {
		bq_buf_reset(&st->key);
		bq_buf_reset(&st->etag);
		bq_buf_reset(&st->modified);
		bq_buf_reset(&st->sclass);
		st->size = -1;
	}
	return 0;
}

static int list_end(void *ud, const char *path, const char *text, size_t len,
		    bool truncated)
{
	struct list_state *st = ud;
	const char *leaf;

	(void)truncated;
	if (strncmp(path, "/ListBucketResult/", 18) != 0)
		return 0;
	leaf = path + 18;
	if (strcmp(leaf, "Contents/Key") == 0) {
		if (url_decode(&st->key, text, len) < 0)
			return -2;
	} else if (strcmp(leaf, "Contents/Size") == 0) {
		st->size = strtoll(text, NULL, 10);
	} else if (strcmp(leaf, "Contents/ETag") == 0) {
		bq_buf_reset(&st->etag);
		bq_buf_append(&st->etag, text, len);
	} else if (strcmp(leaf, "Contents/LastModified") == 0) {
		bq_buf_reset(&st->modified);
		bq_buf_append(&st->modified, text, len);
	} else if (strcmp(leaf, "Contents/StorageClass") == 0) {
		bq_buf_reset(&st->sclass);
		bq_buf_append(&st->sclass, text, len);
	} else if (strcmp(leaf, "CommonPrefixes/Prefix") == 0) {
		if (url_decode(&st->prefix, text, len) < 0)
			return -2;
	} else if (strcmp(leaf, "Contents") == 0 ||
		   strcmp(leaf, "CommonPrefixes") == 0) {
		bool obj = leaf[0] == 'C' && leaf[1] == 'o' && leaf[2] == 'n';
		bq_s3_object o;
		int rc;

		if (obj ? !st->fn : !st->prefix_fn)
			return 0;
		/* a retried page parses again what was already handed over */
		if (++st->seen <= st->delivered)
			return 0;
		st->delivered++;
		if (obj) {
			o.key = bq_buf_cstr(&st->key);
			o.size = st->size;
			o.etag = bq_buf_cstr(&st->etag);
			o.last_modified = bq_buf_cstr(&st->modified);
			o.storage_class = bq_buf_cstr(&st->sclass);
			rc = st->fn(&o, st->ud, st->user_err);
		} else {
			rc = st->prefix_fn(bq_buf_cstr(&st->prefix), st->ud,
					   st->user_err);
		}
		if (rc) {
			st->stop = rc;
			return rc;
		}
	} else if (strcmp(leaf, "IsTruncated") == 0) {
		st->truncated = len == 4 && memcmp(text, "true", 4) == 0;
	} else if (strcmp(leaf, "NextContinuationToken") == 0) {
		free(st->next_token);
		st->next_token = strndup(text, len);
		if (!st->next_token)
			return -2;
	}
	return 0;
}

static void list_state_init(struct list_state *st, bq_s3_object_fn fn,
			    bq_s3_prefix_fn prefix_fn, void *ud, bq_err *err)
{
	memset(st, 0, sizeof(*st));
	st->fn = fn;
	st->prefix_fn = prefix_fn;
	st->ud = ud;
	st->user_err = err;
	bq_buf_init(&st->key, 0);
	bq_buf_init(&st->etag, 0);
	bq_buf_init(&st->modified, 0);
	bq_buf_init(&st->sclass, 0);
	bq_buf_init(&st->prefix, 0);
}

static void list_state_release(struct list_state *st)
{
	bq_xml_free(st->xml);
	st->xml = NULL;
	free(st->next_token);
	st->next_token = NULL;
	bq_buf_release(&st->key);
	bq_buf_release(&st->etag);
	bq_buf_release(&st->modified);
	bq_buf_release(&st->sclass);
	bq_buf_release(&st->prefix);
}

/* The end of a page's XML: 0 (also when a callback stopped quietly), or -1
 * with err (a callback's own message when it aborted). */
static int list_finish(struct list_state *st, bq_err *err)
{
	bq_err xerr;

	if (bq_xml_feed(st->xml, NULL, 0, true, "S3 ListObjectsV2", &xerr) == 0)
		return 0;
	if (st->stop > 0)
		return 0;
	if (st->stop == 0 || err != st->user_err)
		*err = st->stop < 0 ? *st->user_err : xerr;
	return -1;
}

static int list_attempt(void *ud, bq_request *req, bq_err *err)
{
	struct list_state *st = ud;

	(void)req;
	bq_xml_free(st->xml);
	st->xml = bq_xml_new(list_start, list_end, st, 0);
	if (!st->xml)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	st->seen = 0;
	st->truncated = false;
	free(st->next_token);
	st->next_token = NULL;
	return 0;
}

static int list_sink(void *ud, const char *data, size_t n)
{
	struct list_state *st = ud;

	if (bq_xml_feed(st->xml, data, n, false, "S3 ListObjectsV2", &st->xml_err) < 0) {
		if (st->stop > 0)
			return 1;      /* fn said stop: quietly */
		if (st->stop < 0) {
			st->xml_err = *st->user_err;
			return -1;
		}
		return -1;
	}
	return 0;
}

int bq_s3_list_parse(const char *xml, size_t n, bq_s3_object_fn on_object,
		     bq_s3_prefix_fn on_prefix, void *ud, char **next_token,
		     bool *truncated, bq_err *err)
{
	struct list_state st;
	int rc;

	*next_token = NULL;
	*truncated = false;
	list_state_init(&st, on_object, on_prefix, ud, err);
	rc = list_attempt(&st, NULL, err);
	if (rc == 0 && n && list_sink(&st, xml, n) != 0)
		rc = st.stop > 0 ? 0 : -1;
	if (rc < 0 && st.stop == 0 && st.xml_err.exit_status)
		*err = st.xml_err;
	else if (rc == 0 && st.stop <= 0)
		rc = list_finish(&st, err);
	if (rc == 0 && st.stop <= 0) {
		*truncated = st.truncated;
		*next_token = st.next_token;
		st.next_token = NULL;
	}
	list_state_release(&st);
	return rc;
}

int bq_s3_list(bq_aws *a, const char *bucket, const char *prefix,
	       const char *start_after, bq_s3_object_fn fn, void *ud,
	       bq_err *err)
{
	return bq_s3_list_ex(a, bucket, prefix, start_after, 0, fn, ud, err);
}

int bq_s3_list_ex(bq_aws *a, const char *bucket, const char *prefix,
		  const char *start_after, int max_keys, bq_s3_object_fn fn,
		  void *ud, bq_err *err)
{
	bq_s3_list_opts o;

	memset(&o, 0, sizeof(o));
	o.start_after = start_after;
	o.max_keys = max_keys;
	o.on_object = fn;
	o.ud = ud;
	return bq_s3_list_with(a, bucket, prefix, &o, err);
}

int bq_s3_list_prefixes(bq_aws *a, const char *bucket, const char *prefix,
			const char *delimiter, bq_s3_prefix_fn fn, void *ud,
			bq_err *err)
{
	bq_s3_list_opts o;

	memset(&o, 0, sizeof(o));
	o.delimiter = delimiter && *delimiter ? delimiter : "/";
	o.on_prefix = fn;
	o.ud = ud;
	return bq_s3_list_with(a, bucket, prefix, &o, err);
}

/* The query of one ListObjectsV2 page. */
static int list_query(bq_buf *q, const char *prefix, const bq_s3_list_opts *o,
		      const char *token)
{
	char mk[24];

	bq_buf_reset(q);
	if (bq_aws_query_add(q, "list-type", "2") < 0 ||
	    bq_aws_query_add(q, "encoding-type", "url") < 0 ||
	    (prefix && *prefix && bq_aws_query_add(q, "prefix", prefix) < 0) ||
	    (o->delimiter && *o->delimiter &&
	     bq_aws_query_add(q, "delimiter", o->delimiter) < 0) ||
	    (token && bq_aws_query_add(q, "continuation-token", token) < 0))
		return -1;
	if (o->max_keys > 0) {
		bq_snprintf(mk, sizeof(mk), "%d", o->max_keys);
		if (bq_aws_query_add(q, "max-keys", mk) < 0)
			return -1;
	}
	if (!token && o->start_after && *o->start_after &&
	    bq_aws_query_add(q, "start-after", o->start_after) < 0)
		return -1;
	return 0;
}

int bq_s3_list_with(bq_aws *a, const char *bucket, const char *prefix,
		    const bq_s3_list_opts *o, bq_err *err)
{
	struct list_state st;
	bq_buf q = BQ_BUF_INIT;
	char *token = NULL;
	int rc = 0;

	list_state_init(&st, o->on_object, o->on_prefix, o->ud, err);
	for (;;) {
		bq_aws_request r;
		bq_aws_xopts xo;

		if (list_query(&q, prefix, o, token) < 0) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		memset(&r, 0, sizeof(r));
		r.svc = BQ_SVC_S3;
		r.method = "GET";
		r.path = "/";
		r.query = bq_buf_cstr(&q);
		memset(&xo, 0, sizeof(xo));
		xo.label = "ListObjectsV2";
		xo.s3_bucket = bucket;
		xo.sink = list_sink;
		xo.sink_ud = &st;
		xo.on_attempt = list_attempt;
		xo.attempt_ud = &st;
		st.delivered = 0;
		st.stop = 0;
		bq_err_clear(&st.xml_err);
		rc = bq_aws_send_ex(a, &r, &xo, NULL, &st.xml_err, err);
		if (rc < 0 || st.stop > 0) {
			rc = rc < 0 ? -1 : 0;
			break;
		}
		if (list_finish(&st, err) < 0) {
			rc = -1;
			break;
		}
		if (st.stop > 0)
			break;
		if (!st.truncated || !st.next_token || !*st.next_token)
			break;
		free(token);
		token = st.next_token;
		st.next_token = NULL;
	}
	list_state_release(&st);
	free(token);
	bq_buf_release(&q);
	return rc;
}

/* ---- GetObject ---- */

int bq_s3get_attempt(void *ud, bq_request *req, bq_err *err)
{
	bq_s3get *g = ud;
	char range[64];

	g->range_from = g->delivered;
	g->attempt_pos = 0;
	if (g->delivered == 0)
		return 0;
	bq_snprintf(range, sizeof(range), "bytes=%zu-", g->delivered);
	return bq_request_set_header(req, "Range", range, err);
}

int bq_s3get_sink(void *ud, const char *data, size_t n)
{
	bq_s3get *g = ud;
	/* a server that ignored Range (200, not 206) starts from byte 0 */
	size_t start = g->x && g->x->status == 206 ? g->range_from : 0;
	size_t abs = start + g->attempt_pos;
	int rc = 0;

	g->attempt_pos += n;
	if (abs + n <= g->delivered)
		return 0;
	if (abs < g->delivered) {
		size_t skip = g->delivered - abs;

		data += skip;
		n -= skip;
	}
	g->delivered += n;
	rc = g->fn(data, n, g->ud, &g->err);
	return rc;
}

int bq_s3get_init(bq_s3get *g, const char *bucket, const char *key,
		  bq_aws_data_fn fn, void *ud, bq_aws_request *r,
		  bq_aws_xopts *xo, bq_err *err)
{
	memset(g, 0, sizeof(*g));
	g->fn = fn;
	g->ud = ud;
	bq_buf_init(&g->path, 0);
	if (!key || !*key)
		return bq_fail(err, BQ_EXIT_USAGE, "empty S3 key");
	if (bq_buf_putc(&g->path, '/') < 0 || bq_proto_encode_key(&g->path, key) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	memset(r, 0, sizeof(*r));
	r->svc = BQ_SVC_S3;
	r->method = "GET";
	r->path = bq_buf_cstr(&g->path);
	memset(xo, 0, sizeof(*xo));
	xo->label = "GetObject";
	xo->s3_bucket = bucket;
	xo->raw = true;
	xo->sink = bq_s3get_sink;
	xo->sink_ud = g;
	xo->on_attempt = bq_s3get_attempt;
	xo->attempt_ud = g;
	return 0;
}

void bq_s3get_release(bq_s3get *g)
{
	bq_buf_release(&g->path);
}

int bq_s3_get(bq_aws *a, const char *bucket, const char *key,
	      bq_aws_data_fn fn, void *ud, bq_err *err)
{
	bq_s3get g;
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_call c;
	int rc;

	if (bq_s3get_init(&g, bucket, key, fn, ud, &r, &xo, err) < 0) {
		bq_s3get_release(&g);
		return -1;
	}
	rc = bq_call_init(&c, a, &r, &xo, false, err);
	if (rc == 0) {
		g.x = &c.x;
		rc = bq_call_run(&c, &g.err, err);
		/* the whole object had arrived before the connection broke */
		if (rc < 0 && err->http_status == 416 && g.delivered > 0)
			rc = 0;
		bq_call_release(&c);
	}
	bq_s3get_release(&g);
	return rc;
}

/* ---- PutObject, CreateBucket ---- */

/* A PUT of body to bucket/path (encoded; "/" for the bucket itself). */
static int s3_put(bq_aws *a, const char *bucket, const char *label,
		  const char *path, const char *const *headers, const void *body,
		  size_t len, const char *content_type, bq_err *err)
{
	bq_aws_request r;
	bq_aws_xopts xo;

	memset(&r, 0, sizeof(r));
	r.svc = BQ_SVC_S3;
	r.method = "PUT";
	r.path = path;
	r.headers = headers;
	r.body = body;
	r.body_len = len;
	r.content_type = content_type;
	memset(&xo, 0, sizeof(xo));
	xo.label = label;
	xo.s3_bucket = bucket;
	return bq_aws_send_ex(a, &r, &xo, NULL, NULL, err);
}

int bq_s3_put(bq_aws *a, const char *bucket, const char *key,
	      const void *data, size_t len, const char *content_type,
	      const char *content_encoding, bq_err *err)
{
	bq_buf path = BQ_BUF_INIT, ce = BQ_BUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	int rc;

	if (!key || !*key)
		return bq_fail(err, BQ_EXIT_USAGE, "empty S3 key");
	if (bq_buf_putc(&path, '/') < 0 || bq_proto_encode_key(&path, key) < 0 ||
	    (content_encoding &&
	     bq_buf_printf(&ce, "Content-Encoding: %s", content_encoding) < 0)) {
		bq_buf_release(&path);
		bq_buf_release(&ce);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	if (content_encoding)
		hdrs[0] = bq_buf_cstr(&ce);
	rc = s3_put(a, bucket, "PutObject", bq_buf_cstr(&path), hdrs, data, len,
		    content_type ? content_type : "application/octet-stream", err);
	bq_buf_release(&path);
	bq_buf_release(&ce);
	return rc;
}

int bq_s3_create_bucket(bq_aws *a, const char *bucket, bq_err *err)
{
	const char *region = bq_aws_region(a);
	bq_buf body = BQ_BUF_INIT;
	int rc;

	if (strcmp(region, "us-east-1") != 0 &&
	    bq_buf_printf(&body,
			  "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
			  "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>",
			  region) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = s3_put(a, bucket, "CreateBucket", "/", NULL, body.data, body.len,
		    body.len ? "application/xml" : NULL, err);
	if (rc < 0 && strcmp(err->code, "BucketAlreadyOwnedByYou") == 0) {
		bq_err_clear(err);
		rc = 0;
	}
	bq_buf_release(&body);
	return rc;
}
