/* request: the shared request form (ownership, headers, host ports). */
#include <stdlib.h>
#include <string.h>

#include "request.h"
#include "t.h"

int main(void)
{
	bq_request r = BQ_REQUEST_INIT;
	bq_err err;
	char *url = NULL;

	T_OK(bq_request_set_target(&r, "GET", "https", "h.example", NULL, "", &err) == 0 &&
	     strcmp(r.path, "/") == 0 && r.query == NULL, "defaults: path '/', empty query is none");
	T_OK(bq_request_set_path(&r, "no-slash", &err) < 0 && strcmp(r.path, "/") == 0,
	     "a path without a leading '/' is refused and nothing changes");
	T_OK(bq_request_set_host(&r, "https", "h.example", 443, &err) == 0 &&
	     strcmp(r.host, "h.example") == 0, "https :443 dropped");
	bq_request_set_host(&r, "http", "h.example", 80, &err);
	T_STREQ(r.host, "h.example", "http :80 dropped");
	bq_request_set_host(&r, "https", "h.example", 80, &err);
	T_STREQ(r.host, "h.example:80", "https :80 kept");
	bq_request_set_host(&r, "http", "127.0.0.1", 8765, &err);
	T_STREQ(r.host, "127.0.0.1:8765", "other port kept");
	bq_request_set_host(&r, "https", "[::1]", 8443, &err);
	T_STREQ(r.host, "[::1]:8443", "ipv6 literal with port");
	T_OK(bq_request_set_host(&r, "https", "h", 70000, &err) < 0, "port out of range refused");

	bq_request_add_header(&r, "X-A", "1", &err);
	bq_request_add_header(&r, "X-B", "b", &err);
	bq_request_add_header(&r, "x-a", "2", &err);
	T_STREQ(bq_request_get_header(&r, "X-a"), "1", "get is case-insensitive, first wins");
	T_OK(bq_request_set_header(&r, "X-A", "3", &err) == 0 && r.nheaders == 2 &&
	     strcmp(r.headers[0].value, "3") == 0 && strcmp(r.headers[1].name, "X-B") == 0,
	     "set replaces every duplicate in place");
	T_OK(bq_request_set_header(&r, "X-C", "c", &err) == 0 && r.nheaders == 3,
	     "set appends a new header");
	T_OK(bq_request_remove_header(&r, "x-b") == 1 && r.nheaders == 2 &&
	     bq_request_get_header(&r, "X-B") == NULL, "remove");
	T_OK(bq_request_add_header(&r, "X-Bad", "a\r\nX-Evil: 1", &err) < 0 &&
	     err.exit_status == BQ_EXIT_USAGE, "CR/LF in a value refused");
	T_OK(bq_request_add_header(&r, "X:Bad", "a", &err) < 0, "':' in a name refused");
	T_OK(bq_request_add_header(&r, "X-Empty", "", &err) == 0, "empty value allowed");

	bq_request_set_query(&r, "a=1&b=%20", &err);
	T_OK(bq_request_url(&r, &url, &err) == 0, "url built");
	T_STREQ(url, "https://[::1]:8443/?a=1&b=%20", "url form");
	free(url);
	bq_request_set_body(&r, "xyz", 3);
	T_OK(r.body_len == 3, "body borrowed with its length");
	bq_request_free(&r);
	T_OK(r.method == NULL && r.nheaders == 0 && r.headers == NULL, "free resets the request");
	bq_request_free(&r);
	T_OK(1, "free twice is harmless");
	return T_DONE();
}
