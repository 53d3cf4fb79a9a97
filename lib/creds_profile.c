/*
 * creds_profile.c: credentials named by a shared-config profile, in
 * botocore's order: assume role (role_arn with source_profile,
 * credential_source or web_identity_token_file; chains of roles), IAM
 * Identity Center, static keys in the credentials file,
 * credential_process, static keys in the config file.
 */
#include "creds.h"
#include "aws_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAIN 8

static const char *get(const bq_creds_ctx *ctx, const char *profile,
		       const char *key)
{
	const char *v = bq_config_get(ctx->cfg, profile, key);

	return v && *v ? v : NULL;
}

/* Static keys from one file: 1, 0 (none), -1 (half a pair). */
static int static_keys(const bq_creds_ctx *ctx, enum bq_config_kind kind,
		       const char *profile, bq_creds *out, bq_err *err)
{
	const char *ak = bq_config_get_in(ctx->cfg, kind, profile, "aws_access_key_id");
	const char *sk = bq_config_get_in(ctx->cfg, kind, profile, "aws_secret_access_key");
	const char *tok = bq_config_get_in(ctx->cfg, kind, profile, "aws_session_token");

	bq_redact_add(sk);
	bq_redact_add(tok);
	if ((!ak || !*ak) && (!sk || !*sk))
		return 0;
	if (!ak || !*ak || !sk || !*sk)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s' in '%s' has %s but no %s", profile,
			       bq_config_path(ctx->cfg, kind),
			       ak && *ak ? "aws_access_key_id" : "aws_secret_access_key",
			       ak && *ak ? "aws_secret_access_key" : "aws_access_key_id");
	if (bq_creds_set(out, ak, sk, tok, 0, "profile", err) < 0)
		return -1;
	return 1;
}

static int any_static_keys(const bq_creds_ctx *ctx, const char *profile,
			   bq_creds *out, bq_err *err)
{
	int rc = static_keys(ctx, BQ_CREDENTIALS_FILE, profile, out, err);

	return rc ? rc : static_keys(ctx, BQ_CONFIG_FILE, profile, out, err);
}

static int assume_role(const bq_creds_ctx *ctx, const bq_creds *src,
		       const char *profile, const char *role_arn,
		       bq_creds *out, bq_err *err)
{
	if (bq_sts_assume_role_as(ctx->aws, src, role_arn,
				  get(ctx, profile, "role_session_name"),
				  get(ctx, profile, "external_id"),
				  get(ctx, profile, "duration_seconds"), out,
				  err) < 0) {
		char msg[sizeof(err->message)];

		bq_snprintf(msg, sizeof(msg), "assuming role '%s' (profile '%s'): %s",
			    role_arn, profile, err->message);
		bq_strlcpy(err->message, msg, sizeof(err->message));
		return -1;
	}
	return 1;
}

static int resolve(const bq_creds_ctx *ctx, const char *profile, int depth,
		   const char **visited, bq_creds *out, bq_err *err);

static int credential_source(const bq_creds_ctx *ctx, const char *profile,
			     const char *cs, bq_creds *out, bq_err *err)
{
	int rc;

	if (strcmp(cs, "Environment") == 0)
		rc = bq_creds_env(ctx, out, err);
	else if (strcmp(cs, "Ec2InstanceMetadata") == 0)
		rc = bq_creds_imds(ctx, out, err);
	else if (strcmp(cs, "EcsContainer") == 0)
		rc = bq_creds_container(ctx, out, err);
	else
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s': unknown credential_source '%s' (use Environment, Ec2InstanceMetadata or EcsContainer)",
			       profile, cs);
	if (rc == 0)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s': credential_source %s gave no credentials",
			       profile, cs);
	return rc;
}

static int role_profile(const bq_creds_ctx *ctx, const char *profile,
			const char *role_arn, int depth, const char **visited,
			bq_creds *out, bq_err *err)
{
	const char *sp = get(ctx, profile, "source_profile");
	const char *cs = get(ctx, profile, "credential_source");
	const char *wif = get(ctx, profile, "web_identity_token_file");
	bq_creds src = BQ_CREDS_INIT;
	int rc, i;

	if (get(ctx, profile, "mfa_serial"))
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s' needs an MFA code (mfa_serial), which bq cannot prompt for",
			       profile);
	if (sp && cs)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s' has both source_profile and credential_source",
			       profile);
	if (sp) {
		if (strcmp(sp, profile) == 0) {
			/* a profile may be its own source through its static keys */
			rc = any_static_keys(ctx, profile, &src, err);
		} else {
			for (i = 0; i < depth; i++)
				if (strcmp(visited[i], sp) == 0)
					return bq_fail(err, BQ_EXIT_CREDS,
						       "source_profile loop at profile '%s'", sp);
			if (!bq_config_has_profile(ctx->cfg, sp))
				return bq_fail(err, BQ_EXIT_CREDS,
					       "source_profile '%s' of profile '%s' not found",
					       sp, profile);
			rc = resolve(ctx, sp, depth + 1, visited, &src, err);
		}
		if (rc == 0)
			return bq_fail(err, BQ_EXIT_CREDS,
				       "source_profile '%s' of profile '%s' has no credentials",
				       sp, profile);
	} else if (cs) {
		rc = credential_source(ctx, profile, cs, &src, err);
	} else if (wif) {
		return bq_creds_web_identity(ctx, role_arn,
					     get(ctx, profile, "role_session_name"),
					     wif, out, err);
	} else {
		return bq_fail(err, BQ_EXIT_CREDS,
			       "profile '%s' has role_arn but no source_profile, credential_source or web_identity_token_file",
			       profile);
	}
	if (rc < 0) {
		bq_creds_clear(&src);
		return -1;
	}
	rc = assume_role(ctx, &src, profile, role_arn, out, err);
	bq_creds_clear(&src);
	return rc;
}

static int resolve(const bq_creds_ctx *ctx, const char *profile, int depth,
		   const char **visited, bq_creds *out, bq_err *err)
{
	const char *role, *proc;
	int rc;

	if (depth >= MAX_CHAIN)
		return bq_fail(err, BQ_EXIT_CREDS,
			       "role chain longer than %d profiles at '%s'", MAX_CHAIN,
			       profile);
	visited[depth] = profile;
	role = get(ctx, profile, "role_arn");
	if (role)
		return role_profile(ctx, profile, role, depth, visited, out, err);
	if (get(ctx, profile, "sso_session") || get(ctx, profile, "sso_start_url"))
		return bq_creds_sso(ctx, profile, out, err);
	rc = static_keys(ctx, BQ_CREDENTIALS_FILE, profile, out, err);
	if (rc)
		return rc;
	proc = get(ctx, profile, "credential_process");
	if (proc)
		return bq_creds_process(ctx, proc, out, err);
	return static_keys(ctx, BQ_CONFIG_FILE, profile, out, err);
}

int bq_creds_profile(const bq_creds_ctx *ctx, const char *profile,
		     bq_creds *out, bq_err *err)
{
	const char *visited[MAX_CHAIN + 1];
	int rc;

	if (!bq_config_has_profile(ctx->cfg, profile)) {
		bq_creds_tried(ctx, "profile '%s' (not in %s or %s)", profile,
			       bq_config_path(ctx->cfg, BQ_CONFIG_FILE),
			       bq_config_path(ctx->cfg, BQ_CREDENTIALS_FILE));
		return 0;
	}
	rc = resolve(ctx, profile, 0, visited, out, err);
	if (rc == 0)
		bq_creds_tried(ctx, "profile '%s' (no credentials in it)", profile);
	return rc;
}
