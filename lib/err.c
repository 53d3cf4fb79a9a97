#include "err.h"
#include "buf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "bq";

void bq_set_progname(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		progname = slash ? slash + 1 : argv0;
}

const char *bq_progname(void)
{
	return progname;
}

void bq_err_clear(bq_err *e)
{
	memset(e, 0, sizeof(*e));
}

int bq_vfail(bq_err *e, int exit_status, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	bq_err_clear(e);
	e->exit_status = exit_status;
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	return -1;
}

int bq_fail(bq_err *e, int exit_status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bq_vfail(e, exit_status, fmt, ap);
	va_end(ap);
	return -1;
}

static bool code_in(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return true;
	return false;
}

/* bedrock-facts.md 9.3: the standard retry mode's codes. */
static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded",
	"BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
	"SlowDown", "PriorRequestNotComplete", "EC2ThrottledException", NULL
};
static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete",
	"ModelNotReadyException", "InternalServerException",
	"ServiceUnavailableException", "InternalFailure", "ServiceUnavailable",
	NULL
};
static const char *const skew_codes[] = {
	"RequestTimeTooSkewed", "RequestExpired", NULL
};
/* Codes that mean "skewed" only when the message says so: JSON services
 * answer InvalidSignatureException, query services SignatureDoesNotMatch. */
static const char *const maybe_skew_codes[] = {
	"InvalidSignatureException", "SignatureDoesNotMatch", NULL
};
static const char *const skew_phrases[] = {
	"Signature expired", "not yet current", "too skewed", NULL
};
static const char *const expired_codes[] = {
	"ExpiredToken", "ExpiredTokenException", "RequestExpiredToken", NULL
};
static const char *const creds_codes[] = {
	"UnrecognizedClientException", "InvalidClientTokenId",
	"SignatureDoesNotMatch", "AccessDenied", "AccessDeniedException",
	"InvalidAccessKeyId", "MissingAuthenticationToken",
	"IncompleteSignature", "ExpiredToken", "ExpiredTokenException",
	"UnauthorizedOperation", "NotAuthorized", "InvalidToken", NULL
};

static bool message_has(const char *msg, const char *const *phrases)
{
	for (; *phrases; phrases++)
		if (strstr(msg, *phrases))
			return true;
	return false;
}

void bq_err_classify(bq_err *e)
{
	const char *c = e->code;
	int s = e->http_status;

	e->throttling = code_in(c, throttling_codes) || s == 429;
	e->clock_skew = code_in(c, skew_codes) ||
		(code_in(c, maybe_skew_codes) && message_has(e->message, skew_phrases));
	e->expired_token = code_in(c, expired_codes);
	e->retryable = e->throttling || code_in(c, transient_codes) ||
		s == 500 || s == 502 || s == 503 || s == 504;
	if (code_in(c, creds_codes) || e->clock_skew || s == 401 || s == 403)
		e->exit_status = BQ_EXIT_CREDS;
	else
		e->exit_status = BQ_EXIT_RUNTIME;
}

int bq_fail_aws(bq_err *e, const char *service, int http_status,
		const char *code, const char *message, const char *request_id)
{
	bq_err_clear(e);
	e->http_status = http_status;
	bq_strlcpy(e->service, service ? service : "", sizeof(e->service));
	bq_strlcpy(e->code, code ? code : "", sizeof(e->code));
	bq_strlcpy(e->message, message ? message : "", sizeof(e->message));
	bq_strlcpy(e->request_id, request_id ? request_id : "",
		   sizeof(e->request_id));
	bq_err_classify(e);
	return -1;
}

/* ---- redaction ---- */

#define MAX_SECRETS 64
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void bq_redact_add(const char *secret)
{
	size_t i;

	if (!secret || strlen(secret) < 4)
		return;
	for (i = 0; i < nsecrets; i++)
		if (strcmp(secrets[i], secret) == 0)
			return;
	if (nsecrets == MAX_SECRETS) {
		/* Oldest secrets are least likely to appear again. */
		bq_free_secret(secrets[0]);
		memmove(secrets, secrets + 1, sizeof(secrets[0]) * (MAX_SECRETS - 1));
		nsecrets--;
	}
	secrets[nsecrets] = strdup(secret);
	if (secrets[nsecrets])
		nsecrets++;
}

static bool is_token_char(char c)
{
	return isalnum((unsigned char)c) || c == '/' || c == '+' || c == '=' ||
	       c == '%' || c == '_' || c == '-';
}

/* Values after these markers are secret whether or not they were
 * registered: a signature is as good as a key for its 5-15 minutes. */
static const char *const markers[] = {
	"Signature=", "X-Amz-Signature=", "x-amz-signature=",
	"X-Amz-Security-Token=", "x-amz-security-token:",
	"X-Amz-Security-Token:", "x-amz-security-token=",
	"aws_secret_access_key", "aws_session_token",
	"<SecretAccessKey>", "<SessionToken>", "X-aws-ec2-metadata-token:",
	"x-aws-ec2-metadata-token:", NULL
};

/* JSON members whose string value is secret, whatever the spacing around
 * the colon (ECS answers "Key" : "v", IMDS "Key" : "v", STS-as-JSON and
 * SSO "key":"v"). */
static const char *const secret_json_keys[] = {
	"SecretAccessKey", "SessionToken", "Token", "secretAccessKey",
	"sessionToken", "accessToken", "refreshToken", "clientSecret", NULL
};

/* At s[i] == '"': if a secret key's string value follows, returns the
 * offset just past its opening quote in *value_at, else false. */
static bool json_secret_at(const char *s, size_t n, size_t i, size_t *value_at)
{
	size_t k, klen, j;

	for (k = 0; secret_json_keys[k]; k++) {
		klen = strlen(secret_json_keys[k]);
		if (i + klen + 2 > n || memcmp(s + i + 1, secret_json_keys[k], klen) != 0 ||
		    s[i + 1 + klen] != '"')
			continue;
		j = i + klen + 2;
		while (j < n && isspace((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] != ':')
			continue;
		j++;
		while (j < n && isspace((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] != '"')
			continue;
		*value_at = j + 1;
		return true;
	}
	return false;
}

char *bq_redact_dup(const char *s, size_t n)
{
	bq_buf out = BQ_BUF_INIT;
	size_t i = 0, k, mlen, slen;

	while (i < n) {
		bool hit = false;

		for (k = 0; k < nsecrets && !hit; k++) {
			slen = strlen(secrets[k]);
			if (slen <= n - i && memcmp(s + i, secrets[k], slen) == 0) {
				bq_buf_puts(&out, "[redacted]");
				i += slen;
				hit = true;
			}
		}
		for (k = 0; markers[k] && !hit; k++) {
			mlen = strlen(markers[k]);
			if (mlen <= n - i && memcmp(s + i, markers[k], mlen) == 0) {
				bq_buf_append(&out, s + i, mlen);
				i += mlen;
				/* "key = value" in config dumps, "name: value" in headers */
				while (i < n && (s[i] == ' ' || s[i] == '=' || s[i] == '\t'))
					bq_buf_putc(&out, s[i++]);
				if (i < n && is_token_char(s[i])) {
					while (i < n && is_token_char(s[i]))
						i++;
					bq_buf_puts(&out, "[redacted]");
				}
				hit = true;
			}
		}
		if (!hit && s[i] == '"' && json_secret_at(s, n, i, &mlen)) {
			bq_buf_append(&out, s + i, mlen - i);
			i = mlen;
			while (i < n && s[i] != '"') /* escapes cannot hide a quote here */
				i += (s[i] == '\\' && i + 1 < n) ? 2 : 1;
			bq_buf_puts(&out, "[redacted]");
			hit = true;
		}
		if (!hit)
			bq_buf_putc(&out, s[i++]);
	}
	return bq_buf_detach(&out);
}

void bq_log_write(const char *s, size_t n)
{
	char *r = bq_redact_dup(s, n);
	size_t len, off = 0;
	ssize_t w;

	if (!r)
		return;
	len = strlen(r);
	/* One write(2) per message keeps lines whole when tools share stderr. */
	while (off < len) {
		w = write(STDERR_FILENO, r + off, len - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	free(r);
}

static void vlogf(const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void vlogf(const char *prefix, const char *fmt, va_list ap)
{
	bq_buf b = BQ_BUF_INIT;

	bq_buf_printf(&b, "%s: %s", progname, prefix);
	bq_buf_vprintf(&b, fmt, ap);
	if (b.len == 0 || b.data[b.len - 1] != '\n')
		bq_buf_putc(&b, '\n');
	bq_log_write(b.data, b.len);
	bq_buf_release(&b);
}

void bq_logf(const char *fmt, ...)
{
	bq_buf b = BQ_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	bq_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	bq_log_write(bq_buf_cstr(&b), b.len);
	bq_buf_release(&b);
}

void bq_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogf("warning: ", fmt, ap);
	va_end(ap);
}

void bq_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlogf("", fmt, ap);
	va_end(ap);
}

void bq_err_print(const bq_err *e)
{
	bq_buf b = BQ_BUF_INIT;

	bq_buf_printf(&b, "%s: %s", progname,
		      e->message[0] ? e->message : "unknown error");
	if (e->code[0] || e->http_status || e->request_id[0]) {
		const char *sep = "";

		bq_buf_puts(&b, " (");
		if (e->code[0]) {
			bq_buf_printf(&b, "%s", e->code);
			sep = ", ";
		}
		if (e->http_status) {
			bq_buf_printf(&b, "%sHTTP %d", sep, e->http_status);
			sep = ", ";
		}
		if (e->request_id[0])
			bq_buf_printf(&b, "%srequest id %s", sep, e->request_id);
		bq_buf_putc(&b, ')');
	}
	bq_buf_putc(&b, '\n');
	bq_log_write(b.data, b.len);
	bq_buf_release(&b);
}
