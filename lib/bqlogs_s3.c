/*
 * bq-logs --s3: find the account and region folders (find_bases), list
 * their hourly prefixes of the window, fetch the objects
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

struct strs {
	char **v;
	size_t n, cap;
};

static int strs_add(struct strs *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strndup(s, len)))
		return -1;
	l->n++;
	return 0;
}

static void strs_free(struct strs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Log keys of one hour's listing go to out. */
struct keys {
	struct strs *out;
	const char *hour_prefix;
};

static int add_key(const bq_s3_object *obj, void *ud, bq_err *err)
{
	struct keys *k = ud;

	if (!bq_invlog_is_log_key(k->hour_prefix, obj->key))
		return 0;
	if (strs_add(k->out, obj->key, strlen(obj->key)) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
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
	struct strs *keys;
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
		     struct strs *keys, bq_err *err)
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
	bq_aws_batch_free(batch);
	bq_ordered_free(R.ord);
	bq_gzlines_release(&R.gz);
	bq_buf_release(&R.src);
	free(R.ctx);
	return r;
}

/* ---- which AWSLogs/<account>/.../<region>/ folders to read ---- */

/* A common prefix "<parent><name>/": keeps name. */
static int add_folder(const char *prefix, void *ud, bq_err *err)
{
	struct strs *l = ud;
	size_t n = strlen(prefix);
	const char *name;

	if (n < 2 || prefix[n - 1] != '/')
		return 0;
	for (name = prefix + n - 1; name > prefix && name[-1] != '/'; name--)
		;
	if (strs_add(l, name, (size_t)(prefix + n - 1 - name)) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return 0;
}

/* The folders one level below bucket/parent ("" for none). */
static int folders(bq_aws *aws, const char *bucket, const char *parent,
		   struct strs *out, bq_err *err)
{
	return bq_s3_list_prefixes(aws, bucket, parent, "/", add_folder, out, err);
}

static int add_base(struct strs *bases, const bq_invlog_loc *loc,
		    const char *account, const char *region, bq_err *err)
{
	bq_buf b = BQ_BUF_INIT;
	int r = 0;

	if (bq_invlog_base(loc, account, region, &b) < 0 ||
	    strs_add(bases, bq_buf_cstr(&b), b.len) < 0)
		r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	bq_buf_release(&b);
	return r;
}

/* The caller's account (STS), when the bucket cannot tell. */
static int caller_account(bq_aws *aws, struct strs *accounts, bq_err *err)
{
	json_t *id = NULL;
	const char *a;
	int r = 0;

	if (bq_sts_get_caller_identity(aws, &id, err) < 0)
		return -1;
	a = json_string_value(json_object_get(id, "Account"));
	if (!a || !*a)
		r = bq_fail(err, BQ_EXIT_RUNTIME,
			    "cannot tell the account (give s3://bucket/prefix/AWSLogs/ACCOUNT/)");
	else if (strs_add(accounts, a, strlen(a)) < 0)
		r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	json_decref(id);
	return r;
}

/*
 * The <prefix>AWSLogs/<account>/BedrockModelInvocationLogs/<region>/
 * folders to read.  What the URL names is taken as given (its account, and
 * its region or else the configured one).  A URL that stops before the
 * account reads every account found under AWSLogs/, each in every region
 * found under it; when the bucket shows none (nothing delivered yet, or
 * listing that level is not allowed), the caller's account (STS) in the
 * configured region.
 */
static int find_bases(bqlogs *L, bq_aws *aws, const bq_invlog_loc *loc,
		      struct strs *bases, bq_err *err)
{
	struct strs accounts = { NULL, 0, 0 }, regions = { NULL, 0, 0 };
	const char *conf_region = bq_aws_region(aws);
	bq_buf parent = BQ_BUF_INIT;
	bq_err lerr;
	size_t i, k;
	int r = 0;

	if (loc->account)
		return add_base(bases, loc, loc->account,
				loc->region ? loc->region : conf_region, err);
	bq_err_clear(&lerr);
	if (bq_buf_printf(&parent, "%sAWSLogs/", loc->prefix ? loc->prefix : "") < 0) {
		r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	if (folders(aws, loc->bucket, bq_buf_cstr(&parent), &accounts, &lerr) < 0) {
		if (lerr.exit_status != BQ_EXIT_CREDS) {
			*err = lerr;
			r = -1;
			goto out;
		}
		if (L->cli->debug)
			bq_msg("cannot list s3://%s/%s (%s): asking STS for the account",
			       loc->bucket, bq_buf_cstr(&parent), lerr.message);
		strs_free(&accounts);
	}
	if (!accounts.n) {
		r = caller_account(aws, &accounts, err);
		if (r == 0)
			r = add_base(bases, loc, accounts.v[0], conf_region, err);
		goto out;
	}
	for (i = 0; i < accounts.n && r == 0; i++) {
		bq_buf_reset(&parent);
		if (bq_buf_printf(&parent, "%sAWSLogs/%s/BedrockModelInvocationLogs/",
				  loc->prefix ? loc->prefix : "", accounts.v[i]) < 0) {
			r = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		strs_free(&regions);
		r = folders(aws, loc->bucket, bq_buf_cstr(&parent), &regions, err);
		for (k = 0; k < regions.n && r == 0; k++)
			r = add_base(bases, loc, accounts.v[i], regions.v[k], err);
	}
out:
	strs_free(&accounts);
	strs_free(&regions);
	bq_buf_release(&parent);
	return r;
}

int bqlogs_read_s3(bqlogs *L, const char *url, bq_err *err)
{
	bq_invlog_loc loc;
	bq_aws *aws;
	bq_buf hp = BQ_BUF_INIT;
	struct strs keys = { NULL, 0, 0 }, bases = { NULL, 0, 0 };
	struct keys listing;
	int64_t hour;
	size_t nh, i, b;
	int r = -1;

	if (bq_invlog_parse_s3(url, &loc, err) < 0)
		return -1;
	if (bqlogs_aws(L, &aws, err) < 0 || find_bases(L, aws, &loc, &bases, err) < 0)
		goto out;
	/* Only the hours the window touches are listed, hour by hour across
	 * the folders (so records come out roughly in time order); the
	 * records' own timestamps then cut the window exactly. */
	nh = bq_invlog_hours(L->since_ms, L->until_ms, &hour);
	for (i = 0; i < nh; i++, hour += BQ_HOUR_MS) {
		for (b = 0; b < bases.n; b++) {
			if (bq_invlog_hour_prefix(bases.v[b], hour, &hp) < 0) {
				bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
				goto out;
			}
			listing.out = &keys;
			listing.hour_prefix = bq_buf_cstr(&hp);
			if (bq_s3_list(aws, loc.bucket, listing.hour_prefix, NULL,
				       add_key, &listing, err) < 0)
				goto out;
		}
	}
	if (L->cli->debug) {
		for (b = 0; b < bases.n; b++)
			bq_msg("reading s3://%s/%s", loc.bucket, bases.v[b]);
		bq_msg("%zu object%s in %zu hour%s of %zu folder%s", keys.n,
		       keys.n == 1 ? "" : "s", nh, nh == 1 ? "" : "s", bases.n,
		       bases.n == 1 ? "" : "s");
	}
	r = keys.n ? fetch_all(L, aws, loc.bucket, &keys, err) : 0;
out:
	strs_free(&keys);
	strs_free(&bases);
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
	if (bqlogs_aws(L, &aws, err) < 0 ||
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
