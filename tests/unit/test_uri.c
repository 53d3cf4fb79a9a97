/* uri: RFC 3986 encoding, percent-decoding and AWS path normalisation. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "t.h"
#include "uri.h"

static char *enc(const char *s, size_t n, bool keep_slash)
{
	static char out[512];
	bq_buf b = BQ_BUF_INIT;

	if (bq_uri_encode(&b, s, n, keep_slash) < 0)
		return NULL;
	bq_strlcpy(out, bq_buf_cstr(&b), sizeof(out));
	bq_buf_release(&b);
	return out;
}

static char *dec(const char *s)
{
	static char out[512];
	bq_buf b = BQ_BUF_INIT;

	if (bq_uri_decode(&b, s, strlen(s)) < 0)
		return NULL;
	bq_strlcpy(out, bq_buf_cstr(&b), sizeof(out));
	bq_buf_release(&b);
	return out;
}

static char *norm(const char *prefix, const char *path)
{
	static char out[512];
	bq_buf b = BQ_BUF_INIT;

	if (bq_buf_puts(&b, prefix) < 0 || bq_uri_normalize_path(&b, path) < 0)
		return NULL;
	bq_strlcpy(out, bq_buf_cstr(&b), sizeof(out));
	bq_buf_release(&b);
	return out;
}

#define ENC(in, ks, want) T_STREQ(enc(in, strlen(in), ks), want, "encode%s '%s'", ks ? " path" : "", in)
#define NORM(in, want) T_STREQ(norm("", in), want, "normalise '%s'", in)

int main(void)
{
	const char *unres = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	char *d;
	bq_buf cap;

	ENC("", false, "");
	ENC(unres, false, unres);
	ENC("a b", false, "a%20b");
	ENC("a+b", false, "a%2Bb");
	ENC("a/b=c&d", false, "a%2Fb%3Dc%26d");
	ENC("a/b=c&d", true, "a/b%3Dc%26d");
	ENC("model/a:b", true, "model/a%3Ab");
	ENC("100%", false, "100%25");
	ENC("a%3Ab", true, "a%253Ab");
	ENC("!*'();:@$,?#[]", false, "%21%2A%27%28%29%3B%3A%40%24%2C%3F%23%5B%5D");
	ENC("\xe1\x88\xb4", false, "%E1%88%B4");
	ENC("\xf0\x9f\x98\x80", true, "%F0%9F%98%80");
	T_STREQ(enc("a\0b", 3, false), "a%00b", "encode keeps an embedded NUL");
	T_STREQ(enc("\x7f\x80\xff", 3, false), "%7F%80%FF", "encode high and DEL bytes");
	d = bq_uri_encode_dup("x y/z", true);
	T_STREQ(d, "x%20y/z", "encode_dup");
	free(d);

	T_STREQ(dec("%41%2fb+c"), "A/b+c", "decode mixed-case escapes, '+' stays");
	T_STREQ(dec("%zz%4"), "%zz%4", "decode keeps a '%%' that starts no escape");
	T_STREQ(dec("%"), "%", "decode a lone '%%'");
	T_STREQ(dec("%E1%88%B4"), "\xe1\x88\xb4", "decode utf-8");
	T_STREQ(enc(dec("a%20b%7e%2B"), strlen("a b~+"), false), "a%20b~%2B",
		"decode then encode gives the canonical form");

	NORM("", "/");
	NORM("/", "/");
	NORM("//", "/");
	NORM("/a/./b/../c", "/a/c");
	NORM("/a//b/", "/a/b/");
	NORM("/..", "/");
	NORM("/../a", "/a");
	NORM("/a/..", "/");
	NORM("/a/b/..", "/a");
	NORM("/a/b/../", "/a/");
	NORM("/./", "/");
	NORM("/example/..", "/");
	NORM("/example1/example2/../..", "/");
	NORM("/./example", "/example");
	NORM("//example//", "/example/");
	NORM("/a/.../b", "/a/.../b");
	NORM("/%2E%2E/a", "/%2E%2E/a");
	NORM("a/b", "/a/b");
	T_STREQ(norm("X", "/../b"), "X/b", "normalise appends after existing text");
	T_STREQ(norm("XY", "/a/../.."), "XY/", "'..' never eats what was there before");

	/* a capped buffer refuses, and is left as it was */
	bq_buf_init(&cap, 8);
	T_OK(bq_buf_puts(&cap, "ab") == 0 && bq_uri_encode(&cap, "     ", 5, false) < 0 &&
	     strcmp(bq_buf_cstr(&cap), "ab") == 0, "encode respects the buffer cap");
	bq_buf_release(&cap);
	return T_DONE();
}
