/*
 * test_sigv4_suite: runs the AWS SigV4 test suite (one folder per case:
 * context.json, request.txt and the expected header-/query- canonical
 * request, string to sign and signature) through lib/sigv4.
 *
 * Usage: test_sigv4_suite [DIR]; without DIR it looks in
 * $BQ_TOP/../shared/sigv4-test-suite (or ../shared/sigv4-test-suite) and
 * skips when that is absent.  One ok/not ok line per case and variant, and
 * a final "N passed, N failed".
 *
 * How the suite's files map onto the library (testing-peers.md 3.1):
 * request.txt holds raw paths (a literal space, raw UTF-8); the non-S3 rule
 * encodes the wire path once more, so a raw path passed as the wire path
 * yields the suite's "encoded once" canonical form.  "normalize": false
 * cases are S3-like: the path is encoded once here and signed verbatim.
 */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "request.h"
#include "sigv4.h"
#include "uri.h"

static int passed, failed;

static char *read_file(const char *dir, const char *name, size_t *len)
{
	bq_buf b = BQ_BUF_INIT;
	char path[4096], chunk[4096];
	FILE *f;
	size_t n;

	if (bq_snprintf(path, sizeof(path), "%s/%s", dir, name) < 0 ||
	    !(f = fopen(path, "rb")))
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (bq_buf_append(&b, chunk, n) < 0) {
			fclose(f);
			bq_buf_release(&b);
			return NULL;
		}
	fclose(f);
	if (len)
		*len = b.len;
	return bq_buf_detach(&b);
}

/* The expected files carry no meaningful trailing newline. */
static void chomp(char *s)
{
	size_t n = s ? strlen(s) : 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

typedef struct tcase {
	char *method, *raw_path, *query, *host;
	char **hname, **hvalue;
	size_t nh;
	char *body;
	size_t body_len;
	/* context */
	char *ak, *sk, *token;
	char *region, *service;
	bool normalize, sign_body, omit_token;
	long expires;
	time_t when;
} tcase;

static void tcase_free(tcase *t)
{
	size_t i;

	for (i = 0; i < t->nh; i++) {
		free(t->hname[i]);
		free(t->hvalue[i]);
	}
	free(t->hname);
	free(t->hvalue);
	free(t->method);
	free(t->raw_path);
	free(t->query);
	free(t->host);
	free(t->body);
	free(t->ak);
	bq_free_secret(t->sk);
	bq_free_secret(t->token);
	free(t->region);
	free(t->service);
}

static char *dupn(const char *s, size_t n)
{
	char *r = malloc(n + 1);

	if (r) {
		memcpy(r, s, n);
		r[n] = '\0';
	}
	return r;
}

static int add_hdr(tcase *t, const char *name, size_t nlen, const char *value,
		   size_t vlen)
{
	char **a = realloc(t->hname, (t->nh + 1) * sizeof(char *));
	char **b;

	if (!a)
		return -1;
	t->hname = a;
	if (!(b = realloc(t->hvalue, (t->nh + 1) * sizeof(char *))))
		return -1;
	t->hvalue = b;
	t->hname[t->nh] = dupn(name, nlen);
	t->hvalue[t->nh] = dupn(value, vlen);
	t->nh++;
	return t->hname[t->nh - 1] && t->hvalue[t->nh - 1] ? 0 : -1;
}

/* A continuation line ("  value2") extends the previous header; the
 * signer folds the whitespace, so joining with a space is lossless. */
static int extend_hdr(tcase *t, const char *line, size_t len)
{
	char *prev, *n;
	size_t plen;

	if (!t->nh)
		return -1;
	prev = t->hvalue[t->nh - 1];
	plen = strlen(prev);
	if (!(n = realloc(prev, plen + 1 + len + 1)))
		return -1;
	n[plen] = ' ';
	memcpy(n + plen + 1, line, len);
	n[plen + 1 + len] = '\0';
	t->hvalue[t->nh - 1] = n;
	return 0;
}

static int parse_request(tcase *t, const char *txt, size_t len)
{
	const char *p = txt, *end = txt + len, *eol, *sp1, *sp2, *q;
	bool first = true;

	while (p < end) {
		size_t ll;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		ll = (size_t)(eol - p);
		if (ll && p[ll - 1] == '\r')
			ll--;
		if (first) {
			/* METHOD SP target SP HTTP/1.1; the target may hold spaces */
			sp1 = memchr(p, ' ', ll);
			for (sp2 = p + ll; sp2 > p && sp2[-1] != ' '; sp2--)
				;
			if (!sp1 || sp2 <= sp1 + 1)
				return -1;
			sp2--;
			t->method = dupn(p, (size_t)(sp1 - p));
			q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
			if (q) {
				t->raw_path = dupn(sp1 + 1, (size_t)(q - sp1 - 1));
				t->query = dupn(q + 1, (size_t)(sp2 - q - 1));
			} else {
				t->raw_path = dupn(sp1 + 1, (size_t)(sp2 - sp1 - 1));
			}
			first = false;
		} else if (ll == 0) {
			p = eol < end ? eol + 1 : end;
			t->body_len = (size_t)(end - p);
			t->body = dupn(p, t->body_len);
			return t->body ? 0 : -1;
		} else if (p[0] == ' ' || p[0] == '\t') {
			if (extend_hdr(t, p, ll) < 0)
				return -1;
		} else {
			const char *colon = memchr(p, ':', ll);

			if (!colon ||
			    add_hdr(t, p, (size_t)(colon - p), colon + 1,
				    ll - (size_t)(colon - p) - 1) < 0)
				return -1;
		}
		p = eol < end ? eol + 1 : end;
	}
	return t->method ? 0 : -1;
}

static char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? strdup(json_string_value(v)) : NULL;
}

static int parse_context(tcase *t, const char *txt)
{
	json_error_t je;
	json_t *root = json_loads(txt, 0, &je), *cr, *v;
	struct tm tm;
	const char *ts;
	int rc = -1;

	if (!root)
		return -1;
	cr = json_object_get(root, "credentials");
	t->ak = jstr(cr, "access_key_id");
	t->sk = jstr(cr, "secret_access_key");
	t->token = jstr(cr, "token");
	t->region = jstr(root, "region");
	t->service = jstr(root, "service");
	t->normalize = json_is_true(json_object_get(root, "normalize"));
	t->sign_body = json_is_true(json_object_get(root, "sign_body"));
	t->omit_token = json_is_true(json_object_get(root, "omit_session_token"));
	v = json_object_get(root, "expiration_in_seconds");
	t->expires = json_is_integer(v) ? (long)json_integer_value(v) : 3600;
	v = json_object_get(root, "timestamp");
	ts = json_is_string(v) ? json_string_value(v) : NULL;
	memset(&tm, 0, sizeof(tm));
	if (ts && sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon,
			 &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) == 6) {
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		t->when = timegm(&tm);
		rc = t->ak && t->sk && t->region && t->service ? 0 : -1;
	}
	json_decref(root);
	return rc;
}

/* Builds the bq_request the signer sees for this case. */
static int build_request(const tcase *t, bq_request *r, bq_err *err)
{
	char *path = NULL;
	size_t i;
	int rc = -1;

	if (t->normalize)
		path = strdup(t->raw_path);
	else
		path = bq_uri_encode_dup(t->raw_path, true);
	if (!path)
		return -1;
	if (bq_request_set_target(r, t->method, "https", t->host, path, t->query,
				  err) < 0)
		goto out;
	for (i = 0; i < t->nh; i++)
		if (bq_request_add_header(r, t->hname[i], t->hvalue[i], err) < 0)
			goto out;
	bq_request_set_body(r, t->body, t->body_len);
	rc = 0;
out:
	free(path);
	return rc;
}

static void report(const char *name, const char *variant, const char *what,
		   const char *got, const char *want)
{
	printf("#   %s %s %s differs\n#   got:\n%s\n#   want:\n%s\n", name, variant,
	       what, got ? got : "(null)", want ? want : "(null)");
}

static void run_variant(const char *dir, const char *name, const tcase *t,
			bool query)
{
	const char *v = query ? "query" : "header";
	char fn[64], *want_cr, *want_sts, *want_sig;
	bq_request r;
	bq_err err;
	bq_sigv4_result res = BQ_SIGV4_RESULT_INIT;
	bq_sigv4_opts o = BQ_SIGV4_OPTS_INIT;
	bq_sigv4_creds c = { t->ak, t->sk, t->token };
	char *qs = NULL;
	int rc, bad = 0;

	bq_snprintf(fn, sizeof(fn), "%s-canonical-request.txt", v);
	want_cr = read_file(dir, fn, NULL);
	bq_snprintf(fn, sizeof(fn), "%s-string-to-sign.txt", v);
	want_sts = read_file(dir, fn, NULL);
	bq_snprintf(fn, sizeof(fn), "%s-signature.txt", v);
	want_sig = read_file(dir, fn, NULL);
	chomp(want_cr);
	chomp(want_sts);
	chomp(want_sig);

	o.s3 = BQ_SIGV4_NO;
	o.normalize_path = t->normalize ? BQ_SIGV4_YES : BQ_SIGV4_NO;
	o.content_sha256 = t->sign_body;
	o.token_after_signing = t->omit_token;
	bq_request_init(&r);
	rc = build_request(t, &r, &err);
	if (rc == 0)
		rc = query ? bq_sigv4_presign(&r, &c, t->when, t->region, t->service,
					      t->expires, &o, &qs, &res, &err)
			   : bq_sigv4_sign(&r, &c, t->when, t->region, t->service,
					   &o, &res, &err);
	if (rc < 0) {
		printf("not ok - %s %s: signing failed: %s\n", name, v, err.message);
		failed++;
		goto out;
	}
	if (!want_cr || strcmp(res.canonical_request, want_cr) != 0) {
		report(name, v, "canonical request", res.canonical_request, want_cr);
		bad++;
	}
	if (!want_sts || strcmp(res.string_to_sign, want_sts) != 0) {
		report(name, v, "string to sign", res.string_to_sign, want_sts);
		bad++;
	}
	if (!want_sig || strcmp(res.signature, want_sig) != 0) {
		report(name, v, "signature", res.signature, want_sig);
		bad++;
	}
	/* the signature must also be what goes on the wire */
	if (!bad && !query &&
	    !strstr(bq_request_get_header(&r, "authorization"), res.signature))
		bad++;
	if (!bad && query) {
		char needle[96];

		bq_snprintf(needle, sizeof(needle), "X-Amz-Signature=%s", res.signature);
		if (!strstr(qs, needle))
			bad++;
	}
	if (bad) {
		printf("not ok - %s %s\n", name, v);
		failed++;
	} else {
		printf("ok - %s %s\n", name, v);
		passed++;
	}
out:
	fflush(stdout);
	free(qs);
	bq_sigv4_result_free(&res);
	bq_request_free(&r);
	free(want_cr);
	free(want_sts);
	free(want_sig);
}

static void run_case(const char *suite, const char *name)
{
	char dir[4096], *ctx, *req;
	size_t req_len = 0, i;
	tcase t;

	memset(&t, 0, sizeof(t));
	bq_snprintf(dir, sizeof(dir), "%s/%s", suite, name);
	ctx = read_file(dir, "context.json", NULL);
	req = read_file(dir, "request.txt", &req_len);
	if (!ctx || !req || parse_context(&t, ctx) < 0 ||
	    parse_request(&t, req, req_len) < 0) {
		printf("not ok - %s: cannot read its context.json or request.txt\n",
		       name);
		failed += 2;
		goto out;
	}
	/* Host goes to r->host (what is sent), not into the header list */
	for (i = 0; i < t.nh; i++)
		if (strcasecmp(t.hname[i], "host") == 0) {
			const char *h = t.hvalue[i];

			while (*h == ' ' || *h == '\t')
				h++;
			free(t.host);
			t.host = strdup(h);
			free(t.hname[i]);
			free(t.hvalue[i]);
			memmove(&t.hname[i], &t.hname[i + 1],
				(t.nh - i - 1) * sizeof(char *));
			memmove(&t.hvalue[i], &t.hvalue[i + 1],
				(t.nh - i - 1) * sizeof(char *));
			t.nh--;
			break;
		}
	if (!t.host) {
		printf("not ok - %s: request.txt has no Host\n", name);
		failed += 2;
		goto out;
	}
	run_variant(dir, name, &t, false);
	run_variant(dir, name, &t, true);
out:
	tcase_free(&t);
	free(ctx);
	free(req);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char dirbuf[4096], probe[4096];
	const char *dir, *top = getenv("BQ_TOP");
	char **names = NULL;
	size_t n = 0, i;
	DIR *d;
	struct dirent *e;
	struct stat st;

	if (argc > 1 && argv[1][0]) {
		dir = argv[1];
	} else {
		if (top && *top)
			bq_snprintf(dirbuf, sizeof(dirbuf),
				    "%s/../shared/sigv4-test-suite", top);
		else
			bq_strlcpy(dirbuf, "../shared/sigv4-test-suite",
				   sizeof(dirbuf));
		dir = dirbuf;
		if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
			printf("skip - sigv4 suite: %s not found\n", dir);
			return 0;
		}
	}
	if (!(d = opendir(dir))) {
		printf("not ok - sigv4 suite: cannot open %s\n", dir);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	while ((e = readdir(d))) {
		char **nn;

		if (e->d_name[0] == '.')
			continue;
		bq_snprintf(probe, sizeof(probe), "%s/%s/context.json", dir,
			    e->d_name);
		if (stat(probe, &st) < 0)
			continue;
		if (!(nn = realloc(names, (n + 1) * sizeof(*names))))
			break;
		names = nn;
		if ((names[n] = strdup(e->d_name)))
			n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		run_case(dir, names[i]);
		free(names[i]);
	}
	free(names);
	if (n == 0) {
		printf("not ok - sigv4 suite: no cases in %s\n", dir);
		failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
