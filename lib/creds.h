/*
 * creds: AWS credentials and the provider chain of interface.md section 2
 * (bedrock-facts.md 9.2), first that yields wins:
 *   1. environment  AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN
 *   2. web identity AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (STS
 *                   AssumeRoleWithWebIdentity, unsigned)      creds_web_identity.c
 *   3. the profile  role_arn + source_profile / credential_source (STS
 *                   AssumeRole, chains), web_identity_token_file, IAM
 *                   Identity Center (sso_session / sso_start_url), static
 *                   keys in the credentials file, credential_process,
 *                   static keys in the config file             creds_profile.c,
 *                   creds_process.c, creds_sso.c
 *   4. container    AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI
 *                                                              creds_container.c
 *   5. EC2 IMDSv2   unless AWS_EC2_METADATA_DISABLED=true      creds_imds.c
 * The cache and refresh live in the client (aws.c): temporary credentials
 * are resolved again 5 minutes (BQ_CREDS_REFRESH_MARGIN) before they
 * expire.
 *
 * Every provider returns 1 when it produced credentials, 0 when it does
 * not apply (after appending what it looked at to ctx->tried), or -1 with
 * err filled when it applies but failed (the chain stops there, as the AWS
 * CLI does: a broken profile is not skipped).
 *
 * Ownership and secrets: a bq_creds owns its strings; bq_creds_clear wipes
 * and frees them.  bq_creds_set copies and registers every secret with
 * bq_redact_add() before anything else can print it.
 */
#ifndef BQ_CREDS_H
#define BQ_CREDS_H

#include <stdbool.h>

#include <jansson.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "err.h"

#define BQ_CREDS_REFRESH_MARGIN 300.0 /* seconds before expiry */

typedef struct bq_creds {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;  /* NULL when none */
	double expiration;    /* seconds since the epoch; 0 = never */
	const char *source;   /* static string: "environment", "assume-role", ... */
} bq_creds;

#define BQ_CREDS_INIT { NULL, NULL, NULL, 0, NULL }

struct bq_aws;

typedef struct bq_creds_ctx {
	struct bq_aws *aws;    /* for STS / SSO / metadata requests */
	const bq_config *cfg;
	const char *profile;
	const bq_clock *clock;
	bq_buf *tried;         /* "environment, web identity, ..." */
} bq_creds_ctx;

void bq_creds_clear(bq_creds *c);
int bq_creds_set(bq_creds *c, const char *access_key_id,
		 const char *secret_access_key, const char *session_token,
		 double expiration, const char *source, bq_err *err);
/* Moves src into dst (dst cleared first); src is left empty. */
void bq_creds_move(bq_creds *dst, bq_creds *src);
/* Usable at time now: present and not within margin seconds of expiry. */
bool bq_creds_fresh(const bq_creds *c, double now, double margin);
/* Parses an expiration: RFC 3339 text ("2026-11-26T10:00:00Z", also
 * "...UTC") or a JSON number of epoch milliseconds (SSO).  0 / -1. */
int bq_creds_parse_expiration(json_t *v, double *out);
/* Reads the members named ak/sk/token/exp (token and exp optional) from a
 * JSON object into c; what names the source for messages. */
int bq_creds_from_json(bq_creds *c, json_t *o, const char *ak,
		       const char *sk, const char *token, const char *exp,
		       const char *source, const char *what, bq_err *err);
/* json_decref after wiping every string inside (for JSON that held
 * secrets), when the caller holds the only reference. */
void bq_json_decref_secret(json_t *j);
/* bq_creds_from_json over a JSON answer (container and instance metadata,
 * SSO): body parsed, the object at member (NULL: the top level) read, its
 * JSON wiped before it is freed.  A "Code" other than "Success" there is
 * the service's refusal.  Status 3 errors start with what. */
int bq_creds_from_answer(bq_creds *c, const char *body, size_t len,
			 const char *member, const char *ak, const char *sk,
			 const char *token, const char *exp, const char *source,
			 const char *what, bq_err *err);

/* Appends ", what" (or "what" first) to ctx->tried. */
void bq_creds_tried(const bq_creds_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The chain.  No provider yields: status 3, "no credentials found (tried:
 * ...)". */
int bq_creds_resolve(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err);

/* Providers. */
int bq_creds_env(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err);
int bq_creds_web_identity_env(const bq_creds_ctx *ctx, bq_creds *out,
			      bq_err *err);
int bq_creds_web_identity(const bq_creds_ctx *ctx, const char *role_arn,
			  const char *session_name, const char *token_file,
			  bq_creds *out, bq_err *err);
int bq_creds_profile(const bq_creds_ctx *ctx, const char *profile,
		     bq_creds *out, bq_err *err);
int bq_creds_process(const bq_creds_ctx *ctx, const char *command,
		     bq_creds *out, bq_err *err);
int bq_creds_sso(const bq_creds_ctx *ctx, const char *profile,
		 bq_creds *out, bq_err *err);
int bq_creds_container(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err);
int bq_creds_imds(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err);

/* credential_process command line split as botocore does (shlex, POSIX
 * rules: whitespace separates, '...' literal, "..." with \ escaping
 * \ " $ ` and newline, \ outside quotes escapes any byte).  *argv is a
 * malloc'd NULL-terminated array of malloc'd strings (free with
 * bq_argv_free).  Usage error for an unterminated quote or empty command. */
int bq_split_command(const char *cmd, char ***argv, bq_err *err);
void bq_argv_free(char **argv);

/* The container credentials URL and whether it is allowed (https, or a
 * loopback / ECS / EKS host); malloc'd into *url.  0 when neither
 * variable is set (*url NULL), -1 with err for a refused URL. */
int bq_creds_container_url(char **url, bq_err *err);

/* The SSO token cache file for a session name or legacy start URL:
 * ~/.aws/sso/cache/<sha1 hex>.json, malloc'd. */
char *bq_creds_sso_cache_path(const char *key);

#endif
