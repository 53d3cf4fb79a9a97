#include "hash.h"

#include <openssl/evp.h>

int bq_sha256(const void *p, size_t n, unsigned char out[BQ_SHA256_LEN])
{
	unsigned int len = 0;
	static const unsigned char empty[1];

	if (!p)
		p = empty;
	if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 ||
	    len != BQ_SHA256_LEN)
		return -1;
	return 0;
}

int bq_sha256_hex(const void *p, size_t n, char out[BQ_SHA256_HEX_LEN + 1])
{
	unsigned char md[BQ_SHA256_LEN];

	if (bq_sha256(p, n, md) < 0)
		return -1;
	bq_hex_encode(md, sizeof(md), out);
	return 0;
}

int bq_sha1_hex(const void *p, size_t n, char out[BQ_SHA1_HEX_LEN + 1])
{
	unsigned char md[BQ_SHA1_LEN];
	unsigned int len = 0;
	static const unsigned char empty[1];

	if (!p)
		p = empty;
	if (EVP_Digest(p, n, md, &len, EVP_sha1(), NULL) != 1 || len != BQ_SHA1_LEN)
		return -1;
	bq_hex_encode(md, sizeof(md), out);
	return 0;
}

int bq_hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
		   unsigned char out[BQ_SHA256_LEN])
{
	size_t len = 0;
	static const unsigned char empty[1];

	/* EVP_Q_mac zeroes its own key copy when it frees the context */
	if (!p)
		p = empty;
	if (!key)
		key = empty;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, p, n,
		       out, BQ_SHA256_LEN, &len) || len != BQ_SHA256_LEN)
		return -1;
	return 0;
}

void bq_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

int bq_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bq_hex_decode(const char *hex, unsigned char *out, size_t outsize,
		  size_t *outlen)
{
	size_t i, n = 0;

	for (i = 0; hex[i]; i += 2) {
		int hi = bq_hex_digit(hex[i]), lo;

		if (hi < 0 || !hex[i + 1] || (lo = bq_hex_digit(hex[i + 1])) < 0 ||
		    n >= outsize)
			return -1;
		out[n++] = (unsigned char)(hi << 4 | lo);
	}
	if (outlen)
		*outlen = n;
	return 0;
}
