/*
 * aws.c: the client (open/close, credentials cache, endpoint cache) and
 * one call's life: build, sign, send, classify, retry.  The same call
 * machinery (aws_call) drives blocking calls here and concurrent ones in
 * aws_batch.c.
 */
#include "aws_call.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "endpoint.h"
#include "httpdate.h"
#include "proto.h"
#include "sigv4.h"

/* ---- client ---- */

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

int bq_aws_open(bq_aws **out, const bq_aws_config *cfg, bq_err *err)
{
	bq_aws_config dflt = BQ_AWS_CONFIG_INIT;
	bq_http_opts ho;
	bq_aws *a;
	const char *ca, *v;

	*out = NULL;
	if (!cfg)
		cfg = &dflt;
	a = calloc(1, sizeof(*a));
	if (!a)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	a->clock = cfg->clock;
	a->debug = cfg->debug;
	a->no_credentials = cfg->no_credentials;
	a->endpoint_url = dup_or_null(cfg->endpoint_url);
	a->profile = strdup(bq_config_profile_name(cfg->profile));
	bq_retry_quota_init(&a->quota);
	bq_sigv4_cache_init(&a->sigcache);
	if (!a->profile || (cfg->endpoint_url && *cfg->endpoint_url && !a->endpoint_url)) {
		bq_aws_close(a);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	if (bq_config_load(&a->conf, err) < 0)
		goto fail;
	if (strcmp(a->profile, "default") != 0 &&
	    !bq_config_has_profile(a->conf, a->profile)) {
		bq_fail(err, BQ_EXIT_USAGE,
			"profile '%s' not found in '%s' or '%s'", a->profile,
			bq_config_path(a->conf, BQ_CONFIG_FILE),
			bq_config_path(a->conf, BQ_CREDENTIALS_FILE));
		goto fail;
	}
	if (bq_region_resolve(cfg->region, a->conf, a->profile, &a->region, err) < 0)
		goto fail;
	if (bq_retry_max_attempts(cfg->max_attempts, &a->max_attempts, err) < 0)
		goto fail;
	if (cfg->max_attempts <= 0 && !getenv("AWS_MAX_ATTEMPTS")) {
		v = bq_config_get(a->conf, a->profile, "max_attempts");
		if (v && *v) {
			char *end;
			long n = strtol(v, &end, 10);

			if (*end || n < 1 || n > 100) {
				bq_fail(err, BQ_EXIT_USAGE,
					"bad max_attempts '%s' in profile '%s'", v,
					a->profile);
				goto fail;
			}
			a->max_attempts = (int)n;
		}
	}
	a->connect_timeout = cfg->connect_timeout > 0 ? cfg->connect_timeout : 10;
	a->read_timeout = cfg->read_timeout > 0 ? cfg->read_timeout : 0;
	v = bq_config_get_sub(a->conf, a->profile, "s3", "addressing_style");
	a->s3_path_style = v && strcmp(v, "path") == 0;
	ca = getenv("AWS_CA_BUNDLE");
	if (!ca || !*ca)
		ca = bq_config_get(a->conf, a->profile, "ca_bundle");
	memset(&ho, 0, sizeof(ho));
	ho.connect_timeout = a->connect_timeout;
	ho.read_timeout = a->read_timeout > 0 ? a->read_timeout : 60;
	ho.ca_bundle = ca && *ca ? ca : NULL;
	ho.user_agent = cfg->user_agent;
	ho.debug = cfg->debug;
	if (bq_http_new(&a->http, &ho, err) < 0)
		goto fail;
	*out = a;
	return 0;
fail:
	bq_aws_close(a);
	return -1;
}

void bq_aws_close(bq_aws *a)
{
	int i;

	if (!a)
		return;
	bq_http_free(a->http);
	bq_creds_clear(&a->creds);
	for (i = 0; i < BQ_SVC_COUNT; i++)
		bq_endpoint_free(&a->ep[i]);
	bq_sigv4_cache_clear(&a->sigcache);
	bq_config_free(a->conf);
	free(a->profile);
	free(a->region);
	free(a->endpoint_url);
	free(a->creds_source);
	free(a);
}

const char *bq_aws_region(const bq_aws *a)
{
	return a->region;
}

const bq_config *bq_aws_conf(const bq_aws *a)
{
	return a->conf;
}

const bq_clock *bq_aws_clock(const bq_aws *a)
{
	return a->clock;
}

const char *bq_aws_profile(const bq_aws *a)
{
	return a->profile;
}

bq_http *bq_aws_http(bq_aws *a)
{
	return a->http;
}

bool bq_aws_s3_path_style(const bq_aws *a)
{
	return a->s3_path_style;
}

const bq_endpoint *bq_aws_ep(bq_aws *a, bq_service_id svc, bq_err *err)
{
	if (!bq_service_get(svc)) {
		bq_fail(err, BQ_EXIT_RUNTIME, "unknown service id %d", (int)svc);
		return NULL;
	}
	if (!a->ep_ok[svc]) {
		if (bq_endpoint_resolve(svc, a->region, a->endpoint_url, a->conf,
					a->profile, &a->ep[svc], err) < 0)
			return NULL;
		a->ep_ok[svc] = true;
	}
	return &a->ep[svc];
}

const char *bq_aws_endpoint(bq_aws *a, bq_service_id svc, bq_err *err)
{
	const bq_endpoint *e = bq_aws_ep(a, svc, err);

	return e ? e->url : NULL;
}

/* ---- credentials cache ---- */

static int resolve_creds(bq_aws *a, bq_err *err)
{
	bq_creds fresh = BQ_CREDS_INIT;
	bq_buf tried = BQ_BUF_INIT;
	bq_creds_ctx ctx;
	int rc;

	ctx.aws = a;
	ctx.cfg = a->conf;
	ctx.profile = a->profile;
	ctx.clock = a->clock;
	ctx.tried = &tried;
	a->resolving = true;
	rc = bq_creds_resolve(&ctx, &fresh, err);
	a->resolving = false;
	bq_buf_release(&tried);
	if (rc < 0) {
		double now = bq_clock_now(a->clock);

		/* A failed early refresh keeps the old credentials while they
		 * last, as the SDKs do. */
		if (a->creds.access_key_id &&
		    (a->creds.expiration == 0 || now < a->creds.expiration - 10)) {
			if (!a->refresh_warned)
				bq_warn("cannot refresh credentials, using the current ones: %s",
					err->message);
			a->refresh_warned = true;
			return 0;
		}
		return -1;
	}
	bq_creds_move(&a->creds, &fresh);
	a->refresh_warned = false;
	free(a->creds_source);
	a->creds_source = a->creds.source ? strdup(a->creds.source) : NULL;
	if (a->debug) {
		char when[32] = "never";

		if (a->creds.expiration > 0) {
			time_t t = (time_t)a->creds.expiration;
			struct tm tm;

			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		}
		bq_logf("* credentials from %s, access key %s, expiring %s\n",
			a->creds.source ? a->creds.source : "?",
			a->creds.access_key_id, when);
	}
	return 0;
}

int bq_aws_creds_get(bq_aws *a, const bq_creds **out, bq_err *err)
{
	double now = bq_clock_now(a->clock);

	if (a->creds.access_key_id &&
	    bq_creds_fresh(&a->creds, now, BQ_CREDS_REFRESH_MARGIN)) {
		*out = &a->creds;
		return 0;
	}
	if (a->resolving)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "credentials are needed to resolve credentials (a loop in profile '%s')",
			       a->profile);
	if (resolve_creds(a, err) < 0)
		return -1;
	*out = &a->creds;
	return 0;
}

int bq_aws_refresh_credentials(bq_aws *a, bq_err *err)
{
	bq_creds_clear(&a->creds);
	return resolve_creds(a, err);
}

int bq_aws_ensure_credentials(bq_aws *a, bq_err *err)
{
	const bq_creds *c;

	if (a->no_credentials)
		return 0;
	return bq_aws_creds_get(a, &c, err);
}

const char *bq_aws_credentials_source(const bq_aws *a)
{
	return a->creds_source;
}

/* ---- one call ---- */

static char *dupstr(const char *s)
{
	return s ? strdup(s) : NULL;
}

int bq_call_init(bq_call *c, bq_aws *a, const bq_aws_request *r,
		 const bq_aws_xopts *xo, bool copy_body, bq_err *err)
{
	size_t n = 0, i;

	memset(c, 0, sizeof(*c));
	c->a = a;
	c->svc = bq_service_get(r->svc);
	if (!c->svc)
		return bq_fail(err, BQ_EXIT_RUNTIME, "unknown service id %d",
			       (int)r->svc);
	if (xo)
		c->xo = *xo;
	bq_request_init(&c->req);
	bq_http_xfer_init(&c->x);
	bq_buf_init(&c->body_own, 0);
	c->method = strdup(r->method ? r->method : "POST");
	c->path = strdup(r->path && *r->path ? r->path : "/");
	c->query = dupstr(r->query);
	c->content_type = dupstr(r->content_type);
	c->label = dupstr(xo && xo->label ? xo->label : NULL);
	c->s3_bucket = dupstr(xo && xo->s3_bucket ? xo->s3_bucket : NULL);
	c->region = dupstr(xo && xo->region ? xo->region : NULL);
	c->xo.label = c->label;
	c->xo.s3_bucket = c->s3_bucket;
	c->xo.region = c->region;
	while (r->headers && r->headers[n])
		n++;
	c->headers = calloc(n + 1, sizeof(char *));
	if (!c->method || !c->path || !c->headers ||
	    (r->query && !c->query) || (r->content_type && !c->content_type))
		goto oom;
	for (i = 0; i < n; i++)
		if (!(c->headers[i] = strdup(r->headers[i])))
			goto oom;
	if (copy_body && r->body_len) {
		if (bq_buf_append(&c->body_own, r->body, r->body_len) < 0)
			goto oom;
		c->body = c->body_own.data;
	} else {
		c->body = r->body;
	}
	c->body_len = r->body_len;
	return 0;
oom:
	bq_call_release(c);
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

void bq_call_release(bq_call *c)
{
	size_t i;

	bq_request_free(&c->req);
	bq_http_xfer_release(&c->x);
	bq_buf_release_secure(&c->body_own);
	free(c->method);
	free(c->path);
	free(c->query);
	free(c->content_type);
	free(c->label);
	free(c->s3_bucket);
	free(c->region);
	for (i = 0; c->headers && c->headers[i]; i++)
		bq_free_secret(c->headers[i]);
	free(c->headers);
	if (c->ep_own_set)
		bq_endpoint_free(&c->ep_own);
	memset(c, 0, sizeof(*c));
}

static const bq_endpoint *call_endpoint(bq_call *c, bq_err *err)
{
	if (!c->region)
		return bq_aws_ep(c->a, c->svc->id, err);
	if (!c->ep_own_set) {
		if (bq_endpoint_resolve(c->svc->id, c->region, c->a->endpoint_url,
					c->a->conf, c->a->profile, &c->ep_own,
					err) < 0)
			return NULL;
		c->ep_own_set = true;
	}
	return &c->ep_own;
}

static const char *call_label(const bq_call *c)
{
	return c->label ? c->label : c->method;
}

static void debug_signing(const bq_sigv4_result *res)
{
	bq_logf("* canonical request:\n%s\n* string to sign:\n%s\n",
		res->canonical_request ? res->canonical_request : "",
		res->string_to_sign ? res->string_to_sign : "");
}

int bq_call_prepare(bq_call *c, bq_err *err)
{
	bq_aws *a = c->a;
	const bq_endpoint *ep = call_endpoint(c, err);
	char *host = NULL, *path = NULL;
	bq_buf full = BQ_BUF_INIT;
	size_t i;
	int rc;

	if (!ep)
		return -1;
	bq_request_free(&c->req);
	bq_request_init(&c->req);
	if (c->s3_bucket) {
		if (bq_endpoint_s3_target(ep, c->s3_bucket,
					  strcmp(c->path, "/") == 0 ? "" : c->path,
					  a->s3_path_style, &host, &path, err) < 0)
			return -1;
		rc = bq_request_set_target(&c->req, c->method, ep->scheme, host,
					   path, c->query, err);
		free(host);
		free(path);
	} else {
		if (bq_buf_puts(&full, ep->base_path) < 0 ||
		    bq_buf_puts(&full, c->path) < 0) {
			bq_buf_release(&full);
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		}
		rc = bq_request_set_target(&c->req, c->method, ep->scheme, ep->host,
					   bq_buf_cstr(&full), c->query, err);
		bq_buf_release(&full);
	}
	if (rc < 0)
		return -1;
	for (i = 0; c->headers[i]; i++) {
		const char *h = c->headers[i], *colon = strchr(h, ':');
		char name[128];
		size_t nl;

		if (!colon || (nl = (size_t)(colon - h)) == 0 || nl >= sizeof(name))
			return bq_fail(err, BQ_EXIT_RUNTIME, "bad request header '%s'", h);
		memcpy(name, h, nl);
		name[nl] = '\0';
		colon++;
		while (*colon == ' ')
			colon++;
		if (bq_request_add_header(&c->req, name, colon, err) < 0)
			return -1;
	}
	if (c->content_type &&
	    bq_request_set_header(&c->req, "Content-Type", c->content_type, err) < 0)
		return -1;
	bq_request_set_body(&c->req, c->body, c->body_len);
	if (c->xo.on_attempt && c->xo.on_attempt(c->xo.attempt_ud, &c->req, err) < 0)
		return -1;
	if (!c->xo.no_sign && !a->no_credentials) {
		const bq_creds *cr = c->xo.creds;
		bq_sigv4_creds sc;
		bq_sigv4_opts so = BQ_SIGV4_OPTS_INIT;
		bq_sigv4_result res = BQ_SIGV4_RESULT_INIT;
		double now;

		if (!cr && bq_aws_creds_get(a, &cr, err) < 0)
			return -1;
		sc.access_key_id = cr->access_key_id;
		sc.secret_access_key = cr->secret_access_key;
		sc.session_token = cr->session_token;
		so.cache = &a->sigcache;
		now = bq_clock_now(a->clock) + a->skew;
		rc = bq_sigv4_sign(&c->req, &sc, (time_t)floor(now),
				   ep->signing_region, ep->signing_name, &so,
				   a->debug ? &res : NULL, err);
		if (rc == 0 && a->debug)
			debug_signing(&res);
		bq_sigv4_result_free(&res);
		if (rc < 0)
			return -1;
	}
	bq_http_xfer_reset(&c->x);
	c->x.req = &c->req;
	c->x.on_body = c->xo.sink;
	c->x.body_ud = c->xo.sink_ud;
	c->x.decode = !c->xo.raw;
	c->x.total_timeout = c->xo.total_timeout;
	c->x.connect_timeout = c->xo.connect_timeout;
	c->x.read_timeout = a->read_timeout > 0 ? a->read_timeout :
		c->svc->id == BQ_SVC_BEDROCK_RUNTIME ? 300 : 0;
	c->x.user = c;
	return 0;
}

static const char *xfer_header(const void *ud, const char *name)
{
	return bq_http_xfer_header(ud, name);
}

/* The service said our clock is off: learn the offset from its Date. */
static bool learn_skew(bq_call *c)
{
	const char *d = bq_http_xfer_header(&c->x, "date");
	time_t server;
	double now;

	if (!d || bq_http_date_parse(d, &server) < 0)
		return false;
	now = bq_clock_now(c->a->clock);
	c->a->skew = (double)server - now;
	if (c->a->debug)
		bq_logf("* clock skew: server time is %+.0f s from ours\n", c->a->skew);
	return true;
}

static void prefix_message(bq_call *c, bq_err *err)
{
	char msg[sizeof(err->message)];

	bq_snprintf(msg, sizeof(msg), "%s %s: %s", c->svc->endpoint_prefix,
		    call_label(c), err->message);
	bq_strlcpy(err->message, msg, sizeof(err->message));
}

static void note_attempts(bq_call *c, bq_err *err)
{
	size_t n = strlen(err->message);

	if (c->rs.attempts > 1)
		bq_snprintf(err->message + n, sizeof(err->message) - n,
			    " (after %d attempts)", c->rs.attempts);
}

enum bq_call_outcome bq_call_complete(bq_call *c, const bq_err *sink_err,
				      double *delay, bq_err *err)
{
	bq_aws *a = c->a;
	bool timeout = false;
	double hint = -1;

	*delay = 0;
	c->rs.attempts++;
	if (c->x.fail == BQ_HTTP_ABORTED) {
		if (c->x.abort_code > 0)
			return BQ_CALL_OK;
		if (sink_err && sink_err->exit_status)
			*err = *sink_err;
		else
			bq_fail(err, BQ_EXIT_RUNTIME, "%s %s: stopped by the reader",
				c->svc->endpoint_prefix, call_label(c));
		return BQ_CALL_FAILED;
	}
	if (c->x.fail == BQ_HTTP_TRUNCATED && c->xo.answer_unused &&
	    c->x.status >= 200 && c->x.status < 300) {
		bq_retry_on_success(&a->quota, &c->rs);
		return BQ_CALL_OK;
	}
	if (c->x.fail != BQ_HTTP_OK) {
		bq_http_result(&c->x, err);
		prefix_message(c, err);
		timeout = c->x.fail == BQ_HTTP_TIMEOUT;
	} else if (c->x.status >= 200 && c->x.status < 300) {
		bq_retry_on_success(&a->quota, &c->rs);
		return BQ_CALL_OK;
	} else {
		bq_proto_error(c->svc, c->x.status, c->x.body.data, c->x.body.len,
			       xfer_header, &c->x, err);
		prefix_message(c, err);
		if (err->clock_skew) {
			if (!c->skew_retried && learn_skew(c)) {
				c->skew_retried = true;
				c->rs.attempts--; /* a correction, not a retry */
				return BQ_CALL_RETRY;
			}
		}
		if (err->expired_token && !c->refresh_retried && !c->xo.creds &&
		    !c->xo.no_sign && !a->no_credentials && !a->resolving) {
			bq_err rerr;

			c->refresh_retried = true;
			if (bq_aws_refresh_credentials(a, &rerr) == 0) {
				c->rs.attempts--;
				return BQ_CALL_RETRY;
			}
		}
		hint = bq_retry_hint(bq_http_xfer_header(&c->x, "x-amz-retry-after"),
				     bq_http_xfer_header(&c->x, "retry-after"),
				     bq_clock_now(a->clock));
	}
	if (bq_retry_should(&a->quota, &c->rs,
			    c->xo.max_attempts > 0 ? c->xo.max_attempts : a->max_attempts,
			    err, timeout)) {
		*delay = bq_retry_delay(&c->rs, bq_clock_random(a->clock), hint);
		if (a->debug)
			bq_logf("* retrying %s %s in %.3f s (attempt %d failed: %s)\n",
				c->svc->endpoint_prefix, call_label(c), *delay,
				c->rs.attempts, err->code[0] ? err->code : err->message);
		return BQ_CALL_RETRY;
	}
	note_attempts(c, err);
	return BQ_CALL_FAILED;
}

/* Runs a call to its end, blocking. */
int bq_call_run(bq_call *c, const bq_err *sink_err, bq_err *err)
{
	for (;;) {
		double delay;
		bq_err terr;

		if (bq_call_prepare(c, err) < 0)
			return -1;
		if (bq_http_perform(c->a->http, &c->x, &terr) < 0 &&
		    c->x.fail == BQ_HTTP_OK) {
			*err = terr; /* could not even start */
			return -1;
		}
		switch (bq_call_complete(c, sink_err, &delay, err)) {
		case BQ_CALL_OK:
			return 0;
		case BQ_CALL_FAILED:
			return -1;
		case BQ_CALL_RETRY:
			if (delay > 0)
				bq_clock_sleep(c->a->clock, delay);
			break;
		}
	}
}

static void move_response(bq_call *c, bq_aws_response *resp)
{
	if (!resp)
		return;
	bq_aws_response_free(resp);
	resp->status = c->x.status;
	resp->body = c->x.body;
	bq_buf_init(&c->x.body, 0);
	resp->headers = c->x.headers;
	c->x.headers = NULL;
	c->x.nheaders = 0;
	c->x.hcap = 0;
}

int bq_aws_send_ex(bq_aws *a, const bq_aws_request *req,
		   const bq_aws_xopts *xo, bq_aws_response *resp,
		   const bq_err *sink_err, bq_err *err)
{
	bq_call c;
	int rc;

	if (bq_call_init(&c, a, req, xo, false, err) < 0)
		return -1;
	rc = bq_call_run(&c, sink_err, err);
	move_response(&c, resp);
	bq_call_release(&c);
	return rc;
}

int bq_aws_send(bq_aws *a, const bq_aws_request *req, bq_aws_response *resp,
		bq_err *err)
{
	return bq_aws_send_ex(a, req, NULL, resp, NULL, err);
}

const char *bq_aws_response_header(const bq_aws_response *r, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; r->headers && r->headers[i]; i++) {
		const char *h = r->headers[i];

		if (strncasecmp(h, name, n) == 0 && h[n] == ':')
			return h + n + 1 + (h[n + 1] == ' ');
	}
	return NULL;
}

void bq_aws_response_free(bq_aws_response *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; r->headers && r->headers[i]; i++)
		free(r->headers[i]);
	free(r->headers);
	r->headers = NULL;
	bq_buf_release(&r->body);
	r->status = 0;
}

void bq_aws_response_free_secure(bq_aws_response *r)
{
	if (r && r->body.data)
		bq_wipe(r->body.data, r->body.len);
	bq_aws_response_free(r);
}

/* ---- JSON and rest-json ---- */

int bq_call_json_request(bq_service_id svc, const char *operation,
			 json_t *input, bq_buf *body,
			 struct bq_proto_json_req *pj, bq_aws_request *r,
			 bq_aws_xopts *xo, bq_err *err)
{
	const bq_service *s = bq_service_get(svc);

	if (!s || s->protocol != BQ_PROTO_JSON)
		return bq_fail(err, BQ_EXIT_RUNTIME, "%s is not an awsJson service",
			       s ? s->service_id : "?");
	if (bq_proto_json_prepare(s, operation, input, body, pj, err) < 0)
		return -1;
	memset(r, 0, sizeof(*r));
	r->svc = svc;
	r->method = "POST";
	r->path = "/";
	r->headers = pj->headers;
	r->body = body->data;
	r->body_len = body->len;
	r->content_type = pj->content_type;
	memset(xo, 0, sizeof(*xo));
	xo->label = operation;
	return 0;
}

int bq_call_rest_request(bq_service_id svc, const char *method,
			 const char *path, const char *query, json_t *json,
			 bq_buf *body, char *label, size_t label_size,
			 bq_aws_request *r, bq_aws_xopts *xo, bq_err *err)
{
	if (!bq_service_get(svc))
		return bq_fail(err, BQ_EXIT_RUNTIME, "unknown service id %d", (int)svc);
	if (!path || path[0] != '/')
		return bq_fail(err, BQ_EXIT_RUNTIME, "rest path '%s' must start with '/'",
			       path ? path : "");
	if (json) {
		char *txt = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
		int rc = txt ? bq_buf_puts(body, txt) : -1;

		free(txt);
		if (rc < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "cannot encode a request body");
	}
	memset(r, 0, sizeof(*r));
	r->svc = svc;
	r->method = method ? method : "GET";
	r->path = path;
	r->query = query && *query ? query : NULL;
	r->body = body->data;
	r->body_len = body->len;
	r->content_type = json ? "application/json" : NULL;
	bq_snprintf(label, label_size, "%s %s", r->method, path);
	memset(xo, 0, sizeof(*xo));
	xo->label = label;
	return 0;
}

/* Sends a JSON-answering call and decodes the answer into *output. */
static int send_json(bq_aws *a, const bq_aws_request *r, const bq_aws_xopts *xo,
		     json_t **output, bq_err *err)
{
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	int rc = bq_aws_send_ex(a, r, xo, &resp, NULL, err);

	if (rc == 0 && output)
		rc = bq_proto_json_parse(bq_service_get(r->svc), resp.body.data,
					 resp.body.len, output, err);
	bq_aws_response_free(&resp);
	return rc;
}

int bq_aws_json_call(bq_aws *a, bq_service_id svc, const char *operation,
		     json_t *input, json_t **output, bq_err *err)
{
	bq_proto_json_req pj;
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_buf body = BQ_BUF_INIT;
	int rc;

	if (output)
		*output = NULL;
	rc = bq_call_json_request(svc, operation, input, &body, &pj, &r, &xo, err);
	xo.answer_unused = output == NULL;
	if (rc == 0)
		rc = send_json(a, &r, &xo, output, err);
	bq_buf_release(&body);
	return rc;
}

int bq_aws_rest_call(bq_aws *a, bq_service_id svc, const char *method,
		     const char *path, const char *query, json_t *body,
		     json_t **output, bq_err *err)
{
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_buf txt = BQ_BUF_INIT;
	char label[160];
	int rc;

	if (output)
		*output = NULL;
	rc = bq_call_rest_request(svc, method, path, query, body, &txt, label,
				  sizeof(label), &r, &xo, err);
	if (rc == 0)
		rc = send_json(a, &r, &xo, output, err);
	bq_buf_release(&txt);
	return rc;
}

int bq_aws_query_call(bq_aws *a, bq_service_id svc, const char *action,
		      const char *const *params, const bq_aws_xopts *xo_in,
		      json_t **out, bq_err *err)
{
	const bq_service *s = bq_service_get(svc);
	bq_buf body = BQ_BUF_INIT;
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	int rc;

	*out = NULL;
	if (!s || s->protocol != BQ_PROTO_QUERY)
		return bq_fail(err, BQ_EXIT_RUNTIME, "not a query-protocol service");
	if (bq_proto_query_body(s, action, params, &body, err) < 0) {
		bq_buf_release_secure(&body);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.svc = svc;
	r.method = "POST";
	r.path = "/";
	r.body = body.data;
	r.body_len = body.len;
	r.content_type = BQ_PROTO_QUERY_CONTENT_TYPE;
	if (xo_in)
		xo = *xo_in;
	else
		memset(&xo, 0, sizeof(xo));
	xo.label = action;
	rc = bq_aws_send_ex(a, &r, &xo, &resp, NULL, err);
	if (rc == 0)
		rc = bq_proto_query_parse(s, action, resp.body.data, resp.body.len,
					  out, err);
	bq_aws_response_free_secure(&resp);
	bq_buf_release_secure(&body);
	return rc;
}

int bq_aws_fetch(bq_aws *a, const char *method, const char *url,
		 const char *const *headers, double timeout,
		 bq_aws_response *resp, bq_err *err)
{
	bq_request req = BQ_REQUEST_INIT;
	bq_http_xfer x;
	char *scheme = NULL, *host = NULL, *path = NULL;
	const char *q;
	size_t i;
	int rc = -1;

	bq_http_xfer_init(&x);
	{
		/* bq_url_split refuses queries; metadata URLs may carry one */
		char *base = strdup(url);

		if (!base)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		q = strchr(url, '?');
		if (q)
			base[q - url] = '\0';
		rc = bq_url_split(base, &scheme, &host, &path, err);
		free(base);
		if (rc < 0)
			return -1;
		rc = -1;
	}
	{
		/* the path exactly as given: bq_url_split drops a trailing '/',
		 * which IMDS's ".../security-credentials/" needs */
		const char *p = strstr(url, "://");
		size_t plen;

		p = p ? p + 3 : url;
		p += strcspn(p, "/?");
		plen = strcspn(p, "?#");
		free(path);
		path = strndup(p, plen);
		if (!path) {
			bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
			goto out;
		}
	}
	if (bq_request_set_target(&req, method, scheme, host, *path ? path : "/",
				  q ? q + 1 : NULL, err) < 0)
		goto out;
	for (i = 0; headers && headers[i]; i += 2)
		if (bq_request_add_header(&req, headers[i], headers[i + 1], err) < 0)
			goto out;
	x.req = &req;
	x.total_timeout = timeout;
	x.connect_timeout = timeout;
	x.max_body = (size_t)1 << 20;
	bq_buf_init(&x.body, x.max_body);
	if (bq_http_perform(a->http, &x, err) < 0)
		goto out;
	bq_aws_response_free(resp);
	resp->status = x.status;
	resp->body = x.body;
	bq_buf_init(&x.body, 0);
	resp->headers = x.headers;
	x.headers = NULL;
	x.nheaders = x.hcap = 0;
	rc = 0;
out:
	bq_http_xfer_release(&x);
	bq_request_free(&req);
	free(scheme);
	free(host);
	free(path);
	return rc;
}
