/*
 * libFuzzer target: any bytes as NDJSON input to the record reader
 * (bq-judge, bq-cost estimate, bq-metrics put read this way).
 *
 * The input is read twice, once through a memory stream (fmemopen: the
 * stdio path) and once through a file descriptor (the read(2) path tools
 * use on stdin), in plain or --strict mode (first byte, bit 0).  Checks,
 * besides the sanitizers:
 *   - both paths give the same objects and counts;
 *   - the counts match a model of interface.md section 3 built from
 *     bq_ndjson_parse_line on each line: "\r\n" ends a line too, blank
 *     lines are skipped, every other line is good or rejected, and
 *     --strict stops at the first rejected one with status 5;
 *   - every object serialises under the number policy, and that text is a
 *     fixed point (parse it and serialise again: same bytes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Says which check failed: inlining hides the line in the stack. */
#define FAIL() (fprintf(stderr, "%s:%d: check failed\n", __FILE__, __LINE__), abort())

typedef struct result {
	bq_buf dump;   /* every object's text, '\n' after each */
	size_t good, rejected, lineno;
	int last_rc;
	int status;    /* err.exit_status when last_rc == -1 */
} result;

static void check_fixed_point(json_t *obj, bq_buf *dump)
{
	bq_buf again = BQ_BUF_INIT;
	json_t *back = NULL;
	bq_err err;
	size_t start = dump->len;

	if (bq_json_dump_compact(obj, dump) < 0)
		FAIL(); /* the reader let through something we cannot write */
	if (bq_ndjson_parse_line(dump->data + start, dump->len - start, &back,
				 &err) < 0)
		FAIL();
	if (bq_json_dump_compact(back, &again) < 0 ||
	    again.len != dump->len - start ||
	    memcmp(again.data, dump->data + start, again.len) != 0)
		FAIL();
	json_decref(back);
	bq_buf_release(&again);
	bq_buf_putc(dump, '\n');
}

static void read_all(FILE *f, bool strict, result *res)
{
	struct bq_reader r;
	json_t *obj;
	bq_err err;
	int rc;

	bq_reader_init(&r, f, "fuzz", NULL);
	r.strict = strict;
	r.quiet_rejects = true;
	while ((rc = bq_reader_next(&r, &obj, &err)) == 1) {
		if (!json_is_object(obj))
			FAIL();
		check_fixed_point(obj, &res->dump);
		json_decref(obj);
	}
	res->last_rc = rc;
	res->status = rc < 0 ? err.exit_status : 0;
	res->good = r.good;
	res->rejected = r.rejected;
	res->lineno = r.lineno;
	bq_reader_release(&r);
}

/* interface.md section 3, line by line. */
static void model(const char *s, size_t n, bool strict, result *res)
{
	size_t pos = 0;

	memset(res, 0, sizeof(*res));
	while (pos < n) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t raw = nl ? (size_t)(nl - (s + pos)) : n - pos, len = raw, i;
		bool blank = true;
		json_t *obj;
		bq_err err;

		res->lineno++;
		if (len && s[pos + len - 1] == '\r')
			len--;
		for (i = 0; i < len; i++)
			if (s[pos + i] != ' ' && s[pos + i] != '\t' &&
			    s[pos + i] != '\r')
				blank = false;
		if (!blank) {
			if (bq_ndjson_parse_line(s + pos, len, &obj, &err) == 0) {
				res->good++;
				json_decref(obj);
			} else {
				if (err.exit_status != BQ_EXIT_INPUT)
					FAIL();
				res->rejected++;
				if (strict) {
					res->last_rc = -1;
					res->status = BQ_EXIT_INPUT;
					return;
				}
			}
		}
		pos += raw + 1;
	}
}

static FILE *fd_stream(const uint8_t *data, size_t size)
{
	static int fd = -1;
	FILE *tf;

	if (fd < 0) {
		tf = tmpfile();
		if (!tf)
			FAIL();
		fd = dup(fileno(tf));
		fclose(tf);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size ||
	    lseek(fd, 0, SEEK_SET) != 0)
		FAIL();
	return fdopen(dup(fd), "r");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	result a, b, m;
	bool strict;
	FILE *f;

	if (size < 1 || size > (1 << 20))
		return 0;
	strict = data[0] & 1;
	data++;
	size--;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));

	f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!f)
		FAIL();
	read_all(f, strict, &a);
	fclose(f);

	f = fd_stream(data, size);
	if (!f)
		FAIL();
	read_all(f, strict, &b);
	fclose(f);

	model((const char *)data, size, strict, &m);

	if (a.last_rc != b.last_rc || a.good != b.good ||
	    a.rejected != b.rejected || a.lineno != b.lineno ||
	    a.dump.len != b.dump.len ||
	    (a.dump.len && memcmp(a.dump.data, b.dump.data, a.dump.len) != 0))
		FAIL();
	if (a.good != m.good || a.rejected != m.rejected ||
	    a.last_rc != m.last_rc || a.status != m.status)
		FAIL();
	if (a.last_rc == -1 && a.status != BQ_EXIT_INPUT)
		FAIL();
	bq_buf_release(&a.dump);
	bq_buf_release(&b.dump);
	return 0;
}
