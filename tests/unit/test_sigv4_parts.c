/* sigv4: the canonical pieces, the signing key and its cache, secret
 * wiping, and whole signatures for vectors that must hold even where the
 * AWS suite directory is absent. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "request.h"
#include "sigv4.h"
#include "t.h"

#define T0 1440938160 /* 2015-08-30T12:36:00Z, the suite's time */
#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static char *cq(const char *q)
{
	static char out[1024];
	char *r = NULL;
	bq_err err;

	if (bq_sigv4_canonical_query(q, &r, &err) < 0)
		return NULL;
	bq_strlcpy(out, r, sizeof(out));
	free(r);
	return out;
}

static char *cu(const char *p, bool norm)
{
	static char out[1024];
	char *r = NULL;
	bq_err err;

	if (bq_sigv4_canonical_uri(p, norm, &r, &err) < 0)
		return NULL;
	bq_strlcpy(out, r, sizeof(out));
	free(r);
	return out;
}

#define CQ(in, want) T_STREQ(cq(in), want, "canonical query of '%s'", in ? in : "(null)")

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static bool contains(const void *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp((const char *)hay + i, needle, k) == 0)
			return true;
	return false;
}

static void test_canonical_uri(void)
{
	T_STREQ(cu("/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", true),
		"/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse",
		"non-s3 path is encoded a second time");
	T_STREQ(cu("/model/a%3Ab/converse", false), "/model/a%3Ab/converse",
		"s3 path is signed as sent");
	T_STREQ(cu("/bkt/a//./b", false), "/bkt/a//./b", "s3 keeps '//' and '.'");
	T_STREQ(cu("/a//./b/../c/", true), "/a/c/", "non-s3 removes dot segments and '//'");
	T_STREQ(cu("/example space/", true), "/example%20space/", "raw space encoded");
	T_STREQ(cu("", true), "/", "empty path is '/'");
	T_STREQ(cu(NULL, false), "/", "missing path is '/'");
	T_STREQ(cu("/a:b@c!", true), "/a%3Ab%40c%21", "sub-delims are encoded");
}

static void test_canonical_query(void)
{
	CQ(NULL, "");
	CQ("", "");
	CQ("b=2&a=1&a=0", "a=0&a=1&b=2");
	CQ("a", "a=");
	CQ("a=", "a=");
	CQ("a&&b", "a=&b=");
	CQ("q=a+b c", "q=a%2Bb%20c");
	CQ("k=%7e%41%2f", "k=~A%2F");
	CQ("v=a=b", "v=a%3Db");
	CQ("Z=1&a=2", "Z=1&a=2");
	CQ("x=b&x=a&x=", "x=&x=a&x=b");
	/* by key first: comparing whole "k=v" strings would put a-b first */
	CQ("a-b=&a=z", "a=z&a-b=");
	CQ("%E1%88%B4=bar&Param=1", "%E1%88%B4=bar&Param=1");
	CQ("\xe1\x88\xb4=b%20r", "%E1%88%B4=b%20r");
	CQ("Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
	   "%E1%88%B4=Value1&Param=Value2&Param-3=Value3");
}

static void test_canonical_headers(void)
{
	bq_request r = BQ_REQUEST_INIT;
	bq_err err;
	char *blk = NULL, *sh = NULL;

	bq_request_set_target(&r, "GET", "https", "example.com:8443", "/", NULL, &err);
	bq_request_add_header(&r, "My-Header1", "  a   b\t c  ", &err);
	bq_request_add_header(&r, "User-Agent", "bq/0.1", &err);
	bq_request_add_header(&r, "Expect", "100-continue", &err);
	bq_request_add_header(&r, "X-Amzn-Trace-Id", "Root=1", &err);
	bq_request_add_header(&r, "Transfer-Encoding", "chunked", &err);
	bq_request_add_header(&r, "Connection", "close", &err);
	bq_request_add_header(&r, "Authorization", "old", &err);
	bq_request_add_header(&r, "my-header1", "second", &err);
	bq_request_add_header(&r, "Content-Type", "application/json", &err);
	bq_request_add_header(&r, "X-Empty", " \t ", &err);
	bq_request_add_header(&r, "ZZ", "z", &err);
	bq_request_add_header(&r, "my-HEADER1", "third", &err);
	T_OK(bq_sigv4_canonical_headers(&r, &blk, &sh, &err) == 0, "canonical headers built");
	T_STREQ(blk, "content-type:application/json\nhost:example.com:8443\n"
		"my-header1:a b c,second,third\nx-empty:\nzz:z\n",
		"lower-cased, sorted, trimmed, folded, duplicates joined in order");
	T_STREQ(sh, "content-type;host;my-header1;x-empty;zz", "signed header list");
	free(blk);
	free(sh);
	T_OK(bq_sigv4_unsignable_header("USER-AGENT") && bq_sigv4_unsignable_header("expect") &&
	     bq_sigv4_unsignable_header("X-Amzn-Trace-Id") &&
	     bq_sigv4_unsignable_header("transfer-encoding") &&
	     !bq_sigv4_unsignable_header("x-amz-date") &&
	     !bq_sigv4_unsignable_header("content-type"), "never-signed header names");
	bq_request_free(&r);
}

static void test_signing_key(void)
{
	unsigned char k1[32], k2[32], k3[32];
	char hex[65];
	bq_err err;
	bq_sigv4_cache c;
	char longregion[100];
	int i;

	T_OK(bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", NULL, k1, &err) == 0,
	     "signing key without a cache");
	bq_hex_encode(k1, 32, hex);
	T_STREQ(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d",
		"signing key matches the AWS documentation example");

	bq_sigv4_cache_init(&c);
	bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", &c, k2, &err);
	T_OK(c.misses == 1 && c.hits == 0 && memcmp(k1, k2, 32) == 0, "first use is a miss");
	bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", &c, k2, &err);
	T_OK(c.misses == 1 && c.hits == 1 && memcmp(k1, k2, 32) == 0,
	     "same (date, region, service, secret) is a hit with the same key");
	bq_sigv4_signing_key(SECRET, "20120216", "us-east-1", "iam", &c, k3, &err);
	T_OK(c.misses == 2 && memcmp(k1, k3, 32) != 0, "a new date is a miss and a new key");
	bq_sigv4_signing_key("other-secret", "20120215", "us-east-1", "iam", &c, k3, &err);
	T_OK(c.misses == 3 && memcmp(k1, k3, 32) != 0,
	     "another secret never gets the cached key");
	bq_sigv4_signing_key(SECRET, "20120215", "us-west-2", "iam", &c, k3, &err);
	bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "sts", &c, k3, &err);
	T_OK(c.misses == 5, "region and service are part of the key");
	T_OK(!contains(&c, sizeof(c), SECRET) && !contains(&c, sizeof(c), "other-secret"),
	     "the cache holds no copy of a secret");
	/* 5 distinct entries through 4 slots: the oldest (iam/20120215) is gone */
	bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", &c, k2, &err);
	T_OK(c.misses == 6 && memcmp(k1, k2, 32) == 0, "oldest entry evicted, key still right");
	memset(longregion, 'r', sizeof(longregion) - 1);
	longregion[sizeof(longregion) - 1] = '\0';
	for (i = 0; i < 2; i++)
		bq_sigv4_signing_key(SECRET, "20120215", longregion, "iam", &c, k2, &err);
	T_OK(c.misses == 8, "names too long for the cache are derived every time");

	bq_sigv4_cache_clear(&c);
	T_OK(all_zero(&c, sizeof(c)), "clearing the cache wipes every byte (keys, fingerprints)");
	bq_sigv4_signing_key(SECRET, "20120215", "us-east-1", "iam", &c, k2, &err);
	T_OK(c.misses == 1 && memcmp(k1, k2, 32) == 0, "a cleared cache is usable again");
	bq_sigv4_cache_clear(&c);
}

/* bq_sigv4_cache_free() is bq_sigv4_cache_clear() (whose wiping is checked
 * above) followed by free(); freed memory cannot be inspected portably, so
 * this checks the heap life cycle, and valgrind/ASan check the free. */
static void test_cache_free(void)
{
	bq_sigv4_cache *c = bq_sigv4_cache_new();
	unsigned char k[32];
	bq_err err;

	T_OK(c && all_zero(c, sizeof(*c)), "a new cache starts empty");
	bq_sigv4_signing_key(SECRET, "20150830", "us-east-1", "service", c, k, &err);
	T_OK(c->misses == 1 && c->slot[0].used && !all_zero(c->slot[0].key, 32),
	     "the heap cache holds a key");
	bq_sigv4_cache_free(c);
	bq_sigv4_cache_free(NULL);
	T_OK(1, "cache_free on a used cache and on NULL");
}

static void vanilla(bq_request *r)
{
	bq_err err;

	bq_request_init(r);
	bq_request_set_target(r, "GET", "https", "example.amazonaws.com", "/", NULL, &err);
}

static void test_sign_vectors(void)
{
	bq_sigv4_creds c = { AKID, SECRET, NULL };
	bq_sigv4_creds ct = { AKID, SECRET,
			      "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267" };
	bq_sigv4_result res = BQ_SIGV4_RESULT_INIT;
	bq_sigv4_opts o = BQ_SIGV4_OPTS_INIT;
	bq_request r;
	bq_err err;
	char *q = NULL;
	const char *a;
	size_t i, n;

	vanilla(&r);
	T_OK(bq_sigv4_sign(&r, &c, T0, "us-east-1", "service", NULL, &res, &err) == 0,
	     "get-vanilla signs");
	T_STREQ(res.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"get-vanilla signature");
	T_STREQ(bq_request_get_header(&r, "authorization"),
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
		"SignedHeaders=host;x-amz-date, "
		"Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		"get-vanilla Authorization header");
	T_STREQ(bq_request_get_header(&r, "x-amz-date"), "20150830T123600Z", "X-Amz-Date added");
	T_OK(bq_request_get_header(&r, "x-amz-content-sha256") == NULL,
	     "no x-amz-content-sha256 for a non-S3 service by default");
	T_STREQ(res.credential, "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request",
		"credential in the result");
	/* signing again (a retry) replaces, never duplicates */
	T_OK(bq_sigv4_sign(&r, &c, T0, "us-east-1", "service", NULL, &res, &err) == 0 &&
	     strcmp(res.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31") == 0,
	     "re-signing gives the same signature");
	for (i = n = 0; i < r.nheaders; i++)
		n += strcasecmp(r.headers[i].name, "authorization") == 0 ||
		     strcasecmp(r.headers[i].name, "x-amz-date") == 0;
	T_OK(n == 2 && r.nheaders == 2, "re-signing leaves one Authorization and one X-Amz-Date");
	bq_request_free(&r);

	vanilla(&r);
	T_OK(bq_sigv4_presign(&r, &c, T0, "us-east-1", "service", 3600, NULL, &q, &res, &err) == 0,
	     "get-vanilla presigns");
	T_STREQ(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2F"
		"us-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600"
		"&X-Amz-SignedHeaders=host&X-Amz-Signature="
		"e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
		"get-vanilla presigned query");
	T_OK(res.authorization == NULL, "presign has no Authorization");
	T_OK(r.nheaders == 0 && r.query == NULL, "presign leaves the request alone");
	free(q);
	bq_request_free(&r);

	vanilla(&r);
	bq_sigv4_sign(&r, &ct, T0, "us-east-1", "service", NULL, &res, &err);
	T_STREQ(res.signature, "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
		"session token signed as x-amz-security-token (suite vector)");
	T_STREQ(res.signed_headers, "host;x-amz-date;x-amz-security-token", "token header signed");
	bq_request_free(&r);

	vanilla(&r);
	bq_request_set_method(&r, "POST", &err);
	o.token_after_signing = true;
	{
		bq_sigv4_creds ct2 = { AKID, SECRET, "AQoDYXdzEPT//////////wEXAMPLE" };

		bq_sigv4_sign(&r, &ct2, T0, "us-east-1", "service", &o, &res, &err);
	}
	T_STREQ(res.signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
		"token added after signing (post-sts-header-after)");
	T_STREQ(bq_request_get_header(&r, "x-amz-security-token"), "AQoDYXdzEPT//////////wEXAMPLE",
		"the unsigned token is still sent");
	bq_request_free(&r);
	o = (bq_sigv4_opts)BQ_SIGV4_OPTS_INIT;

	/* Bedrock model id: a%3Ab on the wire, a%253Ab signed */
	bq_request_init(&r);
	bq_request_set_target(&r, "POST", "https", "bedrock-runtime.us-east-1.amazonaws.com",
			      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse", NULL, &err);
	bq_request_set_body(&r, "{}", 2);
	bq_sigv4_sign(&r, &c, T0, "us-east-1", "bedrock", NULL, &res, &err);
	T_OK(strstr(res.canonical_request,
		    "\n/model/anthropic.claude-3-haiku-20240307-v1%253A0/converse\n") != NULL,
	     "bedrock model id double-encoded in the canonical request");
	T_OK(strcmp(r.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse") == 0,
	     "the wire path is untouched");
	T_STREQ(res.payload_hash, "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
		"body hash is sha256('{}')");
	bq_request_free(&r);

	/* S3: verbatim path, x-amz-content-sha256 always, UNSIGNED-PAYLOAD on request */
	bq_request_init(&r);
	bq_request_set_target(&r, "PUT", "http", "127.0.0.1:8765", "/bkt/a//./b%20c", "x=1", &err);
	bq_request_set_body(&r, "abc", 3);
	bq_sigv4_sign(&r, &c, T0, "us-east-1", "s3", NULL, &res, &err);
	T_STREQ(bq_request_get_header(&r, "x-amz-content-sha256"),
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"s3 sends x-amz-content-sha256 = sha256(body)");
	T_OK(strstr(res.canonical_request, "\n/bkt/a//./b%20c\nx=1\n") != NULL,
	     "s3 path signed verbatim");
	T_OK(strstr(res.canonical_request, "\nhost:127.0.0.1:8765\n") != NULL,
	     "non-default port is signed with the host");
	T_STREQ(res.signed_headers, "host;x-amz-content-sha256;x-amz-date", "s3 signed headers");
	o.unsigned_payload = true;
	bq_sigv4_sign(&r, &c, T0, "us-east-1", "s3", &o, &res, &err);
	T_STREQ(bq_request_get_header(&r, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD",
		"s3 UNSIGNED-PAYLOAD replaces the earlier hash");
	a = res.canonical_request + strlen(res.canonical_request) - strlen("UNSIGNED-PAYLOAD");
	T_STREQ(a, "UNSIGNED-PAYLOAD", "and is the signed payload hash");
	o = (bq_sigv4_opts)BQ_SIGV4_OPTS_INIT;
	T_OK(bq_sigv4_presign(&r, &ct, T0, "us-east-1", "s3", 60, NULL, &q, &res, &err) == 0 &&
	     strcmp(res.payload_hash, "UNSIGNED-PAYLOAD") == 0 &&
	     strstr(q, "&X-Amz-Security-Token=6e86291e") != NULL &&
	     strstr(res.canonical_request, "X-Amz-Security-Token=6e86291e") != NULL,
	     "s3 presign: UNSIGNED-PAYLOAD, token in the signed query");
	T_OK(strncmp(q, "x=1&X-Amz-Algorithm=", 20) == 0, "presign keeps the request's own parameters first");
	free(q);
	q = NULL;
	bq_request_free(&r);

	/* non-S3 with content_sha256 asked for */
	vanilla(&r);
	o.content_sha256 = true;
	bq_sigv4_sign(&r, &c, T0, "us-east-1", "logs", &o, &res, &err);
	T_STREQ(bq_request_get_header(&r, "x-amz-content-sha256"),
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"content_sha256 adds the header for a non-S3 service");
	T_STREQ(res.signed_headers, "host;x-amz-content-sha256;x-amz-date", "and signs it");
	o = (bq_sigv4_opts)BQ_SIGV4_OPTS_INIT;
	bq_request_free(&r);

	/* errors */
	vanilla(&r);
	{
		bq_sigv4_creds none = { AKID, NULL, NULL };

		T_OK(bq_sigv4_sign(&r, &none, T0, "us-east-1", "service", NULL, NULL, &err) < 0 &&
		     err.exit_status == BQ_EXIT_CREDS, "no secret is a credentials error");
	}
	T_OK(bq_request_get_header(&r, "authorization") == NULL, "a failed signing adds no Authorization");
	T_OK(bq_sigv4_sign(&r, &c, T0, "", "service", NULL, NULL, &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE, "empty region refused");
	T_OK(bq_sigv4_presign(&r, &c, T0, "us-east-1", "service", 0, NULL, &q, NULL, &err) < 0 &&
	     q == NULL, "presign expiry 0 refused");
	T_OK(bq_sigv4_presign(&r, &c, T0, "us-east-1", "service", 604801, NULL, &q, NULL, &err) < 0,
	     "presign expiry over seven days refused");
	T_OK(bq_sigv4_presign(&r, &c, T0, "us-east-1", "service", 604800, NULL, &q, NULL, &err) == 0,
	     "presign expiry of seven days accepted");
	free(q);
	bq_request_free(&r);
	bq_sigv4_result_free(&res);
}

/* Pure function: the same inputs give the same output, with or without a
 * cache, however often. */
static void test_purity(void)
{
	bq_sigv4_creds c = { AKID, SECRET, "tok" };
	bq_sigv4_cache cache;
	bq_sigv4_opts o = BQ_SIGV4_OPTS_INIT;
	bq_sigv4_result a = BQ_SIGV4_RESULT_INIT, b = BQ_SIGV4_RESULT_INIT;
	bq_request r;
	bq_err err;
	int i, same = 1;

	bq_sigv4_cache_init(&cache);
	vanilla(&r);
	bq_request_add_header(&r, "X-Amz-Target", "Logs_20140328.FilterLogEvents", &err);
	bq_sigv4_sign(&r, &c, T0 + 86400 * 3, "eu-west-3", "logs", NULL, &a, &err);
	o.cache = &cache;
	for (i = 0; i < 5; i++) {
		bq_sigv4_sign(&r, &c, T0 + 86400 * 3, "eu-west-3", "logs", &o, &b, &err);
		same &= strcmp(a.signature, b.signature) == 0 &&
			strcmp(a.canonical_request, b.canonical_request) == 0;
	}
	T_OK(same, "signing is repeatable, cached or not");
	T_OK(cache.misses == 1 && cache.hits == 4, "the cache served the repeats");
	bq_sigv4_cache_clear(&cache);
	bq_sigv4_result_free(&a);
	bq_sigv4_result_free(&b);
	T_OK(a.canonical_request == NULL && b.signature[0] == '\0', "result_free resets the result");
	bq_request_free(&r);
}

int main(void)
{
	test_canonical_uri();
	test_canonical_query();
	test_canonical_headers();
	test_signing_key();
	test_cache_free();
	test_sign_vectors();
	test_purity();
	return T_DONE();
}
