#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bq_buf_init(bq_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

static size_t limit_of(const bq_buf *b)
{
	return b->max ? b->max : BQ_BUF_DEFAULT_MAX;
}

int bq_buf_reserve(bq_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > limit_of(b) || b->len > limit_of(b) - extra)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	p = realloc(b->data, ncap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int bq_buf_append(bq_buf *b, const void *p, size_t n)
{
	if (bq_buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int bq_buf_puts(bq_buf *b, const char *s)
{
	return bq_buf_append(b, s, strlen(s));
}

int bq_buf_putc(bq_buf *b, char c)
{
	return bq_buf_append(b, &c, 1);
}

int bq_buf_vprintf(bq_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || bq_buf_reserve(b, (size_t)n) < 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int bq_buf_printf(bq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = bq_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *bq_buf_cstr(const bq_buf *b)
{
	return b->data ? b->data : "";
}

void bq_buf_reset(bq_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

char *bq_buf_detach(bq_buf *b)
{
	char *p = b->data;

	if (!p)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void bq_buf_release(bq_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void bq_wipe(void *p, size_t n)
{
	if (p && n)
		explicit_bzero(p, n);
}

void bq_buf_release_secure(bq_buf *b)
{
	bq_wipe(b->data, b->cap);
	bq_buf_release(b);
}

void bq_free_secret(char *s)
{
	if (!s)
		return;
	bq_wipe(s, strlen(s));
	free(s);
}

int bq_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int bq_snprintf(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}
