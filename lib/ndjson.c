#include "ndjson.h"
#include "jqfilter.h"
#include "output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_CHUNK 65536
#define OUT_BUFSZ 65536

struct bq_out {
	FILE *f;
	const char *name;
	enum bq_format format;
	struct bq_jq *jq;
	struct bq_table *table;
	struct bq_csv *csv;
	bool follow;
	bool closed;       /* EPIPE or --jq halt: output is over */
	bool halted;
	int halt_status;
	bool write_failed; /* a write error is in flight through a callback */
	size_t count;
	size_t jq_errors;
	bq_buf line;
};

/* ---- serialisation ---- */

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return bq_buf_append(data, buffer, size);
}

int bq_json_dump_compact(const json_t *v, bq_buf *b)
{
	size_t before = b->len;

	if (json_dump_callback(v, dump_cb, b, BQ_JSON_DUMP_FLAGS | JSON_ENCODE_ANY) < 0) {
		/* leave the buffer as it was */
		b->len = before;
		if (b->data)
			b->data[before] = '\0';
		return -1;
	}
	return 0;
}

/* ---- writer ---- */

int bq_out_new(struct bq_out **outp, const struct bq_out_opts *o, bq_err *err)
{
	struct bq_out *out = calloc(1, sizeof(*out));

	*outp = NULL;
	if (!out)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	out->f = o->stream ? o->stream : stdout;
	out->name = o->stream_name ? o->stream_name : "stdout";
	out->format = o->format;
	out->follow = o->follow;
	bq_buf_init(&out->line, 0);
	if (o->jq && bq_jq_compile(&out->jq, o->jq, err) < 0) {
		bq_out_free(out);
		return -1;
	}
	if (out->format == BQ_FORMAT_TABLE)
		out->table = bq_table_new(o->table_max_width);
	else if (out->format == BQ_FORMAT_CSV)
		out->csv = bq_csv_new();
	if ((out->format == BQ_FORMAT_TABLE && !out->table) ||
	    (out->format == BQ_FORMAT_CSV && !out->csv)) {
		bq_out_free(out);
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	if (o->set_buffering) {
		int fd = fileno(out->f);

		/* People see records as they come; pipes get big blocks. */
		if (fd >= 0 && isatty(fd))
			setvbuf(out->f, NULL, _IOLBF, 0);
		else
			setvbuf(out->f, NULL, _IOFBF, OUT_BUFSZ);
	}
	*outp = out;
	return 0;
}

int bq_out_from_cli(struct bq_out **out, const struct bq_cli *cli, bq_err *err)
{
	struct bq_out_opts o;

	memset(&o, 0, sizeof(o));
	o.format = cli->format;
	o.jq = cli->jq;
	o.set_buffering = true;
	return bq_out_new(out, &o, err);
}

void bq_out_free(struct bq_out *out)
{
	if (!out)
		return;
	bq_jq_free(out->jq);
	bq_table_free(out->table);
	bq_csv_free(out->csv);
	bq_buf_release(&out->line);
	free(out);
}

void bq_out_set_follow(struct bq_out *out, bool follow)
{
	out->follow = follow;
}

bool bq_out_closed(const struct bq_out *out)
{
	return out->closed;
}

size_t bq_out_count(const struct bq_out *out)
{
	return out->count;
}

/* A failed write: the reader going away is the normal end of a pipeline
 * (head, jq first(inputs)), anything else is an error. */
static int write_error(struct bq_out *out, int e, bq_err *err)
{
	if (e == EPIPE) {
		out->closed = true;
		return BQ_OUT_CLOSED;
	}
	out->write_failed = true;
	return bq_fail(err, BQ_EXIT_RUNTIME, "cannot write to '%s': %s",
		       out->name, strerror(e ? e : EIO));
}

static int do_flush(struct bq_out *out, bq_err *err)
{
	errno = 0;
	if (fflush(out->f) != 0 || ferror(out->f))
		return write_error(out, errno, err);
	return 0;
}

static int put(struct bq_out *out, const char *s, size_t n, bool flush,
	       bq_err *err)
{
	if (out->closed)
		return BQ_OUT_CLOSED;
	if (out->write_failed)
		return bq_fail(err, BQ_EXIT_RUNTIME, "cannot write to '%s'", out->name);
	errno = 0;
	if (n && fwrite(s, 1, n, out->f) != n)
		return write_error(out, errno, err);
	if (flush)
		return do_flush(out, err);
	return 0;
}

static int flush_table(struct bq_out *out, bq_err *err)
{
	int rc;

	if (!out->table || bq_table_rows(out->table) == 0)
		return 0;
	bq_buf_reset(&out->line);
	if (bq_table_flush(out->table, &out->line) < 0)
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	rc = put(out, out->line.data, out->line.len, out->follow, err);
	bq_buf_reset(&out->line);
	return rc;
}

/* One value to the stream in the chosen format.  raw_strings: --jq
 * results that are strings print as they are. */
static int render(struct bq_out *out, json_t *v, bool raw_strings, bq_err *err)
{
	bq_buf *b = &out->line;

	if (out->closed)
		return BQ_OUT_CLOSED;
	bq_buf_reset(b);
	switch (out->format) {
	case BQ_FORMAT_TABLE:
		if (bq_table_add(out->table, v) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		if (bq_table_rows(out->table) >= BQ_TABLE_BLOCK)
			return flush_table(out, err);
		return 0;
	case BQ_FORMAT_CSV:
		if (bq_csv_add(out->csv, v, b) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "cannot write a record as CSV (out of memory)");
		break;
	default:
		if (raw_strings && json_is_string(v)) {
			if (bq_buf_append(b, json_string_value(v), json_string_length(v)) < 0)
				return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		} else if (bq_json_dump_compact(v, b) < 0) {
			/* jansson refuses strings that are not UTF-8 */
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "cannot serialise a record (invalid UTF-8 or out of memory)");
		}
		if (bq_buf_putc(b, '\n') < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		break;
	}
	return put(out, b->data, b->len, out->follow, err);
}

static int on_jq_result(void *ctx, json_t *result, bq_err *err)
{
	return render(ctx, result, true, err);
}

int bq_out_emit(struct bq_out *out, json_t *rec, bq_err *err)
{
	int rc;

	if (out->closed)
		return BQ_OUT_CLOSED;
	out->count++;
	if (!out->jq)
		return render(out, rec, false, err);
	out->write_failed = false;
	rc = bq_jq_run(out->jq, rec, on_jq_result, out, err);
	if (rc == BQ_JQ_HALTED) {
		out->halted = true;
		out->closed = true;
		out->halt_status = err->exit_status;
		return BQ_OUT_CLOSED;
	}
	if (rc < 0 && !out->write_failed) {
		/* a runtime error on one record: report, go on, fail at the end */
		bq_err_print(err);
		out->jq_errors++;
		return 0;
	}
	return rc;
}

int bq_out_emit_new(struct bq_out *out, json_t *rec, bq_err *err)
{
	int rc = bq_out_emit(out, rec, err);

	json_decref(rec);
	return rc;
}

int bq_out_text(struct bq_out *out, const char *s, size_t n, bq_err *err)
{
	return put(out, s, n, out->follow, err);
}

int bq_out_flush(struct bq_out *out, bq_err *err)
{
	int rc = flush_table(out, err);

	if (rc)
		return rc;
	if (out->closed)
		return BQ_OUT_CLOSED;
	return do_flush(out, err);
}

int bq_out_finish(struct bq_out *out, bq_err *err)
{
	int rc = 0;

	if (!out->closed)
		rc = bq_out_flush(out, err);
	if (rc < 0)
		return rc;
	if (out->halted) {
		if (out->halt_status) {
			/* halt_error already printed its message */
			bq_err_clear(err);
			err->exit_status = BQ_EXIT_RUNTIME;
			return -1;
		}
		return 0;
	}
	if (out->closed)
		return 0;
	if (out->jq_errors)
		return bq_fail(err, BQ_EXIT_RUNTIME,
			       "--jq failed on %zu of %zu records", out->jq_errors,
			       out->count);
	return 0;
}

/* ---- reader ---- */

bool bq_utf8_valid(const char *str, size_t n, size_t *bad)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		unsigned char c = s[i];
		size_t len, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF) {
			len = 2;
			cp = c & 0x1F;
		} else if (c >= 0xE0 && c <= 0xEF) {
			len = 3;
			cp = c & 0x0F;
		} else if (c >= 0xF0 && c <= 0xF4) {
			len = 4;
			cp = c & 0x07;
		} else {
			goto fail;
		}
		if (n - i < len)
			goto fail;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				goto fail;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			goto fail;
		i += len;
	}
	return true;
fail:
	if (bad)
		*bad = i;
	return false;
}

static const char *kind_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "something else";
	}
}

int bq_ndjson_parse_line(const char *s, size_t n, json_t **obj, bq_err *err)
{
	json_error_t jerr;
	json_t *v;
	size_t bad = 0;

	*obj = NULL;
	v = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	if (!v) {
		/* jansson rejects bad UTF-8 itself, so the separate scan is
		 * paid only for a failed line, to name the reason precisely. */
		if (!bq_utf8_valid(s, n, &bad))
			return bq_fail(err, BQ_EXIT_INPUT,
				       "invalid UTF-8 at byte %zu", bad + 1);
		return bq_fail(err, BQ_EXIT_INPUT, "invalid JSON at column %d: %s",
			       jerr.column, jerr.text);
	}
	if (!json_is_object(v)) {
		bq_fail(err, BQ_EXIT_INPUT, "not a JSON object (%s)", kind_name(v));
		json_decref(v);
		return -1;
	}
	*obj = v;
	return 0;
}

void bq_reader_init(struct bq_reader *r, FILE *f, const char *name,
		    struct bq_cli *cli)
{
	memset(r, 0, sizeof(*r));
	r->f = f;
	r->fd = fileno(f);
	r->name = name ? name : "stdin";
	r->strict = cli ? cli->strict : false;
	r->rejected_sink = cli ? &cli->rejected : NULL;
	bq_buf_init(&r->line, BQ_READER_MAX_LINE + 1);
}

void bq_reader_release(struct bq_reader *r)
{
	free(r->rbuf);
	r->rbuf = NULL;
	bq_buf_release(&r->line);
}

/* Fills rbuf.  read(2) returns what the pipe has now, so a line is handled
 * as soon as it is complete; stdio's fread would wait for a full block. */
static int fill(struct bq_reader *r, bq_err *err)
{
	ssize_t n;

	if (!r->rbuf) {
		r->rbuf = malloc(READ_CHUNK);
		if (!r->rbuf)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	r->rpos = r->rlen = 0;
	if (r->fd >= 0) {
		do
			n = read(r->fd, r->rbuf, READ_CHUNK);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "cannot read '%s': %s",
				       r->name, strerror(errno));
	} else {
		n = (ssize_t)fread(r->rbuf, 1, READ_CHUNK, r->f);
		if (n == 0 && ferror(r->f))
			return bq_fail(err, BQ_EXIT_RUNTIME, "cannot read '%s'",
				       r->name);
	}
	if (n == 0)
		r->eof = true;
	r->rlen = (size_t)n;
	return 0;
}

/* Reads one line into r->line (without '\n').  1 = a line (possibly the
 * unterminated last one), 0 = end of input, -1 = read error.  *too_long
 * says the line was dropped for exceeding the cap. */
static int read_line(struct bq_reader *r, bool *too_long, bq_err *err)
{
	bool any = false;

	bq_buf_reset(&r->line);
	*too_long = false;
	for (;;) {
		const char *p;
		size_t chunk;

		if (r->rpos == r->rlen) {
			if (r->eof || fill(r, err) < 0)
				return r->eof ? (any ? 1 : 0) : -1;
			if (r->eof)
				return any ? 1 : 0;
		}
		any = true;
		p = memchr(r->rbuf + r->rpos, '\n', r->rlen - r->rpos);
		chunk = p ? (size_t)(p - (r->rbuf + r->rpos)) : r->rlen - r->rpos;
		if (!*too_long && bq_buf_append(&r->line, r->rbuf + r->rpos, chunk) < 0) {
			*too_long = true;
			bq_buf_release(&r->line);
			bq_buf_init(&r->line, BQ_READER_MAX_LINE + 1);
		}
		r->rpos += chunk;
		if (p) {
			r->rpos++;
			return 1;
		}
	}
}

static bool blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	return true;
}

/* Counts and reports a bad line; under --strict, the end of reading. */
static int reject(struct bq_reader *r, const char *why, bq_err *err)
{
	r->rejected++;
	if (r->rejected_sink)
		(*r->rejected_sink)++;
	if (!r->quiet_rejects)
		bq_msg("%s:%zu: %s", r->name, r->lineno, why);
	if (r->strict)
		return bq_fail(err, BQ_EXIT_INPUT, "stopped at %s:%zu (--strict), %zu %s done",
			       r->name, r->lineno, r->good, r->good == 1 ? "line" : "lines");
	return 0;
}

int bq_reader_next(struct bq_reader *r, json_t **obj, bq_err *err)
{
	bool too_long;
	int rc;

	*obj = NULL;
	for (;;) {
		bq_err why;
		size_t n;

		rc = read_line(r, &too_long, err);
		if (rc <= 0)
			return rc;
		r->lineno++;
		n = r->line.len;
		if (n && r->line.data[n - 1] == '\r')
			n--;
		if (too_long) {
			bq_fail(&why, BQ_EXIT_INPUT, "line longer than %zu MiB",
				BQ_READER_MAX_LINE >> 20);
		} else {
			if (blank(r->line.data, n))
				continue;
			if (bq_ndjson_parse_line(r->line.data, n, obj, &why) == 0) {
				r->good++;
				return 1;
			}
		}
		if (reject(r, why.message, err) < 0)
			return -1;
	}
}

int bq_reader_reject(struct bq_reader *r, const char *why, bq_err *err)
{
	if (r->good)
		r->good--; /* the line read fine, but it is no record */
	return reject(r, why, err);
}
