/*
 * creds_imds.c: EC2 instance profile credentials through IMDSv2
 * (bedrock-facts.md 9.4): PUT /latest/api/token, then the role name and
 * its credentials with the token.  IMDSv1 is used only after the token
 * request is refused with 403/404/405, and never with
 * AWS_EC2_METADATA_V1_DISABLED=true.  Timeouts and attempts follow
 * AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS (botocore: 1 s, 1).
 */
#include "creds.h"
#include "aws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TOKEN_TTL "21600"
#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"

static bool truthy(const char *v)
{
	return v && strcasecmp(v, "true") == 0;
}

static const char *setting(const bq_creds_ctx *ctx, const char *env,
			   const char *key)
{
	const char *v = getenv(env);

	if (v && *v)
		return v;
	v = bq_config_get(ctx->cfg, ctx->profile, key);
	return v && *v ? v : NULL;
}

static int endpoint(const bq_creds_ctx *ctx, bq_buf *b)
{
	const char *ep = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT",
				 "ec2_metadata_service_endpoint");
	const char *mode = setting(ctx, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
				   "ec2_metadata_service_endpoint_mode");
	size_t n;

	if (!ep)
		ep = mode && strcasecmp(mode, "IPv6") == 0 ? "http://[fd00:ec2::254]" :
			"http://169.254.169.254";
	n = strlen(ep);
	while (n && ep[n - 1] == '/')
		n--;
	return bq_buf_append(b, ep, n);
}

/* One request with the configured attempts; 0 with a response, -1 when
 * nothing answered. */
static int get(const bq_creds_ctx *ctx, const char *method, const char *url,
	       const char *const *hdrs, double timeout, int attempts,
	       bq_aws_response *resp, bq_err *err)
{
	int i, rc = -1;

	for (i = 0; i < attempts; i++) {
		rc = bq_aws_fetch(ctx->aws, method, url, hdrs, timeout, resp, err);
		if (rc == 0 && resp->status < 500)
			return 0;
	}
	return rc;
}

int bq_creds_imds(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err)
{
	const char *v;
	double timeout = 1;
	int attempts = 1, rc = -1;
	bq_buf base = BQ_BUF_INIT, url = BQ_BUF_INIT, token = BQ_BUF_INIT;
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	const char *thdr[3] = { NULL, NULL, NULL };
	const char *put_hdr[3] = { "X-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL, NULL };
	char role[256];
	bq_err e2;

	if (truthy(getenv("AWS_EC2_METADATA_DISABLED"))) {
		bq_creds_tried(ctx, "instance metadata (AWS_EC2_METADATA_DISABLED)");
		return 0;
	}
	if ((v = setting(ctx, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout"))) {
		timeout = strtod(v, NULL);
		if (timeout <= 0)
			timeout = 1;
	}
	if ((v = setting(ctx, "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
			 "metadata_service_num_attempts"))) {
		attempts = atoi(v);
		if (attempts < 1)
			attempts = 1;
	}
	if (endpoint(ctx, &base) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	bq_buf_printf(&url, "%s/latest/api/token", bq_buf_cstr(&base));
	if (get(ctx, "PUT", bq_buf_cstr(&url), put_hdr, timeout, attempts, &resp,
		&e2) < 0) {
		bq_creds_tried(ctx, "instance metadata (no answer from %s)",
			       bq_buf_cstr(&base));
		rc = 0;
		goto out;
	}
	if (resp.status == 200 && resp.body.len) {
		bq_buf_append(&token, resp.body.data, resp.body.len);
		bq_redact_add(bq_buf_cstr(&token));
		thdr[0] = "X-aws-ec2-metadata-token";
		thdr[1] = bq_buf_cstr(&token);
	} else if (resp.status == 403 || resp.status == 404 || resp.status == 405) {
		if (truthy(setting(ctx, "AWS_EC2_METADATA_V1_DISABLED",
				   "ec2_metadata_v1_disabled"))) {
			bq_fail(err, BQ_EXIT_CREDS,
				"instance metadata refused an IMDSv2 token (HTTP %d) and IMDSv1 is disabled",
				resp.status);
			goto out;
		}
	} else {
		bq_creds_tried(ctx, "instance metadata (token request: HTTP %d)",
			       resp.status);
		rc = 0;
		goto out;
	}
	bq_buf_reset(&url);
	bq_buf_printf(&url, "%s%s", bq_buf_cstr(&base), CREDS_PATH);
	if (get(ctx, "GET", bq_buf_cstr(&url), thdr, timeout, attempts, &resp, err) < 0) {
		err->exit_status = BQ_EXIT_CREDS;
		goto out;
	}
	if (resp.status == 404) {
		bq_creds_tried(ctx, "instance metadata (no instance profile)");
		rc = 0;
		goto out;
	}
	if (resp.status != 200 || !resp.body.len) {
		bq_fail(err, BQ_EXIT_CREDS, "instance metadata role lookup: HTTP %d",
			resp.status);
		goto out;
	}
	{
		size_t n = strcspn(bq_buf_cstr(&resp.body), "\r\n");

		if (n == 0 || n >= sizeof(role) ||
		    strcspn(bq_buf_cstr(&resp.body), "/?#% ") < n) {
			bq_fail(err, BQ_EXIT_CREDS, "instance metadata sent a bad role name");
			goto out;
		}
		memcpy(role, resp.body.data, n);
		role[n] = '\0';
	}
	bq_buf_reset(&url);
	bq_buf_printf(&url, "%s%s%s", bq_buf_cstr(&base), CREDS_PATH, role);
	if (get(ctx, "GET", bq_buf_cstr(&url), thdr, timeout, attempts, &resp, err) < 0) {
		err->exit_status = BQ_EXIT_CREDS;
		goto out;
	}
	if (resp.status != 200) {
		bq_fail(err, BQ_EXIT_CREDS,
			"instance metadata credentials for role '%s': HTTP %d", role,
			resp.status);
		goto out;
	}
	if (bq_creds_from_answer(out, resp.body.data, resp.body.len, NULL,
				 "AccessKeyId", "SecretAccessKey", "Token",
				 "Expiration", "imds", "instance metadata credentials",
				 err) < 0)
		goto out;
	rc = 1;
out:
	bq_aws_response_free_secure(&resp);
	bq_buf_release_secure(&token);
	bq_buf_release(&url);
	bq_buf_release(&base);
	return rc;
}
