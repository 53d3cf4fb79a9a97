/*
 * gzlines: a push decoder that turns the bytes of a (possibly gzip'ed)
 * object, as they arrive in any chunking, into lines.
 *
 * Feed it whatever the network delivers; it inflates with zlib as it goes
 * (several concatenated gzip members are fine, as gzip(1) writes them) and
 * calls back once per line, without the '\n' (and without a '\r' before
 * it).  Bytes that do not start with the gzip magic are taken as plain
 * text, so .json and .json.gz read alike.  Lines wholly inside one inflated
 * block are passed straight from the inflate buffer; only a line that spans
 * blocks is copied, into a buffer capped at max_line bytes: a longer line
 * is skipped and reported to the callback with line == NULL (n = the bytes
 * seen so far), so one giant record cannot exhaust memory.
 *
 * Ownership: the decoder owns its buffers (bq_gzlines_release frees them);
 * the line pointer given to the callback is valid only during the call.
 */
#ifndef BQ_GZLINES_H
#define BQ_GZLINES_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "err.h"

/* Return 0 to go on, 1 to stop quietly (feed then returns 1), -1 to abort
 * (feed returns -1; the callback fills err itself if it wants). */
typedef int (*bq_gzlines_fn)(const char *line, size_t n, size_t lineno,
			     void *ud);

typedef struct bq_gzlines {
	void *z;              /* z_stream, allocated on first gzip input */
	int mode;             /* 0 undecided, 1 plain, 2 gzip, 3 between members */
	unsigned char magic[2];
	size_t nmagic;
	unsigned char *win;   /* inflate output window */
	size_t winsz;
	bq_buf line;          /* a line spanning chunks */
	bool skipping;        /* inside an over-long line */
	size_t skipped;
	size_t max_line;
	size_t lineno;        /* lines handed out so far */
	unsigned long long in_bytes, out_bytes;
	bq_gzlines_fn fn;
	void *ud;
} bq_gzlines;

/* max_line 0 = 256 MiB. */
void bq_gzlines_init(bq_gzlines *g, size_t max_line, bq_gzlines_fn fn,
		     void *ud);
/* 0, 1 (callback stopped), or -1 with err (BQ_EXIT_INPUT, "corrupt gzip
 * data (...)") when the data cannot be inflated; lines before the damage
 * have been delivered. */
int bq_gzlines_feed(bq_gzlines *g, const void *data, size_t n, bq_err *err);
/* End of input: delivers a last line without '\n'; -1 when a gzip member
 * was cut short ("truncated gzip data"). */
int bq_gzlines_finish(bq_gzlines *g, bq_err *err);
void bq_gzlines_release(bq_gzlines *g);
/* Ready for another object (keeps the allocated buffers). */
void bq_gzlines_reset(bq_gzlines *g);

#endif
