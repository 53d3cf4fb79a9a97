/*
 * trail: bq-trail's sources, LookupEvents and trail files in S3 (see the
 * header).
 */
#include "trail.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "aws_call.h"
#include "pacer.h"
#include "proto.h"

/* ---- shared: one CloudTrail record to the output ---- */

/* Returns 0, BQ_OUT_CLOSED, or -1. */
static int emit(bq_trail_ctx *c, const json_t *raw, const json_t *envelope,
		bq_err *err)
{
	json_t *rec = bq_trail_event_record(raw, envelope);
	int rc;

	if (!rec)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (!bq_trail_filter_match(&c->filter, rec)) {
		json_decref(rec);
		return 0;
	}
	if (c->raw) {
		json_decref(rec);
		rc = bq_out_emit(c->out, (json_t *)(raw ? raw : envelope), err);
	} else {
		rc = bq_out_emit_new(c->out, rec, err);
	}
	if (rc == 0)
		c->emitted++;
	return rc;
}

static void reject(bq_trail_ctx *c, const bq_err *e)
{
	bq_msg("%s", e->message);
	c->rejected++;
}

/* ---- LookupEvents ---- */

struct pace_hook {
	bq_trail_ctx *c;
	bq_pacer *p;
};

/* Runs before every attempt of a LookupEvents call, the client's retries
 * included, so a retry after a fault cannot exceed CloudTrail's 2
 * requests per second either. */
static int pace_attempt(void *ud, bq_request *req, bq_err *err)
{
	struct pace_hook *h = ud;
	double waited = bq_pacer_take(h->p);

	(void)req;
	(void)err;
	h->c->requests++;
	if (h->c->cli->debug && waited > 0)
		bq_logf("%s: paced %.3f s before LookupEvents\n", bq_progname(), waited);
	return 0;
}

/* One call per page from bq-trail itself: the client's retries
 * (--max-attempts) are the only re-sends, so a persistent fault ends the run
 * after exactly that many requests (issue 12).  The call is bq_aws_json_call
 * spelled out, for the per-attempt hook its options lack. */
static int lookup_page(bq_trail_ctx *c, bq_pacer *p, json_t *input,
		       json_t **page, bq_err *err)
{
	struct pace_hook h = { c, p };
	bq_proto_json_req pj;
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_buf body = BQ_BUF_INIT;
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	int rc;

	*page = NULL;
	rc = bq_call_json_request(BQ_SVC_CLOUDTRAIL, "LookupEvents", input, &body,
				  &pj, &r, &xo, err);
	if (rc == 0) {
		xo.on_attempt = pace_attempt;
		xo.attempt_ud = &h;
		rc = bq_aws_send_ex(c->aws, &r, &xo, &resp, NULL, err);
	}
	if (rc == 0)
		rc = bq_proto_json_parse(bq_service_get(BQ_SVC_CLOUDTRAIL),
					 resp.body.data, resp.body.len, page, err);
	bq_aws_response_free(&resp);
	bq_buf_release(&body);
	if (rc == 0)
		bq_pacer_ok(p);
	else if (err->throttling)
		c->throttled++;
	return rc;
}

int bq_trail_lookup(bq_trail_ctx *c, bq_err *err)
{
	bq_pacer pacer;
	json_t *input;
	int rc = 0;

	bq_pacer_init(&pacer, c->clock, BQ_TRAIL_RATE, 1.0);
	input = json_pack("{s:[{s:s,s:s}],s:I,s:I,s:i}",
			  "LookupAttributes", "AttributeKey", "EventSource",
			  "AttributeValue", c->source,
			  "StartTime", (json_int_t)c->cli->since,
			  "EndTime", (json_int_t)c->cli->until,
			  "MaxResults", c->page_size);
	if (!input)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");

	for (;;) {
		json_t *page = NULL;
		if (lookup_page(c, &pacer, input, &page, err) < 0) {
			rc = -1;
			break;
		}
		c->pages++;
		size_t i;
		json_t *ev;
		json_array_foreach(json_object_get(page, "Events"), i, ev) {
			json_t *raw = NULL;
			bq_err perr;
			bq_err_clear(&perr);
			if (bq_trail_parse_lookup(ev, &raw, &perr) < 0) {
				reject(c, &perr);
				continue;
			}
			rc = emit(c, raw, ev, err);
			json_decref(raw);
			if (rc)
				break;
		}
		/* A NextToken is only valid with the same parameters, so the
		 * input changes in that one member. */
		json_t *tok = json_object_get(page, "NextToken");
		if (rc == 0 && json_is_string(tok) && json_string_length(tok))
			json_object_set(input, "NextToken", tok);
		else
			tok = NULL;
		json_decref(page);
		if (rc || !tok)
			break;
	}
	json_decref(input);
	return rc == BQ_OUT_CLOSED ? 0 : rc;
}

/* ---- trail files in S3 ---- */

typedef struct trail_file {
	char *key;
	bool done;
	bool failed;
	bool started;   /* first bytes seen: gzip or not decided */
	bool gz;
	bool z_ready;
	bool z_end;     /* the last gzip member ended */
	z_stream z;
	bq_buf text;
	bq_err err;
} trail_file;

/* CloudTrail files are small (one per ~5 minutes per account and Region);
 * this only guards against something else sitting under the prefix. */
#define TRAIL_FILE_MAX ((size_t)512 << 20)

static int inflate_into(trail_file *f, const unsigned char *in, size_t n, bq_err *err)
{
	unsigned char out[65536];

	f->z.next_in = (unsigned char *)in;
	f->z.avail_in = (uInt)n;
	while (f->z.avail_in > 0) {
		f->z.next_out = out;
		f->z.avail_out = sizeof out;
		int zr = inflate(&f->z, Z_NO_FLUSH);
		if (bq_buf_append(&f->text, out, sizeof out - f->z.avail_out) < 0)
			return bq_fail(err, BQ_EXIT_INPUT, "larger than %zu bytes once decompressed",
				       TRAIL_FILE_MAX);
		if (zr == Z_STREAM_END) {
			/* gzip files may hold several members back to back */
			f->z_end = true;
			if (f->z.avail_in == 0)
				break;
			inflateReset(&f->z);
			f->z_end = false;
		} else if (zr == Z_BUF_ERROR && f->z.avail_out != 0) {
			break;
		} else if (zr != Z_OK) {
			return bq_fail(err, BQ_EXIT_INPUT, "bad gzip data: %s",
				       f->z.msg ? f->z.msg : "inflate failed");
		}
	}
	return 0;
}

static int on_data(const void *data, size_t n, void *ud, bq_err *err)
{
	trail_file *f = ud;
	const unsigned char *p = data;

	if (!f->started) {
		f->started = true;
		f->gz = n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
		if (f->gz) {
			memset(&f->z, 0, sizeof f->z);
			if (inflateInit2(&f->z, 15 + 32) != Z_OK)
				return bq_fail(err, BQ_EXIT_RUNTIME, "cannot start zlib");
			f->z_ready = true;
		}
	}
	if (f->gz) {
		/* A bad file is reported when its turn comes, not by failing
		 * the GET: the other files still count. */
		if (f->err.message[0] == '\0')
			inflate_into(f, p, n, &f->err);
		return 0;
	}
	if (bq_buf_append(&f->text, p, n) < 0 && f->err.message[0] == '\0')
		bq_fail(&f->err, BQ_EXIT_INPUT, "larger than %zu bytes", TRAIL_FILE_MAX);
	return 0;
}

static int on_done(size_t index, json_t *output, const bq_err *call_err, void *ud)
{
	trail_file *f = ud;
	(void)index;
	(void)output;
	f->done = true;
	if (call_err) {
		f->failed = true;
		f->err = *call_err;
	}
	return 0;
}

static void file_free(trail_file *f)
{
	if (f->z_ready)
		inflateEnd(&f->z);
	f->z_ready = false;
	bq_buf_release(&f->text);
	free(f->key);
	f->key = NULL;
}

/* Emits the records of one fetched file.  0, BQ_OUT_CLOSED or -1. */
static int process_file(bq_trail_ctx *c, const char *bucket, trail_file *f,
			bq_err *err)
{
	double since = (double)c->cli->since, until = (double)c->cli->until;
	json_error_t jerr;
	bq_err ferr;
	int rc = 0;

	bq_err_clear(&ferr);
	if (f->gz && !f->z_end && f->err.message[0] == '\0')
		bq_fail(&f->err, BQ_EXIT_INPUT, "truncated gzip data");
	if (f->err.message[0]) {
		bq_fail(&ferr, BQ_EXIT_INPUT, "s3://%s/%s: %s", bucket, f->key, f->err.message);
		reject(c, &ferr);
		return 0;
	}
	json_t *doc = json_loadb(f->text.data ? f->text.data : "", f->text.len, 0, &jerr);
	json_t *records = json_object_get(doc, "Records");
	if (!json_is_array(records)) {
		bq_fail(&ferr, BQ_EXIT_INPUT, "s3://%s/%s: %s", bucket, f->key,
			doc ? "no \"Records\" array" : jerr.text);
		reject(c, &ferr);
		json_decref(doc);
		return 0;
	}
	c->files++;
	size_t i;
	json_t *r;
	json_array_foreach(records, i, r) {
		if (!json_is_object(r))
			continue;
		const json_t *et = json_object_get(r, "eventTime");
		double t = bq_trail_time(json_string_value(et));
		if (t >= 0 && (t < since || t > until))
			continue;
		if ((rc = emit(c, r, NULL, err)) != 0)
			break;
	}
	json_decref(doc);
	return rc;
}

double bq_trail_file_time(const char *key)
{
	const char *p = key ? strstr(key, "_CloudTrail_") : NULL;
	char iso[32];

	if (!p)
		return -1;
	p = strchr(p + 12, '_'); /* after the region */
	if (!p || strlen(p + 1) < 14 || p[9] != 'T' || p[14] != 'Z')
		return -1;
	p++;
	for (int i = 0; i < 13; i++)
		if (i != 8 && !isdigit((unsigned char)p[i]))
			return -1;
	bq_snprintf(iso, sizeof iso, "%.4s-%.2s-%.2sT%.2s:%.2s:00Z", p, p + 4, p + 6, p + 9, p + 11);
	return bq_trail_time(iso);
}

typedef struct key_list {
	char **keys;
	size_t n, cap;
	double lo, hi; /* window for the file-name time */
	bq_trail_ctx *c;
} key_list;

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && strcmp(s + a - b, suf) == 0;
}

static int on_object(const bq_s3_object *obj, void *ud, bq_err *err)
{
	key_list *kl = ud;

	if (!has_suffix(obj->key, ".json.gz") && !has_suffix(obj->key, ".json"))
		return 0;
	double t = bq_trail_file_time(obj->key);
	if (t >= 0 && (t < kl->lo || t > kl->hi))
		return 0;
	if (kl->n == kl->cap) {
		size_t cap = kl->cap ? kl->cap * 2 : 64;
		char **k = realloc(kl->keys, cap * sizeof *k);
		if (!k)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		kl->keys = k;
		kl->cap = cap;
	}
	if (!(kl->keys[kl->n] = strdup(obj->key)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	kl->n++;
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* The folder that holds the YYYY/MM/DD/ folders, from what the user gave:
 * the trail's own key prefix (AWSLogs/<account>/CloudTrail/<region>/ is
 * added), a prefix that already names the account folder, or one that
 * already ends in CloudTrail/<region>. */
static int day_base(bq_trail_ctx *c, const char *prefix, bq_buf *out, bq_err *err)
{
	size_t n = strlen(prefix);
	while (n && prefix[n - 1] == '/')
		n--;
	const char *last = prefix + n;
	while (last > prefix && last[-1] != '/')
		last--;
	size_t lastn = (size_t)(prefix + n - last);
	const char *ct = NULL;
	for (const char *p = prefix; (p = strstr(p, "CloudTrail/")) && p < prefix + n; p++)
		ct = p;

	bq_buf_reset(out);
	if (ct && (ct == prefix || ct[-1] == '/') && memchr(ct + 11, '/', (size_t)(prefix + n - ct - 11)) == NULL &&
	    prefix + n > ct + 11) {
		/* ".../CloudTrail/<region>" */
		bq_buf_append(out, prefix, n);
		return bq_buf_putc(out, '/') < 0 ? bq_fail(err, BQ_EXIT_RUNTIME, "out of memory") : 0;
	}
	if (n) {
		bq_buf_append(out, prefix, n);
		bq_buf_putc(out, '/');
	}
	bool names_account = all_digits(last, lastn) && lastn == 12 && strstr(prefix, "AWSLogs/");
	if (!names_account) {
		const char *acct = c->account;
		json_t *who = NULL;
		if (!acct) {
			if (bq_sts_get_caller_identity(c->aws, &who, err) < 0)
				return -1;
			acct = json_string_value(json_object_get(who, "Account"));
			if (!acct) {
				json_decref(who);
				return bq_fail(err, BQ_EXIT_RUNTIME,
					       "cannot tell the account for the trail's folders (give --account)");
			}
		}
		bq_buf_printf(out, "AWSLogs/%s/", acct);
		json_decref(who);
	}
	if (bq_buf_printf(out, "CloudTrail/%s/", bq_aws_region(c->aws)) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	return 0;
}

/* File-name times are delivery times: files can trail their events by
 * several minutes, and their names may be rounded to the 5-minute slot. */
#define FILE_SLACK_BEFORE (15 * 60.0)
#define FILE_SLACK_AFTER (60 * 60.0)

static int list_keys(bq_trail_ctx *c, const char *bucket, const char *base,
		     key_list *kl, bq_err *err)
{
	time_t from = c->cli->since - (time_t)FILE_SLACK_BEFORE;
	time_t to = c->cli->until + (time_t)FILE_SLACK_AFTER;
	bq_buf p = BQ_BUF_INIT;
	int rc = 0;

	kl->lo = (double)from;
	kl->hi = (double)to;
	from -= from % 86400;
	for (time_t day = from; day <= to && rc == 0; day += 86400) {
		struct tm tm;
		char d[16];
		gmtime_r(&day, &tm);
		strftime(d, sizeof d, "%Y/%m/%d/", &tm);
		bq_buf_reset(&p);
		if (bq_buf_printf(&p, "%s%s", base, d) < 0) {
			rc = bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			break;
		}
		if (c->cli->debug)
			bq_logf("%s: listing s3://%s/%s\n", bq_progname(), bucket, bq_buf_cstr(&p));
		rc = bq_s3_list(c->aws, bucket, bq_buf_cstr(&p), NULL, on_object, kl, err);
	}
	bq_buf_release(&p);
	return rc < 0 ? -1 : 0;
}

int bq_trail_s3(bq_trail_ctx *c, const char *url, bq_err *err)
{
	char *bucket = NULL, *prefix = NULL;
	bq_buf base = BQ_BUF_INIT;
	key_list kl = { NULL, 0, 0, 0, 0, c };
	trail_file *files = NULL;
	bq_aws_batch *batch = NULL;
	int rc = -1, first_fail = 0;
	bq_err fail;

	bq_err_clear(&fail);
	if (bq_s3_parse_url(url, &bucket, &prefix, err) < 0)
		return -1;
	if (day_base(c, prefix, &base, err) < 0 ||
	    list_keys(c, bucket, bq_buf_cstr(&base), &kl, err) < 0)
		goto done;
	if (kl.n == 0) {
		rc = 0;
		goto done;
	}
	files = calloc(kl.n, sizeof *files);
	if (!files) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto done;
	}
	if (bq_aws_batch_new(c->aws, c->jobs, &batch, err) < 0)
		goto done;

	/* Keys come sorted from ListObjectsV2 and name the delivery time, so
	 * emitting in key order is emitting in time order; completed files
	 * wait for the ones before them, at most 2 * jobs of them. */
	size_t next_submit = 0, next_emit = 0, window = (size_t)c->jobs * 2;
	int out_rc = 0;
	while (next_emit < kl.n) {
		while (next_submit < kl.n && next_submit - next_emit < window) {
			trail_file *f = &files[next_submit];
			f->key = kl.keys[next_submit];
			kl.keys[next_submit] = NULL;
			bq_buf_init(&f->text, TRAIL_FILE_MAX);
			bq_err_clear(&f->err);
			if (bq_aws_batch_s3_get(batch, next_submit, bucket, f->key,
						on_data, on_done, f, err) < 0)
				goto done;
			next_submit++;
		}
		while (next_emit < kl.n && files[next_emit].done) {
			trail_file *f = &files[next_emit];
			if (f->failed) {
				bq_msg("s3://%s/%s: %s", bucket, f->key, f->err.message);
				if (!first_fail++)
					fail = f->err;
			} else if (out_rc == 0) {
				out_rc = process_file(c, bucket, f, err);
				if (out_rc < 0)
					goto done;
			}
			file_free(f);
			next_emit++;
		}
		if (out_rc == BQ_OUT_CLOSED)
			break;
		if (next_emit < kl.n && bq_aws_batch_step(batch, err) < 0)
			goto done;
	}
	if (first_fail) {
		/* already reported file by file */
		*err = fail;
		err->message[0] = '\0';
		if (err->exit_status == 0)
			err->exit_status = BQ_EXIT_RUNTIME;
		goto done;
	}
	rc = 0;
done:
	bq_aws_batch_free(batch);
	for (size_t i = 0; files && i < kl.n; i++)
		file_free(&files[i]);
	free(files);
	for (size_t i = 0; i < kl.n; i++)
		free(kl.keys[i]);
	free(kl.keys);
	bq_buf_release(&base);
	free(bucket);
	free(prefix);
	return rc;
}

/* ---- run ---- */

int bq_trail_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	bq_trail_ctx c;
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	size_t nev = bq_cli_count(cli, BQ_TO_EVENT), nus = bq_cli_count(cli, BQ_TO_USER);
	const char **events = NULL, **users = NULL;
	const char *s3 = bq_cli_get(cli, BQ_TO_S3);
	long v;
	int rc = -1;

	memset(&c, 0, sizeof c);
	c.cli = cli;
	c.out = out;
	c.source = bq_cli_has(cli, BQ_TO_SOURCE) ? bq_cli_get(cli, BQ_TO_SOURCE)
						 : BQ_TRAIL_DEFAULT_SOURCE;
	c.raw = bq_cli_has(cli, BQ_TO_RAW);
	c.account = bq_cli_get(cli, BQ_TO_ACCOUNT);
	c.jobs = 8;
	c.page_size = 50;
	if (bq_cli_has(cli, BQ_TO_JOBS)) {
		if (bq_cli_parse_int("-j", bq_cli_get(cli, BQ_TO_JOBS), 1, 64, &v, err) < 0)
			return -1;
		c.jobs = (int)v;
	}
	if (bq_cli_has(cli, BQ_TO_PAGE_SIZE)) {
		if (bq_cli_parse_int("--page-size", bq_cli_get(cli, BQ_TO_PAGE_SIZE), 1, 50, &v, err) < 0)
			return -1;
		c.page_size = (int)v;
	}
	if (!*c.source)
		return bq_fail(err, BQ_EXIT_USAGE, "--source needs an event source");
	if (s3 && bq_cli_has(cli, BQ_TO_PAGE_SIZE))
		return bq_fail(err, BQ_EXIT_USAGE, "--page-size applies to LookupEvents, not --s3");
	if (!s3 && (bq_cli_has(cli, BQ_TO_JOBS) || c.account))
		return bq_fail(err, BQ_EXIT_USAGE, "%s applies to --s3 only",
			       c.account ? "--account" : "-j");
	if (cli->since > cli->until)
		return bq_fail(err, BQ_EXIT_USAGE, "--since is after --until");

	events = nev ? calloc(nev, sizeof *events) : NULL;
	users = nus ? calloc(nus, sizeof *users) : NULL;
	if ((nev && !events) || (nus && !users))
		goto done;
	for (size_t i = 0; i < nev; i++)
		events[i] = bq_cli_nth(cli, BQ_TO_EVENT, i);
	for (size_t i = 0; i < nus; i++)
		users[i] = bq_cli_nth(cli, BQ_TO_USER, i);
	c.filter.events = events;
	c.filter.nevents = nev;
	c.filter.users = users;
	c.filter.nusers = nus;
	c.filter.errors_only = bq_cli_has(cli, BQ_TO_ERRORS);
	c.filter.source = c.source;

	bq_aws_config_from_cli(&cfg, cli);
	if (bq_aws_open(&c.aws, &cfg, err) < 0)
		goto done;
	rc = s3 ? bq_trail_s3(&c, s3, err) : bq_trail_lookup(&c, err);
	if (!cli->quiet) {
		if (s3)
			bq_msg("%lu events from %lu trail files, %lu rejected",
			       c.emitted, c.files, c.rejected);
		else
			bq_msg("%lu events, %lu pages, %lu LookupEvents requests, %lu throttled, %lu rejected",
			       c.emitted, c.pages, c.requests, c.throttled, c.rejected);
	}
	/* each rejected record or file was reported, the count is in the
	 * summary above: status 5 */
	cli->rejected_other += c.rejected;
done:
	if (rc < 0 && err->exit_status == 0 && err->message[0] == '\0')
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	bq_aws_close(c.aws);
	free(events);
	free(users);
	return rc;
}
