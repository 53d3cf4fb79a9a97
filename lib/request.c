#include "request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"

void bq_request_init(bq_request *r)
{
	memset(r, 0, sizeof(*r));
}

static void free_header(bq_header *h)
{
	free(h->name);
	/* values may be Authorization or a session token */
	bq_free_secret(h->value);
	h->name = h->value = NULL;
}

void bq_request_free(bq_request *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nheaders; i++)
		free_header(&r->headers[i]);
	free(r->headers);
	free(r->method);
	free(r->scheme);
	free(r->host);
	free(r->path);
	/* presigned queries carry a token */
	bq_free_secret(r->query);
	bq_request_init(r);
}

static int oom(bq_err *err)
{
	return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
}

/* Replaces *field by a copy of v (NULL stays NULL). */
static int set_str(char **field, const char *v, bool secret, bq_err *err)
{
	char *c = NULL;

	if (v && !(c = strdup(v)))
		return oom(err);
	if (secret)
		bq_free_secret(*field);
	else
		free(*field);
	*field = c;
	return 0;
}

int bq_request_set_method(bq_request *r, const char *method, bq_err *err)
{
	if (!method || !*method)
		return bq_fail(err, BQ_EXIT_USAGE, "empty http method");
	return set_str(&r->method, method, false, err);
}

int bq_request_set_path(bq_request *r, const char *path, bq_err *err)
{
	if (!path || !*path)
		path = "/";
	if (path[0] != '/')
		return bq_fail(err, BQ_EXIT_USAGE,
			       "request path '%s' does not start with '/'", path);
	return set_str(&r->path, path, false, err);
}

int bq_request_set_query(bq_request *r, const char *query, bq_err *err)
{
	if (query && !*query)
		query = NULL;
	return set_str(&r->query, query, true, err);
}

void bq_request_set_body(bq_request *r, const void *body, size_t len)
{
	r->body = body;
	r->body_len = body ? len : 0;
}

int bq_request_set_target(bq_request *r, const char *method, const char *scheme,
			  const char *host, const char *path, const char *query,
			  bq_err *err)
{
	bq_request tmp;

	if (!scheme || !*scheme || !host || !*host)
		return bq_fail(err, BQ_EXIT_USAGE, "request needs a scheme and host");
	/* build into a scratch request so failure leaves r unchanged */
	bq_request_init(&tmp);
	if (bq_request_set_method(&tmp, method, err) < 0 ||
	    set_str(&tmp.scheme, scheme, false, err) < 0 ||
	    set_str(&tmp.host, host, false, err) < 0 ||
	    bq_request_set_path(&tmp, path, err) < 0 ||
	    bq_request_set_query(&tmp, query, err) < 0) {
		bq_request_free(&tmp);
		return -1;
	}
	free(r->method);
	free(r->scheme);
	free(r->host);
	free(r->path);
	bq_free_secret(r->query);
	r->method = tmp.method;
	r->scheme = tmp.scheme;
	r->host = tmp.host;
	r->path = tmp.path;
	r->query = tmp.query;
	return 0;
}

int bq_request_set_host(bq_request *r, const char *scheme, const char *hostname,
			int port, bq_err *err)
{
	bq_buf b = BQ_BUF_INIT;
	int rc;

	if (!scheme || !hostname || !*hostname)
		return bq_fail(err, BQ_EXIT_USAGE, "request needs a scheme and host");
	if (port < 0 || port > 65535)
		return bq_fail(err, BQ_EXIT_USAGE, "bad port %d for host '%s'",
			       port, hostname);
	if ((port == 443 && strcasecmp(scheme, "https") == 0) ||
	    (port == 80 && strcasecmp(scheme, "http") == 0))
		port = 0;
	rc = port ? bq_buf_printf(&b, "%s:%d", hostname, port)
		  : bq_buf_puts(&b, hostname);
	if (rc < 0 || set_str(&r->scheme, scheme, false, err) < 0) {
		bq_buf_release(&b);
		return oom(err);
	}
	free(r->host);
	r->host = bq_buf_detach(&b);
	return 0;
}

static bool bad_header_text(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n')
			return true;
	return false;
}

static int grow(bq_request *r, bq_err *err)
{
	size_t ncap;
	bq_header *h;

	if (r->nheaders < r->cap)
		return 0;
	ncap = r->cap ? r->cap * 2 : 8;
	if (ncap > SIZE_MAX / sizeof(*h))
		return oom(err);
	h = realloc(r->headers, ncap * sizeof(*h));
	if (!h)
		return oom(err);
	r->headers = h;
	r->cap = ncap;
	return 0;
}

static int check_header(const char *name, const char *value, bq_err *err)
{
	if (!name || !*name || !value)
		return bq_fail(err, BQ_EXIT_USAGE, "empty header name or value");
	/* a CR/LF would let a value smuggle in another header */
	if (strchr(name, ':') || bad_header_text(name) || bad_header_text(value))
		return bq_fail(err, BQ_EXIT_USAGE, "bad header '%s'", name);
	return 0;
}

int bq_request_add_header(bq_request *r, const char *name, const char *value,
			  bq_err *err)
{
	char *n, *v;

	if (check_header(name, value, err) < 0 || grow(r, err) < 0)
		return -1;
	n = strdup(name);
	v = strdup(value);
	if (!n || !v) {
		free(n);
		bq_free_secret(v);
		return oom(err);
	}
	r->headers[r->nheaders].name = n;
	r->headers[r->nheaders].value = v;
	r->nheaders++;
	return 0;
}

int bq_request_set_header(bq_request *r, const char *name, const char *value,
			  bq_err *err)
{
	size_t i, first = SIZE_MAX;
	char *v;

	if (check_header(name, value, err) < 0)
		return -1;
	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0) {
			first = i;
			break;
		}
	if (first == SIZE_MAX)
		return bq_request_add_header(r, name, value, err);
	if (!(v = strdup(value)))
		return oom(err);
	bq_free_secret(r->headers[first].value);
	r->headers[first].value = v;
	/* drop the later duplicates, keeping the order of the rest */
	for (i = first + 1; i < r->nheaders;) {
		if (strcasecmp(r->headers[i].name, name) == 0) {
			free_header(&r->headers[i]);
			memmove(&r->headers[i], &r->headers[i + 1],
				(r->nheaders - i - 1) * sizeof(r->headers[0]));
			r->nheaders--;
		} else {
			i++;
		}
	}
	return 0;
}

const char *bq_request_get_header(const bq_request *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

size_t bq_request_remove_header(bq_request *r, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < r->nheaders;) {
		if (strcasecmp(r->headers[i].name, name) == 0) {
			free_header(&r->headers[i]);
			memmove(&r->headers[i], &r->headers[i + 1],
				(r->nheaders - i - 1) * sizeof(r->headers[0]));
			r->nheaders--;
			n++;
		} else {
			i++;
		}
	}
	return n;
}

int bq_request_url(const bq_request *r, char **out, bq_err *err)
{
	bq_buf b = BQ_BUF_INIT;

	*out = NULL;
	if (!r->scheme || !r->host)
		return bq_fail(err, BQ_EXIT_USAGE, "request has no scheme or host");
	if (bq_buf_printf(&b, "%s://%s%s", r->scheme, r->host,
			  r->path ? r->path : "/") < 0 ||
	    (r->query && bq_buf_printf(&b, "?%s", r->query) < 0)) {
		bq_buf_release_secure(&b);
		return oom(err);
	}
	*out = bq_buf_detach(&b);
	return 0;
}
