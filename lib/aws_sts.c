/*
 * aws_sts.c: STS (query protocol): GetCallerIdentity, AssumeRole and
 * AssumeRoleWithWebIdentity, for tools and for the credentials providers.
 */
#include "aws_internal.h"

#include <stdio.h>
#include <string.h>

int bq_sts_get_caller_identity(bq_aws *a, json_t **out, bq_err *err)
{
	json_t *res = NULL;

	*out = NULL;
	if (bq_aws_query_call(a, BQ_SVC_STS, "GetCallerIdentity", NULL, NULL,
			      &res, err) < 0)
		return -1;
	json_object_del(res, "ResponseMetadata");
	*out = res;
	return 0;
}

static void session_default(const bq_aws *a, const char **name, char *buf,
			    size_t size)
{
	if (!*name || !**name) {
		bq_snprintf(buf, size, "bq-%lld",
			    (long long)bq_clock_now(bq_aws_clock(a)));
		*name = buf;
	}
}

/* STS answers a refused role with 4xx codes; for the user that is a
 * credentials problem (status 3), not a service failure. */
static void creds_status(bq_err *err)
{
	if (err->http_status >= 400 && err->http_status < 500 && !err->retryable)
		err->exit_status = BQ_EXIT_CREDS;
}

static int take_creds(json_t *res, const char *source, const char *what,
		      bq_creds *out, bq_err *err)
{
	int rc = bq_creds_from_json(out, json_object_get(res, "Credentials"),
				    "AccessKeyId", "SecretAccessKey",
				    "SessionToken", "Expiration", source, what,
				    err);

	bq_json_decref_secret(res);
	return rc;
}

int bq_sts_assume_role_as(bq_aws *a, const bq_creds *src, const char *role_arn,
			  const char *session_name, const char *external_id,
			  const char *duration_seconds, bq_creds *out,
			  bq_err *err)
{
	const char *params[9];
	char sbuf[64];
	bq_aws_xopts xo;
	json_t *res = NULL;
	size_t n = 0;

	session_default(a, &session_name, sbuf, sizeof(sbuf));
	params[n++] = "RoleArn";
	params[n++] = role_arn;
	params[n++] = "RoleSessionName";
	params[n++] = session_name;
	if (external_id && *external_id) {
		params[n++] = "ExternalId";
		params[n++] = external_id;
	}
	if (duration_seconds && *duration_seconds) {
		params[n++] = "DurationSeconds";
		params[n++] = duration_seconds;
	}
	params[n] = NULL;
	memset(&xo, 0, sizeof(xo));
	xo.creds = src;
	if (bq_aws_query_call(a, BQ_SVC_STS, "AssumeRole", params, &xo, &res, err) < 0) {
		creds_status(err);
		return -1;
	}
	return take_creds(res, "assume-role", "AssumeRole", out, err);
}

int bq_sts_assume_role(bq_aws *a, const char *role_arn,
		       const char *session_name, const char *external_id,
		       int duration_seconds, struct bq_creds *out, bq_err *err)
{
	char dur[24] = "";

	if (duration_seconds > 0)
		bq_snprintf(dur, sizeof(dur), "%d", duration_seconds);
	return bq_sts_assume_role_as(a, NULL, role_arn, session_name, external_id,
				     dur, out, err);
}

int bq_sts_assume_role_with_web_identity(bq_aws *a, const char *role_arn,
					 const char *session_name,
					 const char *token,
					 struct bq_creds *out, bq_err *err)
{
	const char *params[7];
	char sbuf[64];
	bq_aws_xopts xo;
	json_t *res = NULL;

	bq_redact_add(token);
	session_default(a, &session_name, sbuf, sizeof(sbuf));
	params[0] = "RoleArn";
	params[1] = role_arn;
	params[2] = "RoleSessionName";
	params[3] = session_name;
	params[4] = "WebIdentityToken";
	params[5] = token;
	params[6] = NULL;
	memset(&xo, 0, sizeof(xo));
	xo.no_sign = true;
	if (bq_aws_query_call(a, BQ_SVC_STS, "AssumeRoleWithWebIdentity", params,
			      &xo, &res, err) < 0) {
		creds_status(err);
		return -1;
	}
	return take_creds(res, "web-identity", "AssumeRoleWithWebIdentity", out, err);
}
