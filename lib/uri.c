#include "uri.h"

#include "hash.h"

#include <stdlib.h>
#include <string.h>

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

int bq_uri_encode(bq_buf *out, const char *s, size_t n, bool keep_slash)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, extra = 0, at = out->len;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!unreserved(c) && !(keep_slash && c == '/'))
			extra += 2;
	}
	if (extra > (size_t)-1 - n || bq_buf_reserve(out, n + extra) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/')) {
			out->data[at++] = (char)c;
		} else {
			out->data[at++] = '%';
			out->data[at++] = digits[c >> 4];
			out->data[at++] = digits[c & 15];
		}
	}
	out->len = at;
	out->data[at] = '\0';
	return 0;
}

char *bq_uri_encode_dup(const char *s, bool keep_slash)
{
	bq_buf b = BQ_BUF_INIT;

	if (bq_uri_encode(&b, s, strlen(s), keep_slash) < 0) {
		bq_buf_release(&b);
		return NULL;
	}
	return bq_buf_detach(&b);
}

int bq_uri_decode(bq_buf *out, const char *s, size_t n)
{
	size_t i, at = out->len;

	/* decoding never lengthens */
	if (bq_buf_reserve(out, n) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < n && (hi = bq_hex_digit(s[i + 1])) >= 0 &&
		    (lo = bq_hex_digit(s[i + 2])) >= 0) {
			out->data[at++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out->data[at++] = s[i];
		}
	}
	out->len = at;
	out->data[at] = '\0';
	return 0;
}

int bq_uri_normalize_path(bq_buf *out, const char *path)
{
	size_t start = out->len, n = strlen(path), i = 0;

	if (bq_buf_reserve(out, n + 1) < 0)
		return -1;
	/* A stack of segments kept in out itself: each kept segment is
	 * "/seg", so popping means cutting back to the last '/'. */
	while (i < n) {
		size_t j = i, len;

		while (j < n && path[j] != '/')
			j++;
		len = j - i;
		if (len == 0 || (len == 1 && path[i] == '.')) {
			/* empty or "." segment: dropped */
		} else if (len == 2 && path[i] == '.' && path[i + 1] == '.') {
			while (out->len > start && out->data[--out->len] != '/')
				;
		} else {
			out->data[out->len++] = '/';
			memcpy(out->data + out->len, path + i, len);
			out->len += len;
		}
		i = j + 1;
	}
	if (out->len == start || path[n - 1] == '/')
		out->data[out->len++] = '/';
	out->data[out->len] = '\0';
	return 0;
}
