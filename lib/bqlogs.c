/*
 * bq-logs: option handling, the record pipeline every source feeds
 * (parse -> window -> filters -> bodies -> normalise -> emit), and the
 * --file source.  The S3, CloudWatch Logs and configuration sources are in
 * bqlogs_s3.c, bqlogs_cwl.c and bqlogs_config.c.
 */
#include "bqlogs.h"
#include "bqlogs_internal.h"

#include "buf.h"
#include "gzlines.h"
#include "ndjson.h"
#include "timeexpr.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define V(v) (1u << (v))

/* ---- options ---- */

int bq_logs_on_option(struct bq_cli *cli, int id, const char *arg,
		      bq_err *err)
{
	long v;

	switch (id) {
	case BQ_LO_JOBS:
		return bq_cli_parse_int("-j", arg, 1, 64, &v, err);
	case BQ_LO_LIMIT:
		return bq_cli_parse_int("--limit", arg, 1, 100000, &v, err);
	case BQ_LO_INTERVAL:
	case BQ_LO_OVERLAP:
		return bq_cli_parse_seconds_ms(id == BQ_LO_INTERVAL ? "--interval" :
					       "--overlap", arg, &v, err);
	case BQ_LO_S3:
		if (strncmp(arg, "s3://", 5) != 0 || !arg[5])
			return bq_fail(err, BQ_EXIT_USAGE,
				       "bad S3 location '%s' (want s3://bucket[/prefix])",
				       arg);
		return 0;
	default:
		return 0;
	}
}

static long opt_long(const struct bq_cli *cli, int id, long dflt)
{
	const char *s = bq_cli_get(cli, id);

	return s ? strtol(s, NULL, 10) : dflt;
}

static int64_t opt_ms(const struct bq_cli *cli, int id, int64_t dflt)
{
	const char *s = bq_cli_get(cli, id);
	long ms;
	bq_err e;

	if (!s || bq_cli_parse_seconds_ms("", s, &ms, &e) < 0)
		return dflt;
	return ms;
}

/* ---- AWS client and application-profile lookups ---- */

int bqlogs_aws(bqlogs *L, bq_aws **aws, bq_err *err)
{
	if (!L->aws && !L->aws_tried) {
		L->aws_tried = true;
		if (bq_aws_open(&L->aws, &L->cfg, &L->aws_err) < 0)
			L->aws = NULL;
	}
	if (!L->aws) {
		*err = L->aws_err;
		return -1;
	}
	*aws = L->aws;
	return 0;
}

/* GetInferenceProfile, once per ARN: the base model of an application
 * inference profile is the foundation model its models[] list names. */
static int lookup_profile(void *ud, const char *arn, char *base, size_t n)
{
	bqlogs *L = ud;
	struct bqlogs_profile *p;
	bq_buf path = BQ_BUF_INIT;
	json_t *out = NULL, *m;
	bq_aws *aws;
	bq_err e;
	size_t i;
	char *found = NULL;

	for (i = 0; i < L->nprof; i++) {
		if (strcmp(L->prof[i].arn, arn) == 0) {
			if (!L->prof[i].base)
				return -1;
			return bq_strlcpy(base, L->prof[i].base, n);
		}
	}
	p = realloc(L->prof, (L->nprof + 1) * sizeof(*p));
	if (!p)
		return -1;
	L->prof = p;
	p = &L->prof[L->nprof];
	p->arn = strdup(arn);
	p->base = NULL;
	if (!p->arn)
		return -1;
	L->nprof++;
	if (bqlogs_aws(L, &aws, &e) < 0) {
		/* no client (no region, bad config): say so once, stop asking */
		if (!L->quiet)
			bq_warn("cannot look up application inference profiles: %s",
				e.message);
		L->inv.lookup = NULL;
		return -1;
	}
	if (bq_buf_puts(&path, "/inference-profiles") == 0 &&
	    bq_aws_path_add(&path, arn) == 0 &&
	    bq_aws_rest_call(aws, BQ_SVC_BEDROCK, "GET", bq_buf_cstr(&path),
			     NULL, NULL, &out, &e) == 0) {
		json_array_foreach(json_object_get(out, "models"), i, m) {
			const char *ma = json_string_value(json_object_get(m, "modelArn"));
			char b[256];

			if (ma && bq_model_base_id(ma, b, sizeof(b)) == 0) {
				found = strdup(b);
				break;
			}
		}
	} else if (!L->quiet) {
		bq_warn("cannot tell the model behind '%s': %s", arn, e.message);
	}
	json_decref(out);
	bq_buf_release(&path);
	p->base = found;
	if (!found)
		return -1;
	return bq_strlcpy(base, found, n);
}

/* ---- reporting ---- */

void bqlogs_reject(bqlogs *L, const char *src, size_t lineno,
		   const char *why)
{
	if (lineno)
		bq_msg("%s:%zu: %s", src, lineno, why);
	else
		bq_msg("%s: %s", src, why);
	L->cli->rejected++;
}

void bqlogs_failed(bqlogs *L, const char *what, const bq_err *e)
{
	bq_err c = *e;

	bq_snprintf(c.message, sizeof(c.message), "%s: %s", what, e->message);
	bq_err_print(&c);
	if (!L->failed) {
		L->failed = true;
		L->fail = c;
		L->fail.message[0] = '\0'; /* printed already */
		if (!L->fail.exit_status)
			L->fail.exit_status = BQ_EXIT_RUNTIME;
	}
}

/* ---- the record pipeline ---- */

static bool has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static bool match_model(bqlogs *L, const bq_inv_envelope *env)
{
	size_t i, n = bq_cli_count(L->cli, BQ_LO_MODEL);
	char base[256] = "";
	bq_model_ref ref;
	const char *id = env->model_id ? env->model_id : "";

	if (n == 0)
		return true;
	bq_model_parse(id, &ref);
	if (ref.base[0])
		bq_strlcpy(base, ref.base, sizeof(base));
	else if (ref.kind == BQ_MODEL_APP_PROFILE && L->inv.lookup)
		L->inv.lookup(L->inv.lookup_ud, id, base, sizeof(base));
	for (i = 0; i < n; i++) {
		const char *p = bq_cli_nth(L->cli, BQ_LO_MODEL, i);

		if (has_glob(p)) {
			if (fnmatch(p, id, 0) == 0 ||
			    (base[0] && fnmatch(p, base, 0) == 0))
				return true;
		} else if (strcmp(p, id) == 0 || strcmp(p, base) == 0) {
			return true;
		}
	}
	return false;
}

static bool match_words(const struct bq_cli *cli, int id, const char *v,
			bool substring)
{
	size_t i, n = bq_cli_count(cli, id);

	if (n == 0)
		return true;
	if (!v)
		return false;
	for (i = 0; i < n; i++) {
		const char *p = bq_cli_nth(cli, id, i);

		if (has_glob(p) ? fnmatch(p, v, 0) == 0 :
		    substring ? strstr(v, p) != NULL : strcasecmp(p, v) == 0)
			return true;
	}
	return false;
}

/* --resolve-bodies: fetch offloaded bodies into the record. */
static void resolve(bqlogs *L, json_t *log, const char *sect,
		    const char *path_key, const char *body_key)
{
	json_t *s = json_object_get(log, sect), *body = NULL;
	const char *url = json_string_value(json_object_get(s, path_key));
	bq_err e;
	char what[600];

	if (!url || json_object_get(s, body_key))
		return;
	if (bqlogs_s3_json(L, url, &body, &e) < 0) {
		bq_snprintf(what, sizeof(what), "cannot resolve '%s'", url);
		bqlogs_failed(L, what, &e);
		return;
	}
	json_object_set_new(s, body_key, body);
}

/* A copy of the raw record with --no-bodies / --redact applied. */
static json_t *raw_view(bqlogs *L, json_t *log)
{
	json_t *r = json_copy(log);
	static const char *const sect[2][2] = {
		{ "input", "inputBodyJson" }, { "output", "outputBodyJson" }
	};
	int i;

	if (!r)
		return NULL;
	for (i = 0; i < 2; i++) {
		json_t *s = json_object_get(r, sect[i][0]), *c, *b;

		if (!json_is_object(s) || !(b = json_object_get(s, sect[i][1])))
			continue;
		c = json_copy(s);
		if (!c)
			continue;
		if (L->no_bodies)
			json_object_del(c, sect[i][1]);
		else
			json_object_set_new(c, sect[i][1], bq_body_redact(b));
		json_object_set_new(r, sect[i][0], c);
	}
	return r;
}

int bqlogs_record(bqlogs *L, json_t *log, const char *src, size_t lineno,
		  bq_err *err)
{
	bq_inv_envelope env;
	bq_err e;
	json_t *rec;
	int r;

	L->records++;
	if (bq_invocation_envelope(log, &env, &e) < 0) {
		bqlogs_reject(L, src, lineno, e.message);
		return 0;
	}
	if (L->window && (env.ts_ms < L->since_ms || env.ts_ms >= L->until_ms))
		return 0;
	if ((L->errors_only && !env.error_code) ||
	    !match_words(L->cli, BQ_LO_OPERATION, env.operation, false) ||
	    !match_words(L->cli, BQ_LO_IDENTITY, env.identity, true) ||
	    !match_model(L, &env))
		return 0;
	if (L->resolve && !L->no_bodies) {
		resolve(L, log, "input", "inputBodyS3Path", "inputBodyJson");
		resolve(L, log, "output", "outputBodyS3Path", "outputBodyJson");
	}
	if (L->raw) {
		rec = (L->no_bodies || L->redact) ? raw_view(L, log) :
			json_incref(log);
	} else {
		rec = bq_invocation_normalize(log, &L->inv, &e);
		if (!rec) {
			bqlogs_reject(L, src, lineno, e.message);
			return 0;
		}
	}
	if (!rec)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	r = bq_out_emit_new(L->out, rec, err);
	if (r == BQ_OUT_CLOSED)
		L->closed = true;
	else if (r == 0)
		L->emitted++;
	return r;
}

int bqlogs_line(bqlogs *L, const char *line, size_t n, const char *src,
		size_t lineno, bq_err *err)
{
	json_error_t je;
	json_t *v;
	size_t i;
	int r = 0;

	if (!line) {
		char why[64];

		bq_snprintf(why, sizeof(why), "line longer than the limit (%zu bytes)", n);
		bqlogs_reject(L, src, lineno, why);
		return 0;
	}
	for (i = 0; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == n)
		return 0;
	v = json_loadb(line, n, 0, &je);
	if (!v) {
		char why[220];

		bq_snprintf(why, sizeof(why), "not JSON: %s", je.text);
		bqlogs_reject(L, src, lineno, why);
		return 0;
	}
	if (json_is_array(v)) {
		/* some writers batch records as an array per line */
		json_t *el;

		json_array_foreach(v, i, el) {
			if ((r = bqlogs_record(L, el, src, lineno, err)) != 0)
				break;
		}
	} else {
		r = bqlogs_record(L, v, src, lineno, err);
	}
	json_decref(v);
	return r;
}

/* ---- --file ---- */

struct file_ctx {
	bqlogs *L;
	const char *name;
	bq_err *err;
	int rc;
};

static int file_line(const char *line, size_t n, size_t lineno, void *ud)
{
	struct file_ctx *c = ud;

	c->rc = bqlogs_line(c->L, line, n, c->name, lineno, c->err);
	return c->rc;
}

static int read_file(bqlogs *L, const char *path, bq_err *err)
{
	struct file_ctx c = { L, path, err, 0 };
	bq_gzlines g;
	bq_err e;
	char *buf;
	int fd, r = 0;
	const size_t bufsz = 256 << 10;

	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
		c.name = "stdin";
	} else if ((fd = open(path, O_RDONLY)) < 0) {
		bq_fail(&e, BQ_EXIT_RUNTIME, "cannot open: %s", strerror(errno));
		bqlogs_failed(L, path, &e);
		return 0;
	}
	if (!(buf = malloc(bufsz))) {
		if (fd != STDIN_FILENO)
			close(fd);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	bq_gzlines_init(&g, 0, file_line, &c);
	for (;;) {
		ssize_t got = read(fd, buf, bufsz);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			bq_fail(&e, BQ_EXIT_RUNTIME, "cannot read: %s", strerror(errno));
			bqlogs_failed(L, c.name, &e);
			break;
		}
		if (got == 0) {
			r = bq_gzlines_finish(&g, &e);
			break;
		}
		r = bq_gzlines_feed(&g, buf, (size_t)got, &e);
		if (r)
			break;
	}
	if (r < 0 && c.rc == 0) {
		/* the decoder's own error: damaged data, reported and skipped */
		bqlogs_reject(L, c.name, 0, e.message);
		r = 0;
	}
	bq_gzlines_release(&g);
	free(buf);
	if (fd != STDIN_FILENO)
		close(fd);
	L->objects++;
	return r;
}

/* ---- groups ---- */

size_t bqlogs_ngroups(const bqlogs *L)
{
	size_t n = bq_cli_count(L->cli, BQ_LO_LOG_GROUP);

	return n ? n : (L->config_group ? 1 : 0);
}

const char *bqlogs_group(const bqlogs *L, size_t i)
{
	if (bq_cli_count(L->cli, BQ_LO_LOG_GROUP))
		return bq_cli_nth(L->cli, BQ_LO_LOG_GROUP, i);
	return i == 0 ? L->config_group : NULL;
}

/* ---- run ---- */

static void init(bqlogs *L, struct bq_cli *cli, struct bq_out *out)
{
	memset(L, 0, sizeof(*L));
	L->cli = cli;
	L->out = out;
	bq_aws_config_from_cli(&L->cfg, cli);
	L->cfg.user_agent = "bq-logs/" BQ_VERSION;
	L->raw = bq_cli_has(cli, BQ_LO_RAW);
	L->no_bodies = bq_cli_has(cli, BQ_LO_NO_BODIES);
	L->redact = bq_cli_has(cli, BQ_LO_REDACT);
	L->resolve = bq_cli_has(cli, BQ_LO_RESOLVE);
	L->errors_only = bq_cli_has(cli, BQ_LO_ERRORS);
	L->follow = bq_cli_has(cli, BQ_LO_FOLLOW);
	L->quiet = cli->quiet;
	L->lookup = !bq_cli_has(cli, BQ_LO_NO_LOOKUP);
	L->jobs = (int)opt_long(cli, BQ_LO_JOBS, 8);
	L->interval_ms = opt_ms(cli, BQ_LO_INTERVAL, 2000);
	L->overlap_ms = opt_ms(cli, BQ_LO_OVERLAP, 60000);
	L->since_ms = cli->since_ms;
	L->until_ms = L->follow ? INT64_MAX : cli->until_ms;
	/* A file is what it is: its records are windowed only on request. */
	L->window = !bq_cli_has(cli, BQ_LO_FILE) || cli->since_set ||
		    cli->until_set;
	L->inv.no_bodies = L->no_bodies;
	L->inv.redact = L->redact;
	if (L->lookup) {
		L->inv.lookup = lookup_profile;
		L->inv.lookup_ud = L;
	}
}

static void release(bqlogs *L)
{
	size_t i;

	for (i = 0; i < L->nprof; i++) {
		free(L->prof[i].arn);
		free(L->prof[i].base);
	}
	free(L->prof);
	free(L->config_group);
	bq_aws_close(L->aws);
}

static int usage(bq_err *err, const char *msg)
{
	return bq_fail(err, BQ_EXIT_USAGE, "%s", msg);
}

/* Where the logs go, from GetModelInvocationLoggingConfiguration: a log
 * group is preferred (server-side time filtering); else the S3 URL. */
static int zero_config(bqlogs *L, char **s3url, bq_err *err)
{
	json_t *cfg = NULL;
	const char *g, *b, *p;
	bq_buf u = BQ_BUF_INIT;
	bq_aws *aws;

	*s3url = NULL;
	if (bqlogs_aws(L, &aws, err) < 0 || bqlogs_get_config(L, &cfg, err) < 0)
		return -1;
	if (!cfg)
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "model invocation logging is not configured in %s "
			       "(give --s3, --log-group or --file, or see bq-logs config --enable)",
			       bq_aws_region(aws));
	g = json_string_value(json_object_get(json_object_get(cfg, "cloudWatchConfig"),
					      "logGroupName"));
	b = json_string_value(json_object_get(json_object_get(cfg, "s3Config"), "bucketName"));
	p = json_string_value(json_object_get(json_object_get(cfg, "s3Config"), "keyPrefix"));
	if (g) {
		L->config_group = strdup(g);
		if (!L->quiet)
			bq_msg("reading log group %s (from the logging configuration)", g);
	} else if (b) {
		bq_buf_printf(&u, "s3://%s/%s", b, p ? p : "");
		*s3url = bq_buf_detach(&u);
		if (!L->quiet)
			bq_msg("reading %s (from the logging configuration)", *s3url);
	} else {
		json_decref(cfg);
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "the logging configuration names no destination");
	}
	json_decref(cfg);
	return 0;
}

static int run_read(bqlogs *L, bq_err *err)
{
	struct bq_cli *cli = L->cli;
	size_t nfiles = bq_cli_count(cli, BQ_LO_FILE), i;
	bool s3 = bq_cli_has(cli, BQ_LO_S3);
	bool groups = bq_cli_has(cli, BQ_LO_LOG_GROUP);
	const char *insights = bq_cli_get(cli, BQ_LO_INSIGHTS);
	char *s3url = NULL;
	int r = 0;

	if ((nfiles > 0) + s3 + groups > 1)
		return usage(err, "give one kind of source: --s3, --log-group or --file");
	if (L->follow && (s3 || nfiles))
		return usage(err, "--follow polls log groups; it does not apply to --s3 or --file");
	if (L->follow && cli->until_set)
		return usage(err, "--follow reads until interrupted; --until does not apply");
	if (insights && (s3 || nfiles || L->follow))
		return usage(err, "--insights queries log groups; it does not combine with --s3, --file or --follow");
	if (L->raw && insights)
		return usage(err, "--raw does not apply to --insights rows");
	if (!s3 && !groups && !nfiles && zero_config(L, &s3url, err) < 0)
		return -1;
	if (s3url && (L->follow || insights)) {
		free(s3url);
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "invocation logs go to S3 only; %s needs a log group",
			       insights ? "--insights" : "--follow");
	}
	if (L->follow)
		bq_out_set_follow(L->out, true);
	if (insights)
		r = bqlogs_insights(L, insights, err);
	else if (L->follow)
		r = bqlogs_follow(L, err);
	else if (nfiles)
		for (i = 0; i < nfiles && r == 0 && !L->closed; i++)
			r = read_file(L, bq_cli_nth(cli, BQ_LO_FILE, i), err);
	else if (s3 || s3url)
		r = bqlogs_read_s3(L, s3url ? s3url : bq_cli_get(cli, BQ_LO_S3), err);
	else
		r = bqlogs_read_groups(L, err);
	free(s3url);
	return r;
}

int bq_logs_run(struct bq_cli *cli, struct bq_out *out, bq_err *err)
{
	bqlogs L;
	int r;

	init(&L, cli, out);
	if (cli->verb == BQ_LV_CONFIG)
		r = bqlogs_config(&L, err);
	else
		r = run_read(&L, err);
	if (r == BQ_OUT_CLOSED || L.closed || bq_out_closed(out)) {
		/* our reader went away: stop quietly */
		release(&L);
		return 0;
	}
	if (r == 0 && !L.quiet && cli->verb == BQ_LV_READ && !L.follow &&
	    !bq_cli_has(cli, BQ_LO_INSIGHTS))
		bq_msg("%zu record%s of %zu read", L.emitted,
		       L.emitted == 1 ? "" : "s", L.records);
	if (r == 0 && L.failed) {
		*err = L.fail;
		r = -1;
	}
	release(&L);
	return r;
}
