/*
 * creds_web_identity.c: STS AssumeRoleWithWebIdentity with a token file
 * (EKS IRSA, GitHub OIDC...).  The call is unsigned: the token is the
 * proof.  The file is read on every refresh because it rotates.
 */
#include "creds.h"
#include "aws_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_MAX ((size_t)64 << 10)

static int read_token(const char *path, bq_buf *tok, bq_err *err)
{
	char *p = bq_config_expand_home(path);
	FILE *f = p ? fopen(p, "r") : NULL;
	char chunk[4096];
	size_t n;

	if (!f) {
		int e = errno;

		free(p);
		return bq_fail(err, BQ_EXIT_CREDS, "cannot read web identity token file '%s': %s",
			       path, strerror(e));
	}
	free(p);
	bq_buf_init(tok, TOKEN_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (bq_buf_append(tok, chunk, n) < 0) {
			fclose(f);
			bq_wipe(chunk, sizeof(chunk));
			bq_buf_release_secure(tok);
			return bq_fail(err, BQ_EXIT_CREDS,
				       "web identity token file '%s' is too big", path);
		}
	}
	bq_wipe(chunk, sizeof(chunk));
	fclose(f);
	while (tok->len && (tok->data[tok->len - 1] == '\n' ||
			    tok->data[tok->len - 1] == '\r' ||
			    tok->data[tok->len - 1] == ' '))
		tok->data[--tok->len] = '\0';
	if (!tok->len) {
		bq_buf_release_secure(tok);
		return bq_fail(err, BQ_EXIT_CREDS, "web identity token file '%s' is empty",
			       path);
	}
	bq_redact_add(bq_buf_cstr(tok));
	return 0;
}

int bq_creds_web_identity(const bq_creds_ctx *ctx, const char *role_arn,
			  const char *session_name, const char *token_file,
			  bq_creds *out, bq_err *err)
{
	bq_buf tok = BQ_BUF_INIT;
	int rc;

	if (read_token(token_file, &tok, err) < 0)
		return -1;
	rc = bq_sts_assume_role_with_web_identity(ctx->aws, role_arn, session_name,
						  bq_buf_cstr(&tok), out, err);
	bq_buf_release_secure(&tok);
	return rc < 0 ? -1 : 1;
}

int bq_creds_web_identity_env(const bq_creds_ctx *ctx, bq_creds *out,
			      bq_err *err)
{
	const char *file = getenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *role = getenv("AWS_ROLE_ARN");

	if (!file || !*file || !role || !*role) {
		if ((file && *file) || (role && *role))
			bq_creds_tried(ctx, "web identity (%s is not set)",
				       file && *file ? "AWS_ROLE_ARN" :
				       "AWS_WEB_IDENTITY_TOKEN_FILE");
		else
			bq_creds_tried(ctx, "web identity");
		return 0;
	}
	return bq_creds_web_identity(ctx, role, getenv("AWS_ROLE_SESSION_NAME"),
				     file, out, err);
}
