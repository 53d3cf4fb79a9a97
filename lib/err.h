/*
 * err: the one error type of the library, the exit statuses of
 * interface.md section 4, and the one way messages reach stderr.
 *
 * Library functions return 0 on success or -1 on failure and fill a bq_err
 * that the caller owns (usually on its stack); bq_fail() and friends return
 * -1 so a failure is one line: `return bq_fail(err, BQ_EXIT_USAGE, "...")`.
 *
 * Every byte this library writes to stderr (errors, warnings, --debug) goes
 * through bq_log_write(), which removes registered secrets and anything that
 * looks like a signature or session token.  Register each secret once with
 * bq_redact_add() as soon as it is known (credentials providers do).
 */
#ifndef BQ_ERR_H
#define BQ_ERR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum bq_exit {
	BQ_EXIT_OK = 0,
	BQ_EXIT_RUNTIME = 1, /* AWS, network or runtime failure after retries */
	BQ_EXIT_USAGE = 2,   /* bad option, time expression, filter, region */
	BQ_EXIT_CREDS = 3,   /* no/expired credentials, bad signature, denied */
	BQ_EXIT_GATE = 4,    /* --fail-under, --assert, --budget */
	BQ_EXIT_INPUT = 5    /* some input lines were rejected */
};

typedef struct bq_err {
	int exit_status;     /* enum bq_exit */
	int http_status;     /* 0 when no HTTP response was involved */
	bool retryable;      /* transient: the retry layer may try again */
	bool throttling;     /* a throttling error (different backoff/quota) */
	bool clock_skew;     /* the service said our clock is off */
	bool expired_token;  /* credentials expired: refresh once and retry */
	char code[96];       /* AWS error code ("ThrottlingException") or "" */
	char service[48];    /* e.g. "logs", "monitoring" */
	char request_id[96];
	char message[1024];  /* human text, lower case first word, no full stop */
} bq_err;

void bq_err_clear(bq_err *e);
int bq_fail(bq_err *e, int exit_status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int bq_vfail(bq_err *e, int exit_status, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Fills an AWS service error and classifies it (exit status, retryable,
 * throttling, skew, expiry) from the code and HTTP status. */
int bq_fail_aws(bq_err *e, const char *service, int http_status,
		const char *code, const char *message, const char *request_id);
/* Classification only, for callers that already filled code/http_status. */
void bq_err_classify(bq_err *e);

/* The program name used as prefix ("bq-logs"); set once by main(). */
void bq_set_progname(const char *argv0);
const char *bq_progname(void);

/* "prog: message (code, HTTP n, request id r)" on stderr. */
void bq_err_print(const bq_err *e);
/* "prog: warning: ..." / "prog: ..." on stderr, redacted. */
void bq_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void bq_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Redaction.  Secrets shorter than 4 bytes are ignored (they would mangle
 * ordinary text).  The registry is process-wide and append-only. */
void bq_redact_add(const char *secret);
/* Writes to stderr with secrets and signature/token patterns replaced by
 * "[redacted]". */
void bq_log_write(const char *s, size_t n);
void bq_logf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Redacts into a new malloc'd string (for tests and for --debug dumps). */
char *bq_redact_dup(const char *s, size_t n);

#endif
