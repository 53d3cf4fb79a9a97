#include "buf.h"
#include "err.h"
#include "t.h"

#include <stdlib.h>

int main(void)
{
	bq_buf b;
	bq_err e;
	char small[4];
	char *r;

	bq_buf_init(&b, 8);
	T_OK(bq_buf_puts(&b, "abcdefgh") == 0, "buf appends up to its cap");
	T_OK(bq_buf_putc(&b, 'x') == -1 && b.len == 8, "buf refuses past its cap, unchanged");
	T_STREQ(bq_buf_cstr(&b), "abcdefgh", "buf stays NUL-terminated");
	bq_buf_release_secure(&b);
	bq_buf_init(&b, 0);
	T_OK(bq_buf_printf(&b, "%d-%s", 42, "x") == 0, "buf printf");
	T_STREQ(bq_buf_cstr(&b), "42-x", "buf printf text");
	bq_buf_release(&b);
	T_OK(bq_strlcpy(small, "abcdef", sizeof(small)) == -1, "strlcpy reports a cut");
	T_STREQ(small, "abc", "strlcpy terminates");

	T_OK(bq_fail(&e, BQ_EXIT_USAGE, "bad %s", "x") == -1, "bq_fail returns -1");
	T_OK(e.exit_status == 2, "bq_fail sets the status");
	bq_fail_aws(&e, "logs", 400, "ThrottlingException", "slow down", "r1");
	T_OK(e.retryable && e.throttling && e.exit_status == 1, "throttling is retryable");
	bq_fail_aws(&e, "s3", 403, "AccessDenied", "no", "");
	T_OK(!e.retryable && e.exit_status == 3, "access denied is a credentials error");
	bq_fail_aws(&e, "monitoring", 503, "", "unavailable", "");
	T_OK(e.retryable && !e.throttling, "503 is transient");

	bq_redact_add("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
	{ const char *s = "key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY end"; r = bq_redact_dup(s, strlen(s)); }
	T_STREQ(r, "key=[redacted] end", "registered secrets are redacted");
	free(r);
	{ const char *s = "Credential=AK/x, SignedHeaders=host, Signature=abcdef0123"; r = bq_redact_dup(s, strlen(s)); }
	T_STREQ(r, "Credential=AK/x, SignedHeaders=host, Signature=[redacted]",
		"signatures are redacted");
	free(r);
	{ const char *s = "x-amz-security-token:FQoGZXIvYXdzE"; r = bq_redact_dup(s, strlen(s)); }
	T_STREQ(r, "x-amz-security-token:[redacted]", "session token headers are redacted");
	free(r);
	{ const char *s = "{\"AccessKeyId\" : \"AKIA1\", \"SecretAccessKey\" : \"abc\\\"def\", \"Token\":\"tok123\"}"; r = bq_redact_dup(s, strlen(s)); }
	T_STREQ(r, "{\"AccessKeyId\" : \"AKIA1\", \"SecretAccessKey\" : \"[redacted]\", \"Token\":\"[redacted]\"}",
		"JSON secrets are redacted whatever the spacing");
	free(r);
	{ const char *s = "{\"roleCredentials\":{\"secretAccessKey\": \"s3cr3t\",\"sessionToken\":\"t0k\"}}"; r = bq_redact_dup(s, strlen(s)); }
	T_STREQ(r, "{\"roleCredentials\":{\"secretAccessKey\": \"[redacted]\",\"sessionToken\":\"[redacted]\"}}",
		"SSO role credentials are redacted");
	free(r);
	bq_fail_aws(&e, "logs", 400, "InvalidSignatureException", "Signature not yet current: 20261127T000000Z is still later than 20261126T235000Z", "");
	T_OK(e.clock_skew && e.exit_status == 3, "a fast clock is clock skew");
	bq_fail_aws(&e, "sts", 403, "SignatureDoesNotMatch", "Signature expired: 20261126T000000Z is now earlier than 20261126T001000Z", "");
	T_OK(e.clock_skew, "query services' expired signature is clock skew");
	T_OK(e.exit_status == 3 && !e.retryable, "... status 3, not retried as a transient error");
	bq_fail_aws(&e, "sts", 403, "SignatureDoesNotMatch", "Signature not yet current: 20261127T000000Z is still later than 20261126T235000Z", "");
	T_OK(e.clock_skew, "query services' not-yet-current signature is clock skew");
	bq_fail_aws(&e, "sts", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match", "");
	T_OK(!e.clock_skew && e.exit_status == 3, "a bad signature is not clock skew");
	return T_DONE();
}
