#include "sigv4.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "hash.h"
#include "uri.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define MAX_EXPIRES 604800L /* seven days, the SigV4 limit */

static int oom(bq_err *err)
{
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory while signing");
}

/* ---- derived-key cache ---- */

void bq_sigv4_cache_init(bq_sigv4_cache *c)
{
	memset(c, 0, sizeof(*c));
}

void bq_sigv4_cache_clear(bq_sigv4_cache *c)
{
	if (c)
		bq_wipe(c, sizeof(*c));
}

bq_sigv4_cache *bq_sigv4_cache_new(void)
{
	return calloc(1, sizeof(bq_sigv4_cache));
}

void bq_sigv4_cache_free(bq_sigv4_cache *c)
{
	if (!c)
		return;
	bq_sigv4_cache_clear(c);
	free(c);
}

static bq_sigv4_cache_entry *cache_find(bq_sigv4_cache *c, const char *date,
					const char *region, const char *service,
					const unsigned char fp[32])
{
	unsigned i;

	for (i = 0; i < BQ_SIGV4_CACHE_SLOTS; i++) {
		bq_sigv4_cache_entry *e = &c->slot[i];

		if (e->used && strcmp(e->date, date) == 0 &&
		    strcmp(e->region, region) == 0 &&
		    strcmp(e->service, service) == 0 &&
		    CRYPTO_memcmp(e->secret_fp, fp, 32) == 0)
			return e;
	}
	return NULL;
}

static int derive_key(const char *secret, const char *date, const char *region,
		      const char *service, unsigned char key[32])
{
	size_t slen = strlen(secret);
	unsigned char k1[32], k2[32];
	char *ksecret;
	int rc = -1;

	if (slen > SIZE_MAX - 5 || !(ksecret = malloc(slen + 5)))
		return -1;
	memcpy(ksecret, "AWS4", 4);
	memcpy(ksecret + 4, secret, slen + 1);
	if (bq_hmac_sha256(ksecret, slen + 4, date, strlen(date), k1) == 0 &&
	    bq_hmac_sha256(k1, 32, region, strlen(region), k2) == 0 &&
	    bq_hmac_sha256(k2, 32, service, strlen(service), k1) == 0 &&
	    bq_hmac_sha256(k1, 32, "aws4_request", 12, key) == 0)
		rc = 0;
	bq_wipe(ksecret, slen + 4);
	free(ksecret);
	bq_wipe(k1, sizeof(k1));
	bq_wipe(k2, sizeof(k2));
	return rc;
}

int bq_sigv4_signing_key(const char *secret, const char *date,
			 const char *region, const char *service,
			 bq_sigv4_cache *cache, unsigned char key[32],
			 bq_err *err)
{
	unsigned char fp[32];
	bq_sigv4_cache_entry *e;
	bool cacheable;

	if (!cache) {
		if (derive_key(secret, date, region, service, key) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "cannot derive the signing key");
		return 0;
	}
	cacheable = strlen(date) < sizeof(e->date) &&
		    strlen(region) < sizeof(e->region) &&
		    strlen(service) < sizeof(e->service);
	if (bq_sha256(secret, strlen(secret), fp) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot hash the secret key");
	if (cacheable && (e = cache_find(cache, date, region, service, fp))) {
		memcpy(key, e->key, 32);
		cache->hits++;
		bq_wipe(fp, sizeof(fp));
		return 0;
	}
	cache->misses++;
	if (derive_key(secret, date, region, service, key) < 0) {
		bq_wipe(fp, sizeof(fp));
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot derive the signing key");
	}
	if (cacheable) {
		e = &cache->slot[cache->next % BQ_SIGV4_CACHE_SLOTS];
		cache->next = (cache->next + 1) % BQ_SIGV4_CACHE_SLOTS;
		bq_wipe(e, sizeof(*e));
		e->used = 1;
		bq_strlcpy(e->date, date, sizeof(e->date));
		bq_strlcpy(e->region, region, sizeof(e->region));
		bq_strlcpy(e->service, service, sizeof(e->service));
		memcpy(e->secret_fp, fp, 32);
		memcpy(e->key, key, 32);
	}
	bq_wipe(fp, sizeof(fp));
	return 0;
}

/* ---- canonical pieces ---- */

/* Headers a proxy or the HTTP stack may add, drop or rewrite in transit
 * (botocore 1.43's list, plus authorization, which carries the result). */
static const char *const never_signed[] = {
	"user-agent", "expect", "x-amzn-trace-id", "transfer-encoding",
	"connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
	"te", "trailer", "upgrade", "authorization", NULL
};

bool bq_sigv4_unsignable_header(const char *name)
{
	const char *const *p;

	for (p = never_signed; *p; p++)
		if (strcasecmp(name, *p) == 0)
			return true;
	return false;
}

int bq_sigv4_canonical_uri(const char *path, bool normalize, char **out,
			   bq_err *err)
{
	bq_buf tmp = BQ_BUF_INIT, b = BQ_BUF_INIT;

	*out = NULL;
	if (!path || !*path)
		path = "/";
	if (!normalize) {
		if (!(*out = strdup(path)))
			return oom(err);
		return 0;
	}
	/* the wire path is encoded once already; signing encodes it again */
	if (bq_uri_normalize_path(&tmp, path) < 0 ||
	    bq_uri_encode(&b, tmp.data, tmp.len, true) < 0) {
		bq_buf_release(&tmp);
		bq_buf_release(&b);
		return oom(err);
	}
	bq_buf_release(&tmp);
	*out = bq_buf_detach(&b);
	return 0;
}

typedef struct qpair {
	char *key;   /* encoded */
	char *value; /* encoded */
} qpair;

static void free_pairs(qpair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		bq_free_secret(p[i].key);
		bq_free_secret(p[i].value);
	}
	free(p);
}

/* Re-encodes one wire-form component in RFC 3986 form. */
static char *reencode(const char *s, size_t n)
{
	bq_buf dec = BQ_BUF_INIT, enc = BQ_BUF_INIT;
	char *r = NULL;

	if (bq_uri_decode(&dec, s, n) == 0 &&
	    bq_uri_encode(&enc, dec.data ? dec.data : "", dec.len, false) == 0)
		r = bq_buf_detach(&enc);
	bq_buf_release_secure(&dec);
	bq_buf_release_secure(&enc);
	return r;
}

/* Splits a wire query into encoded (key, value) pairs, in order; empty
 * pieces ("a&&b") are not parameters and are skipped. */
static int split_query(const char *q, qpair **out, size_t *nout)
{
	qpair *p = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	*nout = 0;
	while (q && *q) {
		const char *amp = strchr(q, '&');
		size_t len = amp ? (size_t)(amp - q) : strlen(q);
		const char *eq = memchr(q, '=', len);
		size_t klen = eq ? (size_t)(eq - q) : len;

		if (len) {
			if (n == cap) {
				qpair *np;

				cap = cap ? cap * 2 : 16;
				if (cap > SIZE_MAX / sizeof(*p) ||
				    !(np = realloc(p, cap * sizeof(*p)))) {
					free_pairs(p, n);
					return -1;
				}
				p = np;
			}
			p[n].key = reencode(q, klen);
			p[n].value = eq ? reencode(eq + 1, len - klen - 1)
					: strdup("");
			n++;
			if (!p[n - 1].key || !p[n - 1].value) {
				free_pairs(p, n);
				return -1;
			}
		}
		if (!amp)
			break;
		q = amp + 1;
	}
	*out = p;
	*nout = n;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const qpair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

static int join_pairs(bq_buf *b, const qpair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i && bq_buf_putc(b, '&') < 0) ||
		    bq_buf_printf(b, "%s=%s", p[i].key, p[i].value) < 0)
			return -1;
	return 0;
}

int bq_sigv4_canonical_query(const char *query, char **out, bq_err *err)
{
	qpair *p;
	size_t n;
	bq_buf b = BQ_BUF_INIT;

	*out = NULL;
	if (split_query(query, &p, &n) < 0)
		return oom(err);
	if (n)
		qsort(p, n, sizeof(*p), cmp_pair);
	if (join_pairs(&b, p, n) < 0) {
		free_pairs(p, n);
		bq_buf_release_secure(&b);
		return oom(err);
	}
	free_pairs(p, n);
	*out = bq_buf_detach(&b);
	return *out ? 0 : oom(err);
}

typedef struct hentry {
	char *name;  /* lower case */
	const char *value;
	size_t order;
} hentry;

static int cmp_hentry(const void *a, const void *b)
{
	const hentry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Trims the value and folds each whitespace run to one space. */
static int put_folded(bq_buf *b, const char *v)
{
	bool pending = false, any = false;

	for (; *v; v++) {
		if (ws(*v)) {
			pending = any;
			continue;
		}
		if (pending && bq_buf_putc(b, ' ') < 0)
			return -1;
		if (bq_buf_putc(b, *v) < 0)
			return -1;
		pending = false;
		any = true;
	}
	return 0;
}

int bq_sigv4_canonical_headers(const bq_request *req, char **block_out,
			       char **signed_out, bq_err *err)
{
	hentry *h;
	size_t i, n = 0;
	bq_buf blk = BQ_BUF_INIT, sig = BQ_BUF_INIT;
	int rc = -1;

	*block_out = *signed_out = NULL;
	if (!req->host || !*req->host)
		return bq_fail(err, BQ_EXIT_USAGE, "request has no host to sign");
	if (!(h = calloc(req->nheaders + 1, sizeof(*h))))
		return oom(err);
	h[n].name = strdup("host");
	h[n].value = req->host;
	h[n].order = 0;
	if (!h[n++].name)
		goto out;
	for (i = 0; i < req->nheaders; i++) {
		const bq_header *x = &req->headers[i];
		char *c;

		/* r->host is what is sent and signed as Host */
		if (bq_sigv4_unsignable_header(x->name) ||
		    strcasecmp(x->name, "host") == 0)
			continue;
		if (!(h[n].name = strdup(x->name)))
			goto out;
		for (c = h[n].name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		h[n].value = x->value;
		h[n].order = i + 1;
		n++;
	}
	qsort(h, n, sizeof(*h), cmp_hentry);
	for (i = 0; i < n; i++) {
		bool same = i && strcmp(h[i].name, h[i - 1].name) == 0;

		if (same) {
			if (bq_buf_putc(&blk, ',') < 0)
				goto out;
		} else {
			if ((i && bq_buf_puts(&blk, "\n") < 0) ||
			    bq_buf_printf(&blk, "%s:", h[i].name) < 0 ||
			    (i && bq_buf_putc(&sig, ';') < 0) ||
			    bq_buf_puts(&sig, h[i].name) < 0)
				goto out;
		}
		if (put_folded(&blk, h[i].value) < 0)
			goto out;
	}
	if (bq_buf_putc(&blk, '\n') < 0)
		goto out;
	*block_out = bq_buf_detach(&blk);
	*signed_out = bq_buf_detach(&sig);
	rc = 0;
out:
	for (i = 0; i < n; i++)
		free(h[i].name);
	free(h);
	bq_buf_release_secure(&blk);
	bq_buf_release(&sig);
	if (rc < 0) {
		bq_free_secret(*block_out);
		free(*signed_out);
		*block_out = *signed_out = NULL;
		return oom(err);
	}
	return 0;
}

/* ---- signing ---- */

void bq_sigv4_result_free(bq_sigv4_result *res)
{
	if (!res)
		return;
	bq_free_secret(res->canonical_request);
	bq_free_secret(res->string_to_sign);
	free(res->signed_headers);
	free(res->authorization);
	free(res->credential);
	memset(res, 0, sizeof(*res));
}

static bool s3_rules(const char *service, const bq_sigv4_opts *o)
{
	if (o->s3 == BQ_SIGV4_YES)
		return true;
	if (o->s3 == BQ_SIGV4_NO)
		return false;
	return strncmp(service, "s3", 2) == 0;
}

static bool normalize_rule(bool s3, const bq_sigv4_opts *o)
{
	if (o->normalize_path == BQ_SIGV4_YES)
		return true;
	if (o->normalize_path == BQ_SIGV4_NO)
		return false;
	return !s3;
}

/* Everything both modes share, once the request is final. */
typedef struct sigctx {
	const bq_sigv4_creds *creds;
	const char *region, *service;
	const bq_sigv4_opts *opts;
	bool s3, normalize;
	char amz_date[17];
	char date[9];
	char *scope;      /* "20150830/us-east-1/service/aws4_request" */
	char payload[128];
} sigctx;

static int check_args(const bq_request *req, const bq_sigv4_creds *creds,
		      const char *region, const char *service, bq_err *err)
{
	if (!creds || !creds->access_key_id || !*creds->access_key_id ||
	    !creds->secret_access_key || !*creds->secret_access_key)
		return bq_fail(err, BQ_EXIT_CREDS, "no credentials to sign with");
	if (!region || !*region)
		return bq_fail(err, BQ_EXIT_USAGE, "no region to sign for");
	if (!service || !*service)
		return bq_fail(err, BQ_EXIT_USAGE, "no service to sign for");
	if (!req->method || !*req->method || !req->host || !*req->host)
		return bq_fail(err, BQ_EXIT_USAGE,
			       "request has no method or host to sign");
	return 0;
}

static int ctx_init(sigctx *c, const bq_request *req,
		    const bq_sigv4_creds *creds, time_t now, const char *region,
		    const char *service, const bq_sigv4_opts *opts, bq_err *err)
{
	struct tm tm;
	bq_buf b = BQ_BUF_INIT;

	memset(c, 0, sizeof(*c));
	if (check_args(req, creds, region, service, err) < 0)
		return -1;
	c->creds = creds;
	c->region = region;
	c->service = service;
	c->opts = opts;
	c->s3 = s3_rules(service, opts);
	c->normalize = normalize_rule(c->s3, opts);
	if (!gmtime_r(&now, &tm) || tm.tm_year < 0 || tm.tm_year > 9999 - 1900 ||
	    strftime(c->amz_date, sizeof(c->amz_date), "%Y%m%dT%H%M%SZ", &tm) != 16)
		return bq_fail(err, BQ_EXIT_USAGE, "cannot sign at time %lld",
			       (long long)now);
	memcpy(c->date, c->amz_date, 8);
	c->date[8] = '\0';
	if (bq_buf_printf(&b, "%s/%s/%s/aws4_request", c->date, region,
			  service) < 0) {
		bq_buf_release(&b);
		return oom(err);
	}
	c->scope = bq_buf_detach(&b);
	return 0;
}

static void ctx_free(sigctx *c)
{
	free(c->scope);
	c->scope = NULL;
}

/* Chooses the payload hash; presign passes presign = true. */
static int pick_payload(sigctx *c, const bq_request *req, bool presign,
			bq_err *err)
{
	const bq_sigv4_opts *o = c->opts;
	const char *have;
	const char *v = NULL;

	if (o->payload_hash)
		v = o->payload_hash;
	else if (o->unsigned_payload || (presign && c->s3))
		v = UNSIGNED_PAYLOAD;
	else if (!c->s3 &&
		 (have = bq_request_get_header(req, "x-amz-content-sha256")))
		v = have; /* the caller's own hash is signed as given */
	if (v) {
		if (bq_strlcpy(c->payload, v, sizeof(c->payload)) < 0)
			return bq_fail(err, BQ_EXIT_USAGE,
				       "payload hash '%s' is too long", v);
		return 0;
	}
	if (bq_sha256_hex(req->body, req->body_len, c->payload) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot hash the request body");
	return 0;
}

/* Builds canonical request and string to sign and the signature for req
 * with the given wire query. */
static int compute(sigctx *c, const bq_request *req, const char *query,
		   char **creq_out, char **sts_out, char **signed_out,
		   char sig[65], bq_err *err)
{
	char *uri = NULL, *cq = NULL, *hblock = NULL, *signed_h = NULL;
	bq_buf creq = BQ_BUF_INIT, sts = BQ_BUF_INIT;
	char creq_hash[65];
	unsigned char key[32], mac[32];
	const char *m;
	int rc = -1;

	*creq_out = *sts_out = *signed_out = NULL;
	if (bq_sigv4_canonical_uri(req->path, c->normalize, &uri, err) < 0 ||
	    bq_sigv4_canonical_query(query, &cq, err) < 0 ||
	    bq_sigv4_canonical_headers(req, &hblock, &signed_h, err) < 0)
		goto out;
	for (m = req->method; *m; m++) {
		char u = (*m >= 'a' && *m <= 'z') ? (char)(*m - 'a' + 'A') : *m;

		if (bq_buf_putc(&creq, u) < 0)
			goto nomem;
	}
	if (bq_buf_printf(&creq, "\n%s\n%s\n%s\n%s\n%s", uri, cq, hblock,
			  signed_h, c->payload) < 0)
		goto nomem;
	if (bq_sha256_hex(creq.data, creq.len, creq_hash) < 0) {
		bq_fail(err, BQ_EXIT_RUNTIME, "cannot hash the canonical request");
		goto out;
	}
	if (bq_buf_printf(&sts, ALGORITHM "\n%s\n%s\n%s", c->amz_date, c->scope,
			  creq_hash) < 0)
		goto nomem;
	if (bq_sigv4_signing_key(c->creds->secret_access_key, c->date, c->region,
				 c->service, c->opts->cache, key, err) < 0)
		goto out;
	if (bq_hmac_sha256(key, sizeof(key), sts.data, sts.len, mac) < 0) {
		bq_fail(err, BQ_EXIT_RUNTIME, "cannot compute the signature");
		goto out;
	}
	bq_hex_encode(mac, sizeof(mac), sig);
	*creq_out = bq_buf_detach(&creq);
	*sts_out = bq_buf_detach(&sts);
	*signed_out = signed_h;
	signed_h = NULL;
	rc = 0;
	goto out;
nomem:
	oom(err);
out:
	bq_wipe(key, sizeof(key));
	bq_wipe(mac, sizeof(mac));
	free(uri);
	bq_free_secret(cq);
	bq_free_secret(hblock);
	free(signed_h);
	bq_buf_release_secure(&creq);
	bq_buf_release_secure(&sts);
	return rc;
}

static bool has_token(const bq_sigv4_creds *creds)
{
	return creds->session_token && *creds->session_token;
}

/* Hands the computed strings to res (or frees them). */
static int fill_result(bq_sigv4_result *res, const sigctx *c, char *creq,
		       char *sts, char *signed_h, const char *sig,
		       const char *authz, bq_err *err)
{
	bq_buf cred = BQ_BUF_INIT;

	if (!res) {
		bq_free_secret(creq);
		bq_free_secret(sts);
		free(signed_h);
		return 0;
	}
	bq_sigv4_result_free(res);
	res->canonical_request = creq;
	res->string_to_sign = sts;
	res->signed_headers = signed_h;
	if (bq_buf_printf(&cred, "%s/%s", c->creds->access_key_id, c->scope) < 0 ||
	    (authz && !(res->authorization = strdup(authz)))) {
		bq_buf_release(&cred);
		bq_sigv4_result_free(res);
		return oom(err);
	}
	res->credential = bq_buf_detach(&cred);
	bq_strlcpy(res->payload_hash, c->payload, sizeof(res->payload_hash));
	bq_strlcpy(res->amz_date, c->amz_date, sizeof(res->amz_date));
	bq_strlcpy(res->signature, sig, sizeof(res->signature));
	return 0;
}

int bq_sigv4_sign(bq_request *req, const bq_sigv4_creds *creds, time_t now,
		  const char *region, const char *service,
		  const bq_sigv4_opts *opts, bq_sigv4_result *res, bq_err *err)
{
	static const bq_sigv4_opts defaults = BQ_SIGV4_OPTS_INIT;
	sigctx c;
	char *creq = NULL, *sts = NULL, *signed_h = NULL;
	char sig[65];
	bq_buf authz = BQ_BUF_INIT;
	int rc = -1;

	if (ctx_init(&c, req, creds, now, region, service,
		     opts ? opts : &defaults, err) < 0)
		goto out;
	bq_request_remove_header(req, "authorization");
	bq_request_remove_header(req, "x-amz-date");
	bq_request_remove_header(req, "x-amz-security-token");
	if (pick_payload(&c, req, false, err) < 0)
		goto out;
	/* a hash other than sha256(body) must travel with the request, or the
	 * service would verify against the wrong one */
	if (((c.s3 || c.opts->content_sha256 || c.opts->unsigned_payload ||
	      c.opts->payload_hash) &&
	     bq_request_set_header(req, "X-Amz-Content-SHA256", c.payload,
				   err) < 0) ||
	    bq_request_set_header(req, "X-Amz-Date", c.amz_date, err) < 0 ||
	    (has_token(creds) && !c.opts->token_after_signing &&
	     bq_request_add_header(req, "X-Amz-Security-Token",
				   creds->session_token, err) < 0))
		goto out;
	if (compute(&c, req, req->query, &creq, &sts, &signed_h, sig, err) < 0)
		goto out;
	if (bq_buf_printf(&authz, ALGORITHM " Credential=%s/%s, SignedHeaders=%s, "
			  "Signature=%s", creds->access_key_id, c.scope,
			  signed_h, sig) < 0) {
		oom(err);
		goto out;
	}
	if ((has_token(creds) && c.opts->token_after_signing &&
	     bq_request_add_header(req, "X-Amz-Security-Token",
				   creds->session_token, err) < 0) ||
	    bq_request_set_header(req, "Authorization", authz.data, err) < 0)
		goto out;
	rc = fill_result(res, &c, creq, sts, signed_h, sig, authz.data, err);
	creq = sts = signed_h = NULL;
out:
	if (rc < 0) {
		/* no half-made signature may leave with the request */
		bq_request_remove_header(req, "authorization");
	}
	bq_free_secret(creq);
	bq_free_secret(sts);
	free(signed_h);
	bq_buf_release(&authz);
	ctx_free(&c);
	return rc;
}

static int put_param(bq_buf *b, const char *key, const char *value)
{
	if ((b->len && bq_buf_putc(b, '&') < 0) ||
	    bq_uri_encode(b, key, strlen(key), false) < 0 ||
	    bq_buf_putc(b, '=') < 0 ||
	    bq_uri_encode(b, value, strlen(value), false) < 0)
		return -1;
	return 0;
}

int bq_sigv4_presign(const bq_request *req, const bq_sigv4_creds *creds,
		     time_t now, const char *region, const char *service,
		     long expires, const bq_sigv4_opts *opts, char **query_out,
		     bq_sigv4_result *res, bq_err *err)
{
	static const bq_sigv4_opts defaults = BQ_SIGV4_OPTS_INIT;
	sigctx c;
	qpair *p = NULL;
	size_t n = 0, i;
	char *creq = NULL, *sts = NULL, *signed_h = NULL, *hblock = NULL;
	char sig[65], exp[24], *cred = NULL;
	bq_buf q = BQ_BUF_INIT;
	int rc = -1;

	*query_out = NULL;
	if (ctx_init(&c, req, creds, now, region, service,
		     opts ? opts : &defaults, err) < 0)
		goto out;
	if (expires < 1 || expires > MAX_EXPIRES) {
		bq_fail(err, BQ_EXIT_USAGE,
			"presign expiry %ld is outside 1..%ld seconds", expires,
			MAX_EXPIRES);
		goto out;
	}
	bq_snprintf(exp, sizeof(exp), "%ld", expires);
	if (pick_payload(&c, req, true, err) < 0 ||
	    bq_sigv4_canonical_headers(req, &hblock, &signed_h, err) < 0)
		goto out;
	/* the request's own parameters first, re-encoded, in their order */
	if (split_query(req->query, &p, &n) < 0)
		goto nomem;
	for (i = 0; i < n; i++)
		if ((i && bq_buf_putc(&q, '&') < 0) ||
		    bq_buf_printf(&q, "%s=%s", p[i].key, p[i].value) < 0)
			goto nomem;
	{
		bq_buf cb = BQ_BUF_INIT;

		if (bq_buf_printf(&cb, "%s/%s", creds->access_key_id,
				  c.scope) < 0) {
			bq_buf_release(&cb);
			goto nomem;
		}
		cred = bq_buf_detach(&cb);
	}
	if (put_param(&q, "X-Amz-Algorithm", ALGORITHM) < 0 ||
	    put_param(&q, "X-Amz-Credential", cred) < 0 ||
	    put_param(&q, "X-Amz-Date", c.amz_date) < 0 ||
	    put_param(&q, "X-Amz-Expires", exp) < 0 ||
	    put_param(&q, "X-Amz-SignedHeaders", signed_h) < 0 ||
	    (has_token(creds) && !c.opts->token_after_signing &&
	     put_param(&q, "X-Amz-Security-Token", creds->session_token) < 0))
		goto nomem;
	free(signed_h);
	signed_h = NULL;
	if (compute(&c, req, q.data, &creq, &sts, &signed_h, sig, err) < 0)
		goto out;
	if ((has_token(creds) && c.opts->token_after_signing &&
	     put_param(&q, "X-Amz-Security-Token", creds->session_token) < 0) ||
	    put_param(&q, "X-Amz-Signature", sig) < 0)
		goto nomem;
	if (fill_result(res, &c, creq, sts, signed_h, sig, NULL, err) < 0) {
		creq = sts = signed_h = NULL;
		goto out;
	}
	creq = sts = signed_h = NULL;
	*query_out = bq_buf_detach(&q);
	rc = 0;
	goto out;
nomem:
	oom(err);
out:
	free_pairs(p, n);
	free(cred);
	bq_free_secret(hblock);
	bq_free_secret(creq);
	bq_free_secret(sts);
	free(signed_h);
	bq_buf_release_secure(&q);
	ctx_free(&c);
	return rc;
}
