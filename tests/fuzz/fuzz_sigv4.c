/*
 * libFuzzer target: SigV4 on a request parsed from the input.
 *
 * Input: one option byte, then an HTTP/1.1-style request head
 *   "METHOD TARGET [HOST]\nName: value\n...\n\nbody"
 * (TARGET is "path[?query]").  The option byte picks S3 rules, path
 * normalisation, payload options, a session token and presigning.
 *
 * Checks, besides the sanitizers:
 *   - the canonical URI and query builders accept any wire form;
 *   - the canonical query is a fixed point (canonicalising it again gives
 *     the same text), since the signer and the service must agree on it;
 *   - signing succeeds on every request the request setters accepted, the
 *     Authorization header carries the reported signature, and signing the
 *     signed request again gives the same signature (re-signing a retried
 *     request must not drift);
 *   - the secret key never shows up in anything the signer returns;
 *   - presigning gives a query ending in a 64-hex X-Amz-Signature.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static bool hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

/* Set when the input itself carries the secret (then it may be signed). */
static bool secret_in_input;

static void no_secret(const char *s)
{
	if (s && !secret_in_input && strstr(s, SECRET))
		FAIL();
}

static void check_query_fixed_point(const char *query)
{
	char *a = NULL, *b = NULL;
	bq_err err;

	if (bq_sigv4_canonical_query(query, &a, &err) < 0)
		return;
	if (bq_sigv4_canonical_query(a, &b, &err) < 0 || strcmp(a, b) != 0)
		FAIL();
	free(a);
	free(b);
}

static void check_uri(const char *path)
{
	char *u = NULL;
	bq_err err;

	if (bq_sigv4_canonical_uri(path, true, &u, &err) == 0) {
		if (u[0] != '/')
			FAIL(); /* a canonical URI is absolute */
		free(u);
	}
	if (bq_sigv4_canonical_uri(path, false, &u, &err) == 0)
		free(u);
}

/* Splits the request head out of text (NUL-terminated, may be edited). */
static int parse_request(char *text, size_t len, bq_request *r, bool *ok)
{
	char *line = text, *nl, *sp, *host = "service.us-east-1.amazonaws.com";
	char *target, *query = NULL;
	bq_err err;

	*ok = false;
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	sp = strchr(line, ' ');
	if (!sp)
		return -1;
	*sp = '\0';
	target = sp + 1;
	sp = strchr(target, ' ');
	if (sp) {
		*sp = '\0';
		host = sp + 1;
	}
	query = strchr(target, '?');
	if (query)
		*query++ = '\0';
	check_uri(target);
	check_query_fixed_point(query);
	if (bq_request_set_target(r, line, "https", host, target, query, &err) < 0)
		return -1;
	while (nl) {
		char *colon;

		line = nl + 1;
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (!*line) {
			/* the body: the rest of the input after the blank line */
			if (nl)
				bq_request_set_body(r, nl + 1,
						    len - (size_t)(nl + 1 - text));
			break;
		}
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		/* a header the request refuses is dropped, as a client would */
		bq_request_add_header(r, line, colon + 1, &err);
	}
	*ok = true;
	return 0;
}

static void sign_and_check(bq_request *r, const bq_sigv4_creds *cr, time_t now,
			   const char *service, const bq_sigv4_opts *o)
{
	bq_sigv4_result res = BQ_SIGV4_RESULT_INIT, again = BQ_SIGV4_RESULT_INIT;
	bq_err err;
	const char *authz, *p;

	if (bq_sigv4_sign(r, cr, now, "us-east-1", service, o, &res, &err) < 0) {
		/* only a time outside years 0-9999, or a caller's own
		 * x-amz-content-sha256 too long to be a hash, may be refused */
		if (err.exit_status != BQ_EXIT_USAGE ||
		    (!strstr(err.message, "cannot sign at time") &&
		     !strstr(err.message, "payload hash")))
			FAIL();
		bq_sigv4_result_free(&res);
		return;
	}
	if (!hex64(res.signature))
		FAIL();
	authz = bq_request_get_header(r, "Authorization");
	if (!authz || strncmp(authz, "AWS4-HMAC-SHA256 Credential=", 28) != 0)
		FAIL();
	p = strstr(authz, "Signature=");
	if (!p || strcmp(p + 10, res.signature) != 0)
		FAIL();
	no_secret(res.canonical_request);
	no_secret(res.string_to_sign);
	no_secret(res.authorization);
	/* a retried request is signed again: same time, same signature */
	if (bq_sigv4_sign(r, cr, now, "us-east-1", service, o, &again, &err) < 0 ||
	    strcmp(res.signature, again.signature) != 0 ||
	    strcmp(res.canonical_request, again.canonical_request) != 0)
		FAIL();
	bq_sigv4_result_free(&res);
	bq_sigv4_result_free(&again);
}

static void presign_and_check(const bq_request *r, const bq_sigv4_creds *cr,
			      time_t now, const char *service, long expires,
			      const bq_sigv4_opts *o)
{
	char *q = NULL;
	bq_err err;
	size_t n;

	if (bq_sigv4_presign(r, cr, now, "us-east-1", service, expires, o, &q,
			     NULL, &err) < 0) {
		if (err.exit_status != BQ_EXIT_USAGE)
			FAIL();
		free(q);
		return;
	}
	n = strlen(q);
	if (n < 64 + 16 || strncmp(q + n - 64 - 16, "X-Amz-Signature=", 16) != 0 ||
	    !hex64(q + n - 64))
		FAIL();
	no_secret(q);
	free(q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const services[] = { "bedrock", "s3", "monitoring",
						"logs" };
	bq_sigv4_creds cr = { "AKIDEXAMPLE", SECRET, NULL };
	bq_sigv4_opts o = BQ_SIGV4_OPTS_INIT;
	bq_sigv4_cache cache;
	bq_request r = BQ_REQUEST_INIT;
	const char *service;
	char *text;
	uint8_t f;
	time_t now;
	bool ok;

	if (size < 1 || size > 65536)
		return 0;
	f = data[0];
	data++;
	size--;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	secret_in_input = false;
	for (size_t i = 0; i + sizeof(SECRET) - 1 <= size && !secret_in_input; i++)
		secret_in_input = memcmp(text + i, SECRET, sizeof(SECRET) - 1) == 0;

	service = services[f & 3];
	o.s3 = (f >> 2) % 3;
	o.normalize_path = (f >> 4) % 3;
	o.unsigned_payload = f & 0x40;
	o.content_sha256 = f & 0x80;
	if ((f & 0x30) == 0x30)
		o.payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
	if (f & 0x20)
		cr.session_token = "FQoGZXIvYXdzEXAMPLETOKEN//+=";
	o.token_after_signing = (f & 0x28) == 0x28;
	if (f & 0x08) {
		bq_sigv4_cache_init(&cache);
		o.cache = &cache;
	}
	/* time from the input length keeps it deterministic per input */
	now = (time_t)1440938160 + (time_t)(size * 86399);

	if (parse_request(text, size, &r, &ok) == 0 && ok) {
		if (f & 0x01)
			presign_and_check(&r, &cr, now, service,
					  (long)((size * 9973) % 700000), &o);
		sign_and_check(&r, &cr, now, service, &o);
	}
	if (f & 0x08)
		bq_sigv4_cache_clear(&cache);
	bq_request_free(&r);
	free(text);
	return 0;
}
