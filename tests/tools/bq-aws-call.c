/*
 * bq-aws-call: a generic AWS call through lib/aws.h, for shell tests.
 *
 *   bq-aws-call [opts] SERVICE OPERATION [JSON]        awsJson services
 *   bq-aws-call [opts] SERVICE METHOD /PATH [JSON]     rest-json services
 *   bq-aws-call [opts] sts ACTION [Name=Value...]      query (STS)
 *   bq-aws-call [opts] s3 ls BUCKET [PREFIX]           one JSON line per key
 *                                  (--delimiter D: and one {"prefix"} per common prefix)
 *   bq-aws-call [opts] s3 prefixes BUCKET [PREFIX]     bq_s3_list_prefixes
 *   bq-aws-call [opts] s3 get BUCKET KEY               bytes to stdout
 *   bq-aws-call [opts] s3 put BUCKET KEY FILE [CONTENT-ENCODING]
 *   bq-aws-call [opts] s3 mb BUCKET
 *   bq-aws-call [opts] whoami                          credentials source
 *   bq-aws-call [opts] endpoint SERVICE                resolved endpoint
 *
 * Options: --region R, --profile P, --endpoint-url U, --max-attempts N,
 * --read-timeout S, --connect-timeout S, --debug, --paginate (JSON
 * operations: one output line per page), --query Q (rest), --jobs N (read
 * one JSON input per stdin line, run them N at a time with the batch API,
 * print "INDEX OUTPUT" in completion order; for s3 get: one key per line,
 * prints "INDEX BYTES SHA256"), --fake-clock R (pinned random R, sleeps
 * not taken but printed on stderr as "slept S"), --stop-after N (page or
 * key callback stops after N), --nested (with --jobs: every completion
 * callback, and the first data callback of every S3 GET, makes a blocking
 * STS GetCallerIdentity on the same client; stderr gets "nested: N ok, M
 * failed" and each failure), --max-keys N (s3 ls page size), --refresh (force a credentials refresh
 * before each call), --unsigned, --repeat N (the call N times on one
 * client) with --advance S (the fake clock moves S seconds between them).
 * Output: the JSON answer on stdout; errors through bq_err_print; the exit
 * status is the error's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws.h"
#include "aws_internal.h"
#include "buf.h"
#include "clock.h"
#include "err.h"
#include "hash.h"

struct opts {
	bool paginate, refresh, nested;
	int jobs;
	long stop_after;
	const char *query;
	const char *delimiter;
	int max_keys;
	int repeat;
	double advance;
	bool fake;
	double rnd;
};

static long pages_seen;

static int print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);

	if (!s)
		return -1;
	printf("%s\n", s);
	free(s);
	return 0;
}

static int on_page(json_t *page, void *ud, bq_err *err)
{
	const struct opts *o = ud;

	(void)err;
	print_json(page);
	if (o->stop_after > 0 && ++pages_seen >= o->stop_after)
		return 1;
	return 0;
}

static int on_key(const bq_s3_object *obj, void *ud, bq_err *err)
{
	const struct opts *o = ud;
	json_t *j = json_pack("{s:s,s:I,s:s}", "key", obj->key, "size",
			      (json_int_t)obj->size, "etag", obj->etag);

	(void)err;
	print_json(j);
	json_decref(j);
	if (o->stop_after > 0 && ++pages_seen >= o->stop_after)
		return 1;
	return 0;
}

static int on_prefix(const char *prefix, void *ud, bq_err *err)
{
	const struct opts *o = ud;
	json_t *j = json_pack("{s:s}", "prefix", prefix);

	(void)err;
	print_json(j);
	json_decref(j);
	if (o->stop_after > 0 && ++pages_seen >= o->stop_after)
		return 1;
	return 0;
}

static int on_bytes(const void *data, size_t n, void *ud, bq_err *err)
{
	(void)ud;
	(void)err;
	return fwrite(data, 1, n, stdout) == n ? 0 : -1;
}

/* ---- --jobs ---- */

struct job_out {
	size_t index;
	bq_buf data;
};

/* --nested: blocking calls from inside the batch's callbacks */
static struct {
	bq_aws *a;
	int ok, failed;
} nested;

static void nested_call(const char *where)
{
	json_t *id = NULL;
	bq_err e;

	if (!nested.a)
		return;
	bq_err_clear(&e);
	if (bq_sts_get_caller_identity(nested.a, &id, &e) == 0 &&
	    json_is_string(json_object_get(id, "Account"))) {
		nested.ok++;
	} else {
		nested.failed++;
		fprintf(stderr, "nested call from %s failed: %s\n", where, e.message);
	}
	json_decref(id);
}

static int on_done(size_t index, json_t *output, const bq_err *call_err,
		   void *ud)
{
	struct job_out *jo = ud;

	nested_call("a completion callback");
	if (call_err) {
		printf("%zu error %d %s %s\n", index, call_err->exit_status,
		       call_err->code[0] ? call_err->code : "-", call_err->message);
	} else if (output) {
		char *s = json_dumps(output, JSON_COMPACT);

		printf("%zu %s\n", index, s ? s : "?");
		free(s);
	} else {
		char hex[BQ_SHA256_HEX_LEN + 1];

		bq_sha256_hex(jo->data.data, jo->data.len, hex);
		printf("%zu %zu %s\n", index, jo->data.len, hex);
	}
	fflush(stdout);
	return 0;
}

static int on_job_bytes(const void *data, size_t n, void *ud, bq_err *err)
{
	struct job_out *jo = ud;

	(void)err;
	if (jo->data.len == 0)
		nested_call("a data callback");
	return bq_buf_append(&jo->data, data, n);
}

static int submit_all(bq_aws *a, const bq_service *s, int argc, char **argv,
		      const struct opts *o, bq_err *err)
{
	bq_aws_batch *b;
	char **lines = NULL;
	size_t nlines = 0, i;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct job_out *outs;
	int rc = 0;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		char **nl;

		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!n)
			continue;
		nl = realloc(lines, (nlines + 1) * sizeof(*lines));
		if (!nl)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		lines = nl;
		lines[nlines++] = strdup(line);
	}
	free(line);
	outs = calloc(nlines + 1, sizeof(*outs));
	if (!outs || bq_aws_batch_new(a, o->jobs, &b, err) < 0) {
		free(outs);
		return -1;
	}
	for (i = 0; i < nlines && rc == 0; i++) {
		outs[i].index = i;
		bq_buf_init(&outs[i].data, 0);
		if (s->id == BQ_SVC_S3) {
			rc = bq_aws_batch_s3_get(b, i, argv[2], lines[i], on_job_bytes,
						 on_done, &outs[i], err);
		} else if (s->protocol == BQ_PROTO_JSON) {
			json_t *in = json_loads(lines[i], 0, NULL);

			if (!in) {
				rc = bq_fail(err, BQ_EXIT_USAGE, "bad JSON line '%s'", lines[i]);
				break;
			}
			rc = bq_aws_batch_json(b, i, s->id, argv[1], in, on_done,
					       &outs[i], err);
			json_decref(in);
		} else {
			json_t *in = json_loads(lines[i], 0, NULL);

			rc = bq_aws_batch_rest(b, i, s->id, argv[1], argv[2],
					       o->query, in, on_done, &outs[i], err);
			json_decref(in);
		}
	}
	if (rc == 0)
		rc = bq_aws_batch_run(b, err);
	bq_aws_batch_free(b);
	if (nested.a)
		fprintf(stderr, "nested: %d ok, %d failed\n", nested.ok, nested.failed);
	for (i = 0; i < nlines; i++) {
		bq_buf_release(&outs[i].data);
		free(lines[i]);
	}
	free(outs);
	free(lines);
	(void)argc;
	return rc;
}

/* ---- fake clock ---- */

static double fk_now(void *ud)
{
	return *(double *)ud;
}

static void fk_sleep(void *ud, double s)
{
	*(double *)ud += s;
	fprintf(stderr, "slept %.3f\n", s);
}

static double fk_rnd;

static double fk_random(void *ud)
{
	(void)ud;
	return fk_rnd;
}

static void usage(void) __attribute__((noreturn));

static int dispatch(bq_aws *a, int argc, char **argv, struct opts *op,
		    bq_err *err_out)
{
	struct opts o = *op;
	const bq_service *s;
	json_t *out = NULL, *in = NULL;
	bq_err err;
	int rc = 0;

	bq_err_clear(&err);
	s = bq_service_find(argv[0]);
	if (!s) {
		bq_fail(&err, BQ_EXIT_USAGE, "unknown service '%s'", argv[0]);
		goto fail;
	}
	if (o.jobs > 0) {
		if (submit_all(a, s, argc, argv, &o, &err) < 0)
			goto fail;
		goto done;
	}
	if (s->id == BQ_SVC_S3) {
		if (argc < 3)
			usage();
		if (!strcmp(argv[1], "ls") && o.delimiter) {
			bq_s3_list_opts lo;

			memset(&lo, 0, sizeof(lo));
			lo.delimiter = o.delimiter;
			lo.max_keys = o.max_keys;
			lo.on_object = on_key;
			lo.on_prefix = on_prefix;
			lo.ud = &o;
			rc = bq_s3_list_with(a, argv[2], argc > 3 ? argv[3] : NULL, &lo, &err);
		} else if (!strcmp(argv[1], "ls"))
			rc = bq_s3_list_ex(a, argv[2], argc > 3 ? argv[3] : NULL, NULL,
					   o.max_keys, on_key, &o, &err);
		else if (!strcmp(argv[1], "prefixes"))
			rc = bq_s3_list_prefixes(a, argv[2], argc > 3 ? argv[3] : NULL,
						 o.delimiter, on_prefix, &o, &err);
		else if (!strcmp(argv[1], "get") && argc > 3)
			rc = bq_s3_get(a, argv[2], argv[3], on_bytes, &o, &err);
		else if (!strcmp(argv[1], "mb"))
			rc = bq_s3_create_bucket(a, argv[2], &err);
		else if (!strcmp(argv[1], "put") && argc > 4) {
			FILE *f = fopen(argv[4], "rb");
			bq_buf b = BQ_BUF_INIT;
			char chunk[8192];
			size_t n;

			if (!f) {
				bq_fail(&err, BQ_EXIT_USAGE, "cannot open '%s'", argv[4]);
				goto fail;
			}
			while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
				bq_buf_append(&b, chunk, n);
			fclose(f);
			rc = bq_s3_put(a, argv[2], argv[3], b.data, b.len, NULL,
				       argc > 5 ? argv[5] : NULL, &err);
			bq_buf_release(&b);
		} else
			usage();
		if (rc < 0)
			goto fail;
		goto done;
	}
	if (argc < 2)
		usage();
	if (s->protocol == BQ_PROTO_QUERY) {
		if (s->id == BQ_SVC_STS && !strcmp(argv[1], "GetCallerIdentity") && argc == 2) {
			if (bq_sts_get_caller_identity(a, &out, &err) < 0)
				goto fail;
		} else {
			bq_fail(&err, BQ_EXIT_USAGE, "only GetCallerIdentity here");
			goto fail;
		}
	} else if (s->protocol == BQ_PROTO_JSON) {
		if (argc > 2 && !(in = json_loads(argv[2], 0, NULL))) {
			bq_fail(&err, BQ_EXIT_USAGE, "bad JSON input '%s'", argv[2]);
			goto fail;
		}
		if (o.paginate) {
			if (bq_aws_paginate(a, s->id, argv[1], in, NULL, NULL, on_page, &o,
					    &err) < 0)
				goto fail;
			goto done;
		}
		if (bq_aws_json_call(a, s->id, argv[1], in, &out, &err) < 0)
			goto fail;
	} else {
		if (argc < 3)
			usage();
		if (argc > 3 && !(in = json_loads(argv[3], 0, NULL))) {
			bq_fail(&err, BQ_EXIT_USAGE, "bad JSON body '%s'", argv[3]);
			goto fail;
		}
		if (o.paginate) {
			if (bq_aws_rest_paginate(a, s->id, argv[1], argv[2], o.query, in,
						 NULL, NULL, on_page, &o, &err) < 0)
				goto fail;
			goto done;
		}
		if (bq_aws_rest_call(a, s->id, argv[1], argv[2], o.query, in, &out,
				     &err) < 0)
			goto fail;
	}
	print_json(out);
done:
	json_decref(in);
	json_decref(out);
	return 0;
fail:
	*err_out = err;
	json_decref(in);
	json_decref(out);
	return -1;
}

static void usage(void)
{
	fputs("usage: bq-aws-call [opts] SERVICE OPERATION [JSON] | s3 ls|get|put|mb ... | whoami | endpoint SERVICE\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	bq_aws_config cfg = BQ_AWS_CONFIG_INIT;
	struct opts o;
	bq_clock fk;
	double fake_t;
	bq_aws *a = NULL;
	bq_err err;
	const bq_service *s;
	int i;

	bq_set_progname("bq-aws-call");
	memset(&o, 0, sizeof(o));
	bq_err_clear(&err);
	for (i = 1; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--region") && v) cfg.region = v, i++;
		else if (!strcmp(argv[i], "--profile") && v) cfg.profile = v, i++;
		else if (!strcmp(argv[i], "--endpoint-url") && v) cfg.endpoint_url = v, i++;
		else if (!strcmp(argv[i], "--max-attempts") && v) cfg.max_attempts = atoi(v), i++;
		else if (!strcmp(argv[i], "--read-timeout") && v) cfg.read_timeout = atof(v), i++;
		else if (!strcmp(argv[i], "--connect-timeout") && v) cfg.connect_timeout = atof(v), i++;
		else if (!strcmp(argv[i], "--query") && v) o.query = v, i++;
		else if (!strcmp(argv[i], "--jobs") && v) o.jobs = atoi(v), i++;
		else if (!strcmp(argv[i], "--max-keys") && v) o.max_keys = atoi(v), i++;
		else if (!strcmp(argv[i], "--delimiter") && v) o.delimiter = v, i++;
		else if (!strcmp(argv[i], "--repeat") && v) o.repeat = atoi(v), i++;
		else if (!strcmp(argv[i], "--advance") && v) o.advance = atof(v), i++;
		else if (!strcmp(argv[i], "--stop-after") && v) o.stop_after = atol(v), i++;
		else if (!strcmp(argv[i], "--fake-clock") && v) o.fake = true, o.rnd = atof(v), i++;
		else if (!strcmp(argv[i], "--debug")) cfg.debug = true;
		else if (!strcmp(argv[i], "--paginate")) o.paginate = true;
		else if (!strcmp(argv[i], "--refresh")) o.refresh = true;
		else if (!strcmp(argv[i], "--nested")) o.nested = true;
		else if (!strcmp(argv[i], "--unsigned")) cfg.no_credentials = true;
		else usage();
	}
	argc -= i;
	argv += i;
	if (argc < 1)
		usage();
	if (o.fake) {
		fake_t = bq_clock_now(NULL);
		fk_rnd = o.rnd;
		fk.now = fk_now;
		fk.sleep = fk_sleep;
		fk.random = fk_random;
		fk.ud = &fake_t;
		cfg.clock = &fk;
	}
	if (bq_aws_open(&a, &cfg, &err) < 0)
		goto fail;
	if (o.nested)
		nested.a = a;
	if (!strcmp(argv[0], "whoami")) {
		if (bq_aws_ensure_credentials(a, &err) < 0)
			goto fail;
		printf("{\"source\":\"%s\",\"region\":\"%s\"}\n",
		       bq_aws_credentials_source(a) ? bq_aws_credentials_source(a) : "",
		       bq_aws_region(a));
		goto done;
	}
	if (!strcmp(argv[0], "endpoint")) {
		const char *u;

		if (argc < 2 || !(s = bq_service_find(argv[1])))
			usage();
		if (!(u = bq_aws_endpoint(a, s->id, &err)))
			goto fail;
		printf("%s\n", u);
		goto done;
	}
	for (i = 0; i < (o.repeat > 0 ? o.repeat : 1); i++) {
		if (i && o.fake)
			fake_t += o.advance;
		if (o.refresh && bq_aws_refresh_credentials(a, &err) < 0)
			goto fail;
		if (dispatch(a, argc, argv, &o, &err) < 0)
			goto fail;
	}
done:
	bq_aws_close(a);
	return 0;
fail:
	bq_err_print(&err);
	bq_aws_close(a);
	return err.exit_status ? err.exit_status : 1;
}
