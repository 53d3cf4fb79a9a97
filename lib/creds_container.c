/*
 * creds_container.c: ECS task roles and EKS Pod Identity.
 * AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is fetched from
 * http://169.254.170.2; AWS_CONTAINER_CREDENTIALS_FULL_URI must be https or
 * point at a loopback, ECS or EKS address (so a stray variable cannot send
 * the authorization token anywhere).  The token comes from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time: it rotates)
 * or AWS_CONTAINER_AUTHORIZATION_TOKEN.
 */
#include "creds.h"
#include "aws_internal.h"
#include "endpoint.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define ECS_HOST "http://169.254.170.2"
#define CONTAINER_TIMEOUT 2.0
#define CONTAINER_ATTEMPTS 3

static bool allowed_addr(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

		return (a >> 24) == 127 || a == 0xA9FEAA02u /* 169.254.170.2 */ ||
		       a == 0xA9FEAA17u /* 169.254.170.23 */;
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *b =
			((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
		static const unsigned char lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0,
						      0, 0, 0, 0, 0, 0, 0, 1 };
		static const unsigned char eks[16] = { 0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0,
						       0, 0, 0, 0, 0, 0, 0, 0x23 };

		return memcmp(b, lo, 16) == 0 || memcmp(b, eks, 16) == 0;
	}
	return false;
}

/* Every address the host resolves to must be allowed. */
static bool allowed_host(const char *hostport)
{
	char host[256];
	const char *h = hostport;
	size_t n;
	struct addrinfo hints, *res = NULL, *ai;
	bool ok = true;

	if (*h == '[') {
		const char *e = strchr(h, ']');

		if (!e)
			return false;
		n = (size_t)(e - h - 1);
		h++;
	} else {
		n = strcspn(h, ":");
	}
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, h, n);
	host[n] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res)
		return false;
	for (ai = res; ai; ai = ai->ai_next)
		if (!allowed_addr(ai->ai_addr))
			ok = false;
	freeaddrinfo(res);
	return ok;
}

int bq_creds_container_url(char **url, bq_err *err)
{
	const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	bq_buf b = BQ_BUF_INIT;

	*url = NULL;
	if (rel && *rel) {
		if (bq_buf_printf(&b, "%s%s%s", ECS_HOST, rel[0] == '/' ? "" : "/",
				  rel) < 0)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		*url = bq_buf_detach(&b);
		return 0;
	}
	if (full && *full) {
		char *scheme, *host, *path, *base = strdup(full);
		int rc;

		/* a query is fine here; check the part before it */
		if (!base)
			return bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
		base[strcspn(base, "?#")] = '\0';
		rc = bq_url_split(base, &scheme, &host, &path, err);
		free(base);
		if (rc < 0) {
			err->exit_status = BQ_EXIT_CREDS;
			return -1;
		}
		if (strcmp(scheme, "https") != 0 && !allowed_host(host)) {
			bq_fail(err, BQ_EXIT_CREDS,
				"AWS_CONTAINER_CREDENTIALS_FULL_URI '%s' is neither https nor a loopback, ECS or EKS address",
				full);
			free(scheme);
			free(host);
			free(path);
			return -1;
		}
		free(scheme);
		free(host);
		free(path);
		*url = strdup(full);
		return *url ? 0 : bq_fail(err, BQ_EXIT_RUNTIME, "out of memory");
	}
	return 0;
}

static int auth_token(bq_buf *tok, bq_err *err)
{
	const char *file = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *val = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	if (file && *file) {
		FILE *f = fopen(file, "r");
		char chunk[1024];
		size_t n;

		if (!f)
			return bq_fail(err, BQ_EXIT_CREDS,
				       "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE '%s'",
				       file);
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (bq_buf_append(tok, chunk, n) < 0)
				break;
		bq_wipe(chunk, sizeof(chunk));
		fclose(f);
	} else if (val && *val) {
		bq_buf_puts(tok, val);
	}
	while (tok->len && (tok->data[tok->len - 1] == '\n' ||
			    tok->data[tok->len - 1] == '\r'))
		tok->data[--tok->len] = '\0';
	if (tok->len && strpbrk(bq_buf_cstr(tok), "\r\n"))
		return bq_fail(err, BQ_EXIT_CREDS,
			       "the container authorization token has a line break");
	bq_redact_add(bq_buf_cstr(tok));
	return 0;
}

int bq_creds_container(const bq_creds_ctx *ctx, bq_creds *out, bq_err *err)
{
	char *url = NULL;
	bq_buf tok = BQ_BUF_INIT;
	bq_aws_response resp = BQ_AWS_RESPONSE_INIT;
	const char *hdrs[3] = { NULL, NULL, NULL };
	int attempt, rc = -1;

	if (bq_creds_container_url(&url, err) < 0)
		return -1;
	if (!url) {
		bq_creds_tried(ctx, "container credentials");
		return 0;
	}
	if (auth_token(&tok, err) < 0)
		goto out;
	if (tok.len) {
		hdrs[0] = "Authorization";
		hdrs[1] = bq_buf_cstr(&tok);
	}
	for (attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		rc = bq_aws_fetch(ctx->aws, "GET", url, hdrs, CONTAINER_TIMEOUT, &resp,
				  err);
		if (rc == 0 && resp.status < 500)
			break;
		if (attempt < CONTAINER_ATTEMPTS)
			bq_clock_sleep(ctx->clock, 1.0);
	}
	if (rc < 0) {
		err->exit_status = BQ_EXIT_CREDS;
		goto out;
	}
	rc = -1;
	if (resp.status != 200) {
		bq_fail(err, BQ_EXIT_CREDS,
			"container credentials endpoint answered HTTP %d", resp.status);
		goto out;
	}
	if (bq_creds_from_answer(out, resp.body.data, resp.body.len, NULL,
				 "AccessKeyId", "SecretAccessKey", "Token",
				 "Expiration", "container", "container credentials",
				 err) < 0)
		goto out;
	rc = 1;
out:
	bq_aws_response_free_secure(&resp);
	bq_buf_release_secure(&tok);
	free(url);
	return rc;
}
