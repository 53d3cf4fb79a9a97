/*
 * bq-logs --s3: list the hourly prefixes of the window, fetch the objects
 * concurrently (-j) through the client's batch interface, and turn them
 * back into one stream in key order (lib/ordered.h) while gunzipping on the
 * fly (lib/gzlines.h).  Only the head object is ever decoded; later
 * objects wait compressed, at most 2 x -j of them.
 */
#include "bqlogs.h"
#include "bqlogs_internal.h"

#include "buf.h"
#include "gzlines.h"
#include "invlog_keys.h"
#include "ndjson.h"
#include "ordered.h"

#include <stdlib.h>
#include <string.h>

struct keys {
	char **v;
	size_t n, cap;
	const char *hour_prefix;
};

static int add_key(const bq_s3_object *obj, void *ud, bq_err *err)
{
	struct keys *k = ud;

	if (!bq_invlog_is_log_key(k->hour_prefix, obj->key))
		return 0;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 64;
		char **v = realloc(k->v, cap * sizeof(*v));

		if (!v)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		k->v = v;
		k->cap = cap;
	}
	if (!(k->v[k->n] = strdup(obj->key)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	k->n++;
	return 0;
}

struct s3run;

struct objctx {
	struct s3run *run;
	size_t idx;
};

struct s3run {
	bqlogs *L;
	const char *bucket;
	struct keys *keys;
	bq_ordered *ord;
	bq_gzlines gz;
	struct objctx *ctx;    /* ring of `window` per-call contexts */
	size_t window;
	bool bad;              /* the head object's data is damaged */
	size_t src_idx;
	bq_buf src;            /* "s3://bucket/key" of the head object */
	int line_rc;           /* last bqlogs_line result */
	bq_err fatal;          /* a write error, for the batch */
};

static const char *src_of(struct s3run *R, size_t idx)
{
	if (R->src_idx != idx || R->src.len == 0) {
		bq_buf_reset(&R->src);
		bq_buf_printf(&R->src, "s3://%s/%s", R->bucket, R->keys->v[idx]);
		R->src_idx = idx;
	}
	return bq_buf_cstr(&R->src);
}

static int on_line(const char *line, size_t n, size_t lineno, void *ud)
{
	struct s3run *R = ud;

	R->line_rc = bqlogs_line(R->L, line, n, bq_buf_cstr(&R->src), lineno,
				 &R->fatal);
	return R->line_rc;
}

/* Bytes of the head object, in order. */
static int ord_data(size_t idx, const void *p, size_t n, void *ud)
{
	struct s3run *R = ud;
	bq_err e;
	int r;

	if (R->bad)
		return 0;
	src_of(R, idx);
	R->line_rc = 0;
	r = bq_gzlines_feed(&R->gz, p, n, &e);
	if (r < 0 && R->line_rc == 0) {
		/* damaged object: say which, skip the rest of it */
		bqlogs_reject(R->L, bq_buf_cstr(&R->src), 0, e.message);
		R->bad = true;
		return 0;
	}
	return r;
}

static int ord_end(size_t idx, const bq_err *fail, void *ud)
{
	struct s3run *R = ud;
	const char *src = src_of(R, idx);
	bq_err e;
	int r = 0;

	if (fail) {
		bqlogs_failed(R->L, src, fail);
	} else if (!R->bad) {
		R->line_rc = 0;
		r = bq_gzlines_finish(&R->gz, &e);
		if (r < 0 && R->line_rc == 0) {
			bqlogs_reject(R->L, src, 0, e.message);
			r = 0;
		}
	}
	bq_gzlines_reset(&R->gz);
	R->bad = false;
	R->L->objects++;
	free(R->keys->v[idx]);
	R->keys->v[idx] = NULL;
	return r;
}

static int call_data(const void *data, size_t n, void *ud, bq_err *err)
{
	struct objctx *c = ud;
	int r = bq_ordered_data(c->run->ord, c->idx, data, n);

	if (r < 0)
		*err = c->run->fatal;
	return r;
}

static int call_done(size_t index, json_t *output, const bq_err *call_err,
		     void *ud)
{
	struct objctx *c = ud;

	(void)output;
	return bq_ordered_end(c->run->ord, index, call_err);
}

static int fetch_all(bqlogs *L, bq_aws *aws, const char *bucket,
		     struct keys *keys, bq_err *err)
{
	struct s3run R;
	bq_aws_batch *batch = NULL;
	size_t next = 0;
	int r = 0;

	memset(&R, 0, sizeof(R));
	R.L = L;
	R.bucket = bucket;
	R.keys = keys;
	/* Twice the connections: objects that finish early wait while the
	 * head is still streaming, without stalling the pipes. */
	R.window = (size_t)L->jobs * 2;
	bq_buf_init(&R.src, 0);
	bq_err_clear(&R.fatal);
	bq_fail(&R.fatal, BQ_EXIT_RUNTIME, "cannot write the output");
	bq_gzlines_init(&R.gz, 0, on_line, &R);
	R.ctx = calloc(R.window, sizeof(*R.ctx));
	if (!R.ctx || bq_ordered_new(&R.ord, R.window, ord_data, ord_end, &R) < 0) {
		r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if (bq_aws_batch_new(aws, L->jobs, &batch, err) < 0) {
		r = -1;
		goto out;
	}
	L->in_batch = true;
	for (;;) {
		while (next < keys->n && bq_ordered_has_room(R.ord, next)) {
			struct objctx *c = &R.ctx[next % R.window];

			c->run = &R;
			c->idx = next;
			if (bq_aws_batch_s3_get(batch, next, bucket, keys->v[next],
						call_data, call_done, c, err) < 0) {
				r = -1;
				goto out;
			}
			next++;
		}
		if (bq_aws_batch_pending(batch) == 0)
			break;
		r = bq_aws_batch_step(batch, err);
		if (r != 0)
			break;
	}
	if (r < 0 && R.line_rc < 0)
		*err = R.fatal;
out:
	L->in_batch = false;
	bq_aws_batch_free(batch);
	bq_ordered_free(R.ord);
	bq_gzlines_release(&R.gz);
	bq_buf_release(&R.src);
	free(R.ctx);
	return r;
}

/* The account whose logs to read: from the URL, else the caller's. */
static int account_of(bq_aws *aws, const bq_invlog_loc *loc, char *out,
		      size_t n, bq_err *err)
{
	json_t *id = NULL;
	const char *a;

	if (loc->account)
		return bq_strlcpy(out, loc->account, n) < 0 ? -1 : 0;
	if (bq_sts_get_caller_identity(aws, &id, err) < 0)
		return -1;
	a = json_string_value(json_object_get(id, "Account"));
	if (!a || bq_strlcpy(out, a, n) < 0) {
		json_decref(id);
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "cannot tell the account (give s3://bucket/prefix/AWSLogs/ACCOUNT/)");
	}
	json_decref(id);
	return 0;
}

int bqlogs_read_s3(bqlogs *L, const char *url, bq_err *err)
{
	bq_invlog_loc loc;
	bq_aws *aws;
	bq_buf base = BQ_BUF_INIT, hp = BQ_BUF_INIT;
	struct keys keys = { NULL, 0, 0, NULL };
	char account[32];
	const char *region;
	int64_t hour;
	size_t nh, i;
	int r = -1;

	if (bq_invlog_parse_s3(url, &loc, err) < 0)
		return -1;
	if (bqlogs_aws(L, &aws, err) < 0 ||
	    account_of(aws, &loc, account, sizeof(account), err) < 0)
		goto out;
	region = loc.region ? loc.region : bq_aws_region(aws);
	if (bq_invlog_base(&loc, account, region, &base) < 0) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	/* Only the hours the window touches are listed; the records' own
	 * timestamps then cut the window exactly. */
	nh = bq_invlog_hours(L->since_ms, L->until_ms, &hour);
	for (i = 0; i < nh; i++, hour += BQ_HOUR_MS) {
		if (bq_invlog_hour_prefix(bq_buf_cstr(&base), hour, &hp) < 0) {
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}
		keys.hour_prefix = bq_buf_cstr(&hp);
		if (bq_s3_list(aws, loc.bucket, keys.hour_prefix, NULL, add_key,
			       &keys, err) < 0)
			goto out;
	}
	if (L->cli->debug)
		bq_msg("%zu object%s in %zu hour%s of s3://%s/%s", keys.n,
		       keys.n == 1 ? "" : "s", nh, nh == 1 ? "" : "s",
		       loc.bucket, bq_buf_cstr(&base));
	r = keys.n ? fetch_all(L, aws, loc.bucket, &keys, err) : 0;
out:
	for (i = 0; i < keys.n; i++)
		free(keys.v[i]);
	free(keys.v);
	bq_buf_release(&base);
	bq_buf_release(&hp);
	bq_invlog_loc_release(&loc);
	return r;
}

/* ---- one object, whole (offloaded bodies) ---- */

struct whole {
	bq_gzlines gz;
	bq_buf text;
	bool damaged;
	bq_err why;
};

static int whole_line(const char *line, size_t n, size_t lineno, void *ud)
{
	struct whole *w = ud;

	if (!line)
		return -1;
	if ((lineno > 1 && bq_buf_putc(&w->text, '\n') < 0) ||
	    bq_buf_append(&w->text, line, n) < 0)
		return -1;
	return 0;
}

static int whole_data(const void *data, size_t n, void *ud, bq_err *err)
{
	struct whole *w = ud;

	if (w->damaged)
		return 0;
	if (bq_gzlines_feed(&w->gz, data, n, &w->why) < 0)
		w->damaged = true;
	(void)err;
	return 0;
}

int bqlogs_s3_json(bqlogs *L, const char *url, json_t **out, bq_err *err)
{
	struct whole w;
	bq_aws *aws;
	char *bucket = NULL, *key = NULL;
	json_error_t je;
	int r = -1;

	*out = NULL;
	if (bq_invlog_split_s3_url(url, &bucket, &key) < 0)
		return bq_fail(err, BQ_EXIT_INPUT, "not an s3:// URL");
	memset(&w, 0, sizeof(w));
	bq_buf_init(&w.text, 0);
	bq_gzlines_init(&w.gz, 0, whole_line, &w);
	if (bqlogs_side_aws(L, &aws, err) < 0 ||
	    bq_s3_get(aws, bucket, key, whole_data, &w, err) < 0)
		goto out;
	if (!w.damaged && bq_gzlines_finish(&w.gz, &w.why) < 0)
		w.damaged = true;
	if (w.damaged) {
		*err = w.why;
		goto out;
	}
	*out = json_loadb(w.text.data ? w.text.data : "", w.text.len, 0, &je);
	if (!*out) {
		/* NDJSON: one value per line, as an array */
		json_t *arr = json_array();
		const char *p = w.text.data, *end = p + w.text.len;

		while (arr && p && p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
			json_t *v = l ? json_loadb(p, l, 0, &je) : NULL;

			if (l && !v) {
				json_decref(arr);
				arr = NULL;
				break;
			}
			if (v)
				json_array_append_new(arr, v);
			p += l + 1;
		}
		if (!arr || json_array_size(arr) == 0) {
			json_decref(arr);
			bq_fail(err, BQ_EXIT_INPUT, "not JSON: %s", je.text);
			goto out;
		}
		*out = arr;
	}
	r = 0;
out:
	bq_gzlines_release(&w.gz);
	bq_buf_release(&w.text);
	free(bucket);
	free(key);
	return r;
}
