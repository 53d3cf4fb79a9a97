/*
 * creds_sso.c: IAM Identity Center.  The AWS CLI's "aws sso login" leaves
 * an access token in ~/.aws/sso/cache/<sha1>.json (sha1 of the
 * sso-session name, or of the start URL for legacy profiles); SSO
 * GetRoleCredentials (rest-json, unsigned, bearer token header) turns it
 * into role credentials.  bq never refreshes the SSO token itself: an
 * expired one asks the user to log in again.
 */
#include "creds.h"
#include "aws_internal.h"
#include "hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *bq_creds_sso_cache_path(const char *key)
{
	char hex[BQ_SHA1_HEX_LEN + 1], rel[96];

	if (bq_sha1_hex(key, strlen(key), hex) < 0)
		return NULL;
	bq_snprintf(rel, sizeof(rel), "~/.aws/sso/cache/%s.json", hex);
	return bq_config_expand_home(rel);
}

static int load_token(const char *path, json_t **out, bq_err *err)
{
	json_error_t je;

	*out = json_load_file(path, 0, &je);
	if (!*out) {
		if (errno == ENOENT || strstr(je.text, "unable to open"))
			return bq_fail(err, BQ_EXIT_CREDS,
				       "no SSO session cached in '%s': run 'aws sso login'",
				       path);
		return bq_fail(err, BQ_EXIT_CREDS, "bad SSO cache file '%s': %s", path,
			       je.text);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return bq_fail(err, BQ_EXIT_CREDS, "bad SSO cache file '%s'", path);
	}
	return 0;
}

int bq_creds_sso(const bq_creds_ctx *ctx, const char *profile, bq_creds *out,
		 bq_err *err)
{
	const char *session = bq_config_get(ctx->cfg, profile, "sso_session");
	const char *start_url, *region, *account, *role;
	char *path = NULL;
	json_t *tokf = NULL, *tok, *exp;
	double expires;
	bq_aws_request r;
	bq_aws_xopts xo;
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	bq_buf q = BQ_BUF_INIT, hdr = BQ_BUF_INIT;
	const char *hdrs[2];
	int rc = -1;

	if (session && *session) {
		start_url = bq_config_section_get(ctx->cfg, "sso-session", session,
						  "sso_start_url", NULL);
		region = bq_config_section_get(ctx->cfg, "sso-session", session,
					       "sso_region", NULL);
		if (!start_url || !region)
			return bq_fail(err, BQ_EXIT_CREDS,
				       "[sso-session %s] (profile '%s') needs sso_start_url and sso_region",
				       session, profile);
	} else {
		start_url = bq_config_get(ctx->cfg, profile, "sso_start_url");
		region = bq_config_get(ctx->cfg, profile, "sso_region");
		if (!start_url || !region || !*region)
			return bq_fail(err, BQ_EXIT_CREDS,
				       "profile '%s' needs sso_start_url and sso_region",
				       profile);
	}
	account = bq_config_get(ctx->cfg, profile, "sso_account_id");
	role = bq_config_get(ctx->cfg, profile, "sso_role_name");
	if (!account || !*account || !role || !*role)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s' needs sso_account_id and sso_role_name",
			       profile);
	path = bq_creds_sso_cache_path(session && *session ? session : start_url);
	if (!path)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	if (load_token(path, &tokf, err) < 0)
		goto out;
	tok = json_object_get(tokf, "accessToken");
	exp = json_object_get(tokf, "expiresAt");
	if (!json_is_string(tok) || !*json_string_value(tok)) {
		bq_fail(err, BQ_EXIT_CREDS, "SSO cache file '%s' has no accessToken", path);
		goto out;
	}
	bq_redact_add(json_string_value(tok));
	if (!exp || bq_creds_parse_expiration(exp, &expires) < 0) {
		bq_fail(err, BQ_EXIT_CREDS, "SSO cache file '%s' has no valid expiresAt",
			path);
		goto out;
	}
	if (expires <= bq_clock_now(ctx->clock)) {
		bq_fail(err, BQ_EXIT_CREDS,
			"the SSO session for profile '%s' has expired: run 'aws sso login'",
			profile);
		goto out;
	}
	if (bq_aws_query_add(&q, "role_name", role) < 0 ||
	    bq_aws_query_add(&q, "account_id", account) < 0 ||
	    bq_buf_printf(&hdr, "x-amz-sso_bearer_token: %s",
			  json_string_value(tok)) < 0) {
		bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		goto out;
	}
	hdrs[0] = bq_buf_cstr(&hdr);
	hdrs[1] = NULL;
	memset(&r, 0, sizeof(r));
	r.svc = BQ_SVC_SSO;
	r.method = "GET";
	r.path = "/federation/credentials";
	r.query = bq_buf_cstr(&q);
	r.headers = hdrs;
	memset(&xo, 0, sizeof(xo));
	xo.label = "GetRoleCredentials";
	xo.region = region;
	xo.no_sign = true;
	if (bq_aws_send_ex(ctx->aws, &r, &xo, &resp, NULL, err) < 0) {
		if (err->http_status == 401 || err->http_status == 403)
			err->exit_status = BQ_EXIT_CREDS;
		goto out;
	}
	if (bq_creds_from_answer(out, resp.body.data, resp.body.len, "roleCredentials",
				 "accessKeyId", "secretAccessKey", "sessionToken",
				 "expiration", "sso", "SSO GetRoleCredentials",
				 err) < 0)
		goto out;
	rc = 1;
out:
	bq_aws_response_free_secure(&resp);
	bq_json_decref_secret(tokf);
	bq_buf_release_secure(&hdr);
	bq_buf_release(&q);
	free(path);
	return rc;
}
