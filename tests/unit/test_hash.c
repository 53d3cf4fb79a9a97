/* hash: SHA-256, SHA-1 and HMAC-SHA-256 known answers (FIPS 180-2,
 * RFC 3174, RFC 4231),
 * hex encoding and decoding. */
#include <string.h>

#include "hash.h"
#include "t.h"

static const char *hex_of(const unsigned char *p, size_t n, char *out)
{
	bq_hex_encode(p, n, out);
	return out;
}

int main(void)
{
	unsigned char md[BQ_SHA256_LEN], key[131], bin[8];
	char hex[BQ_SHA256_HEX_LEN + 1];
	size_t n = 0;

	T_OK(bq_sha256_hex("", 0, hex) == 0, "sha256 of nothing");
	T_STREQ(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"sha256 empty known answer");
	T_OK(bq_sha256_hex(NULL, 0, hex) == 0 &&
	     strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
	     "sha256 of a NULL, empty body");
	bq_sha256_hex("abc", 3, hex);
	T_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha256 'abc' known answer");
	bq_sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	T_STREQ(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
		"sha256 two-block known answer");
	T_OK(bq_sha256("a\0b", 3, md) == 0 && md[0] != 0, "sha256 of bytes with a NUL");
	{
		char h1[BQ_SHA1_HEX_LEN + 1];

		T_OK(bq_sha1_hex("abc", 3, h1) == 0, "sha1 runs");
		T_STREQ(h1, "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 'abc' known answer");
		bq_sha1_hex(NULL, 0, h1);
		T_STREQ(h1, "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1 of nothing");
		bq_sha1_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, h1);
		T_STREQ(h1, "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 two-block known answer");
		/* the AWS CLI's SSO cache file name for a session called "my-sso" */
		bq_sha1_hex("my-sso", 6, h1);
		T_STREQ(h1, "0ad374308c5a4e22f723adf10145eafad7c4031c", "sha1 of an SSO session name");
	}

	memset(key, 0x0b, 20);
	T_OK(bq_hmac_sha256(key, 20, "Hi There", 8, md) == 0, "hmac rfc4231 case 1 runs");
	T_STREQ(hex_of(md, 32, hex),
		"b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
		"hmac rfc4231 case 1");
	bq_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, md);
	T_STREQ(hex_of(md, 32, hex),
		"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
		"hmac rfc4231 case 2");
	memset(key, 0xaa, 131);
	bq_hmac_sha256(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First",
		       54, md);
	T_STREQ(hex_of(md, 32, hex),
		"60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
		"hmac rfc4231 case 6 (key longer than a block)");
	T_OK(bq_hmac_sha256("k", 1, NULL, 0, md) == 0, "hmac of an empty message");

	T_OK(bq_hex_decode("00fFa1", bin, sizeof(bin), &n) == 0 && n == 3 &&
	     bin[0] == 0 && bin[1] == 0xff && bin[2] == 0xa1, "hex decode, both cases");
	T_OK(bq_hex_decode("abc", bin, sizeof(bin), &n) < 0, "hex decode rejects odd length");
	T_OK(bq_hex_decode("zz", bin, sizeof(bin), &n) < 0, "hex decode rejects a bad digit");
	T_OK(bq_hex_decode("000102030405060708", bin, sizeof(bin), &n) < 0,
	     "hex decode refuses to overflow its output");
	return T_DONE();
}
