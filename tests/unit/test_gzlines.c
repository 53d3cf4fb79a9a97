/* gzlines: lines out of plain and gzip bytes in any chunking. */
#include "gzlines.h"
#include "t.h"

#include <stdlib.h>
#include <zlib.h>

struct got {
	bq_buf all;      /* lines joined with '|' */
	size_t lines, longs, stop_at;
	size_t last_lineno;
};

static int on_line(const char *line, size_t n, size_t lineno, void *ud)
{
	struct got *g = ud;

	g->lines++;
	g->last_lineno = lineno;
	if (!line) {
		g->longs++;
		bq_buf_printf(&g->all, "<long %zu>|", n);
	} else {
		bq_buf_append(&g->all, line, n);
		bq_buf_putc(&g->all, '|');
	}
	return g->stop_at && g->lines == g->stop_at;
}

static size_t gz(const char *in, size_t n, unsigned char *out, size_t cap)
{
	z_stream z;
	size_t len;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	deflate(&z, Z_FINISH);
	len = cap - z.avail_out;
	deflateEnd(&z);
	return len;
}

/* Feeds data in chunks of `step`; returns the feed/finish status. */
static int run(const void *data, size_t n, size_t step, size_t max_line,
	       struct got *g, bq_err *err)
{
	bq_gzlines d;
	const unsigned char *p = data;
	size_t off;
	int r = 0;

	bq_buf_reset(&g->all);
	g->lines = g->longs = 0;
	bq_gzlines_init(&d, max_line, on_line, g);
	for (off = 0; off < n && r == 0; off += step)
		r = bq_gzlines_feed(&d, p + off, off + step > n ? n - off : step, err);
	if (r == 0)
		r = bq_gzlines_finish(&d, err);
	bq_gzlines_release(&d);
	return r;
}

int main(void)
{
	struct got g;
	bq_err err;
	const char *text = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}";
	const char *want = "{\"a\":1}|{\"b\":2}||{\"c\":3}|";
	static unsigned char z1[1 << 20], z2[1 << 20];
	size_t steps[] = { 1, 2, 7, 4096, 1 << 20 }, i, n1, n2;
	char *big;
	size_t bign = 300000;

	memset(&g, 0, sizeof(g));
	bq_buf_init(&g.all, 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int r = run(text, strlen(text), steps[i], 0, &g, &err);

		T_OK(r == 0 && strcmp(bq_buf_cstr(&g.all), want) == 0,
		     "plain text in chunks of %zu: lines, CRLF, empty line, last line without newline", steps[i]);
	}
	n1 = gz(text, strlen(text), z1, sizeof(z1));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int r = run(z1, n1, steps[i], 0, &g, &err);

		T_OK(r == 0 && strcmp(bq_buf_cstr(&g.all), want) == 0,
		     "gzip in chunks of %zu", steps[i]);
	}
	T_OK(g.last_lineno == 4, "line numbers count every line");

	/* two members back to back, then zero padding */
	n2 = gz("x1\nx2\n", 6, z2, sizeof(z2));
	memcpy(z1 + n1, z2, n2);
	memset(z1 + n1 + n2, 0, 16);
	T_OK(run(z1, n1 + n2 + 16, 5, 0, &g, &err) == 0 &&
	     strcmp(bq_buf_cstr(&g.all), "{\"a\":1}|{\"b\":2}||{\"c\":3}x1|x2|") == 0,
	     "concatenated gzip members and zero padding (a member's last line joins the next: as zcat does)");
	z1[n1 + n2] = 'G';
	T_OK(run(z1, n1 + n2 + 16, 4096, 0, &g, &err) == -1 && strstr(err.message, "trailing garbage"),
	     "garbage after the gzip data is an error");

	/* a large object: lines spanning inflate windows arrive intact */
	big = malloc(bign + 64);
	memset(big, 'q', bign);
	memcpy(big + bign, "\nend\n", 6);
	n1 = gz(big, bign + 5, z1, sizeof(z1));
	T_OK(run(z1, n1, 1000, 0, &g, &err) == 0 && g.lines == 2 &&
	     g.all.len == bign + 1 + 4, "a 300 KB line across inflate windows arrives whole");
	T_OK(run(z1, n1, 1000, 1000, &g, &err) == 0 && g.longs == 1 &&
	     strstr(bq_buf_cstr(&g.all), "<long 300000>|end|"),
	     "an over-long line is skipped and reported with its length, the next line is kept");
	T_OK(run(big, bign + 5, 100000, 1000, &g, &err) == 0 && g.longs == 1,
	     "over-long plain line skipped too");

	/* corruption in the middle: earlier lines delivered, then an error */
	{
		bq_buf many = BQ_BUF_INIT;
		size_t k, before;

		for (k = 0; k < 20000; k++)
			bq_buf_printf(&many, "{\"line\":%zu,\"pad\":\"%08zx\"}\n", k, k * 2654435761u);
		n1 = gz(many.data, many.len, z1, sizeof(z1));
		T_OK(run(z1, n1, 512, 0, &g, &err) == 0 && g.lines == 20000, "20000 lines through gzip");
		z1[n1 / 2] ^= 0xff;
		z1[n1 / 2 + 1] ^= 0x55;
		z1[n1 / 2 + 2] ^= 0xaa;
		T_OK(run(z1, n1, 512, 0, &g, &err) == -1 && strstr(err.message, "corrupt gzip data"),
		     "damaged gzip data is reported (%s)", err.message);
		before = g.lines;
		T_OK(before > 1000 && before < 20000, "lines before the damage were delivered (%zu)", before);
		bq_buf_release(&many);
	}
	n1 = gz(text, strlen(text), z1, sizeof(z1));
	T_OK(run(z1, n1 - 5, 3, 0, &g, &err) == -1 && strstr(err.message, "truncated"),
	     "a cut gzip member is reported as truncated");
	g.stop_at = 2;
	T_OK(run(text, strlen(text), 3, 0, &g, &err) == 1 && g.lines == 2,
	     "a callback can stop the decoder");
	g.stop_at = 0;
	T_OK(run("", 0, 1, 0, &g, &err) == 0 && g.lines == 0, "empty input: no lines");
	T_OK(run("\x1f", 1, 1, 0, &g, &err) == 0 && g.lines == 1, "a lone 0x1f byte is plain text");
	free(big);
	bq_buf_release(&g.all);
	return T_DONE();
}
