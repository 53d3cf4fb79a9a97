/*
 * buf: an owning growable byte buffer with a hard cap, and a non-owning view.
 *
 * Ownership: a bq_buf owns its data; release it with bq_buf_release() (or
 * bq_buf_release_secure() when it held secret material).  A bq_view never
 * owns what it points at.  The data of a bq_buf is always NUL-terminated
 * after any successful call, so bq_buf_cstr() is safe to pass to C APIs.
 *
 * Every append returns 0 on success and -1 when memory runs out or the cap
 * (max) would be exceeded; the buffer is unchanged on failure.  A cap keeps a
 * hostile or endless response from eating the machine (curl's dynbuf idea).
 */
#ifndef BQ_BUF_H
#define BQ_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BQ_BUF_DEFAULT_MAX ((size_t)1 << 30) /* 1 GiB */

typedef struct bq_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max; /* 0 = BQ_BUF_DEFAULT_MAX */
} bq_buf;

typedef struct bq_view {
	const char *ptr;
	size_t len;
} bq_view;

#define BQ_BUF_INIT { NULL, 0, 0, 0 }

void bq_buf_init(bq_buf *b, size_t max);
int bq_buf_reserve(bq_buf *b, size_t extra);
int bq_buf_append(bq_buf *b, const void *p, size_t n);
int bq_buf_puts(bq_buf *b, const char *s);
int bq_buf_putc(bq_buf *b, char c);
int bq_buf_printf(bq_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int bq_buf_vprintf(bq_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Always returns a NUL-terminated string ("" for an empty buffer). */
const char *bq_buf_cstr(const bq_buf *b);
/* Empties the buffer but keeps its memory. */
void bq_buf_reset(bq_buf *b);
/* Hands the data (NUL-terminated, caller frees) over and empties the buffer. */
char *bq_buf_detach(bq_buf *b);
void bq_buf_release(bq_buf *b);
void bq_buf_release_secure(bq_buf *b);

/* Overwrites n bytes in a way the compiler may not elide. */
void bq_wipe(void *p, size_t n);
/* Wipes a NUL-terminated string, then frees it. NULL is fine. */
void bq_free_secret(char *s);

/* Bounded string copy: always terminates dst, returns -1 if s was cut. */
int bq_strlcpy(char *dst, const char *src, size_t size);
/* Bounded formatting into a fixed array: returns -1 if the output was cut. */
int bq_snprintf(char *dst, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline bq_view bq_view_of(const char *p, size_t n)
{
	bq_view v = { p, n };
	return v;
}

#endif
