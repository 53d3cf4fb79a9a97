/*
 * ndjson: records in and out.
 *
 * WRITER (struct bq_out).  Tools hand every record to bq_out_emit(); the
 * writer applies --jq (jqfilter.h) and -o (output.h) and writes to stdout:
 *   - ndjson: one compact JSON object per line, '\n'-terminated, UTF-8
 *     unescaped, keys in insertion order.  With --jq each result is one
 *     line: strings raw, everything else compact JSON (as gh --jq does).
 *   - table / csv: see output.h (table buffers rows until bq_out_flush or
 *     bq_out_finish).
 * Number policy (one serialiser for every path, so output looks the same
 * with and without --jq): integers print exactly (int64); reals print with
 * 15 significant digits, the most a double carries faithfully from decimal
 * (0.1 -> 0.1, not 0.10000000000000001), and always with a '.0' or an
 * exponent so they stay reals (3.0, 1e+300 -> "1e300"); NaN and infinities
 * cannot be written as JSON and become null.  --jq results pass through
 * libjq 1.6, which stores numbers as doubles: integral results within
 * +-2^53 print as integers (3.0 | . -> 3), others as reals.
 *
 * Buffering: line-buffered when stdout is a terminal or the tool follows a
 * source (bq_out_set_follow), block-buffered (64 KiB) otherwise.
 *
 * Errors: a closed pipe (EPIPE; SIGPIPE is ignored by bq_main) is not an
 * error: the emit returns BQ_OUT_CLOSED, the tool stops fetching and the
 * run ends quietly with status 0.  Any other write error (ENOSPC, EBADF,
 * EIO) returns -1 with err = status 1, "cannot write to 'stdout': ...".
 *
 * Ownership: bq_out_emit borrows `rec`; bq_out_emit_new steals it (also on
 * failure).  The struct bq_out is owned by whoever created it (bq_main for
 * tools) and freed with bq_out_free().
 *
 * READER (struct bq_reader).  Lines of any length (up to BQ_READER_MAX_LINE),
 * "\r\n" accepted, empty (and all-blank) lines ignored, a last line without
 * '\n' still read.  A line that is not valid UTF-8, not JSON, or not a JSON
 * object is reported as "TOOL: NAME:LINE: reason" on stderr and skipped;
 * the count goes to bq_cli.rejected (exit status 5).  With --strict the
 * first bad line ends reading: bq_reader_next returns -1 with err status 5,
 * "stopped at NAME:LINE (--strict), N lines done".  Integers beyond int64
 * are rejected by jansson ("too big integer").
 */
#ifndef BQ_NDJSON_H
#define BQ_NDJSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "cli.h"
#include "err.h"

/* ---- writer ---- */

/* Return value of bq_out_* calls besides 0 and -1: the reader of our
 * output went away (EPIPE) or a --jq `halt` ended output.  Stop quietly. */
#define BQ_OUT_CLOSED 1

/* The compact-dump flags of the number policy above (for tools that
 * serialise JSON themselves, e.g. into a request body log). */
#define BQ_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

struct bq_out_opts {
	FILE *stream;          /* NULL = stdout */
	const char *stream_name; /* for messages; NULL = "stdout" */
	enum bq_format format;
	const char *jq;        /* --jq filter text or NULL */
	bool follow;           /* flush after each record */
	bool set_buffering;    /* call setvbuf (before any output!) */
	size_t table_max_width; /* widest table column, 0 = 48 */
};

struct bq_out;

/* Creates a writer; compiles the jq filter (status 2 with jq's message on
 * a bad filter).  0 or -1. */
int bq_out_new(struct bq_out **out, const struct bq_out_opts *opts,
	       bq_err *err);
/* A writer set up from the parsed options (stdout, -o, --jq). */
int bq_out_from_cli(struct bq_out **out, const struct bq_cli *cli,
		    bq_err *err);
void bq_out_free(struct bq_out *out);

/* Emits one record.  0, BQ_OUT_CLOSED, or -1 (err filled).  A --jq runtime
 * error on a record is reported on stderr, counted, and returns 0: the run
 * goes on and ends with status 1 (see bq_out_finish). */
int bq_out_emit(struct bq_out *out, json_t *rec, bq_err *err);
int bq_out_emit_new(struct bq_out *out, json_t *rec, bq_err *err);
/* Raw text for people (--tree, --plot): written as is, bypassing --jq and
 * -o.  Same return values. */
int bq_out_text(struct bq_out *out, const char *s, size_t n, bq_err *err);
/* Writes buffered table rows and flushes the stream (follow mode: call
 * after each poll). */
int bq_out_flush(struct bq_out *out, bq_err *err);
/* Flushes everything and checks the stream for errors; -1 (status 1) when
 * --jq failed on some record.  Call once at the end. */
int bq_out_finish(struct bq_out *out, bq_err *err);
/* Switches to flushing after every record (--follow). */
void bq_out_set_follow(struct bq_out *out, bool follow);
bool bq_out_closed(const struct bq_out *out);
/* Records handed to bq_out_emit so far. */
size_t bq_out_count(const struct bq_out *out);

/* Serialises v (any JSON value) compactly under the number policy into b
 * (appended).  0 or -1 (out of memory, invalid UTF-8 in a string). */
int bq_json_dump_compact(const json_t *v, bq_buf *b);

/* ---- reader ---- */

/* A longer line is rejected ("line longer than 256 MiB") without being
 * held in memory. */
#define BQ_READER_MAX_LINE ((size_t)256 << 20) /* 256 MiB */

struct bq_reader {
	FILE *f;
	int fd;               /* fileno(f), or -1: then stdio is used */
	const char *name;     /* "stdin", a file name; borrowed */
	bool strict;
	bool quiet_rejects;   /* do not print bad lines (unit tests) */
	bool eof;
	size_t *rejected_sink; /* &bq_cli.rejected or NULL */
	size_t lineno;        /* number of the last line read */
	size_t good;          /* objects returned so far */
	size_t rejected;      /* bad lines so far */
	char *rbuf;           /* read buffer */
	size_t rpos, rlen;
	bq_buf line;          /* the current line, capped at BQ_READER_MAX_LINE */
};

/* Starts reading f (not closed by the reader).  cli may be NULL; it gives
 * --strict and where to count rejects.  The reader read(2)s the file
 * descriptor itself (so a line is handled as soon as it arrives from a
 * pipe, as `bq-logs --follow | bq-judge` needs): do not mix with stdio
 * reads of f.  A FILE without a descriptor (fmemopen) is read by fread. */
void bq_reader_init(struct bq_reader *r, FILE *f, const char *name,
		    struct bq_cli *cli);
/* The next object: 1 with *obj (a new reference: json_decref it), 0 at end
 * of input, -1 on a read error (status 1) or a bad line under --strict
 * (status 5). */
int bq_reader_next(struct bq_reader *r, json_t **obj, bq_err *err);
/* The object bq_reader_next just returned is no record the tool can use:
 * reported ("NAME:LINE: why") and counted as a bad line, as the reader
 * does for lines that are not JSON objects.  Returns 0 (go on), or under
 * --strict -1 with err filled as for a bad line (status 5, "stopped at
 * NAME:LINE (--strict), N lines done"). */
int bq_reader_reject(struct bq_reader *r, const char *why, bq_err *err);
void bq_reader_release(struct bq_reader *r);

/* Checks one line (no '\n') and parses it: 0 with *obj, or -1 with a
 * reason in err ("invalid UTF-8 at byte 7", "not a JSON object", jansson's
 * text).  Exposed for tests. */
int bq_ndjson_parse_line(const char *s, size_t n, json_t **obj, bq_err *err);
/* True when s[0..n) is valid UTF-8 (no overlongs, no surrogates);
 * *bad gets the offset of the first bad byte. */
bool bq_utf8_valid(const char *s, size_t n, size_t *bad);

#endif
