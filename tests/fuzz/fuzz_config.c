/*
 * libFuzzer target: any bytes as an AWS config and credentials file.
 *
 * The input is split at the first "\n====\n" line: before it the config
 * file, after it the credentials file (all of it is the config file when
 * there is no such line).  Both are parsed into one bq_config, which is
 * then asked the lookups the credential and endpoint providers make.
 *
 * Checks, besides the sanitizers: parsing fails only with a usage or an
 * out-of-memory error; every value handed back is a readable string; the
 * same text parsed twice into a fresh configuration answers the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

static const char *const profiles[] = { "default", "dev", "a", "x y", "" };
static const char *const keys[] = {
	"region", "aws_access_key_id", "aws_secret_access_key",
	"aws_session_token", "role_arn", "source_profile", "credential_process",
	"credential_source", "endpoint_url", "services", "sso_session",
	"s3", "max_attempts", "web_identity_token_file"
};

static int parse(bq_config *c, const char *cfg, size_t ncfg, const char *cred,
		 size_t ncred)
{
	bq_err err;

	if (bq_config_parse(c, BQ_CONFIG_FILE, "config", cfg, ncfg, &err) < 0 ||
	    (cred && bq_config_parse(c, BQ_CREDENTIALS_FILE, "credentials", cred,
				     ncred, &err) < 0)) {
		if (err.exit_status != BQ_EXIT_USAGE &&
		    err.exit_status != BQ_EXIT_RUNTIME)
			FAIL();
		return -1;
	}
	return 0;
}

static const char *find_sep(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i + 6 <= n; i++)
		if (memcmp(s + i, "\n====\n", 6) == 0)
			return s + i;
	return NULL;
}

static size_t touch(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

/* A fingerprint of every answer (lengths), to compare two parses. */
static size_t ask(const bq_config *c)
{
	size_t i, j, sum = 0;

	for (i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		sum += bq_config_has_profile(c, profiles[i]);
		for (j = 0; j < sizeof(keys) / sizeof(keys[0]); j++) {
			sum += touch(bq_config_get(c, profiles[i], keys[j])) * (j + 1);
			sum += touch(bq_config_get_in(c, BQ_CREDENTIALS_FILE,
						      profiles[i], keys[j]));
		}
		sum += touch(bq_config_get_sub(c, profiles[i], "s3",
					       "addressing_style"));
		sum += touch(bq_config_get_sub(c, profiles[i], "s3", "endpoint_url"));
	}
	sum += touch(bq_config_section_get(c, "services", "x", "bedrock_runtime",
					   "endpoint_url"));
	sum += touch(bq_config_section_get(c, "services", "dev", "s3", NULL));
	sum += touch(bq_config_section_get(c, "sso-session", "a", "sso_region",
					   NULL));
	sum += touch(bq_config_section_get(c, "sso-session", "a", "sso_start_url",
					   NULL));
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *cred = NULL, *sep;
	size_t ncfg = size, ncred = 0;
	bq_config *a, *b;
	int ra, rb;

	sep = find_sep(text, size);
	if (sep) {
		ncfg = (size_t)(sep - text) + 1;
		cred = sep + 6;
		ncred = size - ncfg - 5;
	}
	a = bq_config_new();
	b = bq_config_new();
	if (!a || !b)
		FAIL();
	ra = parse(a, text, ncfg, cred, ncred);
	rb = parse(b, text, ncfg, cred, ncred);
	if (ra != rb || ask(a) != ask(b))
		FAIL();
	bq_config_free(a);
	bq_config_free(b);
	return 0;
}
