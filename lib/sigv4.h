/*
 * sigv4: AWS Signature Version 4 (AWS4-HMAC-SHA256), header signing and
 * presigned (query) URLs.
 *
 * Signing is a pure function of (request, credentials, time, region,
 * service, options): no clock, no I/O, no global state.  The only state is
 * an optional caller-owned bq_sigv4_cache holding derived signing keys.
 *
 * Ownership:
 *   - bq_sigv4_creds is a BORROWED view; the signer copies nothing it keeps.
 *   - bq_sigv4_sign() edits the request in place (it owns nothing new).
 *   - bq_sigv4_presign() returns a malloc'd query string the caller frees.
 *   - bq_sigv4_result, when passed, is filled with malloc'd strings the
 *     caller releases with bq_sigv4_result_free() (the struct itself is the
 *     caller's).  It never holds secret material; the session token may
 *     appear in canonical_request, so redact before printing (bq_logf does).
 *   - bq_sigv4_cache: caller-owned.  Either embed one (bq_sigv4_cache_init /
 *     bq_sigv4_cache_clear) or allocate one (bq_sigv4_cache_new /
 *     bq_sigv4_cache_free).  Clearing and freeing wipe every key.  A cache
 *     is not locked: use one per thread, or serialise its use.
 *
 * Rules (see docs/testing-peers.md section 3.3 for why each one matters):
 *   - Canonical URI: with S3 rules the wire path verbatim; otherwise "." and
 *     ".." segments removed, "//" collapsed, then the wire path (already
 *     encoded once) encoded again, so "a%3Ab" is signed as "a%253Ab".
 *   - Canonical query: the wire query decoded and RFC 3986 re-encoded, sorted
 *     by key then value, "key=" for empty values, repeated keys kept.  A '+'
 *     in the wire query is a literal plus (never send '+' for a space).
 *   - Headers: r->host is signed as "host" (never a Host entry in headers);
 *     names lower-cased, values trimmed and whitespace runs folded to one
 *     space, duplicates joined with ',' in order; user-agent, expect,
 *     x-amzn-trace-id, authorization and the hop-by-hop headers
 *     (transfer-encoding, connection, keep-alive, te, trailer, upgrade,
 *     proxy-authenticate, proxy-authorization) are never signed.
 *   - Payload hash: opts->payload_hash if given; else UNSIGNED-PAYLOAD when
 *     opts->unsigned_payload (or S3 presign); else an existing
 *     x-amz-content-sha256 header used verbatim (non-S3 only); else
 *     hex sha256(body).  Header signing sends and signs x-amz-content-sha256
 *     with S3 rules, with opts->content_sha256, and whenever the hash is not
 *     sha256(body) (unsigned_payload, payload_hash), since the service must
 *     be told which hash was signed.
 *   - Session token: header mode signs x-amz-security-token; presign signs
 *     X-Amz-Security-Token in the query.  opts->token_after_signing adds the
 *     token only after signing (unsigned), as a few services expect.
 */
#ifndef BQ_SIGV4_H
#define BQ_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "err.h"
#include "request.h"

typedef struct bq_sigv4_creds {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL or "" for none */
} bq_sigv4_creds;

/* Derived-key cache: a few entries, each keyed by (date, region, service,
 * sha256(secret)).  Fields are private; they are public only so the cache
 * can live on the caller's stack or inside a client struct. */
#define BQ_SIGV4_CACHE_SLOTS 4
typedef struct bq_sigv4_cache_entry {
	int used;
	char date[9];
	char region[64];
	char service[64];
	unsigned char secret_fp[32];
	unsigned char key[32];
} bq_sigv4_cache_entry;

typedef struct bq_sigv4_cache {
	bq_sigv4_cache_entry slot[BQ_SIGV4_CACHE_SLOTS];
	unsigned next;             /* round-robin replacement */
	unsigned long hits, misses; /* for tests and --debug */
} bq_sigv4_cache;

void bq_sigv4_cache_init(bq_sigv4_cache *c);
/* Wipes every entry (keys and fingerprints); the cache stays usable. */
void bq_sigv4_cache_clear(bq_sigv4_cache *c);
/* NULL when out of memory. */
bq_sigv4_cache *bq_sigv4_cache_new(void);
/* Wipes, then frees.  NULL is fine. */
void bq_sigv4_cache_free(bq_sigv4_cache *c);

enum bq_sigv4_tristate {
	BQ_SIGV4_AUTO = 0, /* decided from the service name */
	BQ_SIGV4_YES = 1,
	BQ_SIGV4_NO = 2
};

typedef struct bq_sigv4_opts {
	/* S3 rules (verbatim path, x-amz-content-sha256 always, presign
	 * UNSIGNED-PAYLOAD).  AUTO: services whose name starts with "s3". */
	int s3;
	/* Path normalisation and second encoding.  AUTO: off with S3 rules,
	 * on otherwise.  NO signs the wire path verbatim. */
	int normalize_path;
	bool unsigned_payload;   /* payload hash UNSIGNED-PAYLOAD */
	bool content_sha256;     /* send and sign x-amz-content-sha256 (non-S3) */
	const char *payload_hash;/* verbatim payload hash (e.g. STREAMING-...) */
	bool token_after_signing;/* add the token unsigned, after signing */
	bq_sigv4_cache *cache;   /* optional derived-key cache */
} bq_sigv4_opts;

#define BQ_SIGV4_OPTS_INIT { 0, 0, false, false, NULL, false, NULL }

/* What the signer computed, for --debug and tests.  All strings malloc'd. */
typedef struct bq_sigv4_result {
	char *canonical_request;
	char *string_to_sign;
	char *signed_headers;  /* "host;x-amz-date" */
	char *authorization;   /* header mode only, else NULL */
	char *credential;      /* "AKID/20150830/us-east-1/service/aws4_request" */
	char payload_hash[65 + 32]; /* also holds UNSIGNED-PAYLOAD / STREAMING-... */
	char amz_date[17];     /* "20150830T123600Z" */
	char signature[65];
} bq_sigv4_result;

#define BQ_SIGV4_RESULT_INIT { NULL, NULL, NULL, NULL, NULL, "", "", "" }

void bq_sigv4_result_free(bq_sigv4_result *res);

/*
 * Signs req in place for header authentication: removes any previous
 * Authorization, X-Amz-Date and x-amz-security-token, then adds X-Amz-Date,
 * x-amz-security-token (when a token is given), x-amz-content-sha256 (see
 * "Payload hash" above) and Authorization.  opts may be NULL; res may be
 * NULL.  On failure req may have lost its old auth headers but carries no
 * half-made signature.
 */
int bq_sigv4_sign(bq_request *req, const bq_sigv4_creds *creds, time_t now,
		  const char *region, const char *service,
		  const bq_sigv4_opts *opts, bq_sigv4_result *res, bq_err *err);

/*
 * Presigns req (not modified) valid for expires seconds (1..604800) and
 * returns in *query_out the complete query string, without '?': the
 * request's own parameters (RFC 3986 re-encoded, in their order), then
 * X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders, X-Amz-Security-Token (when a token is given) and
 * X-Amz-Signature.  Headers on req other than the never-signed ones are
 * signed and must be sent with the URL.
 */
int bq_sigv4_presign(const bq_request *req, const bq_sigv4_creds *creds,
		     time_t now, const char *region, const char *service,
		     long expires, const bq_sigv4_opts *opts, char **query_out,
		     bq_sigv4_result *res, bq_err *err);

/* Building blocks, public for the unit tests and --debug. */

/* The canonical query string of a wire-form query (NULL is ""). */
int bq_sigv4_canonical_query(const char *query, char **out, bq_err *err);
/* The canonical URI of a wire-form path. */
int bq_sigv4_canonical_uri(const char *path, bool normalize, char **out,
			   bq_err *err);
/* Canonical header block ("name:value\n"...) and signed-header list of
 * req's headers plus host, skipping the never-signed names. */
int bq_sigv4_canonical_headers(const bq_request *req, char **block_out,
			       char **signed_out, bq_err *err);
/* Whether a header name is one the signer never signs. */
bool bq_sigv4_unsignable_header(const char *name);
/* kSigning for (secret, "YYYYMMDD", region, service); uses and fills cache
 * when non-NULL. */
int bq_sigv4_signing_key(const char *secret, const char *date,
			 const char *region, const char *service,
			 bq_sigv4_cache *cache, unsigned char key[32],
			 bq_err *err);

#endif
