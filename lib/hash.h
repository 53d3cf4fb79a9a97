/*
 * hash: SHA-256, HMAC-SHA-256, SHA-1 and hex encoding through OpenSSL's
 * EVP interface.  SHA-1 is only for names others chose (the AWS CLI's SSO
 * cache files), never for security.
 *
 * Ownership: callers own every buffer; outputs are fixed-size arrays the
 * caller provides (32 bytes for a digest, 65 chars for its hex form).
 * Nothing is kept between calls.  Functions return 0, or -1 when OpenSSL
 * fails (which in practice means out of memory).
 */
#ifndef BQ_HASH_H
#define BQ_HASH_H

#include <stddef.h>

#define BQ_SHA256_LEN 32
#define BQ_SHA256_HEX_LEN 64
#define BQ_SHA1_LEN 20
#define BQ_SHA1_HEX_LEN 40

/* sha256 of n bytes (p may be NULL when n is 0). */
int bq_sha256(const void *p, size_t n, unsigned char out[BQ_SHA256_LEN]);
/* Lower-case hex sha256, NUL-terminated. */
int bq_sha256_hex(const void *p, size_t n, char out[BQ_SHA256_HEX_LEN + 1]);
/* Lower-case hex sha1, NUL-terminated (p may be NULL when n is 0). */
int bq_sha1_hex(const void *p, size_t n, char out[BQ_SHA1_HEX_LEN + 1]);
int bq_hmac_sha256(const void *key, size_t keylen, const void *p, size_t n,
		   unsigned char out[BQ_SHA256_LEN]);

/* Lower-case hex of n bytes into out (2n+1 chars, NUL-terminated). */
void bq_hex_encode(const unsigned char *in, size_t n, char *out);
/* The value of one hex digit (either case), or -1 for any other char. */
int bq_hex_digit(char c);
/* Decodes 2n hex digits (either case) into n bytes; -1 on a bad digit or
 * odd length. */
int bq_hex_decode(const char *hex, unsigned char *out, size_t outsize,
		  size_t *outlen);

#endif
