#include "gzlines.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define WINSZ ((size_t)128 << 10)
#define DEFAULT_MAX_LINE ((size_t)256 << 20)

enum { UNDECIDED, PLAIN, GZIP, BETWEEN };

void bq_gzlines_init(bq_gzlines *g, size_t max_line, bq_gzlines_fn fn,
		     void *ud)
{
	memset(g, 0, sizeof(*g));
	g->max_line = max_line ? max_line : DEFAULT_MAX_LINE;
	bq_buf_init(&g->line, g->max_line + 1);
	g->fn = fn;
	g->ud = ud;
}

void bq_gzlines_reset(bq_gzlines *g)
{
	if (g->z)
		inflateReset(g->z);
	g->mode = UNDECIDED;
	g->nmagic = 0;
	bq_buf_reset(&g->line);
	g->skipping = false;
	g->skipped = 0;
	g->lineno = 0;
	g->in_bytes = g->out_bytes = 0;
}

void bq_gzlines_release(bq_gzlines *g)
{
	if (g->z) {
		inflateEnd(g->z);
		free(g->z);
	}
	free(g->win);
	bq_buf_release(&g->line);
	memset(g, 0, sizeof(*g));
}

static int emit(bq_gzlines *g, const char *p, size_t n)
{
	g->lineno++;
	if (p && n && p[n - 1] == '\r')
		n--;
	return g->fn(p, n, g->lineno, g->ud);
}

/* The unfinished tail of a line: keep it, or count it when too long. */
static void hold(bq_gzlines *g, const char *p, size_t n)
{
	if (g->skipping) {
		g->skipped += n;
	} else if (g->line.len + n > g->max_line ||
		   bq_buf_append(&g->line, p, n) < 0) {
		g->skipping = true;
		g->skipped = g->line.len + n;
		bq_buf_reset(&g->line);
	}
}

static int split(bq_gzlines *g, const char *p, size_t n)
{
	int r;

	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t l;

		if (!nl) {
			hold(g, p, n);
			return 0;
		}
		l = (size_t)(nl - p);
		if (g->skipping) {
			r = emit(g, NULL, g->skipped + l);
			g->skipping = false;
			g->skipped = 0;
		} else if (g->line.len) {
			hold(g, p, l);
			if (g->skipping) {
				r = emit(g, NULL, g->skipped);
				g->skipping = false;
				g->skipped = 0;
			} else {
				r = emit(g, g->line.data, g->line.len);
			}
			bq_buf_reset(&g->line);
		} else {
			r = emit(g, p, l); /* no copy: straight from the input */
		}
		if (r)
			return r;
		p += l + 1;
		n -= l + 1;
	}
	return 0;
}

static int zfail(bq_err *err, const char *what, const z_stream *z)
{
	return bq_fail(err, BQ_EXIT_INPUT, "corrupt gzip data (%s%s%s)", what,
		       z && z->msg ? ": " : "", z && z->msg ? z->msg : "");
}

static int start_gzip(bq_gzlines *g, bq_err *err)
{
	if (!g->win && !(g->win = malloc(WINSZ)))
		return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	g->winsz = WINSZ;
	if (!g->z) {
		z_stream *z = calloc(1, sizeof(*z));

		if (!z || inflateInit2(z, 16 + MAX_WBITS) != Z_OK) {
			free(z);
			return bq_fail(err, BQ_EXIT_RUNTIME,
				       "cannot start zlib");
		}
		g->z = z;
	} else {
		inflateReset(g->z);
	}
	g->mode = GZIP;
	return 0;
}

static int inflate_some(bq_gzlines *g, const unsigned char *p, size_t n,
			bq_err *err)
{
	z_stream *z = g->z;
	int r;

	while (n) {
		if (g->mode == BETWEEN) {
			/* After a member: another member, or zero padding. */
			while (n && *p == 0) {
				p++;
				n--;
			}
			if (!n)
				return 0;
			if (*p != 0x1f)
				return zfail(err, "trailing garbage after gzip data", NULL);
			if (start_gzip(g, err) < 0)
				return -1;
		}
		z->next_in = (unsigned char *)p;
		z->avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
		for (;;) {
			size_t got;
			int zr;

			z->next_out = g->win;
			z->avail_out = (uInt)g->winsz;
			zr = inflate(z, Z_NO_FLUSH);
			if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
				return zfail(err, zr == Z_MEM_ERROR ? "out of memory" :
					     "inflate failed", z);
			got = g->winsz - z->avail_out;
			g->out_bytes += got;
			if (got && (r = split(g, (const char *)g->win, got)) != 0)
				return r;
			if (zr == Z_STREAM_END) {
				g->mode = BETWEEN;
				break;
			}
			if (z->avail_in == 0 && z->avail_out != 0)
				break;
			if (zr == Z_BUF_ERROR && got == 0)
				break;
		}
		{
			size_t used = (size_t)(z->next_in - p);

			if (used == 0 && g->mode == GZIP)
				return zfail(err, "no progress", z);
			p += used;
			n -= used;
		}
	}
	return 0;
}

static int process(bq_gzlines *g, const unsigned char *p, size_t n,
		   bq_err *err)
{
	if (!n)
		return 0;
	if (g->mode == PLAIN)
		return split(g, (const char *)p, n);
	return inflate_some(g, p, n, err);
}

int bq_gzlines_feed(bq_gzlines *g, const void *data, size_t n, bq_err *err)
{
	const unsigned char *p = data;
	int r;

	g->in_bytes += n;
	if (g->mode == UNDECIDED) {
		while (n && g->nmagic < 2) {
			g->magic[g->nmagic++] = *p++;
			n--;
		}
		if (g->nmagic < 2 && g->magic[0] == 0x1f)
			return 0; /* wait for the second byte */
		if (g->magic[0] == 0x1f && g->magic[1] == 0x8b) {
			if (start_gzip(g, err) < 0)
				return -1;
		} else {
			g->mode = PLAIN;
		}
		if ((r = process(g, g->magic, g->nmagic, err)) != 0)
			return r;
	}
	return process(g, p, n, err);
}

int bq_gzlines_finish(bq_gzlines *g, bq_err *err)
{
	int r = 0;

	if (g->mode == UNDECIDED && g->nmagic) {
		g->mode = PLAIN;
		if ((r = split(g, (const char *)g->magic, g->nmagic)) != 0)
			return r;
	}
	if (g->mode == GZIP)
		return bq_fail(err, BQ_EXIT_INPUT, "truncated gzip data");
	if (g->skipping)
		r = emit(g, NULL, g->skipped);
	else if (g->line.len)
		r = emit(g, g->line.data, g->line.len);
	bq_buf_reset(&g->line);
	g->skipping = false;
	return r;
}
