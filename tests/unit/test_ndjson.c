/* ndjson: number policy, UTF-8 check, line parsing, the writer (jq, table,
 * csv, EPIPE, write errors) and the reader (CRLF, blanks, truncated last
 * line, rejects, --strict); jv <-> json_t walking. */
#include "t.h"
#include "jqfilter.h"
#include "ndjson.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static json_t *J(const char *s)
{
	json_error_t e;

	return json_loads(s, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);
}

static char *dump(const json_t *v)
{
	bq_buf b = BQ_BUF_INIT;

	if (bq_json_dump_compact(v, &b) < 0) {
		bq_buf_release(&b);
		return strdup("(fail)");
	}
	return bq_buf_detach(&b);
}

/* Writes records through a writer into a temp file; returns its text. */
static char *through(const char *jq, enum bq_format fmt, const char *const *recs,
		     int *rc_last, bq_err *err)
{
	struct bq_out_opts o;
	struct bq_out *out = NULL;
	FILE *f = tmpfile();
	bq_buf b = BQ_BUF_INIT;
	char chunk[4096];
	size_t n;
	int rc = 0;

	memset(&o, 0, sizeof(o));
	o.stream = f;
	o.format = fmt;
	o.jq = jq;
	bq_err_clear(err);
	if (bq_out_new(&out, &o, err) < 0) {
		fclose(f);
		*rc_last = -2;
		return NULL;
	}
	for (; *recs && rc == 0; recs++)
		rc = bq_out_emit_new(out, J(*recs), err);
	if (rc == 0)
		rc = bq_out_finish(out, err);
	*rc_last = rc;
	bq_out_free(out);
	rewind(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		bq_buf_append(&b, chunk, n);
	fclose(f);
	if (!b.data)
		return strdup("");
	return bq_buf_detach(&b);
}

/* A reader over the bytes s[0..n) through a pipe (the fd path). */
struct rd {
	struct bq_reader r;
	FILE *f;
};

static void rd_open(struct rd *rd, const char *s, size_t n, bool strict,
		    struct bq_cli *cli)
{
	int p[2];
	FILE *w;

	if (pipe(p) != 0)
		abort();
	w = fdopen(p[1], "w");
	fwrite(s, 1, n, w); /* small fixtures fit the pipe buffer */
	fclose(w);
	rd->f = fdopen(p[0], "r");
	bq_reader_init(&rd->r, rd->f, "in", cli);
	rd->r.strict = strict;
	rd->r.quiet_rejects = true;
}

static void rd_close(struct rd *rd)
{
	bq_reader_release(&rd->r);
	fclose(rd->f);
}

/* Reads everything; returns the objects as one dump per line. */
static char *rd_all(struct rd *rd, int *last, bq_err *err)
{
	bq_buf b = BQ_BUF_INIT;
	json_t *o;
	int rc;

	while ((rc = bq_reader_next(&rd->r, &o, err)) == 1) {
		char *s = dump(o);

		bq_buf_printf(&b, "%s\n", s);
		free(s);
		json_decref(o);
	}
	*last = rc;
	return b.data ? bq_buf_detach(&b) : strdup("");
}

int main(void)
{
	bq_err err;
	json_t *v, *o;
	char *s;
	size_t bad;
	int rc;
	jv j;

	signal(SIGPIPE, SIG_IGN);

	/* number policy */
	v = J("{\"i\":42,\"neg\":-7,\"big\":9223372036854775807,\"r\":0.1,\"t\":3.0,"
	      "\"e\":1e300,\"small\":1.5e-7,\"u\":\"h\xc3\xa9\",\"n\":null,\"b\":[true,false]}");
	s = dump(v);
	T_STREQ(s, "{\"i\":42,\"neg\":-7,\"big\":9223372036854775807,\"r\":0.1,\"t\":3.0,"
		"\"e\":1e300,\"small\":1.5e-7,\"u\":\"h\xc3\xa9\",\"n\":null,\"b\":[true,false]}",
		"compact dump: number policy, raw UTF-8, insertion order");
	free(s);
	json_decref(v);

	/* UTF-8 */
	T_OK(bq_utf8_valid("plain \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 17, NULL), "valid UTF-8");
	T_OK(!bq_utf8_valid("ab\xff", 3, &bad) && bad == 2, "0xff at offset 2");
	T_OK(!bq_utf8_valid("\xc0\x80", 2, &bad) && bad == 0, "overlong NUL");
	T_OK(!bq_utf8_valid("\xe0\x80\x80", 3, NULL), "overlong 3-byte");
	T_OK(!bq_utf8_valid("\xed\xa0\x80", 3, NULL), "UTF-16 surrogate");
	T_OK(!bq_utf8_valid("\xf4\x90\x80\x80", 4, NULL), "beyond U+10FFFF");
	T_OK(!bq_utf8_valid("x\xe2\x82", 3, &bad) && bad == 1, "truncated sequence");

	/* line parsing */
	T_OK(bq_ndjson_parse_line("{\"a\":1}", 7, &o, &err) == 0 && json_is_object(o), "object line");
	json_decref(o);
	T_OK(bq_ndjson_parse_line("[1]", 3, &o, &err) == -1 && !o &&
	     strcmp(err.message, "not a JSON object (an array)") == 0, "array refused (%s)", err.message);
	T_OK(bq_ndjson_parse_line("42", 2, &o, &err) == -1 && strstr(err.message, "(a number)"), "number refused");
	T_OK(bq_ndjson_parse_line("{\"a\":\"\xff\"}", 9, &o, &err) == -1 &&
	     strcmp(err.message, "invalid UTF-8 at byte 7") == 0, "bad UTF-8 names the byte (%s)", err.message);
	T_OK(bq_ndjson_parse_line("{\"a\":", 5, &o, &err) == -1 && strstr(err.message, "invalid JSON at column"),
	     "truncated JSON (%s)", err.message);
	T_OK(bq_ndjson_parse_line("{} {}", 5, &o, &err) == -1 && strstr(err.message, "invalid JSON"),
	     "two values on a line");
	T_OK(bq_ndjson_parse_line("{\"n\":99999999999999999999}", 26, &o, &err) == -1 &&
	     strstr(err.message, "too big integer"), "integer beyond int64 (%s)", err.message);

	/* writer */
	{
		const char *recs[] = { "{\"a\":\"x\",\"n\":1}", "{\"a\":{\"b\":[1,2]},\"n\":2}", NULL };
		const char *one[] = { "{\"a\":1}", NULL };

		s = through(NULL, BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_STREQ(s, "{\"a\":\"x\",\"n\":1}\n{\"a\":{\"b\":[1,2]},\"n\":2}\n", "ndjson lines");
		free(s);
		s = through(".a", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_STREQ(s, "x\n{\"b\":[1,2]}\n", "--jq: strings raw, others compact");
		free(s);
		s = through(".a, .n * 1.5, (.n|tostring), empty", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_STREQ(s, "x\n1.5\n1\n{\"b\":[1,2]}\n3\n2\n", "--jq: several results, integral numbers as integers");
		free(s);
		s = through("{v:.n}", BQ_FORMAT_TABLE, recs, &rc, &err);
		T_STREQ(s, "v\n1\n2\n", "--jq then -o table");
		free(s);
		s = through(NULL, BQ_FORMAT_CSV, recs, &rc, &err);
		T_STREQ(s, "a,n\r\nx,1\r\n\"{\"\"b\"\":[1,2]}\",2\r\n", "-o csv");
		free(s);
		s = through(".[[", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_OK(!s && rc == -2 && err.exit_status == 2 && strstr(err.message, "bad --jq filter '.[['"),
		     "bad filter is status 2 with jq's message (%s)", err.message);
		s = through("nosuchfn", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_OK(!s && err.exit_status == 2 && strstr(err.message, "nosuchfn/0 is not defined"),
		     "undefined function (%s)", err.message);
		s = through("import \"m\" as m; .", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_OK(!s && err.exit_status == 2 && strstr(err.message, "module not found: m"),
		     "import is a compile error, not an abort (%s)", err.message);
		s = through("if .n == 1 then error(\"boom\") else . end", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_OK(s && strcmp(s, "{\"a\":{\"b\":[1,2]},\"n\":2}\n") == 0 && rc == -1 &&
		     err.exit_status == 1 && strstr(err.message, "--jq failed on 1 of 2 records"),
		     "runtime error: other records go on, status 1 at the end (%s)", err.message);
		free(s);
		s = through("if .n == 1 then halt else . end", BQ_FORMAT_NDJSON, recs, &rc, &err);
		T_OK(s && strcmp(s, "") == 0 && rc == BQ_OUT_CLOSED, "halt ends output");
		free(s);
		s = through("[nan, infinite, 9007199254740993, 1e20]", BQ_FORMAT_NDJSON, one, &rc, &err);
		T_STREQ(s, "[null,null,9007199254740992,1e20]\n", "NaN/Inf become null; big numbers are doubles in jq 1.6");
		free(s);
	}

	/* EPIPE: reader gone */
	{
		int p[2];
		struct bq_out_opts oo;
		struct bq_out *out;
		int i;

		if (pipe(p) != 0)
			abort();
		close(p[0]);
		memset(&oo, 0, sizeof(oo));
		oo.stream = fdopen(p[1], "w");
		bq_out_new(&out, &oo, &err);
		rc = 0;
		for (i = 0; i < 100000 && rc == 0; i++)
			rc = bq_out_emit_new(out, J("{\"a\":1}"), &err);
		T_OK(rc == BQ_OUT_CLOSED && bq_out_closed(out), "closed pipe gives BQ_OUT_CLOSED");
		T_OK(bq_out_emit_new(out, J("{}"), &err) == BQ_OUT_CLOSED, "and keeps giving it");
		T_OK(bq_out_finish(out, &err) == 0, "finish after a closed pipe is quiet");
		bq_out_free(out);
		fclose(oo.stream);
	}
	/* other write errors */
	{
		struct bq_out_opts oo;
		struct bq_out *out;

		memset(&oo, 0, sizeof(oo));
		oo.stream = fopen("/dev/full", "w");
		if (!oo.stream) {
			T_SKIP("write error: no /dev/full");
		} else {
			bq_out_new(&out, &oo, &err);
			rc = bq_out_emit_new(out, J("{\"a\":1}"), &err);
			if (rc == 0)
				rc = bq_out_finish(out, &err);
			T_OK(rc == -1 && err.exit_status == 1 &&
			     strstr(err.message, "cannot write to 'stdout': No space left on device"),
			     "ENOSPC is status 1 with a message (%s)", err.message);
			T_OK(!bq_out_closed(out), "a write error is not a closed pipe");
			bq_out_free(out);
			fclose(oo.stream);
		}
	}

	/* reader */
	{
		struct rd rd;
		struct bq_cli cli;
		const char in[] = "{\"a\":1}\r\n\n   \n{\"b\":2}\n[3]\n{\"c\":\xff}\nnot json\n{\"d\":4}";
		int last;

		memset(&cli, 0, sizeof(cli));
		rd_open(&rd, in, sizeof(in) - 1, false, &cli);
		s = rd_all(&rd, &last, &err);
		T_STREQ(s, "{\"a\":1}\n{\"b\":2}\n{\"d\":4}\n",
			"CRLF, blank lines skipped, bad lines skipped, truncated last line kept");
		T_OK(last == 0 && rd.r.rejected == 3 && cli.rejected == 3 && rd.r.good == 3 &&
		     rd.r.lineno == 8, "counts: 3 good, 3 rejected, 8 lines");
		free(s);
		rd_close(&rd);

		rd_open(&rd, in, sizeof(in) - 1, true, NULL);
		s = rd_all(&rd, &last, &err);
		T_STREQ(s, "{\"a\":1}\n{\"b\":2}\n", "--strict stops at the first bad line");
		T_OK(last == -1 && err.exit_status == 5 &&
		     strcmp(err.message, "stopped at in:5 (--strict), 2 lines done") == 0,
		     "--strict: status 5, says where and how many were done (%s)", err.message);
		free(s);
		rd_close(&rd);

		rd_open(&rd, "", 0, false, NULL);
		s = rd_all(&rd, &last, &err);
		T_OK(strcmp(s, "") == 0 && last == 0 && rd.r.lineno == 0, "empty input");
		free(s);
		rd_close(&rd);
	}
	{
		/* a line longer than the read chunk, through fmemopen (no fd) */
		size_t n = 300000, i;
		char *big = malloc(n + 32);
		FILE *f;
		struct bq_reader r;
		int last;

		memcpy(big, "{\"x\":\"", 6);
		for (i = 6; i < n; i++)
			big[i] = 'a' + (char)(i % 26);
		memcpy(big + n, "\"}\n{\"y\":1}", 10);
		f = fmemopen(big, n + 10, "r");
		bq_reader_init(&r, f, "mem", NULL);
		T_OK(r.fd == -1, "fmemopen stream has no descriptor");
		rc = bq_reader_next(&r, &o, &err);
		T_OK(rc == 1 && json_string_length(json_object_get(o, "x")) == n - 6,
		     "long line read whole");
		json_decref(o);
		rc = bq_reader_next(&r, &o, &err);
		T_OK(rc == 1 && json_integer_value(json_object_get(o, "y")) == 1, "next line after it");
		json_decref(o);
		last = bq_reader_next(&r, &o, &err);
		T_OK(last == 0, "end");
		bq_reader_release(&r);
		fclose(f);
		free(big);
	}

	/* jv <-> json_t walking */
	v = J("{\"s\":\"a\\u0000b\",\"a\":[1,2.5,\"x\",null,true,{\"k\":false}],\"i\":-3}");
	j = bq_json_to_jv(v);
	T_OK(jv_get_kind(j) == JV_KIND_OBJECT, "json -> jv object");
	o = bq_jv_to_json(j);
	T_OK(o && json_equal(o, v), "round trip keeps everything, embedded NUL included");
	json_decref(o);
	json_decref(v);
	o = bq_jv_to_json(jv_number(2.0));
	T_OK(json_is_integer(o) && json_integer_value(o) == 2, "integral jq number -> integer");
	json_decref(o);
	o = bq_jv_to_json(jv_number(0.5));
	T_OK(json_is_real(o), "fractional jq number -> real");
	json_decref(o);
	o = bq_jv_to_json(jv_invalid());
	T_OK(o == NULL, "invalid -> NULL");
	T_OK(strcmp(bq_jq_version(), "1.6") == 0 || strcmp(bq_jq_version(), "1.7+") == 0, "jq version");
	return T_DONE();
}
